"""Search on PostgreSQL: the FTS5 tables' twins, as ``tsvector`` side tables with GIN indexes.

Each pair of FTS5 tables (bantin.search.index for articles, bantin.search.portal for
documents and pages) has a twin of the same names on PostgreSQL (migration 0014):

- ``<name>_text`` (``article_search_text``, ``portal_search_text``): ``rowid`` and the plain
  text (title, lead, body, NFC) for snippets, and ``exact``, the words as written
  (lowercased, diacritics kept): the exact-diacritics tier.
- ``<name>`` (``article_search``, ``portal_search``): ``rowid`` and ``folded``, the same words
  folded (lowercase, every mark removed, đ -> d).

The column is called ``rowid`` as in FTS5, so the few statements that read rows by key
(snippet texts, tests) are the same on both engines. Title, lead and body carry the weights
A, B and C; ``ts_rank`` weighs them 1.0, 0.4 and 0.1 (FTS5's bm25 weighs 10, 4 and 1).

Why the vectors are built here and not by ``to_tsvector``: PostgreSQL's parser is not
FTS5's tokenizer. It keeps ``covid-19`` as ``covid`` and ``-19``, ``1/QC`` as one token and
drops ``½``; with the C locale it lowercases ASCII only. The words are therefore cut by the
one regular expression that also cuts the readers' queries (bantin.search.query.WORD),
lowercased and folded in Python, and written as ``tsvector`` text with their positions and
weights (``'dân':1A,9C``); queries are ``tsquery`` text of the same words (``'dan' & 'van'``).
Both are cast, never parsed again, so the index and the queries cannot disagree, and no
word is ever an operator: the lexemes are quoted. This is what the ``simple`` configuration
would do (no stemming, no stop words: Vietnamese has neither) with a tokenizer of our own.

A row is written or removed in the same transaction as the article, document or page (the
ORM listeners of index.py and portal.py), with ``INSERT … ON CONFLICT DO UPDATE``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg_dialect
from sqlalchemy.orm import Session, scoped_session

from bantin.models import Article
from bantin.search.query import WORD, SearchQuery, fast_fold, tone_variants

EXACT, FOLDED = "exact", "folded"  # the tsvector columns of the text and the folded table
# ts_rank's weights in the order D, C, B, A: D is unused, body C, lead B, title A.
WEIGHTS = "{0, 0.1, 0.4, 1.0}"
# ts_rank's normalisation 1: divide by 1 + log(length), as bm25 favours shorter rows.
NORMALISATION = 1
# tsvector limits: positions above this are stored as this; a word keeps at most 256.
MAX_POSITION = 16383
MAX_POSITIONS_PER_WORD = 256
# A word longer than this (in UTF-8) cannot be a lexeme: it is left out of the vectors (no
# reader types it). A vector's words and positions may not pass 1 MiB together (each word
# takes its bytes, rounded up to even, 2 more, and 2 a position): past this budget no more
# is added, so a body of pasted data with 100,000 distinct tokens still saves.
MAX_WORD_BYTES = 2046
MAX_VECTOR_BYTES = 1_000_000
# Rows written per statement by reindex.
BATCH = 500


def is_postgresql(bind) -> bool:
    """True when a connection, engine or session talks to PostgreSQL."""
    if isinstance(bind, Session | scoped_session):
        bind = bind.get_bind()
    return bind.dialect.name == "postgresql"


# ---------------------------------------------------------------- schema


def create_statements(folded_table: str, text_table: str) -> tuple[str, ...]:
    """The two tables of one index and their GIN indexes (migration 0014)."""
    return (
        f"CREATE TABLE IF NOT EXISTS {text_table} (rowid bigint PRIMARY KEY, "
        "title text NOT NULL DEFAULT '', lead text NOT NULL DEFAULT '', "
        f"body text NOT NULL DEFAULT '', {EXACT} tsvector NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS {folded_table} (rowid bigint PRIMARY KEY, "
        f"{FOLDED} tsvector NOT NULL)",
        f"CREATE INDEX IF NOT EXISTS ix_{text_table}_{EXACT} ON {text_table} USING gin ({EXACT})",
        f"CREATE INDEX IF NOT EXISTS ix_{folded_table}_{FOLDED} "
        f"ON {folded_table} USING gin ({FOLDED})",
    )


def drop_statements(folded_table: str, text_table: str) -> tuple[str, ...]:
    return (f"DROP TABLE IF EXISTS {folded_table}", f"DROP TABLE IF EXISTS {text_table}")


# ---------------------------------------------------------------- vectors and queries


def _lexeme(word: str) -> str:
    # WORD matches letters and digits only; quote and escape all the same.
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def vectors(title: str, lead: str, body: str) -> tuple[str, str]:
    """The exact and the folded ``tsvector`` text of one row: every word of the title
    (weight A), the lead (B) and the body (C), with its positions, one numbering across
    the three as if they were one text."""
    spots: dict[str, list[str]] = {}  # word as written, lowercased -> its positions as text
    position, budget = 0, MAX_VECTOR_BYTES
    for text, weight in ((title, "A"), (lead, "B"), (body, "C")):
        words = WORD.findall(text)
        places: dict[str, list[int]] = {}
        for number, word in enumerate(words, position + 1):
            places.setdefault(word, []).append(number)
        position += len(words)
        for word, numbers in places.items():
            # Lowercased after counting: a word's case does not change where it is.
            word = word.lower()
            numbers = numbers[:MAX_POSITIONS_PER_WORD]
            cost = 2 * len(numbers)
            if word not in spots:
                size = len(word.encode())
                if size > MAX_WORD_BYTES:
                    continue
                cost += size + size % 2 + 2
            if cost > budget:
                continue
            budget -= cost
            text_spots = (weight + ",").join(map(str, numbers)) + weight
            spots.setdefault(word, []).append(text_spots)
    exact = {word: ",".join(parts) for word, parts in spots.items()}
    folded: dict[str, list[str]] = {}
    for word, text_spots in exact.items():
        folded.setdefault(fast_fold(word), []).append(text_spots)
    return _vector_text(exact), _vector_text({w: ",".join(p) for w, p in folded.items()})


def _vector_text(words: dict[str, str]) -> str:
    # PostgreSQL sorts the positions, drops repeats, stores positions above MAX_POSITION as
    # MAX_POSITION and keeps the first MAX_POSITIONS_PER_WORD of a word.
    return " ".join(f"{_lexeme(w)}:{spots}" for w, spots in words.items() if w)


def folded_query(query: SearchQuery) -> str:
    """Every folded word, ANDed (bantin.search.query.SearchQuery.folded_match)."""
    return " & ".join(_lexeme(t) for t in query.folded_terms)


def typed_query(query: SearchQuery) -> str | None:
    """The query as typed, for the exact tier (SearchQuery.typed_match): words with marks in
    any tone placement, the other words as they are; None when no word has marks."""
    if query.typed_match() is None:
        return None
    groups = []
    for term in query.terms:
        if fast_fold(term) != term:
            groups.append("(" + " | ".join(_lexeme(v) for v in tone_variants(term)) + ")")
        else:
            groups.append(_lexeme(term))
    return " & ".join(groups)


# ---------------------------------------------------------------- writes


def _upsert(table: str, columns: tuple[str, ...], vector: str) -> sa.TextClause:
    names = ", ".join(("rowid", *columns, vector))
    values = ", ".join((":id", *(f":{c}" for c in columns), f"CAST(:{vector} AS tsvector)"))
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in (*columns, vector))
    return sa.text(
        f"INSERT INTO {table} ({names}) VALUES ({values}) "
        f"ON CONFLICT (rowid) DO UPDATE SET {updates}"
    )


def _row(row: dict) -> dict:
    exact, folded = vectors(row["title"], row["lead"], row["body"])
    return {**row, EXACT: exact, FOLDED: folded}


def write(connection: sa.Connection, folded_table: str, text_table: str, row: dict) -> None:
    """Index one row (``id``, ``title``, ``lead``, ``body``: plain NFC text), or replace it."""
    full = _row(row)
    connection.execute(_upsert(text_table, ("title", "lead", "body"), EXACT), full)
    connection.execute(_upsert(folded_table, (), FOLDED), full)


def write_many(
    connection: sa.Connection, folded_table: str, text_table: str, rows: Iterable[dict]
) -> int:
    """Index many rows, BATCH rows a statement; returns how many."""
    count = 0
    text_insert = _upsert(text_table, ("title", "lead", "body"), EXACT)
    folded_insert = _upsert(folded_table, (), FOLDED)
    for batch in _batches((_row(r) for r in rows), BATCH):
        connection.execute(text_insert, batch)
        connection.execute(folded_insert, batch)
        count += len(batch)
    return count


def _batches(items: Iterable[dict], size: int) -> Iterator[list[dict]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def remove(connection: sa.Connection, folded_table: str, text_table: str, key: int) -> None:
    for table in (folded_table, text_table):
        connection.execute(sa.text(f"DELETE FROM {table} WHERE rowid = :id"), {"id": key})


def clear(connection: sa.Connection, folded_table: str, text_table: str) -> None:
    """Empty both tables before a rebuild. DELETE, not TRUNCATE: readers go on searching the
    old rows until the rebuild commits, instead of waiting for its lock."""
    for table in (folded_table, text_table):
        connection.execute(sa.text(f"DELETE FROM {table}"))


def analyze(connection: sa.Connection, *tables: str) -> None:
    """Fresh statistics after a rebuild: the planner estimates how many rows a word
    matches from them (a rare word: the GIN index; a common one: the newest rows first)."""
    for table in tables:
        connection.execute(sa.text(f"ANALYZE {table}"))


# ---------------------------------------------------------------- ranking (articles)

# Published articles not due yet (scheduled) are indexed and held back at query time, as on
# SQLite: the model's rule, rendered once for PostgreSQL with :now left bound.
_NOT_HIDDEN = "s.rowid NOT IN ({})".format(
    sa.select(Article.id)
    .where(Article.scheduled_clause(sa.literal_column(":now")))
    .compile(dialect=pg_dialect.dialect(), compile_kwargs={"literal_binds": True})
)


def _rank(alias: str, column: str, parameter: str) -> str:
    return (
        f"-ts_rank('{WEIGHTS}', {alias}.{column}, CAST(:{parameter} AS tsquery), {NORMALISATION})"
    )


def column(table: str, text_table: str) -> str:
    return EXACT if table == text_table else FOLDED


def ranking_sql(kind: str, table: str, text_table: str) -> str:
    """The article search's statements (bantin.search.ranking), PostgreSQL variant.

    Same parameters and results as the FTS5 ones: ``count`` (visible matches up to :cap),
    ``ranked`` (one page of the newest :window matches, by score, then newest), ``rest``
    (the same over the folded window, without the rows of the :exact tier). Scores are
    negated ts_rank so that, as with bm25, lower is better.
    """
    col = column(table, text_table)
    match = f"s.{col} @@ CAST(:match AS tsquery)"
    # The newest :window visible matches; ranks are computed for these rows only.
    window = (
        f"SELECT s.rowid AS id FROM {table} s WHERE {match} AND {_NOT_HIDDEN} "
        "ORDER BY s.rowid DESC LIMIT :window"
    )
    if kind == "count":
        return (
            f"SELECT count(*) FROM (SELECT 1 FROM {table} s WHERE {match} AND {_NOT_HIDDEN} "
            "LIMIT :cap) AS found"
        )
    if kind == "ranked":
        return (
            f"SELECT w.id, {_rank('s', col, 'match')} AS score FROM ({window}) AS w "
            f"JOIN {table} s ON s.rowid = w.id ORDER BY score, w.id DESC "
            "LIMIT :limit OFFSET :offset"
        )
    if kind == "rest":
        return (
            f"WITH win AS MATERIALIZED ({window}) "
            f"SELECT w.id, {_rank('s', col, 'match')} AS score FROM win w "
            f"JOIN {table} s ON s.rowid = w.id JOIN {text_table} t ON t.rowid = w.id "
            f"WHERE NOT t.{EXACT} @@ CAST(:exact AS tsquery) "
            "ORDER BY score, w.id DESC LIMIT :limit OFFSET :offset"
        )
    raise ValueError(kind)


def best_sql(table: str, text_table: str) -> str:
    """The best :limit matches by score (documents and pages: bantin.search.portal)."""
    col = column(table, text_table)
    return (
        f"SELECT s.rowid, {_rank('s', col, 'match')} AS score FROM {table} s "
        f"WHERE s.{col} @@ CAST(:match AS tsquery) ORDER BY score, s.rowid DESC LIMIT :limit"
    )
