"""Never lose work: autosave to the server (the 30 s tick through its test hook, and a beacon
when the page is left), recovery when the article is opened again ("Khôi phục", "Bỏ qua"),
and this browser's copies keyed by user and forgotten at sign-out."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from bantin.clock import utcnow
from bantin.extensions import db
from bantin.models import Article, ArticleAutosave, Category, Role, User
from tests.browser.conftest import body_html, open_editor, save_article, sign_in, watch_errors
from tests.conftest import PASSWORD, Factory, live_app_context

pytestmark = pytest.mark.browser

BODY = "<p>Nội dung đã lưu của bài.</p>"


@pytest.fixture
def site(live_server_factory, page):
    server = live_server_factory(workers=1)
    with live_app_context(server):
        user = User(email="tuluu@example.com", name="Đỗ Văn Lưu", role=Role.EDITOR)
        user.set_password(PASSWORD)
        category = Category(name="Tin tức", slug="tin-tuc")
        db.session.add_all([user, category])
        db.session.commit()
        ids = []
        for n in range(3):
            article = Factory().article(
                category=category,
                title=f"Bài số {n + 1}",
                published=False,
                body=BODY,
                age=timedelta(hours=2),
            )
            ids.append(article.id)
        user_id = user.id
    problems = watch_errors(page)
    # Leaving a page with changes asks first (beforeunload): these tests mean to leave.
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, server.url, "tuluu@example.com", PASSWORD)
    return SimpleNamespace(server=server, page=page, ids=ids, user_id=user_id, problems=problems)


def edit_url(site, article_id) -> str:
    return f"{site.server.url}/editor/articles/{article_id}/edit"


def autosave_row(site, article_id) -> ArticleAutosave | None:
    with live_app_context(site.server):
        row = db.session.scalar(
            sa.select(ArticleAutosave).where(
                ArticleAutosave.user_id == site.user_id,
                ArticleAutosave.article_id == article_id,
            )
        )
        if row is not None:
            db.session.expunge(row)
        return row


def type_changes(page, title: str, words: str) -> None:
    page.fill("#title", title)
    page.locator(".editor-content p").last.click()
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    page.keyboard.type(words)


def test_autosave_then_restore_in_a_new_page(site):
    page = site.page
    article_id = site.ids[0]
    open_editor(page, edit_url(site, article_id))
    assert page.locator("#autosave-restore").count() == 0
    type_changes(page, "Bài số 1 (đang sửa)", "Đoạn viết thêm chưa lưu.")
    typed = body_html(page)

    answer = page.evaluate("() => window.bantinAutosaveNow()")
    assert answer and answer["saved_at_label"]
    status = page.locator("#autosave-status").inner_text()
    assert re.fullmatch(r"Đã tự lưu lúc \S.*", status), status
    row = autosave_row(site, article_id)
    assert row.title == "Bài số 1 (đang sửa)" and row.body == typed

    # The same article in a new tab: the recovery box, then "Khôi phục".
    other = page.context.new_page()
    other_problems = watch_errors(other)
    open_editor(other, edit_url(site, article_id))
    box = other.locator("#autosave-restore")
    assert box.is_visible()
    assert re.match(r"Có bản tự lưu lúc .+ chưa được lưu thành bài", box.inner_text())
    assert other.input_value("#title") == "Bài số 1"
    assert body_html(other) == BODY
    box.get_by_role("button", name="Khôi phục").click()
    assert box.is_hidden()
    assert other.input_value("#title") == "Bài số 1 (đang sửa)"
    assert body_html(other) == typed
    save_article(other)
    assert "Đã lưu" in other.locator(".ed-flashes").inner_text()
    with live_app_context(site.server):
        article = db.session.get(Article, article_id)
        assert (article.title, article.body) == ("Bài số 1 (đang sửa)", typed)
    assert autosave_row(site, article_id) is None  # a real save deletes it
    assert other.locator("#autosave-restore").count() == 0
    other.close()
    assert not other_problems, other_problems
    assert not site.problems, site.problems


def test_discard_the_autosave(site):
    page = site.page
    article_id = site.ids[1]
    open_editor(page, edit_url(site, article_id))
    type_changes(page, "Bài số 2 (nháp)", "Câu sẽ bị bỏ qua.")
    assert page.evaluate("() => window.bantinAutosaveNow()")
    assert autosave_row(site, article_id) is not None

    other = page.context.new_page()
    open_editor(other, edit_url(site, article_id))
    box = other.locator("#autosave-restore")
    box.get_by_role("button", name="Bỏ qua").click()
    box.wait_for(state="hidden")
    assert autosave_row(site, article_id) is None
    assert other.input_value("#title") == "Bài số 2"
    open_editor(other, edit_url(site, article_id))
    assert other.locator("#autosave-restore").count() == 0
    other.close()


def test_leaving_the_page_sends_a_beacon_for_a_new_article(site):
    page = site.page
    open_editor(page, f"{site.server.url}/editor/articles/new")
    page.fill("#title", "Bài mới chưa lưu lần nào")
    page.locator(".editor-content").click()
    page.keyboard.type("Viết xong thì mất điện.")
    page.wait_for_function("() => window.bantinBodyHTML().includes('mất điện')")
    page.goto(f"{site.server.url}/editor/")
    # The beacon leaves with the old page (Playwright does not report it): wait until the
    # server offers the autosave on the new-article form.
    page.wait_for_function(
        """async () => {
          const answer = await fetch("/editor/articles/new");
          return (await answer.text()).includes('id="autosave-restore"');
        }""",
        polling=100,
    )
    with live_app_context(site.server):
        row = db.session.scalar(sa.select(ArticleAutosave).where(ArticleAutosave.slot == "new"))
        assert row.title == "Bài mới chưa lưu lần nào"
        assert row.body == "<p>Viết xong thì mất điện.</p>"
        assert row.saved_at > utcnow() - timedelta(minutes=1)

    open_editor(page, f"{site.server.url}/editor/articles/new")
    page.locator("#autosave-restore").get_by_role("button", name="Khôi phục").click()
    assert page.input_value("#title") == "Bài mới chưa lưu lần nào"
    assert body_html(page) == "<p>Viết xong thì mất điện.</p>"


def test_local_copies_are_keyed_by_user_and_cleared_at_sign_out(site):
    page = site.page
    article_id = site.ids[2]
    # A copy from before drafts were keyed by user is forgotten when the editor opens.
    page.evaluate("() => localStorage.setItem('bantin-draft-new', '{}')")
    open_editor(page, edit_url(site, article_id))
    assert page.evaluate("() => localStorage.getItem('bantin-draft-new')") is None
    type_changes(page, "Bài số 3 (trên máy)", "Chỉ còn trên máy này.")
    key = f"bantin-draft-{site.user_id}-{article_id}"
    page.wait_for_function(f"() => localStorage.getItem('{key}') !== null")
    stored = page.evaluate(f"() => JSON.parse(localStorage.getItem('{key}'))")
    assert stored["title"] == "Bài số 3 (trên máy)"
    assert "Chỉ còn trên máy này." in stored["body"]

    # Reopened in this browser: the local copy is offered as well.
    other = page.context.new_page()
    open_editor(other, edit_url(site, article_id))
    local_box = other.locator("#draft-restore")
    assert local_box.is_visible()
    local_box.get_by_role("button", name="Khôi phục bản chưa lưu").click()
    assert other.input_value("#title") == "Bài số 3 (trên máy)"
    other.close()

    page.evaluate("() => localStorage.setItem('bantin-draft-99-new', '{}')")
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng xuất").click()
    keys = page.evaluate("() => Object.keys(localStorage)")
    assert not [k for k in keys if k.startswith("bantin-draft-")], keys


def test_a_restored_autosave_never_overwrites_a_colleagues_later_save(site):
    """The autosave keeps the version its page was opened with: a colleague who saved the
    article after that page was opened is not overwritten when it is restored and saved."""
    page = site.page
    article_id = site.ids[2]
    open_editor(page, edit_url(site, article_id))  # opened at the stored version
    type_changes(page, "Bài số 3 (bản của tôi)", "Đoạn của tôi, chưa lưu.")
    # Meanwhile a colleague saves the article through the one save path...
    with live_app_context(site.server):
        from bantin import articles as service

        article = db.session.get(Article, article_id)
        colleague = db.session.get(User, site.user_id)
        service.update(
            article,
            colleague,
            {"title": "Bài số 3 (đồng nghiệp sửa)", "body": "<p>Bản của đồng nghiệp.</p>"},
            expected_version=article.version,
        )
        db.session.commit()
    # ...then this page autosaves (newer than their save, based on the older version).
    assert page.evaluate("() => window.bantinAutosaveNow()")
    other = page.context.new_page()
    other_problems = watch_errors(other)
    open_editor(other, edit_url(site, article_id))
    box = other.locator("#autosave-restore")
    assert box.is_visible()
    box.get_by_role("button", name="Khôi phục").click()
    other.locator("#save-button").click()
    other.locator("#conflict").wait_for()
    with live_app_context(site.server):
        article = db.session.get(Article, article_id)
        assert article.title == "Bài số 3 (đồng nghiệp sửa)"  # not overwritten
    assert other.input_value("#title") == "Bài số 3 (bản của tôi)"  # and mine is kept
    other.close()
    # The browser logs the 409 answer itself; nothing else may go wrong.
    assert [p for p in other_problems if "409 (CONFLICT)" not in p] == []
