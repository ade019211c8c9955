"""Who may do what in the editor: the capability table, the one source of authorisation.

Every editor view names the capability it needs with ``@requires(...)``; the editor's menu,
the templates (``can(...)``) and the access test read the same table.
"""

import enum
from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user

from bantin.models import Role


class Capability(enum.StrEnum):
    # Every signed-in staff member.
    DASHBOARD = "dashboard"
    PROFILE = "profile"
    WRITE_ARTICLES = "write_articles"  # own drafts: write, save, submit for review
    UPLOAD_MEDIA = "upload_media"  # photos and files, for what one writes
    # Editors and admins.
    PUBLISH_ARTICLES = "publish_articles"  # everyone's articles: review, publish, schedule, trash
    MODERATE_COMMENTS = "moderate_comments"  # comments, replies, questions and answers
    MANAGE_CATEGORIES = "manage_categories"
    MANAGE_LINKS = "manage_links"
    MANAGE_PORTAL = "manage_portal"  # documents, pages, the schedule, contacts
    # Admins only.
    RESTORE_ARTICLES = "restore_articles"  # back from the trash
    MANAGE_MENU = "manage_menu"
    MANAGE_SETTINGS = "manage_settings"
    MANAGE_USERS = "manage_users"
    READ_AUDIT = "read_audit"
    MAIL_STATUS = "mail_status"


_CONTRIBUTOR = frozenset(
    {
        Capability.DASHBOARD,
        Capability.PROFILE,
        Capability.WRITE_ARTICLES,
        Capability.UPLOAD_MEDIA,
    }
)
_EDITOR = _CONTRIBUTOR | {
    Capability.PUBLISH_ARTICLES,
    Capability.MODERATE_COMMENTS,
    Capability.MANAGE_CATEGORIES,
    Capability.MANAGE_LINKS,
    Capability.MANAGE_PORTAL,
}
CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.CONTRIBUTOR: _CONTRIBUTOR,
    Role.EDITOR: _EDITOR,
    Role.ADMIN: frozenset(Capability),
}


def role_can(role: Role | None, capability: Capability) -> bool:
    return role is not None and capability in CAPABILITIES.get(role, frozenset())


def can(capability: Capability | str, user=None) -> bool:
    """May this user (the signed-in one by default) do this?"""
    user = current_user if user is None else user
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return role_can(user.role, Capability(capability))


def requires(capability: Capability) -> Callable:
    """Allow only signed-in, active users whose role has this capability; others get 403.

    The view keeps the capability as ``view.capability`` for the access test.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                abort(401)
            if not can(capability):
                abort(403)
            return view(*args, **kwargs)

        wrapped.capability = capability  # type: ignore[attr-defined]
        return wrapped

    return decorator
