"""Rich-text sanitising: any HTML in, the canonical article HTML out (docs/editor-schema.md).

Run on every save path; the stored HTML is the safe copy and is rendered as is.

The pipeline:
1. NFC, control characters out; Trix-era attachment figures mapped to `<figure><img>`;
   h1 → h2, h5/h6 → h4; block tags nh3 would unwrap are renamed `div` so they stay blocks.
2. nh3 with a strict allow-list: the security boundary. Whatever comes before, only these tags
   and checked attribute values pass.
3. The canonical form, built by `bantin.document` the way the editor (ProseMirror) parses HTML:
   one fixed place for every element and attribute, one way to write each. Cleaning canonical
   HTML returns it unchanged, so a body reloaded in the editor and saved again stays the same.
"""

import html as html_lib
import json
import re
from html.parser import HTMLParser

import nh3

from bantin import document
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
    "strike",
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
    "div",  # block boundaries (Trix paragraphs, pasted layout) and the attachment block
}
ATTRIBUTES: dict[str, set[str]] = {
    "*": set(),  # no lang/title on everything (nh3's default generic attributes)
    "a": {"href", "data-type", "data-size"},
    "img": {"src", "alt", "width", "height", "srcset"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "p": {"class"},
    "h2": {"class"},
    "h3": {"class"},
    "h4": {"class"},
    "div": {"class"},
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
    "head",
    "button",
}
URL_SCHEMES = {"http", "https", "mailto"}
UPLOADS_PREFIX = "/uploads/"

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_UPLOAD_PATH = re.compile(r"/uploads/[A-Za-z0-9._~/-]+")


def is_upload_url(value: str | None) -> bool:
    """A plain path under this site's /uploads/ (stored files have plain ASCII names)."""
    if not value:
        return False
    value = value.strip()
    if not _UPLOAD_PATH.fullmatch(value):
        return False
    return ".." not in value and "//" not in value


def _small_int(value: str, limit: int) -> bool:
    value = value.strip()
    return value.isascii() and value.isdigit() and 0 < int(value) <= limit


def _filter_attribute(tag: str, attr: str, value: str) -> str | None:
    if tag == "img" and attr == "src":
        # Images only from this site's uploads: no hotlinking, no tracking pixels, no data:.
        return value if is_upload_url(value) else None
    if attr in {"width", "height"}:
        return value if _small_int(value, document.MAX_DIMENSION) else None
    if attr in {"colspan", "rowspan"}:
        return value if _small_int(value, document.MAX_SPAN) else None
    if attr == "class":
        allowed = document.DIV_CLASSES if tag == "div" else document.ALIGN_CLASSES
        kept = [token for token in value.split() if token in allowed]
        return kept[0] if kept else None
    if attr == "data-type":
        return value if value in document.ATTACHMENT_TYPES else None
    if attr == "data-size":
        return value if value.isascii() and value.isdigit() and len(value) <= 12 else None
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
        if (
            isinstance(value, int)
            and not isinstance(value, bool)
            and 0 < value <= document.MAX_DIMENSION
        ):
            parts.append(f' {key}="{value}"')
    img = "".join(parts) + ">"
    figcaption = f"<figcaption>{html_lib.escape(caption)}</figcaption>" if caption else ""
    return f"<figure>{img}{figcaption}</figure>"


_HEADING_UP = re.compile(r"<(/?)h1\b", re.IGNORECASE)
_HEADING_DOWN = re.compile(r"<(/?)h[56]\b", re.IGNORECASE)
# Block-level tags outside the allow-list: nh3 would unwrap them and glue their text to the
# neighbours'; as `div` they stay block boundaries, as they are in the editor.
_OTHER_BLOCKS = re.compile(
    r"<(/?)(?:section|article|header|footer|main|aside|nav|address|center|dl|dt|dd|pre"
    r"|details|summary|fieldset|legend|hgroup|menu|dir|listing|plaintext|xmp)(?=[\s/>])",
    re.IGNORECASE,
)


def _prepare(html: str) -> str:
    html = _CONTROL.sub("", nfc(html))
    html = _FIGURE.sub(_clean_figure, html)
    html = _OTHER_BLOCKS.sub(r"<\1div", html)
    # Keep the outline within h2-h4 (the page's h1 is the title) instead of losing headings.
    html = _HEADING_UP.sub(r"<\1h2", html)
    return _HEADING_DOWN.sub(r"<\1h4", html)


def clean_html(html: str | None) -> str:
    """Sanitise editor (or any) HTML into the canonical article HTML."""
    allowed = nh3.clean(
        _prepare(html or ""),
        tags=TAGS,
        clean_content_tags=DROP_WITH_CONTENT,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=_filter_attribute,
        link_rel=None,
        strip_comments=True,
    )
    return document.canonical(allowed)


# ---------------------------------------------------------------- plain text


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
