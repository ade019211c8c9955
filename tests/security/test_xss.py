"""XSS payloads through every input that reaches HTML, checked on the public site, the
editor and the feeds.

Two routes in: data stored directly (what any writer could leave in the database, which
proves the output escaping), and the real forms (comments, every editor form), which
also proves the re-rendered 400 pages escape what was typed.
"""

import xml.etree.ElementTree as ET

import pytest
import sqlalchemy as sa

from bantin import audit
from bantin.extensions import db
from bantin.models import (
    Article,
    ArticleRevision,
    Comment,
    CommentStatus,
    Media,
    SiteSettings,
    WebLink,
)
from bantin.sanitize import clean_html
from tests.security.conftest import build_url, discovered_rules, sign_in
from tests.security.forms import parse_forms, post_forms

PAYLOAD = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>'><svg/onload=alert(3)>"
SHORT = '"><script>alert(4)</script>'
BODY = (
    PAYLOAD
    + '<a href="javascript:alert(5)">lien ket</a><p onclick="alert(6)">doan</p>'
    + '<img src="x" onerror="alert(7)"><iframe src="https://evil.example"></iframe>'
)
# What must never reach a page as markup (the escaped text of the payload is harmless).
DANGEROUS = (
    "<script>alert",
    "<img src=x",
    "<svg/onload",
    'href="javascript:',
    "onclick=",
    'onerror="',
    "<iframe",
)


def assert_no_markup(body: str, where: str) -> None:
    for marker in DANGEROUS:
        assert marker.lower() not in body.lower(), f"{where}: found {marker!r}"


def assert_feed_safe(xml: str, where: str) -> None:
    """The feed parses; no item's description (HTML to feed readers) carries markup.

    Titles and the channel's description are plain text to readers; XML escaping suffices.
    """
    root = ET.fromstring(xml.encode("utf-8"))
    for item in root.iter("item"):
        text = (item.findtext("description") or "").lower()
        for marker in ("<script", "<img", "<svg", "<iframe", 'href="javascript:'):
            assert marker not in text, f"{where}: item description has {marker!r}"


def editor_pages(client, objects) -> list[str]:
    urls = []
    for rule in discovered_rules():
        if rule.endpoint.startswith("editor.") and "GET" in rule.methods:
            urls.append(build_url(rule, objects))
    urls += [f"/editor/comments?status={s}" for s in ("pending", "approved", "spam", "trash")]
    return urls


def public_pages(objects) -> list[str]:
    article, category = objects["article"], objects["category"]
    return [
        "/",
        f"/category/{category.slug}",
        f"/article/{article.id}/{article.slug}",
        "/search?q=script",
        "/search?q=alert",
        "/search?" + "q=" + PAYLOAD.replace("&", "%26").replace("#", "%23"),
        "/login?next=" + SHORT.replace("#", "%23"),
        "/robots.txt",
    ]


def feeds(objects) -> list[str]:
    return ["/feed.xml", f"/category/{objects['category'].slug}/feed.xml", "/sitemap.xml"]


def check_everything(client, objects, admin) -> int:
    db.session.expire_all()  # the forms may have renamed things (slugs follow names)
    checked = 0
    for url in public_pages(objects):
        response = client.get(url, buffered=True)
        assert response.status_code < 500, url
        assert_no_markup(response.get_data(as_text=True), url)
        checked += 1
    for url in feeds(objects):
        response = client.get(url, buffered=True)
        assert response.status_code == 200, url
        assert_feed_safe(response.get_data(as_text=True), url)
        checked += 1
    sign_in(client, admin)
    for url in editor_pages(client, objects):
        response = client.get(url, buffered=True)
        assert response.status_code < 500, url
        if response.mimetype == "text/html":
            assert_no_markup(response.get_data(as_text=True), url)
            checked += 1
    with client.session_transaction() as session:
        session.clear()
    return checked


@pytest.fixture
def poisoned(app, objects, admin, factory):
    """Every stored text a page shows, set to the payload, as if written by any path."""
    article: Article = objects["article"]
    article.title = PAYLOAD
    article.author_name = PAYLOAD[:120]
    article.lead = PAYLOAD
    article.body = clean_html(BODY)  # every writer stores the sanitised copy
    article.cover_url = SHORT
    category = objects["category"]
    category.name = PAYLOAD[:120]
    category.description = PAYLOAD
    link = db.session.get(WebLink, objects["link_id"])
    link.title = PAYLOAD
    link.url = "https://example.org/" + SHORT
    settings = SiteSettings.get()
    for name in (
        "site_name",
        "tagline",
        "owner",
        "managing_body",
        "address",
        "phone",
        "email",
        "credit_line",
    ):
        setattr(settings, name, PAYLOAD)
    settings.logo_url = SHORT
    admin.name = PAYLOAD
    editor = factory.user("editor", name=PAYLOAD)
    revision = db.session.get(ArticleRevision, objects["revision_id"])
    revision.title = PAYLOAD
    revision.note = PAYLOAD[:200]
    media = db.session.get(Media, objects["media_id"])
    media.original_name = PAYLOAD
    for status in (CommentStatus.APPROVED, CommentStatus.PENDING, CommentStatus.SPAM):
        db.session.add(
            Comment(
                article_id=article.id,
                name=PAYLOAD[:100],
                address=PAYLOAD,
                email="reader@example.com",
                content=PAYLOAD,
                status=status,
                reason=PAYLOAD[:100],
                user_agent=PAYLOAD,
                ip="203.0.113.9",
            )
        )
    article.comment_count = 1
    audit.record("article.edit", "article", article.id, PAYLOAD)
    db.session.commit()
    return {"editor": editor}


def test_stored_payloads_are_escaped_everywhere(client, objects, admin, poisoned):
    assert check_everything(client, objects, admin) > 20


def test_sanitizer_strips_script_from_bodies():
    cleaned = clean_html(BODY)
    assert_no_markup(cleaned, "clean_html")


def _fill(form, value: str) -> dict[str, str]:
    data = form.data()
    for name, kind in form.types.items():
        if kind in ("text", "textarea", "search", "url", "email", "tel"):
            data[name] = value
    return data


SKIP_FORMS = ("password", "delete", "disable", "enable", "restore", "move", "bulk", "logout")


def test_payloads_through_every_editor_form(client, objects, admin):
    """Type the payload into every text field of every editor form; saved or refused, the
    answer and every page afterwards show it as text."""
    sign_in(client, admin)
    submitted = 0
    for url in editor_pages(client, objects):
        page = client.get(url, buffered=True)
        if page.status_code != 200 or page.mimetype != "text/html":
            continue
        for form in post_forms(page.get_data(as_text=True)):
            action = form.action or url
            if any(word in action for word in SKIP_FORMS) or not any(
                kind in ("text", "textarea") for kind in form.types.values()
            ):
                continue
            for value in (PAYLOAD[:100], SHORT):
                response = client.post(action.split("#")[0], data=_fill(form, value))
                assert response.status_code < 500, action
                assert_no_markup(response.get_data(as_text=True), f"POST {action}")
                submitted += 1
    assert submitted >= 6
    # A link's address must be http(s): a javascript: URL is refused by the form.
    refused = client.post(
        "/editor/links/new", data={"title": "Liên kết", "url": "javascript:alert(1)"}
    )
    assert refused.status_code == 400
    assert check_everything(client, objects, admin) > 20


def test_payloads_through_the_comment_form(client, objects, admin):
    article = objects["article"]
    page = client.get(f"/article/{article.id}/{article.slug}")
    forms = [f for f in parse_forms(page.get_data(as_text=True)) if "comments" in f.action]
    assert forms, "the article page has no comment form"
    data = forms[0].data(
        name=PAYLOAD[:100], address=PAYLOAD[:200], content=PAYLOAD, captcha="TEST1", email=""
    )
    response = client.post(forms[0].action.split("#")[0], data=data)
    assert response.status_code in (303, 400)
    assert_no_markup(response.get_data(as_text=True), "comment POST")
    stored = db.session.scalars(sa.select(Comment).where(Comment.content == PAYLOAD)).all()
    assert stored, "the comment was not stored"
    for comment in stored:
        comment.status = CommentStatus.APPROVED
    db.session.commit()
    # A refused comment re-renders the typed values: escaped too.
    bad = client.post(forms[0].action.split("#")[0], data={**data, "captcha": "WRONG"})
    assert bad.status_code == 400
    assert_no_markup(bad.get_data(as_text=True), "refused comment")
    assert check_everything(client, objects, admin) > 20
