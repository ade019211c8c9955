"""Ranking: the SQL that finds, counts, orders and pages the visible matches.

Work per query does not grow with the size of the site: FTS5 walks the matches newest
first (rowid = article id) and stops after ``MAX_RESULTS``. The count stops there (more
shows as "1.000+"), and bm25 ranks that window of newest matches, exact-diacritic matches
first. Scheduled articles are indexed and held back here by comparing their publish time
with now, so scheduling needs no timer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from types import SimpleNamespace

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect
from sqlalchemy.orm import selectinload, undefer

from bantin import cache
from bantin.clock import utcnow
from bantin.extensions import db
from bantin.models import Article
from bantin.queries import LISTING_COLUMNS
from bantin.search.index import FOLDED_TABLE, TEXT_TABLE
from bantin.search.query import SearchQuery
from bantin.search.snippets import SNIPPET_SCAN_CHARS, highlight, snippet

# The newest matches that are counted, ranked and paged through (50 pages of 20).
MAX_RESULTS = 1000
# bm25 column weights: title, lead, body.
WEIGHTS = (10.0, 4.0, 1.0)


@dataclass
class Hit:
    article: Article
    title_html: Markup
    snippet_html: Markup


@dataclass
class Results:
    query: SearchQuery
    total: int  # exact up to MAX_RESULTS; with `capped`, "more than that"
    page: int
    per_page: int
    hits: list[Hit]
    capped: bool = False

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


# Published articles not yet due (scheduled) are indexed but not found before their time:
# one range of the (status, published_at) index, read once per statement (usually empty).
# The rule is the model's (Article.scheduled_clause), rendered once with :now left bound.
_NOT_HIDDEN = "rowid NOT IN ({})".format(
    sa.select(Article.id)
    .where(Article.scheduled_clause(sa.literal_column(":now")))
    .compile(dialect=sqlite_dialect(), compile_kwargs={"literal_binds": True})
)
_BM25 = ", ".join(str(w) for w in WEIGHTS)


def _window(table: str) -> str:
    """The newest MAX_RESULTS visible matches of :match in `table`, with their bm25 score.

    FTS5 walks its doclists newest first and stops at the limit; bm25 is computed for
    these rows only (plus one pass over each word's doclist for its document frequency).
    """
    return (
        f"SELECT rowid AS id, bm25({table}, {_BM25}) AS score FROM {table} "
        f"WHERE {table} MATCH :match AND {_NOT_HIDDEN} ORDER BY rowid DESC LIMIT :window"
    )


_STATEMENTS = {
    "count": "SELECT count(*) FROM (SELECT rowid FROM {table} "
    "WHERE {table} MATCH :match AND " + _NOT_HIDDEN + " LIMIT :cap)",
    "ranked": "SELECT id, score FROM ({window}) "
    "ORDER BY score, id DESC LIMIT :limit OFFSET :offset",
    # The folded window without the rows of the exact tier.
    "rest": "WITH win AS MATERIALIZED ({window}) SELECT id, score FROM win "
    f"WHERE id NOT IN (SELECT rowid FROM {TEXT_TABLE} WHERE {TEXT_TABLE} MATCH :exact "
    "AND rowid >= (SELECT min(id) FROM win)) ORDER BY score, id DESC LIMIT :limit OFFSET :offset",
}


@lru_cache(maxsize=8)
def _statement(kind: str, table: str) -> sa.TextClause:
    sql = _STATEMENTS[kind].format(table=table, window=_window(table))
    return sa.text(sql).bindparams(sa.bindparam("now", type_=sa.DateTime()))


def _run(kind: str, table: str, match: str, now: datetime, **params) -> sa.Result:
    params.update(match=match, now=now, window=MAX_RESULTS)
    return db.session.execute(_statement(kind, table), params)


def _count(table: str, match: str, now: datetime, cap: int) -> int:
    return _run("count", table, match, now, cap=cap).scalar_one()


def count(query: SearchQuery, now: datetime | None = None) -> int:
    """Visible matches, counted up to MAX_RESULTS + 1 (more than MAX_RESULTS: "1.000+")."""
    return _count(FOLDED_TABLE, query.folded_match(), now or utcnow(), MAX_RESULTS + 1)


def _ranked_ids(
    query: SearchQuery, now: datetime, offset: int, limit: int
) -> dict[int, tuple[int, float]]:
    """id -> (tier, score) for one page: the exact tier first, then the folded matches.

    Each tier is its newest MAX_RESULTS matches ranked by bm25; the folded window leaves
    out the exact matches (all of them are in the exact window: they are a subset of the
    folded matches, so no more of them are newer than the folded window's oldest row).
    """
    folded, typed = query.folded_match(), query.typed_match()
    if typed is None:
        rows = _run("ranked", FOLDED_TABLE, folded, now, offset=offset, limit=limit)
        return {i: (1, score) for i, score in rows}
    rows = _run("ranked", TEXT_TABLE, typed, now, offset=offset, limit=limit)
    page = {i: (0, score) for i, score in rows}
    if len(page) < limit:
        # The page reaches past the exact tier: go on with the other folded matches.
        in_tier = _count(TEXT_TABLE, typed, now, MAX_RESULTS)
        rest_offset, rest_limit = max(0, offset - in_tier), limit - len(page)
        rows = _run(
            "rest", FOLDED_TABLE, folded, now, exact=typed, offset=rest_offset, limit=rest_limit
        )
        page.update((i, (1, score)) for i, score in rows)
    return page


def search(
    query: SearchQuery, page: int = 1, per_page: int = 20, now: datetime | None = None
) -> Results:
    """One page of visible articles: exact-diacritic matches, then bm25, then newest.

    Beyond MAX_RESULTS matches the total is reported as capped, and the pages stop there.
    """
    if not query.ok:
        return Results(query, 0, page, per_page, [])
    now = now or utcnow()
    total = _count(FOLDED_TABLE, query.folded_match(), now, MAX_RESULTS + 1)
    capped = total > MAX_RESULTS
    total = min(total, MAX_RESULTS)
    offset = (page - 1) * per_page
    if total == 0 or offset >= total:
        return Results(query, total, page, per_page, [], capped)
    # The tiers' windows together can hold more than MAX_RESULTS rows: show `total`.
    ranked = _ranked_ids(query, now, offset, min(per_page, total - offset))
    # By primary key (a visibility condition in SQL would tempt SQLite into scanning the
    # status index); visibility is checked again here: the index only finds the rows.
    articles = db.session.scalars(
        sa.select(Article)
        .where(Article.id.in_(list(ranked)))
        .options(LISTING_COLUMNS, undefer(Article.status), selectinload(Article.category))
    ).all()
    # Ties on score go to the newer id in SQL and to the newer publish time here.
    articles = sorted(
        (a for a in articles if a.is_visible(now)),
        key=lambda a: (*ranked[a.id], -a.published_at.timestamp(), -a.id),
    )
    texts = _texts([a.id for a in articles])
    terms = frozenset(query.folded_terms)
    hits = []
    for article in articles:
        title, lead, body = texts.get(article.id, (article.title, article.lead or "", ""))
        hits.append(Hit(article, highlight(title, terms), snippet(f"{lead} {body}".strip(), terms)))
    return Results(query, total, page, per_page, hits, capped)


def cached_search(query: SearchQuery, page: int = 1, per_page: int = 20) -> Results:
    """search() through the reader page cache: kept until the content changes or the next
    scheduled article falls due (bantin.cache); the hits hold plain snapshots."""
    key = ("search", tuple(query.terms), page, per_page)
    return cache.cached(key, lambda: _snapshot(search(query, page, per_page)))


def _snapshot(results: Results) -> Results:
    hits = []
    for hit in results.hits:
        art = hit.article
        category = SimpleNamespace(slug=art.category.slug, name=art.category.name)
        article = SimpleNamespace(
            id=art.id,
            slug=art.slug,
            title=art.title,
            published_at=art.published_at,
            category=category,
        )
        hits.append(Hit(article, hit.title_html, hit.snippet_html))
    return replace(results, hits=hits)


def _texts(ids: list[int]) -> dict[int, tuple[str, str, str]]:
    if not ids:
        return {}
    stmt = sa.text(
        f"SELECT rowid, title, lead, substr(body, 1, {SNIPPET_SCAN_CHARS}) "
        f"FROM {TEXT_TABLE} WHERE rowid IN :ids"
    ).bindparams(sa.bindparam("ids", expanding=True))
    rows = db.session.execute(stmt, {"ids": ids}).all()
    return {row[0]: (row[1], row[2], row[3]) for row in rows}
