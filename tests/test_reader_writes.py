"""A reader's GET never writes, except the view counters' own short committed transaction.

A GET that wrote (creating a missing settings row) held SQLite's write lock until its
request ended and stalled every reader behind it (tests/faults/test_editor_stall.py).
"""

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from bantin.extensions import db
from bantin.models import SiteSettings, WebLink

COUNTERS = (
    "INSERT INTO daily_stats ",
    "UPDATE article SET view_count = view_count + 1 ",
    "INSERT INTO article_daily_views ",
)


@pytest.fixture
def statements(app):
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()))

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


def _writes(statements: list[str]) -> list[str]:
    return [s for s in statements if s.split(" ", 1)[0].upper() in {"INSERT", "UPDATE", "DELETE"}]


def test_reader_pages_write_nothing_but_the_counters(client, factory, statements):
    category = factory.category("Tin tức")
    article = factory.article(category, title="Bài đọc thử")
    # A database whose settings row is missing (made before it came with the migration),
    # and a content change just now: the layout is rebuilt on the next page.
    db.session.execute(sa.delete(SiteSettings))
    db.session.add(WebLink(title="Cổng thông tin", url="https://example.vn"))
    db.session.commit()
    statements.clear()
    paths = [
        "/",
        f"/category/{category.slug}",
        f"/article/{article.id}/{article.slug}",
        f"/article/{article.id}",
        "/search?q=bai+doc",
        "/feed.xml",
        f"/category/{category.slug}/feed.xml",
        "/sitemap.xml",
        "/robots.txt",
        "/healthz",
        "/login",
        "/article/999999/khong-co",
    ]
    for path in paths:
        assert client.get(path).status_code in {200, 301, 404}, path
    writes = _writes(statements)
    assert writes, "the article page counts its view"
    assert all(w.startswith(COUNTERS) for w in writes), [
        w for w in writes if not w.startswith(COUNTERS)
    ]
    assert db.session.get(SiteSettings, 1) is None  # read as defaults, never created by a GET


@pytest.mark.sqlite_only("the SQLite write queue")
def test_queueing_to_write_with_an_uncommitted_write_fails_loudly(app, factory):
    from bantin.database import write_lock

    article = factory.article()
    article.title = "Chưa lưu"
    db.session.flush()  # an uncommitted write: SQLite's write lock is held
    with pytest.raises(AssertionError, match="uncommitted write"), write_lock():
        pass
    db.session.rollback()


def test_the_health_check_runs_one_statement(client, statements):
    """/healthz asks the database one question: no content version, no settings for the
    CSP of a plain-text answer (issue 16's profile)."""
    client.get("/healthz")  # the first request may load what a worker loads once
    statements.clear()
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok"
    assert statements == ["SELECT 1"]
    assert "Content-Security-Policy" in response.headers
