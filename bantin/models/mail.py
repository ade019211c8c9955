"""The outbox (every message, from the transaction that caused it to its delivery) and the
single-use links of password resets and invitations."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bantin.clock import utcnow
from bantin.extensions import db


class MailStatus(enum.StrEnum):
    QUEUED = "queued"  # waiting for its next_attempt_at
    SENDING = "sending"  # claimed by a sender until claimed_until (then claimable again)
    SENT = "sent"
    FAILED = "failed"  # permanent refusal or too many attempts: an admin may retry it


class MailMessage(db.Model):
    """One message, rendered when queued (subject, text and HTML in its language)."""

    __tablename__ = "mail_message"
    __table_args__ = (sa.Index("ix_mail_message_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_addr: Mapped[str] = mapped_column(sa.String(254))
    to_name: Mapped[str] = mapped_column(sa.String(120), default="")
    template: Mapped[str] = mapped_column(sa.String(40))
    language: Mapped[str] = mapped_column(sa.String(8), default="vi")
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    # Fixed when queued: a retry carries the same Message-ID (receivers can drop duplicates).
    message_id: Mapped[str] = mapped_column(sa.String(200), unique=True)
    status: Mapped[MailStatus] = mapped_column(
        sa.Enum(MailStatus, native_enum=False, length=10, validate_strings=True),
        default=MailStatus.QUEUED,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The claim of one sender: its random token and the lease's end.
    claim_token: Mapped[str | None] = mapped_column(sa.String(32))
    claimed_until: Mapped[datetime | None] = mapped_column()
    last_error: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()


class TokenPurpose(enum.StrEnum):
    RESET = "reset"  # a forgotten password (1 hour)
    INVITE = "invite"  # a new account's first password (72 hours)


class AccountToken(db.Model):
    """A single-use link to set a password; only the SHA-256 of the token is stored."""

    __tablename__ = "account_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[TokenPurpose] = mapped_column(
        sa.Enum(TokenPurpose, native_enum=False, length=10, validate_strings=True)
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column()
