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

    page.check("input[name=status][value=published]")
    page.locator("#body-editor").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "editor.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(screenshot_dir / "editor-1366.png"))
    page.set_viewport_size({"width": 360, "height": 800})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    page.locator(".editor-toolbar").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "editor-360.png"))
    page.set_viewport_size({"width": 1280, "height": 900})

    sent = body_html(page)
    with page.expect_navigation():
        page.locator("#save-button").click()
    assert re.search(r"/editor/articles/\d+/edit$", page.url)
    assert "Đã lưu và đăng bài." in page.locator(".ed-flashes").inner_text()

    page.goto(f"{server.url}/editor/articles")
    assert page.get_by_text(TITLE).first.is_visible()
    page.screenshot(path=str(screenshot_dir / "editor-articles.png"))

    with live_app_context(server):
        article = db.session.scalars(sa.select(Article)).one()
        article_id, slug, body = article.id, article.slug, article.body
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
