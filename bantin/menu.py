"""The header menu: two levels of items, each pointing somewhere (a category, a page, the
documents list, the schedule, the contacts page, the home page, an external address) or a
heading that only opens its children.

The builder posts the whole menu as JSON; `parse` checks it (two levels at most, targets that
exist, http/https addresses only) and answers the items with their errors, so the form can be
shown again exactly as arranged. `replace` stores a checked menu in one go. Readers see
`header_items()`, a snapshot of plain values (cached with the layout, bantin.sidebar).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import has_request_context, request
from flask_babel import gettext as _

from bantin import audit, site_pages
from bantin.extensions import db
from bantin.models import Category, MenuItem, MenuTarget, Page, PageStatus, User
from bantin.text import clean_line, has_control_chars

LABEL_MAX = 120
URL_MAX = 500
MAX_ITEMS = 60  # the whole menu, both levels
MAX_JSON = 200_000  # characters of the posted menu

# Fixed places of the portal (CONTRACT.md, "Portal (public)").
FIXED_PATHS = {
    MenuTarget.DOCUMENTS: "/documents",
    MenuTarget.SCHEDULE: "/schedule",
    MenuTarget.CONTACTS: "/contacts",
    MenuTarget.QUESTIONS: "/questions",
}


@dataclass
class Entry:
    """One item as the builder shows it (typed values kept, even wrong ones)."""

    label: str = ""
    label_en: str = ""
    target: str = MenuTarget.HOME.value
    category_id: int | None = None
    page_id: int | None = None
    url: str = ""
    children: list[Entry] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class Parsed:
    items: list[Entry]
    errors: list[str]  # about the whole menu

    @property
    def ok(self) -> bool:
        return not self.errors and not any(
            e.errors or any(c.errors for c in e.children) for e in self.items
        )


def is_web_url(value: str) -> bool:
    """An absolute http or https address with a host (nothing else: no javascript:, no //)."""
    if (
        not value
        or len(value) > URL_MAX
        or has_control_chars(value)
        or any(ch.isspace() for ch in value)
    ):
        return False
    parts = urlsplit(value)
    return parts.scheme in {"http", "https"} and bool(parts.hostname)


def _int_or_none(raw: Any) -> int | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw if 0 < raw < 2**62 else None
    text = str(raw or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) < 18 else None


def _entry(raw: Any, categories: set[int], pages: set[int]) -> Entry:
    if not isinstance(raw, dict):
        return Entry(errors=[_("Mục này không đọc được, hãy xóa rồi thêm lại.")])
    entry = Entry(
        label=clean_line(str(raw.get("label") or ""))[: LABEL_MAX * 2],
        label_en=clean_line(str(raw.get("label_en") or ""))[: LABEL_MAX * 2],
        target=str(raw.get("target") or ""),
        category_id=_int_or_none(raw.get("category_id")),
        page_id=_int_or_none(raw.get("page_id")),
        url=str(raw.get("url") or "").strip()[: URL_MAX * 2],
    )
    if not entry.label:
        entry.errors.append(_("Hãy nhập tên mục."))
    elif len(entry.label) > LABEL_MAX or len(entry.label_en) > LABEL_MAX:
        entry.errors.append(_("Tên mục dài tối đa %(n)s ký tự.", n=LABEL_MAX))
    if has_control_chars(entry.label) or has_control_chars(entry.label_en):
        entry.errors.append(_("Có ký tự không hợp lệ, hãy gõ lại."))
    try:
        target = MenuTarget(entry.target)
    except ValueError:
        entry.errors.append(_("Hãy chọn mục này dẫn tới đâu."))
        return entry
    if target == MenuTarget.CATEGORY and entry.category_id not in categories:
        entry.errors.append(_("Hãy chọn một chuyên mục."))
    if target == MenuTarget.PAGE and entry.page_id not in pages:
        entry.errors.append(_("Hãy chọn một trang."))
    if target == MenuTarget.URL and not is_web_url(entry.url):
        entry.errors.append(
            _("Địa chỉ ngoài phải bắt đầu bằng http:// hoặc https://, ví dụ https://example.vn.")
        )
    return entry


def parse(raw_json: str) -> Parsed:
    """The posted menu, checked. Wrong items carry their errors; nothing is dropped."""
    if not raw_json or len(raw_json) > MAX_JSON:
        return Parsed([], [_("Không đọc được menu gửi lên, hãy tải lại trang.")])
    try:
        data = json.loads(raw_json)
    except (ValueError, RecursionError):
        return Parsed([], [_("Không đọc được menu gửi lên, hãy tải lại trang.")])
    if not isinstance(data, list):
        return Parsed([], [_("Không đọc được menu gửi lên, hãy tải lại trang.")])
    categories = set(db.session.scalars(sa.select(Category.id)))
    pages = set(db.session.scalars(sa.select(Page.id).where(Page.status != PageStatus.DELETED)))
    items: list[Entry] = []
    errors: list[str] = []
    count = 0
    for raw in data[: MAX_ITEMS + 1]:
        entry = _entry(raw, categories, pages)
        count += 1
        children = raw.get("children") if isinstance(raw, dict) else None
        for child_raw in children if isinstance(children, list) else []:
            child = _entry(child_raw, categories, pages)
            count += 1
            if isinstance(child_raw, dict) and child_raw.get("children"):
                child.errors.append(_("Menu chỉ có hai cấp: mục con không thể có mục con của nó."))
            entry.children.append(child)
        if entry.target == MenuTarget.NONE.value and not entry.children:
            entry.errors.append(_("Mục tiêu đề nhóm cần có ít nhất một mục con."))
        items.append(entry)
    if count > MAX_ITEMS:
        errors.append(_("Menu có tối đa %(n)s mục.", n=MAX_ITEMS))
    return Parsed(items, errors)


def _row(entry: Entry, parent_id: int | None, position: int) -> MenuItem:
    target = MenuTarget(entry.target)
    return MenuItem(
        parent_id=parent_id,
        label=entry.label,
        label_en=entry.label_en,
        target=target,
        category_id=entry.category_id if target == MenuTarget.CATEGORY else None,
        page_id=entry.page_id if target == MenuTarget.PAGE else None,
        url=entry.url if target == MenuTarget.URL else "",
        position=position,
    )


def replace(parsed: Parsed, user: User | None) -> None:
    """Store a checked menu in place of the old one (one transaction; the caller commits)."""
    if not parsed.ok:
        raise ValueError("the menu has errors")
    db.session.execute(sa.delete(MenuItem).where(MenuItem.parent_id.is_not(None)))
    db.session.execute(sa.delete(MenuItem))
    count = 0
    for position, entry in enumerate(parsed.items):
        top = _row(entry, None, position)
        db.session.add(top)
        db.session.flush()
        count += 1
        for child_position, child in enumerate(entry.children):
            db.session.add(_row(child, top.id, child_position))
            count += 1
    audit.record("menu.update", "menu", None, f"{count} items", user=user)
    db.session.flush()


def stored() -> list[Entry]:
    """The stored menu as the builder shows it."""
    rows = list(db.session.scalars(sa.select(MenuItem).order_by(MenuItem.position, MenuItem.id)))
    tops = [r for r in rows if r.parent_id is None]
    entries = []
    for top in tops:
        entry = _as_entry(top)
        entry.children = [_as_entry(r) for r in rows if r.parent_id == top.id]
        entries.append(entry)
    return entries


def _as_entry(row: MenuItem) -> Entry:
    return Entry(
        label=row.label,
        label_en=row.label_en,
        target=row.target.value,
        category_id=row.category_id,
        page_id=row.page_id,
        url=row.url,
    )


def as_json(entries: list[Entry]) -> list[dict]:
    return [
        {
            "label": e.label,
            "label_en": e.label_en,
            "target": e.target,
            "category_id": e.category_id,
            "page_id": e.page_id,
            "url": e.url,
            "children": as_json(e.children),
        }
        for e in entries
    ]


# ---------------------------------------------------------------- for readers


def _page_paths() -> dict[int, str]:
    """Reader paths of the pages readers can open (every page on the chain published)."""
    return {row.page.id: row.path for row in site_pages.reader_rows()}


def header_items() -> list[SimpleNamespace]:
    """The menu readers see (plain values). Items whose target is gone or hidden are left
    out, and so is a heading left without children. Empty when no menu was built."""
    rows = list(db.session.scalars(sa.select(MenuItem).order_by(MenuItem.position, MenuItem.id)))
    if not rows:
        return []
    root = request.script_root if has_request_context() else ""
    categories = {c.id: c.slug for c in db.session.scalars(sa.select(Category))}
    pages = _page_paths()

    def href(row: MenuItem) -> str | None | bool:
        if row.target == MenuTarget.HOME:
            return f"{root}/"
        if row.target == MenuTarget.CATEGORY:
            slug = categories.get(row.category_id)
            return f"{root}/category/{slug}" if slug else False
        if row.target == MenuTarget.PAGE:
            path = pages.get(row.page_id)
            return f"{root}/page/{path}" if path else False
        if row.target in FIXED_PATHS:
            return root + FIXED_PATHS[row.target]
        if row.target == MenuTarget.URL:
            return row.url if is_web_url(row.url) else False
        return None  # a heading

    def snap(row: MenuItem, children: list[SimpleNamespace]) -> SimpleNamespace | None:
        link = href(row)
        if link is False:
            return None
        if link is None and not children:
            return None
        return SimpleNamespace(
            id=row.id,
            label=row.label,
            label_en=row.label_en,
            href=link,
            external=row.target == MenuTarget.URL,
            category_id=row.category_id if row.target == MenuTarget.CATEGORY else None,
            children=children,
        )

    items = []
    for top in (r for r in rows if r.parent_id is None):
        kids = [snap(r, []) for r in rows if r.parent_id == top.id]
        item = snap(top, [k for k in kids if k is not None])
        if item is not None:
            items.append(item)
    return items


# ---------------------------------------------------------------- demo content


def seed_demo(user: User | None = None) -> None:
    """A realistic two-level menu for the demo office (only on a site without a menu):
    Trang chủ, Giới thiệu ▸ its pages, Tin tức ▸ the categories, Văn bản, Lịch công tác,
    Liên hệ. The caller commits (after the pages and categories exist)."""
    if db.session.scalar(sa.select(MenuItem.id).limit(1)) is not None:
        return
    pages = {row.path: row.page for row in site_pages.tree(include_deleted=False)}
    categories = list(db.session.scalars(sa.select(Category).order_by(Category.position)))

    def page_entry(path: str, label: str, label_en: str) -> Entry | None:
        page = pages.get(path)
        if page is None:
            return None
        return Entry(label=label, label_en=label_en, target="page", page_id=page.id)

    about = [
        page_entry("gioi-thieu", "Tổng quan", "Overview"),
        page_entry("gioi-thieu/chuc-nang-nhiem-vu", "Chức năng nhiệm vụ", "Functions and duties"),
        page_entry("gioi-thieu/co-cau-to-chuc", "Cơ cấu tổ chức", "Organisation"),
        page_entry("gioi-thieu/lanh-dao", "Lãnh đạo", "Leaders"),
    ]
    about_children = [e for e in about if e is not None]
    news = [Entry(label=c.name, target="category", category_id=c.id) for c in categories[:6]]
    items = [Entry(label="Trang chủ", label_en="Home", target="home")]
    if about_children:
        items.append(
            Entry(label="Giới thiệu", label_en="About", target="none", children=about_children)
        )
    if news:
        items.append(Entry(label="Tin tức", label_en="News", target="none", children=news))
    items += [
        Entry(label="Văn bản", label_en="Documents", target="documents"),
        Entry(label="Lịch công tác", label_en="Work schedule", target="schedule"),
        Entry(label="Liên hệ", label_en="Contact", target="contacts"),
    ]
    parsed = Parsed(items, [])
    replace(parsed, user)
