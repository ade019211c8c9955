"""Pages in a tree (Giới thiệu › Cơ cấu tổ chức …) with an optional English version, their
revisions, and the header menu (two levels)."""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bantin.clock import utcnow
from bantin.extensions import db


class PageStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    DELETED = "deleted"


class Page(db.Model):
    __table_args__ = (sa.Index("ix_page_parent_position", "parent_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("page.id"))
    # Unique among its siblings (checked by the service: SQLite's NULLs are all distinct).
    slug: Mapped[str] = mapped_column(sa.String(200))
    title: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text, default="")  # canonical HTML (bantin.document)
    title_en: Mapped[str] = mapped_column(sa.String(300), default="")
    body_en: Mapped[str] = mapped_column(sa.Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    status: Mapped[PageStatus] = mapped_column(
        sa.Enum(PageStatus, native_enum=False, length=16, validate_strings=True),
        default=PageStatus.DRAFT,
    )
    # Must carry an English version (the organisation and contact pages: Decree 42, Art. 7).
    needs_english: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    parent: Mapped[Page | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Page]] = relationship(
        back_populates="parent", order_by="(Page.position, Page.id)"
    )

    @staticmethod
    def visible_clause() -> sa.ColumnElement[bool]:
        return Page.status == PageStatus.PUBLISHED

    def is_visible(self) -> bool:
        return self.status == PageStatus.PUBLISHED

    @property
    def has_english(self) -> bool:
        return bool(self.title_en.strip() and self.body_en.strip())


class PageRevision(db.Model):
    __table_args__ = (sa.UniqueConstraint("page_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(sa.ForeignKey("page.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(sa.String(300))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    title_en: Mapped[str] = mapped_column(sa.String(300), default="")
    body_en: Mapped[str] = mapped_column(sa.Text, default="")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MenuTarget(enum.StrEnum):
    HOME = "home"
    CATEGORY = "category"
    PAGE = "page"
    DOCUMENTS = "documents"
    SCHEDULE = "schedule"
    CONTACTS = "contacts"
    QUESTIONS = "questions"  # Hỏi đáp
    URL = "url"
    NONE = "none"  # a heading that only opens its children


class MenuItem(db.Model):
    """The header menu: top-level items (parent None) and their children, one level deep."""

    __table_args__ = (sa.Index("ix_menu_item_parent_position", "parent_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("menu_item.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(sa.String(120))
    label_en: Mapped[str] = mapped_column(sa.String(120), default="")
    target: Mapped[MenuTarget] = mapped_column(
        sa.Enum(MenuTarget, native_enum=False, length=16, validate_strings=True)
    )
    category_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("category.id", ondelete="CASCADE")
    )
    page_id: Mapped[int | None] = mapped_column(sa.ForeignKey("page.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(sa.String(500), default="")
    position: Mapped[int] = mapped_column(default=0)
