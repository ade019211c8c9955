from flask import Blueprint, redirect, request, url_for
from flask_login import current_user

bp = Blueprint("editor", __name__)


@bp.before_request
def _require_login():
    """The whole editor needs a signed-in, active user (roles are checked per view)."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    return None


@bp.after_request
def _no_store(response):
    # Editor pages hold unpublished work and personal data: never cache them.
    response.headers["Cache-Control"] = "no-store"
    return response
