"""A reader comments in real Chromium, an editor approves it, the reader sees it: (1).

The live server runs with TESTING and CAPTCHA_TEST_ANSWER="TEST1", so the captcha is
answerable, and with the test config's SPAM_GUARD_ENABLED=False: its 3-second minimum fill
time would need a real wait here (tests/test_guard.py covers the guard with a moved clock).
"""

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from bantin.clock import utcnow
from bantin.extensions import db
from bantin.models import Article, ArticleStatus, Category, Comment, CommentStatus, Role, User
from tests.conftest import PASSWORD, live_app_context

COMMENT = "Đề nghị xã sớm sửa đoạn đường qua thôn Đông.\nBà con đi lại rất khó khăn."


def test_reader_comments_and_editor_approves(live_server_factory, page, browser, screenshot_dir):
    server = live_server_factory(workers=2)
    with live_app_context(server):
        category = Category(name="Giao thông", slug="giao-thong")
        article = Article(
            title="Sửa chữa đường liên thôn",
            slug="sua-chua-duong-lien-thon",
            category=category,
            lead="Xã lấy ý kiến bà con về việc sửa đường.",
            body="<p>Ủy ban nhân dân xã thông báo kế hoạch sửa đường.</p>",
            status=ArticleStatus.PUBLISHED,
            published_at=utcnow(),
        )
        user = User(email="kiemduyet@example.com", name="Lê Kiểm Duyệt", role=Role.EDITOR)
        user.set_password(PASSWORD)
        db.session.add_all([category, article, user])
        db.session.commit()
        url = f"{server.url}/article/{article.id}/{article.slug}"
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    # Failed requests are caught by URL below; the console's copy also covers /favicon.ico,
    # which Chromium asks for on its own and this site does not serve.
    page.on(
        "console",
        lambda msg: (
            problems.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on(
        "response",
        lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )

    # The reader fills the form.
    page.goto(url)
    assert "(0)" in page.locator("#comments-heading").inner_text()
    form = page.locator("form.comment-form")
    form.scroll_into_view_if_needed()
    page.fill("#name", "Trần Văn Bình")
    page.fill("#address", "Thôn Đông")
    page.fill("#email", "binh@example.vn")
    page.fill("#content", COMMENT)
    counter = page.locator(".char-count")
    assert re.search(r"\(\d+/4\.000\)", counter.inner_text())
    # The captcha image is drawn; "Đổi mã khác" swaps in a new one without leaving the page.
    image = page.locator(".captcha-image")
    # (expect() polls without eval: the strict CSP forbids wait_for_function's strings.)
    expect(image).to_have_js_property("naturalWidth", 220)
    token_input = page.locator("input[name=captcha_token]")
    old_token = token_input.input_value()
    old_src = image.get_attribute("src")
    page.click(".captcha-refresh")
    expect(token_input).not_to_have_value(old_token)
    assert image.get_attribute("src") != old_src
    expect(image).to_have_js_property("naturalWidth", 220)
    assert page.url.startswith(url)  # refreshed in place
    page.fill("#captcha", "test1")
    screenshot_dir.mkdir(parents=True, exist_ok=True)
    form.screenshot(path=str(screenshot_dir / "comment-form.png"))
    page.click("form.comment-form button[type=submit]")
    page.wait_for_url(re.compile(r"#comments$"))
    assert "Ý kiến của bạn đã được gửi và đang chờ duyệt" in page.content()
    assert "Trần Văn Bình" not in page.locator("#comments").inner_text()
    assert "(0)" in page.locator("#comments-heading").inner_text()

    # An editor signs in and approves it.
    editor = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    moderator = editor.new_page()
    moderator.goto(f"{server.url}/login?next=/editor/comments")
    moderator.fill("#email", "kiemduyet@example.com")
    moderator.fill("#password", PASSWORD)
    moderator.locator("form.login-form button[type=submit]").click()
    moderator.wait_for_url(re.compile(r"/editor/comments"))
    row = moderator.locator("tr", has_text="Trần Văn Bình")
    assert "binh@example.vn" in row.inner_text()  # moderators see the email, readers never
    assert moderator.locator(".badge").first.inner_text().startswith("1")
    row.get_by_role("button", name="Duyệt").click()
    moderator.wait_for_url(re.compile(r"/editor/comments\?status=pending"))
    assert "Đã duyệt 1 ý kiến." in moderator.content()
    editor.close()

    # The reader reloads: the comment is there, with its line break, and the count is (1).
    page.reload()
    comments = page.locator("#comments")
    assert "Trần Văn Bình" in comments.inner_text()
    assert "Bà con đi lại rất khó khăn." in comments.inner_text()
    assert page.locator("#comments .comment-content br").count() == 1
    assert "(1)" in page.locator("#comments-heading").inner_text()
    assert "binh@example.vn" not in page.content()
    assert problems == [], problems

    with live_app_context(server):
        [comment] = db.session.scalars(sa.select(Comment)).all()
        assert comment.status == CommentStatus.APPROVED
        assert db.session.get(Article, comment.article_id).comment_count == 1
