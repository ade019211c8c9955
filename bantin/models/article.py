"""Categories, articles and their revisions."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, WriteOnlyMapped, mapped_column, relationship

from bantin.clock import utcnow
from bantin.extensions import db

if TYPE_CHECKING:
    from bantin.models.user import User


class ArticleStatus(enum.StrEnum):
    DRAFT = "draft"
    REVIEW = "review"  # submitted by its author, waiting for an editor
    PUBLISHED = "published"
    DELETED = "deleted"


class Category(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    slug: Mapped[str] = mapped_column(sa.String(140), unique=True)
    description: Mapped[str] = mapped_column(sa.String(500), default="")
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    articles: WriteOnlyMapped[Article] = relationship(back_populates="category")

    def __repr__(self) -> str:
        return f"<Category {self.slug}>"


class Article(db.Model):
    __table_args__ = (
        # Listings: visible articles newest first, site-wide, per category, featured.
        sa.Index("ix_article_status_published", "status", "published_at"),
        sa.Index("ix_article_category_status_published", "category_id", "status", "published_at"),
        sa.Index("ix_article_featured_status_published", "featured", "status", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(300))
    slug: Mapped[str] = mapped_column(sa.String(200))
    category_id: Mapped[int] = mapped_column(sa.ForeignKey("category.id"))
    author_name: Mapped[str] = mapped_column(sa.String(120), default="")
    lead: Mapped[str] = mapped_column(sa.Text, default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")  # sanitised HTML, stored safe
    cover_url: Mapped[str | None] = mapped_column(sa.String(300))
    # The body's first image, set on every save: the thumbnail when there is no cover.
    body_image_url: Mapped[str | None] = mapped_column(sa.String(300))
    status: Mapped[ArticleStatus] = mapped_column(
        sa.Enum(ArticleStatus, native_enum=False, length=16, validate_strings=True),
        default=ArticleStatus.DRAFT,
    )
    published_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    featured: Mapped[bool] = mapped_column(default=False)
    allow_comments: Mapped[bool] = mapped_column(default=True)
    view_count: Mapped[int] = mapped_column(default=0)
    # Approved comments only; kept in step by the comment service so pages never COUNT(*).
    comment_count: Mapped[int] = mapped_column(default=0)
    # Bumped on every save: an edit form carries it to detect a conflicting save.
    version: Mapped[int] = mapped_column(default=1)
    # The review: when it was last submitted, and the note of the last submission or return
    # (a return's note is required and shown to the author).
    submitted_at: Mapped[datetime | None] = mapped_column()
    review_note: Mapped[str] = mapped_column(sa.String(1000), default="", server_default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))

    category: Mapped[Category] = relationship(back_populates="articles")
    revisions: WriteOnlyMapped[ArticleRevision] = relationship(
        back_populates="article", cascade="all, delete-orphan", passive_deletes=True
    )

    @staticmethod
    def visible_clause(now: datetime | None = None) -> sa.ColumnElement[bool]:
        """Published and due: scheduling needs no timer, it is decided at read time."""
        return sa.and_(
            Article.status == ArticleStatus.PUBLISHED,
            Article.published_at <= (now or utcnow()),
        )

    @staticmethod
    def scheduled_clause(now=None) -> sa.ColumnElement[bool]:
        """Published and not due yet (``now`` may be a column, such as a bound parameter)."""
        return sa.and_(
            Article.status == ArticleStatus.PUBLISHED,
            Article.published_at > (utcnow() if now is None else now),
        )

    def is_visible(self, now: datetime | None = None) -> bool:
        """visible_clause in Python; for snapshots too: ``Article.is_visible(snapshot)``."""
        return (
            self.status == ArticleStatus.PUBLISHED
            and self.published_at is not None
            and self.published_at <= (now or utcnow())
        )

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == ArticleStatus.PUBLISHED
            and self.published_at is not None
            and self.published_at > utcnow()
        )

    @property
    def thumbnail_url(self) -> str | None:
        """The cover image, else the body's first image: listings and social cards."""
        return self.cover_url or self.body_image_url

    def __repr__(self) -> str:
        return f"<Article {self.id} {self.slug}>"


class ArticleRevision(db.Model):
    __table_args__ = (
        sa.UniqueConstraint("article_id", "number", name="uq_article_revision_article_id_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(
        sa.ForeignKey("article.id", ondelete="CASCADE"), index=True
    )
    # 1, 2, 3 … within one article: what people see in the history, the form and the diff.
    number: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(sa.String(300))
    lead: Mapped[str] = mapped_column(sa.Text, default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(sa.String(200), default="")

    article: Mapped[Article] = relationship(back_populates="revisions")
    user: Mapped[User | None] = relationship()


class ArticleAutosave(db.Model):
    """Work in progress saved by the editor every 30 s: one row per article and user.

    Replaced on each tick (not a revision per tick); offered for recovery when the article
    is opened again, deleted by a real save. `article_id` is None for an unsaved new article.
    """

    __table_args__ = (sa.UniqueConstraint("user_id", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    article_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("article.id", ondelete="CASCADE"), index=True
    )
    slot: Mapped[str] = mapped_column(sa.String(40))  # "new" or the article id as text
    # The article version the form was opened with (None for a new article).
    base_version: Mapped[int | None] = mapped_column()
    title: Mapped[str] = mapped_column(sa.String(300), default="")
    lead: Mapped[str] = mapped_column(sa.Text, default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    saved_at: Mapped[datetime] = mapped_column(default=utcnow)
