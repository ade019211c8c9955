"""Search over the portal's other kinds: official documents and pages.

The same two-table design as the articles' index (bantin.search.index), in two tables of
its own so the article search, tuned for 100,000 articles, keeps its plans:

- ``portal_search_text`` holds the plain text as written (the exact-diacritics tier and the
  snippets); ``portal_search`` is contentless and indexes the same text folded (đ -> d here,
  every other mark removed by the tokenizer).
- One rowid space for both kinds: ``ref * 4 + code`` (1 a document, 2 a page).
- Indexed while published. A page under an unpublished parent is indexed but held back at
  query time (``visible_pages``), like a scheduled article.

Documents index their abstract (trích yếu) as the title and their number and signer as the
lead; pages their title and text, Vietnamese and English, so an English reader finds them.
The office has hundreds of these, not hundreds of thousands: each query ranks every match
(``MAX_MATCHES``) and pages in Python.

On PostgreSQL the two names are ``tsvector`` tables with GIN indexes (bantin.search.postgresql,
migration 0014), written and read through the same functions.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import event

from bantin.extensions import db
from bantin.models import (
    DocumentStatus,
    OfficialDocument,
    Page,
    PageStatus,
)
from bantin.search import postgresql
from bantin.search.index import PORTAL_TABLES, plain_text
from bantin.search.query import SearchQuery, fold_d
from bantin.text import nfc

FOLDED_TABLE, TEXT_TABLE = PORTAL_TABLES
CREATE_STATEMENTS = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {TEXT_TABLE} USING fts5("
    "title, lead, body, tokenize = 'unicode61 remove_diacritics 0')",
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FOLDED_TABLE} USING fts5("
    "title, lead, body, content = '', tokenize = 'unicode61 remove_diacritics 2')",
)
DROP_STATEMENTS = (f"DROP TABLE IF EXISTS {FOLDED_TABLE}", f"DROP TABLE IF EXISTS {TEXT_TABLE}")
TABLES = (FOLDED_TABLE, TEXT_TABLE)

DOCUMENT, PAGE = "document", "page"
_CODES = {DOCUMENT: 1, PAGE: 2}
_KINDS = {code: kind for kind, code in _CODES.items()}
# The most matches ranked per query (an office's documents and pages are far fewer).
MAX_MATCHES = 500
WEIGHTS = "10.0, 4.0, 1.0"  # title, lead, body (as the articles')


def rowid(kind: str, ref: int) -> int:
    return ref * 4 + _CODES[kind]


def split_rowid(value: int) -> tuple[str, int]:
    return _KINDS[value % 4], value // 4


# ---------------------------------------------------------------- indexing

_INSERT = {
    table: sa.text(
        f"INSERT INTO {table} (rowid, title, lead, body) VALUES (:id, :title, :lead, :body)"
    )
    for table in TABLES
}
_DELETE_FOLDED = sa.text(
    f"INSERT INTO {FOLDED_TABLE} ({FOLDED_TABLE}, rowid, title, lead, body) "
    "VALUES ('delete', :id, :title, :lead, :body)"
)
_DELETE_TEXT = sa.text(f"DELETE FROM {TEXT_TABLE} WHERE rowid = :id")
_SELECT_TEXT = sa.text(f"SELECT title, lead, body FROM {TEXT_TABLE} WHERE rowid = :id")

_doc = OfficialDocument.__table__
_page = Page.__table__
_DOCUMENT_SOURCE = sa.select(_doc.c.number, _doc.c.abstract, _doc.c.signer, _doc.c.status).where(
    _doc.c.id == sa.bindparam("id")
)
_PAGE_SOURCE = sa.select(
    _page.c.title, _page.c.body, _page.c.title_en, _page.c.body_en, _page.c.status
).where(_page.c.id == sa.bindparam("id"))


def _folded(row: dict) -> dict:
    return {**row, **{k: fold_d(row[k]) for k in ("title", "lead", "body")}}


def _remove(connection: sa.Connection, key: int) -> None:
    if postgresql.is_postgresql(connection):
        postgresql.remove(connection, FOLDED_TABLE, TEXT_TABLE, key)
        return
    old = connection.execute(_SELECT_TEXT, {"id": key}).first()
    if old is not None:
        row = {"id": key, "title": old[0], "lead": old[1], "body": old[2]}
        connection.execute(_DELETE_FOLDED, _folded(row))
        connection.execute(_DELETE_TEXT, {"id": key})


def _add(connection: sa.Connection, row: dict) -> None:
    if postgresql.is_postgresql(connection):
        postgresql.write(connection, FOLDED_TABLE, TEXT_TABLE, row)
        return
    connection.execute(_INSERT[TEXT_TABLE], row)
    connection.execute(_INSERT[FOLDED_TABLE], _folded(row))


def _document_row(ref: int, source) -> dict:
    return {
        "id": rowid(DOCUMENT, ref),
        "title": nfc(source.abstract or ""),
        "lead": nfc(f"{source.number} {source.signer or ''}".strip()),
        "body": "",
    }


def _page_row(ref: int, source) -> dict:
    title = " ".join(nfc(t) for t in (source.title, source.title_en) if t)
    body = " ".join(plain_text(b) for b in (source.body, source.body_en) if b)
    return {"id": rowid(PAGE, ref), "title": title, "lead": "", "body": body}


def sync_document(connection: sa.Connection, ref: int) -> None:
    """One document's entry in line with its row: indexed while published."""
    _remove(connection, rowid(DOCUMENT, ref))
    source = connection.execute(_DOCUMENT_SOURCE, {"id": ref}).first()
    if source is not None and source.status == DocumentStatus.PUBLISHED:
        _add(connection, _document_row(ref, source))


def sync_page(connection: sa.Connection, ref: int) -> None:
    """One page's entry in line with its row: indexed while published."""
    _remove(connection, rowid(PAGE, ref))
    source = connection.execute(_PAGE_SOURCE, {"id": ref}).first()
    if source is not None and source.status == PageStatus.PUBLISHED:
        _add(connection, _page_row(ref, source))


def reindex(connection: sa.Connection | None = None) -> int:
    """Rebuild both tables from the documents and pages; the number of entries indexed."""
    conn = connection if connection is not None else db.session.connection()
    on_postgresql = postgresql.is_postgresql(conn)
    if on_postgresql:
        postgresql.clear(conn, FOLDED_TABLE, TEXT_TABLE)
    else:
        for statement in (*DROP_STATEMENTS, *CREATE_STATEMENTS):
            conn.execute(sa.text(statement))
    count = 0
    documents = sa.select(_doc.c.id, *_DOCUMENT_SOURCE.selected_columns).where(
        _doc.c.status == DocumentStatus.PUBLISHED
    )
    for source in conn.execute(documents):
        _add(conn, _document_row(source.id, source))
        count += 1
    pages = sa.select(_page.c.id, *_PAGE_SOURCE.selected_columns).where(
        _page.c.status == PageStatus.PUBLISHED
    )
    for source in conn.execute(pages):
        _add(conn, _page_row(source.id, source))
        count += 1
    if on_postgresql:
        postgresql.analyze(conn, FOLDED_TABLE, TEXT_TABLE)
    if connection is None:
        db.session.commit()
    return count


_WATCHED = {
    OfficialDocument: (sync_document, ("number", "abstract", "signer", "status")),
    Page: (sync_page, ("title", "body", "title_en", "body_en", "status")),
}


def _after_write(mapper, connection: sa.Connection, target) -> None:
    sync, attributes = _WATCHED[type(target)]
    state = sa.inspect(target)
    if any(state.attrs[name].history.has_changes() for name in attributes):
        # The UPDATE has run: the row holds the new values, even for attributes not loaded.
        sync(connection, target.id)


def _after_insert(mapper, connection: sa.Connection, target) -> None:
    _WATCHED[type(target)][0](connection, target.id)


def _after_delete(mapper, connection: sa.Connection, target) -> None:
    kind = DOCUMENT if isinstance(target, OfficialDocument) else PAGE
    _remove(connection, rowid(kind, target.id))


_LISTENERS = (
    ("after_insert", _after_insert),
    ("after_update", _after_write),
    ("after_delete", _after_delete),
)


def register_listeners() -> None:
    """Keep the index in step with every ORM write of a document or page (create_app)."""
    for model in _WATCHED:
        for name, listener in _LISTENERS:
            if not event.contains(model, name, listener):
                event.listen(model, name, listener)


# ---------------------------------------------------------------- matching


@dataclass(frozen=True)
class Match:
    kind: str
    ref: int
    tier: int  # 0: the words as typed, with their diacritics; 1: folded only
    score: float


def _ids(table: str, match: str) -> dict[int, float]:
    """rowid -> score (lower is better) of the best MAX_MATCHES matches."""
    if postgresql.is_postgresql(db.session):
        sql = postgresql.best_sql(table, TEXT_TABLE)
    else:
        sql = (
            f"SELECT rowid, bm25({table}, {WEIGHTS}) FROM {table} WHERE {table} MATCH :match "
            "ORDER BY rank LIMIT :limit"
        )
    rows = db.session.execute(sa.text(sql), {"match": match, "limit": MAX_MATCHES})
    return dict(rows.all())


def matches(query: SearchQuery, kinds: tuple[str, ...] = (DOCUMENT, PAGE)) -> list[Match]:
    """Every visible match of these kinds: the exact tier first, then bm25, then newest."""
    if not query.ok:
        return []
    if postgresql.is_postgresql(db.session):
        folded_match, typed = postgresql.folded_query(query), postgresql.typed_query(query)
    else:
        folded_match, typed = query.folded_match(), query.typed_match()
    folded = _ids(FOLDED_TABLE, folded_match)
    exact = _ids(TEXT_TABLE, typed) if typed and folded else {}
    found = []
    for key, score in folded.items():
        kind, ref = split_rowid(key)
        if kind in kinds:
            tier = 0 if key in exact else 1
            found.append(Match(kind, ref, tier, exact.get(key, score)))
    hidden = hidden_pages({m.ref for m in found if m.kind == PAGE})
    found = [m for m in found if not (m.kind == PAGE and m.ref in hidden)]
    return sorted(found, key=lambda m: (m.tier, m.score, -m.ref))


def page_paths() -> dict[int, tuple[list[str], bool]]:
    """page id -> (its chain of slugs from the root, visible: it and every ancestor
    published). One read of the small page table."""
    rows = {
        r.id: r
        for r in db.session.execute(
            sa.select(_page.c.id, _page.c.parent_id, _page.c.slug, _page.c.status)
        )
    }
    result: dict[int, tuple[list[str], bool]] = {}

    def walk(page_id: int, seen: frozenset[int]) -> tuple[list[str], bool]:
        if page_id in result:
            return result[page_id]
        row = rows[page_id]
        visible = row.status == PageStatus.PUBLISHED
        if row.parent_id is None or row.parent_id not in rows or row.parent_id in seen:
            chain, parent_visible = [], row.parent_id is None
        else:
            chain, parent_visible = walk(row.parent_id, seen | {page_id})
        result[page_id] = ([*chain, row.slug], visible and parent_visible)
        return result[page_id]

    for page_id in rows:
        walk(page_id, frozenset())
    return result


def hidden_pages(ids: set[int]) -> set[int]:
    """Which of these pages readers cannot reach (an unpublished ancestor)."""
    if not ids:
        return set()
    paths = page_paths()
    return {i for i in ids if not paths.get(i, ([], False))[1]}


def texts(keys: list[int]) -> dict[int, tuple[str, str, str]]:
    """rowid -> (title, lead, body) as indexed (for highlighting and snippets)."""
    if not keys:
        return {}
    stmt = sa.text(
        f"SELECT rowid, title, lead, body FROM {TEXT_TABLE} WHERE rowid IN :ids"
    ).bindparams(sa.bindparam("ids", expanding=True))
    return {row[0]: (row[1], row[2], row[3]) for row in db.session.execute(stmt, {"ids": keys})}
