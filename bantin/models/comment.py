"""Reader comments and captcha challenges."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bantin.clock import utcnow
from bantin.extensions import db

if TYPE_CHECKING:
    from bantin.models.article import Article


class CommentStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    SPAM = "spam"
    TRASH = "trash"


class Comment(db.Model):
    __table_args__ = (
        sa.Index("ix_comment_article_status_created", "article_id", "status", "created_at"),
        sa.Index("ix_comment_status_created", "status", "created_at"),
        sa.Index("ix_comment_ip_created", "ip", "created_at"),
        # "An earlier comment with this email was approved" (auto-approve returning).
        sa.Index("ix_comment_email_status", "email", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(sa.ForeignKey("article.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(100))
    address: Mapped[str] = mapped_column(sa.String(200), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")  # never shown publicly
    content: Mapped[str] = mapped_column(sa.Text)  # plain text, escaped on output
    status: Mapped[CommentStatus] = mapped_column(
        sa.Enum(CommentStatus, native_enum=False, length=16, validate_strings=True),
        default=CommentStatus.PENDING,
    )
    # Who held it and why ("links", "keyword", "blocked"), shown to moderators.
    reason: Mapped[str] = mapped_column(sa.String(100), default="")
    ip: Mapped[str | None] = mapped_column(sa.String(64))  # purged after 90 days
    user_agent: Mapped[str] = mapped_column(sa.String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    moderated_at: Mapped[datetime | None] = mapped_column()
    moderated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    # The office's answer, shown under the comment once it is approved (plain text; "" none).
    reply: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    reply_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    replied_at: Mapped[datetime | None] = mapped_column()
    reply_updated_at: Mapped[datetime | None] = mapped_column()

    article: Mapped[Article] = relationship()


class CaptchaChallenge(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # HMAC-SHA256(secret key, answer): useless to anyone without the key.
    answer_hmac: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    used_at: Mapped[datetime | None] = mapped_column()
