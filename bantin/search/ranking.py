"""Ranking: the SQL that finds, counts, orders and pages the visible matches.

Work per query does not grow with the size of the site: FTS5 walks the matches newest
first (rowid = article id) and stops after ``MAX_RESULTS``. The count stops there (more
shows as "1.000+"), and bm25 ranks that window of newest matches, exact-diacritic matches
first. Scheduled articles are indexed and held back here by comparing their publish time
with now, so scheduling needs no timer.

On PostgreSQL the statements come from bantin.search.postgresql (the same parameters and
results over ``tsvector`` tables, ts_rank instead of bm25) and the queries are ``tsquery``
text of the same words; everything above the SQL is shared.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import lru_cache
from types import SimpleNamespace

import sqlalchemy as sa
from flask import url_for
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect
from sqlalchemy.orm import selectinload, undefer

from bantin import cache
from bantin.clock import utcnow
from bantin.extensions import db
from bantin.models import Article, OfficialDocument, Page
from bantin.queries import LISTING_COLUMNS
from bantin.search import portal, postgresql
from bantin.search.index import FOLDED_TABLE, TEXT_TABLE
from bantin.search.query import SearchQuery
from bantin.search.snippets import SNIPPET_SCAN_CHARS, highlight, snippet

# The newest matches that are counted, ranked and paged through (50 pages of 20).
MAX_RESULTS = 1000
# bm25 column weights: title, lead, body.
WEIGHTS = (10.0, 4.0, 1.0)


# What readers can filter the results by (GET /search?kind=); "" means every kind.
ARTICLE = "article"
KINDS = (ARTICLE, portal.DOCUMENT, portal.PAGE)


@dataclass
class Hit:
    article: Article | None  # an article's hit; None for the other kinds
    title_html: Markup
    snippet_html: Markup
    kind: str = ARTICLE
    url: str = ""  # a document's or page's address
    meta: str = ""  # a document's number
    date: date | None = None  # a document's issue date


@dataclass
class Results:
    query: SearchQuery
    total: int  # exact up to MAX_RESULTS; with `capped`, "more than that"
    page: int
    per_page: int
    hits: list[Hit]
    capped: bool = False
    kind: str = ""  # the kind filter ("": all)
    counts: dict[str, int] = field(default_factory=dict)  # matches per kind

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


@lru_cache(maxsize=16)
def _statement(kind: str, table: str, engine: str = "sqlite") -> sa.TextClause:
    if engine == "postgresql":
        sql = postgresql.ranking_sql(kind, table, TEXT_TABLE)
    else:
        sql = _STATEMENTS[kind].format(table=table, window=_window(table))
    return sa.text(sql).bindparams(sa.bindparam("now", type_=sa.DateTime()))


def _engine() -> str:
    return "postgresql" if postgresql.is_postgresql(db.session) else "sqlite"


def _folded(query: SearchQuery) -> str:
    """The query for the folded table, in the engine's language (FTS5 MATCH or tsquery)."""
    if _engine() == "postgresql":
        return postgresql.folded_query(query)
    return query.folded_match()


def _typed(query: SearchQuery) -> str | None:
    """The query as typed, for the exact tier; None when no word has marks."""
    if _engine() == "postgresql":
        return postgresql.typed_query(query)
    return query.typed_match()


def _run(kind: str, table: str, match: str, now: datetime, **params) -> sa.Result:
    params.update(match=match, now=now, window=MAX_RESULTS)
    return db.session.execute(_statement(kind, table, _engine()), params)


def _count(table: str, match: str, now: datetime, cap: int) -> int:
    return _run("count", table, match, now, cap=cap).scalar_one()


def count(query: SearchQuery, now: datetime | None = None) -> int:
    """Visible matches, counted up to MAX_RESULTS + 1 (more than MAX_RESULTS: "1.000+")."""
    return _count(FOLDED_TABLE, _folded(query), now or utcnow(), MAX_RESULTS + 1)


def _ranked_ids(
    query: SearchQuery, now: datetime, offset: int, limit: int
) -> dict[int, tuple[int, float]]:
    """id -> (tier, score) for one page: the exact tier first, then the folded matches.

    Each tier is its newest MAX_RESULTS matches ranked by bm25; the folded window leaves
    out the exact matches (all of them are in the exact window: they are a subset of the
    folded matches, so no more of them are newer than the folded window's oldest row).
    """
    folded, typed = _folded(query), _typed(query)
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
    query: SearchQuery,
    page: int = 1,
    per_page: int = 20,
    now: datetime | None = None,
    kind: str = "",
) -> Results:
    """One page of visible matches of one kind, or of every kind.

    Articles: exact-diacritic matches, then bm25, then newest, counted up to MAX_RESULTS.
    Every kind: within each tier, the office's documents and pages come before the
    articles (they are few, and what a reader looking for a regulation wants first):
    exact documents and pages, exact articles, the other documents and pages, the other
    articles.
    """
    if not query.ok:
        return Results(query, 0, page, per_page, [], kind=kind)
    now = now or utcnow()
    offset = (page - 1) * per_page
    if kind == ARTICLE:
        return _articles(query, now, page, per_page)
    found = portal.matches(query, (kind,) if kind in KINDS else (portal.DOCUMENT, portal.PAGE))
    counts = {k: sum(1 for m in found if m.kind == k) for k in (portal.DOCUMENT, portal.PAGE)}
    if kind in KINDS:  # documents or pages
        hits = _portal_hits(found[offset : offset + per_page], query)
        return Results(query, len(found), page, per_page, hits, kind=kind, counts=counts)
    articles = _articles(query, now, page, per_page, count_only=bool(found))
    counts[ARTICLE] = articles.total
    if not found:
        return replace(articles, counts=counts)
    exact = 0
    typed = _typed(query)
    if typed is not None and articles.total:
        exact = min(_count(TEXT_TABLE, typed, now, MAX_RESULTS), articles.total)
    first_tier = sum(1 for m in found if m.tier == 0)
    segments = (
        ("p", 0, first_tier),
        ("a", 0, exact),
        ("p", first_tier, len(found)),
        ("a", exact, articles.total),
    )
    total = articles.total + len(found)
    end, start, slots = min(offset + per_page, total), 0, []
    for source, low, high in segments:
        for position in range(max(offset, start), min(end, start + high - low)):
            slots.append((source, low + position - start))
        start += high - low
    wanted = [i for source, i in slots if source == "a"]  # one run of article positions
    article_hits = iter(_article_hits(query, now, wanted[0], len(wanted)) if wanted else [])
    portal_hits = iter(_portal_hits([found[i] for source, i in slots if source == "p"], query))
    hits = [next(portal_hits if source == "p" else article_hits, None) for source, _ in slots]
    return Results(
        query,
        total,
        page,
        per_page,
        [h for h in hits if h is not None],
        articles.capped,
        counts=counts,
    )


def _articles(
    query: SearchQuery, now: datetime, page: int, per_page: int, count_only: bool = False
) -> Results:
    """Articles only; beyond MAX_RESULTS matches the total is capped, the pages stop."""
    total = _count(FOLDED_TABLE, _folded(query), now, MAX_RESULTS + 1)
    capped = total > MAX_RESULTS
    total = min(total, MAX_RESULTS)
    offset = (page - 1) * per_page
    if count_only or total == 0 or offset >= total:
        return Results(query, total, page, per_page, [], capped, kind=ARTICLE)
    # The tiers' windows together can hold more than MAX_RESULTS rows: show `total`.
    hits = _article_hits(query, now, offset, min(per_page, total - offset))
    return Results(query, total, page, per_page, hits, capped, kind=ARTICLE)


def _article_hits(query: SearchQuery, now: datetime, offset: int, limit: int) -> list[Hit]:
    ranked = _ranked_ids(query, now, offset, limit)
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
    return hits


def _portal_hits(found: list[portal.Match], query: SearchQuery) -> list[Hit]:
    """Hits for documents and pages, in the order found (plain values: cacheable)."""
    terms = frozenset(query.folded_terms)
    texts = portal.texts([portal.rowid(m.kind, m.ref) for m in found])
    ids = {k: [m.ref for m in found if m.kind == k] for k in (portal.DOCUMENT, portal.PAGE)}
    documents = {
        d.id: d
        for d in db.session.scalars(
            sa.select(OfficialDocument).where(OfficialDocument.id.in_(ids[portal.DOCUMENT]))
        )
    }
    pages = {
        p.id: p for p in db.session.scalars(sa.select(Page).where(Page.id.in_(ids[portal.PAGE])))
    }
    paths = portal.page_paths() if pages else {}
    english = str(get_locale()) == "en"
    hits = []
    for match in found:
        _title, lead, body = texts.get(portal.rowid(match.kind, match.ref), ("", "", ""))
        if match.kind == portal.DOCUMENT and match.ref in documents:
            doc = documents[match.ref]
            hits.append(
                Hit(
                    None,
                    highlight(doc.abstract, terms),
                    snippet(lead, terms),
                    kind=portal.DOCUMENT,
                    url=url_for("public.document", document_id=doc.id, slug=doc.slug),
                    meta=doc.number,
                    date=doc.issued_on,
                )
            )
        elif match.kind == portal.PAGE and match.ref in pages:
            page = pages[match.ref]
            title = page.title_en if english and page.has_english else page.title
            hits.append(
                Hit(
                    None,
                    highlight(title, terms),
                    snippet(body, terms),
                    kind=portal.PAGE,
                    url=url_for("public.site_page", path="/".join(paths[page.id][0])),
                )
            )
    return hits


def cached_search(query: SearchQuery, page: int = 1, per_page: int = 20, kind: str = "") -> Results:
    """search() through the reader page cache: kept until the content changes or the next
    scheduled article falls due (bantin.cache); the hits hold plain snapshots."""
    key = ("search", tuple(query.terms), page, per_page, kind, str(get_locale()))
    return cache.cached(key, lambda: _snapshot(search(query, page, per_page, kind=kind)))


def _snapshot(results: Results) -> Results:
    hits = []
    for hit in results.hits:
        art = hit.article
        if art is None:  # documents and pages: plain values already
            hits.append(hit)
            continue
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
