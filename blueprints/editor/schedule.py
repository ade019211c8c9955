"""The weekly work schedule in the editor."""

from blueprints.editor.blueprint import bp  # noqa: F401
