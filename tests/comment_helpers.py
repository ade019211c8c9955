"""Helpers shared by the comment, captcha, guard and moderation tests."""

import re
from html import unescape

import sqlalchemy as sa

from bantin.extensions import db
from bantin.models import Comment

_HIDDEN = r'name="{name}"(?: type="hidden")? value="([^"]*)"'


def article_url(art) -> str:
    return f"/article/{art.id}/{art.slug}"


def post_url(art) -> str:
    return f"/article/{art.id}/comments"


def hidden_value(html: str, name: str) -> str | None:
    match = re.search(_HIDDEN.format(name=re.escape(name)), html)
    return unescape(match.group(1)) if match else None


def form_tokens(html: str) -> dict:
    """The hidden values a browser would send back with the comment form."""
    tokens = {}
    for name in ("captcha_token", "ts", "csrf_token"):
        value = hidden_value(html, name)
        if value is not None:
            tokens[name] = value
    return tokens


def fetch_form(client, art) -> dict:
    response = client.get(article_url(art))
    assert response.status_code == 200
    tokens = form_tokens(response.get_data(as_text=True))
    assert "captcha_token" in tokens, "the article page carries no comment form"
    return tokens


GOOD = {
    "name": "Nguyễn Văn An",
    "address": "Thôn Đông, xã Hòa Bình",
    "email": "",
    "content": "Bài viết rất hữu ích cho bà con trong thôn.",
    "captcha": "TEST1",
    "website": "",
}


def post_comment(client, art, tokens: dict | None = None, **fields):
    """Fetch a fresh form (unless tokens are given) and post it; None drops a field."""
    data = dict(tokens if tokens is not None else fetch_form(client, art))
    data.update(GOOD)
    data.update(fields)
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(post_url(art), data=data)


def field_error(html: str, field: str) -> str | None:
    match = re.search(rf'<p class="field-error" id="{field}-error">(.*?)</p>', html, re.S)
    return unescape(match.group(1)) if match else None


def input_tag(html: str, field: str) -> str:
    match = re.search(rf'<input [^>]*\bname="{field}"[^>]*>', html)
    assert match, f"no input named {field}"
    return match.group(0)


def input_value(html: str, field: str) -> str:
    match = re.search(r'value="([^"]*)"', input_tag(html, field))
    return unescape(match.group(1)) if match else ""


def textarea_value(html: str, field: str = "content") -> str:
    match = re.search(rf'<textarea [^>]*name="{field}"[^>]*>\r?\n?(.*?)</textarea>', html, re.S)
    assert match, f"no textarea named {field}"
    return unescape(match.group(1))


def all_comments() -> list[Comment]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Comment).order_by(Comment.id)))


def approved_count(article_id: int) -> int:
    from bantin.models import CommentStatus

    stmt = (
        sa.select(sa.func.count())
        .select_from(Comment)
        .where(Comment.article_id == article_id, Comment.status == CommentStatus.APPROVED)
    )
    return db.session.scalar(stmt)


def make_comment(art, status, **kw) -> Comment:
    """A stored comment, with Article.comment_count kept in step like the service does."""
    from bantin.models import Article, CommentStatus

    defaults = {"name": "Bạn đọc", "content": f"Ý kiến {status}", "ip": "192.0.2.10"}
    defaults.update(kw)
    comment = Comment(article_id=art.id, status=status, **defaults)
    db.session.add(comment)
    if status == CommentStatus.APPROVED:
        db.session.execute(
            sa.update(Article)
            .where(Article.id == art.id)
            .values(comment_count=Article.comment_count + 1)
        )
    db.session.commit()
    return comment
