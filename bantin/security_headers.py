"""Security headers on every response, Secure cookies under HTTPS, read-only mode.

The headers are added in an ``after_request`` hook, which Flask runs for views, error
pages (404, 405, 500, 503), redirects and the static files alike. The ``Secure`` cookie
flag is added by a small WSGI middleware because Flask writes the session cookie only
after the ``after_request`` hooks have run.
"""

import re
import time
from collections.abc import Callable, Iterable
from urllib.parse import unquote_to_bytes

import sqlalchemy as sa
from flask import Flask, abort, current_app, render_template, request
from sqlalchemy.exc import OperationalError

from bantin.database import write_refusal
from bantin.extensions import db

# No 'unsafe-inline' anywhere: templates carry no <script> blocks, no on* handlers and no
# style="" attributes. Uploaded images are same-origin; data: covers small inline icons.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
EDITOR_CSP = CSP.replace("img-src 'self' data:;", "img-src 'self' data: blob:;")
# Uploaded files are never documents: no scripts, no plugins, a unique origin.
UPLOADS_CSP = "sandbox; default-src 'none'"
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)
HSTS = "max-age=31536000; includeSubDomains"

BASE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # Not no-referrer: Flask-WTF checks the Referer of HTTPS form posts.
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
}

# Requests that never change data, and the one POST that must work in read-only mode.
_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_READONLY_EXEMPT_ENDPOINTS = frozenset({"auth.logout"})
_FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


def add_security_headers(response):
    """Set the headers a view did not set itself (uploads keep their sandbox CSP)."""
    headers = response.headers
    for name, value in BASE_HEADERS.items():
        headers.setdefault(name, value)
    # The editor previews an image while it uploads from a local blob: address.
    headers.setdefault(
        "Content-Security-Policy", EDITOR_CSP if request.blueprint == "editor" else CSP
    )
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", HSTS)
    # The application never advertises its software or version.
    headers.pop("X-Powered-By", None)
    return response


def _with_secure(cookie: str) -> str:
    attributes = {part.strip().split("=", 1)[0].lower() for part in cookie.split(";")[1:]}
    return cookie if "secure" in attributes else f"{cookie}; Secure"


class SecureCookies:
    """Mark every cookie Secure when the request came over HTTPS (after ProxyFix).

    Then HTTPS deployments are safe even when SESSION_COOKIE_SECURE was forgotten;
    the deploy check still recommends setting it.
    """

    def __init__(self, wsgi_app: Callable) -> None:
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("wsgi.url_scheme") != "https":
            return self.wsgi_app(environ, start_response)

        def secure_start_response(status, headers, exc_info=None):
            headers = [
                (name, _with_secure(value)) if name.lower() == "set-cookie" else (name, value)
                for name, value in headers
            ]
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, secure_start_response)


def database_writable() -> bool:
    """True unless SQLite refuses writes (read-only file, read-only mount, ``mode=ro``).

    A write statement that touches no row still opens a write transaction, which is
    where SQLite checks that the database can be written; the rollback undoes nothing.
    A locked database is not read-only: the real write will wait or answer 503.
    """
    try:
        db.session.execute(sa.text("DELETE FROM site_settings WHERE 0"))
    except OperationalError as exc:
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
    if request.method in _SAFE_METHODS and request.blueprint != "editor":
        return None
    if request.endpoint is None:  # 404/405: let routing answer
        return None
    if _recently_writable() or database_writable():
        current_app.extensions["bantin_writable_at"] = time.monotonic()
        return None
    return render_template("errors/readonly.html"), 503, {"Retry-After": "3600"}


# Views that validate their own form fields answer a NUL byte with a message next to the
# field and keep what the reader typed, instead of a bare 400 page. Query strings get no
# such exception: nothing a reader types into a link or a search box needs a control code.
SELF_VALIDATING = frozenset({"public.comment_post"})

# Control characters refused in paths and query strings: C0 but TAB (a tab pasted from a
# spreadsheet into the search box is only whitespace), DEL and C1. docs/security.md
# promises 400 for them; before, /search?q=%00 answered 200.
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def _valid_text(raw: bytes) -> bool:
    """Valid UTF-8 without control characters (paths and decoded query strings)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return _CONTROL.search(text) is None


def reject_malformed_input():
    """Invalid UTF-8 or a control character in the path or the query string, or invalid
    UTF-8 or NUL in a form field: 400, never 500.

    WSGI hands over the path and query as latin-1 text of the raw bytes, so the bytes can
    be checked exactly; Werkzeug decodes form fields with U+FFFD for invalid bytes. Form
    fields may carry newlines and tabs (text areas), so only NUL is refused there.
    """
    environ = request.environ
    path = environ.get("PATH_INFO", "").encode("latin-1", "replace")
    query = unquote_to_bytes(environ.get("QUERY_STRING", "").encode("latin-1", "replace"))
    if not _valid_text(path) or not _valid_text(query):
        abort(400)
    if request.method in _SAFE_METHODS or request.mimetype not in _FORM_TYPES:
        return None
    self_validating = request.endpoint in SELF_VALIDATING
    for key, values in request.form.lists():
        for text in (key, *values):
            if "\ufffd" in text or ("\x00" in text and not self_validating):
                abort(400)
    for storage in request.files.values():
        if storage.filename and ("\x00" in storage.filename or "\ufffd" in storage.filename):
            abort(400)
    return None


def register(app: Flask) -> None:
    """Call before ProxyFix is applied, so the middleware sees the forwarded scheme."""
    app.wsgi_app = SecureCookies(app.wsgi_app)  # type: ignore[method-assign]
    app.before_request(reject_malformed_input)
    app.before_request(refuse_writes_when_read_only)
    app.after_request(add_security_headers)
