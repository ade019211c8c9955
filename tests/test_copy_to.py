"""`flask copy-to` in batches: a small seed-bench site copied a few rows at a time, so every
table crosses batch boundaries, then compared table by table and row by row.
Run with `make test-pg`."""

import pytest
import sqlalchemy as sa

from bantin.copy_to import _batches
from bantin.extensions import db
from bantin.models import Page
from tests.conftest import ON_POSTGRESQL
from tests.test_postgresql import _empty_database, _sqlite_site

pytestmark = pytest.mark.skipif(not ON_POSTGRESQL, reason="PostgreSQL only (make test-pg)")

BATCH = 7


def _rows(conn: sa.Connection, table: sa.Table) -> list[dict]:
    order = list(table.primary_key.columns) or list(table.columns)
    return [dict(r._mapping) for r in conn.execute(sa.select(table).order_by(*order))]


def _page(title: str, parent_id: int | None = None) -> Page:
    page = Page(slug=title.lower(), title=title, body="<p>Nội dung</p>", parent_id=parent_id)
    db.session.add(page)
    db.session.flush()
    return page


def test_copy_to_in_small_batches_keeps_every_row(tmp_path, migrated_db):
    site = _sqlite_site(tmp_path)
    runner = site.test_cli_runner()
    seeded = runner.invoke(args=["seed-bench", "--articles", "40", "--comments", "150"])
    assert seeded.exit_code == 0, seeded.output
    with site.app_context():
        # A child whose parent has the larger id (moved under a page created later): the
        # parent is not in the target yet when the child's batch goes in.
        child = _page("Con")
        _page("Trước", None)
        parent = _page("Cha")
        child.parent_id = parent.id
        grandchild = _page("Chau", parent_id=child.id)
        db.session.commit()
        assert child.id < parent.id and grandchild.id > child.id
        source = db.session.connection()
        tables = db.metadata.sorted_tables
        expected = {t.name: _rows(source, t) for t in tables}
        db.session.remove()
        db.engine.dispose()
    assert len(expected["article"]) > 3 * BATCH and len(expected["comment"]) > 3 * BATCH

    url = _empty_database(tmp_path, "target")
    result = runner.invoke(args=["copy-to", url, "--batch-size", str(BATCH)])
    assert result.exit_code == 0, result.output
    assert "every count matches" in result.output
    assert "Search index rebuilt" in result.output

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            copied = {t.name: _rows(conn, t) for t in tables}
            assert {k: len(v) for k, v in copied.items()} == {
                k: len(v) for k, v in expected.items()
            }
            # Every row of the tables readers see, column by column.
            for name in ("category", "article", "comment", "page", "user", "media"):
                assert copied[name] == expected[name], name
            pages = {r["title"]: r for r in copied["page"]}
            assert pages["Con"]["parent_id"] == pages["Cha"]["id"]
            assert pages["Chau"]["parent_id"] == pages["Con"]["id"]
            # The sequences follow the copied ids.
            next_id = conn.execute(
                sa.text("SELECT nextval(pg_get_serial_sequence('article', 'id'))")
            ).scalar()
            assert next_id > max(r["id"] for r in expected["article"])
    finally:
        engine.dispose()


def test_batches_stream_in_key_order_and_hold_forward_parents_back(tmp_path, migrated_db):
    site = _sqlite_site(tmp_path)
    with site.app_context():
        first = _page("Một")
        pages = [_page(f"Trang {i}") for i in range(9)]
        first.parent_id = pages[-1].id
        pages[2].parent_id = first.id
        db.session.commit()
        first_id, last_id, third_id = first.id, pages[-1].id, pages[2].id
        batches = list(_batches(db.session.connection(), Page.__table__, 4))
        db.session.remove()
        db.engine.dispose()
    assert [len(rows) for rows, _later in batches] == [4, 4, 2]
    ids = [r["id"] for rows, _later in batches for r in rows]
    assert ids == sorted(ids)
    held = [h for _rows, later in batches for h in later]
    assert held == [{"_key": first_id, "parent_id": last_id}]
    assert batches[0][0][0]["parent_id"] is None  # inserted without it, set afterwards
    third = next(r for rows, _later in batches for r in rows if r["id"] == third_id)
    assert third["parent_id"] == first_id
