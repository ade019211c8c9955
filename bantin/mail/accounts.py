"""Single-use links to set a password: a forgotten password (1 hour) and an invitation
(72 hours). Only the SHA-256 of a token is stored; a new link ends the user's older ones;
using one sets the password and ends every session of the user."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

import sqlalchemy as sa

from bantin.clock import utcnow
from bantin.extensions import db
from bantin.mail import outbox, render
from bantin.models import AccountToken, RateEvent, TokenPurpose, User

VALID_FOR = {TokenPurpose.RESET: timedelta(hours=1), TokenPurpose.INVITE: timedelta(hours=72)}
TEMPLATES = {TokenPurpose.RESET: "password_reset", TokenPurpose.INVITE: "invitation"}
# secrets.token_urlsafe(32): 43 characters of the URL-safe alphabet.
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("ascii", "replace")).hexdigest()


def issue(user: User, purpose: TokenPurpose) -> str:
    """A new link's token (returned once, never stored); the user's older unused links
    end now. Added to the caller's transaction."""
    now = utcnow()
    db.session.execute(
        sa.update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.used_at.is_(None),
            AccountToken.expires_at > now,
        )
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )
    raw = secrets.token_urlsafe(32)
    db.session.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=token_hash(raw),
            created_at=now,
            expires_at=now + VALID_FOR[purpose],
        )
    )
    return raw


def find(raw: str) -> AccountToken | None:
    """The unused, unexpired link of an active user for this token, else None."""
    if not raw or not TOKEN_SHAPE.match(raw):
        return None
    token = db.session.scalar(
        sa.select(AccountToken).where(AccountToken.token_hash == token_hash(raw))
    )
    if token is None or token.used_at is not None or token.expires_at <= utcnow():
        return None
    user = db.session.get(User, token.user_id)
    if user is None or not user.active:
        return None
    return token


def pending_invitations() -> set[int]:
    """Ids of users whose invitation link is still unused and valid."""
    stmt = sa.select(AccountToken.user_id).where(
        AccountToken.purpose == TokenPurpose.INVITE,
        AccountToken.used_at.is_(None),
        AccountToken.expires_at > utcnow(),
    )
    return set(db.session.scalars(stmt))


def use(token: AccountToken) -> bool:
    """Mark the link used, atomically (a second use at the same moment gets False)."""
    result = db.session.execute(
        sa.update(AccountToken)
        .where(AccountToken.id == token.id, AccountToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def link(raw: str) -> str:
    """The link to the page that sets the password."""
    return render.absolute_url("auth.reset_password", token=raw)


def send_link(user: User, purpose: TokenPurpose, inviter: User | None = None) -> str:
    """Issue a link for ``user`` and queue its message (when mail is on). Returns the
    link: the caller shows it to an admin when mail is off, and never otherwise."""
    raw = issue(user, purpose)
    url = link(raw)
    hours = int(VALID_FOR[purpose].total_seconds() // 3600)
    outbox.queue(
        user.email,
        TEMPLATES[purpose],
        {
            "name": user.name,
            "email": user.email,
            "link": url,
            "hours": hours,
            "inviter": inviter.name if inviter else "",
            "by_admin": inviter is not None,
        },
        language=user.language,
        name=user.name,
    )
    return url


def purge(now=None) -> int:
    """Forget links that ended more than a week ago and old reset-request hits; the
    caller commits."""
    cutoff = (now or utcnow()) - timedelta(days=7)
    result = db.session.execute(
        sa.delete(AccountToken)
        .where(AccountToken.expires_at < cutoff)
        .execution_options(synchronize_session=False)
    )
    return (result.rowcount or 0) + purge_rate_events(now)


# ------------------------------------------------------------------ rate limits

RATE_WINDOW = timedelta(hours=1)
RATE_BUCKETS = ("reset_address", "reset_email")


def rate_limited(bucket: str, key: str, limit: int, window: timedelta = RATE_WINDOW) -> bool:
    """Count a hit on ``bucket`` for ``key`` (RateEvent rows, shared by every worker);
    True, and nothing recorded, when ``limit`` hits are already in ``window``. The caller
    holds the write lock (the count and the insert decide together) and commits."""
    now = utcnow()
    recent = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(RateEvent)
        .where(
            RateEvent.bucket == bucket,
            RateEvent.key == key[:100],
            RateEvent.created_at > now - window,
        )
    )
    if (recent or 0) >= limit:
        return True
    db.session.add(RateEvent(bucket=bucket, key=key[:100], created_at=now))
    db.session.flush()
    return False


def purge_rate_events(now=None) -> int:
    """Forget reset-request hits older than a day; the caller commits."""
    cutoff = (now or utcnow()) - timedelta(days=1)
    result = db.session.execute(
        sa.delete(RateEvent)
        .where(RateEvent.bucket.in_(RATE_BUCKETS), RateEvent.created_at < cutoff)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
