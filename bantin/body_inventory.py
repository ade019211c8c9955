"""What an article body holds besides text: images, attachments and tables.

Read from canonical body HTML (docs/editor-schema.md) with html.parser. Used to pick the
thumbnail (the first image), to refuse publishing an image nobody described, to warn when a
save removes images or attachments, and to list such changes in a revision diff. Older
markup (an `img` outside a `figure`) is read too, so old revisions compare sensibly.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from posixpath import basename
from urllib.parse import unquote, urlsplit

from bantin.text import clean_line


def _file_name(url: str) -> str:
    return basename(unquote(urlsplit(url).path)) or url


@dataclass(frozen=True)
class BodyImage:
    src: str
    alt: str | None  # None: no alt attribute at all (not described yet); "": decorative
    caption: str = ""

    @property
    def label(self) -> str:
        """What people call the image: its caption, else its alt text, else its file name."""
        return self.caption or (self.alt or "").strip() or _file_name(self.src)


@dataclass(frozen=True)
class BodyAttachment:
    href: str
    name: str
    type: str = ""
    size: int | None = None

    @property
    def label(self) -> str:
        return self.name or _file_name(self.href)


@dataclass(frozen=True)
class Inventory:
    images: tuple[BodyImage, ...] = ()
    attachments: tuple[BodyAttachment, ...] = ()
    tables: int = 0

    @property
    def images_without_alt(self) -> list[BodyImage]:
        return [image for image in self.images if image.alt is None]


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.images: list[BodyImage] = []
        self.attachments: list[BodyAttachment] = []
        self.tables = 0
        self._figure: dict | None = None  # the open figure's image and caption text
        self._in_caption = False
        self._attachment_depth = 0  # open <div>s since a file-attachment div began
        self._link: dict | None = None  # the attachment's link being read

    def handle_starttag(self, tag: str, attrs) -> None:
        values = {name: value for name, value in attrs}
        if tag == "table":
            self.tables += 1
        elif tag == "figure":
            self._close_figure()
            self._figure = {"image": None, "caption": []}
        elif tag == "figcaption" and self._figure is not None:
            self._in_caption = True
        elif tag == "img":
            src = (values.get("src") or "").strip()
            if not src:
                return
            # `<img alt>` (no value) is alt="": only a missing attribute means undescribed.
            alt = (values.get("alt") or "") if "alt" in values else None
            if self._figure is not None and self._figure["image"] is None:
                self._figure["image"] = (src, alt)
            else:
                self.images.append(BodyImage(src, alt))
        elif tag == "div":
            if self._attachment_depth:
                self._attachment_depth += 1
            elif "file-attachment" in (values.get("class") or "").split():
                self._attachment_depth = 1
        elif tag == "a" and self._attachment_depth and self._link is None:
            self._link = {"values": values, "text": []}

    def handle_endtag(self, tag: str) -> None:
        if tag == "figcaption":
            self._in_caption = False
        elif tag == "figure":
            self._close_figure()
        elif tag == "a" and self._link is not None:
            self._close_link()
        elif tag == "div" and self._attachment_depth:
            self._attachment_depth -= 1
            if not self._attachment_depth and self._link is not None:
                self._close_link()

    def handle_data(self, data: str) -> None:
        if self._link is not None:
            self._link["text"].append(data)
        elif self._in_caption and self._figure is not None:
            self._figure["caption"].append(data)

    def _close_figure(self) -> None:
        figure, self._figure = self._figure, None
        self._in_caption = False
        if figure and figure["image"]:
            src, alt = figure["image"]
            self.images.append(BodyImage(src, alt, clean_line("".join(figure["caption"]))))

    def _close_link(self) -> None:
        link, self._link = self._link, None
        values = link["values"]
        href = (values.get("href") or "").strip()
        if not href:
            return
        raw_size = values.get("data-size") or ""
        size = int(raw_size) if raw_size.isascii() and raw_size.isdigit() else None
        self.attachments.append(
            BodyAttachment(
                href=href,
                name=clean_line("".join(link["text"])),
                type=(values.get("data-type") or "").strip().lower(),
                size=size,
            )
        )

    def close(self) -> None:
        super().close()
        self._close_figure()
        if self._link is not None:
            self._close_link()


def inventory(html: str | None) -> Inventory:
    """The images (in order), attachments (in order) and the number of tables of a body."""
    if not html:
        return Inventory()
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return Inventory(tuple(reader.images), tuple(reader.attachments), reader.tables)


def first_image_src(html: str | None) -> str | None:
    """The body's first image: the article's thumbnail when it has no cover."""
    images = inventory(html).images
    return images[0].src if images else None


@dataclass(frozen=True)
class Changes:
    """What went from one body to the next, besides text."""

    images_added: list[BodyImage] = field(default_factory=list)
    images_removed: list[BodyImage] = field(default_factory=list)
    attachments_added: list[BodyAttachment] = field(default_factory=list)
    attachments_removed: list[BodyAttachment] = field(default_factory=list)
    tables_before: int = 0
    tables_after: int = 0

    @property
    def tables_added(self) -> int:
        return max(0, self.tables_after - self.tables_before)

    @property
    def tables_removed(self) -> int:
        return max(0, self.tables_before - self.tables_after)

    def __bool__(self) -> bool:
        return bool(
            self.images_added
            or self.images_removed
            or self.attachments_added
            or self.attachments_removed
            or self.tables_before != self.tables_after
        )


def _difference(items, others, key) -> list:
    """Items of `items` not matched in `others` by key, counting repeats."""
    remaining = Counter(key(item) for item in others)
    result = []
    for item in items:
        if remaining[key(item)]:
            remaining[key(item)] -= 1
        else:
            result.append(item)
    return result


def compare(old_html: str | None, new_html: str | None) -> Changes:
    """Images (by src), attachments (by href) and tables (by count) added or removed."""
    old, new = inventory(old_html), inventory(new_html)

    def src(image: BodyImage) -> str:
        return image.src

    def href(attachment: BodyAttachment) -> str:
        return attachment.href

    return Changes(
        images_added=_difference(new.images, old.images, src),
        images_removed=_difference(old.images, new.images, src),
        attachments_added=_difference(new.attachments, old.attachments, href),
        attachments_removed=_difference(old.attachments, new.attachments, href),
        tables_before=old.tables,
        tables_after=new.tables,
    )
