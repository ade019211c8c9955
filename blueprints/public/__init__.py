"""Readers' pages. Route modules attach their views to the one blueprint."""

from blueprints.public import comments, feeds, language, pages, search  # noqa: F401
from blueprints.public.blueprint import bp

__all__ = ["bp"]
