"""The editor's menu: the entries this user's role may open (bantin.permissions)."""

from dataclasses import dataclass

from flask import request, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from bantin.models import Role
from bantin.permissions import Capability, can
from blueprints.editor.blueprint import bp


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy string, translated when rendered
    capability: Capability  # shown to those who have it (bantin.permissions)
    # Endpoints starting with this prefix mark the entry as the current page.
    prefix: str = ""
    badge: str = ""  # the name of a template variable holding a count


NAV = (
    NavItem("editor.dashboard", _l("Tổng quan"), Capability.DASHBOARD, prefix="editor.dashboard"),
    NavItem("editor.articles", _l("Bài viết"), Capability.WRITE_ARTICLES, prefix="editor.article"),
    NavItem(
        "editor.comments",
        _l("Bình luận"),
        Capability.MODERATE_COMMENTS,
        prefix="editor.comment",
        badge="pending",
    ),
    NavItem(
        "editor.questions",
        _l("Hỏi đáp"),
        Capability.MODERATE_COMMENTS,
        prefix="editor.question",
        badge="questions",
    ),
    NavItem(
        "editor.media_library",
        _l("Thư viện ảnh và tệp"),
        Capability.UPLOAD_MEDIA,
        prefix="editor.media",
    ),
    NavItem("editor.documents", _l("Văn bản"), Capability.MANAGE_PORTAL, prefix="editor.document"),
    NavItem("editor.pages", _l("Trang giới thiệu"), Capability.MANAGE_PORTAL, prefix="editor.page"),
    NavItem(
        "editor.schedule", _l("Lịch công tác"), Capability.MANAGE_PORTAL, prefix="editor.schedule"
    ),
    NavItem("editor.contacts", _l("Danh bạ"), Capability.MANAGE_PORTAL, prefix="editor.contact"),
    NavItem(
        "editor.categories",
        lazy_pgettext("plural", "Chuyên mục"),  # "Categories"; the field label is singular
        Capability.MANAGE_CATEGORIES,
        prefix="editor.categor",
    ),
    NavItem("editor.links", _l("Liên kết web"), Capability.MANAGE_LINKS, prefix="editor.link"),
    NavItem("editor.menu_builder", _l("Menu"), Capability.MANAGE_MENU, prefix="editor.menu"),
    NavItem("editor.settings", _l("Cài đặt"), Capability.MANAGE_SETTINGS, prefix="editor.settings"),
    NavItem("editor.users", _l("Người dùng"), Capability.MANAGE_USERS, prefix="editor.user"),
    NavItem("editor.mail_status", _l("Thư điện tử"), Capability.MAIL_STATUS, prefix="editor.mail"),
    NavItem("editor.audit_log", _l("Nhật ký"), Capability.READ_AUDIT, prefix="editor.audit"),
)


@dataclass(frozen=True)
class NavLink:
    url: str
    label: object
    current: bool
    badge: str


# Templates ask the capability table too: {% if can("publish_articles") %}.
bp.app_template_global("can")(can)

ROLE_NAMES = {
    Role.CONTRIBUTOR: _l("Cộng tác viên"),
    Role.EDITOR: _l("Biên tập viên"),
    Role.ADMIN: _l("Quản trị viên"),
}


@bp.app_template_filter()
def role_name(role: Role | str | None) -> str:
    """A role as people call it: {{ user.role|role_name }}."""
    try:
        return str(ROLE_NAMES[Role(role)])
    except ValueError:
        return ""


@bp.app_template_global()
def editor_nav() -> list[NavLink]:
    """The menu entries this user may open, in order."""
    here = request.endpoint or ""
    links = []
    for item in NAV:
        if not can(item.capability):
            continue
        links.append(
            NavLink(
                url=url_for(item.endpoint),
                label=item.label,
                current=bool(item.prefix) and here.startswith(item.prefix),
                badge=item.badge,
            )
        )
    return links
