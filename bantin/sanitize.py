"""Rich-text sanitising with nh3: an allowlist fit for news articles.

Run on every save path; the stored HTML is the safe copy and is rendered as is.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import nh3

TAGS = {
    "p",
    "br",
    "hr",
    "h2",
    "h3",
    "h4",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "del",
    "a",
    "ul",
    "ol",
    "li",
    "blockquote",
    "figure",
    "figcaption",
    "img",
    "table",
    "thead",
    "tbody",
    "tfoot",
    "tr",
    "th",
    "td",
    "caption",
    "div",
    "span",
}
ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto"}
UPLOADS_PREFIX = "/uploads/"
_EMPTY_PARAGRAPHS = re.compile(r"<p>(\s|&nbsp;|<br>)*</p>")


def _is_external(href: str) -> bool:
    parts = urlsplit(href)
    return bool(parts.scheme or parts.netloc)


def _filter_attribute(tag: str, attr: str, value: str) -> str | None:
    if tag == "img" and attr == "src":
        # Images only from this site's uploads: no hotlinking, no tracking pixels, no data:.
        parts = urlsplit(value)
        if parts.scheme or parts.netloc or not parts.path.startswith(UPLOADS_PREFIX):
            return None
        if ".." in parts.path:
            return None
    if attr in {"width", "height"} and not value.isdigit():
        return None
    return value


def clean_html(html: str | None) -> str:
    """Sanitise editor HTML; external links get rel="noopener noreferrer"."""
    cleaned = nh3.clean(
        html or "",
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=_filter_attribute,
        link_rel=None,
        strip_comments=True,
    )
    cleaned = _add_rel(cleaned)
    return _EMPTY_PARAGRAPHS.sub("", cleaned).strip()


_ANCHOR = re.compile(r'<a href="([^"]*)"')


def _add_rel(html: str) -> str:
    """nh3 can only set one rel for every link; only external links need it."""

    def repl(match: re.Match) -> str:
        href = match.group(1)
        if _is_external(href) and not href.startswith("mailto:"):
            return f'<a href="{href}" rel="noopener noreferrer"'
        return match.group(0)

    return _ANCHOR.sub(repl, html)


_INLINE = {"a", "strong", "b", "em", "i", "u", "s", "del", "span", "sub", "sup", "mark"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag not in _INLINE:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag not in _INLINE:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_to_text(html: str | None) -> str:
    """Visible text of stored HTML (search index, meta descriptions), unescaped."""
    extractor = _TextExtractor()
    extractor.feed(html or "")
    extractor.close()
    return re.sub(r"\s+", " ", "".join(extractor.parts)).strip()
