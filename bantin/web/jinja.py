"""The Jinja environment: the formatting filters, the layout global and per-request parts."""

from flask import Flask, request
from flask_babel import get_locale

from bantin.formatting import iso, local_date, local_datetime, number, paragraphs
from bantin.reader import LiveParts
from bantin.sidebar import site_layout


def register(app: Flask) -> None:
    app.jinja_env.filters.update(
        local_datetime=local_datetime,
        local_date=local_date,
        number=number,
        paragraphs=paragraphs,
        iso=iso,
    )
    app.jinja_env.globals["site_layout"] = site_layout
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _page_context() -> dict:
        # `parts`: a page's per-request parts (flashed messages, visit counters), computed
        # when the template reads them. A cached reader page passes holes instead
        # (bantin.reader.render_page), and an explicit value wins.
        return {
            "current_locale": str(get_locale()),
            "request_path": request.path,
            "parts": LiveParts(),
        }
