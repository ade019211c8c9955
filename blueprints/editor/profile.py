"""Everyone's own profile: name and password."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user

from bantin import audit
from bantin.extensions import db
from bantin.permissions import staff_required
from blueprints.editor.blueprint import bp
from blueprints.editor.forms_site import PasswordChangeForm, ProfileForm


def _page(profile_form: ProfileForm, password_form: PasswordChangeForm, status: int = 200):
    return (
        render_template(
            "editor/profile.html", profile_form=profile_form, password_form=password_form
        ),
        status,
    )


@bp.get("/profile")
@staff_required
def profile():
    """The signed-in user's own name and password."""
    return _page(ProfileForm(obj=current_user), PasswordChangeForm(formdata=None))


@bp.post("/profile")
@staff_required
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
@staff_required
def profile_password():
    """Change one's own password: every other session and remember-me cookie ends."""
    form = PasswordChangeForm()
    user = current_user._get_current_object()
    if form.validate():
        if not user.check_password(form.current_password.data):
            form.current_password.errors.append(_("Mật khẩu hiện tại không đúng."))
        elif form.new_password.data == form.current_password.data:
            form.new_password.errors.append(_("Mật khẩu mới phải khác mật khẩu hiện tại."))
        else:
            user.set_password(form.new_password.data)
            user.revoke_sessions()
            audit.record("user.password_change", "user", user.id, user.email)
            db.session.commit()
            remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
            # This browser stays signed in under the new session version.
            login_user(user, remember=remember_cookie in request.cookies)
            flash(_("Đã đổi mật khẩu. Các phiên đăng nhập khác đã bị đăng xuất."), "success")
            return redirect(url_for("editor.profile"), 303)
    # Passwords are never sent back to the browser, even on an error.
    for name in ("current_password", "new_password", "confirm"):
        getattr(form, name).data = ""
    return _page(ProfileForm(formdata=None, obj=user), form, 400)
