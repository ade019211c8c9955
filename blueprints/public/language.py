"""The reader's language choice (vi/en), kept in a cookie the locale selector reads."""

from flask import abort, current_app, redirect, request, url_for

from bantin.text import safe_local_path
from blueprints.public.blueprint import bp

LANG_COOKIE = "lang"
LANG_COOKIE_MAX_AGE = 365 * 24 * 3600


@bp.get("/lang/<code>")
def set_language(code: str):
    """Remember the chosen language and go back to the page the reader was on."""
    if code not in current_app.config["LANGUAGES"]:
        abort(404)
    response = redirect(safe_local_path(request.args.get("next")) or url_for("public.home"))
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
