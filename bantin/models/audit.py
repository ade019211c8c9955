"""The audit log: who did what, when, from where."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bantin.clock import utcnow
from bantin.extensions import db


class AuditLog(db.Model):
    __table_args__ = (
        sa.Index("ix_audit_log_created", "created_at"),
        sa.Index("ux_audit_log_repeat_key", "repeat_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"))
    # A snapshot of who it was, readable even after the user is renamed or removed.
    actor: Mapped[str] = mapped_column(sa.String(254), default="")
    action: Mapped[str] = mapped_column(sa.String(60), index=True)
    target_type: Mapped[str] = mapped_column(sa.String(40), default="")
    target_id: Mapped[int | None] = mapped_column()
    # Text: an edit of a reader's comment or of an answer keeps the old text here.
    detail: Mapped[str] = mapped_column(sa.Text, default="")
    ip: Mapped[str] = mapped_column(sa.String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Repeated events (refused sign-ins, wrong current passwords) share one row per action,
    # account, address, detail and window: ``count`` goes up and ``last_at`` moves on.
    # ``repeat_key`` names that group (NULL for ordinary one-off events); its unique index
    # lets concurrent workers add to the same row with one upsert.
    count: Mapped[int] = mapped_column(default=1, server_default="1")
    last_at: Mapped[datetime | None] = mapped_column()
    repeat_key: Mapped[str | None] = mapped_column(sa.String(64))
