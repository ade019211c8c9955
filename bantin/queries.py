"""Read queries for readers' pages: only visible articles, only the columns listings need."""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.orm import load_only, selectinload

from bantin.clock import utcnow
from bantin.extensions import db
from bantin.models import Article, Category, Comment, CommentStatus

# Listings never need the body, which is most of an article's bytes.
LISTING_COLUMNS = load_only(
    Article.id,
    Article.title,
    Article.slug,
    Article.lead,
    Article.cover_url,
    Article.published_at,
    Article.category_id,
    Article.comment_count,
    Article.view_count,
)
NEWEST_FIRST = (Article.published_at.desc(), Article.id.desc())


def _visible() -> sa.Select:
    return sa.select(Article).where(Article.visible_clause(utcnow())).options(LISTING_COLUMNS)


def latest(limit: int = 10) -> Sequence[Article]:
    return db.session.scalars(_visible().order_by(*NEWEST_FIRST).limit(limit)).all()


def featured(limit: int = 4) -> Sequence[Article]:
    stmt = _visible().where(Article.featured.is_(True)).order_by(*NEWEST_FIRST).limit(limit)
    return db.session.scalars(stmt).all()


def categories() -> Sequence[Category]:
    return db.session.scalars(sa.select(Category).order_by(Category.position, Category.id)).all()


def category_blocks(per_category: int = 4) -> list[tuple[Category, Sequence[Article]]]:
    """Each category with its newest articles (one indexed query per category)."""
    blocks = []
    for category in categories():
        stmt = _visible().where(Article.category_id == category.id)
        articles = db.session.scalars(stmt.order_by(*NEWEST_FIRST).limit(per_category)).all()
        if articles:
            blocks.append((category, articles))
    return blocks


def count_in_category(category_id: int) -> int:
    stmt = (
        sa.select(sa.func.count())
        .select_from(Article)
        .where(Article.category_id == category_id, Article.visible_clause(utcnow()))
    )
    return db.session.scalar(stmt) or 0


def category_page(category_id: int, page: int, per_page: int) -> Sequence[Article]:
    stmt = (
        _visible()
        .where(Article.category_id == category_id)
        .order_by(*NEWEST_FIRST)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return db.session.scalars(stmt).all()


def same_category(article: Article, limit: int = 10) -> list[Article]:
    """Other articles of the category: the ones just older first, then newer ones."""
    base = _visible().where(Article.category_id == article.category_id, Article.id != article.id)
    older_cond = sa.or_(
        Article.published_at < article.published_at,
        sa.and_(Article.published_at == article.published_at, Article.id < article.id),
    )
    older = db.session.scalars(base.where(older_cond).order_by(*NEWEST_FIRST).limit(limit)).all()
    result = list(older)
    if len(result) < limit:
        newer = db.session.scalars(
            base.where(sa.not_(older_cond))
            .order_by(Article.published_at.asc(), Article.id.asc())
            .limit(limit - len(result))
        ).all()
        result.extend(newer)
    return result


def approved_comments(article_id: int) -> Sequence[Comment]:
    stmt = (
        sa.select(Comment)
        .where(Comment.article_id == article_id, Comment.status == CommentStatus.APPROVED)
        .order_by(Comment.created_at.asc(), Comment.id.asc())
    )
    return db.session.scalars(stmt).all()


def article_with_category(article_id: int) -> Article | None:
    stmt = (
        sa.select(Article).where(Article.id == article_id).options(selectinload(Article.category))
    )
    return db.session.scalar(stmt)
