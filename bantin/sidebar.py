"""Data every reader page shows: settings, menu, latest news, web links, visit counters."""

import threading
import time
from dataclasses import dataclass
from types import SimpleNamespace

import sqlalchemy as sa
from flask import current_app, g

from bantin import cache, counters, queries
from bantin.extensions import db
from bantin.models import SiteSettings, WebLink

# The counters change with every visit; showing them up to this many seconds late saves a
# query per page. The stored figures themselves are always exact.
VISITS_MAX_AGE = 30.0


@dataclass
class Layout:
    settings: SimpleNamespace
    menu: list[SimpleNamespace]
    latest: list[SimpleNamespace]
    links: list[SimpleNamespace]
    visits: counters.VisitTotals


VISIT_HOLES = counters.VisitTotals(
    today=cache.Hole("visits-today"),
    month=cache.Hole("visits-month"),
    year=cache.Hole("visits-year"),
    total=cache.Hole("visits-total"),
)


def site_layout() -> Layout:
    """The layout data, loaded once per request (templates call site_layout())."""
    if "site_layout" not in g:
        content = cache.cached("layout", _layout_content)
        g.site_layout = Layout(**content, visits=_visit_totals())
    return g.site_layout


def use_visit_holes() -> None:
    """Render the counters as holes, for a page that is cached and filled per request."""
    g.site_layout = Layout(**cache.cached("layout", _layout_content), visits=VISIT_HOLES)


def visit_fills() -> dict[cache.Hole, str]:
    from bantin.jinja import number

    totals = _visit_totals()
    return {
        VISIT_HOLES.today: number(totals.today),
        VISIT_HOLES.month: number(totals.month),
        VISIT_HOLES.year: number(totals.year),
        VISIT_HOLES.total: number(totals.total),
    }


def _layout_content() -> dict:
    links = db.session.scalars(
        sa.select(WebLink).where(WebLink.visible.is_(True)).order_by(WebLink.position, WebLink.id)
    ).all()
    return {
        "settings": cache.settings_snapshot(SiteSettings.get()),
        "menu": [cache.snapshot(c, ("id", "name", "slug")) for c in queries.categories()],
        "latest": [cache.snapshot(a, ("id", "slug", "title")) for a in queries.latest(10)],
        "links": [cache.snapshot(link, ("title", "url")) for link in links],
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
