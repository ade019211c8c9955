"""Diacritic-insensitive article search on SQLite FTS5, with bounded work per query.

Two FTS5 tables, written together inside the article's own transaction:

- ``article_search_text`` stores each indexed article's plain text (title, lead, body
  without HTML, NFC) and indexes its words as written (case-folded by the tokenizer,
  diacritics kept). It finds and ranks the exact-diacritic matches and supplies the text
  for snippets.
- ``article_search`` is contentless and indexes the same text *folded*: đ/Đ are replaced
  by d/D here, and the tokenizer (``unicode61 remove_diacritics 2``) lowercases and removes
  every other mark in C; query words go through the same two steps, so both sides always
  agree. It finds every match, counts them and gives their bm25 score. Removing a row from
  a contentless table needs the values that were indexed; they come from
  ``article_search_text``, so the two never drift.

Only published articles are indexed: drafts and the trash leave the index when their
status changes. Scheduled articles are indexed and held back at query time by comparing
their publish time with now, so scheduling needs no timer. SQLAlchemy mapper events keep
the index in step on every ORM write path, so callers need do nothing; bulk Core writes
(benchmark data) call ``reindex()`` afterwards.

Work per query does not grow with the size of the site: FTS5 walks the matches newest
first (rowid = article id) and stops after ``MAX_RESULTS``. The count stops there (more
shows as "1.000+"), and bm25 ranks that window of newest matches, exact-diacritic matches
first. Snippets are cut from a bounded prefix of the text by one regular expression.
"""

from __future__ import annotations

import html as html_lib
import math
import re
import unicodedata
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from itertools import islice
from types import SimpleNamespace

import click
import sqlalchemy as sa
from flask.cli import AppGroup
from markupsafe import Markup, escape
from sqlalchemy import event
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect
from sqlalchemy.orm import selectinload, undefer

from bantin import cache
from bantin.clock import utcnow
from bantin.extensions import db
from bantin.models import Article, ArticleStatus
from bantin.queries import LISTING_COLUMNS
from bantin.text import fold, nfc

FOLDED_TABLE = "article_search"
TEXT_TABLE = "article_search_text"
# Shadow tables FTS5 creates next to each virtual table.
_SHADOW_SUFFIXES = ("_data", "_idx", "_content", "_docsize", "_config")

CREATE_STATEMENTS = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TEXT_TABLE} USING fts5("
    "title, lead, body, tokenize = 'unicode61 remove_diacritics 0')",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FOLDED_TABLE} USING fts5("
    "title, lead, body, content = '', tokenize = 'unicode61 remove_diacritics 2')",
)
DROP_STATEMENTS = (
    f"DROP TABLE IF EXISTS {FOLDED_TABLE}",
    f"DROP TABLE IF EXISTS {TEXT_TABLE}",
)

MAX_QUERY_LENGTH = 200
MAX_TERMS = 16
# The newest matches that are counted, ranked and paged through (50 pages of 20).
MAX_RESULTS = 1000
# bm25 column weights: title, lead, body.
WEIGHTS = (10.0, 4.0, 1.0)
SNIPPET_WORDS = 36
# Snippets look for the query words in this much of lead + body, no further.
SNIPPET_SCAN_CHARS = 20_000
# FTS5 buffers this much of a bulk load in memory before writing a segment (default 1 MB).
_BULK_HASHSIZE = 64 * 1024 * 1024
_DEFAULT_HASHSIZE = 1024 * 1024

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
    combining mark, so nothing can recompose).
    """

    def __missing__(self, codepoint: int) -> str:
        value = fold(chr(codepoint))
        self[codepoint] = value
        return value


_FOLD = _FoldTable()


def fast_fold(value: str) -> str:
    return value.translate(_FOLD)


def fold_d(value: str) -> str:
    """The one fold the tokenizer cannot do: đ/Đ -> d/D (it folds every other mark)."""
    return value.replace("đ", "d").replace("Đ", "D")


# The tags html_to_text treats as inline (no word break); every other tag separates words.
_INLINE_TAG = re.compile(
    r"</?(?:a|strong|b|em|i|u|s|del|span|sub|sup|mark)(?:\s(?:[^>\"']|\"[^\"]*\"|'[^']*')*)?/?>",
    re.IGNORECASE,
)
_OTHER_MARKUP = re.compile(
    r"<(?:/?[a-zA-Z][^\s/>]*(?:[^>\"']|\"[^\"]*\"|'[^']*')*|!--.*?--|![^>]*|\?[^>]*)>",
    re.DOTALL,
)


def plain_text(html: str | None) -> str:
    """Visible text of stored (sanitised) HTML, NFC: bantin.sanitize.html_to_text's words
    with two regular expressions instead of an HTML parser (a few times faster over 100,000
    bodies). Runs of white space are left as they are (the index and HTML ignore them)."""
    text = _OTHER_MARKUP.sub(" ", _INLINE_TAG.sub("", html or ""))
    if "&" in text:
        text = html_lib.unescape(text)
    return nfc(text.strip())


# ---------------------------------------------------------------- indexing

_article = Article.__table__
_SELECT_SOURCE = sa.select(
    _article.c.title, _article.c.lead, _article.c.body, _article.c.status
).where(_article.c.id == sa.bindparam("id"))
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


def _folded_row(article_id: int, title: str, lead: str, body: str) -> dict:
    return {"id": article_id, "title": fold_d(title), "lead": fold_d(lead), "body": fold_d(body)}


def _remove(connection: sa.Connection, article_id: int) -> None:
    old = connection.execute(_SELECT_TEXT, {"id": article_id}).first()
    if old is not None:
        connection.execute(_DELETE_FOLDED, _folded_row(article_id, *old))
        connection.execute(_DELETE_TEXT, {"id": article_id})


def sync_article(connection: sa.Connection, article_id: int) -> None:
    """Bring one article's index entry in line with its row: indexed while published."""
    _remove(connection, article_id)
    source = connection.execute(_SELECT_SOURCE, {"id": article_id}).first()
    if source is None or source.status != ArticleStatus.PUBLISHED:
        return
    title, lead, body = nfc(source.title), nfc(source.lead), plain_text(source.body)
    connection.execute(_INSERT_TEXT, {"id": article_id, "title": title, "lead": lead, "body": body})
    connection.execute(_INSERT_FOLDED, _folded_row(article_id, title, lead, body))


def _fold_d_sql(column: str) -> str:
    return f"replace(replace({column}, 'đ', 'd'), 'Đ', 'D')"


def reindex(connection: sa.Connection | None = None) -> int:
    """Rebuild both tables from the article table; returns the number of articles indexed.

    Two INSERT ... SELECT passes: HTML is stripped by an SQL function registered on this
    connection, the tokenizers do the rest in C. Without a connection it uses the session's
    and commits; with one (a migration) the caller owns the transaction.
    """
    conn = connection if connection is not None else db.session.connection()
    raw = conn.connection.dbapi_connection
    raw.create_function("bantin_search_nfc", 1, nfc, deterministic=True)
    raw.create_function("bantin_search_plain", 1, plain_text, deterministic=True)
    cache_size = conn.exec_driver_sql("PRAGMA cache_size").scalar()
    conn.exec_driver_sql("PRAGMA cache_size = -131072")  # 128 MiB while FTS5 merges
    try:
        # Dropping is much faster than deleting row by row (each delete re-tokenizes).
        for statement in (*DROP_STATEMENTS, *CREATE_STATEMENTS):
            conn.execute(sa.text(statement))
        for table in (TEXT_TABLE, FOLDED_TABLE):
            _configure(conn, table, "hashsize", _BULK_HASHSIZE)
        conn.execute(
            sa.text(
                f"INSERT INTO {TEXT_TABLE} (rowid, title, lead, body) "
                "SELECT id, bantin_search_nfc(title), bantin_search_nfc(lead), "
                "bantin_search_plain(body) FROM article WHERE status = :published ORDER BY id"
            ),
            {"published": ArticleStatus.PUBLISHED.name},
        )
        conn.execute(
            sa.text(
                f"INSERT INTO {FOLDED_TABLE} (rowid, title, lead, body) "
                f"SELECT rowid, {_fold_d_sql('title')}, {_fold_d_sql('lead')}, "
                f"{_fold_d_sql('body')} FROM {TEXT_TABLE} ORDER BY rowid"
            )
        )
        for table in (TEXT_TABLE, FOLDED_TABLE):
            conn.execute(sa.text(f"INSERT INTO {table} ({table}) VALUES ('optimize')"))
            # Ordinary writes (one article at a time) go back to FTS5's default buffer.
            _configure(conn, table, "hashsize", _DEFAULT_HASHSIZE)
        indexed = conn.execute(sa.text(f"SELECT count(*) FROM {TEXT_TABLE}")).scalar_one()
    finally:
        conn.exec_driver_sql(f"PRAGMA cache_size = {int(cache_size)}")
    if connection is None:
        db.session.commit()
    return indexed


def _configure(conn: sa.Connection, table: str, key: str, value: int) -> None:
    conn.execute(
        sa.text(f"INSERT INTO {table} ({table}, rank) VALUES (:k, :v)"), {"k": key, "v": value}
    )


_INDEXED_ATTRIBUTES = ("title", "lead", "body", "status")


@event.listens_for(Article, "after_insert")
def _after_insert(mapper, connection: sa.Connection, target: Article) -> None:
    sync_article(connection, target.id)


@event.listens_for(Article, "after_update")
def _after_update(mapper, connection: sa.Connection, target: Article) -> None:
    state = sa.inspect(target)
    if any(state.attrs[name].history.has_changes() for name in _INDEXED_ATTRIBUTES):
        # The UPDATE has run: the row holds the new values, even for attributes not loaded.
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
        """Every word, quoted (FTS5 reads each as a literal string), ANDed; for the folded
        table, whose tokenizer folds them as it folded the text (after đ -> d here)."""
        words = {fast_fold(t): fold_d(t) for t in reversed(self.terms)}
        return " ".join(_quote(words[f]) for f in self.folded_terms)

    def exact_match(self) -> str | None:
        """Words typed with diacritics, each in any tone placement (hoà/hòa), ANDed."""
        groups = [_variants_group(t) for t in self.terms if fast_fold(t) != t]
        return " AND ".join(groups) or None

    def typed_match(self) -> str | None:
        """The query as typed, for the exact tier: words with marks in any tone placement,
        the other words as they are; None when no word has marks."""
        if self.exact_match() is None:
            return None
        return " AND ".join(
            _variants_group(t) if fast_fold(t) != t else _quote(t) for t in self.terms
        )


def _variants_group(term: str) -> str:
    return "(" + " OR ".join(_quote(v) for v in tone_variants(term)) + ")"


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


# ---------------------------------------------------------------- highlighting


def highlight(text: str, terms: Iterable[str]) -> Markup:
    """Escape the text; wrap words whose folded form is a query word in <mark>."""
    terms = terms if isinstance(terms, set | frozenset) else set(terms)
    out: list[str] = []
    pos = 0
    for match in _WORD.finditer(text):
        if fast_fold(match.group(0)) in terms:
            out.append(str(escape(text[pos : match.start()])))
            out.append(f"<mark>{escape(match.group(0))}</mark>")
            pos = match.end()
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


@lru_cache(maxsize=1)
def _letter_classes() -> dict[str, str]:
    """folded letter -> every Latin letter (with or without marks) that folds to it."""
    classes: dict[str, set[str]] = {}
    for codepoint in (*range(0x41, 0x5B), *range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        char = chr(codepoint)
        folded = fold(char)
        if len(folded) == 1 and folded != char:
            classes.setdefault(folded, {folded}).add(char)
    return {k: "".join(sorted(v)) for k, v in classes.items()}


@lru_cache(maxsize=256)
def _finder(terms: tuple[str, ...]) -> re.Pattern[str]:
    """The written forms of the folded query words, as whole words; group i+1 = terms[i]."""
    classes = _letter_classes()
    groups = []
    for term in terms:
        parts = (f"[{re.escape(classes[ch])}]" if ch in classes else re.escape(ch) for ch in term)
        groups.append("(" + "".join(parts) + ")")
    return re.compile(r"(?<![^\W_])(?:" + "|".join(groups) + r")(?![^\W_])")


def _word_starts(text: str, start: int, end: int) -> list[int]:
    """Starts of the whole words in text[start:end] (a word cut at `start` is skipped)."""
    starts = [m.start() for m in _WORD.finditer(text, start, end)]
    if starts and starts[0] == start and start > 0 and _WORD.match(text, start - 1):
        starts.pop(0)
    return starts


def _anchor(text: str, terms: tuple[str, ...], reach: int) -> int:
    """Where the first run of `reach` characters with the most distinct query words starts
    (0 when none is in the text). One lazy regular-expression scan that stops at the first
    run with every word, or after 64 matches."""
    window: deque[tuple[int, int]] = deque()
    counts: dict[int, int] = {}
    anchor, best = 0, 0
    for match in islice(_finder(terms).finditer(text), 64):
        pos, group = match.start(), match.lastindex
        window.append((pos, group))
        counts[group] = counts.get(group, 0) + 1
        while pos - window[0][0] > reach:
            _, old = window.popleft()
            counts[old] -= 1
            if not counts[old]:
                del counts[old]
        if len(counts) > best:
            anchor, best = window[0][0], len(counts)
            if best == len(terms):
                break
    return anchor


def snippet(text: str, terms: Iterable[str], words: int = SNIPPET_WORDS) -> Markup:
    """About `words` words of the text around the query words, highlighted.

    The window starts a quarter of its length before the first place with the most
    distinct query words close together; only the window is split into words.
    """
    terms = tuple(sorted(set(terms)))
    if not terms or not _WORD.search(text):
        return Markup("")
    anchor = _anchor(text, terms, reach=words * 8)  # ~8 characters a Vietnamese word
    lead_in = words // 4
    before = _word_starts(text, max(0, anchor - lead_in * 16), anchor)
    if lead_in and len(before) >= lead_in:
        start = before[-lead_in]
    elif not lead_in:
        start = anchor
    else:
        start = 0 if anchor <= lead_in * 16 else (before[0] if before else anchor)
    after = [m.span() for m in islice(_WORD.finditer(text, start), words + 1)]
    if len(after) < words and start > 0:
        # Near the end of the text: take the missing words from before the window.
        back = _word_starts(text, max(0, start - words * 16), start)
        missing = words - len(after)
        if back:
            start = back[-missing] if len(back) >= missing else back[0]
        after = [m.span() for m in islice(_WORD.finditer(text, start), words + 1)]
    more = len(after) > words
    end = after[min(words, len(after)) - 1][1]
    has_before = _WORD.search(text, 0, after[0][0]) is not None
    piece = text[after[0][0] if has_before else 0 : end if more else None]
    html = highlight(piece, set(terms))
    return Markup("… " if has_before else "") + html + Markup(" …" if more else "")


# ---------------------------------------------------------------- CLI

search_cli = AppGroup("search", help="Full-text search index.")


@search_cli.command("reindex")
def reindex_command() -> None:
    """Rebuild the search index from every article."""
    count = reindex()
    click.echo(f"Search index rebuilt: {count} articles.")
