"""RSS feeds, the sitemap and robots.txt: valid XML, absolute URLs, only visible articles."""

import re
import xml.etree.ElementTree as ET
from datetime import UTC, timedelta
from email.utils import parsedate_to_datetime

import pytest

from bantin.clock import utcnow
from bantin.models import ArticleStatus

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
ARTICLE_URL = re.compile(r"^http://localhost/article/(\d+)/[a-z0-9-]+$")


@pytest.fixture
def content(factory):
    factory.settings(site_name="Cổng thông tin xã Thử & Nghiệm", tagline="Tin <của> xã")
    news = factory.category("Tin tức", description="Tin trong xã")
    notices = factory.category("Thông báo")
    visible = [
        factory.article(news, title=f"Tin số {i}", lead=f"Mở đầu {i}", age=timedelta(hours=i + 1))
        for i in range(3)
    ]
    visible.append(
        factory.article(
            notices,
            title="Lịch trực & <tết>",
            lead="Tóm tắt \x0b thông báo",
            age=timedelta(minutes=30),
        )
    )
    hidden = [
        factory.article(news, title="Bản nháp", published=False),
        factory.article(news, title="Hẹn giờ", age=-timedelta(days=1)),
        factory.article(news, title="Đã xóa", status=ArticleStatus.DELETED),
    ]
    return {"news": news, "notices": notices, "visible": visible, "hidden": hidden}


def parse_rss(response):
    assert response.status_code == 200
    assert response.mimetype == "application/rss+xml"
    root = ET.fromstring(response.data)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None
    return channel


def item_ids(channel):
    ids = []
    for item in channel.findall("item"):
        for tag in ("title", "link", "guid", "pubDate", "description"):
            assert item.find(tag) is not None and item.find(tag).text, tag
        link = item.find("link").text
        match = ARTICLE_URL.match(link)
        assert match, link
        assert item.find("guid").text == link
        assert item.find("guid").get("isPermaLink") == "true"
        ids.append(int(match.group(1)))
    return ids


def test_site_feed_has_required_elements_and_only_visible_articles(client, content):
    channel = parse_rss(client.get("/feed.xml"))
    # Text readers may render as HTML arrives escaped for HTML (see test_feed_validity).
    assert channel.find("title").text == "Cổng thông tin xã Thử &amp; Nghiệm"
    assert channel.find("link").text == "http://localhost/"
    assert channel.find("description").text == "Tin &lt;của&gt; xã"
    assert channel.find("language").text == "vi"
    parsedate_to_datetime(channel.find("lastBuildDate").text)
    ids = item_ids(channel)
    # newest first: the notice (30 min old), then Tin số 0, 1, 2
    assert ids == [content["visible"][3].id] + [a.id for a in content["visible"][:3]]
    for art in content["hidden"]:
        assert art.id not in ids


def test_feed_item_values(client, content):
    channel = parse_rss(client.get("/feed.xml"))
    item = channel.find("item")
    art = content["visible"][3]
    assert item.find("title").text == "Lịch trực &amp; &lt;tết&gt;"
    assert item.find("description").text == "Tóm tắt  thông báo"  # \x0b cannot be in XML
    assert item.find("category").text == "Thông báo"
    pub = item.find("pubDate").text
    assert re.fullmatch(r"[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT", pub)
    assert parsedate_to_datetime(pub) == art.published_at.replace(microsecond=0, tzinfo=UTC)


def test_feed_holds_latest_20(client, factory):
    cat = factory.category()
    arts = [factory.article(cat, age=timedelta(hours=i + 1)) for i in range(25)]
    ids = item_ids(parse_rss(client.get("/feed.xml")))
    assert ids == [a.id for a in arts[:20]]


def test_scheduled_article_enters_feed_when_due(client, factory, app):
    now = utcnow()
    app.config["CLOCK"] = lambda: now
    art = factory.article(title="Sắp đăng", age=-timedelta(hours=2))
    assert art.id not in item_ids(parse_rss(client.get("/feed.xml")))
    app.config["CLOCK"] = lambda: now + timedelta(hours=3)
    assert art.id in item_ids(parse_rss(client.get("/feed.xml")))


def test_category_feed(client, content):
    channel = parse_rss(client.get("/category/thong-bao/feed.xml"))
    assert channel.find("title").text.startswith("Thông báo")
    assert channel.find("link").text == "http://localhost/category/thong-bao"
    assert item_ids(channel) == [content["visible"][3].id]
    news = item_ids(parse_rss(client.get("/category/tin-tuc/feed.xml")))
    assert news == [a.id for a in content["visible"][:3]]
    assert client.get("/category/khong-co/feed.xml").status_code == 404


def test_empty_feed_is_valid(client):
    channel = parse_rss(client.get("/feed.xml"))
    assert channel.findall("item") == []


def sitemap_urls(response):
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.get_data())
    assert root.tag == f"{SM}urlset"
    urls = {}
    for url in root.findall(f"{SM}url"):
        loc = url.find(f"{SM}loc").text
        lastmod = url.find(f"{SM}lastmod")
        urls[loc] = lastmod.text if lastmod is not None else None
    return urls


def test_sitemap_lists_home_categories_and_visible_articles(client, content):
    urls = sitemap_urls(client.get("/sitemap.xml"))
    assert "http://localhost/" in urls
    assert "http://localhost/category/tin-tuc" in urls
    assert "http://localhost/category/thong-bao" in urls
    articles = {int(ARTICLE_URL.match(u).group(1)) for u in urls if ARTICLE_URL.match(u)}
    assert articles == {a.id for a in content["visible"]}
    for loc, lastmod in urls.items():
        assert loc.startswith("http://localhost/")
        if "/article/" in loc:
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", lastmod)
    newest = content["visible"][3]
    assert urls["http://localhost/"] == newest.published_at.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def test_sitemap_lastmod_follows_edits(client, factory):
    art = factory.article(title="Sửa sau khi đăng", age=timedelta(days=2))
    art.updated_at = art.published_at + timedelta(days=1)
    from bantin.extensions import db

    db.session.commit()
    urls = sitemap_urls(client.get("/sitemap.xml"))
    loc = f"http://localhost/article/{art.id}/sua-sau-khi-dang"
    assert urls[loc] == art.updated_at.strftime("%Y-%m-%dT%H:%M:%S+00:00")


def test_large_sitemap_becomes_an_index(app, client, factory):
    app.config["SITEMAP_MAX_URLS"] = 4
    cat = factory.category("Một")
    arts = [factory.article(cat, age=timedelta(hours=i + 1)) for i in range(9)]
    factory.article(cat, title="Nháp", published=False)
    response = client.get("/sitemap.xml")
    root = ET.fromstring(response.get_data())
    assert root.tag == f"{SM}sitemapindex"
    locs = [s.find(f"{SM}loc").text for s in root.findall(f"{SM}sitemap")]
    # Part 0: home and categories; 1-3: the articles; 4: the portal's lists and pages.
    assert locs == [f"http://localhost/sitemap-{n}.xml" for n in range(5)]
    seen: list[str] = []
    for loc in locs:
        part = sitemap_urls(client.get(loc.removeprefix("http://localhost")))
        assert len(part) <= 4
        seen.extend(part)
    assert "http://localhost/" in seen and "http://localhost/category/mot" in seen
    ids = sorted(int(ARTICLE_URL.match(u).group(1)) for u in seen if ARTICLE_URL.match(u))
    assert ids == sorted(a.id for a in arts)
    assert "http://localhost/documents" in seen and "http://localhost/schedule" in seen
    assert client.get("/sitemap-5.xml").status_code == 404


def test_robots_txt(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert "User-agent: *" in lines
    assert "Disallow: /editor/" in lines
    assert "Disallow: /login" in lines
    assert "Sitemap: http://localhost/sitemap.xml" in lines
