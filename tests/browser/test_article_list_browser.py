"""The article list in Chromium: filter, tick two drafts, publish them in bulk, see the result;
the list at 1366 px (a wide title column) and at 360 px (cards, no sideways scrolling)."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bantin import articles as service
from bantin import media
from bantin.clock import utcnow
from bantin.demo import landscape
from bantin.extensions import db
from bantin.models import Article, ArticleStatus, Category, Role, User
from tests.browser.conftest import sign_in, watch_errors
from tests.conftest import PASSWORD, live_app_context

pytestmark = pytest.mark.browser

DRAFT_ONE = "Thông báo lịch tiếp công dân tháng Năm của Ủy ban nhân dân xã"
DRAFT_TWO = "Kế hoạch ra quân làm đường giao thông nông thôn ở thôn Phú Lộc"


def figure(src: str, alt: str) -> str:
    return f'<figure><img src="{src}" alt="{alt}" width="800" height="450"></figure>'


def arrange(server) -> dict:
    """Staff, categories, and articles of every state, some with pictures."""
    with live_app_context(server):
        editor = User(email="bientap@example.com", name="Nguyễn Thị Biên", role=Role.EDITOR)
        editor.set_password(PASSWORD)
        writer = User(email="phongvien@example.com", name="Trần Văn Phóng", role=Role.EDITOR)
        writer.set_password(PASSWORD)
        news = Category(name="Tin tức - Sự kiện", slug="tin-tuc")
        notices = Category(name="Thông báo", slug="thong-bao")
        db.session.add_all([editor, writer, news, notices])
        db.session.commit()
        pictures = [
            media.store_picture(landscape(color, n), "JPEG", f"anh-{n}.jpg").url
            for n, color in enumerate([(60, 120, 80), (150, 90, 60), (70, 90, 160)])
        ]
        plan = [
            (DRAFT_ONE, notices, editor, "draft", figure(pictures[0], "Trụ sở xã"), None),
            (DRAFT_TWO, news, writer, "draft", "<p>Bà con góp công làm đường.</p>", None),
            ("Bản nháp chưa có nội dung", news, writer, "draft", "", None),
            (
                "Hội nghị tổng kết công tác dân vận năm 2025 và triển khai nhiệm vụ năm 2026",
                news,
                editor,
                "published",
                "<p>Hội nghị diễn ra tại hội trường xã.</p>",
                pictures[1],
            ),
            (
                "Lịch tiêm chủng mở rộng",
                notices,
                writer,
                "published",
                figure(pictures[2], ""),
                None,
            ),
            ("Hẹn giờ: thông báo nghỉ lễ", notices, editor, "scheduled", "<p>Nghỉ lễ.</p>", None),
        ]
        ids = {}
        for title, category, author, state, body, cover in plan:
            article = service.save(
                None,
                author,
                {
                    "title": title,
                    "category_id": category.id,
                    "author_name": author.name if author is editor else "Phóng viên Phú Lộc",
                    "lead": "Sa-pô ngắn của bài.",
                    "body": body,
                    "cover_url": cover,
                    "status": "draft" if state == "draft" else "published",
                    "published_at": utcnow() + timedelta(days=2) if state == "scheduled" else None,
                },
            )
            db.session.commit()
            ids[title] = article.id
        return ids


def no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_filter_select_two_and_publish_them(live_server_factory, page, screenshot_dir):
    server = live_server_factory(workers=1)
    ids = arrange(server)
    problems = watch_errors(page)
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, server.url, "bientap@example.com", PASSWORD, "/editor/articles")
    page.wait_for_url(re.compile(r"/editor/articles$"))

    # Filter: drafts only, with the form's own controls.
    page.select_option("#f-status", "draft")
    with page.expect_navigation():
        page.locator("form.list-filters button[type=submit]").click()
    assert "status=draft" in page.url
    titles = page.locator("a.title-link").all_inner_texts()
    assert sorted(titles) == sorted([DRAFT_ONE, DRAFT_TWO, "Bản nháp chưa có nội dung"])

    # The JavaScript enhancement: "select all", and a count of what is ticked.
    select_all = page.locator("#select-all")
    select_all.check()
    assert page.locator("input[name=ids]:checked").count() == 3
    select_all.uncheck()
    assert page.locator("input[name=ids]:checked").count() == 0
    # The category field only shows for "move".
    assert page.locator("#bulk-category").is_hidden()
    page.select_option("#bulk-action", "move")
    assert page.locator("#bulk-category").is_visible()

    page.locator(f"#pick-{ids[DRAFT_ONE]}").check()
    page.locator(f"#pick-{ids[DRAFT_TWO]}").check()
    assert page.locator("[data-selected-count]").inner_text() == "Đã chọn: 2"
    assert page.locator(f"#article-{ids[DRAFT_ONE]}").get_attribute("class").endswith("is-selected")
    page.select_option("#bulk-action", "publish")
    with page.expect_navigation():
        page.locator("#bulk-form button[type=submit]").click()

    # Back on the same filtered list, with the result said and the two gone from the drafts.
    assert "status=draft" in page.url
    assert page.locator(".ed-flashes .flash-success").inner_text() == "Đã đăng 2 bài."
    assert page.locator("a.title-link").all_inner_texts() == ["Bản nháp chưa có nội dung"]
    with live_app_context(server):
        states = dict(db.session.execute(sa.select(Article.title, Article.status)).all())
        assert states[DRAFT_ONE] == ArticleStatus.PUBLISHED
        assert states[DRAFT_TWO] == ArticleStatus.PUBLISHED

    # Publishing the empty draft is refused with a reason.
    page.locator("#select-all").check()
    page.select_option("#bulk-action", "publish")
    with page.expect_navigation():
        page.locator("#bulk-form button[type=submit]").click()
    warning = page.locator(".ed-flashes .flash-warning").inner_text()
    assert warning == (
        "Đã đăng 0 bài; 1 bài chưa đăng vì chưa có nội dung: “Bản nháp chưa có nội dung”."
    )

    # Nothing ticked: the form says so instead of posting.
    page.select_option("#bulk-action", "trash")
    page.locator("#bulk-form button[type=submit]").click()
    assert "Chưa chọn bài viết nào" in page.locator("[data-selected-count]").inner_text()

    # The whole list at 1366 px: the title column is the wide one.
    page.goto(f"{server.url}/editor/articles")
    widths = page.evaluate(
        """() => Array.from(document.querySelectorAll('.article-table thead th'))
              .map(th => th.getBoundingClientRect().width)"""
    )
    assert widths[1] == max(widths) and widths[1] > 400, widths
    long_title = page.locator("a.title-link", has_text="Hội nghị tổng kết")
    assert long_title.bounding_box()["height"] < 3 * 24  # at most two lines
    assert page.locator("img.thumb").count() == 3
    assert no_sideways_scroll(page)
    page.screenshot(path=str(screenshot_dir / "articles-list-1366.png"), full_page=True)

    # A row's menu opens over the rows below and closes with Escape.
    menu = page.locator(f"#article-{ids[DRAFT_TWO]} details.row-menu")
    menu.locator("summary").click()
    assert menu.locator("text=Lịch sử sửa đổi").is_visible()
    page.keyboard.press("Escape")
    assert not menu.evaluate("d => d.open")

    # 360 px: cards, no sideways scrolling, everything still reachable.
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{server.url}/editor/articles")
    assert no_sideways_scroll(page)
    card = page.locator(f"#article-{ids[DRAFT_TWO]}")
    box = card.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert card.locator(".author-cell").is_visible() and card.locator(".state").is_visible()
    page.screenshot(path=str(screenshot_dir / "articles-list-360.png"), full_page=True)
    # The browser's own favicon request is no page error.
    assert [p for p in problems if "/favicon.ico" not in p] == []


def test_list_has_no_wcag_violations(live_server_factory, browser):
    from tests.browser.test_accessibility import axe_violations

    server = live_server_factory(workers=1)
    arrange(server)
    # The strict CSP would block the injected axe script; only this test context bypasses it.
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="vi-VN", bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, server.url, "bientap@example.com", PASSWORD, "/editor/articles")
        page.wait_for_url(re.compile(r"/editor/articles$"))
        report = {"1366": axe_violations(page)}
        page.locator("details.row-menu summary").first.click()
        report["menu"] = axe_violations(page)
        page.set_viewport_size({"width": 360, "height": 800})
        page.reload()
        report["360"] = axe_violations(page)
        assert report == {"1366": [], "menu": [], "360": []}, report
    finally:
        context.close()
