"""The reader page cache never shows stale content: edits, schedules and moderation show at once."""

from datetime import timedelta

from bantin.cache import Hole
from bantin.clock import utcnow
from bantin.extensions import db
from bantin.models import Article, Category, Comment, CommentStatus, SiteSettings, WebLink


def html(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    text = response.get_data(as_text=True)
    assert Hole.NONCE not in text  # every hole was filled
    return text


def test_edits_show_at_once_on_every_cached_page(client, factory):
    cat = factory.category("Tin tức")
    art = factory.article(cat, title="Tiêu đề cũ", featured=True)
    url = f"/article/{art.id}/{art.slug}"
    for path in ("/", f"/category/{cat.slug}", url):
        assert "Tiêu đề cũ" in html(client, path)
    art.title = "Tiêu đề mới"
    db.session.commit()
    for path in ("/", f"/category/{cat.slug}", url):
        page = html(client, path)
        assert "Tiêu đề mới" in page and "Tiêu đề cũ" not in page
    cat.name = "Thời sự"
    SiteSettings.get().site_name = "Tên trang đổi"
    db.session.add(WebLink(title="Liên kết mới", url="https://new.example.org"))
    db.session.commit()
    page = html(client, url)
    assert "Thời sự" in page and "Tên trang đổi" in page and "Liên kết mới" in page


def test_scheduled_article_appears_when_due_without_any_write(app, client, factory):
    cat = factory.category("Tin")
    now = utcnow()
    app.config["CLOCK"] = lambda: now
    factory.article(cat, title="Đã đăng")
    due = factory.article(cat, title="Hẹn giờ đăng", published_at=now + timedelta(hours=1))
    assert "Hẹn giờ đăng" not in html(client, "/")
    assert client.get(f"/article/{due.id}/{due.slug}").status_code == 404
    app.config["CLOCK"] = lambda: now + timedelta(hours=1, seconds=1)
    assert "Hẹn giờ đăng" in html(client, "/")
    assert "Hẹn giờ đăng" in html(client, f"/category/{cat.slug}")
    assert client.get(f"/article/{due.id}/{due.slug}").status_code == 200


def test_unpublish_and_delete_leave_no_cached_copy(client, factory):
    art = factory.article(title="Sắp gỡ")
    url = f"/article/{art.id}/{art.slug}"
    assert client.get(url).status_code == 200
    art.status = art.status.DRAFT
    db.session.commit()
    assert client.get(url).status_code == 404
    assert "Sắp gỡ" not in html(client, "/")


def test_moderation_changes_the_comment_list_at_once(client, factory):
    art = factory.article(title="Có ý kiến")
    url = f"/article/{art.id}/{art.slug}"
    first = Comment(
        article=art, name="Người thứ nhất", content="Ý kiến một", status=CommentStatus.PENDING
    )
    second = Comment(
        article=art, name="Người thứ hai", content="Ý kiến hai", status=CommentStatus.APPROVED
    )
    db.session.add_all([first, second])
    art.comment_count = 1
    db.session.commit()
    assert "Người thứ hai" in html(client, url)
    # Approve one and trash the other through the moderation service (what the editor's
    # buttons call): the approved count stays 1, only the list changes, and no test helper
    # moves the content version by hand.
    from bantin.comments import Action, moderate

    assert moderate([first.id], Action.APPROVE) == {first.id: True}
    assert moderate([second.id], Action.TRASH) == {second.id: True}
    page = html(client, url)
    assert "Người thứ nhất" in page and "Người thứ hai" not in page


def test_a_second_worker_sees_a_change_made_by_the_first(app_factory):
    worker_a = app_factory()
    worker_b = app_factory()
    with worker_a.app_context():
        cat = Category(name="Tin", slug="tin")
        db.session.add(cat)
        db.session.commit()
        cat_id = cat.id
    client_b = worker_b.test_client()
    assert "Bài từ worker A" not in client_b.get("/").get_data(as_text=True)
    with worker_a.app_context():
        from tests.conftest import Factory

        Factory().article(db.session.get(Category, cat_id), title="Bài từ worker A")
    assert "Bài từ worker A" in client_b.get("/").get_data(as_text=True)


def test_views_and_counters_are_live_in_a_cached_page(client, factory):
    art = factory.article(title="Đếm", view_count=5)
    url = f"/article/{art.id}/{art.slug}"
    assert '<strong class="views">6</strong>' in html(client, url)
    assert '<strong class="views">7</strong>' in html(client, url)
    db.session.expire_all()
    assert db.session.get(Article, art.id).view_count == 7


def test_each_reader_gets_fresh_form_tokens(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        from tests.conftest import Factory

        art = Factory().article(title="Mẫu ý kiến")
        url = f"/article/{art.id}/{art.slug}"
    one = html(app.test_client(), url)
    two = html(app.test_client(), url)
    import re

    tokens = [re.search(r'name="csrf_token"[^>]*value="([^"]+)"', h) for h in (one, two)]
    assert all(tokens), "CSRF is on for this test: the form carries a token"
    assert tokens[0].group(1) != tokens[1].group(1)
    captcha = [re.search(r'name="captcha_token"[^>]*value="([^"]+)"', h) for h in (one, two)]
    assert captcha[0] and captcha[1]
    assert captcha[0].group(1) != captcha[1].group(1)


def test_flashed_messages_reach_only_their_reader(app, factory):
    art = factory.article(title="Có thông báo")
    url = f"/article/{art.id}/{art.slug}"
    reader, other = app.test_client(), app.test_client()
    html(other, url)  # the page is cached now
    with reader.session_transaction() as sess:
        sess["_flashes"] = [("comment", "Ý kiến của bạn đã được gửi và đang chờ duyệt")]
    mine = html(reader, url)
    comments_part = mine.split('id="comments"')[1]
    assert "Ý kiến của bạn đã được gửi và đang chờ duyệt" in comments_part
    assert "Ý kiến của bạn đã được gửi" not in html(other, url)
    assert "Ý kiến của bạn đã được gửi" not in html(reader, url)  # shown once


def test_reader_pages_tell_shared_caches_they_vary_by_cookie(client, factory):
    art = factory.article(title="Vary")
    for path in ("/", f"/article/{art.id}/{art.slug}", "/search?q=vary"):
        assert "Cookie" in client.get(path).headers.get("Vary", ""), path
