"""Data every reader page shows: settings, menu, latest news, web links and the week's most
read (the home page's sidebar). The parts that differ per request are bantin.reader's."""

from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from types import SimpleNamespace

import sqlalchemy as sa
from flask import g

from bantin import cache, menu, queries
from bantin.clock import local_today
from bantin.extensions import db
from bantin.models import SiteSettings, WebLink

# The sidebar's "Tin mới nhất" shows this many, never the article the page itself shows
# (one more is loaded so that leaving it out still leaves this many).
LATEST_SHOWN = 10
# "Đọc nhiều trong tuần": views summed over this many local days, today included.
MOST_READ_DAYS = 7
MOST_READ_SHOWN = 5


@dataclass
class Layout:
    settings: SimpleNamespace
    # The header menu the office built (bantin.menu.header_items), empty when none was:
    # the header then lists the categories (today's behaviour).
    menu: list[SimpleNamespace]
    categories: list[SimpleNamespace]
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
        "menu": menu.header_items(),
        "categories": [cache.snapshot(c, ("id", "name", "slug")) for c in queries.categories()],
        "latest": [
            cache.snapshot(a, ("id", "slug", "title")) for a in queries.latest(LATEST_SHOWN + 1)
        ],
        "links": [cache.snapshot(link, ("title", "url")) for link in links],
    }
