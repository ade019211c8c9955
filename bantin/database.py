"""SQLite connection settings applied to every new connection."""

import contextlib
import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine

from bantin.text import fold


@event.listens_for(Engine, "connect")
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
