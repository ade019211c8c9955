"""The ?page= argument, read the same way on every listing."""

from flask import abort, request

MAX_PAGE = 1_000_000


def page_arg(max_page: int = MAX_PAGE) -> int:
    """Missing, empty or 0 means the first page; anything else not a sane number is a 404.

    Checked as text before int(): "1e9", "-1", "１" (full-width) and 20-digit numbers never
    reach SQLite's integer range or an OFFSET.
    """
    raw = request.args.get("page", "")
    if raw in ("", "0"):
        return 1
    if not raw.isascii() or not raw.isdigit() or len(raw) > 7:
        abort(404)
    page = int(raw)
    if page > max_page:
        abort(404)
    return page
