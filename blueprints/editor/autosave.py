"""The editor's autosave: JSON for fetch() every 30 s and for navigator.sendBeacon on leaving.

Both send the same form fields (`csrf_token`, `article_id`, `base_version`, `title`, `lead`,
`body`); a beacon's FormData carries the CSRF token as the form field, which the app-wide
CSRF check reads like any form post.
"""

from __future__ import annotations

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from bantin import autosave, review
from bantin.extensions import db
from bantin.formatting import iso, local_datetime
from bantin.models import Article, ArticleStatus
from bantin.permissions import Capability, requires
from bantin.text import has_control_chars
from blueprints.editor.blueprint import bp
from blueprints.editor.forms_articles import BODY_MAX_LENGTH

TITLE_MAX = 300
LEAD_MAX = 2000
SAVED_AT_PATTERN = "HH:mm:ss"


class BadRequest(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _int_field(name: str) -> int | None:
    raw = (request.form.get(name) or "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) < 19):
        raise BadRequest(_("Dữ liệu tự lưu không hợp lệ, hãy tải lại trang."))
    return int(raw)


def _article() -> Article | None:
    """The article named by `article_id` (None: a new article); 404 unknown, 409 in the trash."""
    article_id = _int_field("article_id")
    if article_id is None:
        return None
    article = db.session.get(Article, article_id)
    if article is None:
        raise BadRequest(_("Không tìm thấy bài viết này."), 404)
    if article.status == ArticleStatus.DELETED:
        raise BadRequest(_("Bài viết đang ở thùng rác nên không tự lưu được."), 409)
    if not review.may_edit(current_user, article):
        raise BadRequest(_("Bạn không sửa được bài viết này."), 403)
    return article


def _text_field(name: str, limit: int, message: str) -> str:
    value = request.form.get(name) or ""
    if len(value) > limit:
        raise BadRequest(message)
    if has_control_chars(value) and name != "body":  # the sanitiser drops them from the body
        raise BadRequest(_("Có ký tự không hợp lệ, hãy gõ lại."))
    return value


def _error(exc: BadRequest):
    db.session.rollback()
    return jsonify(error=exc.message), exc.status


@bp.post("/articles/autosave")
@requires(Capability.WRITE_ARTICLES)
def article_autosave():
    """Keep the form's title, lead and body as the user's one autosave for this article."""
    try:
        article = _article()
        base_version = _int_field("base_version")
        title = _text_field("title", TITLE_MAX, _("Tiêu đề dài tối đa %(max)d ký tự.", max=300))
        lead = _text_field("lead", LEAD_MAX, _("Sa-pô dài tối đa %(max)d ký tự.", max=2000))
        body = _text_field("body", BODY_MAX_LENGTH, _("Nội dung quá dài."))
    except BadRequest as exc:
        return _error(exc)
    draft = autosave.Draft.from_form(title, lead, body)
    row, written = autosave.store(current_user.id, article, base_version, draft)
    saved_at = row.saved_at
    if written:
        db.session.commit()
    return jsonify(
        saved_at=iso(saved_at),
        saved_at_label=local_datetime(saved_at, SAVED_AT_PATTERN),
        written=written,
    )


@bp.post("/articles/autosave/discard")
@requires(Capability.WRITE_ARTICLES)
def article_autosave_discard():
    """Forget the user's autosave for this article ("Bỏ qua" in the recovery box)."""
    try:
        article_id = _int_field("article_id")
    except BadRequest as exc:
        return _error(exc)
    if autosave.discard(current_user.id, article_id):
        db.session.commit()
    return "", 204
