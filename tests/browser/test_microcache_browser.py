"""A reader comments on a page served from nginx's microcache, in real Chromium.

The shipped nginx config in front of the shipped gunicorn settings, CSRF on as in
production. The cached copy carries no CSRF or captcha token; comments.js fetches them when
the form comes near the screen, and the post goes through. After it the browser has a
session, so it gets its own page (the flashed notice), while a new reader still gets the
shared copy, and comments too. A reader without JavaScript gets the form back once, with
the text kept and a challenge, and comments on the second try.
"""

from playwright.sync_api import expect

from tests.faults.scenarios import LIVE_CONFIG, make_article
from tests.faults.support import Browser, query
from tests.faults.test_nginx import NGINX, ShippedGunicorn, _require, _with_nginx

NAMES = ["Trần Văn Bình", "Lê Thị Hoa", "Phạm Văn Cường"]
COMMENTS = [
    "Đề nghị xã công khai lịch sửa đường.",
    "Thôn Tây cũng cần sửa đoạn gần chợ.",
    "Nhà tôi không dùng JavaScript mà vẫn gửi được ý kiến.",
]


def _comment(browser, url: str, name: str, text: str) -> None:
    context = browser.new_context(ignore_https_errors=True, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on(
        "response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    try:
        response = page.goto(url)
        # Shared (HIT), or just refreshed for everyone (MISS, EXPIRED on a slow machine):
        # either way the copy every anonymous reader gets, never a page of one's own.
        assert response.headers.get("x-cache-status") != "BYPASS"
        assert 'name="captcha_token" value=""' in response.text()  # no reader's token
        token = page.locator("input[name=captcha_token]")
        page.locator("form.comment-form").scroll_into_view_if_needed()
        expect(token).not_to_have_value("")
        expect(page.locator("input[name=csrf_token]")).not_to_have_value("")
        expect(page.locator(".captcha-image")).to_have_js_property("naturalWidth", 220)
        page.fill("#name", name)
        page.fill("#content", text)
        page.fill("#captcha", "TEST1")
        with page.expect_navigation():
            page.locator("form.comment-form button[type=submit]").click()
        notice = page.locator(".comment-notices, [role=status]").first
        expect(notice).to_contain_text("chờ duyệt")
        # Her own page now (the session carries the notice), and once more on reload.
        page.reload()
        assert page.locator("input[name=captcha_token]").input_value() != ""
        assert problems == []
    finally:
        context.close()


def _comment_without_javascript(browser, url: str, name: str, text: str) -> None:
    """No script fetches the tokens: the first post gets the form back, text kept, with a
    challenge of its own; the second goes through."""
    context = browser.new_context(
        ignore_https_errors=True, locale="vi-VN", java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        response = page.goto(url)
        # Shared (HIT), or just refreshed for everyone (MISS, EXPIRED on a slow machine):
        # either way the copy every anonymous reader gets, never a page of one's own.
        assert response.headers.get("x-cache-status") != "BYPASS"
        assert 'name="captcha_token" value=""' in response.text()
        page.fill("#name", name)
        page.fill("#content", text)
        page.fill("#captcha", "TEST1")
        with page.expect_navigation():
            page.locator("form.comment-form button[type=submit]").click()
        expect(page.locator(".form-alert")).to_contain_text("Phiên gửi ý kiến đã hết hạn")
        assert page.locator("#content").input_value() == text
        assert page.locator("#name").input_value() == name
        expect(page.locator(".captcha-image")).to_have_js_property("naturalWidth", 220)
        page.fill("#captcha", "TEST1")
        with page.expect_navigation():
            page.locator("form.comment-form button[type=submit]").click()
        expect(page.locator(".comment-notices, [role=status]").first).to_contain_text("chờ duyệt")
    finally:
        context.close()


def test_a_reader_comments_on_a_cached_page(tmp_path, migrated_db, browser):
    _require(NGINX, "nginx")
    config = {**LIVE_CONFIG, "WTF_CSRF_ENABLED": True}
    server = ShippedGunicorn(tmp_path, migrated_db, PROXY_COUNT=1, **config).start()
    try:
        stack = _with_nginx(tmp_path, server)
        site = next(stack)
        try:
            path = make_article(server)
            url = site["https"] + path
            # The first reader's request fills the cache.
            assert Browser(site["https"], insecure_tls=True).get(path).status == 200
            for name, text in zip(NAMES[:2], COMMENTS[:2], strict=True):
                _comment(browser, url, name, text)
            _comment_without_javascript(browser, url, NAMES[2], COMMENTS[2])
            rows = query(server.db_path, "SELECT name, content FROM comment ORDER BY id")
            assert rows == list(zip(NAMES, COMMENTS, strict=True))
        finally:
            stack.close()
    finally:
        server.stop()
