"""Site management (categories, links, settings, users, profile), audit log and dashboard."""

import io
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from bantin import charts
from bantin.extensions import db
from bantin.models import (
    ArticleDailyViews,
    ArticleStatus,
    AuditLog,
    Category,
    Comment,
    CommentStatus,
    DailyStats,
    Role,
    SiteSettings,
    User,
    WebLink,
)
from tests.conftest import PASSWORD

# 05:00 UTC is 12:00 in Hà Nội: the local day is 15 March 2026.
NOW = datetime(2026, 3, 15, 5, 0, 0)
TODAY = date(2026, 3, 15)


def exists(model, ident) -> bool:
    """Ask the database, not this session's identity map (requests use their own session)."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).filter_by(id=ident)) > 0


def text(response) -> str:
    return response.get_data(as_text=True)


def actions(prefix: str = "") -> list[str]:
    stmt = sa.select(AuditLog.action).order_by(AuditLog.id)
    if prefix:
        stmt = stmt.where(AuditLog.action.startswith(prefix))
    return list(db.session.scalars(stmt))


@pytest.fixture
def admin(factory):
    return factory.user("admin", name="Quản trị Một")


@pytest.fixture
def as_admin(client, admin, login):
    login(admin)
    return client


# ------------------------------------------------------------------ categories


def test_create_category_with_vietnamese_slug_shows_in_public_menu(as_admin):
    response = as_admin.post(
        "/editor/categories/new", data={"name": "  Tin tức   Đoàn thể ", "description": "Mô tả"}
    )
    assert response.status_code == 303
    cat = db.session.scalars(sa.select(Category)).one()
    assert (cat.name, cat.slug, cat.description) == (
        "Tin tức Đoàn thể",
        "tin-tuc-doan-the",
        "Mô tả",
    )
    assert "Tin tức Đoàn thể" in text(as_admin.get("/editor/categories"))
    assert 'href="/category/tin-tuc-doan-the"' in text(as_admin.get("/"))
    assert actions("category") == ["category.create"]


def test_category_validation_keeps_typed_values(as_admin, factory):
    factory.category("Thời sự", slug="thoi-su")
    response = as_admin.post(
        "/editor/categories/new",
        data={"name": "Thời sự", "description": "Giữ lại nhé", "position": "abc"},
    )
    assert response.status_code == 400
    html = text(response)
    assert "Vui lòng nhập một số nguyên." in html
    assert "Giữ lại nhé" in html and 'value="Thời sự"' in html
    response = as_admin.post("/editor/categories/new", data={"name": "Thời sự", "description": ""})
    assert response.status_code == 400
    assert "đã được dùng" in text(response)
    response = as_admin.post("/editor/categories/new", data={"name": ""})
    assert response.status_code == 400 and "Vui lòng điền mục này." in text(response)
    assert db.session.scalar(sa.select(sa.func.count(Category.id))) == 1


def test_rename_and_edit_slug(as_admin, factory):
    cat = factory.category("Cũ", slug="cu")
    response = as_admin.post(
        f"/editor/categories/{cat.id}/edit", data={"name": "Mới", "slug": "Tin Mới Nhất"}
    )
    assert response.status_code == 303
    db.session.refresh(cat)
    assert (cat.name, cat.slug) == ("Mới", "tin-moi-nhat")
    assert as_admin.get("/category/tin-moi-nhat").status_code == 200
    assert as_admin.get("/category/cu").status_code == 404
    detail = db.session.scalars(sa.select(AuditLog.detail)).all()[-1]
    assert detail == "Cũ (cu) -> Mới (tin-moi-nhat)"


def test_reorder_with_up_and_down(as_admin, factory):
    a, b, c = (factory.category(n, position=0) for n in ("An", "Bình", "Cường"))

    def order():
        return [x.name for x in db.session.scalars(sa.select(Category).order_by(Category.position))]

    assert (
        as_admin.post(f"/editor/categories/{c.id}/move", data={"direction": "up"}).status_code
        == 303
    )
    assert order() == ["An", "Cường", "Bình"]
    as_admin.post(f"/editor/categories/{a.id}/move", data={"direction": "down"})
    assert order() == ["Cường", "An", "Bình"]
    as_admin.post(f"/editor/categories/{c.id}/move", data={"direction": "up"})  # already first
    assert order() == ["Cường", "An", "Bình"]
    assert (
        as_admin.post(f"/editor/categories/{b.id}/move", data={"direction": "x"}).status_code == 400
    )
    menu = text(as_admin.get("/"))
    assert menu.index(">Cường<") < menu.index(">An<") < menu.index(">Bình<")


def test_category_with_articles_cannot_be_deleted(as_admin, factory):
    cat = factory.category("Có bài")
    factory.article(cat, status=ArticleStatus.DELETED)  # even an article in the trash
    response = as_admin.post(f"/editor/categories/{cat.id}/delete")
    assert response.status_code == 400
    assert "Không thể xóa chuyên mục “Có bài” vì còn 1 bài viết" in text(response)
    assert exists(Category, cat.id)

    empty = factory.category("Trống")
    assert as_admin.post(f"/editor/categories/{empty.id}/delete").status_code == 303
    assert not exists(Category, empty.id)
    assert actions("category") == ["category.delete"]


# ------------------------------------------------------------------ web links


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "ftp://example.com/",
        "data:text/html,hi",
        "example.com",
        "https://",
        "https://exa mple.com",
        "//example.com",
        "http:\\\\example.com",
    ],
)
def test_link_url_must_be_http_or_https(as_admin, url):
    response = as_admin.post("/editor/links/new", data={"title": "Cổng", "url": url})
    assert response.status_code == 400
    assert "http://" in text(response) or "khoảng trắng" in text(response)
    assert db.session.scalar(sa.select(sa.func.count(WebLink.id))) == 0


def test_links_create_edit_hide_delete(as_admin):
    response = as_admin.post(
        "/editor/links/new",
        data={"title": "Cổng Chính phủ", "url": "https://chinhphu.vn", "visible": "y"},
    )
    assert response.status_code == 303
    link = db.session.scalars(sa.select(WebLink)).one()
    assert 'href="https://chinhphu.vn"' in text(as_admin.get("/"))

    response = as_admin.post(
        f"/editor/links/{link.id}/edit",
        data={"title": "Cổng CP", "url": "http://chinhphu.vn/", "position": "3"},
    )
    assert response.status_code == 303
    db.session.refresh(link)
    assert (link.title, link.url, link.position, link.visible) == (
        "Cổng CP",
        "http://chinhphu.vn/",
        3,
        False,
    )
    public = text(as_admin.get("/"))
    assert "chinhphu.vn" not in public  # hidden links stay off the public page
    assert "Đang ẩn" in text(as_admin.get("/editor/links"))

    assert as_admin.post(f"/editor/links/{link.id}/delete").status_code == 303
    assert not exists(WebLink, link.id)
    assert actions("link") == ["link.create", "link.update", "link.delete"]


# ------------------------------------------------------------------ settings

SETTINGS = {
    "site_name": "Cổng thông tin xã An Bình",
    "tagline": "Tin tức – sự kiện",
    "logo_url": "",
    "owner": "UBND xã An Bình",
    "managing_body": "UBND huyện Hòa Vang",
    "address": "Thôn 1, xã An Bình",
    "phone": "0236 3 000 000",
    "email": "VanPhong@AnBinh.gov.vn",
    "credit_line": "Phát triển bởi Văn phòng xã",
    "articles_per_page": "7",
    "comments_require_approval": "y",
    "comments_close_after_days": "30",
    "moderation_keywords": "quảng cáo\r\n\r\n  khuyến mãi \r\nquảng cáo",
    "blocked_keywords": "lừa đảo",
    "blocked_ips": "203.0.113.5\r\n2001:DB8::1\r\n198.51.100.0/24",
}


def test_settings_saved_and_shown_on_public_site_at_once(as_admin):
    assert as_admin.get("/").status_code == 200  # warm any page cache first
    response = as_admin.post("/editor/settings", data=SETTINGS)
    assert response.status_code == 303, text(response)
    s = SiteSettings.get()
    db.session.refresh(s)
    assert s.site_name == "Cổng thông tin xã An Bình"
    assert s.email == "vanphong@anbinh.gov.vn"
    assert s.articles_per_page == 7
    assert s.comments_require_approval is True
    assert s.comments_auto_approve_returning is False
    assert s.comments_close_after_days == 30
    assert s.moderation_keywords == "quảng cáo\nkhuyến mãi"
    assert s.blocked_ips == "203.0.113.5\n2001:db8::1\n198.51.100.0/24"
    home = text(as_admin.get("/"))
    for value in (
        "Cổng thông tin xã An Bình",
        "UBND xã An Bình",
        "UBND huyện Hòa Vang",
        "Thôn 1, xã An Bình",
        "0236 3 000 000",
        "Phát triển bởi Văn phòng xã",
    ):
        assert value in home
    assert actions("settings") == ["settings.update"]
    assert "site_name" in db.session.scalars(sa.select(AuditLog.detail)).all()[-1]


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("articles_per_page", "0", "Từ 1 đến 100."),
        ("articles_per_page", "101", "Từ 1 đến 100."),
        ("articles_per_page", "mười", "Vui lòng nhập một số nguyên."),
        ("comments_close_after_days", "-1", "Từ 0 đến 3650."),
        (
            "blocked_ips",
            "203.0.113.5\nkhông phải IP\n10.0.0.300",
            "dòng 2: không phải IP; 3: 10.0.0.300",
        ),
        ("email", "not-an-email", "Địa chỉ email không hợp lệ."),
        ("logo_url", "https://evil.example/logo.png", "/uploads/"),
        ("logo_url", "/uploads/../secret_key", "/uploads/"),
        ("site_name", "", "Vui lòng điền mục này."),
        ("site_name", "x" * 201, "Tối đa 200 ký tự."),
    ],
)
def test_settings_validation_keeps_typed_values(as_admin, field, value, message):
    data = dict(SETTINGS, **{field: value})
    response = as_admin.post("/editor/settings", data=data)
    assert response.status_code == 400
    html = text(response)
    assert message in html
    assert f'id="{field}-error"' in html
    assert "UBND huyện Hòa Vang" in html  # other typed values kept
    assert SiteSettings.get().site_name != "Cổng thông tin xã An Bình"


def test_settings_zero_close_days_means_never(as_admin):
    response = as_admin.post("/editor/settings", data=dict(SETTINGS, comments_close_after_days="0"))
    assert response.status_code == 303
    assert SiteSettings.get().comments_close_after_days == 0


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (120, 120), (143, 29, 29)).save(buffer, "PNG")
    return buffer.getvalue()


def test_logo_upload_goes_through_the_image_pipeline(app, as_admin):
    data = dict(SETTINGS, logo_file=(io.BytesIO(_png()), "logo.png"))
    response = as_admin.post("/editor/settings", data=data, content_type="multipart/form-data")
    assert response.status_code == 303, text(response)
    logo = SiteSettings.get().logo_url
    assert logo.startswith("/uploads/")
    assert (Path(app.config["UPLOAD_FOLDER"]) / logo.removeprefix("/uploads/")).is_file()
    assert f'src="{logo}"' in text(as_admin.get("/"))

    fake = dict(SETTINGS, logo_file=(io.BytesIO(b"<svg onload=alert(1)>"), "logo.png"))
    response = as_admin.post("/editor/settings", data=fake, content_type="multipart/form-data")
    assert response.status_code == 400
    assert 'id="logo_file-error"' in text(response)

    response = as_admin.post("/editor/settings", data=dict(SETTINGS, remove_logo="y"))
    assert response.status_code == 303
    assert SiteSettings.get().logo_url is None


def test_logo_path_under_uploads_is_accepted(app, as_admin):
    logo = Path(app.config["UPLOAD_FOLDER"]) / "2026" / "03" / "abc-800.png"
    logo.parent.mkdir(parents=True)
    logo.write_bytes(_png())  # only an existing upload is accepted
    data = dict(SETTINGS, logo_url="/uploads/2026/03/abc-800.png")
    assert as_admin.post("/editor/settings", data=data).status_code == 303
    assert SiteSettings.get().logo_url == "/uploads/2026/03/abc-800.png"


# ------------------------------------------------------------------ users


def test_create_user_validation(as_admin, admin):
    response = as_admin.post(
        "/editor/users/new",
        data={"email": admin.email, "name": "Trùng", "role": "editor", "password": "long enough"},
    )
    assert response.status_code == 400 and "Đã có người dùng với email này." in text(response)
    response = as_admin.post(
        "/editor/users/new", data={"email": "x@example.com", "name": "X", "role": "owner"}
    )
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_edit_name_and_role(as_admin, factory):
    user = factory.user("editor")
    response = as_admin.post(
        f"/editor/users/{user.id}/edit", data={"name": "Tên Mới", "role": "admin"}
    )
    assert response.status_code == 303
    db.session.refresh(user)
    assert (user.name, user.role) == ("Tên Mới", Role.ADMIN)


def test_disable_ends_sessions_and_enable_restores_access(app, as_admin, factory):
    user = factory.user("editor")
    theirs = app.test_client()
    theirs.post("/login", data={"email": user.email, "password": PASSWORD})
    assert theirs.get("/editor/").status_code == 200

    assert as_admin.post(f"/editor/users/{user.id}/disable").status_code == 303
    assert theirs.get("/editor/").status_code == 302
    assert (
        theirs.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 403
    )
    assert "Đã khóa" in text(as_admin.get("/editor/users"))

    assert as_admin.post(f"/editor/users/{user.id}/enable").status_code == 303
    assert (
        theirs.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 303
    )
    assert actions("user") == ["user.disable", "user.enable"]


def test_admin_resetting_own_password_stays_signed_in(as_admin, admin):
    assert as_admin.post(f"/editor/users/{admin.id}/reset-password").status_code == 200
    assert as_admin.get("/editor/").status_code == 200


def test_last_active_admin_cannot_be_demoted_or_disable_self(as_admin, admin, factory):
    factory.user("admin", active=False)  # a disabled admin does not count
    response = as_admin.post(f"/editor/users/{admin.id}/edit", data={"name": "A", "role": "editor"})
    assert response.status_code == 400
    assert "quản trị viên cuối cùng" in text(response)
    db.session.refresh(admin)
    assert admin.role == Role.ADMIN and admin.name == "Quản trị Một"

    response = as_admin.post(f"/editor/users/{admin.id}/disable")
    assert response.status_code == 400
    assert "tự khóa" in text(response)
    db.session.refresh(admin)
    assert admin.active

    second = factory.user("admin")
    response = as_admin.post(f"/editor/users/{admin.id}/edit", data={"name": "A", "role": "editor"})
    assert response.status_code == 303 and response.location == "/editor/"
    assert as_admin.get("/editor/users").status_code == 403  # now an editor
    assert second.is_admin


def test_keeps_an_admin_guard_rolls_back(app, factory):
    from blueprints.editor.users import _keeps_an_admin

    only = factory.user("admin")
    only.active = False
    assert _keeps_an_admin() is False
    db.session.refresh(only)
    assert only.active


# ------------------------------------------------------------------ profile


def test_profile_name_change(client, factory, login):
    user = factory.user("editor")
    login(user)
    assert client.get("/editor/profile").status_code == 200
    response = client.post("/editor/profile", data={"name": "  Nguyễn   Văn A "})
    assert response.status_code == 303
    db.session.refresh(user)
    assert user.name == "Nguyễn Văn A"
    assert client.post("/editor/profile", data={"name": ""}).status_code == 400


@pytest.mark.parametrize(
    "data, message",
    [
        (
            {
                "current_password": "wrong one",
                "new_password": "new pass 123",
                "confirm": "new pass 123",
            },
            "Không xác nhận được mật khẩu hiện tại.",
        ),
        (
            {
                "current_password": PASSWORD,
                "new_password": "new pass 123",
                "confirm": "new pass 124",
            },
            "Hai mật khẩu không giống nhau.",
        ),
        (
            {"current_password": PASSWORD, "new_password": "short", "confirm": "short"},
            "Mật khẩu cần từ 8 đến 256 ký tự.",
        ),
        (
            {"current_password": PASSWORD, "new_password": PASSWORD, "confirm": PASSWORD},
            "Mật khẩu mới phải khác mật khẩu hiện tại.",
        ),
    ],
)
def test_password_change_errors(client, factory, login, data, message):
    user = factory.user("editor")
    login(user)
    old_hash = user.password_hash
    response = client.post("/editor/profile/password", data=data)
    assert response.status_code == 400
    assert message in text(response)
    assert data["new_password"] not in text(response)
    db.session.refresh(user)
    assert user.password_hash == old_hash
    assert 'value="' + user.name + '"' in text(response)  # the name form is still filled


# ------------------------------------------------------------------ audit log


def test_audit_log_lists_newest_first_with_filters(app, as_admin, admin, factory):
    base = datetime(2026, 3, 1, 3, 0)
    for i, action in enumerate(["category.create", "link.create", "user.create"]):
        db.session.add(
            AuditLog(
                action=action,
                actor=admin.email,
                user_id=admin.id,
                detail=f"audit-detail-{i}",
                ip="192.0.2.1",
                created_at=base + timedelta(days=i),
            )
        )
    db.session.add(
        AuditLog(
            action="login.failure",
            actor="ke.gian@example.com",
            ip="203.0.113.66",
            created_at=base + timedelta(days=5),
        )
    )
    db.session.commit()

    html = text(as_admin.get("/editor/audit"))
    assert (
        html.index("ke.gian@example.com")
        < html.index("audit-detail-2")
        < html.index("audit-detail-1")
        < html.index("audit-detail-0")
    )
    assert "203.0.113.66" in html and "Đăng nhập thất bại" in html

    html = text(as_admin.get("/editor/audit?action=link"))
    assert (
        "audit-detail-1" in html and "audit-detail-0" not in html and "audit-detail-2" not in html
    )

    html = text(as_admin.get("/editor/audit?actor=ke.gian"))
    assert "203.0.113.66" in html and "audit-detail-0" not in html
    html = text(as_admin.get("/editor/audit?actor=Quản trị"))  # by the user's name
    assert "audit-detail-0" in html and "ke.gian" not in html

    # Local dates: 2 March (local) covers the row stored at 2026-03-02 03:00 UTC only.
    html = text(as_admin.get("/editor/audit?date_from=2026-03-02&date_to=2026-03-02"))
    assert (
        "audit-detail-1" in html and "audit-detail-0" not in html and "audit-detail-2" not in html
    )

    response = as_admin.get("/editor/audit?date_from=hôm qua")
    assert response.status_code == 400 and "Ngày không hợp lệ" in text(response)
    response = as_admin.get("/editor/audit?date_from=2026-03-05&date_to=2026-03-01")
    assert response.status_code == 400


def test_audit_log_percent_in_filter_is_literal(as_admin, admin):
    db.session.add(AuditLog(action="settings.update", actor=admin.email, detail="x"))
    db.session.commit()
    assert "x</td>" not in text(as_admin.get("/editor/audit?action=%25"))


def test_audit_log_keyset_pages(as_admin, admin):
    for i in range(60):
        db.session.add(AuditLog(action="article.update", actor=admin.email, detail=f"row-{i:02d}"))
    db.session.commit()
    first = text(as_admin.get("/editor/audit?action=article"))
    assert "row-59" in first and "row-10" in first and "row-09" not in first
    next_link = re.search(r'href="(/editor/audit\?[^"]*before=\d+[^"]*)" rel="next"', first)
    assert next_link
    second = text(as_admin.get(next_link.group(1).replace("&amp;", "&")))
    assert "row-09" in second and "row-00" in second and "row-10" not in second
    assert 'rel="next"' not in second
    assert as_admin.get("/editor/audit?before=99999999999999999999").status_code == 200


def test_changes_are_audited_with_actor_and_ip(as_admin, admin):
    as_admin.post("/editor/links/new", data={"title": "A", "url": "https://a.example"})
    entry = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "link.create")).one()
    assert (entry.user_id, entry.actor, entry.ip) == (admin.id, admin.email, "127.0.0.1")


# ------------------------------------------------------------------ dashboard


@pytest.fixture
def known_data(app, factory):
    app.config["CLOCK"] = lambda: NOW
    cat = factory.category("Tin")
    hot = factory.article(cat, title="Bài <hot> & nóng")
    warm = factory.article(cat, title="Bài ấm")
    factory.article(cat, title="Hẹn giờ", age=timedelta(hours=-5))  # scheduled
    factory.article(cat, title="Nháp", published=False)
    factory.article(cat, title="Đã xóa", status=ArticleStatus.DELETED)
    for status in (CommentStatus.PENDING,) * 3 + (CommentStatus.APPROVED,):
        db.session.add(Comment(article_id=hot.id, name="Bạn đọc", content="Hay", status=status))
    db.session.add_all(
        [
            DailyStats(day=TODAY, visits=7, page_views=20),
            DailyStats(day=date(2026, 3, 1), visits=5, page_views=9),
            DailyStats(day=date(2026, 2, 28), visits=100, page_views=300),  # last month
            ArticleDailyViews(article_id=hot.id, day=TODAY, views=4),
            ArticleDailyViews(article_id=hot.id, day=date(2026, 3, 2), views=10),
            ArticleDailyViews(article_id=warm.id, day=TODAY, views=6),
            ArticleDailyViews(article_id=warm.id, day=date(2026, 2, 20), views=50),
        ]
    )
    db.session.commit()
    return {"hot": hot, "warm": warm}


def figure(html: str, element_id: str) -> str:
    return re.search(rf'id="{element_id}">([^<]*)<', html).group(1)


def test_dashboard_figures(client, factory, login, known_data):
    login(factory.user("editor"))
    html = text(client.get("/editor/"))
    expected = {
        "count-published": "2",
        "count-scheduled": "1",
        "count-draft": "1",
        "count-pending": "3",
        "visits-today": "7",
        "visits-month": "12",
        "pageviews-today": "20",
        "pageviews-month": "29",
        "views-today": "10",
        "views-month": "20",
    }
    assert {key: figure(html, key) for key in expected} == expected
    top = re.search(r'<ol class="top-list" id="top-articles">(.*?)</ol>', html, re.S).group(1)
    assert top.index("Bài &lt;hot&gt; &amp; nóng") < top.index("Bài ấm")  # 14 views before 6
    assert "14 lượt xem" in top and "6 lượt xem" in top
    assert "<hot>" not in html


def test_dashboard_chart_is_accessible_svg_with_table(client, factory, login, known_data):
    login(factory.user("editor"))
    html = text(client.get("/editor/"))
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and 'aria-labelledby="visits-chart-title visits-chart-desc"' in svg
    assert '<title id="visits-chart-title">Lượt truy cập mỗi ngày trong 30 ngày qua</title>' in svg
    assert "từ 14/02/2026 đến 15/03/2026; tổng 112 lượt truy cập" in svg
    bars = re.findall(r'<rect class="bar"[^>]*height="([\d.]+)"', svg)
    assert len(bars) == 30
    assert float(bars[-1]) > 0 and float(bars[-15]) > 0  # 15/03 and 01/03
    assert float(bars[-1]) > float(bars[-15])
    assert "<title>15/03: 7</title>" in svg and "<title>28/02: 100</title>" in svg
    table = re.search(
        r'<table class="data-table compact" id="visits-table">.*?</table>', html, re.S
    )
    assert '<td>15/03/2026</td><td class="num">7</td>' in table.group(0)
    assert "style=" not in svg  # a strict CSP forbids inline styles


def test_bar_chart_escapes_every_label():
    svg = str(
        charts.bar_chart(
            [("<b>1</b>", 3), ('"x"', 0)], title="<script>", desc="a & b", chart_id='c"1'
        )
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "<b>" not in svg and "&lt;b&gt;1&lt;/b&gt;" in svg
    assert "a &amp; b" in svg and 'id="c&#34;1-title"' in svg


@pytest.mark.parametrize(
    "value, ceiling", [(0, 1), (1, 1), (2, 2), (3, 5), (7, 10), (10, 10), (11, 20), (4321, 5000)]
)
def test_nice_ceiling(value, ceiling):
    assert charts.nice_ceiling(value) == ceiling


def test_pending_badge_in_editor_menu(app, client, factory, login, known_data):
    login(factory.user("editor"))
    html = text(client.get("/editor/"))
    assert re.search(r'<span class="badge"[^>]*>3<', html)
    nav = re.search(r'<nav class="ed-nav".*?</nav>', html, re.S).group(0)
    # Editors manage categories and web links (issue 14); the rest stays with admins.
    assert "Chuyên mục" in nav and "Liên kết web" in nav
    for admin_only in ("Menu", "Cài đặt", "Người dùng", "Nhật ký"):
        assert admin_only not in nav


def test_admin_menu_shows_admin_entries(as_admin):
    nav = re.search(r'<nav class="ed-nav".*?</nav>', text(as_admin.get("/editor/")), re.S).group(0)
    for label in ("Tổng quan", "Chuyên mục", "Liên kết web", "Cài đặt", "Người dùng", "Nhật ký"):
        assert label in nav
    assert 'aria-current="page">Tổng quan' in nav


def test_every_menu_entry_is_a_page(app):
    from blueprints.editor import layout

    assert [item.endpoint for item in layout.NAV if item.endpoint not in app.view_functions] == []
