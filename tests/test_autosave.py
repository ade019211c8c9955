"""Server-side autosave: one row per user and article, offered back only when it is worth it."""

import re
from contextlib import contextmanager
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from flask import template_rendered

from bantin import autosave
from bantin.extensions import db
from bantin.models import Article, ArticleAutosave, ArticleStatus
from tests.conftest import PASSWORD

T0 = datetime(2026, 3, 10, 2, 0, 0)  # naive UTC: 09:00:00 in Hà Nội


@pytest.fixture
def clock(app):
    now = {"value": T0}
    app.config["CLOCK"] = lambda: now["value"]

    def move(**delta):
        now["value"] = now["value"] + timedelta(**delta)
        return now["value"]

    return move


@pytest.fixture
def editor(factory, login):
    user = factory.user("editor", name="Người Viết")
    login(user)
    return user


@pytest.fixture
def article(factory):
    # Last saved an hour before T0.
    return factory.article(
        factory.category("Tin tức"),
        title="Bài đã lưu",
        lead="Sa-pô đã lưu",
        body="<p>Thân bài đã lưu.</p>",
        updated_at=T0 - timedelta(hours=1),
    )


def post(client, article_id="", **fields):
    data = {
        "article_id": str(article_id),
        "base_version": "1",
        "title": "Tiêu đề đang viết",
        "lead": "Sa-pô đang viết",
        "body": "<p>Đang viết dở</p>",
    }
    data.update(fields)
    return client.post("/editor/articles/autosave", data=data)


def rows() -> list[ArticleAutosave]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(ArticleAutosave).order_by(ArticleAutosave.id)))


@contextmanager
def rendered(app):
    """The context of every template rendered meanwhile, by template name."""
    seen: dict = {}

    def record(sender, template, context, **extra):
        seen[template.name] = context

    template_rendered.connect(record, app)
    try:
        yield seen
    finally:
        template_rendered.disconnect(record, app)


# ---------------------------------------------------------------- storing


def test_autosave_of_a_new_article_is_stored_and_answered(client, editor, clock):
    r = post(client, title="Ho\u0323p  da\u0302n ", body="<p>Xin chào<script>x()</script></p>")
    assert r.status_code == 200
    assert r.json == {
        "saved_at": "2026-03-10T02:00:00+00:00",
        "saved_at_label": "09:00:00",
        "written": True,
    }
    (row,) = rows()
    assert (row.user_id, row.slot, row.article_id, row.base_version) == (editor.id, "new", None, 1)
    assert row.title == "Họp dân"  # NFC, spaces collapsed: as a real save would store it
    assert row.body == "<p>Xin chào</p>"
    assert row.lead == "Sa-pô đang viết"
    assert row.saved_at == T0


def test_one_row_per_user_and_slot_replaced_each_time(client, editor, article, clock):
    assert post(client, article.id, title="Lần một").status_code == 200
    clock(seconds=30)
    r = post(client, article.id, title="Lần hai", base_version="")
    assert r.status_code == 200 and r.json["written"] is True
    (row,) = rows()
    assert row.title == "Lần hai" and row.slot == str(article.id)
    assert row.article_id == article.id and row.base_version is None
    assert row.saved_at == T0 + timedelta(seconds=30)
    # The new-article slot is a different row.
    post(client, title="Bài mới")
    assert sorted(r.slot for r in rows()) == sorted([str(article.id), "new"])


def test_more_than_one_write_in_five_seconds_is_ignored(client, editor, article, clock):
    post(client, article.id, title="Lần một")
    clock(seconds=3)
    r = post(client, article.id, title="Lần hai")
    assert r.status_code == 200
    assert r.json["saved_at"] == "2026-03-10T02:00:00+00:00" and r.json["written"] is False
    assert rows()[0].title == "Lần một"
    clock(seconds=3)
    assert post(client, article.id, title="Lần ba").json["written"] is True
    assert rows()[0].title == "Lần ba"


def test_an_unchanged_autosave_is_not_written_again(client, editor, article, clock):
    post(client, article.id)
    clock(seconds=40)
    r = post(client, article.id)
    assert r.json["written"] is False and r.json["saved_at"] == "2026-03-10T02:00:00+00:00"


def test_sendbeacon_form_data_with_the_csrf_field(app_factory):
    """navigator.sendBeacon(url, FormData) sends multipart/form-data with csrf_token inside."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        from tests.conftest import Factory

        user = Factory().user("editor")
        user_id = user.id
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    r = client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 303
    page = client.get("/editor/articles/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    fields = {"article_id": "", "base_version": "", "title": "Rời trang", "lead": "", "body": ""}
    refused = client.post(
        "/editor/articles/autosave", data=fields, content_type="multipart/form-data"
    )
    assert refused.status_code == 400
    r = client.post(
        "/editor/articles/autosave",
        data={**fields, "csrf_token": token},
        content_type="multipart/form-data",
    )
    assert r.status_code == 200, r.get_data(as_text=True)[:300]
    with app.app_context():
        row = db.session.scalars(sa.select(ArticleAutosave)).one()
        assert (row.user_id, row.title) == (user_id, "Rời trang")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"article_id": "abc"}, "không hợp lệ"),
        ({"article_id": "1" * 25}, "không hợp lệ"),
        ({"base_version": "-1"}, "không hợp lệ"),
        ({"title": "x" * 301}, "Tiêu đề dài tối đa 300 ký tự."),
        ({"lead": "x" * 2001}, "Sa-pô dài tối đa 2000 ký tự."),
        ({"title": "a\x07b"}, "ký tự không hợp lệ"),
    ],
)
def test_bad_input_is_a_400_json_error(client, editor, fields, message):
    r = post(client, **fields)
    assert r.status_code == 400
    assert message in r.json["error"]
    assert rows() == []


def test_unknown_article_404_and_trashed_article_409(client, editor, article):
    r = post(client, 999_999)
    assert r.status_code == 404 and r.json["error"]
    article.status = ArticleStatus.DELETED
    db.session.commit()
    r = post(client, article.id)
    assert r.status_code == 409 and "thùng rác" in r.json["error"]
    assert rows() == []


def test_anonymous_and_get_are_refused(app, article):
    anonymous = app.test_client()
    r = anonymous.post("/editor/articles/autosave", data={"title": "x"})
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert rows() == []


# ---------------------------------------------------------------- offering and deleting


def test_offered_only_when_newer_and_different(app, client, editor, article, clock):
    def offered():
        with rendered(app) as seen:
            assert client.get(f"/editor/articles/{article.id}/edit").status_code == 200
        return seen["editor/articles/form.html"]["autosave"]

    assert offered() is None
    post(client, article.id, title="Bản tự lưu khác")
    row = offered()
    assert row is not None and row.title == "Bản tự lưu khác"

    # Saved elsewhere after the autosave: the autosave is stale and no longer offered, and the
    # page that says so does not write (the row stays until a POST or the purge).
    article = db.session.get(Article, article.id)
    article.updated_at = T0 + timedelta(minutes=1)
    db.session.commit()
    assert offered() is None
    assert len(rows()) == 1

    # Newer but identical to the stored article: nothing to recover.
    clock(minutes=5)
    post(
        client, article.id, title="Bài đã lưu", lead="Sa-pô đã lưu", body="<p>Thân bài đã lưu.</p>"
    )
    assert rows()[0].saved_at == T0 + timedelta(minutes=5)
    assert offered() is None


def test_new_article_page_offers_the_new_slot(app, client, editor, clock):
    with rendered(app) as seen:
        client.get("/editor/articles/new")
    assert seen["editor/articles/form.html"]["autosave"] is None
    post(client, title="Bài chưa lưu")
    with rendered(app) as seen:
        client.get("/editor/articles/new")
    assert seen["editor/articles/form.html"]["autosave"].title == "Bài chưa lưu"


def test_another_users_autosave_is_never_visible(app, client, editor, article, factory, clock):
    other = factory.user("editor", name="Người Khác")
    other_client = app.test_client()
    other_client.post("/login", data={"email": other.email, "password": PASSWORD})
    post(other_client, article.id, title="Bản của người khác")
    post(other_client, title="Bài mới của người khác")
    assert len(rows()) == 2

    with rendered(app) as seen:
        page = client.get(f"/editor/articles/{article.id}/edit").get_data(as_text=True)
    assert seen["editor/articles/form.html"]["autosave"] is None
    assert "Bản của người khác" not in page
    with rendered(app) as seen:
        page = client.get("/editor/articles/new").get_data(as_text=True)
    assert seen["editor/articles/form.html"]["autosave"] is None
    assert "Bài mới của người khác" not in page

    # My own autosave and discard touch only my rows.
    clock(seconds=10)
    post(client, article.id, title="Bản của tôi")
    assert {(r.user_id, r.title) for r in rows() if r.slot == str(article.id)} == {
        (other.id, "Bản của người khác"),
        (editor.id, "Bản của tôi"),
    }
    r = client.post("/editor/articles/autosave/discard", data={"article_id": str(article.id)})
    assert r.status_code == 204
    assert {(r.user_id, r.slot) for r in rows()} == {(other.id, str(article.id)), (other.id, "new")}


def test_a_real_save_deletes_the_users_autosave(client, editor, article, factory, clock):
    other = factory.user("editor")
    db.session.add(
        ArticleAutosave(user_id=other.id, article_id=article.id, slot=str(article.id), title="x")
    )
    db.session.commit()
    post(client, title="Bài mới đang viết")
    post(client, article.id, title="Sửa đang viết")
    assert len(rows()) == 3

    r = client.post(
        f"/editor/articles/{article.id}/edit",
        data={
            "title": "Sửa xong",
            "category_id": str(article.category_id),
            "lead": "",
            "body": "<p>Đã sửa.</p>",
            "status": "draft",
            "version": str(article.version),
        },
    )
    assert r.status_code == 303
    assert {(r.user_id, r.slot) for r in rows()} == {
        (editor.id, "new"),
        (other.id, str(article.id)),
    }

    r = client.post(
        "/editor/articles/new",
        data={"title": "Bài mới", "category_id": str(article.category_id), "status": "draft"},
    )
    assert r.status_code == 303
    assert {(r.user_id, r.slot) for r in rows()} == {(other.id, str(article.id))}


def test_a_failed_save_keeps_the_autosave(client, editor, article, clock):
    post(client, title="Đang viết")
    r = client.post("/editor/articles/new", data={"title": "", "status": "draft"})
    assert r.status_code == 400
    assert len(rows()) == 1


def test_discard_validates_and_answers_204(client, editor):
    assert client.post("/editor/articles/autosave/discard", data={}).status_code == 204
    r = client.post("/editor/articles/autosave/discard", data={"article_id": "x"})
    assert r.status_code == 400 and r.json["error"]


def test_purge_deletes_autosaves_older_than_30_days(app, editor, article, runner, clock):
    db.session.add_all(
        [
            ArticleAutosave(user_id=editor.id, slot="new", saved_at=T0 - timedelta(days=31)),
            ArticleAutosave(
                user_id=editor.id,
                article_id=article.id,
                slot=str(article.id),
                saved_at=T0 - timedelta(days=29),
            ),
        ]
    )
    db.session.commit()
    assert autosave.purge() == 1
    db.session.commit()
    assert [r.slot for r in rows()] == [str(article.id)]
    clock(days=2)
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "1 autosaves" in result.output
    assert rows() == []
