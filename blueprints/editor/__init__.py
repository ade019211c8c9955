"""Everything behind sign-in."""

from blueprints.editor import (  # noqa: F401
    articles,
    audit_log,
    autosave,
    categories,
    comments,
    contacts,
    dashboard,
    layout,
    links,
    mail_status,
    media,
    menu,
    official_documents,
    profile,
    questions,
    schedule,
    settings,
    site_pages,
    users,
)
from blueprints.editor.blueprint import bp

__all__ = ["bp"]
