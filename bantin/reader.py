"""How a reader page is put together: the page cache, its per-request holes, the article page.

``render_page`` renders a reader page through the page cache (bantin.cache) with holes for
what differs per request: flashed messages and visit counters (``HOLES``), and the caller's
own (the article's view count, the blank comment form's tokens). ``article_page`` is the
whole article request after the view has found the article: count the view, render the
cached page with the comment form, mark the visit.
"""

import threading
import time
from collections.abc import Callable
from dataclasses import fields
from functools import cached_property
from types import SimpleNamespace

from flask import (
    Response,
    current_app,
    g,
    get_template_attribute,
    render_template,
    request,
    session,
)
from flask_babel import get_locale

from bantin import cache, counters, queries
from bantin.comment_form import CommentForm
from bantin.comments import comments_open
from bantin.formatting import number
from bantin.models import Article
from bantin.sidebar import site_layout
from bantin.web import shared_cache

# The counters change with every visit; showing them up to this many seconds late saves a
# query per page. The stored figures themselves are always exact.
VISITS_MAX_AGE = 30.0

VIEWS_HOLE = cache.Hole("views")


def render_page(
    template: str,
    fills: dict | None = None,
    key_extra=None,
    lazy_context: Callable[[], dict] | None = None,
    **context,
) -> str:
    """Render a reader page through the page cache, with holes for per-request parts.

    The HTML is cached per content version, address and language (and `key_extra`); the
    per-request parts (``HOLES``) and the caller's `fills` are filled in per request.
    `lazy_context` adds what only a render needs (built on a cache miss). A POST's page (a
    rejected comment) is rendered, never cached.
    """
    fills = part_fills() | (fills or {})

    def build() -> str:
        extra = lazy_context() if lazy_context else {}
        return render_template(template, **{**context, "parts": HOLES, **extra})

    if request.method != "GET":
        return cache.fill_holes(build(), fills)
    key = ("html", template, request.host_url, request.full_path, str(get_locale()), key_extra)
    return cache.fill_holes(cache.cached(key, build), fills)


def article_page(
    art: Article, form: CommentForm | None = None, status: int = 200, count_view: bool = True
) -> Response:
    """The article page; a rejected comment re-renders it (400) with its form, uncounted.

    A plain view's blank comment form is part of the cached page, its per-reader tokens
    (CSRF, captcha, form time) holes filled per request.
    """
    if count_view and counters.countable(request):
        figures = counters.record_article_view(art.id, counters.is_new_visit(request))
        g.hit_recorded = True
    else:
        figures = counters.article_counts(art.id)
    is_open = comments_open(art, site_layout().settings)
    fills = {VIEWS_HOLE: number(figures.views)}
    lazy_context = None
    g.shared_view = f"article {art.id}"
    if is_open and form is None:
        # A page nginx may share carries no per-reader token: its script fetches them.
        fills |= CommentForm.token_fills(art, per_reader=not shared_cache.offered())
        lazy_context = lambda: {"comment_form": CommentForm.blank(art)}  # noqa: E731
    html = render_page(
        "public/article.html",
        fills=fills,
        # An auto-approved comment changes no content version; comments close with time.
        key_extra=(figures.comments, is_open),
        lazy_context=lazy_context,
        article=art,
        views=VIEWS_HOLE,
        same_category=queries.same_category_cards(art),
        comments=queries.approved_comment_list(art.id, figures.comments),
        comment_form=form if is_open else None,
        comments_closed=not is_open,
    )
    response = current_app.make_response((html, status))
    if g.get("hit_recorded"):
        counters.mark_visit(response)
    return response


# ------------------------------------------------------------------ per-request parts
# Templates read them as `parts.flashes`, `parts.comment_notices` and `parts.visits.today`
# (…month, year, total): live values by default (bantin.web.jinja's context processor), holes in
# a cached page, filled from the same live values (`part_fills`).


class LiveParts:
    """This request's parts, each computed when first read (HTML, ready to insert)."""

    @cached_property
    def flashes(self) -> str:
        return self._flashed("page_messages")

    @cached_property
    def comment_notices(self) -> str:
        return self._flashed("comment_notices")

    @cached_property
    def visits(self) -> counters.VisitTotals:
        totals = _visit_totals()
        return counters.VisitTotals(
            today=number(totals.today),
            month=number(totals.month),
            year=number(totals.year),
            total=number(totals.total),
        )

    @cached_property
    def _any_flashed(self) -> bool:
        # Read before either macro runs: the first one takes the messages out of the session.
        return "_flashes" in session

    def _flashed(self, macro: str) -> str:
        if not self._any_flashed:  # most requests: nothing to render
            return ""
        return str(get_template_attribute("_macros/flashes.html", macro)())


VISIT_FIELDS = fields(counters.VisitTotals)
HOLES = SimpleNamespace(
    flashes=cache.Hole("flashes"),
    comment_notices=cache.Hole("comment-notices"),
    visits=counters.VisitTotals(
        today=cache.Hole("visits-today"),
        month=cache.Hole("visits-month"),
        year=cache.Hole("visits-year"),
        total=cache.Hole("visits-total"),
    ),
)


def part_fills() -> dict[cache.Hole, str]:
    """The values of HOLES for this request."""
    live = LiveParts()
    return {
        HOLES.flashes: live.flashes,
        HOLES.comment_notices: live.comment_notices,
        **{getattr(HOLES.visits, f.name): getattr(live.visits, f.name) for f in VISIT_FIELDS},
    }


_visits_lock = threading.Lock()


def _visit_totals() -> counters.VisitTotals:
    store = current_app.extensions.setdefault("bantin_visit_totals", {})
    today = counters.local_today()
    with _visits_lock:
        entry = store.get("value")
        if entry and entry[1] == today and time.monotonic() - entry[2] < VISITS_MAX_AGE:
            return entry[0]
    totals = counters.visit_totals()
    with _visits_lock:
        store["value"] = (totals, today, time.monotonic())
    return totals
