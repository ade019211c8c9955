"""Staff pages in Chromium at 1366 and 360 px: the comment moderation queue (cards on a phone,
no word broken, bulk actions without JavaScript), the dashboard chart (a small-screen form
with readable text) and the focused login page. Screenshots go to docs/screenshots/."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bantin.clock import local_today, utcnow
from bantin.extensions import db
from bantin.models import (
    Article,
    ArticleStatus,
    AuditLog,
    Category,
    Comment,
    CommentStatus,
    DailyStats,
    Role,
    User,
)
from tests.browser.conftest import sign_in, watch_errors
from tests.conftest import PASSWORD, live_app_context

pytestmark = pytest.mark.browser

WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 360, "height": 780}

COMMENTS = [
    (
        "Nguyễn Thị Thanh Nguyệt",
        "Thôn Phước Lộc, xã Hòa Phước, huyện Hòa Vang",
        "thanhnguyet@example.vn",
        "Đề nghị Ủy ban nhân dân xã sớm khắc phục đoạn đường liên thôn bị sạt lở "
        "sau đợt mưa lớn vừa qua, bà con đi lại rất khó khăn.",
        "keyword:sạt lở",
    ),
    (
        "Trương Nguyễn Hoàng Khuyến",
        "Khu dân cư Nghĩa Trũng",
        "",
        "Xin cảm ơn các đồng chí đã thông tin kịp thời về lịch tiêm chủng.",
        "",
    ),
    (
        "Huỳnh Quế Nguyễn",
        "",
        "quenguyen@example.vn",
        "Trường mẫu giáo nên thông báo rõ hơn thời gian nhận hồ sơ tuyển sinh.",
        "links",
    ),
]

# Every text node's words, on one line each: a word whose pieces sit on two lines was broken
# inside (e.g. "Nguy" / "ễn"). Hidden text and form options are not laid out, so they pass.
BROKEN_WORDS_JS = """
(root) => {
  const broken = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const re = /\\S+/g;
    let m;
    while ((m = re.exec(node.data))) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const tops = new Set(
        Array.from(range.getClientRects())
          .filter((r) => r.width > 0 && r.height > 0)
          .map((r) => Math.round(r.top))
      );
      if (tops.size > 1) broken.push(m[0]);
    }
  }
  return broken;
}
"""

# Elements that stick out of the viewport (or of a sideways-scrolling box inside it).
TOO_WIDE_JS = """
() => {
  const width = document.documentElement.clientWidth;
  return Array.from(document.body.querySelectorAll('*'))
    .filter((el) => !el.closest('.visually-hidden, .skip-link, option'))
    .filter((el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && (r.left < -0.5 || r.right > width + 0.5);
    })
    .map((el) => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
}
"""


def arrange(server) -> dict:
    """An editor, an article with three pending comments, 30 days of visits."""
    with live_app_context(server):
        editor = User(email="kiemduyet@example.com", name="Lê Thị Kiểm Duyệt", role=Role.ADMIN)
        editor.set_password(PASSWORD)
        category = Category(name="Thông báo", slug="thong-bao")
        article = Article(
            title="Thông báo lịch sửa chữa đường liên thôn Phước Lộc – Hòa Phước",
            slug="thong-bao-lich-sua-chua-duong",
            category=category,
            lead="Xã lấy ý kiến bà con.",
            body="<p>Nội dung.</p>",
            status=ArticleStatus.PUBLISHED,
            published_at=utcnow() - timedelta(days=1),
        )
        db.session.add_all([editor, category, article])
        db.session.flush()
        ids = []
        for n, (name, address, email, content, reason) in enumerate(COMMENTS):
            comment = Comment(
                article_id=article.id,
                name=name,
                address=address,
                email=email,
                content=content,
                reason=reason,
                status=CommentStatus.PENDING,
                ip=f"2001:db8:85a3::8a2e:370:{7334 + n}",
                created_at=utcnow() - timedelta(minutes=10 * n),
            )
            db.session.add(comment)
            db.session.flush()
            ids.append(comment.id)
        today = local_today()
        for back in range(30):
            visits = 40 + (back * 37) % 190 + (1200 if back == 3 else 0)
            db.session.add(
                DailyStats(day=today - timedelta(days=back), visits=visits, page_views=visits * 3)
            )
        db.session.add_all(
            [
                AuditLog(
                    action="article.edit",
                    actor=editor.email,
                    user_id=editor.id,
                    target_type="article",
                    target_id=article.id,
                    detail=f"{article.title} [published]",
                    ip="2001:db8:85a3::8a2e:370:7334",
                ),
                AuditLog(
                    action="comment.approve",
                    actor=editor.email,
                    user_id=editor.id,
                    target_type="comment",
                    target_id=ids[0],
                    detail=f"article {article.id}; pending -> approved",
                    ip="203.0.113.7",
                ),
                AuditLog(
                    action="login.failure",
                    actor="nguoila@example.com",
                    target_type="user",
                    detail="unknown email",
                    ip="198.51.100.23",
                    count=7,
                    last_at=utcnow(),
                ),
            ]
        )
        db.session.commit()
        return {"comments": ids}


def test_moderation_queue_is_cards_on_a_phone(live_server_factory, page, screenshot_dir):
    server = live_server_factory(workers=1)
    ids = arrange(server)["comments"]
    problems = watch_errors(page)
    page.set_viewport_size(WIDE)
    sign_in(page, server.url, "kiemduyet@example.com", PASSWORD, "/editor/comments")
    page.wait_for_url(re.compile(r"/editor/comments$"))

    # 1366 px: a table with a wide comment column, nothing broken or sticking out.
    page.screenshot(path=str(screenshot_dir / "moderation-1366.png"), full_page=True)
    main = page.locator("main").element_handle()
    assert page.evaluate(TOO_WIDE_JS) == []
    assert page.evaluate(BROKEN_WORDS_JS, main) == []

    # 360 px: one card per comment, as wide as the page allows; no word broken inside.
    page.set_viewport_size(PHONE)
    page.reload()
    page.screenshot(path=str(screenshot_dir / "moderation-360.png"), full_page=True)
    main = page.locator("main").element_handle()
    assert page.evaluate(TOO_WIDE_JS) == []
    assert page.evaluate(BROKEN_WORDS_JS, main) == []
    main_box = page.locator("main").bounding_box()
    for comment_id in ids:
        card = page.locator(f"#comment-{comment_id}")
        assert card.evaluate("el => getComputedStyle(el).display") != "table-row"
        box = card.bounding_box()
        assert box["width"] > main_box["width"] * 0.8, box
        # Every action button is visible and large enough to tap.
        for button in card.locator(".actions .button").all():
            assert button.is_visible()
            assert button.bounding_box()["height"] >= 32
    assert [p for p in problems if "/favicon.ico" not in p] == []


def test_bulk_moderation_works_without_javascript(live_server_factory, browser):
    server = live_server_factory(workers=1)
    ids = arrange(server)["comments"]
    context = browser.new_context(viewport=PHONE, locale="vi-VN", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        sign_in(page, server.url, "kiemduyet@example.com", PASSWORD, "/editor/comments")
        page.wait_for_url(re.compile(r"/editor/comments$"))
        page.locator(f"#comment-{ids[0]} input[name=ids]").check()
        page.locator(f"#comment-{ids[2]} input[name=ids]").check()
        page.select_option("#bulk-action", "approve")
        with page.expect_navigation():
            page.locator(".bulk-bar button[type=submit]").click()
        assert "Đã duyệt 2 ý kiến." in page.locator(".ed-flashes").inner_text()
        # A card's own button acts on that comment alone.
        with page.expect_navigation():
            page.locator(f"#comment-{ids[1]} .actions button", has_text="Thư rác").click()
    finally:
        context.close()
    with live_app_context(server):
        states = dict(db.session.execute(sa.select(Comment.id, Comment.status)).all())
    assert states == {
        ids[0]: CommentStatus.APPROVED,
        ids[1]: CommentStatus.SPAM,
        ids[2]: CommentStatus.APPROVED,
    }


CHART_TEXT_JS = """
() => Array.from(document.querySelectorAll('svg.chart'))
  .filter((svg) => svg.getBoundingClientRect().width > 0)
  .map((svg) => {
    const texts = Array.from(svg.querySelectorAll('text')).map((t) => t.getBoundingClientRect());
    return {
      cls: svg.getAttribute('class'),
      width: svg.getBoundingClientRect().width,
      // Rendered text height in CSS pixels: the smallest is what a reader must read.
      smallest: Math.min(...texts.map((r) => r.height)),
      count: texts.length,
      overlaps: texts.some((a, i) => texts.some((b, j) => j > i &&
        a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom)),
    };
  })
"""


def test_dashboard_chart_reads_at_360(live_server_factory, page, screenshot_dir):
    server = live_server_factory(workers=1)
    arrange(server)
    problems = watch_errors(page)
    page.set_viewport_size(WIDE)
    sign_in(page, server.url, "kiemduyet@example.com", PASSWORD, "/editor/")
    page.wait_for_url(re.compile(r"/editor/$"))
    charts = page.evaluate(CHART_TEXT_JS)
    assert len(charts) == 1 and charts[0]["smallest"] >= 12 and not charts[0]["overlaps"], charts
    page.screenshot(path=str(screenshot_dir / "dashboard-1366.png"), full_page=True)

    page.set_viewport_size(PHONE)
    page.reload()
    charts = page.evaluate(CHART_TEXT_JS)
    # One chart shows, its smallest text as large as body text nearly, nothing on top of
    # anything, every day labelled.
    assert len(charts) == 1, charts
    chart = charts[0]
    assert chart["smallest"] >= 12 and not chart["overlaps"], chart
    assert chart["width"] <= PHONE["width"]
    assert page.evaluate(TOO_WIDE_JS) == []
    labels = page.locator("svg.chart-narrow text.day").all_inner_texts()
    assert len(labels) == 30
    page.screenshot(path=str(screenshot_dir / "dashboard-360.png"), full_page=True)
    assert [p for p in problems if "/favicon.ico" not in p] == []


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1366", "360"])
def test_login_page_is_focused(live_server_factory, page, screenshot_dir, viewport):
    server = live_server_factory(workers=1)
    arrange(server)
    problems = watch_errors(page)
    page.set_viewport_size(viewport)
    page.goto(f"{server.url}/login")
    assert page.locator("aside, .sidebar").count() == 0
    # No link leads back to this very page (the skip link's "#main" stays on it, as it should).
    hrefs = page.locator("a[href]:not([href^='#'])").evaluate_all(
        "els => els.map((a) => a.pathname)"
    )
    assert "/login" not in hrefs
    form = page.locator("form.login-form")
    box = form.bounding_box()
    # The form is centred in the page, not pushed to one side by an empty column.
    middle = box["x"] + box["width"] / 2
    assert abs(middle - viewport["width"] / 2) < viewport["width"] * 0.08, box
    assert page.evaluate(TOO_WIDE_JS) == []
    assert page.evaluate(BROKEN_WORDS_JS, page.locator("main").element_handle()) == []
    page.screenshot(path=str(screenshot_dir / f"login-{viewport['width']}.png"), full_page=True)
    assert [p for p in problems if "/favicon.ico" not in p] == []


def test_staff_pages_have_no_wcag_violations(live_server_factory, browser):
    from tests.browser.test_accessibility import axe_violations

    server = live_server_factory(workers=1)
    arrange(server)
    # The strict CSP would block the injected axe script; only this test context bypasses it.
    context = browser.new_context(viewport=WIDE, locale="vi-VN", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    report = {}
    try:
        page.goto(f"{server.url}/login")
        report["login 1366"] = axe_violations(page)
        page.set_viewport_size(PHONE)
        page.reload()
        report["login 360"] = axe_violations(page)
        sign_in(page, server.url, "kiemduyet@example.com", PASSWORD, "/editor/comments")
        for viewport, name in ((PHONE, "360"), (WIDE, "1366")):
            page.set_viewport_size(viewport)
            for path in ("/editor/comments", "/editor/", "/editor/audit"):
                page.goto(server.url + path)
                report[f"{path} {name}"] = axe_violations(page)
    finally:
        context.close()
    assert {key: found for key, found in report.items() if found} == {}


def test_audit_log_reads_as_labels_at_360(live_server_factory, page, screenshot_dir):
    server = live_server_factory(workers=1)
    arrange(server)
    problems = watch_errors(page)
    page.set_viewport_size(PHONE)
    sign_in(page, server.url, "kiemduyet@example.com", PASSWORD, "/editor/audit")
    page.wait_for_url(re.compile(r"/editor/audit$"))
    page.screenshot(path=str(screenshot_dir / "audit-log-360.png"), full_page=True)
    actions = page.locator("td.a-what").all_inner_texts()
    assert any(a.startswith("Sửa bài viết") for a in actions), actions
    assert any(a.startswith("Duyệt ý kiến bạn đọc") for a in actions), actions
    assert any(a.startswith("Đăng nhập thất bại × 7") for a in actions), actions
    assert page.evaluate(TOO_WIDE_JS) == []
    assert page.evaluate(BROKEN_WORDS_JS, page.locator("main").element_handle()) == []
    assert [p for p in problems if "/favicon.ico" not in p] == []
