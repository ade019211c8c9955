"""Official documents in Chromium: the editor's round trip with a file uploaded by the form's
script (create, publish, reload, save again unchanged, compare, edit again), what readers
see (the document, its PDF in the browser's own viewer), the list's filters at 1366 px (a
table) and 360 px (cards), and axe on both public pages. Screenshots:
docs/screenshots/documents-list.png, document.png and their -360 variants."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in, watch_errors
from tests.browser.test_accessibility import axe_violations
from tests.conftest import PASSWORD, LiveServer, live_app_context

pytestmark = [pytest.mark.browser, pytest.mark.live]

WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 360, "height": 780}
EDITOR_EMAIL = "vanthu@example.com"
FIELDS = (
    "number",
    "type_id",
    "issuer_id",
    "field_id",
    "issued_on",
    "effective_on",
    "signer",
    "abstract",
    "legal_status",
    "replaced_by_id",
)


@pytest.fixture(scope="module")
def site(tmp_path_factory, migrated_db):
    """The demo office with its documents, and an editor."""
    server = LiveServer(tmp_path_factory.mktemp("documents"), migrated_db, workers=1)
    with live_app_context(server):
        from bantin import demo
        from bantin import official_documents as service
        from bantin.extensions import db
        from bantin.models import Role, User

        demo.seed()
        service.seed_demo()
        user = User(email=EDITOR_EMAIL, name="Nguyễn Văn Thư", role=Role.EDITOR)
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


def form_values(page) -> dict:
    values = {name: page.locator(f"#{name}").input_value() for name in FIELDS}
    values["status"] = page.locator("input[name=status]:checked").input_value()
    values["files"] = page.locator("[data-file-row] .doc-file-row-name").all_inner_texts()
    return values


def save(page) -> None:
    with page.expect_navigation():
        page.locator("#save-button").click()


def overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_editor_round_trip_with_a_file_then_readers_see_it(site, open_page, tmp_path):
    from bantin.official_documents_demo import make_pdf

    page = open_page(WIDE)
    problems = watch_errors(page)
    sign_in(page, site.url, EDITOR_EMAIL, PASSWORD, "/editor/documents/new")
    page.fill("#number", "27/2026/QĐ-UBND")
    page.select_option("#type_id", label="Quyết định")
    page.select_option("#issuer_id", label="UBND xã Hòa Phong")
    page.select_option("#field_id", label="Cải cách hành chính")
    page.fill("#issued_on", "2026-11-20")
    page.fill("#signer", "Trần Quốc Bảo")
    page.fill("#abstract", "Ban hành Quy chế “một cửa” điện tử của UBND xã")
    # Two files through the upload endpoint (the form's script), one from the library.
    page.set_input_files(
        "#doc-upload",
        files=[
            {
                "name": "Quyết định 27.pdf",
                "mimeType": "application/pdf",
                "buffer": make_pdf(["Quyet dinh 27"]),
            },
            {
                "name": "Phụ lục quy chế.pdf",
                "mimeType": "application/pdf",
                "buffer": make_pdf(["Phu luc"]),
            },
        ],
    )
    page.locator("[data-file-row]").nth(1).wait_for()
    assert "Đã tải lên: Phụ lục quy chế.pdf" in page.locator("[data-file-status]").inner_text()
    assert page.locator("#doc-upload").input_value() == ""
    # Reorder with the keyboard-reachable buttons: the appendix goes first.
    page.get_by_role("button", name="Chuyển lên Phụ lục quy chế.pdf").click()
    # The oldest file of the library (the newest ones are the two just uploaded).
    options = page.locator("#doc-library option")
    last = options.count() - 1
    page.locator("#doc-library").select_option(index=last)
    library_name = options.nth(last).inner_text().rsplit(" (", 1)[0]
    page.get_by_role("button", name="Thêm tệp này").click()
    page.get_by_role("button", name=f"Bỏ {library_name}").click()
    page.check("input[name=status][value=published]")
    save(page)
    assert "Đã lưu và đăng văn bản." in page.locator(".ed-flashes").inner_text()
    first = form_values(page)
    assert first["files"] == ["Phụ lục quy chế.pdf", "Quyết định 27.pdf"]
    assert first["number"] == "27/2026/QĐ-UBND" and first["status"] == "published"
    assert first["abstract"] == "Ban hành Quy chế “một cửa” điện tử của UBND xã"

    # Reload and save again unchanged: nothing moves.
    page.reload()
    assert form_values(page) == first
    save(page)
    assert form_values(page) == first
    edit_url = page.url

    # The reader's page: metadata, files in order, the PDF opens in the browser.
    reader = open_page(WIDE)
    reader_problems = watch_errors(reader)
    reader.goto(site.url + "/documents?q=27/2026")
    reader.get_by_role("link", name="Ban hành Quy chế “một cửa” điện tử của UBND xã").click()
    assert reader.locator("h1").inner_text().startswith("Quyết định 27/2026/QĐ-UBND")
    assert reader.locator(".doc-file-name").all_inner_texts() == first["files"]
    view = reader.locator("a.doc-file-view").nth(1).get_attribute("href")
    response = reader.request.get(site.url + view)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline;")
    assert response.body().startswith(b"%PDF-")
    # Chromium's own viewer opens it, under the uploads' sandbox CSP.
    viewer = open_page(WIDE)
    with viewer.expect_event(
        "framenavigated", predicate=lambda f: f.url.startswith("chrome-extension://")
    ):
        viewer.goto(site.url + view)
    download = reader.request.get(
        site.url + reader.locator("a.doc-file-download").first.get_attribute("href")
    )
    assert download.headers["content-disposition"].startswith("attachment;")

    # Edit again: the change reaches readers, the revision list grows.
    page.goto(edit_url)
    page.fill("#signer", "Nguyễn Thị Hồng")
    page.get_by_role("button", name="Bỏ Quyết định 27.pdf").click()
    save(page)
    second = form_values(page)
    assert second == {**first, "signer": "Nguyễn Thị Hồng", "files": ["Phụ lục quy chế.pdf"]}
    reader.reload()
    assert "Nguyễn Thị Hồng" in reader.locator(".doc-meta").inner_text()
    assert reader.locator(".doc-file-name").all_inner_texts() == ["Phụ lục quy chế.pdf"]
    page.get_by_role("link", name="Lịch sử sửa đổi").click()
    assert page.locator("tbody tr").count() == 3
    assert problems == [] and reader_problems == []


def test_list_filters_at_1366_and_360(site, open_page, screenshot_dir):
    wide = open_page(WIDE)
    problems = watch_errors(wide)
    wide.goto(site.url + "/documents")
    assert wide.locator("table.doc-table thead").is_visible()
    total = wide.locator("table.doc-table tbody tr").count()
    assert total >= 12
    wide.screenshot(path=str(screenshot_dir / "documents-list.png"), full_page=True)
    wide.select_option("#doc-type", label="Quyết định")
    with wide.expect_navigation():
        wide.get_by_role("button", name="Tra cứu").click()
    rows = wide.locator("table.doc-table tbody tr")
    assert 0 < rows.count() < total
    assert all(t == "Quyết định" for t in wide.locator("td.doc-type").all_inner_texts())
    assert "type=" in wide.url
    wide.fill("#doc-q", "tiep nhan mot cua")
    with wide.expect_navigation():
        wide.get_by_role("button", name="Tra cứu").click()
    found = wide.locator("tbody th.doc-number").all_inner_texts()
    assert len(found) == 1 and found[0].startswith("15/")
    assert wide.locator("#doc-type").input_value() != ""  # the filters stay chosen
    assert overflow(wide) <= 0

    # The document page.
    wide.locator("td.doc-abstract a").first.click()
    assert "Được thay thế bởi" not in wide.locator(".doc-meta").inner_text()
    assert "Thay thế" in wide.locator(".doc-meta").inner_text()
    wide.screenshot(path=str(screenshot_dir / "document.png"), full_page=True)
    doc_url = wide.url

    phone = open_page(PHONE)
    problems += watch_errors(phone)
    phone.goto(site.url + "/documents")
    # The column heads stay for screen readers, out of sight (1 px, clipped).
    head = phone.locator("table.doc-table thead").bounding_box()
    assert head is not None and head["height"] <= 1
    card = phone.locator("table.doc-table tbody tr").first
    box = card.bounding_box()
    assert box is not None and box["width"] <= 360
    label = card.locator("td.doc-date").evaluate("el => getComputedStyle(el, '::before').content")
    assert label == '"Ngày ban hành: "'  # each value's label, from data-label
    assert overflow(phone) <= 0
    phone.screenshot(path=str(screenshot_dir / "documents-list-360.png"), full_page=True)
    phone.fill("#doc-q", "quy che hoat dong")
    phone.select_option("#doc-year", index=0)
    with phone.expect_navigation():
        phone.get_by_role("button", name="Tra cứu").click()
    found = phone.locator("tbody th.doc-number").all_inner_texts()
    assert len(found) == 1 and found[0].startswith("09/")
    phone.locator("td.doc-abstract a").click()
    assert "Được thay thế bởi" in phone.locator(".doc-meta").inner_text()
    assert overflow(phone) <= 0
    phone.goto(doc_url)
    phone.screenshot(path=str(screenshot_dir / "document-360.png"), full_page=True)
    assert problems == []


def test_public_pages_have_no_wcag_violations(site, open_page):
    report = {}
    for viewport in (WIDE, PHONE):
        page = open_page(viewport, bypass_csp=True)
        page.goto(site.url + "/documents")
        doc = page.locator("td.doc-abstract a").first.get_attribute("href")
        for path in ("/documents", "/documents?q=quy+che&year=2025", doc, doc + "?print=1"):
            response = page.goto(site.url + path)
            assert response is not None and response.status == 200, path
            violations = axe_violations(page)
            if violations:
                report[f"{viewport['width']} {path}"] = violations
    assert report == {}


def test_editor_pages_have_no_wcag_violations(site, open_page):
    page = open_page(WIDE, bypass_csp=True)
    sign_in(page, site.url, EDITOR_EMAIL, PASSWORD, "/editor/documents")
    edit = page.locator("td a").first.get_attribute("href")
    doc_path = edit.removesuffix("/edit")
    page.goto(site.url + doc_path + "/revisions")
    revision = page.get_by_role("link", name="Xem").first.get_attribute("href")
    report = {}
    for path in (
        "/editor/documents",
        "/editor/documents/new",
        edit,
        "/editor/documents/terms",
        doc_path + "/revisions",
        revision,
    ):
        response = page.goto(site.url + path)
        assert response is not None and response.status == 200, path
        violations = axe_violations(page)
        if violations:
            report[path] = violations
    assert report == {}
