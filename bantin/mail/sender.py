"""Sending what is due over SMTP (smtplib): `flask mail send` and the worker thread call
``send_due``. One connection per run; each message is claimed, sent, then marked."""

from __future__ import annotations

import contextlib
import smtplib
import ssl
from dataclasses import dataclass, field

from flask import current_app

from bantin.extensions import db
from bantin.mail import outbox, render

# SMTP reply codes from 500 up refuse for good (RFC 5321 §4.2.1): no retry helps.
PERMANENT = 500


@dataclass
class SendResult:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    stopped: str = ""  # why the run stopped early (the server cannot be reached)


def connect() -> smtplib.SMTP:
    """An SMTP connection as configured: SSL, or STARTTLS, then login if a user is set."""
    config = current_app.config
    host = config["MAIL_SERVER"]
    port = int(config.get("MAIL_PORT") or (465 if config.get("MAIL_USE_SSL") else 25))
    timeout = float(config.get("MAIL_TIMEOUT") or 30)
    if config.get("MAIL_USE_SSL"):
        conn: smtplib.SMTP = smtplib.SMTP_SSL(
            host, port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        conn = smtplib.SMTP(host, port, timeout=timeout)
        if config.get("MAIL_USE_TLS"):
            conn.starttls(context=ssl.create_default_context())
    if config.get("MAIL_USERNAME"):
        conn.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
    return conn


def _permanent(error: Exception) -> bool:
    """A refusal of this message that a retry cannot fix (5xx for the recipient, the
    sender or the data); connection and authentication problems are worth retrying."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in error.recipients.values()]
        return bool(codes) and all(code >= PERMANENT for code in codes)
    if isinstance(error, smtplib.SMTPSenderRefused | smtplib.SMTPDataError):
        return error.smtp_code >= PERMANENT
    return False


def _connection_lost(error: Exception) -> bool:
    """A socket error or a dropped connection (SMTPException is an OSError too)."""
    if isinstance(error, smtplib.SMTPServerDisconnected):
        return True
    return not isinstance(error, smtplib.SMTPException)


def _describe(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPResponseException):
        detail = error.smtp_error
        text = detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)
        return f"{type(error).__name__} {error.smtp_code}: {text}"
    return f"{type(error).__name__}: {error}"


def send_due(limit: int = 500) -> SendResult:
    """Send up to ``limit`` due messages. A server that cannot be reached ends the run
    (the message tried counts an attempt and backs off; the others wait untouched)."""
    result = SendResult()
    if not outbox.enabled():
        result.stopped = "mail is off (no MAIL_SERVER)"
        return result
    from_ = render.sender()
    conn: smtplib.SMTP | None = None
    try:
        for _ in range(limit):
            claimed = outbox.claim()
            if claimed is None:
                break
            message = outbox.load(claimed)
            if message is None:  # taken over after our lease ran out: not ours any more
                continue
            attempts = message.attempts
            mime = render.build(message, from_)
            db.session.rollback()  # no transaction stays open during the network wait
            try:
                if conn is None:
                    conn = connect()
                conn.send_message(mime)
            except (OSError, smtplib.SMTPException) as error:
                description = _describe(error)
                result.errors.append(description)
                status = outbox.mark_failure(claimed, attempts, description, _permanent(error))
                if status == outbox.MailStatus.FAILED:
                    result.failed += 1
                else:
                    result.retried += 1
                if conn is None or _connection_lost(error):
                    # Not connected, or the connection broke: stop here; the next run
                    # (timer or worker) tries again.
                    result.stopped = description
                    conn = _close(conn)
                    break
                _reset(conn)
                continue
            outbox.mark_sent(claimed)
            result.sent += 1
    finally:
        _close(conn)
    return result


def _reset(conn: smtplib.SMTP) -> None:
    with contextlib.suppress(OSError, smtplib.SMTPException):
        conn.rset()


def _close(conn: smtplib.SMTP | None) -> None:
    if conn is None:
        return None
    try:
        conn.quit()
    except (OSError, smtplib.SMTPException):
        conn.close()
    return None
