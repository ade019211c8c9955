"""The review, in Chromium against gunicorn (issue 14 §1): a contributor writes and submits,
an editor returns it with a note, the contributor reads the note, changes the article and
submits again, the editor approves it and readers see it; saved once more, it is unchanged."""

import pytest

from bantin.extensions import db
from bantin.models import Category, Role, User
from tests.browser.conftest import (
    body_html,
    open_editor,
    save_article,
    sign_in,
    watch_errors,
)
from tests.conftest import PASSWORD, live_app_context

pytestmark = pytest.mark.browser

TITLE = "Thôn Phú Hòa ra quân làm đường giao thông nông thôn"
NOTE = "Cần ghi rõ chiều dài tuyến đường và số hộ tham gia."
PHONE = {"width": 360, "height": 800}


def _people(server) -> int:
    with live_app_context(server):
        for email, name, role in (
            ("ctv@example.com", "Trần Văn Cộng", Role.CONTRIBUTOR),
            ("btv@example.com", "Lê Thị Duyệt", Role.EDITOR),
        ):
            user = User(email=email, name=name, role=role)
            user.set_password(PASSWORD)
            db.session.add(user)
        category = Category(name="Tin địa phương", slug="tin-dia-phuong")
        db.session.add(category)
        db.session.commit()
        return category.id


def _press(page, selector: str) -> None:
    with page.expect_navigation():
        page.locator(selector).click()


def test_submit_return_resubmit_approve(live_server_factory, browser, page, screenshot_dir):
    server = live_server_factory(workers=1)
    category_id = _people(server)
    problems = watch_errors(page)

    # The contributor writes and submits with a note.
    sign_in(page, server.url, "ctv@example.com", PASSWORD, "/editor/articles/new")
    open_editor(page, f"{server.url}/editor/articles/new")
    assert page.locator("input[name=status][type=radio]").count() == 0
    assert page.locator("#featured").count() == 0
    page.fill("#title", TITLE)
    page.select_option("#category_id", str(category_id))
    page.fill("#lead", "Bà con thôn Phú Hòa góp công làm đường.")
    page.locator(".editor-content").click()
    page.keyboard.type("Sáng chủ nhật, bà con ra quân làm đường.")
    page.fill("#review_note", "Ảnh sẽ gửi sau.")
    _press(page, "#submit-review-button")
    assert "Đã gửi duyệt" in page.locator(".flash, .flashes, [role=status]").first.inner_text()
    edit_url = page.url
    assert page.locator(".review-panel h2").inner_text() == "Bài đang chờ duyệt"
    assert page.locator("#article-form").count() == 0

    # The editor finds it on the dashboard and returns it; a note is required.
    editor_context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    editor = editor_context.new_page()
    editor_problems = watch_errors(editor)
    sign_in(editor, server.url, "btv@example.com", PASSWORD)
    assert editor.locator("#queue-size").inner_text() == "1"
    with editor.expect_navigation():
        editor.locator(".queue-list a", has_text=TITLE).click()
    editor.wait_for_function("() => window.bantinEditor && window.bantinBodyHTML")
    assert "Ảnh sẽ gửi sau." in editor.locator(".review-panel").inner_text()
    _press(editor, ".return-form button")  # no note: refused by the server, said in place
    assert "Hãy ghi rõ tác giả cần sửa gì" in editor.locator("#return-note-error").inner_text()
    editor.wait_for_function("() => window.bantinEditor && window.bantinBodyHTML")
    editor_problems.clear()  # the browser logs that answer's 400
    # The article's form below still shows the article as saved.
    assert editor.locator("#allow_comments").is_checked()
    assert editor.input_value("#title") == TITLE
    editor.screenshot(path=str(screenshot_dir / "review-editor.png"), full_page=True)
    editor.fill("#return-note", NOTE)
    _press(editor, ".return-form button")
    assert "Đã trả lại bài" in editor.content()

    # The contributor reads the note, changes the article, submits again.
    open_editor(page, edit_url)
    assert NOTE in page.locator(".review-returned").inner_text()
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(screenshot_dir / "review-returned-360.png"), full_page=True)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.locator(".editor-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type(" Tuyến đường dài 800 m, 60 hộ tham gia.")
    _press(page, "#submit-review-button")
    assert page.locator(".review-panel h2").inner_text() == "Bài đang chờ duyệt"

    # The editor approves it and readers see it.
    open_editor(editor, edit_url)
    editor.fill("#lead", "Bà con thôn Phú Hòa góp 600 ngày công làm đường.")
    with editor.expect_navigation():
        editor.locator("#approve-button").click()
    editor.wait_for_function("() => window.bantinEditor && window.bantinBodyHTML")
    assert "Đã duyệt bài" in editor.content()
    assert editor.locator(".state-published").count() == 1
    approved_body = body_html(editor)
    assert "60 hộ tham gia" in approved_body
    with editor.expect_popup() as popup:
        editor.locator(".article-meta a", has_text="Xem trên trang").click()
    reader = popup.value
    reader.wait_for_load_state()
    assert reader.locator("h1").inner_text() == TITLE
    assert "600 ngày công" in reader.content() and "60 hộ tham gia" in reader.content()

    # Saved once more by the editor: nothing changes.
    editor.reload()
    editor.wait_for_function("() => window.bantinEditor && window.bantinBodyHTML")
    save_article(editor)
    assert body_html(editor) == approved_body
    assert editor.locator(".state-published").count() == 1

    # The contributor can no longer change the published article.
    page.goto(edit_url)
    assert page.locator("#article-form").count() == 0
    assert page.locator(".review-panel h2").inner_text() == "Bài đã đăng"
    assert problems == [] and editor_problems == []
    editor_context.close()
