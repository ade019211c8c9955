"""The page service: pages in a tree (Giới thiệu › Cơ cấu tổ chức …), each change through `save()`.

`save()` normalises text (NFC), sanitises both bodies (Vietnamese and English) exactly like
article bodies (bantin.sanitize, the canonical writer of bantin.document), derives the slug,
checks the tree rules (a slug unique among its siblings, a parent never one of the page's own
descendants), bumps `version` with an optimistic check, stores a revision and records an
audit event. The caller commits.

Readers reach a page by the chain of its slugs and its ancestors' (`/page/gioi-thieu/lanh-dao`):
`find_by_path` answers None when any page on the chain is missing or not published.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa

from bantin import audit
from bantin.articles import publish_check
from bantin.clock import utcnow
from bantin.extensions import db
from bantin.models import Page, PageRevision, PageStatus, User
from bantin.sanitize import clean_html
from bantin.text import clean_line, nfc, slugify

NOTE_REVISION_RESTORE = "revision_restore"
SLUG_MAX = 200
# The path of a page is at most this deep (a portal's "about" section is two or three).
MAX_DEPTH = 8

EDITABLE_FIELDS = (
    "title",
    "slug",
    "parent_id",
    "body",
    "title_en",
    "body_en",
    "position",
    "status",
    "needs_english",
)


class EditConflict(Exception):
    """Someone saved the page after this form was opened."""

    def __init__(self, page: Page) -> None:
        super().__init__(f"page {page.id} changed (now version {page.version})")
        self.page = page


class InvalidChange(ValueError):
    """A change the tree rules refuse; `field` names the form field it belongs to."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


# ---------------------------------------------------------------- the tree rules


def slug_taken(parent_id: int | None, slug: str, exclude_id: int | None = None) -> bool:
    """A sibling (same parent; top level counts as one parent) already has this slug."""
    parent_clause = Page.parent_id.is_(None) if parent_id is None else Page.parent_id == parent_id
    stmt = sa.select(Page.id).where(parent_clause, Page.slug == slug)
    if exclude_id is not None:
        stmt = stmt.where(Page.id != exclude_id)
    return db.session.scalar(stmt.limit(1)) is not None


def ancestors(page_id: int | None) -> list[int]:
    """The ids from `page_id` up to the top (itself first); stops on a loop in stored data."""
    chain: list[int] = []
    current = page_id
    while current is not None and current not in chain and len(chain) <= 1000:
        chain.append(current)
        current = db.session.scalar(sa.select(Page.parent_id).where(Page.id == current))
    return chain


def would_cycle(page_id: int | None, parent_id: int | None) -> bool:
    """True when `parent_id` is the page itself or one of its descendants."""
    return page_id is not None and page_id in ancestors(parent_id)


def depth_of(parent_id: int | None) -> int:
    """How deep a child of `parent_id` sits (a top-level page is 1)."""
    return len(ancestors(parent_id)) + 1


def subtree_height(page_id: int | None) -> int:
    """Levels from the page down to its deepest descendant (the page alone is 1)."""
    if page_id is None:
        return 1
    level, ids = 1, [page_id]
    while level <= MAX_DEPTH + 1:
        ids = list(db.session.scalars(sa.select(Page.id).where(Page.parent_id.in_(ids))))
        if not ids:
            break
        level += 1
    return level


def path_of(page: Page) -> str:
    """The reader's path of a page: its ancestors' slugs and its own, joined with '/'."""
    slugs = []
    current: Page | None = page
    seen: set[int] = set()
    while current is not None and current.id not in seen:
        seen.add(current.id)
        slugs.append(current.slug)
        current = current.parent
    return "/".join(reversed(slugs))


def find_by_path(path: str, visible_only: bool = True) -> list[Page] | None:
    """The chain of pages (top first) for a path of slugs, or None.

    None when a slug has no page under the previous one, or (for readers) when any page on
    the chain is not published: an unpublished section hides everything under it.
    """
    slugs = [part for part in path.split("/") if part]
    if not slugs or len(slugs) > MAX_DEPTH or any(len(s) > SLUG_MAX for s in slugs):
        return None
    chain: list[Page] = []
    parent_id: int | None = None
    for slug in slugs:
        parent_clause = (
            Page.parent_id.is_(None) if parent_id is None else Page.parent_id == parent_id
        )
        page = db.session.scalar(
            sa.select(Page).where(parent_clause, Page.slug == slug).order_by(Page.id).limit(1)
        )
        if page is None or (visible_only and not page.is_visible()):
            return None
        chain.append(page)
        parent_id = page.id
    return chain


def visible_children(page: Page) -> list[Page]:
    return list(
        db.session.scalars(
            sa.select(Page)
            .where(Page.parent_id == page.id, Page.visible_clause())
            .order_by(Page.position, Page.id)
        )
    )


@dataclass
class TreeRow:
    page: Page
    depth: int  # 0 for a top-level page
    path: str


def tree(include_deleted: bool = True) -> list[TreeRow]:
    """Every page in reading order (parents before their children, siblings by position)."""
    pages = list(db.session.scalars(sa.select(Page).order_by(Page.position, Page.id)))
    if not include_deleted:
        pages = [p for p in pages if p.status != PageStatus.DELETED]
    by_parent: dict[int | None, list[Page]] = {}
    ids = {p.id for p in pages}
    for p in pages:
        # A page whose parent is not listed still shows, at the top.
        by_parent.setdefault(p.parent_id if p.parent_id in ids else None, []).append(p)
    rows: list[TreeRow] = []
    seen: set[int] = set()

    def walk(parent_id: int | None, depth: int, prefix: str) -> None:
        for p in by_parent.get(parent_id, []):
            if p.id in seen:
                continue
            seen.add(p.id)
            path = f"{prefix}/{p.slug}" if prefix else p.slug
            rows.append(TreeRow(p, depth, path))
            walk(p.id, depth + 1, path)

    walk(None, 0, "")
    return rows


def reader_rows() -> list[TreeRow]:
    """The pages readers can open (the page and every ancestor published), in tree order:
    for the header menu, and for a sitemap or search that lists pages."""
    visible: list[TreeRow] = []
    open_at_depth: list[bool] = []
    for row in tree(include_deleted=False):
        del open_at_depth[row.depth :]
        is_open = all(open_at_depth) and row.page.is_visible()
        open_at_depth.append(is_open)
        if is_open:
            visible.append(row)
    return visible


def parent_choices(page: Page | None) -> list[TreeRow]:
    """Where a page may go: every page but itself and its descendants (no cycles)."""
    rows = tree(include_deleted=False)
    if page is None or page.id is None:
        return rows
    return [row for row in rows if not would_cycle(page.id, row.page.id)]


# ---------------------------------------------------------------- saving


def _normalise(field: str, value: Any) -> Any:
    if field in {"title", "title_en"}:
        return clean_line(value)
    if field in {"body", "body_en"}:
        return clean_html(value)
    if field == "status":
        return PageStatus(value)
    if field == "needs_english":
        return bool(value)
    if field == "position":
        return max(-100_000, min(100_000, int(value or 0)))
    if field == "parent_id":
        return int(value) if value not in (None, "") else None
    return value


def _actions(is_new: bool, was_published: bool, page: Page) -> list[str]:
    now_published = page.status == PageStatus.PUBLISHED
    if is_new:
        return ["page.create"] + (["page.publish"] if now_published else [])
    if now_published and not was_published:
        return ["page.publish"]
    return ["page.edit"]


def save(
    page: Page | None,
    user: User | None,
    changes: dict[str, Any],
    *,
    expected_version: int | None = None,
    action: str | None = None,
) -> Page:
    """Create (page=None) or change a page; the one save path for every caller.

    Raises InvalidChange (a taken slug, a cycle, no title) and EditConflict (the form was
    opened on an older version); in both cases the caller rolls back.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidChange(f"not editable: {sorted(unknown)}")
    is_new = page is None
    now = utcnow()
    user_id = user.id if user is not None else None
    if page is None:
        page = Page(created_by_id=user_id, created_at=now, version=1, position=0)
        was_published = False
    else:
        was_published = page.status == PageStatus.PUBLISHED
        if expected_version is not None:
            bumped = db.session.execute(
                sa.update(Page)
                .where(Page.id == page.id, Page.version == expected_version)
                .values(version=expected_version + 1)
                .execution_options(synchronize_session=False)
            )
            if bumped.rowcount != 1:
                db.session.refresh(page)
                raise EditConflict(page)
            page.version = expected_version + 1
        else:
            page.version = Page.version + 1

    values = {
        field: _normalise(field, value) for field, value in changes.items() if field != "slug"
    }
    if "parent_id" in values:
        parent_id = values["parent_id"]
        if parent_id is not None and db.session.get(Page, parent_id) is None:
            raise InvalidChange("no such parent page", "parent_id")
        if would_cycle(page.id, parent_id):
            raise InvalidChange("a page cannot sit under itself or its own sub-page", "parent_id")
        if depth_of(parent_id) + subtree_height(page.id) - 1 > MAX_DEPTH:
            raise InvalidChange("too deep", "parent_id")
    for field, value in values.items():
        setattr(page, field, value)
    if not page.title:
        raise InvalidChange("a page needs a title", "title")
    if "slug" in changes or is_new:
        page.slug = slugify(nfc(changes.get("slug") or "") or page.title, max_length=SLUG_MAX)
    if slug_taken(page.parent_id, page.slug, page.id):
        raise InvalidChange("slug taken", "slug")
    page.updated_at = now
    page.updated_by_id = user_id
    db.session.add(page)
    db.session.flush()

    actions = [action] if action else _actions(is_new, was_published, page)
    last = db.session.scalar(
        sa.select(sa.func.max(PageRevision.number)).where(PageRevision.page_id == page.id)
    )
    db.session.add(
        PageRevision(
            page_id=page.id,
            number=(last or 0) + 1,
            title=page.title,
            body=page.body,
            title_en=page.title_en,
            body_en=page.body_en,
            user_id=user_id,
            created_at=now,
        )
    )
    detail = f"{page.title[:300]} [{page.status.value}]"
    for name in actions:
        audit.record(name, "page", page.id, detail, user=user)
    db.session.flush()
    return page


def can_publish(body: str) -> bool:
    """The same rule as articles: every image described (alt, or alt="")."""
    return not publish_check(body).images_without_alt


def move_to_trash(page: Page, user: User | None) -> Page:
    return save(page, user, {"status": PageStatus.DELETED.value}, action="page.delete")


def restore_from_trash(page: Page, user: User | None) -> Page:
    return save(page, user, {"status": PageStatus.DRAFT.value}, action="page.restore")


def restore_revision(page: Page, revision: PageRevision, user: User | None) -> Page:
    """Both languages' titles and bodies come back; the restore is a new revision."""
    return save(
        page,
        user,
        {
            "title": revision.title,
            "body": revision.body,
            "title_en": revision.title_en,
            "body_en": revision.body_en,
        },
        action="page.revision_restore",
    )


def revisions(page: Page) -> Sequence[PageRevision]:
    return db.session.scalars(
        sa.select(PageRevision)
        .where(PageRevision.page_id == page.id)
        .order_by(PageRevision.number.desc(), PageRevision.id.desc())
        .limit(500)
    ).all()


def missing_english(page: Page) -> bool:
    """A page that must have English (the organisation, the contacts) but lacks it."""
    return page.needs_english and not page.has_english


# ---------------------------------------------------------------- for readers


def reader_view(chain: list[Page]) -> SimpleNamespace:
    """What the reader page shows: the page, its breadcrumbs (with paths) and children."""
    page = chain[-1]
    crumbs, prefix = [], ""
    for p in chain:
        prefix = f"{prefix}/{p.slug}" if prefix else p.slug
        crumbs.append(SimpleNamespace(title=p.title, title_en=p.title_en, path=prefix))
    children = [
        SimpleNamespace(title=c.title, title_en=c.title_en, path=f"{prefix}/{c.slug}")
        for c in visible_children(page)
    ]
    return SimpleNamespace(page=page, path=prefix, crumbs=crumbs, children=children)


# ---------------------------------------------------------------- demo content

DEMO_PAGES: list[dict] = [
    {
        "key": "gioi-thieu",
        "title": "Giới thiệu",
        "title_en": "About the commune",
        "needs_english": True,
        "body": (
            "<p>Xã Hòa Phong nằm ở phía tây huyện Thăng Bình Tây, có 9 thôn với gần 3.200 hộ "
            "dân. Người dân chủ yếu sống bằng trồng lúa, rau màu, chăn nuôi và một số nghề "
            "thủ công như đan lát, làm bánh tráng.</p>"
            "<p>Trang này giới thiệu chức năng, nhiệm vụ, cơ cấu tổ chức và lãnh đạo của "
            "Ủy ban nhân dân xã.</p>"
        ),
        "body_en": (
            "<p>Hòa Phong lies in the west of Thăng Bình Tây district: nine hamlets and close "
            "to 3,200 households who live mostly from rice, vegetables, livestock and a few "
            "crafts such as basket weaving and rice paper making.</p>"
            "<p>These pages present the functions, duties, structure and leaders of the "
            "commune People's Committee.</p>"
        ),
    },
    {
        "key": "chuc-nang-nhiem-vu",
        "parent": "gioi-thieu",
        "title": "Chức năng nhiệm vụ",
        "title_en": "Functions and duties",
        "needs_english": True,
        "body": (
            "<p>Ủy ban nhân dân xã là cơ quan hành chính nhà nước ở cơ sở, chịu trách nhiệm "
            "trước Hội đồng nhân dân xã và Ủy ban nhân dân huyện.</p>"
            "<h2>Nhiệm vụ chính</h2>"
            "<ul><li><p>Tổ chức thực hiện nghị quyết của Hội đồng nhân dân xã.</p></li>"
            "<li><p>Quản lý đất đai, xây dựng, giao thông, thủy lợi trên địa bàn.</p></li>"
            "<li><p>Giải quyết thủ tục hành chính cho người dân tại bộ phận một cửa.</p></li>"
            "<li><p>Bảo đảm an ninh trật tự, phòng chống thiên tai.</p></li></ul>"
        ),
        "body_en": (
            "<p>The commune People's Committee is the local body of state administration, "
            "answerable to the commune People's Council and the district People's "
            "Committee.</p>"
            "<h2>Main duties</h2>"
            "<ul><li><p>Carry out the resolutions of the commune People's Council.</p></li>"
            "<li><p>Manage land, building, roads and irrigation in the commune.</p></li>"
            "<li><p>Handle administrative procedures for residents at the one-stop "
            "desk.</p></li>"
            "<li><p>Keep public order and prepare for natural disasters.</p></li></ul>"
        ),
    },
    {
        "key": "co-cau-to-chuc",
        "parent": "gioi-thieu",
        "title": "Cơ cấu tổ chức",
        "title_en": "Organisation",
        "needs_english": True,
        "body": (
            "<p>Ủy ban nhân dân xã gồm Chủ tịch, hai Phó Chủ tịch và các ủy viên phụ trách "
            "công an, quân sự. Giúp việc cho Ủy ban có các công chức chuyên môn:</p>"
            "<ul><li><p>Văn phòng - Thống kê</p></li><li><p>Địa chính - Xây dựng - Nông "
            "nghiệp - Môi trường</p></li><li><p>Tài chính - Kế toán</p></li>"
            "<li><p>Tư pháp - Hộ tịch</p></li><li><p>Văn hóa - Xã hội</p></li></ul>"
        ),
        "body_en": (
            "<p>The commune People's Committee has a chair, two vice-chairs and members in "
            "charge of police and the militia. Civil servants support it in these "
            "fields:</p>"
            "<ul><li><p>Office and statistics</p></li><li><p>Land, building, agriculture "
            "and environment</p></li><li><p>Finance and accounting</p></li>"
            "<li><p>Justice and civil registration</p></li><li><p>Culture and social "
            "affairs</p></li></ul>"
        ),
    },
    {
        "key": "lanh-dao",
        "parent": "gioi-thieu",
        "title": "Lãnh đạo",
        "title_en": "Leaders",
        "needs_english": True,
        "body": (
            "<table><thead><tr><th><p>Họ và tên</p></th><th><p>Chức vụ</p></th>"
            "<th><p>Lĩnh vực phụ trách</p></th></tr></thead><tbody>"
            "<tr><td><p>Trần Văn Hưng</p></td><td><p>Chủ tịch UBND xã</p></td>"
            "<td><p>Chỉ đạo chung, nội chính</p></td></tr>"
            "<tr><td><p>Lê Thị Thu Hà</p></td><td><p>Phó Chủ tịch</p></td>"
            "<td><p>Văn hóa, xã hội, giáo dục, y tế</p></td></tr>"
            "<tr><td><p>Phạm Minh Đức</p></td><td><p>Phó Chủ tịch</p></td>"
            "<td><p>Kinh tế, nông nghiệp, xây dựng</p></td></tr></tbody></table>"
        ),
        "body_en": (
            "<table><thead><tr><th><p>Name</p></th><th><p>Position</p></th>"
            "<th><p>In charge of</p></th></tr></thead><tbody>"
            "<tr><td><p>Trần Văn Hưng</p></td><td><p>Chair</p></td>"
            "<td><p>General direction, internal affairs</p></td></tr>"
            "<tr><td><p>Lê Thị Thu Hà</p></td><td><p>Vice-chair</p></td>"
            "<td><p>Culture, social affairs, education, health</p></td></tr>"
            "<tr><td><p>Phạm Minh Đức</p></td><td><p>Vice-chair</p></td>"
            "<td><p>Economy, agriculture, building</p></td></tr></tbody></table>"
        ),
    },
    {
        "key": "lien-he",
        "title": "Liên hệ",
        "title_en": "Contact",
        "needs_english": True,
        "body": (
            "<p>Văn phòng UBND xã Hòa Phong tiếp công dân vào buổi sáng các ngày làm việc, "
            "từ 7 giờ 30 đến 11 giờ 30.</p>"
            "<p>Địa chỉ: Thôn Phú Lộc, xã Hòa Phong, huyện Thăng Bình Tây. Điện thoại: "
            "0235 3 000 000. Thư điện tử: vanphong@hoaphong.example.org.</p>"
        ),
        "body_en": (
            "<p>The office of the Hòa Phong People's Committee receives citizens on working "
            "mornings from 7:30 to 11:30.</p>"
            "<p>Address: Phú Lộc hamlet, Hòa Phong commune, Thăng Bình Tây district. Phone: "
            "0235 3 000 000. Email: vanphong@hoaphong.example.org.</p>"
        ),
    },
    {
        "key": "quy-che-hoat-dong",
        "parent": "gioi-thieu",
        "title": "Quy chế hoạt động",
        "needs_english": False,
        "body": (
            "<p>UBND xã làm việc theo chế độ tập thể kết hợp với trách nhiệm của Chủ tịch. "
            "Các cuộc họp thường kỳ diễn ra vào sáng thứ Hai đầu tháng.</p>"
        ),
    },
]


def seed_demo(user: User | None = None) -> dict[str, Page]:
    """The demo office's pages (published), both languages where they must be; skips pages
    that already exist (same slug under the same parent). The caller commits."""
    made: dict[str, Page] = {}
    for position, item in enumerate(DEMO_PAGES):
        parent = made.get(item.get("parent", ""))
        parent_id = parent.id if parent is not None else None
        parent_clause = (
            Page.parent_id.is_(None) if parent_id is None else Page.parent_id == parent_id
        )
        existing = db.session.scalar(sa.select(Page).where(parent_clause, Page.slug == item["key"]))
        if existing is not None:
            made[item["key"]] = existing
            continue
        made[item["key"]] = save(
            None,
            user,
            {
                "title": item["title"],
                "slug": item["key"],
                "parent_id": parent_id,
                "body": item["body"],
                "title_en": item.get("title_en", ""),
                "body_en": item.get("body_en", ""),
                "position": position,
                "status": PageStatus.PUBLISHED.value,
                "needs_english": item["needs_english"],
            },
        )
    return made
