"""How an article goes from its author to readers: who may open and change it, and the review.

A contributor writes drafts and submits them ("Gửi duyệt", with an optional note); the
article waits in the editors' queue with the status ``review``; an editor approves it
("Duyệt và đăng": published now or at a chosen time) or returns it ("Trả lại", with a
required note the author sees). The author may withdraw a submission. Every step goes
through bantin.articles.save (a revision and an audit row) and mails the people concerned.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from bantin import articles
from bantin.clock import utcnow
from bantin.extensions import db
from bantin.mail import outbox
from bantin.mail.render import absolute_url
from bantin.models import Article, ArticleStatus, User
from bantin.permissions import CAPABILITIES, Capability, can

NOTE_MAX = 1000

NOTE_SUBMIT = "submit"
NOTE_WITHDRAW = "withdraw"
NOTE_APPROVE = "approve"
NOTE_RETURN = "return"


class ReviewError(ValueError):
    """A step that does not apply to the article as it is now (the caller says why)."""


# ---------------------------------------------------------------- who may do what


def reviews(user: User) -> bool:
    """Editors and admins see every article and decide what is published."""
    return can(Capability.PUBLISH_ARTICLES, user)


def may_open(user: User, article: Article) -> bool:
    """Contributors see only their own articles."""
    return reviews(user) or (article.created_by_id is not None and article.created_by_id == user.id)


def may_edit(user: User, article: Article) -> bool:
    """Contributors change their own drafts only: a submitted article waits for the editor
    (withdraw it to change it), a published one changes through an editor."""
    if reviews(user):
        return True
    return may_open(user, article) and article.status == ArticleStatus.DRAFT


def visible_to(user: User) -> sa.ColumnElement[bool]:
    """The editor's article list for this user."""
    if reviews(user):
        return sa.true()
    return Article.created_by_id == user.id


# ---------------------------------------------------------------- the steps


def clean_note(value: str | None) -> str:
    return articles.clean_lead(value)[:NOTE_MAX]


def submit(article: Article, user: User, note: str = "") -> Article:
    """Draft -> review: the editors are told."""
    if article.status != ArticleStatus.DRAFT:
        raise ReviewError("only a draft can be submitted")
    problems = articles.publish_check(article.body)
    if not problems.ok:
        raise ReviewError("the article cannot be published as it is")
    articles.save(
        article,
        user,
        {
            "status": ArticleStatus.REVIEW.value,
            "submitted_at": utcnow(),
            "review_note": clean_note(note),
        },
        action="article.submit",
        note=NOTE_SUBMIT,
    )
    _tell_reviewers(article, user)
    return article


def withdraw(article: Article, user: User) -> Article:
    """Review -> draft, by its author (or an editor), to change it before the review."""
    if article.status != ArticleStatus.REVIEW:
        raise ReviewError("only a submitted article can be withdrawn")
    return articles.save(
        article,
        user,
        {"status": ArticleStatus.DRAFT.value, "review_note": ""},
        action="article.withdraw",
        note=NOTE_WITHDRAW,
    )


def approve(article: Article, user: User, publish_at: datetime | None = None) -> Article:
    """Review -> published, now or at ``publish_at`` (scheduled)."""
    if article.status != ArticleStatus.REVIEW:
        raise ReviewError("only a submitted article can be approved")
    if not articles.publish_check(article.body).ok:
        raise ReviewError("the article cannot be published as it is")
    articles.save(
        article,
        user,
        {
            "status": ArticleStatus.PUBLISHED.value,
            "published_at": publish_at or utcnow(),
            "review_note": "",
        },
        action="article.approve",
        note=NOTE_APPROVE,
    )
    _tell_author(article, user, "review_approved")
    return article


def send_back(article: Article, user: User, note: str) -> Article:
    """Review -> draft with a note the author must read: what to change."""
    if article.status != ArticleStatus.REVIEW:
        raise ReviewError("only a submitted article can be returned")
    note = clean_note(note)
    if not note:
        raise ReviewError("a returned article needs a note")
    articles.save(
        article,
        user,
        {"status": ArticleStatus.DRAFT.value, "review_note": note},
        action="article.return",
        note=NOTE_RETURN,
    )
    _tell_author(article, user, "review_returned")
    return article


def queue_size() -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count(Article.id)).where(Article.status == ArticleStatus.REVIEW)
        )
        or 0
    )


def waiting(limit: int = 10) -> list[Article]:
    """The editors' queue: oldest submission first."""
    return list(
        db.session.scalars(
            sa.select(Article)
            .where(Article.status == ArticleStatus.REVIEW)
            .order_by(Article.submitted_at.asc().nulls_last(), Article.id)
            .limit(limit)
        ).all()
    )


# ---------------------------------------------------------------- mail


def reviewers() -> list[User]:
    roles = [role for role, caps in CAPABILITIES.items() if Capability.PUBLISH_ARTICLES in caps]
    return list(
        db.session.scalars(
            sa.select(User).where(User.role.in_(roles), User.active.is_(True)).order_by(User.id)
        ).all()
    )


def _edit_link(article: Article) -> str:
    return absolute_url("editor.article_edit", article_id=article.id)


def _tell_reviewers(article: Article, author: User) -> None:
    if not outbox.enabled():
        return
    link = _edit_link(article)
    for person in reviewers():
        if person.id == author.id:
            continue
        outbox.queue(
            person.email,
            "review_submitted",
            {
                "name": person.name,
                "author": author.name,
                "title": article.title,
                "note": article.review_note,
                "link": link,
            },
            language=person.language,
            name=person.name,
        )


def _tell_author(article: Article, reviewer: User, template: str) -> None:
    author = db.session.get(User, article.created_by_id) if article.created_by_id else None
    if author is None or author.id == reviewer.id or not author.active or not outbox.enabled():
        return
    outbox.queue(
        author.email,
        template,
        {
            "name": author.name,
            "reviewer": reviewer.name,
            "title": article.title,
            "note": article.review_note,
            "link": _edit_link(article),
            "scheduled": article.is_scheduled,
        },
        language=author.language,
        name=author.name,
    )
