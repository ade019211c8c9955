"""Placeholder dashboard until the editor issue lands."""

from flask import render_template

from bantin.permissions import staff_required
from blueprints.editor.blueprint import bp


@bp.get("/")
@staff_required
def dashboard():
    """The editor's dashboard."""
    return render_template("editor/dashboard.html")
