"""Reader pages that nginx's microcache may share between anonymous readers (issue 16).

The shipped nginx site caches reader pages for a few seconds and tells the app so with the
``X-Bantin-Shared-Cache: <seconds>`` request header. The app alone decides what may be
shared: a GET from a browser with no session and no remember cookie, answered 200 with HTML
that left the session empty and sets just the visit cookie (the same for everyone, and
nginx replays it, so the visit window still slides). Such a response gets
``X-Accel-Expires`` (nginx's own header: it caches only what carries it, and never passes
it on) and ``X-Bantin-View`` naming what to count. A page served from the cache never
reaches the app, so nginx logs it to the views log with that header, and
``flask count-views`` adds it to the same counters (bantin.view_log). The app keeps counting
every page it serves itself, so each view is counted once, by one of the two.

Without nginx the header never arrives and nothing changes. A client that sends the header
itself gains nothing: it gets a page without the comment form's tokens (fetched by the
page's script, as under the cache), and the app still counts the view it served.
"""

from flask import Response, current_app, request, session

from bantin.counters import VISIT_COOKIE

REQUEST_HEADER = "X-Bantin-Shared-Cache"
VIEW_HEADER = "X-Bantin-View"
# Longer than a minute would make edits and new comments wait too long to show.
MAX_SECONDS = 60


def _requested_seconds() -> int | None:
    raw = request.headers.get(REQUEST_HEADER, "")
    if not raw.isascii() or not raw.isdigit():
        return None
    return min(int(raw), MAX_SECONDS) or None


def _has_personal_cookie() -> bool:
    config = current_app.config
    return (
        config["SESSION_COOKIE_NAME"] in request.cookies
        or config.get("REMEMBER_COOKIE_NAME", "remember_token") in request.cookies
    )


def offered() -> bool:
    """nginx would share this request's page: render it without per-reader tokens."""
    return (
        request.method == "GET" and _requested_seconds() is not None and not _has_personal_cookie()
    )


def _sets_just_the_visit_cookie(response: Response) -> bool:
    """Exactly the visit cookie: a copy made for a bot (or a HEAD), which sets none, would
    otherwise stop the visit window of the readers it is replayed to from sliding."""
    cookies = response.headers.getlist("Set-Cookie")
    return len(cookies) == 1 and cookies[0].startswith(f"{VISIT_COOKIE}=")


def mark(response: Response, view: str) -> None:
    """Let nginx share this response when it is the same for every anonymous reader.

    `view` is what a cached copy counts: ``page`` or ``article <id>``.
    """
    if not (
        offered()
        and response.status_code == 200
        and response.mimetype == "text/html"
        # Flask writes the session cookie after this hook: an empty, untouched session
        # writes none (and the page cannot have depended on one).
        and not session
        and not session.modified
        and _sets_just_the_visit_cookie(response)
    ):
        return
    response.headers["X-Accel-Expires"] = str(_requested_seconds())
    response.headers[VIEW_HEADER] = view
