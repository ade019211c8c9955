"""Brute-force protection for sign-in, kept in the database (shared by every worker).

After ``ACCOUNT_LIMIT`` failures for one account, or ``IP_LIMIT`` failures from one
address, within ``WINDOW``, sign-in is refused for ``LOCKOUT`` (even with the right
password). Refused attempts are not recorded as failures, so an attacker who keeps
hammering cannot push the lock further out for the real user.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta

import sqlalchemy as sa

from bantin.clock import utcnow
from bantin.extensions import db
from bantin.models import LoginAttempt

ACCOUNT_LIMIT = 5
IP_LIMIT = 20
WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
# Attempts older than this are of no use to any check and are purged.
KEEP = timedelta(days=1)
_PURGE_BATCH = 200


def _locked_until(times: Sequence[datetime], limit: int) -> datetime | None:
    """When the latest lock ends: ``limit`` failures within WINDOW lock until last + LOCKOUT."""
    until = None
    for i in range(len(times) - limit + 1):
        first, last = times[i], times[i + limit - 1]
        if last - first <= WINDOW:
            end = last + LOCKOUT
            if until is None or end > until:
                until = end
    return until


def _failures(where: sa.ColumnElement[bool], since: datetime) -> list[datetime]:
    stmt = (
        sa.select(LoginAttempt.created_at)
        .where(where, LoginAttempt.success.is_(False), LoginAttempt.created_at > since)
        .order_by(LoginAttempt.created_at)
    )
    return list(db.session.scalars(stmt))


def _last_success(email: str) -> datetime | None:
    stmt = sa.select(sa.func.max(LoginAttempt.created_at)).where(
        LoginAttempt.email == email, LoginAttempt.success.is_(True)
    )
    return db.session.scalar(stmt)


def lock_remaining(email: str, ip: str, now: datetime | None = None) -> timedelta | None:
    """How long sign-in stays refused for this account or address; None when allowed."""
    now = now or utcnow()
    horizon = now - WINDOW - LOCKOUT
    # A successful sign-in starts the account's count afresh (not the address's).
    since_account = max(horizon, _last_success(email) or horizon)
    ends = [
        _locked_until(_failures(LoginAttempt.email == email, since_account), ACCOUNT_LIMIT),
        _locked_until(_failures(LoginAttempt.ip == ip, horizon), IP_LIMIT),
    ]
    until = max((end for end in ends if end is not None), default=None)
    if until is None or until <= now:
        return None
    return until - now


def minutes(remaining: timedelta) -> int:
    """Whole minutes to tell a person (rounded up, at least 1)."""
    return max(1, math.ceil(remaining.total_seconds() / 60))


def record(email: str, ip: str, success: bool) -> None:
    """Add an attempt to the session (the caller commits) and purge a batch of old ones."""
    now = utcnow()
    db.session.add(LoginAttempt(email=email[:254], ip=ip[:64], success=success, created_at=now))
    old = (
        sa.select(LoginAttempt.id)
        .where(LoginAttempt.created_at < now - KEEP)
        .limit(_PURGE_BATCH)
        .scalar_subquery()
    )
    db.session.execute(
        sa.delete(LoginAttempt)
        .where(LoginAttempt.id.in_(old))
        .execution_options(synchronize_session=False)
    )
