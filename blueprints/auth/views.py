"""Sign-in (password, then the two-factor code for those who turned it on) and sign-out."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy.exc import OperationalError
from werkzeug.security import check_password_hash, generate_password_hash

from bantin import audit, login_guard, two_factor
from bantin.clock import utcnow
from bantin.database import write_lock, write_refusal
from bantin.extensions import db
from bantin.models import User
from bantin.models.user import PASSWORD_METHOD
from bantin.text import nfc, safe_local_path
from bantin.web.net import client_ip
from blueprints.auth.blueprint import bp
from blueprints.auth.forms import LoginForm, TwoFactorForm

_DUMMY_HASHES: dict[str, str] = {}
# The session's note that the password was right and the second step is awaited.
PENDING_KEY = "two_factor_pending"
PENDING_FOR = timedelta(minutes=5)
PENDING = "two-factor"


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
            if user is not None and problem == PENDING:
                return redirect(_with_next("auth.two_factor_step", next_url), 303)
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
        return None, _locked_message(attempt), 429

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
    if user.two_factor_enabled:
        return _await_second_step(user, attempt, bool(form.remember.data))
    with write_lock():
        login_guard.succeeded(attempt)
        user.last_login_at = utcnow()
        audit.record("login.success", "user", user.id, "", user=user)
        db.session.commit()
    # A fresh session: nothing from before sign-in (CSRF token included) carries over.
    session.clear()
    login_user(user, remember=bool(form.remember.data))
    return user, "", 303


def _locked_message(attempt: login_guard.Attempt) -> str:
    return _(
        "Đăng nhập sai quá nhiều lần. Để bảo vệ tài khoản, vui lòng thử lại sau %(minutes)d phút.",
        minutes=login_guard.minutes(attempt.remaining),
    )


def _with_next(endpoint: str, next_url: str | None) -> str:
    return url_for(endpoint, next=next_url) if next_url else url_for(endpoint)


# ------------------------------------------------------------------ the second step


def _await_second_step(
    user: User, attempt: login_guard.Attempt, remember: bool
) -> tuple[User, str, int]:
    """The password was right and the account has two-factor: not signed in yet. The
    password's attempt is withdrawn (a known password must not reset the count of wrong
    codes) and the session notes, for five minutes, whose code is awaited."""
    with write_lock():
        login_guard.release(attempt)
        audit.record_repeat("login.password_ok", "user", user.id, "", user=user, actor=user.email)
        db.session.commit()
    session.clear()
    # The cookie is signed, not encrypted: it holds nothing secret (the user's id, the
    # session version that a sign-out everywhere bumps, the time and the remember choice).
    session[PENDING_KEY] = {
        "user": user.id,
        "version": user.session_version,
        "since": utcnow().isoformat(),
        "remember": remember,
    }
    return user, PENDING, 303


def _pending_user() -> User | None:
    """The user whose second step is awaited, while the note is fresh and still theirs."""
    note = session.get(PENDING_KEY)
    if not isinstance(note, dict):
        return None
    try:
        since = datetime.fromisoformat(note["since"])
        user_id, version = int(note["user"]), int(note["version"])
    except (KeyError, TypeError, ValueError):
        return None
    now = utcnow()
    if not since <= now < since + PENDING_FOR:
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.active or user.session_version != version:
        return None
    if not user.two_factor_enabled:  # turned off (an admin's reset) meanwhile: sign in again
        return None
    return user


@bp.route("/login/two-factor", methods=["GET", "POST"])
def two_factor_step():
    """The second step: a code from the authenticator app, or a recovery code."""
    next_url = safe_local_path(request.args.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(next_url or _dashboard())
    user = _pending_user()
    if user is None:
        session.pop(PENDING_KEY, None)
        flash(
            _(
                "Bước xác thực hai bước đã hết hạn (sau 5 phút) hoặc chưa bắt đầu. "
                "Vui lòng nhập lại email và mật khẩu."
            ),
            "warning",
        )
        return redirect(_with_next("auth.login", next_url), 303)
    form = TwoFactorForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate():
            kind, problem, status = _check_second_step(user, form.code.data)
            if kind is not None:
                remember = bool(session.get(PENDING_KEY, {}).get("remember"))
                session.clear()
                login_user(user, remember=remember)
                if kind == "recovery":
                    _flash_recovery_left(user)
                return redirect(next_url or _dashboard(), 303)
            form.code.errors.append(problem)
    return (
        render_template("auth/two_factor.html", form=form, next_url=next_url),
        status,
    )


def _check_second_step(user: User, code: str) -> tuple[str | None, str, int]:
    """Check a code under the sign-in lockout: every code reserves an attempt, a wrong one
    stays a failure (five lock the account as five wrong passwords do); audit either way."""

    def refused(_lock: login_guard.Lock) -> None:
        audit.record_repeat(
            "login.two_factor_failure", "user", user.id, "locked out", user=user, actor=user.email
        )

    attempt = login_guard.reserve(user.email, client_ip(), on_refused=refused)
    if attempt.refused:
        return None, _locked_message(attempt), 429
    with write_lock():
        kind = two_factor.verify(user, code)
        if kind is None:
            audit.record_repeat(
                "login.two_factor_failure",
                "user",
                user.id,
                "wrong code",
                user=user,
                actor=user.email,
            )
        else:
            login_guard.succeeded(attempt)
            user.last_login_at = utcnow()
            if kind == "recovery":
                audit.record("login.recovery_code", "user", user.id, "", user=user)
            audit.record("login.success", "user", user.id, f"two-factor ({kind})", user=user)
        db.session.commit()
    if kind is None:
        return None, _("Mã không đúng, đã hết hạn hoặc đã được dùng. Vui lòng nhập mã mới."), 400
    return kind, "", 303


def _flash_recovery_left(user: User) -> None:
    left = two_factor.recovery_codes_left(user)
    flash(
        _(
            "Bạn vừa đăng nhập bằng một mã khôi phục; mỗi mã chỉ dùng được một lần. "
            "Còn %(count)d mã. Nếu bị mất điện thoại, hãy tạo lại mã khôi phục hoặc cài lại "
            "xác thực hai bước trong Hồ sơ của tôi.",
            count=left,
        ),
        "warning",
    )


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
