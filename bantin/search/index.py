"""Search index maintenance: the two FTS5 tables, kept in step with articles.

Two FTS5 tables, written together inside the article's own transaction:

- ``article_search_text`` stores each indexed article's plain text (title, lead, body
  without HTML, NFC) and indexes its words as written (case-folded by the tokenizer,
  diacritics kept). It finds and ranks the exact-diacritic matches and supplies the text
  for snippets.
- ``article_search`` is contentless and indexes the same text *folded*: đ/Đ are replaced
  by d/D here, and the tokenizer (``unicode61 remove_diacritics 2``) lowercases and removes
  every other mark in C; query words go through the same two steps (bantin.search.query),
  so both sides always agree. Removing a row from a contentless table needs the values that
  were indexed; they come from ``article_search_text``, so the two never drift.

Only published articles are indexed: drafts and the trash leave the index when their
status changes. Scheduled articles are indexed and held back at query time
(bantin.search.ranking). SQLAlchemy mapper events keep the index in step on every ORM
write path, so callers need do nothing; bulk Core writes (benchmark data) call
``reindex()`` afterwards.

On PostgreSQL the same two names are plain tables holding ``tsvector`` columns with GIN
indexes (bantin.search.postgresql, migration 0014); every function here picks its engine's
variant from the connection it is given.
"""

from __future__ import annotations

import html as html_lib
import re

import click
import sqlalchemy as sa
from flask.cli import AppGroup
from sqlalchemy import event

from bantin import cache
from bantin.extensions import db
from bantin.models import Article, ArticleStatus
from bantin.search import postgresql
from bantin.search.query import fold_d
from bantin.text import nfc

FOLDED_TABLE = "article_search"
TEXT_TABLE = "article_search_text"
# The documents' and pages' tables (bantin.search.portal, which imports this module).
PORTAL_TABLES = ("portal_search", "portal_search_text")
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
# FTS5 buffers this much of a bulk load in memory before writing a segment (default 1 MB).
_BULK_HASHSIZE = 64 * 1024 * 1024
_DEFAULT_HASHSIZE = 1024 * 1024


def is_search_table(name: str) -> bool:
    """True for the FTS5 tables and their shadow tables (schema comparisons skip them)."""
    return any(
        name == base or name in {base + suffix for suffix in _SHADOW_SUFFIXES}
        for base in (FOLDED_TABLE, TEXT_TABLE, *PORTAL_TABLES)
    )


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


def _text_row(article_id: int, title: str | None, lead: str | None, body: str | None) -> dict:
    return {"id": article_id, "title": nfc(title), "lead": nfc(lead), "body": plain_text(body)}


def sync_article(connection: sa.Connection, article_id: int) -> None:
    """Bring one article's index entry in line with its row: indexed while published."""
    source = connection.execute(_SELECT_SOURCE, {"id": article_id}).first()
    published = source is not None and source.status == ArticleStatus.PUBLISHED
    if postgresql.is_postgresql(connection):
        if published:
            row = _text_row(article_id, source.title, source.lead, source.body)
            postgresql.write(connection, FOLDED_TABLE, TEXT_TABLE, row)
        else:
            postgresql.remove(connection, FOLDED_TABLE, TEXT_TABLE, article_id)
        return
    _remove(connection, article_id)
    if not published:
        return
    row = _text_row(article_id, source.title, source.lead, source.body)
    connection.execute(_INSERT_TEXT, row)
    connection.execute(
        _INSERT_FOLDED, _folded_row(article_id, row["title"], row["lead"], row["body"])
    )


def _fold_d_sql(column: str) -> str:
    return f"replace(replace({column}, 'đ', 'd'), 'Đ', 'D')"


def reindex(connection: sa.Connection | None = None) -> int:
    """Rebuild both tables from the article table; returns the number of articles indexed.

    Two INSERT ... SELECT passes: HTML is stripped by an SQL function registered on this
    connection, the tokenizers do the rest in C. Without a connection it uses the session's
    and commits; with one (a migration) the caller owns the transaction.
    """
    conn = connection if connection is not None else db.session.connection()
    if postgresql.is_postgresql(conn):
        indexed = _reindex_postgresql(conn)
        if connection is None:
            db.session.commit()
        return indexed
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


def _reindex_postgresql(conn: sa.Connection) -> int:
    """Both tables rebuilt in one transaction, the text made plain in Python (as the listeners
    do), the articles read and written in batches of postgresql.BATCH."""
    postgresql.clear(conn, FOLDED_TABLE, TEXT_TABLE)
    after = sa.bindparam("after")
    published = (
        sa.select(_article.c.id, _article.c.title, _article.c.lead, _article.c.body)
        .where(_article.c.status == ArticleStatus.PUBLISHED, _article.c.id > after)
        .order_by(_article.c.id)
        .limit(postgresql.BATCH)
    )
    indexed, last = 0, 0
    while batch := conn.execute(published, {"after": last}).all():
        rows = [_text_row(*source) for source in batch]
        indexed += postgresql.write_many(conn, FOLDED_TABLE, TEXT_TABLE, rows)
        last = batch[-1].id
    postgresql.analyze(conn, FOLDED_TABLE, TEXT_TABLE)
    return indexed


def _configure(conn: sa.Connection, table: str, key: str, value: int) -> None:
    conn.execute(
        sa.text(f"INSERT INTO {table} ({table}, rank) VALUES (:k, :v)"), {"k": key, "v": value}
    )


_INDEXED_ATTRIBUTES = ("title", "lead", "body", "status")


def _after_insert(mapper, connection: sa.Connection, target: Article) -> None:
    sync_article(connection, target.id)


def _after_update(mapper, connection: sa.Connection, target: Article) -> None:
    state = sa.inspect(target)
    if any(state.attrs[name].history.has_changes() for name in _INDEXED_ATTRIBUTES):
        # The UPDATE has run: the row holds the new values, even for attributes not loaded.
        sync_article(connection, target.id)


def _after_delete(mapper, connection: sa.Connection, target: Article) -> None:
    if postgresql.is_postgresql(connection):
        postgresql.remove(connection, FOLDED_TABLE, TEXT_TABLE, target.id)
    else:
        _remove(connection, target.id)


_LISTENERS = (
    ("after_insert", _after_insert),
    ("after_update", _after_update),
    ("after_delete", _after_delete),
)


def register_listeners() -> None:
    """Keep the index in step with every ORM write of an article (called by create_app;
    idempotent)."""
    for name, listener in _LISTENERS:
        if not event.contains(Article, name, listener):
            event.listen(Article, name, listener)


# ---------------------------------------------------------------- CLI

search_cli = AppGroup("search", help="Full-text search index.")


@search_cli.command("reindex")
def reindex_command() -> None:
    """Rebuild the search indexes from every article, document and page."""
    from bantin.search import portal  # it imports this module

    count = reindex()
    others = portal.reindex()
    cache.bump()  # cached result pages were built from the old index
    db.session.commit()
    click.echo(f"Search index rebuilt: {count} articles, {others} documents and pages.")
