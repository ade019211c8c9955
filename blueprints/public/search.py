"""Placeholder until the search issue lands."""

from flask import render_template, request

from blueprints.public.blueprint import bp


@bp.get("/search")
def search():
    """Search articles."""
    return render_template("public/search.html", q=request.args.get("q", ""))
