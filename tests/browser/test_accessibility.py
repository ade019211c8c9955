"""axe-core in headless Chromium: zero WCAG 2.1 A/AA violations on the readers' main pages.

axe-core (MPL-2.0, vendored under tests/browser/vendor/, never served) is injected with
Playwright; the live server holds the demo content from `flask seed-demo`.
"""

import json
import re
from pathlib import Path

import pytest

from tests.conftest import LiveServer, live_app_context

pytestmark = [pytest.mark.browser, pytest.mark.live]

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory, migrated_db):
    """One live server with the demo content for the module (seeding makes images: slow)."""
    server = LiveServer(tmp_path_factory.mktemp("a11y"), migrated_db, workers=1)
    with live_app_context(server):
        from bantin import demo

        demo.seed()
    server.start()
    yield server
    server.stop()


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary}))
            }));
        }""",
        TAGS,
    )


def test_reader_pages_have_no_wcag_violations(browser, demo_site):
    # The strict CSP would block the injected axe script; only the test context bypasses it.
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="vi-VN", bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(demo_site.url + "/")
        category = page.locator("nav.main-nav a[href^='/category/']").first.get_attribute("href")
        article = page.locator("a[href^='/article/']").first.get_attribute("href")
        urls = {
            "home": "/",
            "category": category,
            "article": article,
            "search": "/search?q=xa",
            "login": "/login",
        }
        report = {}
        for name, path in urls.items():
            response = page.goto(demo_site.url + path)
            assert response is not None and response.status == 200, (name, path)
            if name == "search":
                found = page.locator("li.result").count()
                assert found > 0, "the search page must be checked with results"
                assert page.locator("li.result mark").count() > 0
            if name == "article":
                assert page.locator("a.print-link").count() == 1
            # The script reveals the font-size buttons: they are checked too.
            page.wait_for_selector(".font-size-controls:not([hidden])")
            violations = axe_violations(page)
            if violations:
                report[f"{name} {path}"] = violations
        assert report == {}, json.dumps(report, ensure_ascii=False, indent=1)
        # The harness itself works: a picture without alt text is reported.
        page.evaluate(
            "() => { const img = document.createElement('img'); img.src = '/x.png';"
            " document.querySelector('main').append(img); }"
        )
        assert "image-alt" in {v["id"] for v in axe_violations(page)}
    finally:
        context.close()


def test_font_size_buttons_persist_in_local_storage(browser, demo_site):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(demo_site.url + "/")
        base = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
        page.get_by_role("button", name=re.compile("Tăng cỡ chữ")).click()
        page.get_by_role("button", name=re.compile("Tăng cỡ chữ")).click()
        bigger = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
        assert bigger > base
        page.goto(demo_site.url + "/search")
        again = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
        assert again == bigger
        assert page.evaluate("localStorage.getItem('bantin-font-step')") == "2"
        page.get_by_role("button", name=re.compile("Cỡ chữ mặc định")).click()
        reset = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
        assert reset == base
    finally:
        context.close()


def test_print_link_calls_window_print(browser, demo_site):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(demo_site.url + "/")
        href = page.locator("a[href^='/article/']").first.get_attribute("href")
        page.goto(demo_site.url + href)
        # Count calls instead of opening a print dialog.
        page.evaluate(
            "() => { window.__printed = 0; window.print = () => { window.__printed++; }; }"
        )
        page.locator("a.print-link").click()
        assert page.evaluate("window.__printed") == 1
        assert "print=1" not in page.url  # the script kept the reader on the page
        page.emulate_media(media="print")
        assert page.locator(".sidebar").is_hidden()
        assert page.locator(".main-nav").is_hidden()
        assert page.locator(".print-only").is_visible()
    finally:
        context.close()
