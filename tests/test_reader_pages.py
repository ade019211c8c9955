"""Reader pages of issue 12 C: each headline once on the home page, the week's most read in
its sidebar (a cached read, never a write), an article never in its own sidebar, "Tin cùng
chuyên mục" newest first with dates, and the phone menu's markup (no script needed)."""

import contextvars
import re
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bantin import sidebar
from bantin.clock import local_today
from bantin.extensions import db
from bantin.models import ArticleDailyViews

ARTICLE_LINK = re.compile(r'href="(/article/\d+/[^"]+)"')


def html_of(response) -> str:
    assert response.status_code == 200
    return response.get_data(as_text=True)


def section(html: str, start: str, end: str) -> str:
    return html.split(start, 1)[1].split(end, 1)[0]


def main_of(html: str) -> str:
    return section(html, '<main id="main"', "</main>")


def sidebar_of(html: str) -> str:
    return section(html, '<aside class="sidebar"', "</aside>")


@pytest.fixture
def newsroom(factory):
    """Four featured articles and a dozen others over three categories."""
    cats = [factory.category(f"Mục {n}") for n in ("Một", "Hai", "Ba")]
    arts = []
    for i in range(16):
        arts.append(
            factory.article(
                cats[i % 3],
                title=f"Tin thứ {i:02d}",
                age=timedelta(hours=i + 1),
                featured=i in (0, 2, 5, 9),
            )
        )
    return cats, arts


def add_views(article, days_ago: int, views: int) -> None:
    db.session.add(
        ArticleDailyViews(
            article_id=article.id, day=local_today() - timedelta(days=days_ago), views=views
        )
    )
    db.session.commit()


# ---------------------------------------------------------------- home


def test_home_shows_each_headline_once(client, newsroom):
    _, arts = newsroom
    main = main_of(html_of(client.get("/")))
    links = Counter(ARTICLE_LINK.findall(main))
    repeated = {link: n for link, n in links.items() if n > 1}
    assert not repeated, f"headlines repeated on the home page: {repeated}"
    titles = Counter(re.findall(r">(Tin thứ \d+)</a>", main))
    assert titles and max(titles.values()) == 1, titles
    # The featured headline stands once, at the top.
    assert titles["Tin thứ 00"] == 1
    assert main.index("Tin thứ 00") < main.index('id="latest-news-heading"')


def test_home_sidebar_shows_most_read_not_a_second_latest_list(client, newsroom):
    html = html_of(client.get("/"))
    aside = sidebar_of(html)
    assert "Tin mới nhất" not in aside and 'id="latest-heading"' not in aside
    assert "Đọc nhiều trong tuần" in aside
    assert "Tuần này chưa có lượt xem nào." in aside  # no views recorded yet
    # The main column names the newest articles "Tin mới nhất" once.
    assert main_of(html).count("Tin mới nhất") == 1


def test_most_read_sums_the_last_seven_local_days(client, factory, newsroom, app):
    _, arts = newsroom
    add_views(arts[3], 0, 10)
    add_views(arts[3], 6, 15)  # the seventh day back still counts: 25
    add_views(arts[7], 2, 40)
    add_views(arts[7], 7, 500)  # eight days back: outside the week
    add_views(arts[11], 1, 25)  # ties with arts[3]: the newer first
    add_views(arts[12], 8, 900)  # only old views: not listed
    draft = factory.article(title="Bản nháp được xem nhiều", published=False)
    add_views(draft, 0, 1000)
    aside = sidebar_of(html_of(client.get("/")))
    box = section(aside, 'id="most-read-heading"', "</section>")
    listed = re.findall(r">(Tin thứ \d+|Bản nháp[^<]*)</a>\s*<span class=\"meta\">([^<]+)<", box)
    assert listed == [
        ("Tin thứ 07", "40 lượt xem"),
        ("Tin thứ 03", "25 lượt xem"),
        ("Tin thứ 11", "25 lượt xem"),
    ]
    assert box.index("<ol") < box.index("Tin thứ 07")


def _total_changes():
    """SQLite's own count of rows written on this connection; None on PostgreSQL, where the
    statements recorded below are the check (every write goes through the engine)."""
    if db.engine.dialect.name != "sqlite":
        return None
    return db.session.execute(sa.text("SELECT total_changes()")).scalar()


def test_most_read_is_cached_per_content_version_and_never_writes(app, factory, newsroom):
    _, arts = newsroom
    add_views(arts[1], 0, 3)
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    def read(check_no_write: bool = False) -> list[tuple[str, int]]:
        """The sidebar's list as a fresh request sees it (its own app context and `g`)."""

        def run():
            with app.test_request_context("/"):
                changes = _total_changes()
                listed = [(a.title, a.views) for a in sidebar.site_layout().most_read]
                if check_no_write:
                    assert not db.session.new and not db.session.dirty
                    assert _total_changes() == changes
                return listed

        return contextvars.Context().run(run)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert read(check_no_write=True) == [("Tin thứ 01", 3)]
        writes = [s for s in statements if not s.lstrip().upper().startswith(("SELECT", "PRAGMA"))]
        assert not writes, writes
        assert any("article_daily_views" in s for s in statements)

        # Same content version: served from the cache, no query over the daily views.
        add_views(arts[2], 0, 9)  # a view is not a content change
        statements.clear()
        assert read() == [("Tin thứ 01", 3)]
        assert not any("article_daily_views" in s for s in statements)

        # An edit bumps the content version: rebuilt from the daily views.
        arts[5].title = "Tin thứ 05 (sửa)"
        db.session.commit()
        assert read() == [("Tin thứ 02", 9), ("Tin thứ 01", 3)]
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)


# ---------------------------------------------------------------- article


def test_article_never_appears_in_its_own_sidebar(client, newsroom):
    _, arts = newsroom
    for art in (arts[0], arts[4], arts[15]):  # the newest, one in the middle, the oldest
        html = html_of(client.get(f"/article/{art.id}/{art.slug}"))
        own = f"/article/{art.id}/{art.slug}"
        aside = sidebar_of(html)
        latest = section(aside, 'id="latest-heading"', "</section>")
        assert own not in latest, art.title
        # The sidebar still shows ten others.
        assert len(ARTICLE_LINK.findall(latest)) == 10
        related = section(html, 'id="related-heading"', "</section>")
        assert own not in related
        # Only the canonical link in the head names the page itself.
        assert own not in main_of(html).split("</article>", 1)[1]


def test_same_category_reads_newest_first_with_dates(client, factory):
    cat = factory.category("Tin")
    arts = [
        factory.article(cat, title=f"Tin số {i}", age=timedelta(days=20 - i)) for i in range(15)
    ]
    current = arts[7]
    html = html_of(client.get(f"/article/{current.id}/{current.slug}"))
    related = section(html, 'id="related-heading"', "</section>")
    items = re.findall(r'>(Tin số \d+)</a> <span class="meta">\(<time datetime="([^"]+)">', related)
    titles = [title for title, _ in items]
    stamps = [stamp for _, stamp in items]
    assert "Tin số 7" not in titles
    assert len(titles) == 10
    assert stamps == sorted(stamps, reverse=True), "not newest first"
    assert titles == [f"Tin số {i}" for i in (10, 9, 8, 6, 5, 4, 3, 2, 1, 0)]
    assert re.search(r"<time datetime=\"[^\"]+\">\d\d/\d\d/\d{4}</time>", related)


# ---------------------------------------------------------------- header


def test_phone_menu_is_a_checkbox_and_label_without_script(client, newsroom):
    html = html_of(client.get("/"))
    header = section(html, '<header class="site-header">', "</header>")
    toggle = re.search(r"<input [^>]*id=\"menu-toggle\"[^>]*>", header)
    assert toggle and 'type="checkbox"' in toggle[0] and 'aria-controls="main-nav"' in toggle[0]
    assert re.search(r'<label class="menu-button" for="menu-toggle">', header)
    assert '<nav class="main-nav" id="main-nav"' in header
    # The checkbox comes before the menu it opens (the CSS sibling selector needs it).
    assert header.index('id="menu-toggle"') < header.index('id="main-nav"')
    assert "<script" not in header and " onclick" not in header and "style=" not in header


def test_stylesheet_folds_the_menu_on_phones_only(client):
    with client.get("/static/css/site.css") as response:
        css = response.get_data(as_text=True)
    assert ".menu-toggle:checked ~ .main-nav { display: block; }" in css
    assert "@media (min-width: 761px) { .menu-toggle { display: none; } }" in css
