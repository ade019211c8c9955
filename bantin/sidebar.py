"""Data every reader page shows: settings, menu, latest news, web links, the week's most
read (the home page's sidebar), and the parts that differ per request (flashed messages,
visit counters)."""

import threading
import time
from dataclasses import dataclass, fields
from datetime import timedelta
from functools import cached_property
from types import SimpleNamespace

import sqlalchemy as sa
from flask import current_app, g, get_template_attribute, session

from bantin import cache, counters, queries
from bantin.clock import local_today
from bantin.extensions import db
from bantin.formatting import number
from bantin.models import SiteSettings, WebLink

# The sidebar's "Tin mới nhất" shows this many, never the article the page itself shows
# (one more is loaded so that leaving it out still leaves this many).
LATEST_SHOWN = 10
# "Đọc nhiều trong tuần": views summed over this many local days, today included.
MOST_READ_DAYS = 7
MOST_READ_SHOWN = 5

# The counters change with every visit; showing them up to this many seconds late saves a
# query per page. The stored figures themselves are always exact.
VISITS_MAX_AGE = 30.0


@dataclass
class Layout:
    settings: SimpleNamespace
    menu: list[SimpleNamespace]
    latest: list[SimpleNamespace]
    links: list[SimpleNamespace]

    def latest_except(self, article_id: int | None = None) -> list[SimpleNamespace]:
        """The newest articles, without the one the page shows."""
        return [a for a in self.latest if a.id != article_id][:LATEST_SHOWN]

    @cached_property
    def most_read(self) -> list[SimpleNamespace]:
        """The week's most read articles (each with its `views` over the week)."""
        return most_read_week()


def most_read_week() -> list[SimpleNamespace]:
    """Cached per content version and local day like the other sidebar parts; a read only.

    Views count without changing the content version, so the list may lag the counters by
    up to the cache's maximum age (bantin.cache.MAX_AGE); the day is part of the key, so
    the window moves at local midnight.
    """
    today = local_today()

    def build() -> list[SimpleNamespace]:
        since = today - timedelta(days=MOST_READ_DAYS - 1)
        result = []
        for article, views in queries.most_read(since, MOST_READ_SHOWN):
            snap = cache.snapshot(article, ("id", "slug", "title", "published_at"))
            snap.views = views
            result.append(snap)
        return result

    return cache.cached(("most_read", today), build)


def site_layout() -> Layout:
    """The layout data, loaded once per request (templates call site_layout())."""
    if "site_layout" not in g:
        g.site_layout = Layout(**cache.cached("layout", _layout_content))
    return g.site_layout


def _layout_content() -> dict:
    links = db.session.scalars(
        sa.select(WebLink).where(WebLink.visible.is_(True)).order_by(WebLink.position, WebLink.id)
    ).all()
    return {
        "settings": cache.settings_snapshot(SiteSettings.get()),
        "menu": [cache.snapshot(c, ("id", "name", "slug")) for c in queries.categories()],
        "latest": [
            cache.snapshot(a, ("id", "slug", "title")) for a in queries.latest(LATEST_SHOWN + 1)
        ],
        "links": [cache.snapshot(link, ("title", "url")) for link in links],
    }


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
