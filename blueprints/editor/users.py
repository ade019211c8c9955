"""Users (admin): create, edit name and role, disable/enable, reset password.

Users are never deleted (their names stay on articles and in the audit log); a
disabled user cannot sign in. The last active admin can be neither demoted nor disabled.
"""

import secrets

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from bantin import audit
from bantin.extensions import db
from bantin.models import Role, User
from bantin.permissions import admin_required
from blueprints.editor.blueprint import bp
from blueprints.editor.forms_site import UserCreateForm, UserEditForm

ID = "int(max=9223372036854775807)"


def new_password() -> str:
    """A random password people can type: 16 characters from a 64-letter alphabet."""
    return secrets.token_urlsafe(12)


def _active_admins() -> int:
    stmt = sa.select(sa.func.count(User.id)).where(User.role == Role.ADMIN, User.active.is_(True))
    return db.session.scalar(stmt) or 0


def _keeps_an_admin() -> bool:
    """Call after flushing a change: SQLite's write lock makes flush-then-count atomic."""
    db.session.flush()
    if _active_admins() >= 1:
        return True
    db.session.rollback()
    return False


def _last_admin_message() -> str:
    return _(
        "Không thể thực hiện: đây là quản trị viên cuối cùng còn hoạt động. "
        "Hãy chỉ định một quản trị viên khác trước."
    )


def _list(error: str | None = None, status: int = 200):
    users = db.session.scalars(sa.select(User).order_by(User.active.desc(), User.name)).all()
    return render_template("editor/users.html", users=users, error=error), status


@bp.get("/users")
@admin_required
def users():
    """Everyone who can sign in (and those disabled)."""
    return _list()


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def user_new():
    """Create a user; a password left empty is generated and shown once."""
    form = UserCreateForm()
    if request.method == "POST":
        if form.validate():
            email = form.email.data
            if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
                form.email.errors.append(_("Đã có người dùng với email này."))
            else:
                password = form.password.data or new_password()
                user = User(email=email, name=form.name.data, role=Role(form.role.data))
                user.set_password(password)
                db.session.add(user)
                db.session.flush()
                audit.record("user.create", "user", user.id, f"{user.email} role={user.role}")
                db.session.commit()
                # Rendered, not redirected: the password must never travel in the session.
                return render_template(
                    "editor/user_password.html",
                    user=user,
                    password=None if form.password.data else password,
                    created=True,
                )
        return render_template("editor/user_form.html", form=form, user=None), 400
    return render_template("editor/user_form.html", form=form, user=None)


@bp.route(f"/users/<{ID}:user_id>/edit", methods=["GET", "POST"])
@admin_required
def user_edit(user_id: int):
    """Change a user's name or role."""
    user = db.get_or_404(User, user_id)
    form = UserEditForm(obj=user)
    if request.method == "GET":
        form.role.data = user.role.value
        return render_template("editor/user_form.html", form=form, user=user)
    if form.validate():
        before = f"{user.name} role={user.role}"
        user.name = form.name.data
        user.role = Role(form.role.data)
        if _keeps_an_admin():
            audit.record(
                "user.update", "user", user.id, f"{before} -> {user.name} role={user.role}"
            )
            db.session.commit()
            flash(_("Đã lưu thông tin của %(name)s.", name=user.name), "success")
            if not current_user.is_admin:  # an admin who just made themself an editor
                return redirect(url_for("editor.dashboard"), 303)
            return redirect(url_for("editor.users"), 303)
        form.role.errors.append(_last_admin_message())
    return render_template("editor/user_form.html", form=form, user=user), 400


@bp.post(f"/users/<{ID}:user_id>/disable")
@admin_required
def user_disable(user_id: int):
    """Disable a user: their sessions end at once and they cannot sign in."""
    user = db.get_or_404(User, user_id)
    if user.id == current_user.id:
        return _list(_("Bạn không thể tự khóa tài khoản của chính mình."), 400)
    if user.active:
        user.active = False
        user.revoke_sessions()
        if not _keeps_an_admin():
            return _list(_last_admin_message(), 400)
        audit.record("user.disable", "user", user.id, user.email)
        db.session.commit()
    flash(_("Đã khóa tài khoản %(email)s.", email=user.email), "success")
    return redirect(url_for("editor.users"), 303)


@bp.post(f"/users/<{ID}:user_id>/enable")
@admin_required
def user_enable(user_id: int):
    """Let a disabled user sign in again."""
    user = db.get_or_404(User, user_id)
    if not user.active:
        user.active = True
        audit.record("user.enable", "user", user.id, user.email)
        db.session.commit()
    flash(_("Đã mở khóa tài khoản %(email)s.", email=user.email), "success")
    return redirect(url_for("editor.users"), 303)


@bp.post(f"/users/<{ID}:user_id>/reset-password")
@admin_required
def user_reset_password(user_id: int):
    """Give a user a new random password, shown once; their old sessions end."""
    user = db.get_or_404(User, user_id)
    password = new_password()
    user.set_password(password)
    user.revoke_sessions()
    audit.record("user.reset_password", "user", user.id, user.email)
    db.session.commit()
    if user.id == current_user.id:
        login_user(user)  # keep this session (with the new version); all others end
    return render_template("editor/user_password.html", user=user, password=password, created=False)
