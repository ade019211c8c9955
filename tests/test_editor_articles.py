"""Articles in the editor: writing, validation, scheduling, preview, trash, revisions,
edit conflicts, the list, and CSRF on every POST."""

import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from bantin import articles as service
from bantin.extensions import db
from bantin.models import (
    Article,
    ArticleRevision,
    ArticleStatus,
    AuditLog,
    Comment,
    CommentStatus,
)

T0 = datetime(2025, 3, 10, 2, 0)  # naive UTC: 09:00 in Hà Nội


@pytest.fixture
def editor(factory, login):
    user = factory.user("editor", name="Biên Tập Viên")
    login(user)
    return user


@pytest.fixture
def category(factory):
    return factory.category("Tin tức")


def form_data(category, **overrides) -> dict:
    data = {
        "title": "Họp dân về đường liên thôn",
        "category_id": str(category.id),
        "author_name": "Minh Tâm",
        "lead": "Sáng nay, xã tổ chức họp dân.",
        "body": "<div>Nội dung <strong>quan trọng</strong>.</div>",
        "status": "draft",
        "published_at": "",
        "allow_comments": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def audit_actions(article_id: int) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditLog.action)
            .where(AuditLog.target_type == "article", AuditLog.target_id == article_id)
            .order_by(AuditLog.id)
        )
    )


def revisions_of(article_id: int) -> list[ArticleRevision]:
    return list(
        db.session.scalars(
            sa.select(ArticleRevision)
            .where(ArticleRevision.article_id == article_id)
            .order_by(ArticleRevision.id)
        )
    )


def only_article() -> Article:
    db.session.expire_all()
    return db.session.scalars(sa.select(Article)).one()


def list_titles(html: str) -> list[str]:
    """The titles of the editor list's rows, in order."""
    return re.findall(r'<a class="title-link" id="title-\d+" href="[^"]+">([^<]+)</a>', html)


def hidden_version(html: str) -> str:
    match = re.search(r'<input[^>]*name="version"[^>]*>', html)
    assert match, "no version field"
    return re.search(r'value="(\d*)"', match.group(0)).group(1)


# ---------------------------------------------------------------- create and edit


def test_create_article_normalises_sanitises_and_records(client, editor, category):
    decomposed_title = "Ho\u0323p da\u0302n  về   đường"  # decomposed marks, extra spaces
    r = client.post(
        "/editor/articles/new",
        data=form_data(
            category,
            title=decomposed_title,
            body="<div>Chào <strong>bà con</strong><script>alert(1)</script></div>"
            '<p onclick="x()">Hai</p>',
        ),
    )
    assert r.status_code == 303
    art = only_article()
    assert r.headers["Location"].endswith(f"/editor/articles/{art.id}/edit")
    assert art.title == "Họp dân về đường"
    assert art.slug == "hop-dan-ve-duong"
    assert art.body == "<p>Chào <strong>bà con</strong></p><p>Hai</p>"
    assert art.status == ArticleStatus.DRAFT and art.published_at is None
    assert art.version == 1
    assert art.created_by_id == editor.id and art.updated_by_id == editor.id
    assert art.allow_comments is True and art.featured is False
    revs = revisions_of(art.id)
    assert len(revs) == 1 and revs[0].body == art.body and revs[0].user_id == editor.id
    assert audit_actions(art.id) == ["article.create"]
    page = client.get(r.headers["Location"])
    assert page.status_code == 200
    assert "Đã lưu bản nháp." in page.get_data(as_text=True)


def test_edit_bumps_version_and_writes_revision(client, editor, category):
    client.post("/editor/articles/new", data=form_data(category))
    art = only_article()
    page = client.get(f"/editor/articles/{art.id}/edit").get_data(as_text=True)
    assert hidden_version(page) == "1"
    assert 'value="Họp dân về đường liên thôn"' in page
    r = client.post(
        f"/editor/articles/{art.id}/edit",
        data=form_data(category, title="Tiêu đề mới", version="1", status="published"),
    )
    assert r.status_code == 303
    art = only_article()
    assert art.title == "Tiêu đề mới" and art.slug == "tieu-de-moi"
    assert art.version == 2 and art.status == ArticleStatus.PUBLISHED
    assert art.published_at is not None
    assert len(revisions_of(art.id)) == 2
    assert audit_actions(art.id) == ["article.create", "article.publish"]
    client.post(
        f"/editor/articles/{art.id}/edit",
        data=form_data(category, title="Lần ba", version="2", status="published"),
    )
    assert audit_actions(art.id)[-1] == "article.edit"


def test_edit_form_shows_local_time(app, client, editor, factory, category):
    art = factory.article(category, published_at=T0)
    page = client.get(f"/editor/articles/{art.id}/edit").get_data(as_text=True)
    assert 'value="2025-03-10T09:00"' in page  # UTC+7


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("Tin Nóng: Đê điều!", "tin-nong-de-dieu"), ("", "hop-dan-ve-duong-lien-thon")],
)
def test_slug_is_editable_or_generated(client, editor, category, typed, expected):
    client.post("/editor/articles/new", data=form_data(category, slug=typed))
    assert only_article().slug == expected


def test_slug_stays_when_title_changes_unless_cleared(client, editor, category):
    client.post("/editor/articles/new", data=form_data(category, title="Tên cũ"))
    art = only_article()
    client.post(
        f"/editor/articles/{art.id}/edit",
        data=form_data(category, title="Tên mới", slug="ten-cu", version="1"),
    )
    assert only_article().slug == "ten-cu"
    client.post(
        f"/editor/articles/{art.id}/edit",
        data=form_data(category, title="Tên mới", slug="", version="2"),
    )
    assert only_article().slug == "ten-moi"


def test_validation_errors_keep_everything_typed(client, editor, category):
    typed = form_data(
        category,
        title="",
        category_id="999",
        author_name="Tác giả đã gõ",
        lead="Sa-pô đã gõ <b>giữ nguyên</b>",
        body="<div>Thân bài đã gõ rất dài</div>",
        published_at="2025-13-45T99:99",
        cover_url="https://evil.example/x.jpg",
        slug="duong-dan-da-go",
        featured="y",
    )
    r = client.post("/editor/articles/new", data=typed)
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "Hãy nhập tiêu đề bài viết." in page
    assert "Hãy chọn một chuyên mục." in page
    assert "Ngày giờ không hợp lệ" in page
    assert "Ảnh đại diện phải là ảnh đã tải lên" in page
    assert 'value="Tác giả đã gõ"' in page
    assert "Sa-pô đã gõ &lt;b&gt;giữ nguyên&lt;/b&gt;" in page
    assert "&lt;div&gt;Thân bài đã gõ rất dài&lt;/div&gt;" in page  # the hidden body input
    assert 'value="2025-13-45T99:99"' in page
    assert 'value="duong-dan-da-go"' in page
    assert re.search(r'<input(?=[^>]*name="featured")(?=[^>]*checked)[^>]*>', page)
    # The error sits next to its field.
    assert re.search(r'id="title-error"[^>]*>Hãy nhập tiêu đề', page)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Article)) == 0


def test_publishing_needs_a_body(client, editor, category):
    r = client.post(
        "/editor/articles/new",
        data=form_data(category, status="published", body="<div><br></div><script>x</script>"),
    )
    assert r.status_code == 400
    assert "Bài đăng cần có nội dung." in r.get_data(as_text=True)


def test_control_characters_and_bad_status_are_refused(client, editor, category):
    r = client.post("/editor/articles/new", data=form_data(category, title="a\x00b"))
    assert r.status_code == 400
    r = client.post("/editor/articles/new", data=form_data(category, status="deleted"))
    assert r.status_code == 400
    assert "Hãy chọn Bản nháp hoặc Đăng bài." in r.get_data(as_text=True)


def test_cover_url_from_uploads_is_stored(client, editor, category):
    cover = "/uploads/2025/03/abcdef0123456789-800.jpg"
    client.post("/editor/articles/new", data=form_data(category, cover_url=cover))
    assert only_article().cover_url == cover


# ---------------------------------------------------------------- scheduling


def test_scheduled_article_appears_when_its_time_comes(app, client, editor, category):
    app.config["CLOCK"] = lambda: T0
    # 11:30 local = 04:30 UTC, two and a half hours ahead of the clock.
    r = client.post(
        "/editor/articles/new",
        data=form_data(
            category, title="Thông báo hẹn giờ", status="published",
            published_at="2025-03-10T11:30",
        ),
    )  # fmt: skip
    assert r.status_code == 303
    art = only_article()
    assert art.status == ArticleStatus.PUBLISHED
    assert art.published_at == datetime(2025, 3, 10, 4, 30)
    assert service.published_state(art, T0) == "scheduled"

    reader = app.test_client()
    url = f"/article/{art.id}/{art.slug}"
    assert reader.get(url).status_code == 404
    assert "Thông báo hẹn giờ" not in reader.get("/").get_data(as_text=True)
    assert "Thông báo hẹn giờ" not in reader.get(f"/category/{category.slug}").get_data(
        as_text=True
    )
    listing = client.get("/editor/articles?status=scheduled").get_data(as_text=True)
    assert "Thông báo hẹn giờ" in listing and "Hẹn giờ" in listing

    app.config["CLOCK"] = lambda: T0 + timedelta(hours=3)
    assert reader.get(url).status_code == 200
    assert "Thông báo hẹn giờ" in reader.get("/").get_data(as_text=True)
    assert "Thông báo hẹn giờ" in reader.get(f"/category/{category.slug}").get_data(as_text=True)


def test_publish_without_time_means_now(app, client, editor, category):
    app.config["CLOCK"] = lambda: T0
    client.post("/editor/articles/new", data=form_data(category, status="published"))
    art = only_article()
    assert art.published_at == T0
    assert app.test_client().get(f"/article/{art.id}/{art.slug}").status_code == 200


# ---------------------------------------------------------------- preview, trash


def test_preview_for_staff_and_404_for_readers(app, client, editor, category):
    client.post(
        "/editor/articles/new",
        data=form_data(category, title="Bản nháp bí mật", body="<div><em>Chưa đăng</em></div>"),
    )
    art = only_article()
    r = client.get(f"/editor/articles/{art.id}/preview")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "preview-banner" in page and "Xem trước" in page
    assert "Bản nháp bí mật" in page and "<em>Chưa đăng</em>" in page
    assert "noindex" in page
    assert r.headers["Cache-Control"] == "no-store"

    reader = app.test_client()
    assert reader.get(f"/article/{art.id}").status_code == 404
    assert reader.get(f"/article/{art.id}/{art.slug}").status_code == 404
    r = reader.get(f"/editor/articles/{art.id}/preview")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_delete_moves_to_trash_and_only_admin_restores(app, client, editor, factory, category):
    art = factory.article(category, title="Bài sẽ xóa")
    reader = app.test_client()
    assert reader.get(f"/article/{art.id}/{art.slug}").status_code == 200

    r = client.post(f"/editor/articles/{art.id}/delete")
    assert r.status_code == 303
    art = only_article()
    assert art.status == ArticleStatus.DELETED
    assert reader.get(f"/article/{art.id}/{art.slug}").status_code == 404
    row = f'id="article-{art.id}"'
    assert row not in client.get("/editor/articles").get_data(as_text=True)
    assert row in client.get("/editor/articles?status=deleted").get_data(as_text=True)
    assert audit_actions(art.id) == ["article.delete"]

    # Editing something in the trash is refused, and nothing is lost silently.
    r = client.post(
        f"/editor/articles/{art.id}/edit",
        data=form_data(category, title="Sửa trong thùng rác", version=str(art.version)),
    )
    assert r.status_code == 409
    assert 'value="Sửa trong thùng rác"' in r.get_data(as_text=True)

    assert client.post(f"/editor/articles/{art.id}/restore").status_code == 403

    admin = factory.user("admin")
    admin_client = app.test_client()
    admin_client.post("/login", data={"email": admin.email, "password": "correct horse battery"})
    r = admin_client.post(f"/editor/articles/{art.id}/restore")
    assert r.status_code == 303
    art = only_article()
    assert art.status == ArticleStatus.DRAFT
    assert audit_actions(art.id) == ["article.delete", "article.restore"]
    notes = [rev.note for rev in revisions_of(art.id)]
    assert notes == ["delete", "restore"]


# ---------------------------------------------------------------- revisions


def test_revisions_list_show_and_restore(client, editor, category):
    client.post("/editor/articles/new", data=form_data(category, title="Phiên bản một"))
    art = only_article()
    client.post(
        f"/editor/articles/{art.id}/edit",
        data=form_data(category, title="Phiên bản hai", body="<div>Thân hai</div>", version="1"),
    )
    first, second = revisions_of(art.id)

    listing = client.get(f"/editor/articles/{art.id}/revisions")
    assert listing.status_code == 200
    text = listing.get_data(as_text=True)
    assert "Phiên bản một" in text and "Phiên bản hai" in text and "Biên Tập Viên" in text

    shown = client.get(f"/editor/articles/{art.id}/revisions/{first.id}")
    assert shown.status_code == 200
    text = shown.get_data(as_text=True)
    assert "Phiên bản một" in text and "diff-removed" in text and "diff-added" in text

    r = client.post(f"/editor/articles/{art.id}/revisions/{first.id}/restore")
    assert r.status_code == 303
    art = only_article()
    assert art.title == "Phiên bản một"
    assert art.body == first.body
    assert art.version == 3
    revs = revisions_of(art.id)
    assert len(revs) == 3
    assert revs[-1].title == "Phiên bản một" and revs[-1].note == f"revision_restore:{first.id}"
    assert audit_actions(art.id)[-1] == "article.revision_restore"


def test_revision_restore_sanitises_again(client, editor, factory, category):
    art = factory.article(category)
    dirty = ArticleRevision(
        article_id=art.id, title="Cũ", lead="", body='<p>cũ<img src=x onerror="alert(1)"></p>'
    )
    db.session.add(dirty)
    db.session.commit()
    client.post(f"/editor/articles/{art.id}/revisions/{dirty.id}/restore")
    assert only_article().body == "<p>cũ</p>"


def test_revision_of_another_article_is_404(client, editor, factory, category):
    a = factory.article(category)
    b = factory.article(category)
    service.save(b, editor, {"title": "x"})
    db.session.commit()
    rev_b = revisions_of(b.id)[0]
    assert client.get(f"/editor/articles/{a.id}/revisions/{rev_b.id}").status_code == 404
    assert client.post(f"/editor/articles/{a.id}/revisions/{rev_b.id}/restore").status_code == 404


# ---------------------------------------------------------------- edit conflicts


def test_edit_conflict_is_shown_not_overwritten(client, editor, factory, category):
    client.post("/editor/articles/new", data=form_data(category, title="Gốc"))
    art = only_article()
    opened_version = hidden_version(
        client.get(f"/editor/articles/{art.id}/edit").get_data(as_text=True)
    )
    # Meanwhile a colleague saves.
    colleague = factory.user("editor", name="Đồng Nghiệp")
    service.update(
        art, colleague, {"title": "Bản của đồng nghiệp", "body": "<p>Họ viết</p>"}, art.version
    )
    db.session.commit()

    mine = form_data(
        category, title="Bản của tôi", body="<div>Tôi viết</div>", version=opened_version
    )
    r = client.post(f"/editor/articles/{art.id}/edit", data=mine)
    assert r.status_code == 409
    page = r.get_data(as_text=True)
    assert "Đồng Nghiệp" in page and "người khác lưu" in page
    assert 'value="Bản của tôi"' in page
    assert "&lt;div&gt;Tôi viết&lt;/div&gt;" in page
    assert "Bản của đồng nghiệp" in page  # the diff shows the other version
    assert re.search(r"/editor/articles/\d+/revisions/\d+", page)
    assert hidden_version(page) == "2"
    art = only_article()
    assert art.title == "Bản của đồng nghiệp" and art.version == 2

    # Having seen it, saving again (with the new version) keeps mine.
    r = client.post(
        f"/editor/articles/{art.id}/edit", data={**mine, "version": hidden_version(page)}
    )
    assert r.status_code == 303
    assert only_article().title == "Bản của tôi"


def test_service_conflict_check_is_atomic(app, editor, factory, category):
    art = factory.article(category)
    service.update(art, editor, {"title": "một"}, expected_version=1)
    db.session.commit()
    with pytest.raises(service.EditConflict):
        service.update(art, editor, {"title": "hai"}, expected_version=1)
    db.session.rollback()
    assert only_article().title == "một"


# ---------------------------------------------------------------- the list


def test_list_filters_sort_and_counts(app, client, editor, factory):
    app.config["CLOCK"] = lambda: T0
    news = factory.category("Tin tức")
    notices = factory.category("Thông báo")
    old = factory.article(news, title="Tin cũ", age=timedelta(days=5), view_count=1234)
    factory.article(news, title="Tin mới", age=timedelta(hours=1))
    factory.article(notices, title="Nháp thông báo", published=False)
    factory.article(
        notices, title="Hẹn giờ thông báo", published_at=T0 + timedelta(days=1)
    )  # fmt: skip
    factory.article(news, title="Trong thùng rác", status=ArticleStatus.DELETED)
    old.updated_at = T0  # edited most recently
    old.comment_count = 2
    for status in (CommentStatus.PENDING, CommentStatus.PENDING, CommentStatus.SPAM):
        db.session.add(Comment(article_id=old.id, name="Bạn đọc", content="Hay", status=status))
    db.session.commit()

    def titles(query: str) -> list[str]:
        r = client.get(f"/editor/articles{query}")
        assert r.status_code == 200
        return list_titles(r.get_data(as_text=True))

    assert titles("") == ["Tin cũ", "Hẹn giờ thông báo", "Nháp thông báo", "Tin mới"]
    assert titles("?sort=published") == ["Hẹn giờ thông báo", "Tin mới", "Tin cũ", "Nháp thông báo"]
    assert titles("?status=draft") == ["Nháp thông báo"]
    assert titles("?status=published&sort=published") == ["Tin mới", "Tin cũ"]
    assert titles("?status=scheduled") == ["Hẹn giờ thông báo"]
    assert titles("?status=deleted") == ["Trong thùng rác"]
    assert titles(f"?category={notices.id}&sort=published") == [
        "Hẹn giờ thông báo",
        "Nháp thông báo",
    ]
    assert titles("?q=m%E1%BB%9Bi") == ["Tin mới"]  # "mới"
    assert titles("?q=%25") == []  # LIKE wildcards are literal
    assert titles("?status=bogus&sort=bogus")  # unknown values fall back to defaults

    page = client.get("/editor/articles").get_data(as_text=True)
    row = page[page.index(f'id="article-{old.id}"') :]
    row = row[: row.index("</tr>")]
    assert "1.234 lượt xem" in row
    assert "2 bình luận" in row
    assert "2 chờ duyệt" in row  # spam is not pending


def test_list_pagination(app, client, editor, factory, category):
    for i in range(23):
        factory.article(category, title=f"Bài {i:02d}", age=timedelta(hours=i + 1))
    first = client.get("/editor/articles?sort=published").get_data(as_text=True)
    assert "Bài 00" in first and "Bài 19" in first and "Bài 20" not in first
    assert "Trang 1 / 2" in first
    second = client.get("/editor/articles?sort=published&page=2").get_data(as_text=True)
    assert "Bài 20" in second and "Bài 22" in second and "Bài 00" not in second
    assert client.get("/editor/articles?page=3").status_code == 404
    assert client.get("/editor/articles?page=abc").status_code == 404


# ---------------------------------------------------------------- access and ids


@pytest.mark.parametrize(
    "path",
    [
        "/editor/articles",
        "/editor/articles/new",
        "/editor/articles/1/edit",
        "/editor/articles/1/preview",
        "/editor/articles/1/revisions",
        "/editor/media",
    ],
)
def test_anonymous_is_sent_to_login(app, factory, category, path):
    factory.article(category)
    r = app.test_client().get(path)
    assert r.status_code == 302 and "/login?next=" in r.headers["Location"]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/editor/articles/{big}/edit"),
        ("get", "/editor/articles/{big}/preview"),
        ("get", "/editor/articles/{big}/revisions"),
        ("get", "/editor/articles/1/revisions/{big}"),
        ("post", "/editor/articles/{big}/delete"),
        ("post", "/editor/articles/{big}/restore"),
        ("get", "/editor/articles/999/edit"),
        ("post", "/editor/articles/999/delete"),
    ],
)
def test_unknown_and_huge_ids_are_404(client, editor, factory, category, method, path):
    factory.article(category)
    r = getattr(client, method)(path.format(big=2**63))
    assert r.status_code in (403, 404)
    if "restore" not in path:
        assert r.status_code == 404


# ---------------------------------------------------------------- CSRF


@pytest.fixture
def csrf_client(app_factory):
    """A client of an app with CSRF on, signed in as an admin (session set directly)."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        from tests.conftest import Factory

        f = Factory()
        admin = f.user("admin")
        cat = f.category()
        art = f.article(cat)
        service.save(art, admin, {"title": "có phiên bản"})
        db.session.commit()
        ids = {"article": art.id, "revision": revisions_of(art.id)[0].id, "category": cat.id}
        user_id = admin.get_id()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True
    return app, client, ids


CSRF_POSTS = [
    "/editor/articles/new",
    "/editor/articles/{article}/edit",
    "/editor/articles/{article}/delete",
    "/editor/articles/{article}/restore",
    "/editor/articles/{article}/revisions/{revision}/restore",
    "/editor/uploads",
    "/editor/media/1/delete",
    "/editor/articles/bulk",
    "/editor/articles/autosave",
    "/editor/articles/autosave/discard",
]


@pytest.mark.parametrize("path", CSRF_POSTS)
def test_every_post_needs_a_csrf_token(csrf_client, path):
    app, client, ids = csrf_client
    r = client.post(path.format(**ids), data={"title": "x", "category_id": str(ids["category"])})
    assert r.status_code == 400
    with app.app_context():
        article = db.session.get(Article, ids["article"])
        assert article.status == ArticleStatus.PUBLISHED and article.title == "có phiên bản"


def test_upload_accepts_the_csrf_header_from_the_page(csrf_client):
    import io

    from PIL import Image

    app, client, ids = csrf_client
    page = client.get("/editor/articles/new").get_data(as_text=True)
    token = re.search(r'<meta name="csrf-token" content="([^"]+)"', page).group(1)
    buf = io.BytesIO()
    Image.new("RGB", (50, 40), (1, 2, 3)).save(buf, "PNG")
    r = client.post(
        "/editor/uploads",
        data={"file": (io.BytesIO(buf.getvalue()), "a.png", "image/png")},
        headers={"X-CSRFToken": token},
        content_type="multipart/form-data",
    )
    assert r.status_code == 201, r.get_data(as_text=True)
    # And a form post with the token in the body works too.
    r = client.post(
        "/editor/articles/new",
        data={
            "csrf_token": token,
            "title": "Có mã CSRF",
            "category_id": str(ids["category"]),
            "status": "draft",
        },
    )
    assert r.status_code == 303


def test_list_text_filter_ignores_case_and_diacritics(client, factory, login):
    admin = factory.user("admin")
    login(admin)
    cat = factory.category("Tin")
    factory.article(cat, title="Mới: Đường làng được mở rộng")
    factory.article(cat, title="Bài khác hẳn")
    for query in ("mới", "MOI", "duong lang", "Đường"):
        html = client.get("/editor/articles", query_string={"q": query}).get_data(as_text=True)
        assert "Đường làng được mở rộng" in html, query
        assert "Bài khác hẳn" not in html, query


# ---------------------------------------------------------------- images, attachments, alt text

IMG_ONE = "/uploads/2026/01/1111111111111111-800.jpg"
IMG_TWO = "/uploads/2026/01/2222222222222222-800.jpg"
PDF_URL = "/uploads/files/2026/01/3333333333333333.pdf"


def figure_html(src: str, alt: str | None = "Mô tả", caption: str = "") -> str:
    alt_attr = "" if alt is None else f' alt="{alt}"'
    cap = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f'<figure><img src="{src}"{alt_attr} width="800" height="533">{cap}</figure>'


def attachment_html(href: str, name: str) -> str:
    return (
        f'<div class="file-attachment"><a href="{href}" data-type="pdf" data-size="245760">'
        f'{name}</a><span class="file-meta">PDF, 240 KB</span></div>'
    )


def flashes(client) -> list[tuple[str, str]]:
    """The messages flashed since the last call (taken out of the session)."""
    with client.session_transaction() as session:
        return list(session.pop("_flashes", []))


def test_publishing_refuses_an_image_without_alt_and_keeps_everything(client, editor, category):
    body = (
        "<p>Thân bài</p>"
        + figure_html(IMG_ONE, alt=None, caption="Lễ chào cờ")
        + figure_html(IMG_TWO, alt=None)
        + figure_html(IMG_ONE, alt="")  # decorative: fine
    )
    typed = form_data(category, title="Bài có ảnh", status="published", body=body)
    r = client.post("/editor/articles/new", data=typed)
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "“Lễ chào cờ”, “2222222222222222-800.jpg” chưa có mô tả" in page
    assert 'value="Bài có ảnh"' in page and "Lễ chào cờ" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Article)) == 0
    # A draft may keep undescribed images; publishing once they are described works.
    assert client.post("/editor/articles/new", data={**typed, "status": "draft"}).status_code == 303
    described = body.replace('533"><figcaption>Lễ', '533" alt="Cờ"><figcaption>Lễ').replace(
        f'"{IMG_TWO}" width', f'"{IMG_TWO}" alt="Sân trường" width'
    )
    art = only_article()
    r = client.post(
        f"/editor/articles/{art.id}/edit",
        data={**typed, "body": described, "version": str(art.version)},
    )
    assert r.status_code == 303
    assert only_article().status == ArticleStatus.PUBLISHED


def test_save_sets_the_body_image_and_the_thumbnail(client, editor, category):
    client.post(
        "/editor/articles/new",
        data=form_data(category, body="<p>Chữ</p>" + figure_html(IMG_TWO) + figure_html(IMG_ONE)),
    )
    art = only_article()
    assert art.body_image_url == IMG_TWO and art.thumbnail_url == IMG_TWO
    client.post(
        f"/editor/articles/{art.id}/edit",
        data=form_data(category, body="<p>Hết ảnh</p>", cover_url=IMG_ONE, version="1"),
    )
    art = only_article()
    assert art.body_image_url is None and art.thumbnail_url == IMG_ONE


def test_a_save_that_removes_images_or_attachments_says_which(client, editor, category):
    body = (
        figure_html(IMG_ONE, caption="Toàn cảnh hội nghị")
        + figure_html(IMG_TWO, alt="Đại biểu phát biểu")
        + "<p>Nội dung</p>"
        + attachment_html(PDF_URL, "Quyết định 15.pdf")
    )
    client.post("/editor/articles/new", data=form_data(category, body=body))
    assert flashes(client) == [("success", "Đã lưu bản nháp.")]
    art = only_article()
    # Unchanged save: no warning.
    client.post(f"/editor/articles/{art.id}/edit", data=form_data(category, body=body, version="1"))
    assert flashes(client) == [("success", "Đã lưu bản nháp.")]
    r = client.post(
        f"/editor/articles/{art.id}/edit",
        data=form_data(
            category, body=figure_html(IMG_TWO, alt="Đại biểu") + "<p>Ngắn</p>", version="2"
        ),
    )
    assert r.status_code == 303
    messages = flashes(client)
    assert messages[0] == ("success", "Đã lưu bản nháp.")
    kind, text = messages[1]
    assert kind == "warning"
    assert "2 ảnh hoặc tệp đính kèm" in text
    assert "“Toàn cảnh hội nghị”, “Quyết định 15.pdf”" in text
    assert "Đại biểu" not in text

    # Restoring the first revision brings them back; restoring the third takes them out again.
    first, _second, third = revisions_of(art.id)
    client.post(f"/editor/articles/{art.id}/revisions/{first.id}/restore")
    assert [k for k, _t in flashes(client)] == ["success"]
    client.post(f"/editor/articles/{art.id}/revisions/{third.id}/restore")
    messages = flashes(client)
    assert "phiên bản 3" in messages[0][1]
    assert messages[1][0] == "warning" and "“Quyết định 15.pdf”" in messages[1][1]


def test_the_edit_form_gets_the_latest_revision_number(app, client, editor, factory, category):
    from flask import template_rendered

    other = factory.article(category)
    for title in ("một", "hai"):
        service.save(other, editor, {"title": title})  # other articles' revisions
    db.session.commit()
    client.post("/editor/articles/new", data=form_data(category))
    art = db.session.scalars(sa.select(Article).where(Article.id != other.id)).one()
    client.post(f"/editor/articles/{art.id}/edit", data=form_data(category, version="1"))
    seen = {}

    def record(sender, template, context, **extra):
        seen[template.name] = context

    template_rendered.connect(record, app)
    try:
        client.get(f"/editor/articles/{art.id}/edit")
        assert seen["editor/articles/form.html"]["revision_number"] == 2
        client.get("/editor/articles/new")
        assert seen["editor/articles/form.html"]["revision_number"] is None
    finally:
        template_rendered.disconnect(record, app)


# ---------------------------------------------------------------- bulk actions


def bulk(client, action, ids, back="/editor/articles?status=draft&q=b%C3%A0i", **extra):
    data = {"action": action, "ids": [str(i) for i in ids], "back": back, **extra}
    return client.post("/editor/articles/bulk", data=data)


def test_bulk_publish_skips_what_would_fail_validation(client, editor, factory, category):
    ok = factory.article(category, title="Bài sẵn sàng", published=False)
    empty = factory.article(category, title="Bài rỗng", published=False, body="<p></p>")
    undescribed = factory.article(
        category, title="Bài ảnh thiếu mô tả", published=False, body=figure_html(IMG_ONE, alt=None)
    )
    decorative = factory.article(
        category, title="Bài ảnh trang trí", published=False, body=figure_html(IMG_ONE, alt="")
    )
    already = factory.article(category, title="Bài đã đăng")
    trashed = factory.article(category, title="Bài đã xóa", status=ArticleStatus.DELETED)
    ids = [ok.id, empty.id, undescribed.id, decorative.id, already.id, trashed.id, 999_999]
    r = client.post(
        "/editor/articles/bulk",
        data={
            "action": "publish",
            "ids": [*map(str, ids), "abc", "", str(ok.id)],
            "back": "/editor/articles?status=draft&q=b%C3%A0i",
        },
    )
    assert r.status_code == 303
    assert r.headers["Location"] == "/editor/articles?status=draft&q=b%C3%A0i"
    db.session.expire_all()
    states = {a.title: a.status for a in db.session.scalars(sa.select(Article))}
    assert states == {
        "Bài sẵn sàng": ArticleStatus.PUBLISHED,
        "Bài rỗng": ArticleStatus.DRAFT,
        "Bài ảnh thiếu mô tả": ArticleStatus.DRAFT,
        "Bài ảnh trang trí": ArticleStatus.PUBLISHED,
        "Bài đã đăng": ArticleStatus.PUBLISHED,
        "Bài đã xóa": ArticleStatus.DELETED,
    }
    assert db.session.get(Article, ok.id).published_at is not None
    # One revision and one audit row per changed article, none for the others.
    assert [r.note for r in revisions_of(ok.id)] == ["publish"]
    assert audit_actions(ok.id) == ["article.publish"]
    assert audit_actions(decorative.id) == ["article.publish"]
    for untouched in (empty, undescribed, already, trashed):
        assert revisions_of(untouched.id) == [] and audit_actions(untouched.id) == []
    ((kind, text),) = flashes(client)
    assert kind == "warning"
    assert text.startswith("Đã đăng 2 bài; 1 bài chưa đăng vì chưa có nội dung: “Bài rỗng”; ")
    assert "1 bài chưa đăng vì có ảnh chưa có mô tả: “Bài ảnh thiếu mô tả”" in text
    assert "1 bài đang ở thùng rác nên không đổi: “Bài đã xóa”" in text


def test_bulk_unpublish_move_and_trash(client, editor, factory, category):
    other = factory.category("Thông báo")
    a = factory.article(category, title="Một")
    b = factory.article(category, title="Hai", published_at=utc_future())
    c = factory.article(category, title="Ba", published=False)

    bulk(client, "unpublish", [a.id, b.id, c.id])
    db.session.expire_all()
    assert {x.status for x in (a, b, c)} == {ArticleStatus.DRAFT}
    assert [len(revisions_of(x.id)) for x in (a, b, c)] == [1, 1, 0]
    assert flashes(client) == [("success", "Đã chuyển 2 bài về bản nháp.")]

    r = bulk(client, "move", [a.id, c.id])
    assert r.status_code == 303
    assert flashes(client) == [("error", "Hãy chọn chuyên mục cần chuyển các bài đến.")]
    bulk(client, "move", [a.id, c.id], category_id="999999")
    assert flashes(client)[0][0] == "error"
    bulk(client, "move", [a.id, c.id], category_id=str(other.id))
    db.session.expire_all()
    assert (a.category_id, b.category_id, c.category_id) == (other.id, category.id, other.id)
    assert flashes(client) == [("success", "Đã chuyển 2 bài sang chuyên mục “Thông báo”.")]
    assert audit_actions(c.id) == ["article.edit"]

    bulk(client, "trash", [a.id, b.id])
    db.session.expire_all()
    assert (a.status, b.status, c.status) == (
        ArticleStatus.DELETED,
        ArticleStatus.DELETED,
        ArticleStatus.DRAFT,
    )
    assert audit_actions(a.id)[-1] == "article.delete"
    assert revisions_of(b.id)[-1].note == "delete"
    assert flashes(client) == [("success", "Đã chuyển 2 bài vào thùng rác.")]


def utc_future():
    from bantin.clock import utcnow

    return utcnow() + timedelta(days=2)


@pytest.mark.parametrize(
    ("back", "expected"),
    [
        ("/editor/articles?category=3&author=2&sort=published&page=2",
         "/editor/articles?category=3&author=2&sort=published"),
        ("/editor/articles?q=b%C3%A0i+m%E1%BB%9Bi&page=3",
         "/editor/articles?q=b%C3%A0i+m%E1%BB%9Bi"),
        ("https://evil.example/editor/articles", "/editor/articles"),
        ("//evil.example/editor/articles", "/editor/articles"),
        ("/editor/users", "/editor/articles"),
        ("/\\evil.example", "/editor/articles"),
        ("", "/editor/articles"),
    ],
)  # fmt: skip
def test_bulk_redirects_only_back_to_the_list(client, editor, factory, category, back, expected):
    art = factory.article(category)
    r = bulk(client, "publish", [art.id], back=back)
    assert r.status_code == 303 and r.headers["Location"] == expected


def test_bulk_without_action_or_rows_changes_nothing(client, editor, factory, category):
    art = factory.article(category, published=False)
    bulk(client, "", [art.id])
    assert flashes(client) == [("error", "Hãy chọn một thao tác cho các bài đã chọn.")]
    assert bulk(client, "delete-everything", [art.id]).status_code == 400  # not an option
    bulk(client, "publish", [])
    assert flashes(client) == [("error", "Chưa chọn bài viết nào. Hãy đánh dấu các bài cần xử lý.")]
    bulk(client, "trash", [999_998, 999_999])
    assert flashes(client)[0][0] == "error"
    db.session.expire_all()
    assert db.session.get(Article, art.id).status == ArticleStatus.DRAFT
    assert revisions_of(art.id) == []


def test_bulk_needs_staff(app, factory, category):
    art = factory.article(category, published=False)
    r = app.test_client().post("/editor/articles/bulk", data={"action": "publish", "ids": art.id})
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    db.session.expire_all()
    assert db.session.get(Article, art.id).status == ArticleStatus.DRAFT


# ---------------------------------------------------------------- the list page


def test_list_shows_author_creator_thumbnail_and_filters_by_author(
    client, editor, factory, category
):
    colleague = factory.user("editor", name="Chị Lan")
    mine = factory.article(
        category,
        title="Bài của tôi",
        author_name="Bút danh A",
        created_by_id=editor.id,
        body=figure_html(IMG_ONE),
        body_image_url=IMG_ONE,
    )
    theirs = factory.article(
        category,
        title="Bài của chị Lan",
        author_name="Chị Lan",
        created_by_id=colleague.id,
        cover_url=IMG_TWO,
    )
    factory.article(category, title="Bài không ảnh", created_by_id=None)  # fmt: skip
    page = client.get("/editor/articles").get_data(as_text=True)
    row = page[page.index(f'id="article-{mine.id}"') :]
    row = row[: row.index("</tr>")]
    assert "Bút danh A" in row and "người tạo: Biên Tập Viên" in row
    assert 'src="/uploads/2026/01/1111111111111111-320.jpg"' in row
    assert f'name="ids" value="{mine.id}" form="bulk-form"' in row
    row = page[page.index(f'id="article-{theirs.id}"') :]
    row = row[: row.index("</tr>")]
    assert 'src="/uploads/2026/01/2222222222222222-320.jpg"' in row
    assert "người tạo" not in row  # the pen name is the creator's own name
    # The author select lists staff; filtering keeps to the creating user.
    assert f'<option value="{colleague.id}">Chị Lan</option>' in page
    assert list_titles(
        client.get(f"/editor/articles?author={colleague.id}").get_data(as_text=True)
    ) == ["Bài của chị Lan"]
    filtered = client.get(f"/editor/articles?author={editor.id}&q=bai").get_data(as_text=True)
    assert list_titles(filtered) == ["Bài của tôi"]
    assert f'<option value="{editor.id}" selected>' in filtered
    # The bulk form returns to this very filtered list, and the pager keeps the author.
    assert f'name="back" value="/editor/articles?author={editor.id}&amp;q=bai"' in filtered
    assert list_titles(client.get("/editor/articles?author=abc").get_data(as_text=True))
