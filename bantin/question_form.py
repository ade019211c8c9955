"""The reader's question form (Hỏi đáp): the comment form's fields, checks and protections
(bantin/comment_form.py) plus a title and a field (lĩnh vực).

Like the article page, the questions page is cached with a blank form whose per-reader
tokens (CSRF, captcha, the signed form time) are holes filled per request.
"""

from __future__ import annotations

from flask import url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import generate_csrf
from markupsafe import escape
from wtforms import SelectField, StringField
from wtforms.validators import ValidationError

from bantin import cache, guard
from bantin.captcha import new_token
from bantin.comment_form import TOKEN_HOLES, CommentForm, _check_controls, _csrf_enabled, _too_long
from bantin.questions import FORM_KEY, TITLE_MAX, TITLE_MIN, Ask
from bantin.text import clean_line, nfc


def _refresh_url() -> str:
    return url_for("public.questions", _anchor="ask")


def _term_label(term) -> str:
    if str(get_locale()) == "en" and term.name_en:
        return term.name_en
    return term.name


class QuestionForm(CommentForm):
    title = StringField(_l("Tiêu đề câu hỏi"))
    field = SelectField(_l("Lĩnh vực"), validate_choice=False)

    def __init__(self, *args, fields=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.field.choices = [("", _("— Chọn lĩnh vực (không bắt buộc) —"))] + [
            (str(t.id), _term_label(t)) for t in fields
        ]
        self._field_ids = {t.id for t in fields}

    # -------------------------------------------------------------- rendering

    def prepare_question(self) -> QuestionForm:
        """Ready for display again: a fresh captcha, the form time kept when still valid."""
        if guard.signed_at(self.ts.data, FORM_KEY) is None:
            self.ts.data = guard.form_timestamp(FORM_KEY)
        self.website.data = ""
        self.captcha.new_challenge()
        self.captcha.refresh_url = _refresh_url()
        return self

    @classmethod
    def blank_question(cls, fields) -> QuestionForm:
        """A blank form for the cached page: its per-reader tokens are holes."""
        form = cls(formdata=None, fields=fields)
        form.ts.data = TOKEN_HOLES.ts
        form.captcha.token = TOKEN_HOLES.captcha
        form.captcha.refresh_url = _refresh_url()
        if _csrf_enabled():
            form.csrf_token.current_token = TOKEN_HOLES.csrf
        return form

    @staticmethod
    def question_token_fills() -> dict[cache.Hole, str]:
        fills = {TOKEN_HOLES.captcha: new_token(), TOKEN_HOLES.ts: guard.form_timestamp(FORM_KEY)}
        if _csrf_enabled():
            fills[TOKEN_HOLES.csrf] = generate_csrf()
        return {hole: str(escape(value)) for hole, value in fills.items()}

    # -------------------------------------------------------------- validation

    def validate_title(self, field) -> None:
        raw = nfc(field.data)
        _check_controls(raw)
        value = clean_line(raw)
        field.data = value
        if not value:
            raise ValidationError(_("Vui lòng nhập tiêu đề câu hỏi."))
        if len(value) < TITLE_MIN:
            raise ValidationError(_("Tiêu đề cần ít nhất %(n)s ký tự.", n=TITLE_MIN))
        if len(value) > TITLE_MAX:
            raise _too_long(TITLE_MAX, len(value))

    def validate_field(self, field) -> None:
        raw = field.data or ""
        if raw == "":
            return
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 9) or (
            int(raw) not in self._field_ids
        ):
            raise ValidationError(_("Lĩnh vực không có trong danh sách. Vui lòng chọn lại."))

    def validate_content(self, field) -> None:
        try:
            super().validate_content(field)
        except ValidationError as exc:
            if not field.data:
                raise ValidationError(_("Vui lòng nhập nội dung câu hỏi.")) from exc
            raise

    # -------------------------------------------------------------- the post

    def ask_attempt(self, ip: str) -> Ask:
        """What this post asks for, as validate() left it, for ``bantin.questions.ask``."""
        values = None
        if not self.has_errors:
            values = {
                "title": self.title.data,
                "name": self.name.data,
                "address": self.address.data or "",
                "email": self.email_value,
                "content": self.content.data,
                "field_id": int(self.field.data) if self.field.data else None,
                "language": "en" if str(get_locale()) == "en" else "vi",
            }
        return Ask(
            ip=ip,
            honeypot=self.website.data,
            form_time=self.ts.data,
            captcha_token=self.captcha.token,
            captcha_answer=self.captcha.data if not self.captcha.errors else None,
            values=values,
        )

    def add_reasons(self, reasons) -> None:
        """As the comment form's, with a question's words for a double post."""
        rest = []
        for reason in reasons:
            if reason == "duplicate":
                message = _("Câu hỏi này đã được gửi trước đó.")
                self.content.errors = [*self.content.errors, message]
            else:
                rest.append(reason)
        super().add_reasons(rest)
