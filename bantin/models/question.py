"""Readers' questions (Hỏi đáp) and the office's answers."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bantin.clock import utcnow
from bantin.extensions import db

if TYPE_CHECKING:
    from bantin.models.official_document import DocumentTerm


class QuestionStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for an answer (never shown to readers)
    PUBLISHED = "published"  # shown with its answer
    REJECTED = "rejected"  # not answered publicly
    SPAM = "spam"  # the comment rules (blocked IP or keyword) put it here


class Question(db.Model):
    __table_args__ = (
        sa.Index("ix_question_status_created", "status", "created_at"),
        sa.Index("ix_question_status_published", "status", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    name: Mapped[str] = mapped_column(sa.String(100))
    address: Mapped[str] = mapped_column(sa.String(200), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")  # never shown publicly
    content: Mapped[str] = mapped_column(sa.Text)  # plain text, escaped on output
    # A "lĩnh vực" of the documents' list (TermKind.FIELD): the office keeps one list.
    field_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("document_term.id", ondelete="SET NULL")
    )
    status: Mapped[QuestionStatus] = mapped_column(
        sa.Enum(QuestionStatus, native_enum=False, length=16, validate_strings=True),
        default=QuestionStatus.PENDING,
    )
    reason: Mapped[str] = mapped_column(sa.String(100), default="")  # why held (the rules)
    answer: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    answered_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user.id", ondelete="SET NULL")
    )
    answered_at: Mapped[datetime | None] = mapped_column()
    published_at: Mapped[datetime | None] = mapped_column()
    # When the asker was mailed the answer (once; re-publishing sends nothing).
    notified_at: Mapped[datetime | None] = mapped_column()
    language: Mapped[str] = mapped_column(sa.String(5), default="vi")  # the asker's interface
    ip: Mapped[str | None] = mapped_column(sa.String(64))  # purged like comments' IPs
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Title, question and answer folded (lowercase, no marks, đ -> d) between spaces:
    # the `q` filter matches words against it (bantin.questions.folded_text).
    folded: Mapped[str] = mapped_column(sa.Text, default="", server_default="")

    field: Mapped[DocumentTerm | None] = relationship()
