"""Which reader pages the app offers to nginx's microcache, and the comment form on them.

nginx announces its cache with X-Bantin-Shared-Cache; the app marks a response shareable
(X-Accel-Expires, X-Bantin-View) only when it is the same for every anonymous reader. The
shipped nginx config in front of gunicorn is tested in tests/faults/test_nginx.py.
"""

import sqlalchemy as sa

from bantin.extensions import db
from bantin.models import Article
from tests.comment_helpers import (
    GOOD,
    all_comments,
    article_url,
    form_tokens,
    post_url,
    textarea_value,
)
from tests.conftest import Factory

SHARED = {"X-Bantin-Shared-Cache": "5"}
BOT = {**SHARED, "User-Agent": "Googlebot/2.1"}


def _views(art) -> int:
    return db.session.scalar(sa.select(Article.view_count).where(Article.id == art.id))


def test_without_nginx_nothing_changes(client, factory):
    art = factory.article()
    response = client.get(article_url(art))
    assert "X-Accel-Expires" not in response.headers
    assert "X-Bantin-View" not in response.headers
    assert form_tokens(response.get_data(as_text=True))["captcha_token"]


def test_an_anonymous_article_view_is_shared_without_tokens_and_still_counted(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        art = Factory().article()
        client = app.test_client()
        response = client.get(article_url(art), headers=SHARED)
        assert response.status_code == 200
        assert response.headers["X-Accel-Expires"] == "5"
        assert response.headers["X-Bantin-View"] == f"article {art.id}"
        tokens = form_tokens(response.get_data(as_text=True))
        assert tokens["captcha_token"] == "" and tokens["csrf_token"] == ""
        assert tokens["ts"]  # the form time is the same for everyone
        html = response.get_data(as_text=True)
        # No request for a challenge that does not exist; without JavaScript "Nghe mã"
        # leads to a page of the reader's own, with a challenge.
        assert 'class="captcha-image" src="data:image/svg+xml,' in html
        assert f'class="captcha-audio" href="/captcha/new?article={art.id}#comment-form"' in html
        assert "/captcha/.png" not in html
        cookies = response.headers.getlist("Set-Cookie")
        assert len(cookies) == 1 and cookies[0].startswith("visit=1;")
        assert _views(art) == 1  # the app counts what it serves


def test_other_reader_pages_are_shared_as_pages(client, factory):
    art = factory.article()
    for url in ("/", f"/category/{art.category.slug}"):
        response = client.get(url, headers=SHARED)
        assert response.headers["X-Bantin-View"] == "page", url
        assert response.headers["X-Accel-Expires"] == "5", url


def test_the_lifetime_is_capped_and_garbage_ignored(client, factory):
    art = factory.article()
    capped = client.get(article_url(art), headers={"X-Bantin-Shared-Cache": "3600"})
    assert capped.headers["X-Accel-Expires"] == "60"
    for value in ("0", "-1", "5s", "٥", ""):
        response = client.get(article_url(art), headers={"X-Bantin-Shared-Cache": value})
        assert "X-Accel-Expires" not in response.headers, value
        assert form_tokens(response.get_data(as_text=True))["captcha_token"], value


def test_a_browser_with_a_session_gets_its_own_page(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        art = Factory().article()
        client = app.test_client()
        fetched = client.get(f"/article/{art.id}/comment-tokens")
        assert fetched.headers["Cache-Control"] == "no-store"
        response = client.get(article_url(art), headers=SHARED)
        assert "X-Accel-Expires" not in response.headers
        assert form_tokens(response.get_data(as_text=True))["csrf_token"]


def test_bots_and_head_requests_are_not_shared(client, factory):
    """Neither sets the visit cookie; a copy without it would stop readers' visit windows."""
    art = factory.article()
    assert "X-Accel-Expires" not in client.get(article_url(art), headers=BOT).headers
    assert "X-Accel-Expires" not in client.head(article_url(art), headers=SHARED).headers


def test_errors_and_redirects_are_not_shared(client, factory):
    art = factory.article()
    missing = client.get("/article/999999/x", headers=SHARED)
    assert missing.status_code == 404 and "X-Accel-Expires" not in missing.headers
    moved = client.get(f"/article/{art.id}/old-slug", headers=SHARED)
    assert moved.status_code == 301 and "X-Accel-Expires" not in moved.headers


def test_the_shared_form_gets_its_tokens_and_posts(app_factory):
    """What comments.js does on a shared page: fetch the tokens, fill them in, post."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        art = Factory().article()
        client = app.test_client()
        page = client.get(article_url(art), headers=SHARED).get_data(as_text=True)
        tokens = form_tokens(page)
        fetched = client.get(f"/article/{art.id}/comment-tokens").get_json()
        assert fetched["image"] == f"/captcha/{fetched['token']}.png"
        tokens.update(csrf_token=fetched["csrf"], captcha_token=fetched["token"])
        response = client.post(post_url(art), data={**GOOD, **tokens})
        assert response.status_code == 303
        assert len(all_comments()) == 1


def test_a_post_without_tokens_gets_the_form_back_with_the_text(app_factory):
    """No JavaScript on a shared page (or an expired session): refused, nothing lost."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        art = Factory().article()
        client = app.test_client()
        tokens = form_tokens(client.get(article_url(art), headers=SHARED).get_data(as_text=True))
        response = client.post(post_url(art), data={**GOOD, **tokens})
        html = response.get_data(as_text=True)
        assert response.status_code == 400
        assert all_comments() == []
        assert "Phiên gửi ý kiến đã hết hạn" in html
        assert textarea_value(html) == GOOD["content"]
        fresh = form_tokens(html)
        assert fresh["csrf_token"] and fresh["captcha_token"]
        again = client.post(post_url(art), data={**GOOD, **fresh})
        assert again.status_code == 303
        assert len(all_comments()) == 1


def test_tokens_only_for_an_open_visible_article(client, factory):
    assert client.get("/article/999999/comment-tokens").status_code == 404
    closed = factory.article(allow_comments=False)
    assert client.get(f"/article/{closed.id}/comment-tokens").status_code == 404


def test_the_no_script_refresh_link_gives_the_browser_its_own_page(client, factory):
    art = factory.article()
    response = client.get(f"/captcha/new?article={art.id}")
    assert response.status_code == 303
    assert any(c.startswith("session=") for c in response.headers.getlist("Set-Cookie"))
    page = client.get(article_url(art), headers=SHARED)
    assert "X-Accel-Expires" not in page.headers
    assert form_tokens(page.get_data(as_text=True))["captcha_token"]
