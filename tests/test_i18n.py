"""The English catalogue: it covers every UI string, and English pages show no Vietnamese UI.

The msgids are the Vietnamese UI text. Page data here is ASCII-only, so any Vietnamese
letter left in an English page is UI text that escaped translation.
"""

import contextvars
import html
import os
import re
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from bantin.extensions import db
from bantin.models import Comment, CommentStatus, WebLink

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "translations" / "en" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
}
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]")
DATETIME = re.compile(r"\b\d{2}:\d{2} \| \d{2}/\d{2}/\d{4}\b")
# The language switch names each language in itself: the one Vietnamese text an English
# page legitimately shows.
ENDONYMS = ("Tiếng Việt",)
# Document codes are names, the same in both languages (a decision "15/2025/QĐ-UBND", the
# decree "42/2022/NĐ-CP"): an English sentence may quote one.
DOCUMENT_CODES = re.compile(r"\b[\w/]*(?:QĐ|NĐ)-[A-Z]+\b")


def read_catalog():
    with PO.open("rb") as fh:
        return read_po(fh, locale="en")


@pytest.fixture(scope="module", autouse=True)
def compiled_catalog():
    """`make` compiles the .mo (gitignored); compile it here when pytest runs alone."""
    if not MO.exists() or MO.stat().st_mtime < PO.stat().st_mtime:
        tmp = MO.with_name(f".messages.{os.getpid()}.mo")
        with tmp.open("wb") as fh:
            write_mo(fh, read_catalog())
        os.replace(tmp, MO)


@pytest.fixture(scope="module")
def catalog():
    return read_catalog()


def extracted_msgids() -> dict:
    """Run Babel's extraction in-process with the project's babel.cfg."""
    with (ROOT / "babel.cfg").open() as fh:
        method_map, options_map = parse_mapping_cfg(fh, "babel.cfg")
    found: dict = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        found.setdefault((message, context), f"{filename}:{lineno}")
    return found


def vietnamese_letters(text: str) -> bool:
    return any(ch.isalpha() and ord(ch) > 127 for ch in text)


def placeholders(text: str) -> Counter:
    return Counter(PLACEHOLDER.findall(text))


# ---------------------------------------------------------------- the catalogue


def test_every_extracted_msgid_has_an_english_translation(catalog):
    found = extracted_msgids()
    assert len(found) > 100  # the extraction really ran over the sources
    problems = []
    for (msgid, context), where in sorted(found.items(), key=lambda item: item[1]):
        message = catalog.get(msgid, context=context)
        if message is None:
            problems.append(f"{where}: not in the catalogue (run `make translations-extract`)")
            continue
        if message.fuzzy:
            problems.append(f"{where}: fuzzy translation of {msgid!r}")
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        ids = msgid if isinstance(msgid, tuple) else (msgid,)
        for translated in strings:
            if not translated or not translated.strip():
                problems.append(f"{where}: no English for {msgid!r}")
            elif vietnamese_letters(DOCUMENT_CODES.sub("", translated)):
                problems.append(f"{where}: the English for {msgid!r} is still Vietnamese")
            elif placeholders(translated) != placeholders(ids[-1]):
                problems.append(f"{where}: placeholders differ in {msgid!r} -> {translated!r}")
    assert not problems, "\n".join(problems)


def test_catalogue_has_no_fuzzy_header_and_english_plural_rule(catalog):
    assert not catalog.fuzzy
    assert str(catalog.locale) == "en"
    assert catalog.plural_expr == "(n != 1)"


def test_compiled_catalogue_is_what_flask_babel_loads(app):
    from flask_babel import gettext

    def translate(cookie: str | None, msgid: str, **variables) -> str:
        # A fresh context, as for a real request (the test's app context keeps `g`).
        def run():
            headers = {"Cookie": f"lang={cookie}"} if cookie else {}
            with app.app_context(), app.test_request_context("/", headers=headers):
                return gettext(msgid, **variables)

        return contextvars.Context().run(run)

    assert translate("en", "Tin mới nhất") == "Latest news"
    assert translate("en", "Trang %(page)s / %(pages)s", page=2, pages=5) == "Page 2 of 5"
    assert translate(None, "Tin mới nhất") == "Tin mới nhất"


# ---------------------------------------------------------------- English pages


@pytest.fixture
def ascii_site(factory):
    """A site whose every piece of content is ASCII: Vietnamese on a page is UI."""
    factory.settings(
        site_name="Test Portal",
        tagline="News of the test commune",
        owner="Test Commune",
        managing_body="Test Office",
        address="1 Main Road",
        phone="0235 111 222",
        email="office@example.org",
        credit_line="Built with Bantin",
        comments_require_approval=True,
    )
    db.session.add(WebLink(title="Public services", url="https://dvc.example.org", position=1))
    db.session.commit()
    news = factory.category("World News", slug="world-news", description="From everywhere")
    factory.category("Notices", slug="notices")
    story = factory.article(
        news,
        title="Harvest season begins",
        author_name="Minh Tam",
        lead="The rice harvest starts this week.",
        body="<p>Farmers start the harvest.</p><h2>Weather</h2><p>Sunny days ahead.</p>",
        featured=True,
    )
    factory.article(
        news,
        title="Road repairs finished",
        author_name="Thu Ha",
        lead="The road is open again.",
        body="<p>The new road is open.</p>",
    )
    db.session.add(
        Comment(
            article_id=story.id,
            name="Reader One",
            address="Village Two",
            content="Good news for everyone.",
            status=CommentStatus.APPROVED,
            ip="203.0.113.9",
        )
    )
    story.comment_count = 1
    db.session.commit()
    return {"category": news, "article": story}


def page_text(response) -> str:
    """The HTML as the reader gets it, with entities and JSON \\u escapes decoded."""
    text = html.unescape(response.get_data(as_text=True))
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)


def untranslated(text: str, catalog) -> list[str]:
    """Vietnamese msgids (their literal parts) found in the page."""
    left = []
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        for msgid in ids:
            if not msgid or msgid in ENDONYMS:
                continue
            for part in PLACEHOLDER.split(msgid):
                if vietnamese_letters(part) and part.strip() in text:
                    left.append(msgid)
                    break
    return left


def assert_english(response, catalog, status: int = 200) -> str:
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    text = page_text(response)
    assert re.search(r'<html lang="en"', text), "the page does not declare lang=en"
    left = untranslated(text, catalog)
    assert not left, f"Vietnamese UI strings left: {left}"
    # Stricter: nothing Vietnamese at all apart from the language switch's endonyms,
    # which also catches text that never went through gettext.
    stripped = text
    for name in ENDONYMS:
        stripped = stripped.replace(name, "")
    words = sorted({w for w in re.findall(r"\w+", stripped) if vietnamese_letters(w)})
    assert not words, f"Vietnamese words in an English page: {words}"
    return text


@pytest.fixture
def english(client):
    client.set_cookie("lang", "en")
    return client


def test_reader_pages_in_english(english, ascii_site, catalog):
    art = ascii_site["article"]
    home = assert_english(english.get("/"), catalog)
    assert "Latest news" in home and "Featured news" in home and "Visitor statistics" in home

    cat = assert_english(english.get("/category/world-news"), catalog)
    assert "World News" in cat and "Harvest season begins" in cat

    page = assert_english(english.get(f"/article/{art.id}/{art.slug}"), catalog)
    assert 'id="comment-form"' in page, "the article page should show the comment form"
    assert "Readers' comments" in page and "Verification code" in page
    assert "Send comment" in page and "Good news for everyone." in page
    assert DATETIME.search(page), "times keep the HH:mm | dd/MM/yyyy pattern"
    assert 'data-thousands-separator=","' in page

    found = assert_english(english.get("/search?q=harvest"), catalog)
    assert "Harvest season begins" in found and "Articles found for" in found
    nothing = assert_english(english.get("/search?q=zzzqqq"), catalog)
    assert "No articles found for" in nothing
    assert_english(english.get("/search"), catalog)

    login = assert_english(english.get("/login"), catalog)
    assert "Sign in" in login and "Password" in login

    missing = assert_english(english.get("/no-such-page"), catalog, status=404)
    assert "Page not found" in missing


def test_form_errors_in_english(english, ascii_site, factory, catalog):
    art = ascii_site["article"]
    rejected = english.post(
        f"/article/{art.id}/comments",
        data={"name": "", "content": "", "captcha": "WRONG"},
    )
    text = assert_english(rejected, catalog, status=400)
    assert "Please enter your name." in text

    factory.user(role="admin", email="boss@example.com", name="Boss")
    failed = english.post("/login", data={"email": "boss@example.com", "password": "nope"})
    text = assert_english(failed, catalog, status=400)
    assert "Wrong email or password." in text


def test_editor_pages_in_english(english, ascii_site, factory, login, catalog):
    admin = factory.user(role="admin", email="admin@example.com", name="Site Admin")
    login(admin)
    art = ascii_site["article"]
    dashboard = assert_english(english.get("/editor/"), catalog)
    assert "Dashboard" in dashboard and "Most read articles this month" in dashboard
    new = assert_english(english.get("/editor/articles/new"), catalog)
    assert "Save article" in new
    edit = assert_english(english.get(f"/editor/articles/{art.id}/edit"), catalog)
    # The editor's script reads its messages from the page, in the page's language.
    assert '"uploading": "Uploading image' in edit or "Uploading image" in edit
    assert_english(english.get("/editor/articles"), catalog)


# ---------------------------------------------------------------- the language switch


def test_language_switch_sets_cookie_and_next_page_is_english(client, ascii_site):
    art = ascii_site["article"]
    response = client.get("/lang/en?next=/")
    assert response.status_code in (302, 303)
    assert response.headers["Location"].endswith("/")
    cookie = client.get_cookie("lang")
    assert cookie is not None and cookie.value == "en"

    home = page_text(client.get("/"))
    assert '<html lang="en"' in home and "Latest news" in home

    article = page_text(client.get(f"/article/{art.id}/{art.slug}"))
    assert "Views" in article and DATETIME.search(article)

    client.get("/lang/vi?next=/")
    again = page_text(client.get("/"))
    assert '<html lang="vi"' in again and "Tin mới nhất" in again


def test_unknown_language_is_refused_and_default_is_vietnamese(client, ascii_site):
    assert client.get("/lang/fr?next=/").status_code == 404
    assert client.get_cookie("lang") is None
    home = page_text(client.get("/"))
    assert '<html lang="vi"' in home and "Tin mới nhất" in home


def test_captcha_audio_speaks_the_page_language(app, monkeypatch):
    from bantin import captcha, captcha_audio

    monkeypatch.setattr(
        captcha_audio, "render", lambda answer, language: f"{language}:{answer}".encode()
    )

    def speak(cookie: str | None) -> bytes:
        def run():
            headers = {"Cookie": f"lang={cookie}"} if cookie else {}
            with app.app_context(), app.test_request_context("/", headers=headers):
                return captcha.render_wav("23456")

        return contextvars.Context().run(run)

    assert speak(None) == b"vi:23456"
    assert speak("vi") == b"vi:23456"
    assert speak("en") == b"en:23456"
