"""A reader browses home → category → article in real Chromium; the view count goes up."""

import re

import sqlalchemy as sa

from bantin.extensions import db
from bantin.models import Article
from tests.conftest import live_app_context


def test_reader_opens_home_category_and_article(live_server_factory, page, screenshot_dir):
    server = live_server_factory(workers=1)
    with live_app_context(server):
        from bantin import demo

        demo.seed()
        target = db.session.scalars(
            sa.select(Article).where(Article.visible_clause()).order_by(Article.published_at.desc())
        ).first()
        category_name, title, before = target.category.name, target.title, target.view_count

    page.goto(server.url + "/")
    assert page.locator("h2", has_text="Tin mới nhất").is_visible()
    # The demo office's menu holds the categories under "Tin tức": a reader opens it first.
    page.locator("#main-nav .has-sub", has_text="Tin tức").first.hover()
    page.locator(".main-nav").get_by_role("link", name=category_name, exact=True).click()
    page.wait_for_url(re.compile(r"/category/"))
    assert page.locator("h1").inner_text() == category_name
    page.locator(".content").get_by_role("link", name=title, exact=True).first.click()
    page.wait_for_url(re.compile(r"/article/\d+/"))

    assert page.locator("h1").inner_text() == title
    shown = int(page.locator(".byline .views").inner_text().replace(".", ""))
    assert shown == before + 1
    assert page.locator(".article-body figure figcaption").count() >= 1
    assert page.get_by_text("Tin cùng chuyên mục").is_visible()
    page.screenshot(path=str(screenshot_dir / "article.png"), full_page=True)

    page.reload()
    assert int(page.locator(".byline .views").inner_text().replace(".", "")) == before + 2
    with live_app_context(server):
        assert (
            db.session.scalar(sa.select(Article.view_count).where(Article.id == target.id))
            == before + 2
        )


def test_reader_layout_works_at_phone_width(live_server_factory, browser):
    server = live_server_factory(workers=1)
    with live_app_context(server):
        from bantin import demo

        demo.seed()
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(server.url + "/")
    # nothing overflows sideways on a small phone
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    context.close()
