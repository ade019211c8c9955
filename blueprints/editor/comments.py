"""Comment moderation: the queue by status, single and bulk actions, the office's replies
and corrections of a comment's text (POST, audited)."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm import contains_eager, load_only

from bantin import comment_replies as replies
from bantin import comments as service
from bantin.comments import Action
from bantin.extensions import db
from bantin.models import Article, Comment, CommentStatus
from bantin.permissions import Capability, requires
from bantin.web.paging import page_arg, paginate
from blueprints.editor.blueprint import bp

PER_PAGE = 50
MAX_PAGE = 100_000
MAX_BULK = 500

TABS = (
    (CommentStatus.PENDING, _l("Chờ duyệt")),
    (CommentStatus.APPROVED, _l("Đã duyệt")),
    (CommentStatus.SPAM, _l("Thư rác")),
    (CommentStatus.TRASH, _l("Thùng rác")),
)
# The actions offered on each tab, in order (restore only where it means something).
ACTIONS = {
    CommentStatus.PENDING: (Action.APPROVE, Action.SPAM, Action.TRASH),
    CommentStatus.APPROVED: (Action.SPAM, Action.TRASH),
    CommentStatus.SPAM: (Action.APPROVE, Action.RESTORE, Action.DELETE),
    CommentStatus.TRASH: (Action.APPROVE, Action.RESTORE, Action.DELETE),
}
ACTION_LABELS = {
    Action.APPROVE: _l("Duyệt"),
    Action.SPAM: _l("Đánh dấu thư rác"),
    Action.TRASH: _l("Bỏ vào thùng rác"),
    Action.RESTORE: _l("Khôi phục"),
    Action.DELETE: _l("Xóa vĩnh viễn"),
}
# Where the office's reply and text corrections are offered.
EDITABLE = (CommentStatus.PENDING, CommentStatus.APPROVED)
DONE = {
    Action.APPROVE: _l("Đã duyệt %(n)s ý kiến."),
    Action.SPAM: _l("Đã đánh dấu %(n)s ý kiến là thư rác."),
    Action.TRASH: _l("Đã bỏ %(n)s ý kiến vào thùng rác."),
    Action.RESTORE: _l("Đã khôi phục %(n)s ý kiến về hàng chờ duyệt."),
    Action.DELETE: _l("Đã xóa vĩnh viễn %(n)s ý kiến."),
}


def _status_arg(value: str | None, default: CommentStatus | None = CommentStatus.PENDING):
    if not value:
        return default
    try:
        return CommentStatus(value)
    except ValueError:
        return None


@bp.context_processor
def _pending_badge() -> dict:
    """The editor menu's pending count: one indexed COUNT, only on editor pages."""
    if not current_user.is_authenticated:
        return {}
    return {"pending_comment_count": service.pending_count()}


@bp.get("/comments")
@requires(Capability.MODERATE_COMMENTS)
def comments():
    """The moderation queue: one tab per status, newest first."""
    status = _status_arg(request.args.get("status"))
    if status is None:
        abort(404)
    service.purge()  # cheap housekeeping: old IPs and captcha rows
    return _queue(status, page_arg(MAX_PAGE))


def _queue(status: CommentStatus, number: int, problem: dict | None = None, code: int = 200):
    """The queue's page; ``problem`` re-opens one comment's reply or text form with the
    editor's typed text and the message (a refused save keeps what was typed)."""
    counts = service.counts_by_status()
    page = paginate(counts[status], PER_PAGE, number, clamp=True)
    stmt = page.rows(
        sa.select(Comment)
        .join(Comment.article)
        .where(Comment.status == status)
        .options(
            contains_eager(Comment.article).options(
                load_only(Article.id, Article.title, Article.slug)
            )
        )
        .order_by(Comment.created_at.desc(), Comment.id.desc())
    )
    rows = db.session.scalars(stmt).all()
    body = render_template(
        "editor/comments.html",
        status=status,
        tabs=TABS,
        counts=counts,
        rows=rows,
        actions=ACTIONS[status],
        action_labels=ACTION_LABELS,
        page=page.number,
        pages=page.pages,
        editable=status in EDITABLE,
        problem=problem or {},
    )
    return body, code


def _form_place() -> tuple[CommentStatus, int]:
    """The tab and page the moderator acted from (whitelisted values, never a URL)."""
    status = _status_arg(request.form.get("status")) or CommentStatus.PENDING
    page = request.form.get("page", "")
    if page.isascii() and page.isdigit() and len(page) <= 6 and int(page) > 1:
        return status, int(page)
    return status, 1


def _back(anchor: str | None = None):
    """Back to the tab and page the moderator acted from."""
    status, page = _form_place()
    args: dict = {"status": status.value}
    if page > 1:
        args["page"] = page
    return redirect(url_for("editor.comments", _anchor=anchor, **args), 303)


def _action_arg(value: str | None) -> Action:
    try:
        return Action(value or "")
    except ValueError:
        abort(404)


@bp.post("/comments/<int(max=2147483647):comment_id>/<action>")
@requires(Capability.MODERATE_COMMENTS)
def comment_action(comment_id: int, action: str):
    """Approve, spam, trash, restore or delete one comment (idempotent)."""
    act = _action_arg(action)
    changed = service.moderate([comment_id], act, current_user._get_current_object())[comment_id]
    if changed is None:
        if act != Action.DELETE:
            abort(404)
        flash(_("Ý kiến này đã được xóa trước đó."), "info")
    elif changed:
        flash(str(DONE[act]) % {"n": 1}, "success")
    else:
        flash(_("Không có gì thay đổi: ý kiến đã ở trạng thái này."), "info")
    return _back()


@bp.post("/comments/bulk")
@requires(Capability.MODERATE_COMMENTS)
def comments_bulk():
    """The same actions on every checked comment."""
    try:
        act = Action(request.form.get("action") or "")
    except ValueError:
        abort(400)  # a form field, not an address: the form only offers real actions
    ids = []
    for raw in request.form.getlist("ids")[:MAX_BULK]:
        if raw.isascii() and raw.isdigit() and len(raw) <= 18:
            ids.append(int(raw))
    if not ids:
        flash(_("Chưa chọn ý kiến nào."), "error")
        return _back()
    outcome = service.moderate(ids, act, current_user._get_current_object())
    flash(str(DONE[act]) % {"n": sum(1 for changed in outcome.values() if changed)}, "success")
    return _back()


# ------------------------------------------------------------------ replies and corrections

ID = "int(max=2147483647)"


def _comment_or_404(comment_id: int) -> Comment:
    return db.get_or_404(Comment, comment_id)


def _refused(comment: Comment, kind: str, text: str, message: str):
    """The queue again (400) with the form open, the typed text and the message."""
    status, page = _form_place()
    problem = {"id": comment.id, "kind": kind, "text": text, "message": message}
    return _queue(status, page, problem, 400)


@bp.post(f"/comments/<{ID}:comment_id>/reply")
@requires(Capability.MODERATE_COMMENTS)
def comment_reply(comment_id: int):
    """Write or change the office's reply under a comment (audited)."""
    comment = _comment_or_404(comment_id)
    text = request.form.get("reply", "")
    try:
        changed = replies.set_reply(comment, text, current_user._get_current_object())
    except replies.Invalid as exc:
        return _refused(comment, "reply", text, str(exc))
    if changed:
        flash(_("Đã lưu trả lời của ban biên tập."), "success")
    else:
        flash(_("Không có gì thay đổi."), "info")
    return _back(f"comment-{comment.id}")


@bp.post(f"/comments/<{ID}:comment_id>/reply/delete")
@requires(Capability.MODERATE_COMMENTS)
def comment_reply_delete(comment_id: int):
    """Remove the office's reply (the old text stays in the audit log)."""
    comment = _comment_or_404(comment_id)
    if replies.delete_reply(comment, current_user._get_current_object()):
        flash(_("Đã xóa trả lời của ban biên tập."), "success")
    else:
        flash(_("Ý kiến này chưa có trả lời."), "info")
    return _back(f"comment-{comment.id}")


@bp.post(f"/comments/<{ID}:comment_id>/edit")
@requires(Capability.MODERATE_COMMENTS)
def comment_edit(comment_id: int):
    """Correct a comment's text (typos); the original goes into the audit log."""
    comment = _comment_or_404(comment_id)
    text = request.form.get("content", "")
    try:
        changed = replies.edit_content(comment, text, current_user._get_current_object())
    except replies.Invalid as exc:
        return _refused(comment, "content", text, str(exc))
    if changed:
        flash(_("Đã sửa nội dung ý kiến. Bản gốc được lưu trong nhật ký."), "success")
    else:
        flash(_("Không có gì thay đổi."), "info")
    return _back(f"comment-{comment.id}")
