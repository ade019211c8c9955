"""The article document: allow-listed HTML in, canonical HTML out (docs/editor-schema.md).

Input is nh3's output (well-formed, allow-listed tags and checked attributes). This module
reads it the way the editor's ProseMirror parser does (block boundaries, text blocks, marks,
white space, table repair) into a small tree, then writes that tree in exactly one way. The
writer only ever emits the schema's elements and attributes, with values it has checked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

MAX_DIMENSION = 10_000
MAX_SPAN = 100
ALIGN_CLASSES = {"text-center", "text-right", "text-justify"}
DIV_CLASSES = {"file-attachment"}
ATTACHMENT_TYPES = ("pdf", "docx", "xlsx", "pptx", "odt", "ods")
ATTACHMENT_PREFIX = "/uploads/files/"

# What the canonical form may hold: each tag with the attributes it may carry (the writer below
# emits nothing else; tests check every output against this).
SCHEMA: dict[str, frozenset[str]] = {
    tag: frozenset(attrs)
    for tag, attrs in {
        "p": {"class"},
        "h2": {"class"},
        "h3": {"class"},
        "h4": {"class"},
        "strong": set(),
        "em": set(),
        "u": set(),
        "s": set(),
        "a": {"href", "rel", "data-type", "data-size"},
        "br": set(),
        "ul": set(),
        "ol": set(),
        "li": set(),
        "blockquote": set(),
        "hr": set(),
        "figure": set(),
        "img": {"src", "alt", "width", "height", "srcset"},
        "figcaption": set(),
        "table": set(),
        "thead": set(),
        "tbody": set(),
        "tr": set(),
        "th": {"colspan", "rowspan"},
        "td": {"colspan", "rowspan"},
        "div": {"class"},  # the attachment block
        "span": {"class"},  # its derived size line
    }.items()
}

# Marks, outermost first: the editor's schema ranks them in this order.
LINK, BOLD, ITALIC, UNDERLINE, STRIKE = range(5)
_MARK_TAGS = {"strong": BOLD, "b": BOLD, "em": ITALIC, "i": ITALIC, "u": UNDERLINE}
_MARK_TAGS |= {"s": STRIKE, "del": STRIKE, "strike": STRIKE}
_MARK_OPEN = {BOLD: "strong", ITALIC: "em", UNDERLINE: "u", STRIKE: "s"}

_VOID = {"br", "hr", "img"}
_TEXTBLOCKS = {"p", "h2", "h3", "h4"}
# Containers whose content is read as blocks in place (each starts and ends a block).
_TRANSPARENT_BLOCKS = {"div", "li", "thead", "tbody", "tfoot", "tr", "th", "td", "figcaption"}
_WS = re.compile(r"[ \t\n\r\f\u00a0]+")
_UPLOAD_PATH = re.compile(r"/uploads/[A-Za-z0-9._~/-]+")
_SRCSET_ENTRY = re.compile(r"(\S+)\s+([1-9][0-9]{0,4})w")


# ---------------------------------------------------------------- reading nh3's output


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)
    parent: Element | None = field(default=None, repr=False, compare=False)

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)


class _TreeBuilder(HTMLParser):
    def __init__(self, node_type: type[Element]) -> None:
        super().__init__(convert_charrefs=True)
        self.node_type = node_type
        self.root = node_type("#root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = self.node_type(tag, {k: v or "" for k, v in attrs}, parent=self.stack[-1])
        self.stack[-1].children.append(element)
        if tag not in _VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(html: str, node_type: type[Element] = Element) -> Element:
    """A tree of well-formed HTML (nh3's output, or the canonical form itself)."""
    builder = _TreeBuilder(node_type)
    builder.feed(html)
    builder.close()
    return builder.root


# ---------------------------------------------------------------- the document tree

Marks = tuple[tuple[int, str], ...]  # (rank, link href or "") sorted by rank


@dataclass
class Text:
    text: str
    marks: Marks


@dataclass
class Break:
    marks: Marks


@dataclass
class TextBlock:
    tag: str  # p, h2, h3, h4
    align: str | None = None
    inline: list[Text | Break] = field(default_factory=list)


@dataclass
class ListBlock:
    tag: str  # ul, ol
    items: list[list] = field(default_factory=list)  # each item: a list of blocks


@dataclass
class Quote:
    blocks: list


@dataclass
class Rule:
    pass


@dataclass
class Figure:
    src: str
    alt: str | None
    width: str | None
    height: str | None
    srcset: str | None
    caption: str = ""


@dataclass
class Cell:
    header: bool
    colspan: int
    rowspan: int
    blocks: list


@dataclass
class Table:
    rows: list[list[Cell]]


@dataclass
class Attachment:
    href: str
    name: str
    type: str
    size: int


# ---------------------------------------------------------------- checks on values


def plain(text: str) -> str:
    """One line of text: white space runs folded to one space, trimmed."""
    return _WS.sub(" ", text).strip()


def _upload_path(value: str) -> bool:
    return bool(_UPLOAD_PATH.fullmatch(value)) and ".." not in value and "//" not in value


def _link_href(raw: str | None) -> str | None:
    """http(s), mailto, a site path or an in-page anchor; else no link (the text stays)."""
    if raw is None:
        return None
    href = raw.strip().replace(" ", "%20")
    if not href or "\\" in href or any(ord(ch) < 0x20 for ch in href):
        return None
    if href.startswith("/"):
        return None if href.startswith("//") else href
    if href.startswith("#"):
        return href if len(href) > 1 else None
    try:
        parts = urlsplit(href)
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme in {"http", "https"}:
        return href if parts.netloc else None
    return href if scheme == "mailto" and len(href) > len("mailto:") else None


def is_external(href: str) -> bool:
    return urlsplit(href).scheme.lower() in {"http", "https"}


def _span(value: str | None) -> int:
    if value and value.isascii() and value.isdigit():
        return max(1, min(int(value), MAX_SPAN))
    return 1


def _dimension(value: str | None) -> str | None:
    if value and value.isascii() and value.isdigit() and 0 < int(value) <= MAX_DIMENSION:
        return str(int(value))
    return None


def _srcset(value: str | None) -> str | None:
    if not value:
        return None
    entries = []
    for part in value.split(","):
        match = _SRCSET_ENTRY.fullmatch(part.strip())
        if match and _upload_path(match.group(1)):
            entries.append(f"{match.group(1)} {int(match.group(2))}w")
    return ", ".join(entries) or None


def attachment_meta(kind: str, size: int) -> str:
    """`PDF, 240 KB`: integer arithmetic, the same in the editor's JavaScript."""
    if size < 1_048_576:
        amount = f"{max(1, (size + 512) // 1024)} KB"
    else:
        tenths = (size * 10 + 524_288) // 1_048_576
        amount = f"{tenths // 10}.{tenths % 10} MB"
    return f"{kind.upper()}, {amount}"


# ---------------------------------------------------------------- building blocks


class _Blocks:
    """Reads a container's children as blocks; loose inline content becomes paragraphs."""

    def __init__(self) -> None:
        self.blocks: list = []
        self.open: TextBlock | None = None

    # -- inline content

    def _textblock(self) -> TextBlock:
        if self.open is None:
            self.open = TextBlock("p")
            self.blocks.append(self.open)
        return self.open

    def close(self) -> None:
        self.open = None

    def block(self, block) -> None:
        self.close()
        self.blocks.append(block)

    def read(self, nodes: list, marks: Marks = ()) -> None:
        for node in nodes:
            if isinstance(node, str):
                if self.open is not None or _WS.sub("", node):
                    self._textblock().inline.append(Text(node, marks))
            else:
                self._element(node, marks)

    def _element(self, el: Element, marks: Marks) -> None:
        tag = el.tag
        if tag in _MARK_TAGS:
            self.read(el.children, _add_mark(marks, _MARK_TAGS[tag], ""))
        elif tag == "a":
            href = _link_href(el.attrs.get("href"))
            self.read(el.children, _add_mark(marks, LINK, href) if href else marks)
        elif tag == "br":
            if self.open is not None:
                self.open.inline.append(Break(marks))
        elif tag == "img":
            figure = _figure_from_img(el)
            if figure is not None:
                self.block(figure)
        elif tag in _TEXTBLOCKS:
            self.close()
            align = el.attrs.get("class")
            self.open = TextBlock(tag, align if align in ALIGN_CLASSES else None)
            self.blocks.append(self.open)
            self.read(el.children, marks)
            self.close()
        elif tag in {"ul", "ol"}:
            self.block(_list(el, marks))
        elif tag == "blockquote":
            inner = _Blocks()
            inner.read(el.children, marks)
            self.block(Quote(inner.blocks))
        elif tag == "hr":
            self.block(Rule())
        elif tag == "figure":
            self._figure(el, marks)
        elif tag == "table":
            self._table(el, marks)
        elif tag == "caption":  # outside a table
            self._caption_paragraph(el, marks)
        elif tag == "div" and el.attrs.get("class") == "file-attachment":
            self._attachment(el, marks)
        else:  # div and table parts out of place: a block boundary around their content
            self.close()
            self.read(el.children, marks)
            self.close()

    def _caption_paragraph(self, el: Element, marks: Marks) -> None:
        self.close()
        self.open = TextBlock("p")
        self.blocks.append(self.open)
        self.read(el.children, marks)
        self.close()

    def _figure(self, el: Element, marks: Marks) -> None:
        images = [img for img in _descendants(el, "img")]
        captions = [c for c in _descendants(el, "figcaption")]
        caption = plain(" ".join(c.text() for c in captions))
        figures = [f for f in (_figure_from_img(img) for img in images) if f is not None]
        if figures:
            figures[0].caption = caption
            for figure in figures:
                self.block(figure)
        elif caption:  # the image is gone: its words stay
            self.block(TextBlock("p", None, [Text(caption, ())]))

    def _table(self, el: Element, marks: Marks) -> None:
        rows: list[list[Cell]] = []
        before: list[Element] = []
        for part in el.children:
            if isinstance(part, str):
                continue
            if part.tag == "caption":
                before.append(part)
            elif part.tag == "tr":
                rows.append(_row(part, marks))
            elif part.tag in {"thead", "tbody", "tfoot"}:
                rows.extend(_row(tr, marks) for tr in part.children if _is(tr, "tr"))
        for caption in before:
            self._caption_paragraph(caption, marks)
        table = _repair(rows)
        if table is not None:
            self.block(table)

    def _attachment(self, el: Element, marks: Marks) -> None:
        links = _descendants(el, "a")
        if not links:
            self.close()
            self.read(el.children, marks)
            self.close()
            return
        link = links[0]
        name = plain(link.text())
        href = (link.attrs.get("href") or "").strip()
        if not (href.startswith(ATTACHMENT_PREFIX) and _upload_path(href)):
            if name:
                self.block(TextBlock("p", None, [Text(name, ())]))
            return
        kind = link.attrs.get("data-type") or href.rpartition(".")[2].lower()
        if kind not in ATTACHMENT_TYPES:
            if name:
                self.block(TextBlock("p", None, [Text(name, ())]))
            return
        raw_size = link.attrs.get("data-size") or ""
        size = int(raw_size) if raw_size.isascii() and raw_size.isdigit() else 0
        self.block(Attachment(href, name or href.rpartition("/")[2], kind, size))


def _is(node, tag: str) -> bool:
    return isinstance(node, Element) and node.tag == tag


def _descendants(el: Element, tag: str) -> list[Element]:
    found = []
    for child in el.children:
        if isinstance(child, Element):
            if child.tag == tag:
                found.append(child)
            found.extend(_descendants(child, tag))
    return found


def _add_mark(marks: Marks, rank: int, value: str) -> Marks:
    kept = tuple(m for m in marks if m[0] != rank)
    return tuple(sorted((*kept, (rank, value))))


def _figure_from_img(img: Element) -> Figure | None:
    src = (img.attrs.get("src") or "").strip()
    if not _upload_path(src):
        return None
    alt = img.attrs.get("alt")
    return Figure(
        src=src,
        alt=plain(alt) if alt is not None else None,
        width=_dimension(img.attrs.get("width")),
        height=_dimension(img.attrs.get("height")),
        srcset=_srcset(img.attrs.get("srcset")),
    )


def _list(el: Element, marks: Marks) -> ListBlock:
    result = ListBlock(el.tag)
    loose: list = []

    def flush_loose() -> None:
        if loose:
            reader = _Blocks()
            reader.read(loose, marks)
            result.items.append(reader.blocks)
            loose.clear()

    for child in el.children:
        if _is(child, "li"):
            flush_loose()
            reader = _Blocks()
            reader.read(child.children, marks)
            result.items.append(reader.blocks)
        elif isinstance(child, Element) and child.tag in {"ul", "ol"} and not loose:
            # A list nested directly in a list belongs to the item before it.
            nested = _list(child, marks)
            if result.items:
                result.items[-1].append(nested)
            else:
                result.items.append([nested])
        elif isinstance(child, str) and not _WS.sub("", child) and not loose:
            continue
        else:
            loose.append(child)
    flush_loose()
    return result


def _row(tr: Element, marks: Marks) -> list[Cell]:
    cells = []
    for cell in tr.children:
        if _is(cell, "td") or _is(cell, "th"):
            reader = _Blocks()
            reader.read(cell.children, marks)
            cells.append(
                Cell(
                    header=cell.tag == "th",
                    colspan=_span(cell.attrs.get("colspan")),
                    rowspan=_span(cell.attrs.get("rowspan")),
                    blocks=reader.blocks,
                )
            )
    return cells


def _repair(rows: list[list[Cell]]) -> Table | None:
    """Rectangular rows, as the editor's table plugin makes them when it loads a table:
    spans clamped to the table and cut where they would overlap, short rows padded."""
    if not rows:
        return None
    height = len(rows)
    taken: set[tuple[int, int]] = set()
    width = 0
    for r, row in enumerate(rows):
        col = 0
        for cell in row:
            while (r, col) in taken:
                col += 1
            rowspan = min(cell.rowspan, height - r)
            for h in range(1, rowspan):
                if (r + h, col) in taken:
                    rowspan = h
                    break
            colspan = cell.colspan
            for w in range(1, colspan):
                if any((r + h, col + w) in taken for h in range(rowspan)):
                    colspan = w
                    break
            cell.rowspan, cell.colspan = rowspan, colspan
            for h in range(rowspan):
                for w in range(colspan):
                    taken.add((r + h, col + w))
            col += colspan
            width = max(width, col)
    if width == 0:
        return None
    for r, row in enumerate(rows):
        missing = sum(1 for c in range(width) if (r, c) not in taken)
        header = row[0].header if row else False
        row.extend(Cell(header, 1, 1, []) for _ in range(missing))
    return Table(rows)


# ---------------------------------------------------------------- normalising


def _inline(items: list[Text | Break]) -> list[Text | Break]:
    """ProseMirror's white-space rules, and adjacent runs with the same marks merged."""
    merged: list[Text | Break] = []
    for item in items:
        if isinstance(item, Break):
            merged.append(Break(item.marks))
            continue
        text = _WS.sub(" ", item.text)
        previous = merged[-1] if merged else None
        if text.startswith(" ") and (
            previous is None or isinstance(previous, Break) or previous.text.endswith(" ")
        ):
            text = text[1:]
        if not text:
            continue
        if isinstance(previous, Text) and previous.marks == item.marks:
            previous.text += text
        else:
            merged.append(Text(text, item.marks))
    # Breaks at the start or the end of a block show nothing: they go, and so do the spaces
    # left at the end. (A text after a break already lost its leading space above.)
    while merged and isinstance(merged[0], Break):
        merged.pop(0)
    while merged:
        last = merged[-1]
        if isinstance(last, Break):
            merged.pop()
        elif last.text.endswith(" "):
            last.text = last.text.rstrip(" ")
            if not last.text:
                merged.pop()
        else:
            break
    return merged


def _normalise(blocks: list, container: str) -> list:
    """Canonical blocks for a container (doc, item, quote or cell); empty blocks go."""
    out = []
    for block in blocks:
        if isinstance(block, TextBlock):
            block.inline = _inline(block.inline)
            if block.inline:
                out.append(block)
        elif isinstance(block, ListBlock):
            items = [_normalise(item, "item") for item in block.items]
            block.items = [item for item in items if item]
            if block.items:
                out.append(block)
        elif isinstance(block, Quote):
            block.blocks = _normalise(block.blocks, "quote")
            if block.blocks:
                out.append(block)
        elif isinstance(block, Table):
            for row in block.rows:
                for cell in row:
                    cell.blocks = _normalise(cell.blocks, "cell") or [TextBlock("p")]
            out.append(block)
        else:
            out.append(block)
    if container == "item" and out and not _is_paragraph(out[0]):
        out.insert(0, TextBlock("p"))  # a list item starts with a paragraph, even empty
    return out


def _is_paragraph(block) -> bool:
    return isinstance(block, TextBlock) and block.tag == "p"


# ---------------------------------------------------------------- writing


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(value: str) -> str:
    return _text(value).replace('"', "&quot;")


def _open_mark(mark: tuple[int, str]) -> str:
    rank, href = mark
    if rank == LINK:
        rel = ' rel="noopener noreferrer"' if is_external(href) else ""
        return f'<a href="{_attr(href)}"{rel}>'
    return f"<{_MARK_OPEN[rank]}>"


def _close_mark(mark: tuple[int, str]) -> str:
    return "</a>" if mark[0] == LINK else f"</{_MARK_OPEN[mark[0]]}>"


def _write_inline(items: list[Text | Break]) -> str:
    """Marks opened and closed as ProseMirror's serialiser does: keep the longest common
    prefix of open marks, close the rest, open the new ones in rank order."""
    out: list[str] = []
    active: list[tuple[int, str]] = []
    for item in items:
        keep = 0
        while keep < len(active) and keep < len(item.marks) and active[keep] == item.marks[keep]:
            keep += 1
        while len(active) > keep:
            out.append(_close_mark(active.pop()))
        for mark in item.marks[keep:]:
            out.append(_open_mark(mark))
            active.append(mark)
        out.append("<br>" if isinstance(item, Break) else _text(item.text))
    while active:
        out.append(_close_mark(active.pop()))
    return "".join(out)


def _write_blocks(blocks: list) -> str:
    return "".join(_write_block(block) for block in blocks)


def _write_block(block) -> str:
    if isinstance(block, TextBlock):
        cls = f' class="{block.align}"' if block.align else ""
        return f"<{block.tag}{cls}>{_write_inline(block.inline)}</{block.tag}>"
    if isinstance(block, ListBlock):
        items = "".join(f"<li>{_write_blocks(item)}</li>" for item in block.items)
        return f"<{block.tag}>{items}</{block.tag}>"
    if isinstance(block, Quote):
        return f"<blockquote>{_write_blocks(block.blocks)}</blockquote>"
    if isinstance(block, Rule):
        return "<hr>"
    if isinstance(block, Figure):
        return _write_figure(block)
    if isinstance(block, Table):
        return _write_table(block)
    if isinstance(block, Attachment):
        return (
            f'<div class="file-attachment"><a href="{_attr(block.href)}" '
            f'data-type="{block.type}" data-size="{block.size}">{_text(block.name)}</a>'
            f'<span class="file-meta">{attachment_meta(block.type, block.size)}</span></div>'
        )
    raise TypeError(block)


def _write_figure(figure: Figure) -> str:
    attrs = f' src="{_attr(figure.src)}"'
    if figure.alt is not None:
        attrs += f' alt="{_attr(figure.alt)}"'
    for name in ("width", "height", "srcset"):
        value = getattr(figure, name)
        if value:
            attrs += f' {name}="{_attr(value)}"'
    caption = f"<figcaption>{_text(figure.caption)}</figcaption>" if figure.caption else ""
    return f"<figure><img{attrs}>{caption}</figure>"


def _write_row(row: list[Cell]) -> str:
    cells = []
    for cell in row:
        tag = "th" if cell.header else "td"
        spans = f' colspan="{cell.colspan}"' if cell.colspan > 1 else ""
        spans += f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else ""
        cells.append(f"<{tag}{spans}>{_write_blocks(cell.blocks)}</{tag}>")
    return "<tr>" + "".join(cells) + "</tr>"


def _write_table(table: Table) -> str:
    rows = table.rows
    first = rows[0]
    head = (
        len(rows) > 1 and bool(first) and all(cell.header and cell.rowspan == 1 for cell in first)
    )
    if head:
        thead = "<thead>" + _write_row(first) + "</thead>"
        body = rows[1:]
    else:
        thead, body = "", rows
    return f"<table>{thead}<tbody>{''.join(_write_row(r) for r in body)}</tbody></table>"


def canonical(allowed_html: str) -> str:
    """The canonical form of allow-listed HTML (nh3's output)."""
    reader = _Blocks()
    reader.read(parse(allowed_html).children)
    return _write_blocks(_normalise(reader.blocks, "doc"))
