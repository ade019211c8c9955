"""Diacritic-insensitive search for readers: GET /search?q=&kind=&page=
(kind: article, document or page; every kind without it)."""

from flask import abort, request
from flask_babel import gettext as _

from bantin import search as searching
from bantin.reader import render_page
from bantin.web.paging import page_arg
from blueprints.public.blueprint import bp

PER_PAGE = 20


def _problem_message(problem: str | None) -> str | None:
    if problem == "too_long":
        return _("Từ khóa quá dài: hãy nhập tối đa %(n)s ký tự.", n=searching.MAX_QUERY_LENGTH)
    if problem == "no_words":
        return _("Hãy nhập ít nhất một từ có chữ cái hoặc chữ số.")
    return None


@bp.get("/search")
def search():
    """Search visible articles; a query without words gets a polite message.

    Invalid UTF-8 and control characters never reach this view: the site-wide input guard
    (bantin.web.input_guard) answers them 400, as docs/security.md promises.
    """
    query = searching.parse_query(request.args.get("q", ""))
    page = page_arg()
    kind = request.args.get("kind", "")
    if kind not in searching.KINDS:  # an unknown kind is ignored: every kind
        kind = ""
    results = None
    if query.ok:
        results = searching.cached_search(query, page, PER_PAGE, kind)
        if page > results.pages:
            abort(404)
    # Cached like the other reader pages (per content version, address and language).
    return render_page(
        "public/search.html",
        q=query.text[: searching.MAX_QUERY_LENGTH],
        query=query,
        problem=_problem_message(query.problem),
        results=results,
        kind=kind,
    )
