"""Data every reader page shows: menu, latest news, web links, counters, settings."""

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import g

from bantin import counters, queries
from bantin.extensions import db
from bantin.models import SiteSettings, WebLink


@dataclass
class Layout:
    settings: SiteSettings
    menu: Any
    latest: Any
    links: Any
    visits: counters.VisitTotals


def site_layout() -> Layout:
    """The layout data, loaded once per request (templates call site_layout())."""
    if "site_layout" not in g:
        g.site_layout = layout_data()
    return g.site_layout


def layout_data() -> Layout:
    links = db.session.scalars(
        sa.select(WebLink).where(WebLink.visible.is_(True)).order_by(WebLink.position, WebLink.id)
    ).all()
    return Layout(
        settings=SiteSettings.get(),
        menu=queries.categories(),
        latest=queries.latest(10),
        links=links,
        visits=counters.visit_totals(),
    )
