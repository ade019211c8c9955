"""Everything behind sign-in."""

from blueprints.editor import dashboard  # noqa: F401
from blueprints.editor.blueprint import bp

__all__ = ["bp"]
