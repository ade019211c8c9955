"""The weekly work schedule in Chromium: the editor's round trip (add, save, reload, edit,
save, save again unchanged, compare; publish), what readers see at 1366 px (the table) and
360 px (the day list), the "điều chỉnh" mark, the print view, and axe on the reader's page.
Screenshots: docs/screenshots/schedule.png and schedule-360.png."""

import json
import re
from datetime import timedelta

import pytest

from tests.browser.conftest import sign_in, watch_errors
from tests.browser.test_accessibility import axe_violations
from tests.conftest import PASSWORD, LiveServer, live_app_context

pytestmark = [pytest.mark.browser, pytest.mark.live]

WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 360, "height": 780}
EDITOR_EMAIL = "lich@example.com"

FIELDS = ("day", "start_time", "content", "leader", "location", "preparing_unit", "notes")


@pytest.fixture(scope="module")
def site(tmp_path_factory, migrated_db):
    """The demo office with its contacts and this week's published schedule, and an editor."""
    server = LiveServer(tmp_path_factory.mktemp("schedule"), migrated_db, workers=1)
    with live_app_context(server):
        from bantin import contacts, demo, schedule
        from bantin.extensions import db
        from bantin.models import Role, SiteSettings, User

        demo.seed()
        contacts.seed_demo()
        schedule.seed_demo()
        settings = SiteSettings.get()
        settings.fax = "0235 3 000 009"
        settings.hotline = "0905 000 000"
        settings.schedule_note = "Lịch này thay thư mời họp"
        user = User(email=EDITOR_EMAIL, name="Trần Văn Lịch", role=Role.EDITOR)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        this_week = schedule.current_week()
    server.start()
    server.this_week = this_week
    yield server
    server.stop()


@pytest.fixture
def open_page(browser):
    contexts = []

    def open_(viewport, **kw):
        context = browser.new_context(viewport=viewport, locale="vi-VN", **kw)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_
    for context in contexts:
        context.close()


def form_values(page) -> dict:
    values = {name: page.locator(f"#{name}").input_value() for name in FIELDS}
    values["all_day"] = page.locator("#all_day").is_checked()
    values["recurring"] = page.locator("#recurring").is_checked()
    return values


def save(page) -> None:
    with page.expect_navigation():
        page.locator("#save-entry").click()


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_schedule_editor_round_trip_then_readers_see_it(site, open_page, screenshot_dir):
    week = site.this_week.next()  # an empty, unpublished week
    wednesday = week.monday + timedelta(days=2)
    page = open_page(WIDE)
    problems = watch_errors(page)
    sign_in(page, site.url, EDITOR_EMAIL, PASSWORD, f"/editor/schedule?week={week}")
    assert "Chưa công bố" in page.locator("#week-state").inner_text()

    # Add an entry from the day's own link.
    page.get_by_role("link", name=f"Thêm mục cho Thứ Tư {wednesday.strftime('%d/%m')}").click()
    assert page.locator("#day").input_value() == wednesday.isoformat()
    typed = {
        "day": wednesday.isoformat(),
        "start_time": "08:30",
        "content": "Họp Ban chỉ đạo chuyển đổi số – “Đề án 06”",
        "leader": "Bà Đỗ Thị Mai, Phó Chủ tịch UBND xã",
        "location": "Phòng họp số 2",
        "preparing_unit": "Văn phòng HĐND và UBND xã",
        "notes": "Mời trưởng các thôn\nMang theo số liệu quý IV",
    }
    for name, value in typed.items():
        page.fill(f"#{name}", value)
    page.check("#recurring")
    save(page)
    assert f"week={week}" in page.url
    row = page.locator("tr.ed-entry")
    assert row.count() == 1 and "Đề án 06" in row.inner_text()

    # Reload the form: what was typed came back unchanged.
    page.reload()
    row.get_by_role("link", name="Sửa").click()
    first = form_values(page)
    assert first == {**typed, "all_day": False, "recurring": True}
    edit_url = page.url

    # Edit, save, reload, compare.
    page.fill("#start_time", "14:00")
    page.fill("#content", "Họp Ban chỉ đạo chuyển đổi số (đổi giờ)")
    save(page)
    page.goto(edit_url)
    second = form_values(page)
    assert second == {
        **first,
        "start_time": "14:00",
        "content": "Họp Ban chỉ đạo chuyển đổi số (đổi giờ)",
    }
    # Save again without a change: nothing drifts.
    save(page)
    page.goto(edit_url)
    assert form_values(page) == second

    # Publish; the week view says so.
    page.goto(f"{site.url}/editor/schedule?week={week}")
    with page.expect_navigation():
        page.get_by_role("button", name="Công bố lịch tuần này").click()
    assert "Đã công bố lúc" in page.locator("#week-state").inner_text()
    assert "Điều chỉnh" not in page.locator("tr.ed-entry").inner_text()
    assert problems == []
    page.goto(f"{site.url}/editor/schedule")  # this week, with the demo entries
    page.screenshot(path=str(screenshot_dir / "schedule-editor.png"), full_page=True)
    page.goto(edit_url)
    page.screenshot(path=str(screenshot_dir / "schedule-editor-entry.png"), full_page=True)

    # Readers on a computer: the table, the day list hidden.
    reader = open_page(WIDE)
    reader.goto(f"{site.url}/schedule?week={week}")
    table = reader.locator("table.schedule-table")
    assert table.is_visible() and reader.locator(".schedule-days").is_hidden()
    cells = table.locator("tbody tr", has_text="đổi giờ").locator("td").all_inner_texts()
    assert cells == [
        "14:00",
        "Họp Ban chỉ đạo chuyển đổi số (đổi giờ)",
        typed["leader"],
        typed["location"],
        typed["preparing_unit"],
        "Mời trưởng các thôn\nMang theo số liệu quý IV",
    ]
    assert "Lịch này thay thư mời họp" in reader.locator(".schedule-note").inner_text()

    # On a phone: the day list, the table hidden, nothing wider than the screen.
    phone = open_page(PHONE)
    phone.goto(f"{site.url}/schedule?week={week}")
    assert phone.locator("table.schedule-table").is_hidden()
    day = phone.locator(f"#day-{wednesday.isoformat()}").locator("xpath=..")
    assert day.is_visible() and "đổi giờ" in day.inner_text() and "14:00" in day.inner_text()
    assert overflow(phone) <= 0

    # A change after publication is marked for readers.
    page.goto(edit_url)
    page.fill("#location", "Hội trường UBND xã")
    save(page)
    reader.reload()
    adjusted = reader.locator("table.schedule-table .adjusted")
    assert adjusted.count() == 1 and adjusted.inner_text().startswith("Điều chỉnh lúc ")
    assert problems == []


def test_the_reader_schedule_at_1366_and_360(site, open_page, screenshot_dir):
    wide = open_page(WIDE)
    problems = watch_errors(wide)
    wide.goto(site.url + "/schedule")
    assert wide.locator("table.schedule-table").is_visible()
    assert wide.locator(".schedule-days").is_hidden()
    assert wide.locator("table.schedule-table tbody.is-today").count() == 1
    assert wide.locator(".sidebar").count() == 0  # the table takes the whole width
    assert overflow(wide) <= 0
    wide.screenshot(path=str(screenshot_dir / "schedule.png"), full_page=True)

    phone = open_page(PHONE)
    phone.goto(site.url + "/schedule")
    assert phone.locator(".schedule-days").is_visible()
    assert phone.locator("table.schedule-table").is_hidden()
    assert phone.locator(".schedule-daycard.is-today").count() == 1
    assert overflow(phone) <= 0
    phone.screenshot(path=str(screenshot_dir / "schedule-360.png"), full_page=True)
    assert problems == []


def test_print_view_prints_the_table_on_a4_landscape(site, open_page):
    page = open_page(WIDE)
    problems = watch_errors(page)
    page.goto(site.url + "/schedule")
    with page.expect_navigation():
        page.get_by_role("link", name="Bản in").click()
    assert "print=1" in page.url
    assert page.locator("button.print-button").is_visible()  # shown by the script
    page.emulate_media(media="print")
    assert page.locator("table.schedule-table").is_visible()
    assert page.locator(".print-tools").is_hidden()
    # A4 landscape: Chromium's PDF of the page is wider than tall.
    pdf = page.pdf(prefer_css_page_size=True)
    box = re.search(rb"/MediaBox \[0 0 ([0-9.]+) ([0-9.]+)\]", pdf)
    assert box, "no page size in the PDF"
    width, height = float(box.group(1)), float(box.group(2))
    assert round(width) == 842 and round(height) == 595  # A4 landscape, in points
    assert problems == []


def test_unpublished_week_and_navigation(site, open_page):
    page = open_page(WIDE)
    later = site.this_week.next().next().next()
    page.goto(f"{site.url}/schedule?week={later}")
    assert "chưa được công bố" in page.locator(".schedule-unpublished").inner_text()
    with page.expect_navigation():
        page.get_by_role("link", name="Tuần trước").click()
    assert f"week={later.previous()}" in page.url
    with page.expect_navigation():
        page.get_by_role("link", name="Tuần này").click()
    assert page.locator("tbody.is-today").count() == 1
    assert page.goto(f"{site.url}/schedule?week=2025-W53").status == 400


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1366", "360"])
def test_schedule_page_has_no_wcag_violations(site, browser, viewport):
    context = browser.new_context(viewport=viewport, locale="vi-VN", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        report = {}
        for path in (
            "/schedule",
            f"/schedule?week={site.this_week.next().next()}",
            "/schedule?print=1",
        ):
            assert page.goto(site.url + path).status == 200
            if path == "/schedule":
                page.wait_for_selector(".font-size-controls:not([hidden])", state="attached")
            violations = axe_violations(page)
            if violations:
                report[path] = violations
        assert report == {}, json.dumps(report, ensure_ascii=False, indent=1)
    finally:
        context.close()


def test_schedule_editor_fits_a_phone(site, open_page):
    page = open_page(PHONE)
    sign_in(page, site.url, EDITOR_EMAIL, PASSWORD, "/editor/schedule")
    assert page.locator("tr.ed-entry").count() >= 8
    assert overflow(page) <= 0  # the table scrolls inside its box
    page.locator("tr.ed-entry").first.get_by_role("link", name="Sửa").click()
    assert page.locator("#content").is_visible()
    assert overflow(page) <= 0
