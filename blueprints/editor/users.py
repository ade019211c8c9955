"""Users (admin): invite, edit name, role and language, disable/enable, send a link to
set a new password.

Nobody reads a password off the screen: a new user gets an invitation by email (a link to
set their own password, 72 hours, single use), and "Đặt lại mật khẩu" mails a reset link
(1 hour). When mail is off, the admin sees the link once, to hand over.

Users are never deleted (their names stay on articles and in the audit log); a
disabled user cannot sign in. The last active admin can be neither demoted nor disabled.
"""

import secrets

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from bantin import audit, two_factor
from bantin.extensions import db
from bantin.mail import accounts, outbox
from bantin.models import Role, TokenPurpose, User
from bantin.permissions import Capability, requires
from blueprints.editor.blueprint import bp
from blueprints.editor.forms_site import UserCreateForm, UserEditForm, language_field

ID = "int(max=2147483647)"
LANGUAGE_LABEL = _l("Ngôn ngữ của thư gửi người này")


class InviteForm(UserCreateForm):
    password = None  # the invited user chooses it
    language = language_field(LANGUAGE_LABEL)


class UserLanguageForm(UserEditForm):
    language = language_field(LANGUAGE_LABEL)


def unusable_password() -> str:
    """A password nobody knows: the account waits for its invitation link."""
    return secrets.token_urlsafe(32)


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
    return (
        render_template(
            "editor/users.html",
            users=users,
            invited=accounts.pending_invitations(),
            error=error,
            mail_on=outbox.enabled(),
        ),
        status,
    )


@bp.get("/users")
@requires(Capability.MANAGE_USERS)
def users():
    """Everyone who can sign in (and those disabled)."""
    return _list()


@bp.route("/users/new", methods=["GET", "POST"])
@requires(Capability.MANAGE_USERS)
def user_new():
    """Create a user and invite them to set their password (mailed, or shown once)."""
    form = InviteForm()
    if request.method == "POST":
        if form.validate():
            email = form.email.data
            if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
                form.email.errors.append(_("Đã có người dùng với email này."))
            else:
                user = User(
                    email=email,
                    name=form.name.data,
                    role=Role(form.role.data),
                    language=form.language.data,
                )
                user.set_password(unusable_password())
                db.session.add(user)
                db.session.flush()
                inviter = current_user._get_current_object()
                link = accounts.send_link(user, TokenPurpose.INVITE, inviter=inviter)
                mailed = outbox.enabled()
                audit.record("user.create", "user", user.id, f"{user.email} role={user.role}")
                audit.record(
                    "user.invite", "user", user.id, "link mailed" if mailed else "link shown"
                )
                db.session.commit()
                # Rendered, not redirected: the link must never travel in the session.
                return _link_page(user, None if mailed else link, created=True)
        return _form_page(form, None), 400
    return _form_page(form, None)


def _form_page(form, user: User | None):
    return render_template("editor/user_form.html", form=form, user=user, mail_on=outbox.enabled())


def _link_page(user: User, link: str | None, created: bool):
    response = render_template("editor/user_invited.html", user=user, link=link, created=created)
    return response, 200, {"Cache-Control": "no-store"}


@bp.route(f"/users/<{ID}:user_id>/edit", methods=["GET", "POST"])
@requires(Capability.MANAGE_USERS)
def user_edit(user_id: int):
    """Change a user's name or role."""
    user = db.get_or_404(User, user_id)
    form = UserLanguageForm(obj=user)
    if request.method == "GET":
        form.role.data = user.role.value
        return _form_page(form, user)
    if form.validate():
        before = f"{user.name} role={user.role} language={user.language}"
        user.name = form.name.data
        user.role = Role(form.role.data)
        user.language = form.language.data
        if _keeps_an_admin():
            audit.record(
                "user.update",
                "user",
                user.id,
                f"{before} -> {user.name} role={user.role} language={user.language}",
            )
            db.session.commit()
            flash(_("Đã lưu thông tin của %(name)s.", name=user.name), "success")
            if not current_user.is_admin:  # an admin who just made themself an editor
                return redirect(url_for("editor.dashboard"), 303)
            return redirect(url_for("editor.users"), 303)
        form.role.errors.append(_last_admin_message())
    return _form_page(form, user), 400


@bp.post(f"/users/<{ID}:user_id>/disable")
@requires(Capability.MANAGE_USERS)
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
@requires(Capability.MANAGE_USERS)
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
@requires(Capability.MANAGE_USERS)
def user_reset_password(user_id: int):
    """Send the user a link to set a new password (shown once when mail is off). The old
    password works until the link is used; then every session of the user ends."""
    user = db.get_or_404(User, user_id)
    inviter = current_user._get_current_object()
    link = accounts.send_link(user, TokenPurpose.RESET, inviter=inviter)
    mailed = outbox.enabled()
    audit.record("user.reset_password", "user", user.id, "link mailed" if mailed else "link shown")
    db.session.commit()
    return _link_page(user, None if mailed else link, created=False)


@bp.post(f"/users/<{ID}:user_id>/two-factor/reset")
@requires(Capability.MANAGE_USERS)
def user_two_factor_reset(user_id: int):
    """Turn off a user's two-factor (a lost phone): their sessions end, and they sign in
    with the password alone until they set it up again. Not one's own: the profile asks
    for the password and a code."""
    user = db.get_or_404(User, user_id)
    if user.id == current_user.id:
        return _list(
            _(
                "Bạn không thể tự tắt xác thực hai bước ở đây; hãy dùng Hồ sơ của tôi "
                "(cần mật khẩu và mã trên ứng dụng)."
            ),
            400,
        )
    if user.two_factor_enabled or user.totp_secret:
        two_factor.disable(user)
        user.revoke_sessions()
        audit.record("two_factor.reset", "user", user.id, user.email)
        db.session.commit()
    flash(
        _(
            "Đã tắt xác thực hai bước của %(name)s. Người này đăng nhập lại bằng mật khẩu "
            "và nên cài lại ngay.",
            name=user.name,
        ),
        "success",
    )
    return redirect(url_for("editor.users"), 303)
