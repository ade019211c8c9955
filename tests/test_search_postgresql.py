"""Search on PostgreSQL (bantin.search.postgresql): the tsvector rows kept in step inside the
article's, document's or page's own transaction, the GIN indexes, the weights, the plans.

The behaviour readers see is tested on both engines by test_search.py and
test_search_kinds.py; this module holds what only PostgreSQL has. The first tests (vectors
and queries as text) need no database and run on both engines.
"""

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from bantin import search
from bantin.clock import utcnow
from bantin.extensions import db
from bantin.models import (
    Article,
    ArticleStatus,
    DocumentStatus,
    DocumentTerm,
    OfficialDocument,
    Page,
    PageStatus,
    TermKind,
)
from bantin.search import portal, postgresql

# ---------------------------------------------------------------- vectors and queries as text


def test_vectors_hold_every_word_with_its_place_and_weight():
    exact, folded = postgresql.vectors("Đường liên thôn", "Covid-19 và ĐƯỜNG", "hòa hoà 1/QC")
    assert exact == (
        "'đường':1A,7B 'liên':2A 'thôn':3A 'covid':4B '19':5B 'và':6B "
        "'hòa':8C 'hoà':9C '1':10C 'qc':11C"
    )
    # Folded: lowercase, no marks, đ -> d; the two spellings of hòa are one word.
    assert folded == (
        "'duong':1A,7B 'lien':2A 'thon':3A 'covid':4B '19':5B 'va':6B 'hoa':8C,9C '1':10C 'qc':11C"
    )


def test_queries_are_quoted_words_never_operators():
    q = search.parse_query("ban hòa")
    assert postgresql.folded_query(q) == "'ban' & 'hoa'"
    assert postgresql.typed_query(q) == "'ban' & ('hòa' | 'hoà')"
    assert postgresql.typed_query(search.parse_query("ban hoa")) is None
    hostile = search.parse_query("dan & !van | x:* <-> 'y' \\z")
    assert postgresql.folded_query(hostile) == "'dan' & 'van' & 'x' & 'y' & 'z'"


# ---------------------------------------------------------------- PostgreSQL only


@pytest.fixture
def pg(app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: its tsvector tables (FTS5 is tested by test_search.py)")
    return app


def rows(table: str) -> dict[int, str]:
    """rowid -> the tsvector as text, as this session sees it."""
    column = "exact" if table.endswith("_text") else "folded"
    stmt = sa.text(f"SELECT rowid, CAST({column} AS text) FROM {table}")
    return dict(db.session.execute(stmt).all())


def committed(table: str) -> dict[int, str]:
    """The same, as another connection sees it: what has been committed."""
    column = "exact" if table.endswith("_text") else "folded"
    with db.engine.connect() as other:
        stmt = sa.text(f"SELECT rowid, CAST({column} AS text) FROM {table}")
        return dict(other.execute(stmt).all())


def test_article_rows_follow_insert_update_delete_in_the_same_transaction(pg, factory):
    cat = factory.category()
    art = Article(
        title="Đường liên thôn",
        slug="duong",
        category=cat,
        lead="Khánh thành",
        body="<p>Bê <b>tông</b></p>",
        status=ArticleStatus.PUBLISHED,
        published_at=utcnow() - timedelta(hours=1),
    )
    db.session.add(art)
    db.session.flush()
    folded, exact = rows(search.FOLDED_TABLE)[art.id], rows(search.TEXT_TABLE)[art.id]
    for word in ("'duong':1A", "'lien':2A", "'thon':3A", "'khanh':4B", "'be':6C", "'tong':7C"):
        assert word in folded
    for word in ("'đường':1A", "'khánh':4B", "'bê':6C"):
        assert word in exact
    # Written in the article's transaction: another connection sees them at the commit.
    assert art.id not in committed(search.FOLDED_TABLE)
    db.session.commit()
    assert art.id in committed(search.FOLDED_TABLE)

    art.title = "Cầu treo"
    db.session.flush()
    assert "'cau':1A" in rows(search.FOLDED_TABLE)[art.id]
    assert "duong" not in rows(search.FOLDED_TABLE)[art.id]
    assert "'duong':1A" in committed(search.FOLDED_TABLE)[art.id]
    db.session.rollback()
    assert "'duong':1A" in rows(search.FOLDED_TABLE)[art.id]

    art.status = ArticleStatus.DRAFT
    db.session.flush()
    assert art.id not in rows(search.FOLDED_TABLE) and art.id not in rows(search.TEXT_TABLE)
    db.session.rollback()
    assert art.id in rows(search.FOLDED_TABLE)

    db.session.delete(art)
    db.session.flush()
    assert art.id not in rows(search.FOLDED_TABLE) and art.id not in rows(search.TEXT_TABLE)
    assert art.id in committed(search.TEXT_TABLE)
    db.session.commit()
    assert art.id not in committed(search.TEXT_TABLE)


def test_document_and_page_rows_follow_their_writes(pg):
    term = DocumentTerm(kind=TermKind.TYPE, name="Quyết định")
    doc = OfficialDocument(
        number="15/QĐ-UBND",
        slug="15-qd-ubnd",
        abstract="Ban hành quy chế",
        type=term,
        issued_on=date(2026, 3, 2),
        signer="Trần Văn An",
        status=DocumentStatus.PUBLISHED,
    )
    page = Page(title="Giới thiệu", slug="gioi-thieu", body="<p>Chức năng</p>")
    page.status = PageStatus.PUBLISHED
    db.session.add_all([doc, page])
    db.session.flush()
    doc_key, page_key = portal.rowid(portal.DOCUMENT, doc.id), portal.rowid(portal.PAGE, page.id)
    folded = rows(portal.FOLDED_TABLE)
    assert "'qd':6B" in folded[doc_key] and "'tran':8B" in folded[doc_key]
    assert "'gioi':1A" in folded[page_key] and "'chuc':3C" in folded[page_key]
    assert "'quyết'" not in rows(portal.TEXT_TABLE)[doc_key]  # the type is not indexed
    db.session.commit()

    doc.abstract = "Sửa đổi quy chế"
    page.status = PageStatus.DRAFT
    db.session.flush()
    assert "'sua':1A" in rows(portal.FOLDED_TABLE)[doc_key]
    assert page_key not in rows(portal.FOLDED_TABLE)
    db.session.commit()
    db.session.delete(doc)
    db.session.commit()
    assert rows(portal.FOLDED_TABLE) == {} and rows(portal.TEXT_TABLE) == {}


def test_gin_indexes_serve_the_word_lookups(pg, factory):
    indexes = dict(
        db.session.execute(
            sa.text("SELECT indexname, indexdef FROM pg_indexes WHERE tablename LIKE '%_search%'")
        ).all()
    )
    for table, column in [
        (search.FOLDED_TABLE, "folded"),
        (search.TEXT_TABLE, "exact"),
        (portal.FOLDED_TABLE, "folded"),
        (portal.TEXT_TABLE, "exact"),
    ]:
        assert f"CREATE INDEX ix_{table}_{column} ON public.{table} USING gin ({column})" in (
            indexes.values()
        )
    factory.article(title="Mưa lũ miền Trung")
    query = search.parse_query("mưa lũ")
    params = {
        "match": postgresql.folded_query(query),
        "exact": postgresql.typed_query(query),
        "now": utcnow(),
        "window": 10,
        "cap": 11,
        "limit": 20,
        "offset": 0,
    }
    # A handful of rows is read faster without an index, and a common word newest first
    # through the primary key: forbid both to see that the GIN index serves every
    # statement (with a sequential scan as the only other way left, the planner takes it
    # when an index cannot answer). On 20,000 articles it picks the GIN index by itself.
    db.session.execute(sa.text("SET LOCAL enable_seqscan = off"))
    db.session.execute(sa.text("SET LOCAL enable_indexscan = off"))
    for kind, table in [
        ("count", search.FOLDED_TABLE),
        ("ranked", search.FOLDED_TABLE),
        ("ranked", search.TEXT_TABLE),
        ("rest", search.FOLDED_TABLE),
    ]:
        sql = str(search.ranking._statement(kind, table, "postgresql"))
        if kind == "ranked" and table == search.TEXT_TABLE:
            params["match"] = postgresql.typed_query(query)
        plan = "\n".join(db.session.execute(sa.text("EXPLAIN " + sql), params).scalars().all())
        column = "exact" if table == search.TEXT_TABLE else "folded"
        assert f"Bitmap Index Scan on ix_{table}_{column}" in plan, plan
        assert not re.search(r"Seq Scan on article\b", plan), plan
    db.session.rollback()


def test_weights_title_then_lead_then_body_whatever_the_repeats(pg, factory):
    cat = factory.category()
    in_body = factory.article(
        cat, title="Một", lead="Hai", body="<p>" + "khoai " * 50 + "</p>", age=timedelta(hours=1)
    )
    in_lead = factory.article(
        cat, title="Ba", lead="Trồng khoai", body="<p>x</p>", age=timedelta(days=2)
    )
    in_title = factory.article(
        cat, title="Khoai lang", lead="Bốn", body="<p>y</p>", age=timedelta(days=3)
    )
    found = [h.article.id for h in search.search(search.parse_query("khoai")).hits]
    assert found == [in_title.id, in_lead.id, in_body.id]
    scores = db.session.execute(
        sa.text(
            "SELECT rowid, ts_rank(CAST(:w AS real[]), folded, CAST('khoai' AS tsquery), :n) "
            f"FROM {search.FOLDED_TABLE} ORDER BY 2 DESC"
        ),
        {"w": postgresql.WEIGHTS, "n": postgresql.NORMALISATION},
    ).all()
    assert [r[0] for r in scores] == found
    assert scores[0][1] > scores[1][1] > scores[2][1] > 0


def test_reindex_restores_a_lost_index_and_the_statistics(pg, factory, runner):
    arts = [factory.article(title=f"Đê điều số {i}") for i in range(3)]
    db.session.execute(sa.text(f"DELETE FROM {search.FOLDED_TABLE}"))
    db.session.execute(sa.text(f"DELETE FROM {search.TEXT_TABLE}"))
    db.session.commit()
    assert search.search(search.parse_query("de dieu")).total == 0
    result = runner.invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "3 articles" in result.output
    assert {h.article.id for h in search.search(search.parse_query("de dieu")).hits} == {
        a.id for a in arts
    }
    analysed = db.session.scalar(
        sa.text("SELECT count(*) FROM pg_stats WHERE tablename = :t AND attname = 'folded'"),
        {"t": search.FOLDED_TABLE},
    )
    assert analysed == 1


def test_migration_0014_builds_the_index_from_existing_rows(pg, factory):
    from flask_migrate import downgrade, upgrade

    art_id = factory.article(title="Lịch tiếp công dân").id
    db.session.remove()
    downgrade(revision="0013")
    names = set(sa.inspect(db.engine).get_table_names())
    assert not {search.FOLDED_TABLE, search.TEXT_TABLE, *portal.TABLES} & names
    upgrade()
    found = search.search(search.parse_query("tiep cong dan")).hits
    assert [h.article.id for h in found] == [art_id]


def test_huge_words_and_bodies_of_pasted_data_still_save_and_are_found(factory):
    """A word PostgreSQL cannot take as a lexeme (over 2 KiB) and a body whose distinct words
    pass the 1 MiB a tsvector may hold are left out of the vectors, not refused (both
    engines: FTS5 indexes them)."""
    token = "x" * 3000
    pasted = " ".join(f"m{i:07d}" for i in range(130_000))  # 130,000 distinct 8-byte words
    art = factory.article(title="Dữ liệu dán vào", body=f"<p>{token} đê điều {pasted}</p>")
    assert [h.article.id for h in search.search(search.parse_query("du lieu")).hits] == [art.id]
    assert [h.article.id for h in search.search(search.parse_query("de dieu")).hits] == [art.id]
    exact, folded = postgresql.vectors("t", "", f"{token} a {pasted}")
    assert token not in exact and "'a':3C" in exact and "'t':1A" in folded
    words = re.findall(r"'([^']*)':([\dABC,]+)", exact)
    assert 80_000 < len(words) < 130_000  # about 12 bytes each: 83,000 words
    size = sum(len(w) + len(w) % 2 + 2 + 2 * len(spots.split(",")) for w, spots in words)
    assert size <= postgresql.MAX_VECTOR_BYTES
