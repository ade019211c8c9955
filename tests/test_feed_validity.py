"""Every feed parses cleanly with feedparser, and no text in it is live markup.

RSS 2.0 leaves open whether a title is plain text or HTML, and many readers render titles
and categories as HTML. Every text element must therefore decode, as HTML, to exactly the
text the editor typed: escaped once for HTML, then once for XML. feedparser reports a title
it finds HTML-escaped as ``text/html``; plain text without any markup character may stay
``text/plain``.
"""

import html
import xml.etree.ElementTree as ET
from datetime import timedelta

import feedparser
import pytest

from bantin.extensions import db

HOSTILE_TITLE = 'T"><svg onload=alert(1)>'
HOSTILE_CATEGORY = 'C"><img src=x onerror=alert(2)>'
MARKUP = ("<", ">", '"')


def as_text(value: str, kind: str) -> str:
    """What a reader shows for a text construct feedparser found."""
    if kind == "text/html":
        return html.unescape(value)
    assert not any(c in value for c in "<>&"), f"plain text {value!r} carries markup"
    return value


def no_live_markup(value: str) -> None:
    """Rendered as HTML by a careless reader (in an element or an attribute), the value
    creates no element and closes no attribute."""
    assert not any(c in value for c in MARKUP), value


def raw_texts(body: bytes) -> list[str]:
    """Every text element of the feed as an XML parser hands it to a reader."""
    channel = ET.fromstring(body).find("channel")
    texts = [channel.findtext("title"), channel.findtext("description")]
    for item in channel.findall("item"):
        texts += [item.findtext(tag) for tag in ("title", "description", "category")]
    return texts


@pytest.fixture
def hostile(factory):
    factory.settings(site_name='Xã <b>Thử</b> & "Nghiệm"', tagline="Tin <của> xã & thôn")
    evil = factory.category(HOSTILE_CATEGORY, slug="danh-muc-doc", description="<i>mô tả</i>")
    plain = factory.category("Tin tức")
    articles = [
        factory.article(evil, title=HOSTILE_TITLE, lead="<script>alert(3)</script>"),
        factory.article(plain, title="Tom &amp; Jerry", lead="a &lt; b", age=timedelta(hours=2)),
        factory.article(plain, title="Lịch trực & <tết>", lead="", age=timedelta(hours=3)),
        factory.article(plain, title="Đường làng đẹp", age=timedelta(hours=4)),
    ]
    return {"categories": [evil, plain], "articles": articles}


def feed_urls(app) -> list[str]:
    """Every RSS route of the app (new feeds are checked without editing this test)."""
    from bantin.models import Category

    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.endswith("feed.xml") or "GET" not in rule.methods:
            continue
        if not rule.arguments:
            urls.append(rule.rule)
        elif rule.arguments == {"slug"} and rule.endpoint == "public.category_feed":
            for cat in db.session.scalars(db.select(Category)):
                urls.append(rule.rule.replace("<slug>", cat.slug))
        else:  # pragma: no cover - a feed this test does not know how to address yet
            pytest.fail(f"feed route {rule.rule} has arguments this test cannot fill")
    assert urls
    return urls


def parse(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, url
    assert response.mimetype == "application/rss+xml"
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, (url, parsed.get("bozo_exception"))
    assert parsed.version == "rss20", url
    return parsed


def test_every_feed_is_well_formed_rss(app, client, hostile):
    for url in feed_urls(app):
        parsed = parse(client, url)
        assert parsed.feed.link.startswith("http://localhost/")
        for entry in parsed.entries:
            assert entry.link.startswith("http://localhost/article/")
            assert entry.id == entry.link
            assert entry.published_parsed is not None


def test_titles_and_categories_are_text_never_markup(app, client, hostile):
    """The hostile title and category read back exactly, and none of them is live markup."""
    by_title = {a.title: a for a in hostile["articles"]}
    seen = set()
    for url in feed_urls(app):
        for text in raw_texts(client.get(url).data):
            no_live_markup(text)
        parsed = parse(client, url)
        for entry in parsed.entries:
            title = as_text(entry.title, entry.title_detail.type)
            assert title in by_title, (url, entry.title)
            art = by_title[title]
            assert as_text(entry.summary, entry.summary_detail.type) == (art.lead or art.title)
            [tag] = entry.tags
            assert html.unescape(tag.term) == art.category.name
            seen.add(title)
    assert seen == set(by_title)


def test_channel_texts_read_back_exactly(client, hostile):
    parsed = parse(client, "/feed.xml")
    assert as_text(parsed.feed.title, parsed.feed.title_detail.type) == ('Xã <b>Thử</b> & "Nghiệm"')
    assert as_text(parsed.feed.subtitle, parsed.feed.subtitle_detail.type) == (
        "Tin <của> xã & thôn"
    )
    evil = parse(client, "/category/danh-muc-doc/feed.xml")
    title = as_text(evil.feed.title, evil.feed.title_detail.type)
    assert title == f'{HOSTILE_CATEGORY} | Xã <b>Thử</b> & "Nghiệm"'
    assert as_text(evil.feed.subtitle, evil.feed.subtitle_detail.type) == "<i>mô tả</i>"


def test_plain_titles_stay_plain(client, factory):
    """Escaping is needed only for markup characters: ordinary Vietnamese is untouched."""
    factory.article(factory.category("Thời sự"), title="Họp dân thôn Đông")
    parsed = parse(client, "/feed.xml")
    [entry] = parsed.entries
    assert entry.title == "Họp dân thôn Đông"
    assert entry.tags[0].term == "Thời sự"


def test_empty_feed_is_valid(client):
    parsed = parse(client, "/feed.xml")
    assert parsed.entries == []
