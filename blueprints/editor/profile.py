"""Everyone's own profile: name and password."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user

from bantin import audit, login_guard
from bantin.database import write_lock
from bantin.extensions import db
from bantin.models import User
from bantin.permissions import Capability, requires
from bantin.web.net import client_ip
from blueprints.editor.blueprint import bp
from blueprints.editor.forms_site import PasswordChangeForm, ProfileForm

# One answer for every failure of the current password (wrong, or refused while the
# sign-in lock is on): no message may confirm a guess.
CURRENT_PASSWORD_FAILED = _l(
    "Không xác nhận được mật khẩu hiện tại. Nếu đã nhập sai nhiều lần, "
    "vui lòng thử lại sau 15 phút."
)
FAILED_ACTION = "user.password_change_failure"


def _page(profile_form: ProfileForm, password_form: PasswordChangeForm, status: int = 200):
    return (
        render_template(
            "editor/profile.html", profile_form=profile_form, password_form=password_form
        ),
        status,
    )


@bp.get("/profile")
@requires(Capability.PROFILE)
def profile():
    """The signed-in user's own name and password."""
    return _page(ProfileForm(obj=current_user), PasswordChangeForm(formdata=None))


@bp.post("/profile")
@requires(Capability.PROFILE)
def profile_update():
    """Change one's own display name."""
    form = ProfileForm()
    if not form.validate():
        return _page(form, PasswordChangeForm(formdata=None), 400)
    user = current_user._get_current_object()
    before = user.name
    user.name = form.name.data
    audit.record("user.profile", "user", user.id, f"{before} -> {user.name}")
    db.session.commit()
    flash(_("Đã lưu tên của bạn."), "success")
    return redirect(url_for("editor.profile"), 303)


@bp.post("/profile/password")
@requires(Capability.PROFILE)
def profile_password():
    """Change one's own password: every other session and remember-me cookie ends.

    The current password is guessed at the sign-in's pace, not faster: each check reserves
    an attempt with the sign-in lockout (per account and address), is refused while either
    is locked, and every failure is audited. A wrong password and a refusal read the same,
    and nothing else depends on whether the current password was right.
    """
    form = PasswordChangeForm()
    user = current_user._get_current_object()
    if form.validate():
        current, new = form.current_password.data, form.new_password.data
        if new == current:
            # Decided from the typed values alone: it says nothing about the current one.
            form.new_password.errors.append(_("Mật khẩu mới phải khác mật khẩu hiện tại."))
        elif (attempt := _check_current_password(user, current)) is not None:
            user.set_password(new)  # the slow hash, before queueing to write
            with write_lock():
                login_guard.succeeded(attempt)
                user.revoke_sessions()
                audit.record("user.password_change", "user", user.id, user.email)
                db.session.commit()
            remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
            # This browser stays signed in under the new session version.
            login_user(user, remember=remember_cookie in request.cookies)
            flash(_("Đã đổi mật khẩu. Các phiên đăng nhập khác đã bị đăng xuất."), "success")
            return redirect(url_for("editor.profile"), 303)
        else:
            form.current_password.errors.append(CURRENT_PASSWORD_FAILED)
    # Passwords are never sent back to the browser, even on an error.
    for name in ("current_password", "new_password", "confirm"):
        getattr(form, name).data = ""
    return _page(ProfileForm(formdata=None, obj=user), form, 400)


def _check_current_password(user: User, password: str) -> login_guard.Attempt | None:
    """Check the current password under the sign-in lockout; audit every failure.

    Returns the reserved attempt when the password is right (the caller marks it a
    success with the change), None when it is wrong or the check was refused."""

    def refused(_lock: login_guard.Lock) -> None:
        audit.record_repeat(FAILED_ACTION, "user", user.id, "locked out", user=user)

    attempt = login_guard.reserve(user.email, client_ip(), on_refused=refused)
    if attempt.refused:
        return None
    if not user.check_password(password):
        # The reserved attempt stays a failure: it counts toward the sign-in lock too.
        with write_lock():
            audit.record_repeat(FAILED_ACTION, "user", user.id, "wrong current password", user=user)
            db.session.commit()
        return None
    return attempt
