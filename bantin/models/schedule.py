"""The leaders' weekly work schedule (lịch công tác)."""

from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from bantin.clock import utcnow
from bantin.extensions import db


class ScheduleEntry(db.Model):
    __table_args__ = (sa.Index("ix_schedule_entry_day_time", "day", "start_time"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column()
    start_time: Mapped[time | None] = mapped_column()  # None: all day
    content: Mapped[str] = mapped_column(sa.Text)
    leader: Mapped[str] = mapped_column(sa.String(300), default="")  # or the participants
    location: Mapped[str] = mapped_column(sa.String(300), default="")
    preparing_unit: Mapped[str] = mapped_column(sa.String(300), default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    # Repeats every week: "copy last week's recurring entries" copies it forward.
    recurring: Mapped[bool] = mapped_column(default=False)
    # Set when the entry changes (or is added) after its week was published: "điều chỉnh".
    adjusted_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScheduleWeek(db.Model):
    """A week's publication: readers see a week once it is published."""

    id: Mapped[int] = mapped_column(primary_key=True)
    week: Mapped[str] = mapped_column(sa.String(8), unique=True)  # ISO week: 2026-W49
    published_at: Mapped[datetime | None] = mapped_column()
    # Removed entries of a published week are kept as a note of the change.
    changes: Mapped[str] = mapped_column(sa.Text, default="")
