"""Rich-text sanitising with nh3: an allowlist fit for news articles.

Run on every save path; the stored HTML is the safe copy and is rendered as is.

The pipeline is: NFC and control characters out; Trix's attachment markup mapped to a plain
``<figure><img><figcaption>``; nh3 with a strict allowlist (this is the security boundary:
whatever the steps before it produce, only allowlisted tags and checked attributes pass);
then cosmetic tidying of nh3's well-formed output (links get ``rel``, inline-only ``<div>``
blocks from Trix become ``<p>``, empty leftovers go).
"""

import html as html_lib
import json
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import nh3

from bantin.text import clean_line, nfc

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
    "sub",
    "sup",
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
    "div",  # Trix writes one per paragraph; inline-only ones become <p> below
}
# Only href on links: with one attribute nh3 always writes `<a href="...">`, which keeps
# the rel post-processing below exact.
ATTRIBUTES: dict[str, set[str]] = {
    "*": set(),  # no lang/title on everything (nh3's default generic attributes)
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
}
# Removed together with everything inside them (the rest of unknown tags keep their text).
DROP_WITH_CONTENT = {
    "script",
    "style",
    "template",
    "title",
    "noscript",
    "iframe",
    "object",
    "embed",
    "applet",
    "svg",
    "math",
    "xml",
    "textarea",
    "select",
    "noembed",
    "noframes",
}
URL_SCHEMES = {"http", "https", "mailto"}
UPLOADS_PREFIX = "/uploads/"
MAX_DIMENSION = 10000

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_EMPTY_PARAGRAPHS = re.compile(r"<p>(?:\s|&nbsp;|\u00a0|<br>)*</p>")
_EMPTY_INLINE = re.compile(r"<(strong|b|em|i|u|s|del)>(?:\s|&nbsp;)*</\1>")


_UPLOAD_PATH = re.compile(r"/uploads/[A-Za-z0-9._~/-]+")


def is_upload_url(value: str | None) -> bool:
    """A plain path under this site's /uploads/ (stored files have plain ASCII names)."""
    if not value:
        return False
    value = value.strip()
    if not _UPLOAD_PATH.fullmatch(value):
        return False
    return ".." not in value and "//" not in value


def _is_external(href: str) -> bool:
    href = html_lib.unescape(href).strip().replace("\\", "/")
    parts = urlsplit(href)
    return bool(parts.scheme or parts.netloc) or href.startswith("//")


def _small_int(value: str, limit: int) -> bool:
    return value.isascii() and value.isdigit() and 0 < int(value) <= limit


def _filter_attribute(tag: str, attr: str, value: str) -> str | None:
    if tag == "img" and attr == "src":
        # Images only from this site's uploads: no hotlinking, no tracking pixels, no data:.
        return value if is_upload_url(value) else None
    if attr in {"width", "height"}:
        return value if _small_int(value, MAX_DIMENSION) else None
    if attr in {"colspan", "rowspan"}:
        return value if _small_int(value, 100) else None
    if attr == "scope":
        return value if value in {"row", "col", "rowgroup", "colgroup"} else None
    return value


# ---------------------------------------------------------------- Trix attachments


class _StartTagAttrs(HTMLParser):
    """Reads the attributes of one start tag the way a browser would."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attrs: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs) -> None:
        if not self.attrs:
            self.attrs = {name: value or "" for name, value in attrs}


def _tag_attrs(start_tag: str) -> dict[str, str]:
    parser = _StartTagAttrs()
    parser.feed(start_tag)
    parser.close()
    return parser.attrs


def _json_object(raw: str) -> dict:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


# A start tag whose quoted attribute values may hold ">" (captions can).
_FIGURE_START = r"""<figure\b(?:[^>"']|"[^"]*"|'[^']*')*>"""
_FIGURE = re.compile(_FIGURE_START + r".*?</figure\s*>", re.IGNORECASE | re.DOTALL)
_START_TAG = re.compile(_FIGURE_START, re.IGNORECASE)


def _clean_figure(match: re.Match) -> str:
    """Trix's `<figure data-trix-attachment=...>` -> `<figure><img><figcaption>`."""
    start = _START_TAG.match(match.group(0))
    attrs = _tag_attrs(start.group(0)) if start else {}
    if "data-trix-attachment" not in attrs:
        return match.group(0)  # an ordinary figure: nh3 deals with it
    attachment = _json_object(attrs.get("data-trix-attachment", ""))
    attributes = _json_object(attrs.get("data-trix-attributes", ""))
    url = attachment.get("url")
    content_type = str(attachment.get("contentType") or "")
    if not isinstance(url, str) or not is_upload_url(url):
        return ""  # a file that never finished uploading, or something not ours
    if content_type and not content_type.startswith("image/"):
        return ""
    caption = attributes.get("caption")
    caption = clean_line(caption) if isinstance(caption, str) else ""
    parts = [f'<img src="{html_lib.escape(url.strip())}" alt="{html_lib.escape(caption)}"']
    for key in ("width", "height"):
        value = attachment.get(key)
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_DIMENSION:
            parts.append(f' {key}="{value}"')
    img = "".join(parts) + ">"
    figcaption = f"<figcaption>{html_lib.escape(caption)}</figcaption>" if caption else ""
    return f"<figure>{img}{figcaption}</figure>"


_HEADING_UP = re.compile(r"<(/?)h1\b", re.IGNORECASE)
_HEADING_DOWN = re.compile(r"<(/?)h[56]\b", re.IGNORECASE)


def _prepare(html: str) -> str:
    html = _CONTROL.sub("", nfc(html))
    html = _FIGURE.sub(_clean_figure, html)
    # Keep the outline within h2-h4 (the page's h1 is the title) instead of losing headings.
    html = _HEADING_UP.sub(r"<\1h2", html)
    return _HEADING_DOWN.sub(r"<\1h4", html)


# ---------------------------------------------------------------- tidying nh3's output

_ANCHOR = re.compile(r'<a href="([^"]*)">')
_BARE_ANCHOR = re.compile(r"<a>(.*?)</a>", re.DOTALL)
_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\bsrc=)[^>]*>")
_BLOCK = (
    r"(?:div|p|ul|ol|li|blockquote|h[2-4]"
    r"|table|thead|tbody|tfoot|tr|th|td|caption|hr)"
)
# A <div> holding only inline content and figures (how Trix stores a paragraph).
_PARAGRAPH_DIV = re.compile(rf"<div>((?:(?!</?{_BLOCK}[\s>/]).)*?)</div>", re.DOTALL)
_FIGURE_OUT = re.compile(r"(<figure>.*?</figure>)", re.DOTALL)
_EDGE_BREAKS = re.compile(r"^(?:\s|<br>)+|(?:\s|<br>)+$")
_EMPTY_FIGURE = re.compile(r"<figure>\s*</figure>")


def _add_rel(html: str) -> str:
    """nh3 can only set one rel for every link; only external links need it."""

    def repl(match: re.Match) -> str:
        href = match.group(1)
        if _is_external(href) and not href.lower().startswith("mailto:"):
            return f'<a href="{href}" rel="noopener noreferrer">'
        return match.group(0)

    return _ANCHOR.sub(repl, html)


def _div_to_paragraphs(match: re.Match) -> str:
    parts = []
    for piece in _FIGURE_OUT.split(match.group(1)):
        if piece.startswith("<figure>"):
            parts.append(piece)
        else:
            text = _EDGE_BREAKS.sub("", piece)
            if text:
                parts.append(f"<p>{text}</p>")
    return "".join(parts)


def _tidy(html: str) -> str:
    html = _IMG_WITHOUT_SRC.sub("", html)
    html = _BARE_ANCHOR.sub(r"\1", html)
    html = _add_rel(html)
    html = html.replace("&nbsp;", " ")  # Trix and Word pad spaces with &nbsp;
    # Trix writes a <div> per paragraph, images inside it; readers' pages style <p>.
    html = _PARAGRAPH_DIV.sub(_div_to_paragraphs, html)
    html = _EMPTY_INLINE.sub("", html)
    html = _EMPTY_PARAGRAPHS.sub("", html)
    html = _EMPTY_FIGURE.sub("", html)
    return html.strip()


def clean_html(html: str | None) -> str:
    """Sanitise editor HTML; external links get rel="noopener noreferrer"."""
    cleaned = nh3.clean(
        _prepare(html or ""),
        tags=TAGS,
        clean_content_tags=DROP_WITH_CONTENT,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=_filter_attribute,
        link_rel=None,
        strip_comments=True,
    )
    return _tidy(cleaned)


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
