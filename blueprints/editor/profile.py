"""Everyone's own profile: name, password and two-factor sign-in.

Two-factor: "Bật" stores a new secret (a POST), the setup page shows it as a QR code and in
groups of four, and the first code typed from it turns two-factor on and shows ten recovery
codes once. New recovery codes need a current code or the password; turning it off needs
both. Every check of a password or code reserves a sign-in attempt (bantin.login_guard), so
nobody guesses here faster than at the sign-in page. When the site requires two-factor of
admins, an admin without it is sent to the setup from every other editor page.
"""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user

from bantin import audit, login_guard, two_factor
from bantin.database import write_lock
from bantin.extensions import db
from bantin.models import SiteSettings, User
from bantin.permissions import Capability, can, requires
from bantin.web.net import client_ip
from blueprints.editor.blueprint import bp
from blueprints.editor.forms_site import PasswordChangeForm, ProfileForm
from blueprints.editor.forms_two_factor import (
    RecoveryCodesForm,
    TwoFactorConfirmForm,
    TwoFactorDisableForm,
    TwoFactorStartForm,
)

# One answer for every failure of the current password (wrong, or refused while the
# sign-in lock is on): no message may confirm a guess.
CURRENT_PASSWORD_FAILED = _l(
    "Không xác nhận được mật khẩu hiện tại. Nếu đã nhập sai nhiều lần, "
    "vui lòng thử lại sau 15 phút."
)
FAILED_ACTION = "user.password_change_failure"


TWO_FACTOR_FAILED = _l(
    "Không xác nhận được mật khẩu hoặc mã. Hãy nhập mã mới đang hiện trên ứng dụng; "
    "nếu đã nhập sai nhiều lần, vui lòng thử lại sau 15 phút."
)
TWO_FACTOR_FAILED_ACTION = "two_factor.failure"


def _page(
    profile_form: ProfileForm,
    password_form: PasswordChangeForm,
    status: int = 200,
    recovery_form: RecoveryCodesForm | None = None,
    disable_form: TwoFactorDisableForm | None = None,
):
    user = current_user._get_current_object()
    enabled = user.two_factor_enabled
    return (
        render_template(
            "editor/profile.html",
            profile_form=profile_form,
            password_form=password_form,
            start_form=TwoFactorStartForm(formdata=None),
            recovery_form=recovery_form or RecoveryCodesForm(formdata=None, prefix="recovery"),
            disable_form=disable_form or TwoFactorDisableForm(formdata=None, prefix="disable"),
            two_factor_enabled=enabled,
            two_factor_pending=two_factor.pending_secret(user) is not None,
            recovery_left=two_factor.recovery_codes_left(user) if enabled else 0,
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
    """Change one's own display name, the language of one's mail and the digest's pace."""
    form = ProfileForm()
    user = current_user._get_current_object()
    if not can(Capability.MODERATE_COMMENTS):
        form.digest.data = user.digest  # not offered: kept as it is
    if not form.validate():
        return _page(form, PasswordChangeForm(formdata=None), 400)
    before = (user.name, user.language, user.digest)
    user.name, user.language, user.digest = form.name.data, form.language.data, form.digest.data
    after = (user.name, user.language, user.digest)
    if after != before:
        audit.record(
            "user.profile", "user", user.id, f"{' / '.join(before)} -> {' / '.join(after)}"
        )
    db.session.commit()
    flash(_("Đã lưu hồ sơ của bạn."), "success")
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


# ------------------------------------------------------------------ two-factor sign-in

# What an admin may still open while the site requires two-factor and they have none.
SETUP_ENDPOINTS = frozenset(
    {
        "editor.profile",
        "editor.profile_update",
        "editor.profile_password",
        "editor.two_factor_start",
        "editor.two_factor_setup",
    }
)


@bp.before_request
def _admins_need_two_factor():
    """When the site requires it, an admin without two-factor is sent to its setup."""
    user = current_user
    if not user.is_authenticated or not user.is_admin or user.two_factor_enabled:
        return None
    if request.endpoint in SETUP_ENDPOINTS:
        return None
    if not SiteSettings.get().two_factor_required_for_admins:
        return None
    flash(
        _(
            "Trang này yêu cầu quản trị viên đăng nhập bằng xác thực hai bước. "
            "Vui lòng bật xác thực hai bước cho tài khoản của bạn trước khi tiếp tục."
        ),
        "warning",
    )
    return redirect(url_for("editor.two_factor_setup"), 303)


def _setup_page(form: TwoFactorConfirmForm, status: int = 200):
    user = current_user._get_current_object()
    secret = two_factor.pending_secret(user)
    qr = grouped = None
    if secret is not None:
        issuer = SiteSettings.get().site_name
        uri = two_factor.provisioning_uri(secret, user.email, issuer)
        qr = two_factor.qr_svg(uri, _("Mã QR để thêm tài khoản vào ứng dụng xác thực"))
        grouped = two_factor.grouped(secret)
    return (
        render_template(
            "editor/two_factor_setup.html",
            form=form,
            start_form=TwoFactorStartForm(formdata=None),
            qr=qr,
            secret=grouped,
        ),
        status,
    )


def _codes_page(codes: list[str], first: bool):
    """The recovery codes, shown this once (rendered, never redirected through the session)."""
    response = render_template("editor/two_factor_codes.html", codes=codes, first=first)
    return response, 200, {"Cache-Control": "no-store"}


@bp.post("/profile/two-factor/start")
@requires(Capability.PROFILE)
def two_factor_start():
    """Make a new secret for setup (any unconfirmed one is replaced)."""
    form = TwoFactorStartForm()
    user = current_user._get_current_object()
    if not form.validate():  # the CSRF token
        return _setup_page(TwoFactorConfirmForm(formdata=None), 400)
    if user.two_factor_enabled:
        flash(_("Xác thực hai bước đã được bật cho tài khoản này."), "info")
        return redirect(url_for("editor.profile"), 303)
    with write_lock():
        two_factor.begin_setup(user)
        db.session.commit()
    return redirect(url_for("editor.two_factor_setup"), 303)


@bp.route("/profile/two-factor/setup", methods=["GET", "POST"])
@requires(Capability.PROFILE)
def two_factor_setup():
    """Scan the QR code (or type the key), then confirm with the first code."""
    user = current_user._get_current_object()
    if user.two_factor_enabled:
        return redirect(url_for("editor.profile"), 303)
    if request.method == "GET":
        return _setup_page(TwoFactorConfirmForm(formdata=None))
    form = TwoFactorConfirmForm()
    if form.validate():
        if two_factor.pending_secret(user) is None:
            form.form_errors.append(_("Hãy bấm “Bắt đầu cài đặt” để tạo mã QR trước."))
            return _setup_page(form, 400)
        with write_lock():
            codes = two_factor.confirm_setup(user, form.code.data)
            if codes is not None:
                audit.record("two_factor.enable", "user", user.id, "")
            else:
                audit.record_repeat(
                    TWO_FACTOR_FAILED_ACTION, "user", user.id, "wrong setup code", user=user
                )
            db.session.commit()
        if codes is not None:
            return _codes_page(codes, first=True)
        form.code.errors.append(
            _(
                "Mã không khớp. Kiểm tra giờ trên điện thoại (đặt tự động) và nhập mã mới "
                "đang hiện trong ứng dụng."
            )
        )
    return _setup_page(form, 400)


def _check_factors(user: User, password: str | None, code: str | None) -> bool:
    """Check the password and/or a current code under the sign-in lockout; audit failures.

    One reserved attempt covers both; it becomes a success only when every factor given
    is right. A code that was right is spent either way."""

    def refused(_lock: login_guard.Lock) -> None:
        audit.record_repeat(TWO_FACTOR_FAILED_ACTION, "user", user.id, "locked out", user=user)

    attempt = login_guard.reserve(user.email, client_ip(), on_refused=refused)
    if attempt.refused:
        return False
    # The slow hash runs outside the write lock.
    ok = user.check_password(password) if password else True
    with write_lock():
        if code:
            ok = two_factor.accept_code(user, code) and ok
        if ok:
            login_guard.succeeded(attempt)
        else:
            audit.record_repeat(
                TWO_FACTOR_FAILED_ACTION, "user", user.id, "wrong password or code", user=user
            )
        db.session.commit()
    return ok


@bp.post("/profile/two-factor/recovery-codes")
@requires(Capability.PROFILE)
def two_factor_recovery_codes():
    """Replace the recovery codes (the old ones stop working)."""
    user = current_user._get_current_object()
    form = RecoveryCodesForm(prefix="recovery")
    if not user.two_factor_enabled:
        return redirect(url_for("editor.profile"), 303)
    if form.validate():
        if _check_factors(user, form.password.data, form.code.data):
            with write_lock():
                codes = two_factor.new_recovery_codes(user)
                audit.record("two_factor.recovery_codes", "user", user.id, "")
                db.session.commit()
            return _codes_page(codes, first=False)
        form.form_errors.append(TWO_FACTOR_FAILED)
    form.password.data = ""
    return _page(
        ProfileForm(formdata=None, obj=user),
        PasswordChangeForm(formdata=None),
        400,
        recovery_form=form,
    )


@bp.post("/profile/two-factor/disable")
@requires(Capability.PROFILE)
def two_factor_disable():
    """Turn two-factor off (password and a current code)."""
    user = current_user._get_current_object()
    form = TwoFactorDisableForm(prefix="disable")
    if not user.two_factor_enabled:
        return redirect(url_for("editor.profile"), 303)
    if form.validate():
        if _check_factors(user, form.password.data, form.code.data):
            with write_lock():
                two_factor.disable(user)
                audit.record("two_factor.disable", "user", user.id, "by the user")
                db.session.commit()
            message = _("Đã tắt xác thực hai bước. Từ nay chỉ cần mật khẩu để đăng nhập.")
            if user.is_admin and SiteSettings.get().two_factor_required_for_admins:
                message = _(
                    "Đã tắt xác thực hai bước. Trang yêu cầu quản trị viên dùng xác thực hai "
                    "bước: hãy cài lại trước khi tiếp tục."
                )
            flash(message, "success")
            return redirect(url_for("editor.profile"), 303)
        form.form_errors.append(TWO_FACTOR_FAILED)
    form.password.data = ""
    return _page(
        ProfileForm(formdata=None, obj=user),
        PasswordChangeForm(formdata=None),
        400,
        disable_form=form,
    )
