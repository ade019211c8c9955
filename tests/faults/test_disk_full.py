"""Disk full, simulated with PRAGMA max_page_count (SQLite's own size limit, no root or
loop device needed): writes answer a clear 503 page, reads keep working, nothing that
was committed is lost, and writing resumes once there is room again."""

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from bantin.extensions import db
from bantin.models import Article, Comment
from tests.faults.support import comment_form, integrity
from tests.security.conftest import sign_in
from tests.security.forms import post_forms

FULL_PAGE = "Tạm thời không thể lưu dữ liệu"

pytestmark = pytest.mark.sqlite_only("SQLite's max_page_count simulates the full disk")


class Limit:
    """Caps the database at its current size on every new connection of the app's engine."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.pages = 0

    def _on_connect(self, dbapi_connection, _record) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count={self.pages}")

    def __enter__(self):
        with self.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            self.pages = conn.exec_driver_sql("PRAGMA page_count").scalar()
        event.listen(self.engine, "connect", self._on_connect)
        self.engine.dispose()
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "connect", self._on_connect)
        self.engine.dispose()


def _post_comment(client, path: str, content: str):
    page = client.get(path)
    assert page.status_code == 200
    form = comment_form(page.get_data(as_text=True))
    if form is None:
        return page, None
    data = form.data(name="Bạn đọc", content=content, captcha="TEST1", email="", address="")
    return page, client.post(form.action.split("#")[0], data=data)


@pytest.fixture
def site(app, factory):
    article = factory.article(title="Bài viết trước khi đầy đĩa")
    factory.settings(comments_require_approval=False)
    admin = factory.user("admin")
    client = app.test_client()
    path = f"/article/{article.id}/{article.slug}"
    _page, reply = _post_comment(client, path, "Ý kiến đã lưu trước khi đầy đĩa.")
    assert reply.status_code == 303
    return app, client, article, admin, path


def test_full_disk_writes_503_reads_work_nothing_lost(site, tmp_path):
    app, client, article, admin, path = site
    filler = "Nội dung rất dài để lấp đầy trang cơ sở dữ liệu. " * 60
    with Limit(db.engine):
        statuses = []
        for n in range(200):
            page, reply = _post_comment(client, path, f"{n}: {filler}")
            # The article page keeps working whatever happens to the writes.
            assert page.status_code == 200
            if reply is None:  # no room even for the captcha challenge: form withheld
                statuses.append("no-form")
                break
            statuses.append(reply.status_code)
            if reply.status_code == 503:
                assert FULL_PAGE in reply.get_data(as_text=True)
                assert "Traceback" not in reply.get_data(as_text=True)
                break
            assert reply.status_code == 303
        assert statuses[-1] in (503, "no-form"), statuses

        # Reads keep working: home, category, article (uncounted), feeds, search, health.
        for url in ("/", f"/category/{article.category.slug}", path, "/feed.xml", "/healthz"):
            response = client.get(url, buffered=True)
            assert response.status_code == 200, url
        # An editor's save is refused with the same page, not a traceback.
        sign_in(client, admin)
        new = client.get("/editor/articles/new")
        assert new.status_code == 200
        form = next(f for f in post_forms(new.get_data(as_text=True)) if "title" in f.fields)
        data = form.data(
            title="Bài viết mới khi đầy đĩa",
            lead="Sa-pô.",
            body="<p>" + filler * 20 + "</p>",
            category_id=str(article.category_id),
            status="draft",
        )
        save = client.post(form.action or "/editor/articles/new", data=data)
        assert save.status_code == 503, save.status_code
        assert FULL_PAGE in save.get_data(as_text=True)
    # Everything committed before and during is intact; writing works again.
    db.session.remove()
    db_path = tmp_path / "bantin.db"
    assert integrity(db_path) == "ok"
    contents = db.session.scalars(sa.select(Comment.content)).all()
    assert "Ý kiến đã lưu trước khi đầy đĩa." in contents
    accepted = sum(1 for s in statuses if s == 303)
    assert len(contents) == 1 + accepted
    assert db.session.get(Article, article.id).title == "Bài viết trước khi đầy đĩa"
    _page, reply = _post_comment(app.test_client(), path, "Ý kiến sau khi có chỗ trống.")
    assert reply.status_code == 303
