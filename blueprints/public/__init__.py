"""Readers' pages. Route modules attach their views to the one blueprint."""

from blueprints.public import (  # noqa: F401
    comments,
    contacts,
    feeds,
    language,
    official_documents,
    pages,
    questions,
    schedule,
    search,
    site_pages,
)
from blueprints.public.blueprint import bp

__all__ = ["bp"]
