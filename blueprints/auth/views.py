"""Sign-in and sign-out."""

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy.exc import OperationalError
from werkzeug.security import check_password_hash, generate_password_hash

from bantin import audit, login_guard
from bantin.clock import utcnow
from bantin.database import write_lock, write_refusal
from bantin.extensions import db
from bantin.models import User
from bantin.models.user import PASSWORD_METHOD
from bantin.text import nfc, safe_local_path
from bantin.web.net import client_ip
from blueprints.auth.blueprint import bp
from blueprints.auth.forms import LoginForm

_DUMMY_HASHES: dict[str, str] = {}


def _dummy_check(password: str) -> None:
    """Spend the time of a real check so unknown emails cannot be told apart by timing."""
    method = current_app.config.get("PASSWORD_HASH_METHOD", PASSWORD_METHOD)
    if method not in _DUMMY_HASHES:
        _DUMMY_HASHES[method] = generate_password_hash("not a password", method=method)
    check_password_hash(_DUMMY_HASHES[method], password)


def _dashboard() -> str:
    return url_for("editor.dashboard")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with email and password."""
    next_url = safe_local_path(request.args.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url or _dashboard())
    form = LoginForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate():
            user, problem, status = _authenticate(form)
            if user is not None:
                return redirect(next_url or _dashboard(), 303)
            form.form_errors.append(problem)
    return (
        render_template("auth/login.html", form=form, next_url=next_url),
        status,
    )


def _authenticate(form: LoginForm) -> tuple[User | None, str, int]:
    """Reserve the attempt (refused while locked), then check the password; audit either way."""
    email = nfc(form.email.data).strip().lower()
    password = form.password.data or ""
    ip = client_ip()
    generic = _("Email hoặc mật khẩu không đúng.")

    def refused(lock: login_guard.Lock) -> None:
        if lock.scope == login_guard.ADDRESS:
            # Every email typed from a locked address shares one row per window.
            audit.record_repeat(
                "login.failure", "user", None, "address locked out", actor=email, per_actor=False
            )
        else:
            audit.record_repeat("login.failure", "user", None, "locked out", actor=email)

    attempt = login_guard.reserve(email, ip, on_refused=refused)
    if attempt.refused:
        message = _(
            "Đăng nhập sai quá nhiều lần. Để bảo vệ tài khoản, vui lòng thử lại sau "
            "%(minutes)d phút.",
            minutes=login_guard.minutes(attempt.remaining),
        )
        return None, message, 429

    # The slow part runs outside any transaction: nothing is locked while hashing.
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        _dummy_check(password)
        ok, reason = False, "unknown email"
    elif not user.check_password(password):
        ok, reason = False, "wrong password"
    elif not user.active:
        ok, reason = False, "disabled"
    else:
        ok, reason = True, ""

    if not ok:
        # The reserved attempt stays a failure.
        with write_lock():
            audit.record_repeat(
                "login.failure", "user", user.id if user else None, reason, user=user, actor=email
            )
            db.session.commit()
        if reason == "disabled":
            # Only someone who knows the password learns that the account is disabled.
            return None, _("Tài khoản này đã bị khóa. Vui lòng liên hệ quản trị viên."), 403
        return None, generic, 400

    assert user is not None
    with write_lock():
        login_guard.succeeded(attempt)
        user.last_login_at = utcnow()
        audit.record("login.success", "user", user.id, "", user=user)
        db.session.commit()
    # A fresh session: nothing from before sign-in (CSRF token included) carries over.
    session.clear()
    login_user(user, remember=bool(form.remember.data))
    return user, "", 303


@bp.post("/logout")
def logout():
    """Sign out everywhere: old session and remember-me cookies stop working."""
    if current_user.is_authenticated:
        user = db.session.get(User, current_user.id)
        if user is not None:
            user.revoke_sessions()
            audit.record("logout", "user", user.id, "", user=user)
            try:
                db.session.commit()
            except OperationalError as error:
                # Read-only or full disk: other sessions stay valid, but this browser
                # is still signed out below.
                if not write_refusal(error):
                    raise
                db.session.rollback()
    session.clear()
    logout_user()  # after clear(): it leaves the note that deletes the remember-me cookie
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("auth.login"), 303)
