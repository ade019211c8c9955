"""Discovery for feed readers and search engines: RSS 2.0, sitemap and robots.txt."""

import itertools
import math
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from urllib.parse import urljoin

import sqlalchemy as sa
from flask import (
    Response,
    abort,
    current_app,
    render_template,
    request,
    url_for,
)
from markupsafe import escape
from sqlalchemy.orm import selectinload

from bantin import cache, queries, questions
from bantin.clock import utcnow
from bantin.extensions import db
from bantin.models import Article, Category, OfficialDocument, Page, SiteSettings
from bantin.queries import LISTING_COLUMNS, NEWEST_FIRST
from bantin.search import portal
from blueprints.public.blueprint import bp

FEED_ITEMS = 20
# The sitemap protocol allows 50,000 URLs per file; beyond that /sitemap.xml is an index.
SITEMAP_MAX_URLS = 50_000
SITEMAP_CHUNK = 2_000
FEED_CACHE = "public, max-age=300"

# Characters XML 1.0 forbids even when escaped.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@bp.app_template_filter("xml_safe")
def xml_safe(value: str | None) -> str:
    """Drop characters XML 1.0 cannot carry (autoescape does the rest)."""
    return _XML_INVALID.sub("", value or "")


@bp.app_template_filter("feed_text")
def feed_text(value: str | None) -> str:
    """Plain text for an RSS element that readers may render as HTML (titles, categories,
    descriptions): escaped for HTML here, exactly once; the template's autoescape then
    escapes the result for XML, exactly once.

    RSS 2.0 does not say whether a title is text or HTML, and many readers render it as
    HTML: a title escaped for XML only (``T"><svg onload=…>``) is live markup there.
    Escaped for both, a reader that decodes XML gets HTML that shows the literal title.
    Returns a plain ``str`` (not Markup), so autoescape cannot be skipped.
    """
    return str(escape(xml_safe(value)))


@bp.app_template_filter("absolute_url")
def absolute_url(value: str | None) -> str:
    """A site-relative URL (e.g. a cover image) made absolute for feeds and metadata."""
    if not value:
        return ""
    return urljoin(request.url_root, value)


@bp.app_template_filter("rfc822")
def rfc822(value: datetime | None) -> str:
    """Stored naive UTC -> "Thu, 05 Dec 2024 11:45:00 GMT"."""
    if value is None:
        return ""
    return format_datetime(value.replace(tzinfo=UTC), usegmt=True)


def w3c(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S+00:00") if value else ""


def _feed(title: str, description: str, link: str, articles) -> str:
    settings = SiteSettings.get()
    return render_template(
        "feeds/rss.xml",
        title=title,
        description=description or settings.site_name,
        link=link,
        self_url=request.base_url,
        articles=articles,
        built=articles[0].published_at if articles else utcnow(),
    )


def _feed_response(key: tuple, build) -> Response:
    """The feed XML, cached per content version like the reader pages."""
    body = cache.cached(("feed", *key, request.host_url), build)
    response = Response(body, mimetype="application/rss+xml")
    response.headers["Cache-Control"] = FEED_CACHE
    return response


def _latest(category_id: int | None = None):
    stmt = (
        sa.select(Article)
        .where(Article.visible_clause(utcnow()))
        .options(LISTING_COLUMNS, selectinload(Article.category))
        .order_by(*NEWEST_FIRST)
        .limit(FEED_ITEMS)
    )
    if category_id is not None:
        stmt = stmt.where(Article.category_id == category_id)
    return db.session.scalars(stmt).all()


@bp.get("/feed.xml")
def feed():
    """RSS 2.0: the latest articles of the whole site."""

    def build() -> str:
        settings = SiteSettings.get()
        return _feed(
            settings.site_name,
            settings.tagline,
            url_for("public.home", _external=True),
            _latest(),
        )

    return _feed_response(("site",), build)


@bp.get("/category/<slug>/feed.xml")
def category_feed(slug: str):
    """RSS 2.0: the latest articles of one category."""
    cat = queries.category_by_slug(slug)
    if cat is None:
        abort(404)

    def build() -> str:
        settings = SiteSettings.get()
        return _feed(
            f"{cat.name} | {settings.site_name}",
            cat.description or cat.name,
            url_for("public.category", slug=cat.slug, _external=True),
            _latest(cat.id),
        )

    return _feed_response(("category", cat.id), build)


# ---------------------------------------------------------------- sitemap


def _max_urls() -> int:
    return int(current_app.config.get("SITEMAP_MAX_URLS") or SITEMAP_MAX_URLS)


def _visible_count(now: datetime) -> int:
    stmt = sa.select(sa.func.count()).select_from(Article).where(Article.visible_clause(now))
    return db.session.scalar(stmt) or 0


def _url(loc: str, lastmod: datetime | None) -> str:
    lastmod_tag = f"<lastmod>{w3c(lastmod)}</lastmod>" if lastmod else ""
    return f"<url><loc>{escape(loc)}</loc>{lastmod_tag}</url>\n"


def _site_urls(now: datetime) -> Iterator[str]:
    """Home and every category, each with the time of its newest visible article."""
    newest = dict(
        db.session.execute(
            sa.select(Article.category_id, sa.func.max(Article.published_at))
            .where(Article.visible_clause(now))
            .group_by(Article.category_id)
        ).all()
    )
    yield _url(url_for("public.home", _external=True), max(newest.values(), default=None))
    for cat in db.session.scalars(sa.select(Category).order_by(Category.position, Category.id)):
        yield _url(url_for("public.category", slug=cat.slug, _external=True), newest.get(cat.id))


def _portal_urls() -> list[str]:
    """The portal's lists, every visible page (by its chain of slugs) and every published
    document: an office has hundreds of these, one sitemap part holds them."""
    urls = [
        _url(url_for(endpoint, _external=True), None)
        for endpoint in ("public.documents_list", "public.schedule_page", "public.contacts_page")
    ]
    urls.append(_url(url_for("public.questions", _external=True), None))
    for question_id, updated in questions.sitemap_rows():
        urls.append(
            _url(url_for("public.question", question_id=question_id, _external=True), updated)
        )
    paths = portal.page_paths()
    for page_id, updated in db.session.execute(sa.select(Page.id, Page.updated_at)):
        chain, visible = paths.get(page_id, ([], False))
        if visible:
            loc = url_for("public.site_page", path="/".join(chain), _external=True)
            urls.append(_url(loc, updated))
    documents = db.session.execute(
        sa.select(OfficialDocument.id, OfficialDocument.slug, OfficialDocument.updated_at)
        .where(OfficialDocument.visible_clause())
        .order_by(OfficialDocument.id)
    )
    for doc_id, slug, updated in documents:
        loc = url_for("public.document", document_id=doc_id, slug=slug, _external=True)
        urls.append(_url(loc, updated))
    return urls


def _portal_part(articles: int, per_file: int) -> int:
    """The number of the sitemap part that holds the portal's URLs (after the articles')."""
    return 1 + math.ceil(articles / per_file)


def _article_url_parts() -> tuple[str, str]:
    # url_for per row is slow at 100k rows: build one URL and substitute id and slug.
    pattern = url_for("public.article", article_id=987654321, slug="SLUG", _external=True)
    prefix, _, rest = pattern.partition("987654321")
    return prefix, rest.replace("SLUG", "")


def _article_urls(now: datetime, start_id: int = 0, limit: int | None = None) -> Iterator[str]:
    """Visible articles by id, fetched in chunks of a few columns (never the bodies).

    The generator runs after the view has returned, outside any Flask context, so it uses
    its own connection and only values computed here.
    """
    prefix, middle = _article_url_parts()
    engine = db.engine
    visible = Article.visible_clause(now)

    def generate() -> Iterator[str]:
        remaining = limit
        last_id = start_id - 1
        with engine.connect() as conn:
            while remaining is None or remaining > 0:
                size = SITEMAP_CHUNK if remaining is None else min(SITEMAP_CHUNK, remaining)
                rows = conn.execute(
                    sa.select(Article.id, Article.slug, Article.published_at, Article.updated_at)
                    .where(visible, Article.id > last_id)
                    .order_by(Article.id)
                    .limit(size)
                ).all()
                if not rows:
                    return
                for article_id, slug, published_at, updated_at in rows:
                    lastmod = max(published_at, updated_at) if updated_at else published_at
                    yield _url(f"{prefix}{article_id}{middle}{slug}", lastmod)
                last_id = rows[-1][0]
                if remaining is not None:
                    remaining -= len(rows)

    return generate()


_URLSET_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
)
_URLSET_CLOSE = "</urlset>\n"


def _xml_stream(chunks: Iterable[str]) -> Response:
    response = Response(chunks, mimetype="application/xml")
    response.headers["Cache-Control"] = FEED_CACHE
    return response


@bp.get("/sitemap.xml")
def sitemap():
    """Home, categories, the portal's lists, pages and documents, and every visible article;
    an index of sitemaps when that is too many."""
    now = utcnow()
    total = _visible_count(now)
    categories = db.session.scalar(sa.select(sa.func.count()).select_from(Category)) or 0
    others = _portal_urls()
    per_file = _max_urls()
    if total + categories + 1 + len(others) <= per_file:
        head = [_URLSET_OPEN, *_site_urls(now), *others]
        return _xml_stream(itertools.chain(head, _article_urls(now), [_URLSET_CLOSE]))

    files = _portal_part(total, per_file) + 1
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    ]
    for n in range(files):
        loc = url_for("public.sitemap_part", n=n, _external=True)
        parts.append(f"<sitemap><loc>{escape(loc)}</loc></sitemap>\n")
    parts.append("</sitemapindex>\n")
    response = Response("".join(parts), mimetype="application/xml")
    response.headers["Cache-Control"] = FEED_CACHE
    return response


@bp.get("/sitemap-<int(max=100000):n>.xml")
def sitemap_part(n: int):
    """Part n of a large sitemap: 0 holds home and categories, 1.. the articles by id, the
    last the portal's lists, pages and documents."""
    now = utcnow()
    per_file = _max_urls()
    if n == 0:
        return _xml_stream([_URLSET_OPEN, *_site_urls(now), _URLSET_CLOSE])
    if n == _portal_part(_visible_count(now), per_file):
        return _xml_stream([_URLSET_OPEN, *_portal_urls(), _URLSET_CLOSE])
    first = db.session.scalar(
        sa.select(Article.id)
        .where(Article.visible_clause(now))
        .order_by(Article.id)
        .offset((n - 1) * per_file)
        .limit(1)
    )
    if first is None:
        abort(404)
    articles = _article_urls(now, start_id=first, limit=per_file)
    return _xml_stream(itertools.chain([_URLSET_OPEN], articles, [_URLSET_CLOSE]))


@bp.get("/robots.txt")
def robots():
    """Crawlers: stay out of the editor and sign-in; here is the sitemap."""
    lines = [
        "User-agent: *",
        "Disallow: /editor/",
        "Disallow: /login",
        "",
        f"Sitemap: {url_for('public.sitemap', _external=True)}",
        "",
    ]
    response = Response("\n".join(lines), mimetype="text/plain")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
