"""An editor signs in, writes an article in the TipTap editor (marks, a link typed in the
toolbar's field, an uploaded image with alt text and a caption typed under it), publishes it,
and the reader's page shows all of it. Runs real Chromium against gunicorn."""

import io
import re

import pytest
import sqlalchemy as sa
from PIL import Image

from bantin.extensions import db
from bantin.models import Article, Category, Role, User
from tests.browser.conftest import body_html, open_editor, sign_in, watch_errors
from tests.conftest import PASSWORD, live_app_context

pytestmark = pytest.mark.browser

TITLE = "Lịch tiếp công dân tháng Năm"
LINK = "https://example.org/thong-bao-lich-tiep-dan"
ALT = "Trụ sở Ủy ban nhân dân xã nhìn từ sân trước"
CAPTION = "Trụ sở Ủy ban nhân dân xã"


def make_photo(path) -> None:
    img = Image.new("RGB", (1400, 900), (40, 110, 170))
    for x in range(0, 1400, 100):  # some detail so it is not a flat colour
        img.paste((230, 200, 60), (x, 300, x + 50, 600))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=90)
    path.write_bytes(buf.getvalue())


def test_editor_writes_and_publishes_an_article(
    live_server_factory, page, screenshot_dir, tmp_path
):
    server = live_server_factory(workers=1)
    with live_app_context(server):
        user = User(email="bientap@example.com", name="Nguyễn Thị Biên", role=Role.EDITOR)
        user.set_password(PASSWORD)
        category = Category(name="Thông báo", slug="thong-bao")
        db.session.add_all([user, category])
        db.session.commit()
        category_id = category.id
    photo = tmp_path / "tru-so.jpg"
    make_photo(photo)
    problems = watch_errors(page)

    sign_in(page, server.url, "bientap@example.com", PASSWORD, "/editor/articles/new")
    assert page.url.endswith("/editor/articles/new")
    open_editor(page, f"{server.url}/editor/articles/new")

    # The toolbar speaks Vietnamese and says which marks are on.
    bold = page.locator(".editor-toolbar [data-cmd=bold]")
    assert bold.get_attribute("aria-label") == "In đậm"
    assert bold.get_attribute("aria-pressed") == "false"
    assert page.locator(".editor-toolbar").get_attribute("role") == "toolbar"

    page.fill("#title", TITLE)
    page.select_option("#category_id", str(category_id))
    page.fill("#lead", "Ủy ban nhân dân xã thông báo lịch tiếp công dân.")

    # Body: a bold word and a link.
    editor = page.locator(".editor-content")
    editor.click()
    page.keyboard.type("Bà con lưu ý ")
    bold.click()
    page.keyboard.type("quan trọng")
    page.wait_for_function(
        "() => document.querySelector('[data-cmd=bold]').getAttribute('aria-pressed') === 'true'"
    )
    bold.click()
    page.keyboard.type(": xem chi tiết tại đây")
    for _ in range(len("tại đây")):
        page.keyboard.press("Shift+ArrowLeft")
    page.wait_for_function(
        "() => { const s = window.bantinEditor.state.selection; return s.to - s.from === 7; }"
    )
    page.keyboard.press("Control+k")  # the toolbar's "Liên kết" field
    href_input = page.locator("#tb-link-url")
    href_input.wait_for()
    href_input.fill("không phải địa chỉ")
    href_input.press("Enter")
    assert "phải bắt đầu bằng" in page.locator("#tb-link-error").inner_text()
    href_input.fill(LINK)
    href_input.press("Enter")
    page.locator("[data-link-panel]").wait_for(state="hidden")
    page.keyboard.press("End")
    page.keyboard.press("Enter")

    # An image, through the toolbar's "Chèn ảnh" button and the file chooser.
    with page.expect_file_chooser() as chooser:
        page.locator(".editor-toolbar [data-cmd=image]").click()
    chooser.value.set_files(str(photo))
    page.locator(".editor-content figure img[src^='/uploads/']").wait_for()
    assert "Đã tải ảnh lên" in page.locator("#upload-status").inner_text()
    figure = page.locator(".editor-content figure").first
    assert "is-missing-alt" in figure.get_attribute("class")  # marked until described

    # Its alt text in the field beside it, its caption typed in place under it.
    figure.locator(".figure-alt").fill(ALT)
    page.wait_for_function(
        "() => !document.querySelector('.editor-content figure')"
        ".classList.contains('is-missing-alt')"
    )
    figure.locator("figcaption").click()
    page.keyboard.type(CAPTION)
    page.wait_for_function(f"() => window.bantinBodyHTML().includes('{CAPTION}</figcaption>')")

    # The cover image field works as before: upload, preview, clear, upload again.
    page.locator("#cover-file").set_input_files(str(photo))
    page.locator("#cover-preview:not([hidden])").wait_for()
    assert page.input_value("#cover_url").startswith("/uploads/")
    page.locator("#cover-clear").click()
    assert page.input_value("#cover_url") == ""
    assert page.locator("#cover-preview").is_hidden()
    page.locator("#cover-file").set_input_files(str(photo))
    page.locator("#cover-preview:not([hidden])").wait_for()
    cover = page.input_value("#cover_url")

    page.check("input[name=status][value=published]")
    page.locator("#body-editor").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "editor.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(screenshot_dir / "editor-1366.png"))
    page.set_viewport_size({"width": 360, "height": 800})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    page.evaluate("() => document.querySelector('.editor-toolbar').scrollIntoView()")
    page.screenshot(path=str(screenshot_dir / "editor-360.png"))
    page.set_viewport_size({"width": 1280, "height": 900})

    sent = body_html(page)
    with page.expect_navigation():
        page.locator("#save-button").click()
    assert re.search(r"/editor/articles/\d+/edit$", page.url)
    assert "Đã lưu và đăng bài." in page.locator(".ed-flashes").inner_text()
    assert page.locator("#version-note").inner_text().startswith("Phiên bản số 1 ·")

    page.goto(f"{server.url}/editor/articles")
    assert page.get_by_text(TITLE).first.is_visible()
    page.screenshot(path=str(screenshot_dir / "editor-articles.png"))

    with live_app_context(server):
        article = db.session.scalars(sa.select(Article)).one()
        article_id, slug, body = article.id, article.slug, article.body
        assert article.cover_url == cover
    assert body == sent  # the editor wrote the canonical form: the server changed nothing
    assert "<strong>quan trọng</strong>" in body
    assert f'<a href="{LINK}" rel="noopener noreferrer">tại đây</a>' in body
    assert re.search(
        rf'<figure><img src="/uploads/[^"]+-800\.jpg" alt="{ALT}" width="800" height="\d+"'
        rf' srcset="[^"]+"><figcaption>{CAPTION}</figcaption></figure>',
        body,
    ), body

    # What readers see.
    page.goto(f"{server.url}/article/{article_id}/{slug}")
    assert page.locator("h1").inner_text() == TITLE
    content = page.locator(".article-body")
    assert content.locator("strong").inner_text() == "quan trọng"
    link = content.locator(f"a[href='{LINK}']")
    assert link.text_content() == "tại đây"
    assert link.get_attribute("rel") == "noopener noreferrer"
    image = content.locator("figure img")
    assert re.fullmatch(r"/uploads/\d{4}/\d{2}/[0-9a-f]{16}-800\.jpg", image.get_attribute("src"))
    assert image.get_attribute("alt") == ALT
    assert content.locator("figure figcaption").inner_text() == CAPTION
    # The image really loads (served from /uploads with its type).
    assert (
        page.evaluate(
            "() => { const i = document.querySelector('.article-body figure img');"
            " return i.complete && i.naturalWidth; }"
        )
        > 0
    )
    assert not problems, problems


@pytest.fixture
def writer(live_server_factory, page):
    server = live_server_factory(workers=1)
    with live_app_context(server):
        user = User(email="bang@example.com", name="Võ Thị Bảng", role=Role.EDITOR)
        user.set_password(PASSWORD)
        category = Category(name="Thông báo", slug="thong-bao")
        db.session.add_all([user, category])
        db.session.commit()
        category_id = category.id
    problems = watch_errors(page)
    sign_in(page, server.url, "bang@example.com", PASSWORD, "/editor/articles/new")
    open_editor(page, f"{server.url}/editor/articles/new")
    page.fill("#title", "Lịch trực tuần này")
    page.select_option("#category_id", str(category_id))
    page.check("input[name=status][value=published]")
    return server, page, problems


def stored(server) -> Article:
    with live_app_context(server):
        article = db.session.scalars(sa.select(Article)).one()
        db.session.expunge(article)
        return article


def test_tables_from_the_toolbar(writer):
    server, page, problems = writer
    page.locator(".editor-content").click()
    page.keyboard.type("Lịch trực của cơ quan:")
    tools = page.locator("[data-table-tools]")
    assert tools.is_hidden()  # shown only inside a table
    page.locator("[data-cmd=table]").click()
    tools.wait_for()
    assert page.locator("[data-cmd=toggleHeaderRow]").get_attribute("aria-pressed") == "true"
    for text in ["Ngày", "Buổi", "Người trực", "Thứ Hai", "Sáng", "Ông Khải"]:
        page.keyboard.type(text)
        page.keyboard.press("Tab")
    page.keyboard.type("Thứ Ba")
    page.locator("[data-cmd=addRowAfter]").click()
    # Two cells of the last row selected with a shift-click, then merged.
    cells = page.locator(".editor-content table tr").nth(3).locator("td")
    cells.nth(1).click()
    cells.nth(2).click(modifiers=["Shift"])
    page.locator("[data-cmd=mergeCells]").click()
    page.keyboard.type("Cả ngày: bà Hạnh")
    assert page.locator(".editor-content td[colspan='2']").count() == 1
    # A column added after the first one, then deleted from inside it.
    page.locator(".editor-content table tr").nth(1).locator("td").first.click()
    page.locator("[data-cmd=addColumnAfter]").click()
    assert page.locator(".editor-content table tr").first.locator("th").count() == 4
    page.locator(".editor-content table tr").nth(1).locator("td").nth(1).click()
    page.locator("[data-cmd=deleteColumn]").click()
    assert page.locator(".editor-content table tr").first.locator("th").count() == 3

    body = body_html(page)
    assert body.startswith(
        "<p>Lịch trực của cơ quan:</p><table><thead><tr><th><p>Ngày</p></th>"
        "<th><p>Buổi</p></th><th><p>Người trực</p></th></tr></thead><tbody>"
    ), body
    assert '<td colspan="2"><p>Cả ngày: bà Hạnh</p></td>' in body
    assert "style" not in body and "colgroup" not in body

    # Header row off: no thead; on again: back.
    page.locator(".editor-content table td").first.click()
    page.locator("[data-cmd=toggleHeaderRow]").click()
    assert "<thead>" not in body_html(page)
    page.locator("[data-cmd=toggleHeaderRow]").click()
    assert body_html(page) == body

    # Leaving the table hides its tools.
    page.locator(".editor-content > p").first.click()
    tools.wait_for(state="hidden")

    with page.expect_navigation():
        page.locator("#save-button").click()
    assert "Đã lưu và đăng bài." in page.locator(".ed-flashes").inner_text()
    article = stored(server)
    assert article.body == body
    assert body_html(page) == body

    page.goto(f"{server.url}/article/{article.id}/{article.slug}")
    table = page.locator(".article-body table")
    assert table.locator("thead th").count() == 3
    assert table.locator("tbody tr").count() == 3
    page.set_viewport_size({"width": 360, "height": 800})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    assert not problems, problems


def test_attachment_from_the_toolbar(writer, tmp_path):
    from tests.test_attachments import make_pdf

    server, page, problems = writer
    pdf = make_pdf("Quyet dinh so 15")
    path = tmp_path / "Quyết định số 15.pdf"
    path.write_bytes(pdf)
    page.locator(".editor-content").click()
    page.keyboard.type("Văn bản kèm theo:")
    with page.expect_file_chooser() as chooser:
        page.locator("[data-cmd=attachment]").click()
    chooser.value.set_files(str(path))
    block = page.locator(".editor-content .file-attachment")
    block.wait_for()
    assert block.locator("a").inner_text() == "Quyết định số 15.pdf"
    assert block.locator(".file-meta").inner_text() == "PDF, 1 KB"
    assert "Đã chèn tệp đính kèm." in page.locator("#upload-status").inner_text()

    # A file of another kind is refused before any upload.
    other = tmp_path / "ghi-chu.txt"
    other.write_text("không phải văn bản")
    with page.expect_file_chooser() as chooser:
        page.locator("[data-cmd=attachment]").click()
    chooser.value.set_files(str(other))
    assert "Chỉ đính kèm được tệp PDF" in page.locator("#upload-status").inner_text()

    body = body_html(page)
    assert re.fullmatch(
        r'<p>Văn bản kèm theo:</p><div class="file-attachment">'
        r'<a href="/uploads/files/\d{4}/\d{2}/[0-9a-f]+\.pdf" data-type="pdf" '
        rf'data-size="{len(pdf)}">Quyết định số 15\.pdf</a>'
        r'<span class="file-meta">PDF, 1 KB</span></div>',
        body,
    ), body
    with page.expect_navigation():
        page.locator("#save-button").click()
    article = stored(server)
    assert article.body == body

    page.goto(f"{server.url}/article/{article.id}/{article.slug}")
    link = page.locator(".article-body .file-attachment a")
    answer = page.request.get(server.url + link.get_attribute("href"))
    assert answer.body() == pdf
    assert "filename*=UTF-8''" in answer.headers["content-disposition"]
    assert not problems, problems


PASTE_HTML = """([html]) => {
  const data = new DataTransfer();
  data.setData("text/html", html);
  data.setData("text/plain", "x");
  document.querySelector(".editor-content").dispatchEvent(new ClipboardEvent("paste", {
    clipboardData: data, bubbles: true, cancelable: true }));
}"""


def test_blocks_pasted_into_an_empty_paragraph_keep_their_kind(writer):
    server, page, problems = writer
    page.locator(".editor-content").click()
    page.evaluate(
        PASTE_HTML,
        ['<p class="text-center">Danh sách hộ được hỗ trợ</p><p>Đoạn thường</p>'],
    )
    assert body_html(page) == (
        '<p class="text-center">Danh sách hộ được hỗ trợ</p><p>Đoạn thường</p>'
    )
    page.keyboard.press("Enter")
    page.evaluate(PASTE_HTML, ["<h3>Tiêu đề dán vào</h3>"])
    assert body_html(page).endswith("<p>Đoạn thường</p><h3>Tiêu đề dán vào</h3>")
    # Into the middle of a sentence, pasted words join the sentence.
    page.keyboard.press("Enter")
    page.keyboard.type("Một hai")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => window.bantinEditor.state.selection.$from.parentOffset === 4")
    page.evaluate(PASTE_HTML, ['<p class="text-right">chen <strong>đậm</strong>,</p>'])
    assert body_html(page).endswith("<p>Một chen <strong>đậm</strong>,hai</p>")
    assert not problems, problems


def test_editor_page_has_no_wcag_violations(live_server_factory, browser):
    """axe-core on the form with every kind of block, the table tools and the link field open."""
    import json
    from pathlib import Path

    from bantin.sanitize import clean_html
    from tests.browser.test_accessibility import axe_violations
    from tests.conftest import Factory

    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "schema"
    server = live_server_factory(workers=1)
    with live_app_context(server):
        user = User(email="a11y@example.com", name="Hà Thị Truy Cập", role=Role.EDITOR)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        body = clean_html((fixtures / "mixed-document.html").read_text(encoding="utf-8"))
        article_id = Factory().article(published=False, body=body).id
    # The strict CSP would block the injected axe script; only this test context bypasses it.
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="vi-VN", bypass_csp=True
    )
    page = context.new_page()
    try:
        sign_in(page, server.url, "a11y@example.com", PASSWORD)
        open_editor(page, f"{server.url}/editor/articles/{article_id}/edit")
        page.locator(".editor-content table td p").first.click()
        page.locator("[data-table-tools]").wait_for()
        page.keyboard.press("Control+k")
        page.locator("#tb-link-url").wait_for()
        violations = axe_violations(page)
        assert violations == [], json.dumps(violations, ensure_ascii=False, indent=1)
    finally:
        context.close()
