"""Every body of a corpus survives the editor: load, save, reload, save, byte for byte.

The corpus: every demo article (as `seed-demo` writes it) and one fixture per element of the
document schema (tests/fixtures/schema/*.html, docs/editor-schema.md). Each body is cleaned by
the server and stored on a fresh article; the test opens it in the TipTap editor, checks that the
editor's serialisation (`bantinBodyHTML()`) is the stored HTML, saves without touching anything,
checks the stored HTML is unchanged, and does it all once more from the reloaded page.

One live server and one signed-in page serve the whole module (the corpus is large).
"""

from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from bantin import demo_content
from bantin.demo import _body_html
from bantin.extensions import db
from bantin.models import Article, Category, Role, User
from bantin.sanitize import clean_html
from tests.browser.conftest import body_html, open_editor, save_article, sign_in, watch_errors
from tests.conftest import PASSWORD, Factory, LiveServer, live_app_context

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "schema"
DEMO_IMAGE = "/uploads/2026/01/0123456789abcdef-800.jpg"


def corpus() -> list:
    items = [
        pytest.param(_body_html(article, DEMO_IMAGE), id=f"demo-{index}")
        for index, article in enumerate(demo_content.ARTICLES)
    ]
    items += [
        pytest.param(path.read_text(encoding="utf-8"), id=path.stem)
        for path in sorted(FIXTURES.glob("*.html"))
    ]
    return items


@pytest.fixture(scope="module")
def site(tmp_path_factory, migrated_db, browser):
    server = LiveServer(tmp_path_factory.mktemp("roundtrip"), migrated_db, workers=1).start()
    try:
        with live_app_context(server):
            user = User(email="bientap@example.com", name="Biên Tập", role=Role.EDITOR)
            user.set_password(PASSWORD)
            category = Category(name="Thông báo", slug="thong-bao")
            db.session.add_all([user, category])
            db.session.commit()
            category_id = category.id
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        page = context.new_page()
        page.set_default_timeout(15_000)
        problems = watch_errors(page, ignore_missing_uploads=True)
        sign_in(page, server.url, "bientap@example.com", PASSWORD)
        yield SimpleNamespace(server=server, page=page, category_id=category_id, problems=problems)
        context.close()
    finally:
        server.stop()


def stored_body(server, article_id: int) -> str:
    with live_app_context(server):
        return db.session.scalar(sa.select(Article.body).where(Article.id == article_id))


@pytest.mark.parametrize("raw", corpus())
def test_body_survives_two_saves(site, raw):
    expected = clean_html(raw)
    assert expected, "a corpus item must not clean to nothing"
    with live_app_context(site.server):
        category = db.session.get(Category, site.category_id)
        article = Factory().article(category=category, published=False, body=expected)
        article_id = article.id
    page = site.page
    site.problems.clear()

    open_editor(page, f"{site.server.url}/editor/articles/{article_id}/edit")
    assert body_html(page) == expected

    for attempt in (1, 2):
        save_article(page)
        assert page.locator(".ed-flashes").inner_text().strip().startswith("Đã lưu"), attempt
        assert stored_body(site.server, article_id) == expected, f"save {attempt}"
        # The page after the save is a fresh load of the stored body.
        assert body_html(page) == expected, f"reload {attempt}"

    assert not site.problems, site.problems
