"""HEAD requests (link checkers, uptime monitors, ``curl -I``) are answered but never counted."""

import pytest

from bantin import counters
from bantin.extensions import db
from bantin.models import Article, ArticleDailyViews, DailyStats


def figures(art) -> tuple[int, int, int, int]:
    """The article's views, its views today, and today's site visits and page views."""
    db.session.expire_all()
    today = counters.local_today()
    daily = db.session.get(ArticleDailyViews, (art.id, today))
    site = db.session.get(DailyStats, today)
    return (
        db.session.get(Article, art.id).view_count,
        daily.views if daily else 0,
        site.visits if site else 0,
        site.page_views if site else 0,
    )


@pytest.fixture
def pages(factory):
    art = factory.article(title="Không đếm HEAD")
    return art, [
        f"/article/{art.id}/{art.slug}",
        "/",
        f"/category/{art.category.slug}",
        "/search?q=dem",
    ]


def test_head_counts_no_view_and_no_visit(app, pages):
    art, urls = pages
    browser = app.test_client()
    for url in urls:
        for _ in range(3):
            response = browser.head(url)
            assert response.status_code == 200, url
            assert response.data == b""
    assert figures(art) == (0, 0, 0, 0)
    # HEAD does not open the visit window either: the first real page is a new visit.
    assert browser.get_cookie(counters.VISIT_COOKIE) is None
    assert browser.get(urls[0]).status_code == 200
    assert figures(art) == (1, 1, 1, 1)


def test_get_still_counts_after_head(app, pages):
    art, urls = pages
    browser = app.test_client()
    for url in urls:
        browser.head(url)
        browser.get(url)
    views, today, visits, page_views = figures(art)
    assert (views, today, visits, page_views) == (1, 1, 1, len(urls))


def test_countable_is_the_one_rule(app):
    for method, agent, expected in (
        ("GET", "Mozilla/5.0 Firefox/128.0", True),
        ("HEAD", "Mozilla/5.0 Firefox/128.0", False),
        ("POST", "Mozilla/5.0 Firefox/128.0", False),
        ("OPTIONS", "Mozilla/5.0 Firefox/128.0", False),
        ("GET", "Googlebot/2.1", False),
    ):
        with app.test_request_context("/", method=method, headers={"User-Agent": agent}):
            from flask import request

            assert counters.countable(request) is expected, (method, agent)
