"""Images in the TipTap editor: by button, by drag-and-drop, by pasting a file or HTML holding a
data: image; alt text separate from the caption and required to publish unless the image is
marked decorative; a caption typed in place survives save, reload and save."""

import base64
import io
import re
from types import SimpleNamespace

import pytest
import sqlalchemy as sa
from PIL import Image

from bantin.extensions import db
from bantin.models import Article, Category, Role, User
from tests.browser.conftest import body_html, open_editor, save_article, sign_in, watch_errors
from tests.conftest import PASSWORD, live_app_context

pytestmark = pytest.mark.browser

UPLOADED = re.compile(r'<figure><img src="/uploads/\d{4}/\d{2}/[0-9a-f]{16}-\d+\.(jpg|png)"')

# Builds a File from base64 bytes inside the page, for DataTransfer-based events.
MAKE_FILE = """
(b64, name, type) => {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new File([bytes], name, { type });
}
"""


def photo_bytes(colour=(40, 110, 170), size=(900, 600), fmt="JPEG") -> bytes:
    img = Image.new("RGB", size, colour)
    img.paste((230, 200, 60), (100, 200, 500, 400))
    buf = io.BytesIO()
    img.save(buf, fmt)
    return buf.getvalue()


@pytest.fixture
def editor_page(live_server_factory, page):
    server = live_server_factory(workers=1)
    with live_app_context(server):
        user = User(email="anh@example.com", name="Trần Văn Ảnh", role=Role.EDITOR)
        user.set_password(PASSWORD)
        category = Category(name="Tin tức", slug="tin-tuc")
        db.session.add_all([user, category])
        db.session.commit()
        category_id = category.id
    problems = watch_errors(page)
    sign_in(page, server.url, "anh@example.com", PASSWORD, "/editor/articles/new")
    open_editor(page, f"{server.url}/editor/articles/new")
    page.fill("#title", "Ảnh hoạt động tháng Mười Hai")
    page.select_option("#category_id", str(category_id))
    return SimpleNamespace(server=server, page=page, problems=problems)


def figure_count(page) -> int:
    return page.locator(".editor-content figure").count()


def wait_uploaded(page, count: int) -> None:
    page.wait_for_function(
        "(n) => document.querySelectorAll("
        "\".editor-content figure img[src^='/uploads/']\").length === n",
        arg=count,
    )


def stored_article(server) -> Article:
    with live_app_context(server):
        article = db.session.scalars(sa.select(Article)).one()
        db.session.expunge(article)
        return article


def test_images_by_button_drop_and_paste(editor_page, tmp_path):
    page = editor_page.page
    editor = page.locator(".editor-content")
    editor.click()
    page.keyboard.type("Đoạn đầu tiên.")

    # 1. The toolbar button and the file chooser.
    photo = tmp_path / "hoi-nghi.jpg"
    photo.write_bytes(photo_bytes())
    with page.expect_file_chooser() as chooser:
        page.locator("[data-cmd=image]").click()
    chooser.value.set_files(str(photo))
    wait_uploaded(page, 1)

    # 2. A file dropped on the text (a DataTransfer holding a File).
    b64 = base64.b64encode(photo_bytes((120, 40, 40))).decode()
    page.evaluate(
        f"""([b64]) => {{
          const file = ({MAKE_FILE})(b64, "keo-tha.jpg", "image/jpeg");
          const data = new DataTransfer();
          data.items.add(file);
          const target = document.querySelector(".editor-content p");
          const box = target.getBoundingClientRect();
          target.dispatchEvent(new DragEvent("drop", {{
            dataTransfer: data, clientX: box.left + 4, clientY: box.top + 4,
            bubbles: true, cancelable: true }}));
        }}""",
        [b64],
    )
    wait_uploaded(page, 2)

    # 3. A file pasted (a screenshot on the clipboard: no HTML with text).
    png = base64.b64encode(photo_bytes((30, 130, 60), fmt="PNG")).decode()
    editor.locator("p").last.click()
    page.evaluate(
        f"""([b64]) => {{
          const file = ({MAKE_FILE})(b64, "image.png", "image/png");
          const data = new DataTransfer();
          data.items.add(file);
          document.querySelector(".editor-content").dispatchEvent(new ClipboardEvent("paste", {{
            clipboardData: data, bubbles: true, cancelable: true }}));
        }}""",
        [png],
    )
    wait_uploaded(page, 3)

    # 4. Pasted HTML: a data: image is uploaded through the same path; a remote one is
    # dropped with a notice saying so.
    small = base64.b64encode(photo_bytes((200, 100, 20), size=(64, 48), fmt="PNG")).decode()
    html = (
        f'<p>Ảnh dán từ tài liệu: <img src="data:image/png;base64,{small}" alt="Biểu đồ"></p>'
        '<p>Ảnh trên mạng <img src="https://anh.example.com/xa.jpg"></p>'
    )
    page.evaluate(
        """([html]) => {
          const data = new DataTransfer();
          data.setData("text/html", html);
          data.setData("text/plain", "Ảnh dán từ tài liệu");
          document.querySelector(".editor-content").dispatchEvent(new ClipboardEvent("paste", {
            clipboardData: data, bubbles: true, cancelable: true }));
        }""",
        [html],
    )
    wait_uploaded(page, 4)
    assert "data:" not in body_html(page)
    notice = page.locator("#paste-notice")
    assert notice.is_visible()
    assert notice.inner_text() == "Đã bỏ 1 ảnh không chép được; hãy chèn lại bằng nút Chèn ảnh"

    body = body_html(page)
    assert len(UPLOADED.findall(body)) == 4, body
    assert 'alt="Biểu đồ"' in body  # the pasted image kept its description
    assert "anh.example.com" not in body

    save_article(page)
    article = stored_article(editor_page.server)
    assert article.body == body
    assert not editor_page.problems, editor_page.problems


def test_paste_notice_counts_dropped_images(editor_page):
    page = editor_page.page
    page.locator(".editor-content").click()
    html = (
        '<p>Hai ảnh không chép được <img src="file:///C:/Users/a/anh1.jpg">'
        '<img src="https://anh.example.com/xa.jpg"></p>'
    )
    page.evaluate(
        """([html]) => {
          const data = new DataTransfer();
          data.setData("text/html", html);
          data.setData("text/plain", "Hai ảnh không chép được");
          document.querySelector(".editor-content").dispatchEvent(new ClipboardEvent("paste", {
            clipboardData: data, bubbles: true, cancelable: true }));
        }""",
        [html],
    )
    notice = page.locator("#paste-notice")
    assert notice.is_visible()
    assert notice.inner_text() == "Đã bỏ 2 ảnh không chép được; hãy chèn lại bằng nút Chèn ảnh"
    assert notice.get_attribute("role") == "alert"
    assert figure_count(page) == 0
    assert body_html(page) == "<p>Hai ảnh không chép được</p>"


def test_alt_text_is_required_to_publish_unless_decorative(editor_page, tmp_path):
    page = editor_page.page
    page.fill("#lead", "Sa-pô giữ nguyên khi bài bị từ chối.")
    page.locator(".editor-content").click()
    page.keyboard.type("Nội dung có một ảnh.")
    photo = tmp_path / "le-hoi.jpg"
    photo.write_bytes(photo_bytes())
    with page.expect_file_chooser() as chooser:
        page.locator("[data-cmd=image]").click()
    chooser.value.set_files(str(photo))
    wait_uploaded(page, 1)
    figure = page.locator(".editor-content figure")
    assert "is-missing-alt" in figure.get_attribute("class")
    assert figure.locator(".figure-badge").inner_text() == "Chưa có mô tả ảnh"
    figure.locator("figcaption").click()
    page.keyboard.type("Chú thích không thay cho mô tả")

    # Publishing is refused in the page: a message, the alt field focused, nothing lost.
    page.check("input[name=status][value=published]")
    page.locator("#save-button").click()
    alert = page.locator("#body-alert")
    alert.wait_for()
    assert "1 ảnh chưa có mô tả" in alert.inner_text()
    assert page.url.endswith("/editor/articles/new")
    assert page.evaluate("() => document.activeElement.classList.contains('figure-alt')")
    assert page.input_value("#title") == "Ảnh hoạt động tháng Mười Hai"
    assert "Chú thích không thay cho mô tả" in body_html(page)

    # The server refuses it too (the form posted without the page's check): the typed
    # values come back with a message naming the image.
    with page.expect_navigation():
        page.evaluate(
            "() => { document.getElementById('body').value = window.bantinBodyHTML();"
            " HTMLFormElement.prototype.submit.call(document.getElementById('article-form')); }"
        )
    page.wait_for_function("() => window.bantinEditor")
    # Chromium logs the answer's status (400, the form shown again): expected here.
    assert [p for p in editor_page.problems if "status of 400" not in p] == []
    editor_page.problems.clear()
    assert "chưa có mô tả" in page.locator("#body-error").inner_text()
    assert "Chú thích không thay cho mô tả" in page.locator("#body-error").inner_text()
    assert page.input_value("#title") == "Ảnh hoạt động tháng Mười Hai"
    assert page.input_value("#lead") == "Sa-pô giữ nguyên khi bài bị từ chối."
    assert "Chú thích không thay cho mô tả" in body_html(page)
    assert page.is_checked("input[name=status][value=published]")

    # Decorative: alt="" and publishing goes through.
    page.locator(".editor-content figure .figure-decorative input").check()
    page.wait_for_function("() => window.bantinBodyHTML().includes('alt=\"\"')")
    assert page.locator(".editor-content figure .figure-alt").is_disabled()
    save_article(page)
    assert "Đã lưu và đăng bài." in page.locator(".ed-flashes").inner_text()
    article = stored_article(editor_page.server)
    assert 'alt=""' in article.body
    assert "<figcaption>Chú thích không thay cho mô tả</figcaption>" in article.body

    # Described after all: the alt text replaces the decorative mark.
    page.locator(".editor-content figure .figure-decorative input").uncheck()
    page.locator(".editor-content figure .figure-alt").fill("Người dân xem hội chợ")
    save_article(page)
    article = stored_article(editor_page.server)
    assert 'alt="Người dân xem hội chợ"' in article.body
    assert not editor_page.problems, editor_page.problems


def test_caption_edited_in_place_survives_save_reload_save(editor_page, tmp_path):
    page = editor_page.page
    page.locator(".editor-content").click()
    page.keyboard.type("Bài có ảnh và chú thích.")
    photo = tmp_path / "cau.jpg"
    photo.write_bytes(photo_bytes())
    with page.expect_file_chooser() as chooser:
        page.locator("[data-cmd=image]").click()
    chooser.value.set_files(str(photo))
    wait_uploaded(page, 1)
    figure = page.locator(".editor-content figure")
    figure.locator(".figure-alt").fill("Cây cầu mới bắc qua sông")
    figure.locator("figcaption").click()
    page.keyboard.type("Cầu Hòa Phong")
    page.keyboard.press("Enter")  # leaves the caption for a new paragraph below
    page.keyboard.type("Đoạn sau ảnh.")
    first = body_html(page)
    assert "<figcaption>Cầu Hòa Phong</figcaption></figure><p>Đoạn sau ảnh.</p>" in first

    save_article(page)
    assert stored_article(editor_page.server).body == first

    # Edit the caption in place on the reloaded page.
    caption = page.locator(".editor-content figcaption")
    caption.click()
    page.keyboard.press("End")
    page.keyboard.type(" khánh thành")
    page.wait_for_function("() => window.bantinBodyHTML().includes('Phong khánh thành<')")
    # Backspace at the caption's start selects the figure instead of merging it away.
    page.keyboard.press("Home")
    page.keyboard.press("Backspace")
    assert page.evaluate("() => window.bantinEditor.state.selection.node?.type.name") == "figure"
    page.keyboard.press("ArrowDown")
    second = body_html(page)
    assert "<figcaption>Cầu Hòa Phong khánh thành</figcaption>" in second

    save_article(page)
    assert stored_article(editor_page.server).body == second
    assert body_html(page) == second
    save_article(page)
    assert stored_article(editor_page.server).body == second
    assert not editor_page.problems, editor_page.problems


def test_pending_upload_blocks_saving_and_a_failed_one_is_removed(editor_page, tmp_path):
    page = editor_page.page
    page.locator(".editor-content").click()
    page.keyboard.type("Ảnh đang tải.")

    # Hold the upload's answer back: saving now is refused with a message.
    held = []
    page.route("**/editor/uploads", lambda route: held.append(route))
    photo = tmp_path / "cham.jpg"
    photo.write_bytes(photo_bytes())
    with page.expect_file_chooser() as chooser:
        page.locator("[data-cmd=image]").click()
    chooser.value.set_files(str(photo))
    page.locator(".editor-content figure.is-uploading").wait_for()
    assert page.locator(".editor-content .figure-badge").inner_text() == "Đang tải ảnh lên…"
    page.wait_for_function(
        "() => document.getElementById('article-form').classList.contains('is-uploading')"
    )
    page.locator("#save-button").click()
    assert "vẫn đang tải lên" in page.locator("#upload-status").inner_text()
    assert page.url.endswith("/editor/articles/new")
    assert "<figure" not in body_html(page)  # a pending image is never saved
    held[0].continue_()
    page.unroute("**/editor/uploads")
    wait_uploaded(page, 1)

    # A file the server refuses: its placeholder goes and the reason is shown.
    with page.expect_file_chooser() as chooser:
        page.locator("[data-cmd=image]").click()
    chooser.value.set_files(
        {"name": "hong.jpg", "mimeType": "image/jpeg", "buffer": b"not really a picture"}
    )
    status = page.locator("#upload-status")
    page.wait_for_function(
        "() => document.getElementById('upload-status').classList.contains('is-error')"
    )
    assert status.inner_text().startswith("Không tải được ảnh lên.")
    assert len(status.inner_text()) > len("Không tải được ảnh lên. ")  # the server's reason
    assert figure_count(page) == 1
    # Failed uploads answer 400: Chromium logs them.
    assert [p for p in editor_page.problems if "status of 400" not in p] == []
