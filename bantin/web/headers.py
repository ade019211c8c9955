"""Security headers on every response, Secure cookies under HTTPS.

The headers are added in an ``after_request`` hook, which Flask runs for views, error
pages (404, 405, 500, 503), redirects and the static files alike. The ``Secure`` cookie
flag is added by a small WSGI middleware because Flask writes the session cookie only
after the ``after_request`` hooks have run.
"""

from collections.abc import Callable, Iterable

from flask import Flask, request

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


def register(app: Flask) -> None:
    """Call before ProxyFix is applied, so the middleware sees the forwarded scheme."""
    app.wsgi_app = SecureCookies(app.wsgi_app)  # type: ignore[method-assign]
    app.after_request(add_security_headers)
