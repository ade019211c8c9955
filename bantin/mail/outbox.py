"""The outbox: messages written in the caller's transaction, claimed one at a time by
senders with a lease, retried with exponential back-off, then "failed" for an admin.

Claiming is one UPDATE statement (a row moves from due to "sending" with a random claim
token and a lease end), so two senders never claim the same message; a sender killed
mid-send leaves a claim whose lease runs out, and the message is claimed again. A message
is sent twice only when a sender dies after the SMTP server accepted its DATA and before
it recorded "sent" (docs/mail.md).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid

import sqlalchemy as sa
from flask import current_app

from bantin.clock import utcnow
from bantin.database import write_lock
from bantin.extensions import db
from bantin.mail import render
from bantin.models import MailMessage, MailStatus

LEASE = timedelta(minutes=5)  # longer than a connection's timeouts: a live sender keeps it
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=6)
KEEP_SENT = timedelta(days=30)


def enabled() -> bool:
    """Mail is on when MAIL_SERVER is set; without it nothing is queued."""
    return bool(current_app.config.get("MAIL_SERVER"))


def max_attempts() -> int:
    return max(1, int(current_app.config.get("MAIL_MAX_ATTEMPTS") or 8))


def backoff(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failure: 1, 2, 4, 8 … minutes, at most 6 hours."""
    return min(BACKOFF_BASE * (2 ** max(0, attempts - 1)), BACKOFF_CAP)


def queue(
    to: str, template: str, context: dict, language: str | None = "vi", name: str = ""
) -> MailMessage | None:
    """Render ``templates/mail/<template>.<language>.txt`` and add it to the outbox in the
    caller's transaction (the caller commits). None when mail is off: nothing is stored."""
    if not enabled():
        return None
    language = render.language_of(language)
    rendered = render.render(template, context, language)
    message = MailMessage(
        to_addr=to[:254],
        to_name=(name or "")[:120],
        template=template[:40],
        language=language,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
        message_id=make_msgid(domain=render.sender_domain())[:200],
        status=MailStatus.QUEUED,
        attempts=0,
        next_attempt_at=utcnow(),
        last_error="",
    )
    db.session.add(message)
    from bantin.mail import worker

    worker.nudge_after_commit()
    return message


def _due(now: datetime) -> sa.ColumnElement[bool]:
    return sa.or_(
        sa.and_(MailMessage.status == MailStatus.QUEUED, MailMessage.next_attempt_at <= now),
        sa.and_(MailMessage.status == MailStatus.SENDING, MailMessage.claimed_until < now),
    )


@dataclass(frozen=True)
class Claim:
    id: int
    token: str


def claim(now: datetime | None = None) -> Claim | None:
    """Claim the next due message (or one whose sender's lease ran out); commits."""
    now = now or utcnow()
    token = secrets.token_hex(16)
    pick = (
        sa.select(MailMessage.id)
        .where(_due(now))
        .order_by(MailMessage.next_attempt_at, MailMessage.id)
        .limit(1)
        # PostgreSQL: a row another sender is claiming is skipped, not waited for (SQLite
        # has one writer at a time and no FOR UPDATE; SQLAlchemy leaves it out there).
        .with_for_update(skip_locked=True)
        .correlate(None)
        .scalar_subquery()
    )
    # The due test again on the row itself: on PostgreSQL a concurrent claim re-checks it.
    stmt = (
        sa.update(MailMessage)
        .where(MailMessage.id == pick, _due(now))
        .values(
            status=MailStatus.SENDING,
            claim_token=token,
            claimed_until=now + LEASE,
            attempts=MailMessage.attempts + 1,
        )
        .returning(MailMessage.id)
        .execution_options(synchronize_session=False)
    )
    with write_lock():
        claimed = db.session.execute(stmt).scalar()
        db.session.commit()
    return Claim(claimed, token) if claimed is not None else None


def load(claimed: Claim) -> MailMessage | None:
    return db.session.scalar(
        sa.select(MailMessage)
        .where(MailMessage.id == claimed.id, MailMessage.claim_token == claimed.token)
        .execution_options(populate_existing=True)
    )


def _finish(claimed: Claim, **values) -> bool:
    """Update a claimed row if the claim is still ours; commits."""
    stmt = (
        sa.update(MailMessage)
        .where(MailMessage.id == claimed.id, MailMessage.claim_token == claimed.token)
        .values(claim_token=None, claimed_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    with write_lock():
        done = db.session.execute(stmt).rowcount == 1
        db.session.commit()
    return done


def mark_sent(claimed: Claim) -> bool:
    return _finish(claimed, status=MailStatus.SENT, sent_at=utcnow(), last_error="")


def mark_failure(claimed: Claim, attempts: int, error: str, permanent: bool = False) -> str:
    """Back off (queued again later), or "failed" after the last attempt or a permanent
    refusal. Returns the new status."""
    error = error[:500]
    if permanent or attempts >= max_attempts():
        _finish(claimed, status=MailStatus.FAILED, last_error=error)
        return MailStatus.FAILED
    _finish(
        claimed,
        status=MailStatus.QUEUED,
        next_attempt_at=utcnow() + backoff(attempts),
        last_error=error,
    )
    return MailStatus.QUEUED


def release(claimed: Claim) -> None:
    """Give a claimed message back untried (its attempt does not count)."""
    _finish(claimed, status=MailStatus.QUEUED, attempts=MailMessage.attempts - 1)


def retry(message_id: int | None = None) -> int:
    """Queue failed messages again (one, or all) with a fresh count; the caller commits."""
    stmt = sa.update(MailMessage).where(MailMessage.status == MailStatus.FAILED)
    if message_id is not None:
        stmt = stmt.where(MailMessage.id == message_id)
    stmt = stmt.values(status=MailStatus.QUEUED, attempts=0, next_attempt_at=utcnow())
    result = db.session.execute(stmt.execution_options(synchronize_session=False))
    return result.rowcount or 0


def counts() -> dict[MailStatus, int]:
    rows = db.session.execute(
        sa.select(MailMessage.status, sa.func.count()).group_by(MailMessage.status)
    ).all()
    found = {status: 0 for status in MailStatus}
    found.update({status: n for status, n in rows})
    return found


def listing(statuses: tuple[MailStatus, ...], limit: int = 50) -> list[MailMessage]:
    order = (
        MailMessage.sent_at.desc()
        if statuses == (MailStatus.SENT,)
        else MailMessage.next_attempt_at.asc()
    )
    stmt = (
        sa.select(MailMessage)
        .where(MailMessage.status.in_(statuses))
        .order_by(order, MailMessage.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def purge(now: datetime | None = None) -> int:
    """Delete sent messages older than 30 days (their links expired long ago); commits."""
    cutoff = (now or utcnow()) - KEEP_SENT
    with write_lock():
        result = db.session.execute(
            sa.delete(MailMessage)
            .where(MailMessage.status == MailStatus.SENT, MailMessage.sent_at < cutoff)
            .execution_options(synchronize_session=False)
        )
        db.session.commit()
    return result.rowcount or 0
