"""Hỏi đáp for readers: GET /questions (published answers, by field, searchable), one
question, and POST /questions (a reader asks)."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _

from bantin import questions as service
from bantin import reader
from bantin.models import QuestionStatus
from bantin.question_form import QuestionForm
from bantin.sidebar import site_layout
from bantin.text import clean_line
from bantin.web.net import client_ip
from bantin.web.paging import page_arg, paginate
from blueprints.public.blueprint import bp

ID = "int(max=2147483647)"


def _field_arg(known: set[int]) -> int | None:
    """A field id from the query string: malformed is a 400, an unknown id is ignored."""
    raw = request.args.get("field", "")
    if raw == "":
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9):
        abort(400)
    value = int(raw)
    return value if value in known else None


def _list_page(form: QuestionForm | None = None, status: int = 200):
    """The list with the ask form: blank (tokens as holes in the cached page) or the
    reader's refused post with its messages and everything typed (400, not cached)."""
    fields = service.fields()
    field_id = _field_arg({t.id for t in fields})
    q = clean_line(request.args.get("q", ""))[: service.QUERY_MAX]
    number = page_arg()
    stmt = service.filtered(q, field_id)
    page = paginate(service.count(stmt), service.PER_PAGE, number)
    fills = {}
    lazy_context = None
    if form is None:
        fills = QuestionForm.question_token_fills()
        lazy_context = lambda: {"form": QuestionForm.blank_question(fields)}  # noqa: E731
    args = {"q": q or None, "field": field_id}
    html = reader.render_page(
        "public/questions/list.html",
        fills=fills,
        lazy_context=lazy_context,
        form=form,
        fields=fields,
        field_counts=service.field_counts(),
        field_id=field_id,
        q=q,
        questions=service.listing(stmt, page),
        page=page.number,
        pages=page.pages,
        total=page.total,
        args={k: v for k, v in args.items() if v is not None},
    )
    return html, status


@bp.get("/questions")
def questions():
    """Published questions and answers, grouped by field; the ask form below."""
    return _list_page()


@bp.post("/questions")
def question_ask():
    """A reader's question: stored as pending (or spam), or the form again (400)."""
    fields = service.fields()
    form = QuestionForm(fields=fields)
    form.validate()
    outcome = service.ask(form.ask_attempt(client_ip()), site_layout().settings)
    if not outcome.accepted:
        form.add_reasons(outcome.reasons)
        return _list_page(form.prepare_question(), 400)
    flash(
        _(
            "Câu hỏi của bạn đã được gửi. Ban biên tập sẽ trả lời và đăng câu hỏi cùng câu "
            "trả lời tại trang này."
        ),
        "comment",
    )
    return redirect(url_for("public.questions", _anchor="ask"), 303)


@bp.get(f"/questions/<{ID}:question_id>")
def question(question_id: int):
    """One published question with its answer."""
    item = service.get(question_id)
    if item is None or item.status != QuestionStatus.PUBLISHED:
        abort(404)
    return reader.render_page("public/questions/question.html", question=item)
