"""Readers' pages: layout blocks, article page elements, redirects and pagination."""

import re
import unicodedata
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from bantin.extensions import db
from bantin.models import (
    Article,
    ArticleStatus,
    Comment,
    CommentStatus,
    DailyStats,
    SiteSettings,
    WebLink,
)


def text_of(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def site(factory):
    factory.settings(
        site_name="Cổng thông tin xã Thử Nghiệm",
        owner="UBND xã Thử Nghiệm",
        managing_body="Văn phòng HĐND và UBND xã",
        address="Thôn Một, xã Thử Nghiệm",
        phone="0235 111 222",
        email="vanphong@thu.example.org",
        credit_line="Phát triển bởi Bantin",
    )
    db.session.add(WebLink(title="Cổng dịch vụ công", url="https://dvc.example.org", position=1))
    db.session.add(WebLink(title="Ẩn đi", url="https://hidden.example.org", visible=False))
    db.session.commit()
    return factory


def test_home_shows_layout_featured_latest_and_category_blocks(client, site):
    cat = site.category("Tin tức - Sự kiện")
    site.article(cat, title="Bài nổi bật đầu trang", featured=True)
    site.article(cat, title="Bài thường hôm nay", age=timedelta(minutes=5))
    site.article(cat, title="Bản nháp chưa đăng", published=False)
    html = text_of(client.get("/"))
    assert "Cổng thông tin xã Thử Nghiệm" in html
    assert "Tin nổi bật" in html and "Bài nổi bật đầu trang" in html
    assert "Bài thường hôm nay" in html
    assert "Bản nháp chưa đăng" not in html
    assert 'href="/category/tin-tuc-su-kien"' in html
    # footer
    for piece in (
        "UBND xã Thử Nghiệm",
        "Văn phòng HĐND và UBND xã",
        "Thôn Một, xã Thử Nghiệm",
        "0235 111 222",
        "vanphong@thu.example.org",
        "Phát triển bởi Bantin",
    ):
        assert piece in html
    # web links open in a new tab with rel=noopener; hidden links are not shown
    assert re.search(r'href="https://dvc.example.org" target="_blank" rel="noopener"', html)
    assert "hidden.example.org" not in html
    assert "Lượt trong tháng" in html and "Lượt trong năm" in html
    assert "Đăng nhập" in html


def test_article_page_shows_every_element(client, site):
    cat = site.category("Văn hóa - Xã hội")
    older = site.article(cat, title="Bài cũ hơn cùng chuyên mục", age=timedelta(days=3))
    body = (
        '<p>Mở đầu.</p><figure><img src="/uploads/demo/a-800.jpg" alt="Ảnh" width="800"'
        ' height="450"><figcaption>Chú thích ảnh hội nghị</figcaption></figure>'
    )
    art = site.article(
        cat,
        title="Chú trọng đẩy mạnh công tác dân vận",
        author_name="Thu Hà",
        lead="Đoạn sapo tách riêng khỏi thân bài.",
        body=body,
        view_count=41,
        published_at=datetime(2024, 12, 5, 11, 45),
    )
    other_cat = site.category("Thông báo")
    site.article(other_cat, title="Bài chuyên mục khác")
    response = client.get(f"/article/{art.id}/{art.slug}")
    assert response.status_code == 200
    html = text_of(response)
    assert art.slug == "chu-trong-day-manh-cong-tac-dan-van"
    assert "Chi tiết tin" in html
    assert "Tác giả" in html and "Thu Hà" in html
    # 11:45 UTC is 18:45 in Asia/Ho_Chi_Minh
    assert "18:45 | 05/12/2024" in html
    assert 'Lượt xem: <strong class="views">42</strong>' in html
    assert '<p class="lead">Đoạn sapo tách riêng khỏi thân bài.</p>' in html
    assert "<figcaption>Chú thích ảnh hội nghị</figcaption>" in html
    assert "Tin cùng chuyên mục" in html and "Bài cũ hơn cùng chuyên mục" in html
    assert "Bài chuyên mục khác" not in html.split("Tin cùng chuyên mục")[1].split("</section>")[0]
    assert "Tin mới nhất" in html
    assert f'href="/category/{cat.slug}">[Trở về]' in html
    assert 'Ý kiến bạn đọc: (<span class="comment-count">0</span>)' in html
    assert f'<link rel="canonical" href="http://localhost/article/{art.id}/{art.slug}">' in html
    assert '<meta name="description" content="Đoạn sapo tách riêng khỏi thân bài.">' in html
    assert "<title>Chú trọng đẩy mạnh công tác dân vận |" in html
    assert older.title in html


def test_updated_time_shown_only_when_edited_after_publishing(client, factory):
    art = factory.article(title="Có cập nhật")
    assert "Cập nhật lúc" not in text_of(client.get(f"/article/{art.id}/{art.slug}"))
    art.updated_at = art.published_at + timedelta(hours=2)
    db.session.commit()
    assert "Cập nhật lúc" in text_of(client.get(f"/article/{art.id}/{art.slug}"))


def test_same_category_prefers_just_older_then_newer(client, factory):
    cat = factory.category("Tin")
    arts = [
        factory.article(cat, title=f"Tin số {i}", age=timedelta(days=20 - i)) for i in range(15)
    ]
    current = arts[7]
    html = text_of(client.get(f"/article/{current.id}/{current.slug}"))
    related = html.split("Tin cùng chuyên mục")[1].split("</section>")[0]
    titles = re.findall(r">(Tin số \d+)</a>", related)
    # The nearest in time (all seven older, then the three just newer), shown newest first.
    assert titles == [f"Tin số {i}" for i in (10, 9, 8, 6, 5, 4, 3, 2, 1, 0)]
    assert "Tin số 7" not in titles


def test_approved_comments_only_and_count(client, factory):
    art = factory.article(title="Có ý kiến")
    for status, name in [
        (CommentStatus.APPROVED, "Người đọc duyệt"),
        (CommentStatus.PENDING, "Người chờ duyệt"),
        (CommentStatus.SPAM, "Kẻ rác"),
        (CommentStatus.TRASH, "Đã xóa"),
    ]:
        db.session.add(
            Comment(
                article=art,
                name=name,
                content="Nội dung <b>đậm</b>\nDòng 2",
                status=status,
                email="secret@example.com",
            )
        )
    art.comment_count = 1
    db.session.commit()
    html = text_of(client.get(f"/article/{art.id}/{art.slug}"))
    assert '(<span class="comment-count">1</span>)' in html
    assert "Người đọc duyệt" in html
    for hidden in ("Người chờ duyệt", "Kẻ rác", "Đã xóa", "secret@example.com"):
        assert hidden not in html
    assert "Nội dung &lt;b&gt;đậm&lt;/b&gt;<br>Dòng 2" in html


@pytest.mark.parametrize("suffix", ["", "/wrong-slug", "/CHU-TRONG"])
def test_other_addresses_redirect_301_to_canonical(client, factory, suffix):
    art = factory.article(title="Chú trọng")
    response = client.get(f"/article/{art.id}{suffix}")
    assert response.status_code == 301
    assert response.headers["Location"] == f"/article/{art.id}/chu-trong"


def test_redirect_does_not_count_a_view(client, factory):
    art = factory.article(title="Đếm một lần")
    client.get(f"/article/{art.id}")
    client.get(f"/article/{art.id}/sai")
    db.session.refresh(art)
    assert art.view_count == 0


@pytest.mark.parametrize(
    "state",
    [
        {"status": ArticleStatus.DRAFT, "published_at": None},
        {"status": ArticleStatus.DELETED},
        {"published_at": "future"},
    ],
)
def test_hidden_articles_answer_404(client, factory, state):
    art = factory.article(title="Ẩn với bạn đọc")
    for key, value in state.items():
        if value == "future":
            value = art.published_at + timedelta(days=3)
        setattr(art, key, value)
    db.session.commit()
    assert client.get(f"/article/{art.id}/{art.slug}").status_code == 404
    assert client.get(f"/article/{art.id}").status_code == 404
    assert "Ẩn với bạn đọc" not in text_of(client.get("/"))


@pytest.mark.parametrize(
    "path",
    [
        "/article/9223372036854775808",
        "/article/99999999999999999999999/x",
        "/article/0",
        "/article/-1",
        "/article/abc",
        "/article/123456",
        "/category/khong-co",
    ],
)
def test_unknown_or_out_of_range_ids_are_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Không tìm thấy trang" in text_of(response)


def test_404_page_uses_site_layout(client, factory):
    factory.settings(site_name="Trang thử 404")
    html = text_of(client.get("/khong-ton-tai"))
    assert "Trang thử 404" in html and "Tin mới nhất" in html


def test_500_page_rolls_back_and_renders_layout(app_factory):
    app = app_factory(RENDER_500_IN_TESTS=True)

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Đã có lỗi xảy ra" in html
    assert "RuntimeError" not in html and "Traceback" not in html


def test_413_for_oversized_requests(app_factory):
    app = app_factory(MAX_CONTENT_LENGTH=1024)

    @app.post("/echo")
    def echo():
        from flask import request

        return str(len(request.form.get("email", "")))

    client = app.test_client()
    assert client.post("/echo", data={"email": "x" * 100}).status_code == 200
    response = client.post("/echo", data={"email": "x" * 5000})
    assert response.status_code == 413
    assert "quá lớn" in response.get_data(as_text=True)


class TestCategoryPagination:
    @pytest.fixture
    def cat(self, factory):
        factory.settings(articles_per_page=20)
        cat = factory.category("Tin tức")
        for i in range(45):
            factory.article(cat, title=f"Tin phân trang {i:02d}", age=timedelta(hours=100 - i))
        return cat

    def test_pages_newest_first_twenty_each(self, client, cat):
        first = text_of(client.get(f"/category/{cat.slug}"))
        titles = re.findall(r">(Tin phân trang \d+)</a></h2>", first)
        assert titles[:3] == ["Tin phân trang 44", "Tin phân trang 43", "Tin phân trang 42"]
        assert len(titles) == 20
        third = text_of(client.get(f"/category/{cat.slug}?page=3"))
        assert re.findall(r">(Tin phân trang \d+)</a></h2>", third) == [
            f"Tin phân trang {i:02d}" for i in range(4, -1, -1)
        ]
        assert 'rel="prev"' in third and 'rel="next"' not in third
        assert "Trang 3 / 3" in third

    @pytest.mark.parametrize("page", ["", "0", "1"])
    def test_first_page_aliases(self, client, cat, page):
        response = client.get(f"/category/{cat.slug}?page={page}")
        assert response.status_code == 200
        assert "Tin phân trang 44" in text_of(response)

    @pytest.mark.parametrize("page", ["-1", "abc", "99999999999999999999", "4", "1.5", "１", "2e3"])
    def test_bad_pages_are_404(self, client, cat, page):
        assert client.get(f"/category/{cat.slug}?page={page}").status_code == 404

    def test_empty_category_has_a_first_page(self, client, factory):
        empty = factory.category("Trống")
        response = client.get(f"/category/{empty.slug}")
        assert response.status_code == 200
        assert "chưa có bài viết" in text_of(response)
        assert client.get(f"/category/{empty.slug}?page=2").status_code == 404


def test_settings_change_shows_at_once(client, factory):
    factory.settings(site_name="Tên cũ")
    assert "Tên cũ" in text_of(client.get("/"))
    SiteSettings.get().site_name = "Tên mới"
    db.session.commit()
    assert "Tên mới" in text_of(client.get("/"))


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok"


def test_text_is_stored_nfc_by_demo_seed(app, runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    titles = db.session.scalars(sa.select(Article.title)).all()
    assert len(titles) >= 15
    assert all(unicodedata.is_normalized("NFC", t) for t in titles)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DailyStats)) == 0


# ---------------------------------------------------------------- thumbnails


BODY_IMG = "/uploads/2026/03/0123456789abcdef-800.jpg"
COVER_IMG = "/uploads/2026/03/fedcba9876543210-800.jpg"


def body_with_image(src: str = BODY_IMG) -> str:
    return (
        "<p>Mở đầu.</p>"
        f'<figure><img src="{src}" alt="Ảnh trong bài" width="800" height="533"></figure>'
    )


def saved_article(site, category, title, **changes):
    """An article written through the save path (which records the body's first image)."""
    from bantin import articles as service

    art = service.save(
        None,
        None,
        {"title": title, "category_id": category.id, "status": "published", **changes},
    )
    db.session.commit()
    return art


def test_listings_use_the_body_image_when_there_is_no_cover(client, site):
    cat = site.category("Tin ảnh")
    art = saved_article(site, cat, "Bài chỉ có ảnh trong thân", body=body_with_image())
    assert art.body_image_url == BODY_IMG and art.cover_url is None
    small = BODY_IMG.replace("-800.", "-320.")
    home = text_of(client.get("/"))
    assert f'<img src="{small}" alt="" width="320" height="180" loading="lazy">' in home
    category = text_of(client.get("/category/tin-anh"))
    assert f'src="{small}"' in category

    # Featured at the top of the home page: the large file.
    art.featured = True
    db.session.commit()
    home = text_of(client.get("/"))
    assert f'<img src="{BODY_IMG}" alt="" width="800" height="450">' in home


def test_a_cover_wins_over_the_body_image(client, site):
    cat = site.category("Tin ảnh")
    saved_article(site, cat, "Bài có ảnh đại diện", body=body_with_image(), cover_url=COVER_IMG)
    home = text_of(client.get("/"))
    assert COVER_IMG.replace("-800.", "-320.") in home
    assert BODY_IMG.replace("-800.", "-320.") not in home


def test_listings_follow_the_body_when_its_image_goes(client, site):
    from bantin import articles as service

    cat = site.category("Tin ảnh")
    art = saved_article(site, cat, "Bài bỏ ảnh", body=body_with_image())
    assert BODY_IMG.replace("-800.", "-320.") in text_of(client.get("/category/tin-anh"))
    service.save(art, None, {"body": "<p>Không còn ảnh.</p>"})
    db.session.commit()
    assert "/uploads/" not in text_of(client.get("/category/tin-anh"))


def test_social_cards_use_the_body_image(client, site):
    from tests.test_metadata import head_of

    cat = site.category("Tin ảnh")
    art = saved_article(site, cat, "Bài chia sẻ", body=body_with_image())
    head = head_of(client.get(f"/article/{art.id}/{art.slug}"))
    assert head.meta["og:image"] == f"http://localhost{BODY_IMG}"
    assert head.meta["twitter:image"] == f"http://localhost{BODY_IMG}"
    assert head.meta["twitter:card"] == "summary_large_image"
