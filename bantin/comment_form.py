"""The reader's comment form.

Fields: ``name``, ``address``, ``email``, ``content``, ``captcha`` (with the hidden
``captcha_token``), ``csrf_token``, the signed form time ``ts`` and the honeypot ``website``.
Input is NFC-normalised; over-long input is refused with a message, never truncated, and
control characters (other than tab and line breaks) are refused.

Every article page carries a blank form. It is rendered into the cached page with holes
(``bantin.cache.Hole``) where the three per-reader values go: the CSRF token, the signed form
time and the captcha token (``CommentForm.blank``); each view fills them in
(``CommentForm.token_fills``).
"""

from __future__ import annotations

from types import SimpleNamespace

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from markupsafe import escape
from wtforms import EmailField, HiddenField, StringField, TextAreaField
from wtforms.validators import ValidationError

from bantin import cache, guard
from bantin.captcha import IMAGE_SIZE, CaptchaField, new_token
from bantin.comments import CAPTCHA_FAILED, Attempt, Submission
from bantin.formatting import number
from bantin.models import Article
from bantin.text import clean_line, has_control_chars, nfc, normalise_email

NAME_MAX = 100
ADDRESS_MAX = 200
EMAIL_MAX = 254
CONTENT_MIN = 2
CONTENT_MAX = 4000

# The per-reader values of a blank form in a cached page.
TOKEN_HOLES = SimpleNamespace(
    csrf=cache.Hole("csrf-token"),
    captcha=cache.Hole("captcha-token"),
    image=cache.Hole("captcha-image"),
    audio=cache.Hole("captcha-audio"),
    ts=cache.Hole("form-time"),
)
# What a shared page's captcha shows until its script has fetched a challenge: a blank
# image of the challenge's size (no request), and "Nghe mã" leads, without JavaScript, to a
# page of one's own.
_BLANK_IMAGE = (
    "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' "
    f"width='{IMAGE_SIZE[0]}' height='{IMAGE_SIZE[1]}'/%3E"
)


def _csrf_enabled() -> bool:
    return bool(current_app.config.get("WTF_CSRF_ENABLED", True))


def _refresh_url(article: Article) -> str:
    return url_for("public.captcha_new", article=article.id, _anchor="comment-form")


def _too_long(limit: int, length: int) -> ValidationError:
    return ValidationError(
        _(
            "Tối đa %(limit)s ký tự (bạn đã nhập %(length)s).",
            limit=number(limit),
            length=number(length),
        )
    )


def _check_controls(value: str) -> None:
    if has_control_chars(value):
        raise ValidationError(_("Có ký tự điều khiển không hợp lệ. Vui lòng xóa rồi gửi lại."))


def _content(value: str | None) -> str:
    """NFC, Windows line breaks unified, surrounding blank space trimmed; lines kept."""
    return nfc(value).replace("\r\n", "\n").replace("\r", "\n").strip()


class _HoleCSRF(FlaskForm.Meta.csrf_class):
    """Flask-WTF's CSRF, rendering the cached page's hole instead of a new token."""

    def generate_csrf_token(self, csrf_token_field) -> str:
        return TOKEN_HOLES.csrf


class CommentForm(FlaskForm):
    name = StringField(_l("Họ và tên"))
    address = StringField(_l("Địa chỉ"))
    email = EmailField(_l("Email"))
    content = TextAreaField(_l("Nội dung"))
    captcha = CaptchaField(_l("Mã xác nhận"))
    ts = HiddenField()
    # The honeypot: hidden from people (CSS, aria-hidden, no tab stop), filled by bots.
    website = StringField(_l("Trang web (để trống ô này)"))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Messages about the whole form (timing, rate limit), shown above the fields.
        self.general_errors: list[str] = []

    # -------------------------------------------------------------- rendering

    def prepare(self, article: Article) -> CommentForm:
        """Ready for display: a fresh captcha, and a form time unless a valid one is kept."""
        if guard.signed_at(self.ts.data, article.id) is None:
            self.ts.data = guard.form_timestamp(article.id)
        self.website.data = ""
        self.captcha.new_challenge()
        self.captcha.refresh_url = _refresh_url(article)
        return self

    @classmethod
    def blank(cls, article: Article) -> CommentForm:
        """A blank form for the cached article page: its per-reader tokens are holes.

        Its CSRF field renders the hole without making a token: making one would put it
        in the session, and a page nginx shares must leave the session empty.
        """
        form = cls(formdata=None, meta={"csrf_class": _HoleCSRF})
        form.ts.data = TOKEN_HOLES.ts
        form.captcha.token = TOKEN_HOLES.captcha
        form.captcha.image_url = TOKEN_HOLES.image
        form.captcha.audio_url = TOKEN_HOLES.audio
        form.captcha.refresh_url = _refresh_url(article)
        return form

    @staticmethod
    def token_fills(article: Article, per_reader: bool = True) -> dict[cache.Hole, str]:
        """This reader's values for TOKEN_HOLES (URL-safe characters, escaped all the same).

        Without `per_reader` (a page nginx shares) the CSRF and captcha tokens stay empty
        and the session untouched; the page's script fetches both (``tokens``), and a post
        without them gets the form back with its input (blueprints/public/comments.py).
        """
        if per_reader:
            tokens = CommentForm.tokens()
            fills = {
                TOKEN_HOLES.csrf: tokens["csrf"],
                TOKEN_HOLES.captcha: tokens["token"],
                TOKEN_HOLES.image: tokens["image"],
                TOKEN_HOLES.audio: tokens["audio"],
            }
        else:
            fills = {
                TOKEN_HOLES.csrf: "",
                TOKEN_HOLES.captcha: "",
                TOKEN_HOLES.image: _BLANK_IMAGE,
                TOKEN_HOLES.audio: _refresh_url(article),
            }
        fills[TOKEN_HOLES.ts] = guard.form_timestamp(article.id)
        return {hole: str(escape(value)) for hole, value in fills.items()}

    @staticmethod
    def tokens() -> dict[str, str]:
        """A fresh CSRF token and captcha challenge: a page's own (token_fills), or the JSON
        a shared page's form fetches."""
        token = new_token()
        return {
            "csrf": generate_csrf() if _csrf_enabled() else "",
            "token": token,
            "image": url_for("public.captcha_image", token=token),
            "audio": url_for("public.captcha_audio", token=token),
        }

    # -------------------------------------------------------------- validation

    def validate_name(self, field) -> None:
        raw = nfc(field.data)
        _check_controls(raw)
        value = clean_line(raw)
        field.data = value
        if not value:
            raise ValidationError(_("Vui lòng nhập họ và tên."))
        if len(value) > NAME_MAX:
            raise _too_long(NAME_MAX, len(value))

    def validate_address(self, field) -> None:
        raw = nfc(field.data)
        _check_controls(raw)
        field.data = clean_line(raw)
        if len(field.data) > ADDRESS_MAX:
            raise _too_long(ADDRESS_MAX, len(field.data))

    def validate_email(self, field) -> None:
        raw = nfc(field.data)
        _check_controls(raw)
        value = raw.strip()
        field.data = value
        if not value:
            return
        if len(value) > EMAIL_MAX:
            raise _too_long(EMAIL_MAX, len(value))
        try:
            self.normalised_email = normalise_email(value)
        except ValueError as exc:
            raise ValidationError(_("Địa chỉ email không hợp lệ.")) from exc

    def validate_content(self, field) -> None:
        raw = nfc(field.data)
        _check_controls(raw)
        value = _content(raw)
        field.data = value
        if not value:
            raise ValidationError(_("Vui lòng nhập nội dung ý kiến."))
        if len(value) < CONTENT_MIN:
            raise ValidationError(_("Nội dung cần ít nhất %(n)s ký tự.", n=CONTENT_MIN))
        if len(value) > CONTENT_MAX:
            raise _too_long(CONTENT_MAX, len(value))

    def validate_captcha(self, field) -> None:
        if not (field.data or "").strip():
            raise ValidationError(_("Vui lòng nhập mã xác nhận."))

    # -------------------------------------------------------------- the post

    def attempt(self, ip: str, user_agent: str, commenter_ids: tuple[int, ...]) -> Attempt:
        """What this post asks for, as validate() left it, for ``bantin.comments.post``."""
        return Attempt(
            ip=ip,
            honeypot=self.website.data,
            form_time=self.ts.data,
            captcha_token=self.captcha.token,
            captcha_answer=self.captcha.data if not self.captcha.errors else None,
            content=None if self.content.errors else self.content.data,
            submission=None
            if self.has_errors
            else Submission(
                name=self.name.data,
                address=self.address.data or "",
                email=self.email_value,
                content=self.content.data,
                ip=ip,
                user_agent=user_agent,
                commenter_ids=commenter_ids,
            ),
        )

    def add_reasons(self, reasons) -> None:
        """Why ``bantin.comments.post`` refused the post, as messages by the fields."""
        for reason in reasons:
            if reason == CAPTCHA_FAILED:
                message = _("Mã xác nhận không đúng hoặc đã hết hạn. Vui lòng nhập mã mới.")
                self.captcha.errors = [*self.captcha.errors, message]
                continue
            default = (None, guard.MESSAGES["form_invalid"][1])
            field_name, message = guard.MESSAGES.get(reason, default)
            if field_name:
                field = self[field_name]
                field.errors = [*field.errors, str(message)]
            else:
                self.general_errors.append(str(message))

    @property
    def email_value(self) -> str:
        return getattr(self, "normalised_email", "") if self.email.data else ""

    @property
    def has_errors(self) -> bool:
        return bool(self.general_errors) or any(f.errors for f in self)
