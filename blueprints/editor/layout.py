"""The editor's menu: the entries for this user's role."""

from dataclasses import dataclass

from flask import request, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_login import current_user

from blueprints.editor.blueprint import bp


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy string, translated when rendered
    admin_only: bool = False
    # Endpoints starting with this prefix mark the entry as the current page.
    prefix: str = ""
    badge: str = ""  # the name of a template variable holding a count


NAV = (
    NavItem("editor.dashboard", _l("Tổng quan"), prefix="editor.dashboard"),
    NavItem("editor.articles", _l("Bài viết"), prefix="editor.article"),
    NavItem("editor.comments", _l("Bình luận"), prefix="editor.comment", badge="pending"),
    NavItem("editor.media_library", _l("Thư viện ảnh và tệp"), prefix="editor.media"),
    NavItem("editor.documents", _l("Văn bản"), prefix="editor.document"),
    NavItem("editor.pages", _l("Trang giới thiệu"), prefix="editor.page"),
    NavItem("editor.schedule", _l("Lịch công tác"), prefix="editor.schedule"),
    NavItem("editor.contacts", _l("Danh bạ"), prefix="editor.contact"),
    NavItem(
        "editor.categories",
        lazy_pgettext("plural", "Chuyên mục"),  # "Categories"; the field label is singular
        admin_only=True,
        prefix="editor.categor",
    ),
    NavItem("editor.links", _l("Liên kết web"), admin_only=True, prefix="editor.link"),
    NavItem("editor.menu_builder", _l("Menu"), admin_only=True, prefix="editor.menu"),
    NavItem("editor.settings", _l("Cài đặt"), admin_only=True, prefix="editor.settings"),
    NavItem("editor.users", _l("Người dùng"), admin_only=True, prefix="editor.user"),
    NavItem("editor.mail_status", _l("Thư điện tử"), admin_only=True, prefix="editor.mail"),
    NavItem("editor.audit_log", _l("Nhật ký"), admin_only=True, prefix="editor.audit"),
)


@dataclass(frozen=True)
class NavLink:
    url: str
    label: object
    current: bool
    badge: str


@bp.app_template_global()
def editor_nav() -> list[NavLink]:
    """The menu entries this user may open, in order."""
    is_admin = bool(getattr(current_user, "is_admin", False))
    here = request.endpoint or ""
    links = []
    for item in NAV:
        if item.admin_only and not is_admin:
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
