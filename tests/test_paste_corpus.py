"""The paste corpus (tests/fixtures/paste): honest fixtures, and the server as a safety net.

The paste cleaner (static/js/editor-paste.js) is tested in Chromium by
tests/browser/test_paste_browser.py. Here, without a browser: every fixture is real UTF-8
Vietnamese text and has its expectations written down, and the server's sanitiser alone, given
the raw clipboard HTML with no cleaner in front, still never stores anything outside the
document schema.
"""

import re
import unicodedata

import pytest

from bantin.sanitize import clean_html
from tests.fixtures.paste.expected import EXPECTED
from tests.fixtures.paste.structure import (
    FIXTURES,
    HERE,
    VIETNAMESE,
    fixture_text,
    markup_problems,
)

# What no stored body may carry, whatever was pasted: scripts, frames, handlers, remote or
# local-file images, Office's own markup.
NEVER = re.compile(
    r"<script|dataLayer|<iframe|youtube|onclick|javascript:|file:///|<o:p|<v:|mso-|<style"
    r"|googleusercontent|<meta|<font",
    re.IGNORECASE,
)


def test_every_fixture_has_its_expectations():
    assert FIXTURES, "no fixtures in tests/fixtures/paste"
    assert set(FIXTURES) == set(EXPECTED)
    for name in ("word-windows", "libreoffice-writer", "google-docs", "excel-range", "web-page"):
        assert f"{name}.html" in FIXTURES


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_is_utf8_vietnamese(name):
    raw = (HERE / name).read_bytes()
    text = raw.decode("utf-8")  # strict: raises on any invalid byte
    assert not text.startswith("\ufeff")
    letters = VIETNAMESE.findall(unicodedata.normalize("NFC", text))
    assert len(letters) >= 20, f"{name}: only {len(letters)} letters with Vietnamese diacritics"
    assert "đ" in text.lower() or "Đ" in text


def test_one_fixture_is_decomposed():
    """macOS and some converters hand over NFD text: the corpus holds one such fixture."""
    decomposed = [n for n in FIXTURES if not unicodedata.is_normalized("NFC", fixture_text(n))]
    assert decomposed == ["libreoffice-writer.html"]
    # Fully decomposed: no precomposed letter left in it.
    text = fixture_text("libreoffice-writer.html")
    assert unicodedata.normalize("NFD", text) == text


@pytest.mark.parametrize("name", FIXTURES)
def test_server_alone_keeps_to_the_schema(name):
    """Without the cleaner (an old browser, a script posting HTML), the sanitiser is enough."""
    stored = clean_html(fixture_text(name))
    assert stored, f"{name}: everything was lost"
    assert markup_problems(stored, "server") == []
    assert not NEVER.search(stored), NEVER.search(stored).group(0)
    assert clean_html(stored) == stored
    # Text survives, composed.
    assert len(VIETNAMESE.findall(stored)) >= 20


@pytest.mark.parametrize("name", FIXTURES)
def test_expected_phrases_are_in_the_fixture(name):
    """The expectations describe text that really is in the fixture (after NFC and squashing
    the source's line breaks, entities and tags), so a typo in expected.py cannot pass."""
    visible = unicodedata.normalize("NFC", clean_html(fixture_text(name)))
    visible = re.sub(r"<[^>]+>", " ", visible).replace("&amp;", "&")
    visible = re.sub(r"\s+", " ", visible)
    exp = EXPECTED[name]
    phrases = [*exp.texts, *exp.strong, *exp.em, *exp.u, *exp.s]
    phrases += [text for _, text in exp.links]
    phrases += [text for _, text in exp.headings]
    for phrase in phrases:
        assert phrase in visible, phrase
