"""The office's word on a reader's comment: a reply shown under it, and a corrected text.

Both are plain text (escaped on output, line breaks kept), audited with the old text in the
audit row's detail, and committed here. What readers see changes only for an approved
comment: then the content version moves (``cache.bump``), so every cached article page is
rebuilt on its next request.
"""

from __future__ import annotations

from flask_babel import gettext as _

from bantin import audit, cache
from bantin.clock import utcnow
from bantin.comment_form import CONTENT_MAX, CONTENT_MIN
from bantin.extensions import db
from bantin.formatting import number
from bantin.models import Comment, CommentStatus, User
from bantin.text import has_control_chars, nfc

REPLY_MAX = 4000


class Invalid(ValueError):
    """The text cannot be stored; the message is for the editor."""


def clean_text(value: str | None) -> str:
    """NFC, Windows line breaks unified, surrounding blank space trimmed; lines kept."""
    return nfc(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _check(text: str, limit: int, empty_message: str) -> str:
    if has_control_chars(text):
        raise Invalid(_("Có ký tự điều khiển không hợp lệ. Vui lòng xóa rồi gửi lại."))
    text = clean_text(text)
    if not text:
        raise Invalid(empty_message)
    if len(text) > limit:
        raise Invalid(
            _(
                "Tối đa %(limit)s ký tự (bạn đã nhập %(length)s).",
                limit=number(limit),
                length=number(len(text)),
            )
        )
    return text


def _commit(comment: Comment) -> None:
    if comment.status == CommentStatus.APPROVED:
        cache.bump()  # readers see it: cached article pages go
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise


def set_reply(comment: Comment, text: str, user: User | None) -> bool:
    """Write or change the office's reply; False when the text is the same as before."""
    text = _check(text, REPLY_MAX, _("Vui lòng nhập nội dung trả lời."))
    old = comment.reply or ""
    if text == old:
        return False
    now = utcnow()
    comment.reply = text
    comment.reply_by_id = user.id if user else None
    if old:
        comment.reply_updated_at = now
        detail = f"article {comment.article_id}; old reply: {old}"
        audit.record("comment.reply_edit", "comment", comment.id, detail, user)
    else:
        comment.replied_at = now
        comment.reply_updated_at = None
        detail = f"article {comment.article_id}; reply: {text}"
        audit.record("comment.reply_create", "comment", comment.id, detail, user)
    _commit(comment)
    return True


def delete_reply(comment: Comment, user: User | None) -> bool:
    """Remove the reply; False when there was none."""
    old = comment.reply or ""
    if not old:
        return False
    comment.reply = ""
    comment.reply_by_id = None
    comment.replied_at = None
    comment.reply_updated_at = None
    detail = f"article {comment.article_id}; old reply: {old}"
    audit.record("comment.reply_delete", "comment", comment.id, detail, user)
    _commit(comment)
    return True


def edit_content(comment: Comment, text: str, user: User | None) -> bool:
    """Correct the reader's text (typos); the original goes into the audit row."""
    text = _check(text, CONTENT_MAX, _("Vui lòng nhập nội dung ý kiến."))
    if len(text) < CONTENT_MIN:
        raise Invalid(_("Nội dung cần ít nhất %(n)s ký tự.", n=CONTENT_MIN))
    old = comment.content
    if text == old:
        return False
    comment.content = text
    detail = f"article {comment.article_id}; original: {old}"
    audit.record("comment.edit", "comment", comment.id, detail, user)
    _commit(comment)
    return True
