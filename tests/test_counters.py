"""View and visit counting: exact, per day, bots excluded, cookie-based visits."""

import http.client
import threading
from collections import Counter
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from bantin import counters
from bantin.extensions import db
from bantin.models import Article, ArticleDailyViews, DailyStats
from tests.conftest import live_app_context


def stats(day: date) -> DailyStats | None:
    db.session.expire_all()
    return db.session.get(DailyStats, day)


def test_each_article_view_counts_once_and_shows_new_total(app, client, factory):
    art = factory.article(title="Đếm lượt xem", view_count=10)
    url = f"/article/{art.id}/{art.slug}"
    for expected in (11, 12, 13):
        html = client.get(url).get_data(as_text=True)
        assert f'<strong class="views">{expected}</strong>' in html
    db.session.refresh(art)
    assert art.view_count == 13
    today = counters.local_today()
    daily = db.session.get(ArticleDailyViews, (art.id, today))
    assert daily.views == 3


def test_bots_do_not_count(client, factory):
    art = factory.article(title="Bot không tính")
    for agent in (
        "Googlebot/2.1",
        "Mozilla/5.0 (compatible; bingbot/2.0)",
        "SomeCrawler",
        "a spider",
    ):
        assert (
            client.get(f"/article/{art.id}/{art.slug}", headers={"User-Agent": agent}).status_code
            == 200
        )
    client.get("/", headers={"User-Agent": "Googlebot"})
    db.session.refresh(art)
    assert art.view_count == 0
    assert stats(counters.local_today()) is None


def test_visit_cookie_counts_a_visit_once_per_window(app, factory):
    art = factory.article(title="Lượt truy cập")
    today = counters.local_today()
    browser = app.test_client()
    browser.get("/")
    browser.get(f"/article/{art.id}/{art.slug}")
    browser.get("/")
    row = stats(today)
    assert (row.visits, row.page_views) == (1, 3)
    cookie = browser.get_cookie("visit")
    assert cookie is not None and cookie.http_only
    assert "Max-Age=1800" in browser.get("/").headers["Set-Cookie"]
    # A second browser is a second visit; the expiry of the cookie starts a new one.
    app.test_client().get("/")
    browser.delete_cookie("visit")
    browser.get("/")
    row = stats(today)
    assert (row.visits, row.page_views) == (3, 6)


def test_non_pages_are_not_counted(client, factory):
    client.get("/healthz")
    client.get("/static/css/site.css").close()
    client.get("/khong-co-trang-nay")
    assert stats(counters.local_today()) is None


def test_days_roll_over_at_local_midnight_and_totals_sum(app, factory):
    client = app.test_client()
    # 16:59 UTC is 23:59 in Hanoi; 17:01 UTC is already the next local day.
    moments = [
        datetime(2025, 12, 31, 16, 59),
        datetime(2025, 12, 31, 17, 1),
        datetime(2026, 1, 15, 3, 0),
        datetime(2026, 2, 1, 3, 0),
        datetime(2026, 2, 1, 4, 0),
    ]
    for moment in moments:
        app.config["CLOCK"] = lambda m=moment: m
        client.delete_cookie("visit")
        client.get("/")
    assert stats(date(2025, 12, 31)).visits == 1
    assert stats(date(2026, 1, 1)).visits == 1
    app.config["CLOCK"] = lambda: datetime(2026, 2, 1, 5, 0)
    totals = counters.visit_totals()
    assert totals == counters.VisitTotals(today=2, month=2, year=4, total=5)
    html = client.get("/").get_data(as_text=True)
    assert "Lượt trong năm" in html


@pytest.mark.live
def test_concurrent_views_on_a_live_server_are_exact(live_server_factory):
    """8 concurrent clients x 40 views against 2 gunicorn workers: none lost, none doubled."""
    server = live_server_factory(workers=2)
    with live_app_context(server):
        from tests.conftest import Factory

        art = Factory().article(title="Tin nóng", view_count=0)
        art_id, slug = art.id, art.slug

    results: Counter = Counter()
    lock = threading.Lock()

    def reader():
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        local = Counter()
        for _ in range(40):
            conn.request("GET", f"/article/{art_id}/{slug}", headers={"Cookie": "visit=1"})
            response = conn.getresponse()
            response.read()
            local[response.status] += 1
        conn.close()
        with lock:
            results.update(local)

    threads = [threading.Thread(target=reader) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == Counter({200: 320})
    with live_app_context(server):
        assert db.session.scalar(sa.select(Article.view_count).where(Article.id == art_id)) == 320
        row = db.session.scalars(sa.select(DailyStats)).one()
        assert row.page_views == 320
        assert row.visits == 0  # every request carried a live visit cookie
        assert sum(db.session.scalars(sa.select(ArticleDailyViews.views))) == 320
