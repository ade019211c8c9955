"""Answers to readers in real Chromium: a reader asks (Hỏi đáp), an editor answers and
publishes, the reader finds it again without diacritics; an editor replies to a comment and
the article page shows the reply.

The live server runs with CAPTCHA_TEST_ANSWER="TEST1" and the guard off (its 3-second
minimum fill time would need a real wait; tests/test_questions.py covers it with a moved
clock), as the comment browser test does.
"""

import re

import sqlalchemy as sa
from playwright.sync_api import expect

from bantin.clock import utcnow
from bantin.extensions import db
from bantin.models import (
    Article,
    ArticleStatus,
    Category,
    Comment,
    CommentStatus,
    DocumentTerm,
    Question,
    QuestionStatus,
    Role,
    TermKind,
    User,
)
from tests.browser.conftest import sign_in, watch_errors
from tests.conftest import PASSWORD, live_app_context

TITLE = "Thủ tục cấp giấy chứng nhận quyền sử dụng đất đai lần đầu"
QUESTION = "Gia đình tôi ở thôn Đông.\nXin hỏi cần chuẩn bị những giấy tờ gì?"
ANSWER = "Bạn chuẩn bị đơn đề nghị và giấy tờ về đất.\nNộp tại bộ phận một cửa của xã."
REPLY = "Cảm ơn bạn đã góp ý.\nXã sẽ sửa đoạn đường này trong tháng tới."


def test_reader_asks_editor_answers_reader_finds_it_and_a_comment_reply(
    live_server_factory, browser, page, screenshot_dir
):
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
            comment_count=1,
        )
        comment = Comment(
            article=article,
            name="Trần Văn Bình",
            content="Đoạn qua thôn Đông hỏng nặng.",
            status=CommentStatus.APPROVED,
        )
        land = DocumentTerm(kind=TermKind.FIELD, name="Đất đai", name_en="Land", position=1)
        health = DocumentTerm(kind=TermKind.FIELD, name="Y tế", name_en="Health", position=2)
        older = Question(
            title="Thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi",
            name="Lê Thị Hoa",
            address="Thôn Tây",
            content="Con tôi 3 tuổi, làm thẻ bảo hiểm y tế ở đâu?",
            answer="Bạn đến trạm y tế xã hoặc bộ phận một cửa; thẻ được cấp miễn phí.",
            field=health,
            status=QuestionStatus.PUBLISHED,
            published_at=utcnow(),
            answered_at=utcnow(),
            folded=" the bao hiem y te ",
        )
        user = User(email="bientap@example.com", name="Lê Biên Tập", role=Role.EDITOR)
        user.set_password(PASSWORD)
        db.session.add_all([category, article, comment, land, health, older, user])
        db.session.commit()
        article_url = f"{server.url}/article/{article.id}/{article.slug}"
        land_id = land.id
    problems = watch_errors(page)

    # The reader asks.
    page.goto(f"{server.url}/questions")
    expect(page.locator("h1")).to_have_text("Hỏi đáp")
    page.click("a.qa-ask-link")
    page.fill("#title", TITLE)
    page.fill("#name", "Nguyễn Văn An")
    page.fill("#address", "Thôn Đông")
    page.select_option("#field", str(land_id))
    page.fill("#content", QUESTION)
    expect(page.locator(".captcha-image")).to_have_js_property("naturalWidth", 220)
    page.fill("#captcha", "test1")
    page.click("#ask-form button[type=submit]")
    page.wait_for_url(re.compile(r"/questions#ask$"))
    assert "Câu hỏi của bạn đã được gửi" in page.locator("#ask").inner_text()
    assert TITLE not in page.locator("main").inner_text()  # waiting for an answer

    # An editor answers and publishes.
    editor_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    editor = editor_context.new_page()
    editor_problems = watch_errors(editor)
    sign_in(editor, server.url, "bientap@example.com", PASSWORD, "/editor/questions")
    editor.wait_for_url(re.compile(r"/editor/questions"))
    expect(editor.locator(".ed-nav a", has_text="Hỏi đáp").locator(".badge")).to_have_text(
        re.compile(r"^1")
    )
    row = editor.locator("tr", has_text=TITLE)
    row.get_by_role("link", name=re.compile("Trả lời")).click()
    editor.wait_for_url(re.compile(r"/editor/questions/\d+$"))
    expect(editor.locator("#content")).to_have_value(QUESTION)
    editor.fill("#answer", ANSWER)
    editor.get_by_role("button", name="Lưu và đăng").click()
    editor.wait_for_url(re.compile(r"/editor/questions/\d+$"))
    assert "Đã đăng câu hỏi cùng câu trả lời." in editor.content()
    expect(editor.locator(".question-status")).to_have_text("Đã đăng")

    # The reader reloads: the question and its answer, under its field.
    page.goto(f"{server.url}/questions")
    item = page.locator("article.qa-item", has_text=TITLE)
    expect(item).to_be_visible()
    assert "Nộp tại bộ phận một cửa của xã." in item.inner_text()
    group = page.locator("section.qa-group", has=page.locator("h2", has_text="Đất đai"))
    expect(group.locator("article.qa-item", has_text=TITLE)).to_have_count(1)
    # Searching without diacritics finds it (and only it).
    page.fill("#qa-q", "dat dai")
    page.click(".qa-filters button[type=submit]")
    page.wait_for_url(re.compile(r"q=dat\+dai"))
    expect(page.locator("article.qa-item")).to_have_count(1)
    expect(page.locator("article.qa-item h3")).to_have_text(TITLE)
    page.locator("article.qa-item h3 a").click()
    page.wait_for_url(re.compile(r"/questions/\d+$"))
    assert page.locator(".qa-answer .qa-text br").count() == 1

    # Screenshots of the list, on a computer and on a phone.
    page.goto(f"{server.url}/questions")
    page.set_viewport_size({"width": 1366, "height": 900})
    page.screenshot(path=str(screenshot_dir / "questions.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 740})
    no_overflow = page.evaluate("document.documentElement.scrollWidth <= 360")
    assert no_overflow, "the questions page scrolls sideways at 360 px"
    page.screenshot(path=str(screenshot_dir / "questions-360.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    # The editor replies to the comment; the article page shows it.
    page.goto(article_url)
    assert page.locator(".comment-reply").count() == 0
    editor.goto(f"{server.url}/editor/comments?status=approved")
    # On a phone the queue's cards hold the reply form without scrolling sideways.
    editor.set_viewport_size({"width": 360, "height": 740})
    editor.locator("details.c-tool-reply summary").first.click()
    assert editor.evaluate("document.documentElement.scrollWidth <= 360")
    editor.reload()
    editor.set_viewport_size({"width": 1280, "height": 900})
    comment_row = editor.locator("tr.comment-row", has_text="Trần Văn Bình")
    comment_row.locator("details.c-tool-reply summary").click()
    comment_row.locator("textarea[name=reply]").fill(REPLY)
    comment_row.get_by_role("button", name="Lưu trả lời").click()
    editor.wait_for_url(re.compile(r"/editor/comments\?status=approved#comment-\d+$"))
    assert "Đã lưu trả lời của ban biên tập." in editor.content()
    page.reload()
    reply = page.locator("#comments .comment-reply")
    expect(reply).to_have_count(1)
    assert "Trả lời của ban biên tập" in reply.inner_text()
    assert "Xã sẽ sửa đoạn đường này trong tháng tới." in reply.inner_text()
    assert reply.locator("br").count() == 1
    editor_context.close()
    assert problems == [], problems
    assert editor_problems == [], editor_problems

    with live_app_context(server):
        [asked] = db.session.scalars(sa.select(Question).where(Question.title == TITLE)).all()
        assert asked.status == QuestionStatus.PUBLISHED and asked.answer == ANSWER
        assert db.session.scalar(sa.select(Comment.reply)) == REPLY
