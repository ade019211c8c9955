"""Official documents in the editor, their three lists (types, issuers, fields)."""

from blueprints.editor.blueprint import bp  # noqa: F401
