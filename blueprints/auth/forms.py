"""The sign-in form."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from bantin.models.user import PASSWORD_MAX_LENGTH


class LoginForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(_l("Vui lòng nhập email.")), Length(max=254)],
        render_kw={"autocomplete": "username", "autofocus": True},
    )
    password = PasswordField(
        _l("Mật khẩu"),
        validators=[
            DataRequired(_l("Vui lòng nhập mật khẩu.")),
            Length(
                max=PASSWORD_MAX_LENGTH,
                message=_l("Mật khẩu dài tối đa %(max)d ký tự."),
            ),
        ],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Ghi nhớ đăng nhập trên máy này"))
    submit = SubmitField(_l("Đăng nhập"))


class TwoFactorForm(FlaskForm):
    """The second step of sign-in: six digits from the app, or a recovery code."""

    code = StringField(
        _l("Mã xác thực hoặc mã khôi phục"),
        validators=[
            DataRequired(_l("Vui lòng nhập mã 6 chữ số trên ứng dụng xác thực.")),
            Length(max=32, message=_l("Mã dài tối đa %(max)d ký tự.")),
        ],
        render_kw={
            "autocomplete": "one-time-code",
            "autocapitalize": "off",
            "spellcheck": "false",
            "autofocus": True,
        },
    )
