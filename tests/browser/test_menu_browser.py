"""The header menu builder in Chromium: reorder with the keyboard buttons (focus kept, an
announcement) and by dragging, nest and un-nest, add an item, save, reload, compare, save
again; a refused address keeps the arrangement; then the public header shows the new order,
its dropdown opens on hover, focus and click, and the phone menu (360 px) shows both levels.
Screenshots: docs/screenshots/menu-builder.png and docs/screenshots/menu-360.png."""

import json
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from bantin import menu, site_pages
from bantin.extensions import db
from bantin.models import Category, MenuItem, Role, User
from tests.browser.conftest import sign_in, watch_errors
from tests.conftest import PASSWORD, LiveServer, live_app_context

pytestmark = pytest.mark.browser

WIDE = {"width": 1366, "height": 900}
# Tall enough that every item of the builder is on screen while dragging (the mouse does
# not scroll the page).
WIDE_TALL = {"width": 1366, "height": 1500}
PHONE = {"width": 360, "height": 780}


@pytest.fixture
def site(tmp_path, migrated_db):
    server = LiveServer(tmp_path, migrated_db, workers=1).start()
    try:
        with live_app_context(server):
            admin = User(email="quantri@example.com", name="Quản Trị", role=Role.ADMIN)
            admin.set_password(PASSWORD)
            news = Category(name="Tin tức - Sự kiện", slug="tin-tuc-su-kien")
            notices = Category(name="Thông báo", slug="thong-bao")
            db.session.add_all([admin, news, notices])
            db.session.flush()
            pages = site_pages.seed_demo()
            E = menu.Entry
            items = [
                E(label="Trang chủ", label_en="Home", target="home"),
                E(
                    label="Giới thiệu",
                    label_en="About",
                    target="none",
                    children=[
                        E(label="Tổng quan", target="page", page_id=pages["gioi-thieu"].id),
                        E(
                            label="Cơ cấu tổ chức",
                            target="page",
                            page_id=pages["co-cau-to-chuc"].id,
                        ),
                    ],
                ),
                E(label="Tin tức", target="category", category_id=news.id),
                E(label="Văn bản", target="documents"),
            ]
            menu.replace(menu.Parsed(items, []), None)
            db.session.commit()
        yield SimpleNamespace(server=server, url=server.url)
    finally:
        server.stop()


def labels(page) -> list:
    """The builder's arrangement as (label, [child labels])."""
    data = json.loads(page.evaluate("() => window.bantinMenuJSON()"))
    return [(e["label"], [c["label"] for c in e["children"]]) for e in data]


def item(page, label: str):
    return page.locator(f"#menu-tree li[data-item]:has(> .menu-row input[value='{label}'])")


def press(page, label: str, move: str) -> None:
    """Focus an item's move button and press Enter, as a keyboard user would."""
    button = item(page, label).locator(f":scope > .menu-row [data-move='{move}']")
    button.focus()
    page.keyboard.press("Enter")


def focused_item_label(page) -> str:
    return page.evaluate(
        """() => document.activeElement.closest('li[data-item]')
              .querySelector(':scope > .menu-row [data-field=label]').value"""
    )


def drag(page, source, target, below: bool = False) -> None:
    """Drag an item's grip onto another item (pointer events: SortableJS's fallback mode)."""
    handle = source.locator(":scope > .menu-row .menu-handle")
    start = handle.bounding_box()
    end = target.locator(":scope > .menu-row").bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    y = end["y"] + end["height"] * (0.75 if below else 0.6)
    page.mouse.move(start["x"] + 10, start["y"] + 10, steps=4)
    steps = max(20, int(abs(y - start["y"]) / 8))  # small moves, as a hand makes them
    page.mouse.move(end["x"] + end["width"] / 2, y, steps=steps)
    page.mouse.up()


SKELETON = """() => Array.from(document.querySelectorAll('[data-item]')).map(li =>
  li.querySelector('[data-field=label]').value + ' in ' + li.parentNode.tagName + '.' +
  li.parentNode.className + ' of ' + (li.parentNode.closest('[data-item]') ?
  li.parentNode.closest('[data-item]').querySelector('[data-field=label]').value : '-'))"""


def stored(site) -> list:
    with live_app_context(site.server):
        return [(e.label, [c.label for c in e.children]) for e in menu.stored()]


def test_menu_builder_round_trip(browser, site, screenshot_dir):
    context = browser.new_context(viewport=WIDE_TALL, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems = watch_errors(page)
    try:
        sign_in(page, site.url, "quantri@example.com", PASSWORD, "/editor/menu")
        page.wait_for_function("() => window.bantinMenuJSON && window.Sortable")
        assert labels(page) == [
            ("Trang chủ", []),
            ("Giới thiệu", ["Tổng quan", "Cơ cấu tổ chức"]),
            ("Tin tức", []),
            ("Văn bản", []),
        ]

        # Keyboard: Down, and the focus stays on the moved item; the move is announced.
        press(page, "Trang chủ", "down")
        assert labels(page)[:2] == [
            ("Giới thiệu", ["Tổng quan", "Cơ cấu tổ chức"]),
            ("Trang chủ", []),
        ]
        assert focused_item_label(page) == "Trang chủ"
        page.wait_for_function(
            "() => document.getElementById('menu-live').textContent.includes('Trang chủ')"
        )
        assert "vị trí 2 trên 4" in page.locator("#menu-live").text_content()
        press(page, "Trang chủ", "up")
        assert focused_item_label(page) == "Trang chủ"
        # Up is disabled at the top: the focus moved to a usable button of the same item.
        assert page.evaluate("() => document.activeElement.dataset.move") == "down"

        # Nest "Văn bản" under "Tin tức", take "Cơ cấu tổ chức" out of its group.
        press(page, "Văn bản", "in")
        assert focused_item_label(page) == "Văn bản"
        press(page, "Cơ cấu tổ chức", "out")
        assert focused_item_label(page) == "Cơ cấu tổ chức"
        assert labels(page) == [
            ("Trang chủ", []),
            ("Giới thiệu", ["Tổng quan"]),
            ("Cơ cấu tổ chức", []),
            ("Tin tức", ["Văn bản"]),
        ]

        # Drag: "Tin tức" (with its child) above "Giới thiệu".
        drag(page, item(page, "Tin tức"), item(page, "Giới thiệu"))
        assert labels(page) == [
            ("Trang chủ", []),
            ("Tin tức", ["Văn bản"]),
            ("Giới thiệu", ["Tổng quan"]),
            ("Cơ cấu tổ chức", []),
        ], labels(page)
        # Drag a top-level item into a group: "Cơ cấu tổ chức" below "Tổng quan".
        drag(page, item(page, "Cơ cấu tổ chức"), item(page, "Tổng quan"), below=True)
        assert labels(page)[2] == ("Giới thiệu", ["Tổng quan", "Cơ cấu tổ chức"]), page.evaluate(
            SKELETON
        )
        # An item with children cannot go into a group (two levels only).
        drag(page, item(page, "Tin tức"), item(page, "Tổng quan"), below=True)
        now = labels(page)
        assert ("Tin tức", ["Văn bản"]) in now, now  # still at the top level, with its child
        assert dict(now)["Giới thiệu"] == ["Tổng quan", "Cơ cấu tổ chức"], now
        while labels(page)[1][0] != "Tin tức":  # (it may have moved among the top items)
            press(page, "Tin tức", "up")

        # A new item: an external address, first with a wrong scheme.
        page.locator("#menu-add").click()
        new = page.locator("#menu-tree > li[data-item]").last
        assert page.evaluate("() => document.activeElement.dataset.field") == "label"
        page.keyboard.type("Cổng huyện")
        new.locator("[data-field=label_en]").fill("District portal")
        new.locator("[data-field=target]").select_option("url")
        new.locator("[data-field=url]").fill("javascript:alert(1)")
        arranged = labels(page)
        with page.expect_navigation():
            page.locator("#menu-save").click()
        assert page.locator("#menu-errors").is_visible()
        assert "http://" in item(page, "Cổng huyện").locator(".field-error").text_content()
        page.wait_for_function("() => window.bantinMenuJSON")
        assert labels(page) == arranged  # the arrangement survived the refusal
        assert stored(site)[0] == ("Trang chủ", [])  # nothing was stored
        assert stored(site)[1][0] == "Giới thiệu"
        assert len(problems) == 1 and "400" in problems[0]  # the refused save's answer
        problems.clear()

        item(page, "Cổng huyện").locator("[data-field=url]").fill("https://huyen.example.org/")
        before = page.evaluate("() => window.bantinMenuJSON()")
        with page.expect_navigation():
            page.locator("#menu-save").click()
        page.wait_for_function("() => window.bantinMenuJSON")
        assert page.evaluate("() => window.bantinMenuJSON()") == before
        assert stored(site) == labels(page)
        # Save again untouched: the same menu.
        with page.expect_navigation():
            page.locator("#menu-save").click()
        page.wait_for_function("() => window.bantinMenuJSON")
        assert page.evaluate("() => window.bantinMenuJSON()") == before
        with live_app_context(site.server):
            assert db.session.scalar(sa.select(sa.func.count()).select_from(MenuItem)) == 7
        page.set_viewport_size(WIDE)
        page.screenshot(path=str(screenshot_dir / "menu-builder.png"), full_page=True)
        assert problems == []

        # The public header: the new order, and the dropdown opens on hover, focus and click.
        page.goto(site.url + "/")
        top = page.locator("#main-nav > ul > li")
        texts = [
            t.strip()
            for t in top.evaluate_all("els => els.map(e => e.firstElementChild.textContent)")
        ]
        assert texts == ["Trang chủ", "Tin tức", "Giới thiệu", "Cổng huyện"]
        group = page.locator("#main-nav .has-sub", has_text="Giới thiệu")
        sub = group.locator(".sub")
        assert sub.is_hidden()
        group.hover()
        assert sub.is_visible()
        page.mouse.move(5, 600)
        assert sub.is_hidden()
        group.locator(".sub-toggle").focus()
        assert sub.is_visible()
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.textContent.trim()") == "Tổng quan"
        page.keyboard.press("Escape")
        assert sub.is_hidden()
        page.locator("body").click(position={"x": 5, "y": 600})
        group.locator(".sub-toggle").click()
        assert group.locator(".sub-toggle").get_attribute("aria-expanded") == "true"
        assert sub.is_visible()
        group.locator(".sub-toggle").click()
        assert group.locator(".sub-toggle").get_attribute("aria-expanded") == "false"
        group.locator(".sub-toggle").click()
        page.locator("#main-nav a", has_text="Cơ cấu tổ chức").click()
        page.wait_for_url("**/page/gioi-thieu/co-cau-to-chuc")
        current = page.locator("#main-nav [aria-current=page]")
        assert current.count() == 1 and current.text_content() == "Cơ cấu tổ chức"
        assert problems == []
    finally:
        context.close()

    # Phones: behind the "Menu" toggle, both levels open.
    phone = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    page = phone.new_page()
    page.set_default_timeout(15_000)
    problems = watch_errors(page)
    try:
        page.goto(site.url + "/")
        assert page.locator("#main-nav").is_hidden()
        page.locator("label.menu-button").click()
        for name in (
            "Trang chủ",
            "Tin tức",
            "Văn bản",
            "Giới thiệu",
            "Tổng quan",
            "Cơ cấu tổ chức",
        ):
            assert page.locator("#main-nav").get_by_text(name, exact=True).is_visible(), name
        toggle = page.locator("#main-nav .sub-toggle").first
        assert toggle.get_attribute("aria-expanded") == "true"  # the list is shown open
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 360
        page.screenshot(path=str(screenshot_dir / "menu-360.png"))
        assert problems == []
    finally:
        phone.close()


def test_menu_builder_at_360_px_by_touch(browser, site):
    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems = watch_errors(page)
    try:
        sign_in(page, site.url, "quantri@example.com", PASSWORD, "/editor/menu")
        page.wait_for_function("() => window.bantinMenuJSON && window.Sortable")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
        item(page, "Văn bản").locator(":scope > .menu-row [data-move='up']").tap()
        assert [label for label, _ in labels(page)] == [
            "Trang chủ",
            "Giới thiệu",
            "Văn bản",
            "Tin tức",
        ]
        with page.expect_navigation():
            page.locator("#menu-save").tap()
        assert [label for label, _ in stored(site)] == [
            "Trang chủ",
            "Giới thiệu",
            "Văn bản",
            "Tin tức",
        ]
        assert problems == []
    finally:
        context.close()
