"""Organisation and contacts in Chromium: the reader's page at 1366 and 360 px (screenshots
docs/screenshots/contacts.png and contacts-360.png), axe, the home page's JSON-LD under the
CSP, the editor's round trip for a person, and reordering with the keyboard."""

import json

import pytest

from tests.browser.conftest import sign_in, watch_errors
from tests.browser.test_accessibility import axe_violations
from tests.conftest import PASSWORD, LiveServer, live_app_context

pytestmark = [pytest.mark.browser, pytest.mark.live]

WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 360, "height": 780}
EDITOR_EMAIL = "danhba@example.com"
PERSON_FIELDS = ("unit_id", "name", "title", "title_en", "phone", "email", "photo_url")


@pytest.fixture(scope="module")
def site(tmp_path_factory, migrated_db):
    server = LiveServer(tmp_path_factory.mktemp("contacts"), migrated_db, workers=1)
    with live_app_context(server):
        from bantin import contacts, demo, media
        from bantin.demo import landscape
        from bantin.extensions import db
        from bantin.models import Contact, Role, SiteSettings, User

        demo.seed()
        contacts.seed_demo()
        settings = SiteSettings.get()
        settings.fax = "0235 3 000 009"
        settings.hotline = "0905 000 000"
        settings.owner_en = "Hoa Phong Commune People's Committee"
        settings.address_en = "Phu Loc Village, Hoa Phong Commune, Thang Binh Tay District"
        # Portraits for the leaders (generated pictures, as the demo's photos are).
        for n, person in enumerate(db.session.query(Contact).order_by(Contact.id).limit(3)):
            picture = media.store_picture(landscape((90 + 40 * n, 120, 150), n), "JPEG", "p.jpg")
            person.photo_url = picture.thumb_url
        user = User(email=EDITOR_EMAIL, name="Phạm Thị Danh Bạ", role=Role.EDITOR)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
    server.start()
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


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def load_images(page) -> None:
    page.evaluate(
        "document.querySelectorAll('img[loading=lazy]').forEach(i => i.loading = 'eager')"
    )
    page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth)")


def unit_headings(page) -> list[str]:
    return page.locator(".contact-unit h2").all_inner_texts()


def test_contacts_page_at_1366_and_360(site, open_page, screenshot_dir):
    wide = open_page(WIDE)
    problems = watch_errors(wide)
    wide.goto(site.url + "/contacts")
    assert unit_headings(wide)[:2] == ["Thường trực UBND xã", "Văn phòng HĐND và UBND xã"]
    office = wide.locator(".office-card")
    assert "0235 3 000 009" in office.inner_text() and "0905 000 000" in office.inner_text()
    first = wide.locator(".person").first
    assert first.locator("a[href^='tel:']").get_attribute("href") == "tel:02353000011"
    assert first.locator("a[href^='mailto:']").count() == 1
    assert wide.locator("img.person-photo").count() == 3
    load_images(wide)
    # Cards sit side by side on a computer.
    boxes = [
        wide.locator(".contact-unit").first.locator(".person").nth(i).bounding_box()
        for i in range(2)
    ]
    assert round(boxes[0]["y"]) == round(boxes[1]["y"])
    assert overflow(wide) <= 0
    wide.screenshot(path=str(screenshot_dir / "contacts.png"), full_page=True)

    phone = open_page(PHONE)
    phone.goto(site.url + "/contacts")
    load_images(phone)
    boxes = [
        phone.locator(".contact-unit").first.locator(".person").nth(i).bounding_box()
        for i in range(2)
    ]
    assert boxes[1]["y"] > boxes[0]["y"] + boxes[0]["height"] - 1  # one column
    assert overflow(phone) <= 0
    phone.screenshot(path=str(screenshot_dir / "contacts-360.png"), full_page=True)
    assert problems == []


def test_contacts_page_in_english(site, open_page):
    page = open_page(WIDE)
    page.goto(site.url + "/contacts")
    page.get_by_role("link", name="English").click()
    page.wait_for_url("**/contacts")
    assert unit_headings(page)[0] == "Standing Committee of the Commune People's Committee"
    assert "Chairman" in page.locator(".person").first.inner_text()
    assert "Hoa Phong Commune People's Committee" in page.locator(".office-card h2").inner_text()
    page.get_by_role("link", name="Tiếng Việt").click()
    page.wait_for_url("**/contacts")
    assert unit_headings(page)[0] == "Thường trực UBND xã"


def test_home_page_json_ld_passes_the_csp(site, open_page):
    page = open_page(WIDE)
    problems = watch_errors(page)
    violations = []
    page.expose_function("reportViolation", lambda v: violations.append(v))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation',"
        " e => window.reportViolation(e.violatedDirective + ' ' + e.blockedURI))"
    )
    response = page.goto(site.url + "/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    data = json.loads(page.locator("script[type='application/ld+json']").text_content())
    assert data["@type"] == "GovernmentOrganization"
    assert data["name"] == "UBND xã Hòa Phong"
    assert data["address"]["streetAddress"].startswith("Thôn Phú Lộc")
    assert data["faxNumber"] == "0235 3 000 009"
    assert len(data["contactPoint"]) >= 4
    page.wait_for_selector(".font-size-controls:not([hidden])")  # site.js ran
    assert violations == [] and problems == []


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1366", "360"])
def test_contacts_page_has_no_wcag_violations(site, browser, viewport):
    context = browser.new_context(viewport=viewport, locale="vi-VN", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        assert page.goto(site.url + "/contacts").status == 200
        page.wait_for_selector(".font-size-controls:not([hidden])", state="attached")
        violations = axe_violations(page)
        assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)
    finally:
        context.close()


def person_values(page) -> dict:
    return {name: page.locator(f"#{name}").input_value() for name in PERSON_FIELDS}


def test_editor_person_round_trip_and_keyboard_reordering(site, open_page, screenshot_dir):
    page = open_page(WIDE)
    problems = watch_errors(page)
    sign_in(page, site.url, EDITOR_EMAIL, PASSWORD, "/editor/contacts")
    page.get_by_role("link", name="+ Thêm người vào “Trạm Y tế xã”").click()
    typed = {
        "name": "Hồ Thị Ngọc Ánh",
        "title": "Nữ hộ sinh",
        "title_en": "Midwife",
        "phone": "0235 3 000 042; 0905 000 042",
        "email": "Anh.HTN@HoaPhong.example.org",
    }
    for name, value in typed.items():
        page.fill(f"#{name}", value)
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu").click()
    row = page.locator("tr", has_text="Hồ Thị Ngọc Ánh")
    assert row.count() == 1
    page.reload()
    row.get_by_role("link", name="Hồ Thị Ngọc Ánh", exact=True).click()
    edit_url = page.url
    first = person_values(page)
    assert first == {
        **typed,
        "email": "anh.htn@hoaphong.example.org",  # stored in one spelling
        "unit_id": first["unit_id"],
        "photo_url": "",
    }
    page.fill("#title", "Nữ hộ sinh trung cấp")
    # A photo from the uploads, picked with the mouse (contacts.js fills the field).
    choice = page.locator(".ed-photo-choice").first
    photo = choice.get_attribute("data-photo")
    choice.click()
    assert page.locator("#photo_url").input_value() == photo
    assert choice.get_attribute("aria-pressed") == "true"
    assert page.locator(".ed-photo-preview img").get_attribute("src") == photo
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu").click()
    page.goto(edit_url)
    second = person_values(page)
    assert second == {**first, "title": "Nữ hộ sinh trung cấp", "photo_url": photo}
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu").click()  # unchanged
    page.goto(edit_url)
    assert person_values(page) == second

    # The reader's page has the new person last in the unit.
    reader = open_page(WIDE)
    reader.goto(site.url + "/contacts")
    health = reader.locator(".contact-unit", has_text="Trạm Y tế xã")
    assert health.locator(".person-name").all_inner_texts()[-1] == "Hồ Thị Ngọc Ánh"
    assert health.locator(".person").last.locator("img.person-photo").get_attribute("src") == photo
    assert health.locator("a[href='tel:09050000042']").count() == 0
    assert health.locator("a[href='tel:0905000042']").count() == 1

    # Keyboard only: focus "Xuống" of the first unit and press Enter.
    page.goto(site.url + "/editor/contacts")
    down = page.get_by_role("button", name="Chuyển “Thường trực UBND xã” xuống")
    down.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    headings = page.locator(".ed-contact-unit h2").all_inner_texts()
    assert headings[0].startswith("1. Văn phòng HĐND và UBND xã")
    assert headings[1].startswith("2. Thường trực UBND xã")
    reader.reload()
    assert unit_headings(reader)[:2] == ["Văn phòng HĐND và UBND xã", "Thường trực UBND xã"]
    # And back, with the other button.
    up = page.get_by_role("button", name="Chuyển “Thường trực UBND xã” lên")
    up.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    reader.reload()
    assert unit_headings(reader)[0] == "Thường trực UBND xã"
    assert problems == []
    page.screenshot(path=str(screenshot_dir / "contacts-editor.png"), full_page=True)


def test_contacts_editor_fits_a_phone(site, open_page):
    page = open_page(PHONE)
    sign_in(page, site.url, EDITOR_EMAIL, PASSWORD, "/editor/contacts")
    assert page.locator(".ed-contact-unit").count() >= 4
    assert overflow(page) <= 0  # the tables scroll inside their boxes
