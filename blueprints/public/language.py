"""The reader's language choice (vi/en), kept in a cookie the locale selector reads."""

from urllib.parse import urlsplit

from flask import abort, current_app, redirect, request, url_for

from bantin.text import has_control_chars
from blueprints.public.blueprint import bp

LANG_COOKIE = "lang"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600


def local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None (no scheme, host, // or backslash)."""
    if not target or len(target) > 2000:
        return None
    # Browsers drop tabs/newlines and read "\" as "/", turning "/\t/x" or "/\x" into "//x".
    if has_control_chars(target) or any(ch.isspace() for ch in target) or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.get("/lang/<code>")
def set_language(code: str):
    """Remember the chosen language and go back to the page the reader was on."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    response = redirect(local_path(request.args.get("next")) or url_for("public.home"))
    response.set_cookie(
        LANG_COOKIE,
        code,
        max_age=LANG_COOKIE_MAX_AGE,
        path="/",
        samesite="Lax",
        httponly=True,
        secure=request.is_secure,
    )
    response.headers["Cache-Control"] = "no-store"
    return response
