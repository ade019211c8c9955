from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from bantin.permissions import Capability, can

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


@bp.errorhandler(403)
def _forbidden(error):
    """A refusal inside the editor stays in the editor, with a way back to what one may do."""
    back = url_for("editor.dashboard") if can(Capability.DASHBOARD) else url_for("public.home")
    return render_template("editor/forbidden.html", back=back), 403
