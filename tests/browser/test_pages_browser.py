"""Pages in Chromium: a page edited with the shared TipTap editor (type, save, reload, save
again, the stored HTML compared each time) in Vietnamese and on the English tab; the reader
page at 1366 and 360 px with zero axe violations, in both interface languages.
Screenshot: docs/screenshots/page.png."""

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from bantin import menu, site_pages
from bantin.extensions import db
from bantin.models import Category, Page, Role, User
from bantin.text import slugify
from tests.browser.conftest import body_html, open_editor, save_article, sign_in, watch_errors
from tests.browser.test_accessibility import axe_violations
from tests.conftest import PASSWORD, LiveServer, live_app_context

pytestmark = pytest.mark.browser

WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 360, "height": 780}


@pytest.fixture
def site(tmp_path, migrated_db):
    server = LiveServer(tmp_path, migrated_db, workers=1).start()
    try:
        with live_app_context(server):
            user = User(email="bientap@example.com", name="Biên Tập", role=Role.EDITOR)
            user.set_password(PASSWORD)
            db.session.add(user)
            for position, name in enumerate(("Tin tức - Sự kiện", "Thông báo")):
                db.session.add(Category(name=name, slug=slugify(name), position=position))
            db.session.flush()
            pages = site_pages.seed_demo()
            menu.seed_demo()  # the header shows the demo office's two-level menu
            db.session.commit()
            ids = {key: page.id for key, page in pages.items()}
        yield SimpleNamespace(server=server, url=server.url, ids=ids)
    finally:
        server.stop()


def stored(site, page_id: int) -> Page:
    with live_app_context(site.server):
        page = db.session.scalar(sa.select(Page).where(Page.id == page_id))
        db.session.expunge(page)
        return page


def type_at_end(page, text: str) -> None:
    page.locator("#body-editor .editor-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type(text)


def test_page_edit_round_trip(browser, site, screenshot_dir):
    context = browser.new_context(viewport=WIDE, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems = watch_errors(page)
    page_id = site.ids["co-cau-to-chuc"]
    try:
        sign_in(page, site.url, "bientap@example.com", PASSWORD, "/editor/pages")
        assert page.locator(f"#page-{page_id}").is_visible()

        # Vietnamese: type, save, the stored body is what the editor showed.
        open_editor(page, f"{site.url}/editor/pages/{page_id}/edit")
        assert body_html(page) == stored(site, page_id).body  # loads unchanged
        type_at_end(page, "Bộ phận một cửa làm việc cả sáng thứ Bảy.")
        page.keyboard.press("Control+b")
        page.keyboard.type(" Xin cảm ơn.")
        typed = body_html(page)
        save_article(page)
        first = stored(site, page_id).body
        assert first == typed
        assert "<strong> Xin cảm ơn.</strong>" in first
        # Reloaded: the same HTML; saved again untouched: still the same.
        assert body_html(page) == first
        save_article(page)
        assert stored(site, page_id).body == first
        assert stored(site, page_id).version == 3

        # English on its own tab.
        open_editor(page, f"{site.url}/editor/pages/{page_id}/edit?lang=en")
        assert page.locator("#body-editor .editor-content").get_attribute("lang") == "en"
        assert body_html(page) == stored(site, page_id).body_en
        type_at_end(page, "The one-stop desk also opens on Saturday mornings.")
        typed_en = body_html(page)
        save_article(page)
        saved = stored(site, page_id)
        assert saved.body_en == typed_en and saved.body == first
        assert body_html(page) == saved.body_en
        save_article(page)
        assert stored(site, page_id).body_en == saved.body_en
        open_editor(page, f"{site.url}/editor/pages/{page_id}/edit")
        page.screenshot(path=str(screenshot_dir / "page-editor.png"), full_page=True)
        assert problems == []
    finally:
        context.close()

    # Readers see it (the cached page was rebuilt after the save).
    context = browser.new_context(viewport=WIDE, locale="vi-VN")
    reader = context.new_page()
    problems = watch_errors(reader)
    try:
        reader.goto(site.url + "/page/gioi-thieu/co-cau-to-chuc")
        assert (
            "Bộ phận một cửa làm việc cả sáng thứ Bảy." in reader.locator(".page-body").inner_text()
        )
        assert problems == []  # the strict CSP blocked nothing
    finally:
        context.close()


def test_editor_page_screens_fit_a_phone(browser, site, screenshot_dir):
    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems = watch_errors(page)
    try:
        sign_in(page, site.url, "bientap@example.com", PASSWORD, "/editor/pages")
        for path in (
            "/editor/pages",
            "/editor/pages?show=missing_english",
            f"/editor/pages/{site.ids['lanh-dao']}/edit",
            f"/editor/pages/{site.ids['lanh-dao']}/edit?lang=en",
            f"/editor/pages/{site.ids['lanh-dao']}/revisions",
        ):
            page.goto(site.url + path)
            width = page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= 360, (path, width)
        page.goto(site.url + "/editor/pages")
        page.screenshot(path=str(screenshot_dir / "pages-editor-360.png"), full_page=True)
        assert problems == []
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_page_has_no_axe_violations(browser, site, screenshot_dir, lang):
    for viewport in (WIDE, PHONE):
        # The strict CSP would block the injected axe script; only this context bypasses it.
        context = browser.new_context(viewport=viewport, locale="vi-VN", bypass_csp=True)
        page = context.new_page()
        page.set_default_timeout(15_000)
        try:
            if lang == "en":
                page.goto(f"{site.url}/lang/en?next=/")
            for path in ("/page/gioi-thieu", "/page/gioi-thieu/co-cau-to-chuc"):
                page.goto(site.url + path)
                assert page.locator("nav.breadcrumb ol li").count() >= 2
                assert axe_violations(page) == [], (lang, viewport, path)
                width = page.evaluate("() => document.documentElement.scrollWidth")
                assert width <= viewport["width"], (path, width)
            if lang == "vi" and viewport is WIDE:
                page.goto(site.url + "/page/gioi-thieu")
                page.screenshot(path=str(screenshot_dir / "page.png"), full_page=True)
        finally:
            context.close()
