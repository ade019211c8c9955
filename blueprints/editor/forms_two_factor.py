"""Forms of two-factor sign-in in the profile: confirm setup, new recovery codes, turn off."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from bantin import two_factor
from bantin.models.user import PASSWORD_MAX_LENGTH

CODE_LABEL = _l("Mã 6 chữ số trên ứng dụng")
CODE_REQUIRED = _l("Vui lòng nhập mã 6 chữ số đang hiện trên ứng dụng.")
PASSWORD_REQUIRED = _l("Vui lòng nhập mật khẩu hiện tại.")
CODE_ATTRS = {
    "autocomplete": "one-time-code",
    "inputmode": "numeric",
    "autocapitalize": "off",
    "spellcheck": "false",
}


def six_digits(form, field) -> None:
    if field.data and not two_factor.is_totp_code(field.data):
        raise ValidationError(_l("Mã gồm đúng 6 chữ số, ví dụ 123456."))


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class TwoFactorStartForm(FlaskForm):
    """Start setup: a new secret is made (a POST: a GET never writes)."""


class TwoFactorConfirmForm(FlaskForm):
    code = StringField(
        CODE_LABEL,
        filters=[_strip],
        validators=[DataRequired(CODE_REQUIRED), Length(max=16), six_digits],
        render_kw=CODE_ATTRS,
    )


class RecoveryCodesForm(FlaskForm):
    """New recovery codes, proved by a current code or the password."""

    code = StringField(
        CODE_LABEL,
        filters=[_strip],
        validators=[Optional(), Length(max=16), six_digits],
        render_kw=CODE_ATTRS,
    )
    password = PasswordField(
        _l("hoặc mật khẩu hiện tại"),
        validators=[Optional(), Length(max=PASSWORD_MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and not self.code.data and not self.password.data:
            self.form_errors.append(
                _l("Nhập mã 6 chữ số trên ứng dụng hoặc mật khẩu hiện tại để tạo mã mới.")
            )
            return False
        return ok


class TwoFactorDisableForm(FlaskForm):
    password = PasswordField(
        _l("Mật khẩu hiện tại"),
        validators=[DataRequired(PASSWORD_REQUIRED), Length(max=PASSWORD_MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    code = StringField(
        CODE_LABEL,
        filters=[_strip],
        validators=[DataRequired(CODE_REQUIRED), Length(max=16), six_digits],
        render_kw=CODE_ATTRS,
    )
