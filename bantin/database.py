"""SQLite connection settings applied to every new connection, the write-lock rule, and
what the database (SQLite or PostgreSQL) says when it cannot write."""

import contextlib
import sqlite3
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

from flask import current_app
from sqlalchemy import event
from sqlalchemy.engine import Engine

from bantin.text import fold

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    # WAL lets readers run while one writer commits; NORMAL is durable across app crashes
    # (only an OS crash can lose the last commits); wait rather than fail on a busy lock.
    # A read-only file (or mount) cannot switch modes: still serve the readers.
    with contextlib.suppress(sqlite3.OperationalError):
        cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()
    # Diacritic- and case-insensitive matching in SQL (editor lists): SQLite's LIKE folds
    # only ASCII letters.
    dbapi_connection.create_function("bantin_fold", 1, _fold_or_none, deterministic=True)


def _fold_or_none(value: str | None) -> str | None:
    return None if value is None else fold(value)


def register_pragmas() -> None:
    """Apply the settings above to every new SQLite connection (create_app calls this once
    per app; listening twice would run them twice, so a second call does nothing)."""
    if not event.contains(Engine, "connect", _sqlite_pragmas):
        event.listen(Engine, "connect", _sqlite_pragmas)


# What the database says when it refuses a write for a passing reason, by kind: the site
# keeps serving readers, and the write answers 503 (bantin.errors) or is skipped (a page
# view). SQLite's messages first, then PostgreSQL's (a standby or
# default_transaction_read_only, a full disk, a lock or statement timeout, a deadlock).
_WRITE_REFUSALS = (
    ("read-only", ("readonly", "read-only")),  # a read-only file, mount or mode=ro
    ("full", ("disk is full", "database or disk is full", "no space left on device")),
    (
        "locked",
        (
            "database is locked",
            "lock timeout",
            "deadlock detected",
            "could not obtain lock",
            "could not serialize access",
        ),
    ),
)


def write_refusal(error: BaseException) -> str | None:
    """Why the database refused a write: "read-only", "full" or "locked"; None for other
    errors."""
    orig = getattr(error, "orig", error)
    message = str(orig).lower() if orig is not None else ""
    for kind, markers in _WRITE_REFUSALS:
        if any(marker in message for marker in markers):
            return kind
    return None


# SQLite has one writer at a time (PostgreSQL needs no such queue: write_lock() lets
# every writer through). Threads of one worker that collide on its lock fall into
# SQLite's busy handler, which sleeps 1, 2, 5, 10… ms; queueing them on a Python lock
# instead wakes the next one the moment the previous commit ends.
WRITE_LOCK = threading.Lock()


def holds_write_lock(session: "Session") -> bool:
    """True when the session has written and not committed: on SQLite it then holds the
    database's one write lock (pysqlite begins a transaction only before a write)."""
    if not session.in_transaction():
        return False
    raw = session.connection().connection.dbapi_connection
    return isinstance(raw, sqlite3.Connection) and raw.in_transaction


@contextlib.contextmanager
def write_lock() -> Iterator[None]:
    """Queue for this worker's write turn; the caller writes and commits inside.

    One lock order everywhere: WRITE_LOCK first, then SQLite's write lock. A thread that
    already holds SQLite's lock must not wait here: it would wait for the thread holding
    WRITE_LOCK, which waits in SQLite's busy handler for the lock the first one holds, and
    both stall for the busy timeout. Reaching this with an uncommitted write is a bug (a GET
    never writes): in tests it fails loudly; in production the write is committed first
    rather than stall readers.
    """
    from bantin.extensions import db

    if db.engine.dialect.name != "sqlite":
        # PostgreSQL locks rows, not the database: writers need no queue of their own.
        yield
        return
    if holds_write_lock(db.session()):
        if current_app.testing:
            raise AssertionError("an uncommitted write was held while queueing to write")
        current_app.logger.error("uncommitted write held while queueing to write: committed")
        db.session.commit()
    with WRITE_LOCK:
        yield
