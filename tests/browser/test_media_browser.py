"""The media library in Chromium: upload documents and an image through the plain form,
see them listed with their usage, filter by kind, search with and without diacritics,
download a document byte for byte under its Vietnamese name, delete an unused item, and
read well at 1366 and 360 px (screenshots in docs/screenshots/)."""

import re
from urllib.parse import quote

import pytest

from bantin.extensions import db
from bantin.models import Article, ArticleRevision, Category, Role, User
from tests.conftest import PASSWORD, live_app_context
from tests.test_attachments import make_docx, make_pdf, make_xlsx
from tests.test_media import image_bytes

pytestmark = pytest.mark.browser

PDF_NAME = "Quyết định số 15 về lịch tiếp công dân.pdf"
DOCX_NAME = "Kế hoạch đón Tết Nguyên đán.docx"
XLSX_NAME = "Lịch trực cơ quan tháng 5.xlsx"
IMAGE_NAME = "Trụ sở Ủy ban xã.jpg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def card_names(page) -> list[str]:
    return page.locator(".ml-card .ml-name").all_inner_texts()


def upload_through_form(page, name: str, mime: str, data: bytes) -> None:
    page.set_input_files("#media-file", files=[{"name": name, "mimeType": mime, "buffer": data}])
    page.get_by_role("button", name="Tải lên", exact=True).click()
    page.wait_for_load_state()
    flash = page.locator(".ed-flashes")
    flash.wait_for()
    assert f"Đã tải lên “{name}”." in flash.inner_text()


def no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_media_library_journey(live_server_factory, page, screenshot_dir):
    server = live_server_factory(workers=1)
    with live_app_context(server):
        user = User(email="thuky@example.com", name="Lê Thị Thư Ký", role=Role.EDITOR)
        user.set_password(PASSWORD)
        db.session.add_all([user, Category(name="Thông báo", slug="thong-bao")])
        db.session.commit()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    # Console errors, except failed loads: those are checked below from the responses
    # themselves (Chromium also reports its own favicon request, which pages do not make).
    page.on(
        "console",
        lambda msg: (
            problems.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on("dialog", lambda dialog: dialog.accept())  # the delete confirmation
    failed: list[str] = []
    page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)

    page.goto(f"{server.url}/login?next=/editor/media")
    page.fill("#email", "thuky@example.com")
    page.fill("#password", PASSWORD)
    page.locator("form.login-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/editor/media$"))
    assert "Chưa có ảnh hay tệp nào" in page.locator("main").inner_text()

    # Upload through the plain form (no JavaScript involved): three documents, one image.
    pdf = make_pdf()
    upload_through_form(page, PDF_NAME, "application/pdf", pdf)
    assert card_names(page) == [PDF_NAME]
    upload_through_form(page, DOCX_NAME, DOCX, make_docx())
    upload_through_form(page, XLSX_NAME, XLSX, make_xlsx())
    upload_through_form(page, IMAGE_NAME, "image/jpeg", image_bytes("JPEG", (1600, 1000)))
    assert card_names(page) == [IMAGE_NAME, XLSX_NAME, DOCX_NAME, PDF_NAME]  # newest first

    # A refused file says why, next to the field, and the list stays.
    page.set_input_files(
        "#media-file",
        files=[{"name": "Biểu mẫu.pdf", "mimeType": "application/pdf", "buffer": b"<html>"}],
    )
    page.get_by_role("button", name="Tải lên", exact=True).click()
    page.wait_for_load_state()
    assert "không phải tệp PDF thật" in page.locator(".field-error").inner_text()
    assert len(card_names(page)) == 4

    # The PDF and the image are used: one in an article body, one in an old revision only.
    with live_app_context(server):
        from bantin.models import Media

        items = {m.original_name: m for m in db.session.query(Media).all()}
        category = db.session.query(Category).one()
        doc, image = items[PDF_NAME], items[IMAGE_NAME]
        article = Article(
            title="Thông báo lịch tiếp công dân tháng Năm",
            slug="thong-bao-lich-tiep-cong-dan",
            category=category,
            body=(
                f'<div class="file-attachment"><a href="{doc.path}" data-type="pdf" '
                f'data-size="{doc.bytes}">{PDF_NAME}</a><span class="file-meta">PDF, 1 KB'
                "</span></div>"
            ),
        )
        db.session.add(article)
        db.session.flush()
        stem = image.path.rpartition("-")[0]
        db.session.add(
            ArticleRevision(
                article_id=article.id,
                number=1,
                title=article.title,
                body=f'<figure><img src="{stem}-800.jpg" alt="Trụ sở"></figure>',
            )
        )
        db.session.commit()
        pdf_url = doc.path

    page.goto(f"{server.url}/editor/media")
    pdf_card = page.locator(".ml-card", has_text=PDF_NAME)
    assert "Thông báo lịch tiếp công dân tháng Năm" in pdf_card.locator(".ml-usage").inner_text()
    assert pdf_card.get_by_role("button", name="Xóa").is_disabled()
    assert "đang được dùng" in pdf_card.locator(".ml-why").inner_text()
    image_card = page.locator(".ml-card", has_text=IMAGE_NAME)
    assert "chỉ trong phiên bản cũ" in image_card.locator(".ml-usage").inner_text()
    assert image_card.get_by_role("button", name="Xóa").is_disabled()

    # The document downloads as it was uploaded, under its Vietnamese name.
    reply = page.request.get(f"{server.url}{pdf_url}")
    assert reply.status == 200 and reply.body() == pdf
    assert f"filename*=UTF-8''{quote(PDF_NAME, safe='')}" in reply.headers["content-disposition"]
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in reply.headers["content-security-policy"]

    # Screenshots: 1366 px, then a phone at 360 px, with nothing scrolling sideways.
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{server.url}/editor/media")
    assert no_sideways_scroll(page)
    page.screenshot(path=str(screenshot_dir / "media-1366.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 800})
    page.reload()
    assert no_sideways_scroll(page)
    page.screenshot(path=str(screenshot_dir / "media-360.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    # Filter by kind.
    page.select_option("#media-kind", "file")
    page.get_by_role("button", name="Lọc").click()
    page.wait_for_url(re.compile(r"kind=file"))
    assert card_names(page) == [XLSX_NAME, DOCX_NAME, PDF_NAME]
    page.select_option("#media-kind", "image")
    page.get_by_role("button", name="Lọc").click()
    page.wait_for_url(re.compile(r"kind=image"))
    assert card_names(page) == [IMAGE_NAME]

    # Search, without and with diacritics, across both kinds.
    page.select_option("#media-kind", "")
    for query in ("quyet dinh", "Quyết định", "QUYẾT ĐỊNH SỐ 15"):
        page.fill("#media-q", query)
        page.get_by_role("button", name="Lọc").click()
        page.wait_for_load_state()
        assert card_names(page) == [PDF_NAME], query
        assert page.input_value("#media-q") == query  # what was typed stays
    page.fill("#media-q", "ke hoach don tet")
    page.get_by_role("button", name="Lọc").click()
    page.wait_for_load_state()
    assert card_names(page) == [DOCX_NAME]
    page.fill("#media-q", "lich truc")
    page.get_by_role("button", name="Lọc").click()
    page.wait_for_load_state()
    assert card_names(page) == [XLSX_NAME]
    page.fill("#media-q", "không có tệp này")
    page.get_by_role("button", name="Lọc").click()
    page.wait_for_load_state()
    assert "Không có mục nào khớp bộ lọc." in page.locator("main").inner_text()

    # Delete an unused document (after the confirmation), filters kept.
    page.goto(f"{server.url}/editor/media?kind=file")
    page.locator(".ml-card", has_text=DOCX_NAME).get_by_role("button", name="Xóa").click()
    page.wait_for_url(re.compile(r"/editor/media\?kind=file$"))
    assert f"Đã xóa “{DOCX_NAME}”." in page.locator(".ed-flashes").inner_text()
    assert card_names(page) == [XLSX_NAME, PDF_NAME]
    assert not problems, problems
    # The one failed response is the refused upload (400, with its reason on the page).
    assert [f.split(" ")[0] + " " + f.rpartition(server.url)[2] for f in failed] == [
        "400 /editor/media/upload"
    ]
