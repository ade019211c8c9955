"""Security headers on every response, Secure cookies under HTTPS.

The headers are added in an ``after_request`` hook, which Flask runs for views, error
pages (404, 405, 500, 503), redirects and the static files alike. The ``Secure`` cookie
flag is added by a small WSGI middleware because Flask writes the session cookie only
after the ``after_request`` hooks have run.
"""

from collections.abc import Callable, Iterable
from functools import lru_cache
from urllib.parse import urlsplit

from flask import Flask, request
from sqlalchemy.exc import SQLAlchemyError

from bantin.sidebar import site_layout

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


def script_origin(url: str | None) -> str | None:
    """The origin of an external script's https URL (the analytics setting), else None.

    Only a plain https URL of a file qualifies: no credentials, no query-less tricks such as
    a bare origin, and nothing the CSP source grammar would read as more than one source.
    """
    if not url:
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname or ""
    if (
        parts.scheme != "https"
        or not host
        or parts.username is not None
        or parts.password is not None
        or parts.path in ("", "/")
        or any(c.isspace() or c in ";,'\"" for c in url)
    ):
        return None
    return f"https://{host}" + (f":{port}" if port else "")


@lru_cache(maxsize=8)
def reader_csp(origin: str | None) -> str:
    """The reader pages' CSP: the analytics script's origin may load scripts, and its
    beacons (images, fetch) may go there; nothing else changes."""
    if origin is None:
        return CSP
    return (
        CSP.replace("script-src 'self';", f"script-src 'self' {origin};")
        .replace("img-src 'self' data:;", f"img-src 'self' data: {origin};")
        .replace("object-src", f"connect-src 'self' {origin}; object-src")
    )


def _page_csp(response) -> str:
    if request.blueprint == "editor":
        # The editor previews an image while it uploads from a local blob: address.
        return EDITOR_CSP
    # Only a reader's HTML page can load the analytics script. Anything else (the health
    # check, feeds, sitemaps, JSON) keeps the strict policy without reading the settings:
    # /healthz then costs one query, not two (issue 16).
    if request.blueprint == "public" and response.mimetype == "text/html":
        try:  # the settings are cached for the request (site_layout)
            return reader_csp(script_origin(site_layout().settings.analytics_script_url))
        except SQLAlchemyError:  # a "database unavailable" page keeps the strict policy
            return CSP
    return CSP


def add_security_headers(response):
    """Set the headers a view did not set itself (uploads keep their sandbox CSP)."""
    headers = response.headers
    # One pass over the few headers the response has: Headers.setdefault and `in` look a
    # name up by raising and catching KeyError, a dozen times per request (issue 16).
    present = {name.lower() for name, _value in headers.items()}
    for name, value in BASE_HEADERS.items():
        if name.lower() not in present:
            headers.add(name, value)
    if "content-security-policy" not in present:
        headers.add("Content-Security-Policy", _page_csp(response))
    if "strict-transport-security" not in present and request.is_secure:
        headers.add("Strict-Transport-Security", HSTS)
    # The application never advertises its software or version.
    if "x-powered-by" in present:
        del headers["X-Powered-By"]
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


def register(app: Flask) -> None:
    """Call before ProxyFix is applied, so the middleware sees the forwarded scheme."""
    app.wsgi_app = SecureCookies(app.wsgi_app)  # type: ignore[method-assign]
    app.after_request(add_security_headers)
