"""The outbox for admins: mail on or off, what waits, what was sent, what failed (with a
retry button). Message bodies are never shown: they hold single-use links."""

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from bantin import audit
from bantin.database import write_lock
from bantin.extensions import db
from bantin.mail import outbox, render, worker
from bantin.models import MailMessage, MailStatus
from bantin.permissions import Capability, requires
from blueprints.editor.blueprint import bp

ID = "int(max=2147483647)"


@bp.before_app_request
def start_mail_worker() -> None:
    """With MAIL_WORKER, each app process starts its sending thread on its first request
    (not at import: gunicorn workers are separate processes), so a backlog left by an
    earlier run goes out even before anything new is queued. A dict lookup afterwards."""
    if current_app.config.get("MAIL_WORKER") and outbox.enabled():
        worker.ensure_started(current_app._get_current_object())


@bp.get("/mail")
@requires(Capability.MAIL_STATUS)
def mail_status():
    """Mail on/off, the queue, recent sent messages and failures."""
    config = current_app.config
    server = None
    if outbox.enabled():
        security = (
            "SSL"
            if config.get("MAIL_USE_SSL")
            else "STARTTLS"
            if config.get("MAIL_USE_TLS")
            else ""
        )
        server = {
            "host": config["MAIL_SERVER"],
            "port": config.get("MAIL_PORT"),
            "security": security,
            "sender": str(render.sender()),
            "worker": bool(config.get("MAIL_WORKER")),
        }
    return render_template(
        "editor/mail.html",
        server=server,
        counts=outbox.counts(),
        waiting=outbox.listing((MailStatus.QUEUED, MailStatus.SENDING)),
        failed=outbox.listing((MailStatus.FAILED,)),
        sent=outbox.listing((MailStatus.SENT,), limit=30),
        max_attempts=outbox.max_attempts(),
    )


@bp.post(f"/mail/<{ID}:message_id>/retry")
@requires(Capability.MAIL_STATUS)
def mail_retry(message_id: int):
    """Queue one failed message again, with a fresh count of attempts."""
    message = db.get_or_404(MailMessage, message_id)
    with write_lock():
        if outbox.retry(message.id):
            audit.record("mail.retry", "mail", message.id, message.to_addr)
        db.session.commit()
    flash(_("Đã đưa thư gửi %(email)s vào hàng đợi.", email=message.to_addr), "success")
    return redirect(url_for("editor.mail_status"), 303)


@bp.post("/mail/retry-failed")
@requires(Capability.MAIL_STATUS)
def mail_retry_failed():
    """Queue every failed message again."""
    with write_lock():
        count = outbox.retry()
        if count:
            audit.record("mail.retry", "mail", None, f"{count} failed messages")
        db.session.commit()
    flash(_("Đã đưa %(count)d thư lỗi vào hàng đợi.", count=count), "success")
    return redirect(url_for("editor.mail_status"), 303)
