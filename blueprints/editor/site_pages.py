"""Pages in the editor: the tree, the page form, revisions and preview."""

from blueprints.editor.blueprint import bp  # noqa: F401
