"""Pagination, the same on every listing: the ?page= argument and the page it asks for."""

from dataclasses import dataclass

import sqlalchemy as sa
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


@dataclass(frozen=True)
class Page:
    """One page of a listing of `total` items, numbered from 1 (hashable: a cache key)."""

    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages the listing has (one, even when it is empty)."""
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page

    def rows(self, stmt: sa.Select) -> sa.Select:
        """The statement limited to this page's rows."""
        return stmt.offset(self.offset).limit(self.per_page)


def paginate(total: int, per_page: int, number: int, *, clamp: bool = False) -> Page:
    """Page `number` of `total` items; past the last page a 404, or with `clamp` the last
    page (where a moderator lands when the page they acted on emptied)."""
    page = Page(number, per_page, total)
    if number > page.pages:
        if not clamp:
            abort(404)
        page = Page(page.pages, per_page, total)
    return page
