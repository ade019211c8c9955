"""Units and officials' contacts in the editor."""

from blueprints.editor.blueprint import bp  # noqa: F401
