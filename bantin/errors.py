"""Error pages in the site layout; a failed request never leaves a half-done transaction."""

import errno

from flask import Flask, render_template
from sqlalchemy.exc import InternalError, OperationalError
from werkzeug.exceptions import HTTPException

from bantin.database import write_refusal
from bantin.extensions import db

# Errors writing a file (an upload) for a passing reason: a read-only folder or mount, lost
# permissions, a full disk or quota. The site keeps serving; the write answers 503.
_STORAGE_ERRNOS = frozenset({errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC, errno.EDQUOT})


def _render_error(error: HTTPException | None, code: int):
    """The page in the site layout; if the layout itself fails (database down), a bare page."""
    try:
        return render_template("errors/error.html", error=error), code
    except Exception:
        db.session.rollback()
        return render_template("errors/minimal_error.html", code=code), code


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.code >= 500:
            db.session.rollback()
        return _render_error(error, error.code)

    # psycopg reports a read-only transaction (a PostgreSQL standby) as an InternalError.
    @app.errorhandler(InternalError)
    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError | InternalError):
        db.session.rollback()
        if write_refusal(error):  # locked, full or read-only: readers get a 503
            app.logger.warning("database unavailable: %s", error.orig)
            return render_template("errors/unavailable.html"), 503
        app.logger.exception("database error")
        if app.testing and not app.config.get("RENDER_500_IN_TESTS"):
            raise error
        return _render_error(None, 500)

    @app.errorhandler(OSError)
    def storage_unavailable(error: OSError):
        if error.errno not in _STORAGE_ERRNOS:
            return internal_error(error)
        db.session.rollback()
        app.logger.warning("storage unavailable: %s", error)
        return render_template("errors/unavailable.html"), 503, {"Retry-After": "600"}

    @app.errorhandler(Exception)
    def internal_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        db.session.rollback()
        if app.testing and not app.config.get("RENDER_500_IN_TESTS"):
            raise error  # tests see the traceback, not a friendly page
        app.logger.exception("unhandled error")
        return _render_error(None, 500)
