"""Read-only mode: editor pages and data-changing requests answer a clear 503 when SQLite
cannot write (read-only file, read-only mount, ``mode=ro``) or PostgreSQL refuses writes (a
standby, ``default_transaction_read_only``); readers are still served."""

import time

import sqlalchemy as sa
from flask import Flask, current_app, render_template, request
from sqlalchemy.exc import InternalError, OperationalError

from bantin.database import write_refusal
from bantin.extensions import db
from bantin.web import SAFE_METHODS

# The one POST that must work in read-only mode.
_READONLY_EXEMPT_ENDPOINTS = frozenset({"auth.logout"})


def database_writable() -> bool:
    """True unless the database refuses writes (SQLite: read-only file, read-only mount,
    ``mode=ro``; PostgreSQL: a read-only transaction, which psycopg reports as an
    InternalError).

    A write statement that touches no row still opens a write transaction, which is
    where SQLite checks that the database can be written; the rollback undoes nothing.
    A locked database is not read-only: the real write will wait or answer 503.
    """
    try:
        db.session.execute(sa.text("DELETE FROM site_settings WHERE false"))
    except (OperationalError, InternalError) as exc:
        db.session.rollback()
        if write_refusal(exc) == "read-only":
            return False
        raise
    db.session.rollback()
    return True


# The probe takes SQLite's write lock; one "writable" answer per worker stands for this long.
# (A database turned read-only within that second still answers 503 from the failed write.)
WRITABLE_FOR = 1.0


def _recently_writable() -> bool:
    seen = current_app.extensions.get("bantin_writable_at")
    return seen is not None and time.monotonic() - seen < WRITABLE_FOR


def refuse_writes_when_read_only():
    """Editor pages and every data-changing request: a clear 503 when editing is impossible."""
    if request.endpoint in _READONLY_EXEMPT_ENDPOINTS or request.endpoint == "static":
        return None
    if request.method in SAFE_METHODS and request.blueprint != "editor":
        return None
    if request.endpoint is None:  # 404/405: let routing answer
        return None
    if _recently_writable() or database_writable():
        current_app.extensions["bantin_writable_at"] = time.monotonic()
        return None
    return render_template("errors/readonly.html"), 503, {"Retry-After": "3600"}


def register(app: Flask) -> None:
    app.before_request(refuse_writes_when_read_only)
