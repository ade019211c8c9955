"""Everything behind sign-in."""

from blueprints.editor import (  # noqa: F401
    articles,
    audit_log,
    autosave,
    categories,
    comments,
    dashboard,
    layout,
    links,
    media,
    profile,
    settings,
    users,
)
from blueprints.editor.blueprint import bp

__all__ = ["bp"]
