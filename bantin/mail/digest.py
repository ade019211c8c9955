"""The moderation digest: what waits for the office's editors (comments, readers' questions),
mailed to each one as often as their profile says ("off", "hourly", "daily").

A digest goes out only when something arrived since the user's previous digest, so nobody
is mailed the same queue twice. It is queued by whoever runs the outbox (`mail send` on the
systemd timer, or the MAIL_WORKER thread); the compare-and-set on ``digest_sent_at`` keeps
two of them from queueing the same digest.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, has_request_context

from bantin.clock import utcnow
from bantin.extensions import db
from bantin.mail import outbox
from bantin.mail.render import absolute_url
from bantin.models import (
    Article,
    Comment,
    CommentStatus,
    Question,
    QuestionStatus,
    User,
)
from bantin.permissions import CAPABILITIES, Capability

FREQUENCIES: dict[str, timedelta | None] = {
    "off": None,
    "hourly": timedelta(hours=1),
    "daily": timedelta(days=1),
}
LISTED = 10  # items named in a message; the counts cover the rest
EXCERPT = 160


def moderators() -> list[User]:
    roles = [role for role, caps in CAPABILITIES.items() if Capability.MODERATE_COMMENTS in caps]
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.role.in_(roles), User.active.is_(True), User.digest != "off")
            .order_by(User.id)
        ).all()
    )


def _excerpt(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"


def _waiting(since: datetime | None) -> dict | None:
    """The queue as a message's context, or None when nothing arrived since ``since``."""
    comments = sa.select(Comment).where(Comment.status == CommentStatus.PENDING)
    questions = sa.select(Question).where(Question.status == QuestionStatus.PENDING)
    if since is not None:
        newer = db.session.scalar(
            sa.select(
                sa.exists(comments.where(Comment.created_at > since))
                | sa.exists(questions.where(Question.created_at > since))
            )
        )
        if not newer:
            return None
    comment_total = db.session.scalar(sa.select(sa.func.count()).select_from(comments.subquery()))
    question_total = db.session.scalar(sa.select(sa.func.count()).select_from(questions.subquery()))
    if not comment_total and not question_total:
        return None
    listed_comments = db.session.execute(
        sa.select(Comment.name, Comment.content, Article.title)
        .join(Article, Article.id == Comment.article_id)
        .where(Comment.status == CommentStatus.PENDING)
        .order_by(Comment.created_at, Comment.id)
        .limit(LISTED)
    ).all()
    listed_questions = db.session.execute(
        sa.select(Question.name, Question.title)
        .where(Question.status == QuestionStatus.PENDING)
        .order_by(Question.created_at, Question.id)
        .limit(LISTED)
    ).all()
    return {
        "comment_total": comment_total,
        "question_total": question_total,
        "comments": [
            {"name": name, "article": title, "excerpt": _excerpt(content)}
            for name, content, title in listed_comments
        ],
        "questions": [{"name": name, "title": title} for name, title in listed_questions],
        "comments_link": absolute_url("editor.comments", status="pending"),
        "questions_link": absolute_url("editor.questions"),
        "profile_link": absolute_url("editor.profile"),
    }


def _claim(user: User, now: datetime) -> bool:
    """Mark the user's digest as sent, unless someone else just did."""
    previous = user.digest_sent_at
    claimed = db.session.execute(
        sa.update(User)
        .where(
            User.id == user.id,
            User.digest_sent_at.is_(None) if previous is None else User.digest_sent_at == previous,
        )
        .values(digest_sent_at=now)
        .execution_options(synchronize_session=False)
    )
    return claimed.rowcount == 1


def queue_due(now: datetime | None = None) -> int:
    """Queue the digests that are due; the caller commits. Returns how many."""
    if not outbox.enabled():
        return 0
    if not current_app.config.get("MAIL_SITE_URL") and not has_request_context():
        current_app.logger.warning("mail digest: set MAIL_SITE_URL so messages can hold links")
        return 0
    now = now or utcnow()
    queued = 0
    for user in moderators():
        period = FREQUENCIES.get(user.digest)
        if period is None:
            continue
        if user.digest_sent_at is not None and now - user.digest_sent_at < period:
            continue
        context = _waiting(user.digest_sent_at)
        if context is None or not _claim(user, now):
            continue
        outbox.queue(
            user.email,
            "moderation_digest",
            {"name": user.name, "frequency": user.digest, **context},
            language=user.language,
            name=user.name,
        )
        queued += 1
    return queued
