"""Hỏi đáp in the editor: the queue by status (pending first) and one question to answer,
edit, publish, take down or reject (POST, audited)."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import ValidationError

from bantin import questions as service
from bantin.comment_form import CONTENT_MAX, CONTENT_MIN
from bantin.comment_replies import clean_text
from bantin.extensions import db
from bantin.formatting import number
from bantin.models import Question, QuestionStatus
from bantin.permissions import Capability, requires
from bantin.text import clean_line, has_control_chars
from bantin.web.paging import page_arg, paginate
from blueprints.editor.blueprint import bp

ID = "int(max=2147483647)"
MAX_PAGE = 100_000

TABS = (
    (QuestionStatus.PENDING, _l("Chờ trả lời")),
    (QuestionStatus.PUBLISHED, _l("Đã đăng")),
    (QuestionStatus.REJECTED, _l("Đã từ chối")),
    (QuestionStatus.SPAM, _l("Thư rác")),
)
ACTIONS = ("save", "publish", "unpublish", "reject")
DONE = {
    "save": _l("Đã lưu câu hỏi."),
    "publish": _l("Đã đăng câu hỏi cùng câu trả lời."),
    "unpublish": _l("Đã gỡ câu hỏi về hàng chờ trả lời."),
    "reject": _l("Đã từ chối câu hỏi."),
}


@bp.context_processor
def _pending_questions_badge() -> dict:
    """The editor menu's count of questions waiting for an answer (one indexed COUNT)."""
    if not current_user.is_authenticated:
        return {}
    return {"pending_question_count": service.pending_count()}


def _too_long(limit: int, length: int) -> ValidationError:
    return ValidationError(
        _(
            "Tối đa %(limit)s ký tự (bạn đã nhập %(length)s).",
            limit=number(limit),
            length=number(length),
        )
    )


def _text(field, limit: int, empty: str | None) -> None:
    if has_control_chars(field.data or ""):
        raise ValidationError(_("Có ký tự điều khiển không hợp lệ. Vui lòng xóa rồi gửi lại."))
    field.data = clean_text(field.data)
    if not field.data and empty:
        raise ValidationError(empty)
    if len(field.data) > limit:
        raise _too_long(limit, len(field.data))


class QuestionEditForm(FlaskForm):
    title = StringField(_l("Tiêu đề câu hỏi"))
    field = SelectField(_l("Lĩnh vực"), validate_choice=False)
    content = TextAreaField(_l("Nội dung câu hỏi"))
    answer = TextAreaField(_l("Câu trả lời của ban biên tập"))

    def __init__(self, *args, fields=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.field.choices = [("", _("— Không chọn —"))] + [(str(t.id), t.name) for t in fields]
        self._field_ids = {t.id for t in fields}

    def validate_title(self, field) -> None:
        if has_control_chars(field.data or ""):
            raise ValidationError(_("Có ký tự điều khiển không hợp lệ. Vui lòng xóa rồi gửi lại."))
        field.data = clean_line(field.data)
        if not field.data:
            raise ValidationError(_("Vui lòng nhập tiêu đề câu hỏi."))
        if len(field.data) > service.TITLE_MAX:
            raise _too_long(service.TITLE_MAX, len(field.data))

    def validate_field(self, field) -> None:
        raw = field.data or ""
        if raw and not (raw.isascii() and raw.isdigit() and int(raw) in self._field_ids):
            raise ValidationError(_("Lĩnh vực không có trong danh sách. Vui lòng chọn lại."))

    def validate_content(self, field) -> None:
        _text(field, CONTENT_MAX, _("Vui lòng nhập nội dung câu hỏi."))
        if len(field.data) < CONTENT_MIN:
            raise ValidationError(_("Nội dung cần ít nhất %(n)s ký tự.", n=CONTENT_MIN))

    def validate_answer(self, field) -> None:
        _text(field, service.ANSWER_MAX, None)

    def changes(self) -> dict:
        return {
            "title": self.title.data,
            "content": self.content.data,
            "answer": self.answer.data,
            "field_id": int(self.field.data) if self.field.data else None,
        }


def _status_arg(value: str | None) -> QuestionStatus | None:
    if not value:
        return QuestionStatus.PENDING
    try:
        return QuestionStatus(value)
    except ValueError:
        return None


@bp.get("/questions")
@requires(Capability.MODERATE_COMMENTS)
def questions():
    """The queue: one tab per status with its count; waiting questions oldest first."""
    status = _status_arg(request.args.get("status"))
    if status is None:
        abort(404)
    counts = service.counts_by_status()
    page = paginate(counts[status], service.EDITOR_PER_PAGE, page_arg(MAX_PAGE), clamp=True)
    order = (
        (Question.created_at.asc(), Question.id.asc())
        if status == QuestionStatus.PENDING
        else (Question.updated_at.desc(), Question.id.desc())
    )
    rows = db.session.scalars(
        page.rows(sa.select(Question).where(Question.status == status).order_by(*order))
    ).all()
    return render_template(
        "editor/questions/list.html",
        status=status,
        tabs=TABS,
        counts=counts,
        rows=rows,
        page=page.number,
        pages=page.pages,
    )


def _render(question: Question, form: QuestionEditForm, code: int = 200):
    body = render_template(
        "editor/questions/edit.html", question=question, form=form, actions=ACTIONS
    )
    return body, code


@bp.route(f"/questions/<{ID}:question_id>", methods=["GET", "POST"])
@requires(Capability.MODERATE_COMMENTS)
def question_edit(question_id: int):
    """Answer, edit, publish, take down or reject one question."""
    question = db.get_or_404(Question, question_id)
    fields = service.fields()
    if request.method == "GET":
        form = QuestionEditForm(
            formdata=None,
            fields=fields,
            data={
                "title": question.title,
                "content": question.content,
                "answer": question.answer,
                "field": str(question.field_id or ""),
            },
        )
        return _render(question, form)
    form = QuestionEditForm(fields=fields)
    action = request.form.get("action", "save")
    if action not in ACTIONS:
        abort(400)  # a form field: the form only offers these
    if not form.validate():
        return _render(question, form, 400)
    try:
        changed = service.save(question, form.changes(), current_user._get_current_object(), action)
    except service.CannotPublish:
        form.answer.errors = [_("Hãy viết câu trả lời trước khi đăng.")]
        return _render(question, form, 400)
    if changed:
        flash(str(DONE[action]), "success")
    else:
        flash(_("Không có gì thay đổi."), "info")
    return redirect(url_for("editor.question_edit", question_id=question.id), 303)
