"""A forgotten password: ask for a link by email, then set a new password with it (the
same page sets an invited user's first password)."""

import sqlalchemy as sa
from flask import flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import logout_user
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from bantin import audit
from bantin.clock import utcnow
from bantin.database import write_lock
from bantin.extensions import db
from bantin.mail import accounts, outbox
from bantin.models import AccountToken, TokenPurpose, User
from bantin.models.user import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from bantin.text import nfc
from bantin.web.net import rate_key
from blueprints.auth.blueprint import bp

# Requests per hour: from one address (an IPv6 /64 counts as one), and for one email
# (whoever asks: a stranger cannot fill someone's mailbox with links).
ADDRESS_BUCKET, ADDRESS_LIMIT = accounts.RATE_BUCKETS[0], 10
EMAIL_BUCKET, EMAIL_LIMIT = accounts.RATE_BUCKETS[1], 3
REQUIRED = _l("Vui lòng điền mục này.")


class ResetRequestForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(_l("Vui lòng nhập email.")), Length(max=254)],
        render_kw={"autocomplete": "username", "autofocus": True},
    )


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        _l("Mật khẩu mới"),
        validators=[
            DataRequired(REQUIRED),
            Length(
                min=PASSWORD_MIN_LENGTH,
                max=PASSWORD_MAX_LENGTH,
                message=_l("Mật khẩu cần từ %(min)d đến %(max)d ký tự."),
            ),
        ],
        render_kw={"autocomplete": "new-password", "autofocus": True},
    )
    password_confirm = PasswordField(
        _l("Nhập lại mật khẩu mới"),
        validators=[
            DataRequired(REQUIRED),
            EqualTo("password", message=_l("Hai mật khẩu không giống nhau.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


def _request_page(form: ResetRequestForm, sent: bool = False, status: int = 200):
    return (
        render_template("auth/reset_request.html", form=form, sent=sent, mail_on=outbox.enabled()),
        status,
    )


@bp.route("/login/reset", methods=["GET", "POST"])
def reset_request():
    """Ask for a link to set a new password; the answer never tells whether the email
    belongs to an account."""
    form = ResetRequestForm()
    if request.method == "GET":
        return _request_page(form)
    if not form.validate():
        return _request_page(form, status=400)
    if not outbox.enabled():
        return _request_page(form, status=503)
    email = nfc(form.email.data).strip().lower()[:254]
    with write_lock():
        if accounts.rate_limited(ADDRESS_BUCKET, rate_key(), ADDRESS_LIMIT):
            audit.record_repeat(
                "password_reset.request", "user", None, "address rate limited",
                actor=email, per_actor=False,
            )  # fmt: skip
            db.session.commit()
            form.form_errors.append(
                _("Bạn đã yêu cầu quá nhiều lần. Vui lòng thử lại sau một giờ.")
            )
            return _request_page(form, status=429)
        email_limited = accounts.rate_limited(EMAIL_BUCKET, email, EMAIL_LIMIT)
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if email_limited:
            detail = "email rate limited"
        elif user is None:
            detail = "unknown email"
        elif not user.active:
            detail = "disabled"
        else:
            accounts.send_link(user, TokenPurpose.RESET)
            detail = "link mailed"
        audit.record_repeat(
            "password_reset.request", "user", user.id if user else None, detail,
            user=user, actor=email,
        )  # fmt: skip
        db.session.commit()
    return _request_page(ResetRequestForm(formdata=None), sent=True)


def _no_trace(response):
    """The token is in the address: no cache keeps the page, no Referer carries it."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.route("/login/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Set a new password with a single-use link (a reset, or an invitation)."""
    found = accounts.find(token)
    if found is None:
        return _no_trace(make_response(render_template("auth/reset_invalid.html"), 404))
    user = db.session.get(User, found.user_id)
    form = NewPasswordForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.validate():
            user.set_password(form.password.data)  # the slow hash, before queueing to write
            with write_lock():
                if accounts.use(found):
                    _end_other_links(user, found)
                    user.revoke_sessions()
                    audit.record(
                        "password_reset.done", "user", user.id, found.purpose.value,
                        user=user, actor=user.email,
                    )  # fmt: skip
                    db.session.commit()
                    done = True
                else:  # used at the same moment by another request
                    db.session.rollback()
                    done = False
            if not done:
                return _no_trace(make_response(render_template("auth/reset_invalid.html"), 404))
            # Whoever was signed in on this browser is signed out: sign in afresh.
            session.clear()
            logout_user()
            flash(_("Đã đặt mật khẩu mới. Hãy đăng nhập bằng mật khẩu này."), "success")
            return redirect(url_for("auth.login"), 303)
    form.password.data = form.password_confirm.data = ""
    page = render_template(
        "auth/reset_password.html",
        form=form,
        user=user,
        invitation=found.purpose == TokenPurpose.INVITE,
    )
    return _no_trace(make_response((page, status)))


def _end_other_links(user: User, used: AccountToken) -> None:
    db.session.execute(
        sa.update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.id != used.id,
            AccountToken.used_at.is_(None),
            AccountToken.expires_at > utcnow(),
        )
        .values(expires_at=utcnow())
        .execution_options(synchronize_session=False)
    )
