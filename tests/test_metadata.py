"""Page metadata, feed discovery, print view, font-size buttons and the language switch."""

import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parent.parent / "static"


class Head(HTMLParser):
    """Collects <html lang>, <title>, <meta> and <link> tags and every <script>."""

    def __init__(self) -> None:
        super().__init__()
        self.lang = None
        self.title = ""
        self.meta: dict[str, str] = {}
        self.links: list[dict] = []
        self.scripts: list[dict] = []
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "title":
            self._in_title = True
        elif tag == "meta":
            key = a.get("property") or a.get("name")
            if key:
                self.meta[key] = a.get("content")
        elif tag == "link":
            self.links.append(a)
        elif tag == "script":
            self.scripts.append(a)

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data

    def link(self, rel, **match):
        for link in self.links:
            if link.get("rel") == rel and all(link.get(k) == v for k, v in match.items()):
                return link
        return None


def head_of(response) -> Head:
    assert response.status_code == 200
    parser = Head()
    parser.feed(response.get_data(as_text=True))
    return parser


@pytest.fixture
def article(factory):
    factory.settings(site_name="Cổng thông tin xã Thử Nghiệm", tagline="Tin tức của xã")
    cat = factory.category("Tin tức", description="Tin trong xã")
    return factory.article(
        cat,
        title="Khánh thành cầu Phú Lộc",
        lead="Cây cầu mới nối hai thôn, rút ngắn đường đến trường.",
        body='<p>Nội dung <a href="https://example.org/x">nguồn</a>.</p>',
        cover_url="/uploads/demo/cau-800.jpg",
        age=timedelta(days=1),
    )


def test_article_metadata(client, article):
    head = head_of(client.get(f"/article/{article.id}/{article.slug}"))
    url = f"http://localhost/article/{article.id}/{article.slug}"
    assert head.lang == "vi"
    assert head.title == "Khánh thành cầu Phú Lộc | Cổng thông tin xã Thử Nghiệm"
    assert head.meta["description"] == article.lead
    assert head.link("canonical")["href"] == url
    assert head.meta["og:type"] == "article"
    assert head.meta["og:title"] == article.title
    assert head.meta["og:description"] == article.lead
    assert head.meta["og:url"] == url
    assert head.meta["og:image"] == "http://localhost/uploads/demo/cau-800.jpg"
    assert head.meta["og:site_name"] == "Cổng thông tin xã Thử Nghiệm"
    assert head.meta["og:locale"] == "vi_VN"
    published = article.published_at.isoformat(timespec="seconds") + "+00:00"
    assert head.meta["article:published_time"] == published
    assert head.meta["twitter:card"] == "summary_large_image"
    assert head.meta["twitter:title"] == article.title
    assert head.meta["twitter:description"] == article.lead
    assert head.meta["twitter:image"] == "http://localhost/uploads/demo/cau-800.jpg"
    feed = head.link("alternate", type="application/rss+xml")
    assert feed["href"] == "http://localhost/feed.xml"


def test_article_without_cover_or_lead(client, factory):
    art = factory.article(title="Thông báo ngắn", lead="", cover_url=None)
    head = head_of(client.get(f"/article/{art.id}/{art.slug}"))
    assert "og:image" not in head.meta
    assert head.meta["twitter:card"] == "summary"
    assert head.meta["description"] == "Thông báo ngắn"


def test_home_and_category_metadata(client, article):
    head = head_of(client.get("/"))
    assert head.lang == "vi"
    assert head.title == "Cổng thông tin xã Thử Nghiệm"
    assert head.meta["description"] == "Tin tức của xã"
    assert head.link("canonical")["href"] == "http://localhost/"
    assert head.meta["og:type"] == "website"
    assert head.meta["og:title"] == "Cổng thông tin xã Thử Nghiệm"
    assert head.meta["twitter:card"] == "summary"
    assert head.link("alternate", type="application/rss+xml")["href"] == "http://localhost/feed.xml"

    head = head_of(client.get("/category/tin-tuc"))
    assert head.meta["description"] == "Tin trong xã"
    assert head.link("canonical")["href"] == "http://localhost/category/tin-tuc"
    feeds = [
        link["href"]
        for link in head.links
        if link.get("rel") == "alternate" and link.get("type") == "application/rss+xml"
    ]
    assert feeds == ["http://localhost/feed.xml", "http://localhost/category/tin-tuc/feed.xml"]


def test_no_inline_scripts_on_reader_pages(client, article):
    for url in ("/", "/category/tin-tuc", f"/article/{article.id}/{article.slug}", "/search?q=cau"):
        html = client.get(url).get_data(as_text=True)
        assert (
            re.findall(r'<script(?![^>]*\ssrc=)(?![^>]*\stype="application/ld\+json")[^>]*>', html)
            == []
        ), url
        assert not re.search(r"\son[a-z]+=", html), url


# ---------------------------------------------------------------- print view


def test_print_link_and_print_only_details(client, article):
    html = client.get(f"/article/{article.id}/{article.slug}").get_data(as_text=True)
    url = f"http://localhost/article/{article.id}/{article.slug}"
    link = re.search(r'<a class="print-link" href="([^"]+)" data-print>([^<]+)</a>', html)
    assert link and link.group(2) == "In bài viết"
    assert link.group(1) == f"{url}?print=1"
    only = re.search(r'<p class="print-only">(.*?)</p>', html, re.S).group(1)
    assert url in only and "Ngày đăng" in only
    assert re.search(r"\d\d:\d\d \| \d\d/\d\d/\d{4}", only)
    assert "print-hint" not in html
    # Without JavaScript the link reloads the page with a hint to use the browser's print.
    html = client.get(f"/article/{article.id}/{article.slug}?print=1").get_data(as_text=True)
    assert 'class="print-hint no-print"' in html and "Ctrl+P" in html


def test_print_stylesheet_present_and_linked(client, article):
    html = client.get(f"/article/{article.id}/{article.slug}").get_data(as_text=True)
    assert '<link rel="stylesheet" href="/static/css/site.css">' in html
    with client.get("/static/css/site.css") as response:
        assert response.status_code == 200
        css = response.get_data(as_text=True)
    block = css[css.index("@media print") :]
    for selector in (".main-nav", ".sidebar", ".comment-form", ".search-form", ".print-link"):
        assert selector in block, selector
    assert re.search(r"\.print-only \{ display: block", block)
    assert re.search(r"^\.print-only \{ display: none; \}", css, re.M)
    assert "attr(href)" in block


# ---------------------------------------------------------------- font size


def test_font_size_buttons_and_script(client, article):
    html = client.get("/").get_data(as_text=True)
    controls = re.search(r'<div class="font-size-controls"[^>]*hidden>(.*?)</div>', html, re.S)
    assert controls, "controls are hidden until the script shows them"
    steps = re.findall(r'data-font-step="(-?\d)">([^<]+)<', controls.group(1))
    assert steps == [("-1", "A−"), ("0", "A"), ("1", "A+")]
    js = (STATIC / "js" / "site.js").read_text()
    assert len(js.encode()) < 3 * 1024
    assert "localStorage" in js and "window.print()" in js
    css = (STATIC / "css" / "site.css").read_text()
    for cls in ("font-step--1", "font-step-1", "font-step-2", "font-step-3"):
        assert f"html.{cls}" in css


# ---------------------------------------------------------------- language switch


def test_language_switch_sets_cookie_and_goes_back(client, article):
    html = client.get("/category/tin-tuc?page=1").get_data(as_text=True)
    assert 'href="/lang/en?next=/category/tin-tuc?page%3D1"' in html
    assert 'href="/lang/vi?next=/category/tin-tuc?page%3D1"' in html
    response = client.get("/lang/en?next=/category/tin-tuc%3Fpage%3D1")
    assert response.status_code == 302
    assert response.headers["Location"] == "/category/tin-tuc?page=1"
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("lang=en;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Max-Age=31536000" in cookie
    head = head_of(client.get("/"))
    assert head.lang == "en"
    assert head.meta["og:locale"] == "en_US"
    client.get("/lang/vi?next=/")
    assert head_of(client.get("/")).lang == "vi"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example",
        "///evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        " //evil.example",
        "https:evil.example",
        "javascript:alert(1)",
        "evil.example",
        "",
    ],
)
def test_language_switch_rejects_external_next(client, target):
    response = client.get("/lang/en", query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert response.headers["Set-Cookie"].startswith("lang=en;")


def test_language_switch_unknown_code(client):
    response = client.get("/lang/fr?next=/")
    assert response.status_code == 404
    assert "Set-Cookie" not in response.headers or "lang=" not in response.headers["Set-Cookie"]
