"""An editor signs in, writes an article in Trix (bold, link, uploaded image with a caption),
publishes it, and the reader's page shows all of it. Runs real Chromium against gunicorn."""

import io
import re

import sqlalchemy as sa
from PIL import Image

from bantin.extensions import db
from bantin.models import Article, Category, Role, User
from tests.conftest import PASSWORD, live_app_context

TITLE = "Lịch tiếp công dân tháng Năm"
LINK = "https://example.org/thong-bao-lich-tiep-dan"
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
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    # Sign in through the real form.
    page.goto(f"{server.url}/login?next=/editor/articles/new")
    page.fill("#email", "bientap@example.com")
    page.fill("#password", PASSWORD)
    page.locator("form.login-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/editor/articles/new$"))

    # Trix is up, in Vietnamese.
    editor = page.locator("trix-editor#body-editor")
    editor.wait_for()
    bold_button = page.locator("trix-toolbar .trix-button--icon-bold")
    assert bold_button.get_attribute("title") == "In đậm"

    page.fill("#title", TITLE)
    page.select_option("#category_id", str(category_id))
    page.fill("#lead", "Ủy ban nhân dân xã thông báo lịch tiếp công dân.")

    # Body: a bold word and a link.
    editor.click()
    page.keyboard.type("Bà con lưu ý ")
    bold_button.click()
    page.keyboard.type("quan trọng")
    bold_button.click()
    page.keyboard.type(": xem chi tiết ")
    page.keyboard.type("tại đây")
    # Trix handles typing asynchronously: let it catch up before selecting the words.
    page.wait_for_function("document.getElementById('body').value.includes('tại đây')")
    for _ in range(len("tại đây")):
        page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("Control+k")  # the toolbar's "Liên kết" shortcut
    href_input = page.locator("trix-toolbar input[name=href]")
    href_input.fill(LINK)
    href_input.press("Enter")
    page.keyboard.press("End")
    page.keyboard.press("Enter")

    # An image, through the toolbar's "Chèn ảnh" button and the file chooser.
    with page.expect_file_chooser() as chooser:
        page.locator("trix-toolbar .trix-button--icon-attach").click()
    chooser.value.set_files(str(photo))
    page.locator("trix-editor figure img[src^='/uploads/']").wait_for()
    assert "Đã tải ảnh lên" in page.locator("#upload-status").inner_text()

    # Its caption, typed in the editor.
    page.locator("trix-editor figure").first.click()
    caption = page.locator(
        "trix-editor figcaption textarea.attachment__caption-editor:not(.trix-autoresize-clone)"
    )
    caption.wait_for()
    caption.fill(CAPTION)
    caption.press("Enter")
    page.wait_for_function(
        "document.getElementById('body').value.includes('caption')"
    )  # Trix keeps the caption in the attachment's attributes

    page.check("input[name=status][value=published]")
    page.locator("#body-editor").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "editor.png"), full_page=True)

    page.locator("#save-button").click()
    page.wait_for_url(re.compile(r"/editor/articles/\d+/edit$"))
    assert "Đã lưu và đăng bài." in page.locator(".ed-flashes").inner_text()

    page.goto(f"{server.url}/editor/articles")
    assert page.locator(".article-table").get_by_text(TITLE).is_visible()
    page.screenshot(path=str(screenshot_dir / "editor-articles.png"))

    with live_app_context(server):
        article = db.session.scalars(sa.select(Article)).one()
        article_id, slug, body = article.id, article.slug, article.body
    assert "<strong>quan trọng</strong>" in body
    assert "data-trix" not in body and "class=" not in body
    assert "<figure><img" in body and "<div>" not in body

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
    assert image.get_attribute("alt") == CAPTION
    assert content.locator("figure figcaption").inner_text() == CAPTION
    # The image really loads (served from /uploads with its type).
    assert (
        page.evaluate(
            "() => { const i = document.querySelector('.article-body figure img');"
            " return i.complete && i.naturalWidth; }"
        )
        == 800
    )
    assert not problems, problems
