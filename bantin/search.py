"""Diacritic-insensitive article search on SQLite FTS5.

Two FTS5 tables, written together inside the article's own transaction:

- ``article_search_text`` stores each article's plain text (title, lead, body without HTML,
  NFC) and indexes its words as written (case-folded by the tokenizer, diacritics kept).
  It ranks exact-diacritic matches first and supplies the text for snippets.
- ``article_search`` is contentless and indexes the *folded* text (lowercase, every mark
  removed, đ -> d; FTS5's own ``remove_diacritics`` does not fold đ). It finds the matches
  and gives the bm25 score. Removing a row from a contentless table needs the values that
  were indexed; they are recomputed from ``article_search_text``, so the two never drift.

Every article row is indexed whatever its status; readers only see published, due articles
because the query joins ``article`` with ``Article.visible_clause()`` (scheduled articles
appear by themselves). SQLAlchemy mapper events keep the index in step on every ORM write
path, so callers need do nothing (there is deliberately no ``index_article`` or
``remove_article`` to call); bulk Core writes (benchmark data) call ``reindex()`` afterwards.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import click
import sqlalchemy as sa
from flask.cli import AppGroup
from markupsafe import Markup, escape
from sqlalchemy import event
from sqlalchemy.orm import selectinload

from bantin.clock import utcnow
from bantin.extensions import db
from bantin.models import Article
from bantin.queries import LISTING_COLUMNS
from bantin.sanitize import html_to_text
from bantin.text import fold, nfc

FOLDED_TABLE = "article_search"
TEXT_TABLE = "article_search_text"
# Shadow tables FTS5 creates next to each virtual table.
_SHADOW_SUFFIXES = ("_data", "_idx", "_content", "_docsize", "_config")

CREATE_STATEMENTS = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TEXT_TABLE} USING fts5("
    "title, lead, body, tokenize = 'unicode61 remove_diacritics 0')",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FOLDED_TABLE} USING fts5("
    "title, lead, body, content = '', tokenize = 'unicode61 remove_diacritics 0')",
)
DROP_STATEMENTS = (
    f"DROP TABLE IF EXISTS {FOLDED_TABLE}",
    f"DROP TABLE IF EXISTS {TEXT_TABLE}",
)

MAX_QUERY_LENGTH = 200
MAX_TERMS = 16
# bm25 column weights: title, lead, body.
WEIGHTS = (10.0, 4.0, 1.0)
SNIPPET_WORDS = 36

_WORD = re.compile(r"[^\W_]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Vietnamese tone marks (grave, acute, tilde, hook above, dot below) in decomposed form.
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_VOWELS = set("aeiouy")


def is_search_table(name: str) -> bool:
    """True for the FTS5 tables and their shadow tables (schema comparisons skip them)."""
    return any(
        name == base or name in {base + suffix for suffix in _SHADOW_SUFFIXES}
        for base in (FOLDED_TABLE, TEXT_TABLE)
    )


# ---------------------------------------------------------------- folding


class _FoldTable(dict):
    """str.translate table built lazily from bantin.text.fold, one character at a time.

    Folding character by character equals fold() on the whole string (fold removes every
    combining mark, so nothing can recompose) and is many times faster on long bodies.
    """

    def __missing__(self, codepoint: int) -> str:
        value = fold(chr(codepoint))
        self[codepoint] = value
        return value


_FOLD = _FoldTable()


def fast_fold(value: str) -> str:
    return value.translate(_FOLD)


# ---------------------------------------------------------------- indexing

_article = Article.__table__
_SELECT_SOURCE = sa.select(_article.c.id, _article.c.title, _article.c.lead, _article.c.body)
_INSERT_TEXT = sa.text(
    f"INSERT INTO {TEXT_TABLE} (rowid, title, lead, body) VALUES (:id, :title, :lead, :body)"
)
_INSERT_FOLDED = sa.text(
    f"INSERT INTO {FOLDED_TABLE} (rowid, title, lead, body) VALUES (:id, :title, :lead, :body)"
)
_DELETE_FOLDED = sa.text(
    f"INSERT INTO {FOLDED_TABLE} ({FOLDED_TABLE}, rowid, title, lead, body) "
    "VALUES ('delete', :id, :title, :lead, :body)"
)
_DELETE_TEXT = sa.text(f"DELETE FROM {TEXT_TABLE} WHERE rowid = :id")
_SELECT_TEXT = sa.text(f"SELECT title, lead, body FROM {TEXT_TABLE} WHERE rowid = :id")


def _plain_row(article_id: int, title: str | None, lead: str | None, body: str | None) -> dict:
    return {
        "id": article_id,
        "title": nfc(title),
        "lead": nfc(lead),
        "body": nfc(html_to_text(body)),
    }


def _folded_row(row: dict) -> dict:
    return {
        "id": row["id"],
        "title": fast_fold(row["title"]),
        "lead": fast_fold(row["lead"]),
        "body": fast_fold(row["body"]),
    }


def _remove(connection: sa.Connection, article_id: int) -> None:
    old = connection.execute(_SELECT_TEXT, {"id": article_id}).first()
    if old is None:
        return
    indexed = {"id": article_id, "title": old.title, "lead": old.lead, "body": old.body}
    connection.execute(_DELETE_FOLDED, _folded_row(indexed))
    connection.execute(_DELETE_TEXT, {"id": article_id})


def _add(connection: sa.Connection, rows: Sequence[dict]) -> None:
    if rows:
        connection.execute(_INSERT_TEXT, list(rows))
        connection.execute(_INSERT_FOLDED, [_folded_row(r) for r in rows])


def sync_article(connection: sa.Connection, article_id: int) -> None:
    """Bring one article's index entry in line with its row (removed if the row is gone)."""
    _remove(connection, article_id)
    source = connection.execute(_SELECT_SOURCE.where(_article.c.id == article_id)).first()
    if source is not None:
        _add(connection, [_plain_row(*source)])


def reindex(connection: sa.Connection | None = None, chunk: int = 1000) -> int:
    """Rebuild both tables from the article table; returns the number of articles indexed.

    Without a connection it uses the session's and commits; with one (a migration) the
    caller owns the transaction.
    """
    conn = connection if connection is not None else db.session.connection()
    # Dropping is much faster than deleting row by row (each delete re-tokenizes the text).
    for statement in (*DROP_STATEMENTS, *CREATE_STATEMENTS):
        conn.execute(sa.text(statement))
    indexed, last_id = 0, 0
    while True:
        batch = conn.execute(
            _SELECT_SOURCE.where(_article.c.id > last_id).order_by(_article.c.id).limit(chunk)
        ).all()
        if not batch:
            break
        _add(conn, [_plain_row(*row) for row in batch])
        indexed += len(batch)
        last_id = batch[-1].id
    for table in (TEXT_TABLE, FOLDED_TABLE):
        conn.execute(sa.text(f"INSERT INTO {table} ({table}) VALUES ('optimize')"))
    if connection is None:
        db.session.commit()
    return indexed


_INDEXED_ATTRIBUTES = ("title", "lead", "body")


@event.listens_for(Article, "after_insert")
def _after_insert(mapper, connection: sa.Connection, target: Article) -> None:
    sync_article(connection, target.id)


@event.listens_for(Article, "after_update")
def _after_update(mapper, connection: sa.Connection, target: Article) -> None:
    state = sa.inspect(target)
    if any(state.attrs[name].history.has_changes() for name in _INDEXED_ATTRIBUTES):
        # The UPDATE has run: the row holds the new text, even for attributes not loaded.
        sync_article(connection, target.id)


@event.listens_for(Article, "after_delete")
def _after_delete(mapper, connection: sa.Connection, target: Article) -> None:
    _remove(connection, target.id)


# ---------------------------------------------------------------- queries


@dataclass
class SearchQuery:
    """A reader's query made safe: words only, every FTS5 operator gone."""

    raw: str
    text: str = ""
    terms: list[str] = field(default_factory=list)  # NFC lowercase words, in order
    problem: str | None = None  # "empty", "too_long" or "no_words"

    @property
    def folded_terms(self) -> list[str]:
        return _unique(fast_fold(t) for t in self.terms)

    @property
    def ok(self) -> bool:
        return self.problem is None

    def folded_match(self) -> str:
        """Every folded word, quoted: FTS5 reads each as a literal string, ANDed."""
        return " ".join(_quote(t) for t in self.folded_terms)

    def exact_match(self) -> str | None:
        """Words typed with diacritics, each in any tone placement (hoà/hòa), ANDed."""
        groups = []
        for term in self.terms:
            if fast_fold(term) == term:
                continue
            variants = tone_variants(term)
            groups.append("(" + " OR ".join(_quote(v) for v in variants) + ")")
        return " AND ".join(groups) or None


def _unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        if item:
            seen.setdefault(item, None)
    return list(seen)


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def parse_query(raw: str | None) -> SearchQuery:
    """Turn any input into a SearchQuery; never raises."""
    raw = raw or ""
    # NUL and other control characters become spaces before anything else looks at them.
    text = " ".join(_CONTROL.sub(" ", nfc(raw)).split())
    query = SearchQuery(raw=raw, text=text)
    if not text:
        query.problem = "empty"
    elif len(text) > MAX_QUERY_LENGTH:
        query.problem = "too_long"
    else:
        query.terms = _unique(m.group(0).lower() for m in _WORD.finditer(text))[:MAX_TERMS]
        if not query.folded_terms:
            query.problem = "no_words"
    return query


def tone_variants(word: str) -> list[str]:
    """The word with its tone mark on each vowel: old and new placement both match."""
    decomposed = unicodedata.normalize("NFD", word)
    tones = [ch for ch in decomposed if ch in _TONES]
    if len(tones) != 1:
        return [word]
    tone = tones[0]
    bare = [ch for ch in decomposed if ch != tone]
    variants = [word]
    for i, ch in enumerate(bare):
        if ch in _VOWELS:
            # Put the tone after the vowel and its own marks (circumflex, breve, horn).
            j = i + 1
            while j < len(bare) and unicodedata.combining(bare[j]):
                j += 1
            candidate = unicodedata.normalize("NFC", "".join(bare[:j] + [tone] + bare[j:]))
            if candidate not in variants:
                variants.append(candidate)
    return variants


@dataclass
class Hit:
    article: Article
    title_html: Markup
    snippet_html: Markup


@dataclass
class Results:
    query: SearchQuery
    total: int
    page: int
    per_page: int
    hits: list[Hit]

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def _folded_hits(match: str, with_score: bool) -> sa.Subquery:
    score = f", bm25({FOLDED_TABLE}, {', '.join(str(w) for w in WEIGHTS)}) AS score"
    sql = (
        f"SELECT rowid AS id{score if with_score else ''} FROM {FOLDED_TABLE} "
        f"WHERE {FOLDED_TABLE} MATCH :folded"
    )
    columns = {"id": sa.Integer, "score": sa.Float} if with_score else {"id": sa.Integer}
    return sa.text(sql).bindparams(folded=match).columns(**columns).subquery("hits")


def _visible_hit(hits: sa.Subquery, now: datetime) -> sa.ColumnElement[bool]:
    """hits.id among visible articles.

    `+ 0` keeps SQLite from pushing the IN list into the FTS5 scan (one MATCH per id);
    the list itself comes from the covering index on (status, published_at), so the
    article rows, whose status sits after the long body, are never read.
    """
    return (hits.c.id + 0).in_(sa.select(Article.id).where(Article.visible_clause(now)))


def count(query: SearchQuery, now: datetime | None = None) -> int:
    hits = _folded_hits(query.folded_match(), with_score=False)
    stmt = sa.select(sa.func.count()).select_from(hits).where(_visible_hit(hits, now or utcnow()))
    return db.session.scalar(stmt) or 0


def search(
    query: SearchQuery, page: int = 1, per_page: int = 20, now: datetime | None = None
) -> Results:
    """One page of visible articles: exact-diacritic matches, then bm25, then newest."""
    if not query.ok:
        return Results(query, 0, page, per_page, [])
    now = now or utcnow()
    total = count(query, now)
    if total == 0 or (page - 1) * per_page >= total:
        return Results(query, total, page, per_page, [])
    hits = _folded_hits(query.folded_match(), with_score=True)
    tier: sa.ColumnElement = sa.literal(1)
    exact = query.exact_match()
    if exact is not None:
        exact_ids = (
            sa.text(f"SELECT rowid FROM {TEXT_TABLE} WHERE {TEXT_TABLE} MATCH :exact")
            .bindparams(exact=exact)
            .columns(rowid=sa.Integer)
        )
        tier = sa.case((hits.c.id.in_(exact_ids), 0), else_=1)
    # Ties on score go to the newer id here and to the newer publish time below.
    stmt = (
        sa.select(hits.c.id, tier.label("tier"), hits.c.score)
        .where(_visible_hit(hits, now))
        .order_by(sa.text("tier"), hits.c.score, hits.c.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    ranked = {row.id: (row.tier, row.score) for row in db.session.execute(stmt)}
    articles = db.session.scalars(
        sa.select(Article)
        .where(Article.id.in_(list(ranked)))
        .options(LISTING_COLUMNS, selectinload(Article.category))
    ).all()
    articles = sorted(
        articles,
        key=lambda a: (*ranked[a.id], -a.published_at.timestamp(), -a.id),
    )
    texts = _texts([a.id for a in articles])
    terms = set(query.folded_terms)
    result = []
    for article in articles:
        title, lead, body = texts.get(article.id, (article.title, article.lead or "", ""))
        result.append(
            Hit(article, highlight(title, terms), snippet(f"{lead} {body}".strip(), terms))
        )
    return Results(query, total, page, per_page, result)


def _texts(ids: list[int]) -> dict[int, tuple[str, str, str]]:
    if not ids:
        return {}
    stmt = sa.text(
        f"SELECT rowid, title, lead, body FROM {TEXT_TABLE} WHERE rowid IN :ids"
    ).bindparams(sa.bindparam("ids", expanding=True))
    rows = db.session.execute(stmt, {"ids": ids}).all()
    return {row[0]: (row[1], row[2], row[3]) for row in rows}


# ---------------------------------------------------------------- highlighting


def highlight(text: str, terms: set[str]) -> Markup:
    """Escape the text; wrap words whose folded form is a query word in <mark>."""
    out: list[str] = []
    pos = 0
    for match in _WORD.finditer(text):
        if fast_fold(match.group(0)) in terms:
            out.append(str(escape(text[pos : match.start()])))
            out.append(f"<mark>{escape(match.group(0))}</mark>")
            pos = match.end()
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def snippet(text: str, terms: set[str], words: int = SNIPPET_WORDS) -> Markup:
    """A window of about `words` words around the first match, highlighted."""
    spans = [m.span() for m in _WORD.finditer(text)]
    if not spans:
        return Markup("")
    folded = [fast_fold(text[s:e]) for s, e in spans]
    matches = [i for i, word in enumerate(folded) if word in terms]
    # The window starting a little before a match that shows the most distinct query words.
    best, best_score = 0, 0
    for i in matches:
        candidate = max(0, i - words // 4)
        score = len({w for w in folded[candidate : candidate + words] if w in terms})
        if score > best_score:
            best, best_score = candidate, score
    start = best
    end = min(len(spans), start + words)
    start = max(0, end - words)
    piece = text[spans[start][0] if start else 0 : spans[end - 1][1] if end < len(spans) else None]
    html = highlight(piece, terms)
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(spans) else ""
    return Markup(prefix) + html + Markup(suffix)


# ---------------------------------------------------------------- CLI

search_cli = AppGroup("search", help="Full-text search index.")


@search_cli.command("reindex")
def reindex_command() -> None:
    """Rebuild the search index from every article."""
    count = reindex()
    click.echo(f"Search index rebuilt: {count} articles.")
