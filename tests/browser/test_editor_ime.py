"""Vietnamese typing through an input method (Telex/VNI as Unikey or EVKey send it): the
editor receives IME composition (Chrome DevTools Protocol `Input.imeSetComposition`, then the
committed text with `Input.insertText`), and what is stored is the committed text, in NFC."""

import unicodedata

import pytest
import sqlalchemy as sa

from bantin.extensions import db
from bantin.models import Article, Category, Role, User
from tests.browser.conftest import body_html, open_editor, save_article, sign_in, watch_errors
from tests.conftest import PASSWORD, live_app_context

pytestmark = pytest.mark.browser

# What a Telex user types for each word, as the composition grows, and the committed word.
TELEX = [
    (["V", "Vi", "Vie", "Viê", "Viêt"], "Việt"),
    (["N", "Na", "Nam"], "Nam"),
    (["d", "đ", "đa", "đat"], "đạt"),
    (["c", "ch", "chu", "chuâ", "chuân"], "chuẩn"),
    (["n", "nô", "nôn", "nông"], "nông"),
    (["t", "th", "thô", "thôn"], "thôn"),
    (["m", "mơ", "mơi"], "mới"),
]


def compose(cdp, steps: list[str], word: str) -> None:
    for text in steps:
        cdp.send(
            "Input.imeSetComposition",
            {"text": text, "selectionStart": len(text), "selectionEnd": len(text)},
        )
    cdp.send("Input.insertText", {"text": word})


def test_telex_composition_and_nfd_text_are_stored_as_nfc(live_server_factory, page):
    server = live_server_factory(workers=1)
    with live_app_context(server):
        user = User(email="go@example.com", name="Lê Thị Gõ", role=Role.EDITOR)
        user.set_password(PASSWORD)
        category = Category(name="Tin tức", slug="tin-tuc")
        db.session.add_all([user, category])
        db.session.commit()
        category_id = category.id
    problems = watch_errors(page)
    sign_in(page, server.url, "go@example.com", PASSWORD, "/editor/articles/new")
    open_editor(page, f"{server.url}/editor/articles/new")
    page.fill("#title", "Gõ tiếng Việt")
    page.select_option("#category_id", str(category_id))

    page.locator(".editor-content").click()
    cdp = page.context.new_cdp_session(page)
    for index, (steps, word) in enumerate(TELEX):
        compose(cdp, steps, word)
        if index < len(TELEX) - 1:
            cdp.send("Input.insertText", {"text": " "})
    expected = " ".join(word for _, word in TELEX)
    assert body_html(page) == f"<p>{expected}</p>"

    # Marks work across a composition: bold on, compose a word, bold off.
    page.keyboard.press("Enter")
    page.keyboard.press("Control+b")
    compose(cdp, ["h", "hô", "hôi"], "hội")
    page.keyboard.press("Control+b")
    cdp.send("Input.insertText", {"text": " "})
    compose(cdp, ["n", "ng", "ngh", "nghi"], "nghị")

    # Decomposed text (some older input methods and pasted PDFs send NFD) ends up NFC.
    nfd = unicodedata.normalize("NFD", "Ủy ban Hòa Phong")
    assert nfd != unicodedata.normalize("NFC", nfd)
    page.keyboard.press("Enter")
    cdp.send("Input.insertText", {"text": nfd})

    sent = body_html(page)
    assert sent == unicodedata.normalize("NFC", sent)
    save_article(page)
    with live_app_context(server):
        body = db.session.scalar(sa.select(Article.body))
    assert body == (f"<p>{expected}</p><p><strong>hội</strong> nghị</p><p>Ủy ban Hòa Phong</p>")
    assert body == unicodedata.normalize("NFC", body)
    assert body_html(page) == body  # reloaded unchanged
    assert not problems, problems


def test_composition_events_dispatched_in_the_page(live_server_factory, page):
    """The events themselves (compositionstart/update/end with input events around them, as
    an IME on Windows sends them) leave the committed text and nothing else."""
    server = live_server_factory(workers=1)
    with live_app_context(server):
        user = User(email="vni@example.com", name="Phạm Văn VNI", role=Role.EDITOR)
        user.set_password(PASSWORD)
        db.session.add_all([user, Category(name="Tin tức", slug="tin-tuc")])
        db.session.commit()
    problems = watch_errors(page)
    sign_in(page, server.url, "vni@example.com", PASSWORD, "/editor/articles/new")
    open_editor(page, f"{server.url}/editor/articles/new")
    page.locator(".editor-content").click()
    cdp = page.context.new_cdp_session(page)
    # VNI: "Tie6ng1" → "Tiếng"; the composition is replaced as digits arrive.
    compose(cdp, ["T", "Ti", "Tie", "Tiê", "Tiên", "Tiêng"], "Tiếng")
    cdp.send("Input.insertText", {"text": " "})
    # A composition cancelled midway (Escape in some IMEs) commits nothing.
    cdp.send("Input.imeSetComposition", {"text": "vi", "selectionStart": 2, "selectionEnd": 2})
    cdp.send("Input.imeSetComposition", {"text": "", "selectionStart": 0, "selectionEnd": 0})
    compose(cdp, ["V", "Vi", "Viê", "Viêt"], "Việt")
    page.wait_for_function("() => !window.bantinEditor.view.composing")
    assert body_html(page) == "<p>Tiếng Việt</p>"
    assert not problems, problems
