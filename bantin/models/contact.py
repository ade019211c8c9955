"""The organisation's units and the officials' contacts (GET /contacts)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bantin.extensions import db


class ContactUnit(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    name_en: Mapped[str] = mapped_column(sa.String(200), default="")
    phone: Mapped[str] = mapped_column(sa.String(100), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    position: Mapped[int] = mapped_column(default=0)

    people: Mapped[list[Contact]] = relationship(
        back_populates="unit",
        order_by="(Contact.position, Contact.id)",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class Contact(db.Model):
    __table_args__ = (sa.Index("ix_contact_unit_position", "unit_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(sa.ForeignKey("contact_unit.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(200))
    title: Mapped[str] = mapped_column(sa.String(200), default="")  # chức vụ
    title_en: Mapped[str] = mapped_column(sa.String(200), default="")
    phone: Mapped[str] = mapped_column(sa.String(100), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    photo_url: Mapped[str | None] = mapped_column(sa.String(300))
    position: Mapped[int] = mapped_column(default=0)

    unit: Mapped[ContactUnit] = relationship(back_populates="people")
