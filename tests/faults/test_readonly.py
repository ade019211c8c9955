"""A read-only database (a read-only mount, wrong permissions after a restore, or a
deliberate maintenance mode): readers are served, and editing says clearly that it is
unavailable (503) instead of failing with a traceback."""

import os

import pytest

from bantin.extensions import db
from tests.faults.support import query

READONLY_PAGE = "Tạm thời không thể chỉnh sửa"


def _sign_in(client, user_id: str) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True


@pytest.fixture
def prepared(app, factory, tmp_path):
    """Content written normally, then every connection closed."""
    article = factory.article(title="Bài viết đọc được")
    factory.settings(site_name="Bản tin xã")
    admin = factory.user("admin")
    data = {
        "article_path": f"/article/{article.id}/{article.slug}",
        "category_path": f"/category/{article.category.slug}",
        "article_id": article.id,
        "admin_email": admin.email,
        "admin_id": admin.get_id(),
    }
    db.session.execute(db.text("PRAGMA wal_checkpoint(TRUNCATE)"))
    db.session.remove()
    db.engine.dispose()
    return data, tmp_path / "bantin.db"


def _check_readonly_site(ro_app, data, db_path):
    client = ro_app.test_client()
    views_before = query(db_path, "SELECT view_count FROM article")[0][0]
    for url in ("/", data["category_path"], data["article_path"], "/feed.xml", "/healthz"):
        response = client.get(url, buffered=True)
        assert response.status_code == 200, url
    article = client.get(data["article_path"]).get_data(as_text=True)
    assert "Bài viết đọc được" in article and "Bản tin xã" in article
    assert query(db_path, "SELECT view_count FROM article")[0][0] == views_before
    assert client.get("/search?q=doc").status_code == 200

    # Writes from readers: a clear 503 page.
    comment = client.post(
        f"/article/{data['article_id']}/comments",
        data={"name": "Bạn đọc", "content": "Ý kiến", "captcha": "TEST1"},
    )
    assert comment.status_code == 503
    assert READONLY_PAGE in comment.get_data(as_text=True)
    login = client.post("/login", data={"email": data["admin_email"], "password": "x"})
    assert login.status_code == 503

    # The editor: every page says editing is unavailable, and saves are refused.
    _sign_in(client, data["admin_id"])
    for url in ("/editor/", "/editor/articles", "/editor/articles/new"):
        response = client.get(url)
        assert response.status_code == 503, url
        body = response.get_data(as_text=True)
        assert READONLY_PAGE in body and "Traceback" not in body
        assert response.headers["Retry-After"]
    save = client.post("/editor/articles/new", data={"title": "Không lưu được"})
    assert save.status_code == 503
    # Signing out needs no write and still works.
    assert client.post("/logout").status_code in (302, 303)


def test_read_only_uri_serves_readers_and_refuses_editing(prepared, app_factory):
    data, db_path = prepared
    ro_app = app_factory(SQLALCHEMY_DATABASE_URI=f"sqlite:///file:{db_path}?mode=ro&uri=true")
    with ro_app.app_context():
        _check_readonly_site(ro_app, data, db_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_file_permissions(prepared, app_factory):
    data, db_path = prepared
    db_path.chmod(0o444)
    try:
        ro_app = app_factory()
        with ro_app.app_context():
            _check_readonly_site(ro_app, data, db_path)
    finally:
        db_path.chmod(0o644)


def test_writable_again_after_the_fix(prepared, app_factory):
    data, db_path = prepared
    app = app_factory()
    client = app.test_client()
    _sign_in(client, data["admin_id"])
    assert client.get("/editor/").status_code == 200
