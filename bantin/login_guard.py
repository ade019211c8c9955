"""Brute-force protection for sign-in, kept in the database (shared by every worker).

After ``ACCOUNT_LIMIT`` failures for one account, or ``IP_LIMIT`` failures from one
address (an IPv6 /64 counts as one address, see ``bantin.web.net.rate_key``), within
``WINDOW``, sign-in is refused for ``LOCKOUT`` (even with the right password). Refused
attempts are not recorded as failures, so an attacker who keeps hammering cannot push the
lock further out for the real user.

Every password check (sign-in, and the current password when changing it) first
``reserve``s its attempt: the attempt is stored as a failure, atomically with the decision,
before the slow hash runs. Concurrent requests therefore cannot all pass the check of the
lock before any of them has recorded a failure: at most ``ACCOUNT_LIMIT`` passwords are
ever checked for one account in a window, however many arrive at once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from bantin.clock import utcnow
from bantin.database import write_lock
from bantin.extensions import db
from bantin.models import LoginAttempt
from bantin.web.net import rate_key

ACCOUNT_LIMIT = 5
IP_LIMIT = 20
WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)
# Attempts older than this are of no use to any check and are purged.
KEEP = timedelta(days=1)
_PURGE_BATCH = 200


ACCOUNT = "account"
ADDRESS = "address"


@dataclass(frozen=True)
class Lock:
    """A lock in force: how long it lasts, and whether the ``ADDRESS`` is locked (whatever
    the account typed) or only the ``ACCOUNT``."""

    remaining: timedelta
    scope: str


@dataclass(frozen=True)
class Attempt:
    """A reserved attempt: ``id`` of its row when the password may be checked, or the
    ``lock`` that refused it (then nothing was stored)."""

    id: int | None
    lock: Lock | None

    @property
    def refused(self) -> bool:
        return self.lock is not None

    @property
    def remaining(self) -> timedelta | None:
        return self.lock.remaining if self.lock else None


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


def _failures(
    where: sa.ColumnElement[bool], since: datetime, exclude: int | None
) -> list[datetime]:
    stmt = (
        sa.select(LoginAttempt.created_at)
        .where(where, LoginAttempt.success.is_(False), LoginAttempt.created_at > since)
        .order_by(LoginAttempt.created_at)
    )
    if exclude is not None:
        stmt = stmt.where(LoginAttempt.id != exclude)
    return list(db.session.scalars(stmt))


def _last_success(email: str) -> datetime | None:
    stmt = sa.select(sa.func.max(LoginAttempt.created_at)).where(
        LoginAttempt.email == email, LoginAttempt.success.is_(True)
    )
    return db.session.scalar(stmt)


def current_lock(
    email: str, ip: str, now: datetime | None = None, exclude: int | None = None
) -> Lock | None:
    """The lock on this account or address (an address key, see ``reserve``), if any.

    ``exclude`` leaves one attempt (the one being decided) out of the count.
    """
    now = now or utcnow()
    horizon = now - WINDOW - LOCKOUT
    # A successful sign-in starts the account's count afresh (not the address's).
    since_account = max(horizon, _last_success(email) or horizon)
    account_end = _locked_until(
        _failures(LoginAttempt.email == email, since_account, exclude), ACCOUNT_LIMIT
    )
    address_end = _locked_until(_failures(LoginAttempt.ip == ip, horizon, exclude), IP_LIMIT)
    ends = [end for end in (account_end, address_end) if end is not None and end > now]
    if not ends:
        return None
    scope = ADDRESS if address_end is not None and address_end > now else ACCOUNT
    return Lock(max(ends) - now, scope)


def lock_remaining(
    email: str, ip: str, now: datetime | None = None, exclude: int | None = None
) -> timedelta | None:
    """How long sign-in stays refused for this account or address; None when allowed."""
    lock = current_lock(email, ip, now, exclude)
    return lock.remaining if lock else None


def minutes(remaining: timedelta) -> int:
    """Whole minutes to tell a person (rounded up, at least 1)."""
    return max(1, math.ceil(remaining.total_seconds() / 60))


def _serialise_reservations() -> None:
    """Make reservations take turns across processes.

    On SQLite the INSERT below does it: it takes the database's one write lock, and the
    counts that follow in the same transaction see every attempt committed before it.
    PostgreSQL lets concurrent INSERTs proceed, so the table is locked against other
    reservations (a mode that conflicts with itself, not with readers) first.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("LOCK TABLE login_attempt IN SHARE ROW EXCLUSIVE MODE"))


def reserve(email: str, address: str, on_refused: Callable[[Lock], None] | None = None) -> Attempt:
    """Take a turn to check a password, before the slow hash runs.

    In one short transaction under the write lock, committed before returning: store this
    attempt as a failure, then decide from the attempts before it. When a lock is already
    on, the attempt is refused: its row goes again (refusals never push the lock further
    out) and ``on_refused(lock)`` adds what the caller records in the same
    transaction (an audit row). Otherwise the caller checks the password and, when it was
    right, calls ``succeeded``; a wrong password simply stays a failure.
    """
    # The address counts the way every rate limit does: IPv6 per /64, so one subscriber
    # cannot spread guesses over the 2^64 addresses it owns.
    email, ip = email[:254], rate_key(address)[:64]
    now = utcnow()
    with write_lock():
        _serialise_reservations()
        attempt = LoginAttempt(email=email, ip=ip, success=False, created_at=now)
        db.session.add(attempt)
        db.session.flush()
        attempt_id = attempt.id
        lock = current_lock(email, ip, now, exclude=attempt_id)
        if lock is not None:
            db.session.delete(attempt)
            if on_refused is not None:
                on_refused(lock)
        _purge_old(now)
        db.session.commit()
    if lock is not None:
        return Attempt(None, lock)
    return Attempt(attempt_id, None)


def succeeded(attempt: Attempt) -> None:
    """Mark a reserved attempt as a success (the caller holds the write lock and commits)."""
    if attempt.id is None:
        raise ValueError("a refused attempt cannot succeed")
    db.session.execute(
        sa.update(LoginAttempt)
        .where(LoginAttempt.id == attempt.id)
        .values(success=True)
        .execution_options(synchronize_session=False)
    )


def _purge_old(now: datetime) -> None:
    """Delete a batch of attempts too old to matter (inside the caller's transaction)."""
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


def release(attempt: Attempt) -> None:
    """Withdraw a reserved attempt whose password was right while sign-in goes on to a second
    step (two-factor): it counts neither as a failure nor as a success. Were it a success, a
    known password would reset the account's count before every few wrong codes; each code
    reserves an attempt of its own. The caller holds the write lock and commits."""
    if attempt.id is None:
        raise ValueError("a refused attempt cannot be released")
    db.session.execute(
        sa.delete(LoginAttempt)
        .where(LoginAttempt.id == attempt.id)
        .execution_options(synchronize_session=False)
    )
