"""The reader's comment form.

Fields: ``name``, ``address``, ``email``, ``content``, ``captcha`` (with the hidden
``captcha_token``), ``csrf_token``, the signed form time ``ts`` and the honeypot ``website``.
Input is NFC-normalised; over-long input is refused with a message, never truncated, and
control characters (other than tab and line breaks) are refused.

Every article page carries a blank form, so its HTML is rendered once per article, language
and setting, with placeholders where the three per-reader values go (the CSRF token, the
signed form time and the captcha token), and each page only swaps those in
(``CommentForm.blank_html``). Rendering the form through WTForms and Jinja costs a few
milliseconds; the swap costs microseconds.
"""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email
from flask import current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from wtforms import EmailField, HiddenField, StringField, TextAreaField
from wtforms.validators import ValidationError

from bantin import cache, guard
from bantin.captcha import CaptchaField, new_token, test_answer
from bantin.jinja import number
from bantin.models import Article
from bantin.text import clean_line, has_control_chars, nfc

NAME_MAX = 100
ADDRESS_MAX = 200
EMAIL_MAX = 254
CONTENT_MIN = 2
CONTENT_MAX = 4000

# Placeholders for the per-reader values of a blank form's cached HTML: plain letters, so
# URL building and HTML escaping leave them as they are.
_HOLES = {"captcha": "BantinHoleCaptchaToken", "ts": "BantinHoleFormTime", "csrf": "BantinHoleCsrf"}
# How many times each placeholder appears in the form (the captcha token: the image, the
# hidden field and the audio link). A template that changes this is rendered uncached.
_HOLE_COUNTS = {"captcha": 3, "ts": 1}
_SAFE_VALUE = re.compile(r"^[A-Za-z0-9_.-]+$")


def _blank_key(article, with_csrf: bool) -> tuple:
    """Everything a blank form shows besides its tokens (page cache: per content version)."""
    from bantin.sidebar import site_layout

    return (
        "blank_form",
        article.id,
        str(get_locale()),
        bool(site_layout().settings.comments_require_approval),
        test_answer() is not None,
        with_csrf,
        request.script_root,
    )


def _fill(html: str, values: dict[str, str]) -> Markup:
    for name, value in values.items():
        html = html.replace(_HOLES[name], value)
    return Markup(html)


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
        raise ValidationError(_("Có ký tự điều khiển không hợp lệ. Vui lòng xoá rồi gửi lại."))


def _content(value: str | None) -> str:
    """NFC, Windows line breaks unified, surrounding blank space trimmed; lines kept."""
    return nfc(value).replace("\r\n", "\n").replace("\r", "\n").strip()


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
        self.is_blank = False  # made by blank(): may be rendered from the cached HTML

    # -------------------------------------------------------------- rendering

    def prepare(self, article: Article) -> CommentForm:
        """Ready for display: a fresh captcha, and a form time unless a valid one is kept."""
        if guard.signed_at(self.ts.data, article.id) is None:
            self.ts.data = guard.form_timestamp(article.id)
        self.website.data = ""
        self.captcha.new_challenge()
        self.captcha.refresh_url = url_for(
            "public.captcha_new", article=article.id, _anchor="comment-form"
        )
        return self

    @classmethod
    def blank(cls, article: Article) -> CommentForm:
        form = cls(formdata=None).prepare(article)
        form.is_blank = True
        return form

    def _csrf_value(self) -> str | None:
        field = getattr(self, "csrf_token", None)
        return None if field is None else field.current_token

    def blank_html(self, article) -> Markup | None:
        """This blank form's HTML from the per-article cache; None: render it in full.

        Called by ``templates/public/_comment_form.html``. The cached copy is rendered by that
        same template with the placeholders as values, and is keyed by everything else the
        form shows: the article, the language, the approval note, the test-answer mode, CSRF
        on or off and the script root.
        """
        values = {"captcha": self.captcha.token, "ts": self.ts.data, "csrf": self._csrf_value()}
        if not self.is_blank or current_app.debug or current_app.jinja_env.auto_reload:
            return None
        if values["csrf"] is None:
            del values["csrf"]
        if not all(isinstance(v, str) and _SAFE_VALUE.match(v) for v in values.values()):
            return None
        html = cache.cached(
            _blank_key(article, "csrf" in values),
            lambda: self._render_with_holes(article, "csrf" in values),
        )
        return None if html is None else _fill(html, values)

    @classmethod
    def cached_blank_html(cls, article) -> Markup | None:
        """A plain view's blank form without building a form object, once the HTML is cached.

        Only the three per-reader tokens are made; None until the first full render cached it
        (or when debugging templates), and the caller then renders the form in full.
        """
        if current_app.debug or current_app.jinja_env.auto_reload:
            return None
        with_csrf = bool(current_app.config.get("WTF_CSRF_ENABLED", True))
        html = cache.peek(_blank_key(article, with_csrf))
        if html is None:
            return None
        values = {"captcha": new_token(), "ts": guard.form_timestamp(article.id)}
        if with_csrf:
            values["csrf"] = generate_csrf()
        return _fill(html, values)

    def _render_with_holes(self, article, with_csrf: bool) -> str | None:
        saved = (self.captcha.token, self.ts.data, self._csrf_value(), self.is_blank)
        self.captcha.token, self.ts.data = _HOLES["captcha"], _HOLES["ts"]
        if with_csrf:
            self.csrf_token.current_token = _HOLES["csrf"]
        self.is_blank = False  # the template renders this one in full
        try:
            html = render_template(
                "public/_comment_form.html",
                article=article,
                comment_form=self,
                comments_closed=False,
            )
        finally:
            self.captcha.token, self.ts.data, csrf, self.is_blank = saved
            if with_csrf:
                self.csrf_token.current_token = csrf
        expected = dict(_HOLE_COUNTS, csrf=1 if with_csrf else 0)
        if any(html.count(hole) != expected[name] for name, hole in _HOLES.items()):
            return None
        return html

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
            info = validate_email(value, check_deliverability=False)
        except EmailNotValidError as exc:
            raise ValidationError(_("Địa chỉ email không hợp lệ.")) from exc
        self.normalised_email = info.normalized.lower()

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

    def captcha_failed(self) -> None:
        self.captcha.errors = [
            *self.captcha.errors,
            _("Mã xác nhận không đúng hoặc đã hết hạn. Vui lòng nhập mã mới."),
        ]

    def add_guard_error(self, reason: str) -> None:
        field_name, message = guard.MESSAGES.get(reason, (None, guard.MESSAGES["form_invalid"][1]))
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
