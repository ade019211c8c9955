"""The header menu builder (two levels)."""

from blueprints.editor.blueprint import bp  # noqa: F401
