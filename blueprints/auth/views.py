"""Placeholder until the editor issue lands: the sign-in page."""

from flask import render_template

from blueprints.auth.blueprint import bp


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in."""
    return render_template("auth/login.html")
