"""Read queries for readers' pages: only visible articles, only the columns listings need."""

from collections.abc import Collection, Sequence
from datetime import date
from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, load_only

from bantin import cache
from bantin.clock import utcnow
from bantin.extensions import db
from bantin.models import Article, ArticleDailyViews, Category, Comment, CommentStatus
from bantin.web.paging import Page

# Listings never need the body, which is most of an article's bytes.
LISTING_COLUMNS = load_only(
    Article.id,
    Article.title,
    Article.slug,
    Article.lead,
    Article.cover_url,
    Article.body_image_url,  # with cover_url: Article.thumbnail_url
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


def category_blocks(
    per_category: int = 4, exclude: Collection[int] = ()
) -> list[tuple[Category, Sequence[Article]]]:
    """Each category with its newest articles not in `exclude` (one query per category)."""
    blocks = []
    for category in categories():
        stmt = _visible().where(Article.category_id == category.id)
        if exclude:
            stmt = stmt.where(Article.id.not_in(list(exclude)))
        articles = db.session.scalars(stmt.order_by(*NEWEST_FIRST).limit(per_category)).all()
        if articles:
            blocks.append((category, articles))
    return blocks


def most_read(since: date, limit: int = 5) -> list[tuple[Article, int]]:
    """Visible articles by their views from the local day `since` on, most read first.

    A plain SELECT over article_daily_views (one row per article and local day).
    """
    views = sa.func.sum(ArticleDailyViews.views).label("views")
    stmt = (
        _visible()
        .add_columns(views)
        .join(ArticleDailyViews, ArticleDailyViews.article_id == Article.id)
        .where(ArticleDailyViews.day >= since)
        .group_by(Article.id)
        .having(views > 0)
        .order_by(views.desc(), *NEWEST_FIRST)
        .limit(limit)
    )
    return [(article, int(count)) for article, count in db.session.execute(stmt).all()]


def count_in_category(category_id: int) -> int:
    stmt = (
        sa.select(sa.func.count())
        .select_from(Article)
        .where(Article.category_id == category_id, Article.visible_clause(utcnow()))
    )
    return db.session.scalar(stmt) or 0


def category_page(category_id: int, page: Page) -> Sequence[Article]:
    stmt = _visible().where(Article.category_id == category_id).order_by(*NEWEST_FIRST)
    return db.session.scalars(page.rows(stmt)).all()


def same_category(article: Article, limit: int = 10) -> list[Article]:
    """Other articles of the category nearest in time (the ones just older first, then newer
    ones when there are too few), shown newest first."""
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
    result.sort(key=lambda a: (a.published_at, a.id), reverse=True)
    return result


def approved_comments(article_id: int) -> Sequence[Comment]:
    stmt = (
        sa.select(Comment)
        .where(Comment.article_id == article_id, Comment.status == CommentStatus.APPROVED)
        .order_by(Comment.created_at.asc(), Comment.id.asc())
    )
    return db.session.scalars(stmt).all()


def article_with_category(article_id: int) -> Article | None:
    stmt = sa.select(Article).where(Article.id == article_id).options(joinedload(Article.category))
    return db.session.scalar(stmt)


# ------------------------------------------------------------- cached reader page data
# Snapshots (plain namespaces) cached per content version by bantin.cache: a page costs one
# version check instead of a dozen queries, and edits show at once in every worker.

CARD_FIELDS = ("id", "slug", "title", "lead", "published_at", "category_id", "thumbnail_url")
ARTICLE_FIELDS = (*(c.key for c in sa.inspect(Article).column_attrs), "thumbnail_url")


def _card(article: Article) -> SimpleNamespace:
    return cache.snapshot(article, CARD_FIELDS)


def _cards(articles) -> list[SimpleNamespace]:
    return [_card(a) for a in articles]


# The home page shows each article once: the featured ones, then the newest others, then
# per category the newest not shown above. Its sidebar shows the most read instead.
HOME_FEATURED = 4
HOME_LATEST = 6
HOME_PER_CATEGORY = 3


def home_data() -> dict:
    def build() -> dict:
        top = featured(HOME_FEATURED)
        shown = {a.id for a in top}
        newest = [a for a in latest(HOME_LATEST + len(top)) if a.id not in shown][:HOME_LATEST]
        shown.update(a.id for a in newest)
        return {
            "featured": _cards(top),
            "latest": _cards(newest),
            "blocks": [
                (cache.snapshot(cat, ("id", "name", "slug")), _cards(items))
                for cat, items in category_blocks(HOME_PER_CATEGORY, exclude=shown)
            ],
        }

    return cache.cached("home", build)


def category_by_slug(slug: str) -> SimpleNamespace | None:
    def build() -> dict[str, SimpleNamespace]:
        fields = ("id", "name", "slug", "description")
        return {c.slug: cache.snapshot(c, fields) for c in categories()}

    return cache.cached("categories_by_slug", build).get(slug)


def category_count(category_id: int) -> int:
    return cache.cached(("category_count", category_id), lambda: count_in_category(category_id))


def category_listing(category_id: int, page: Page) -> list[SimpleNamespace]:
    key = ("category_page", category_id, page)
    return cache.cached(key, lambda: _cards(category_page(category_id, page)))


def article_snapshot(article_id: int) -> SimpleNamespace | None:
    """The article with its category, or None; visibility is the caller's check."""

    def build() -> SimpleNamespace | None:
        art = article_with_category(article_id)
        if art is None:
            return None
        snap = cache.snapshot(art, ARTICLE_FIELDS)
        snap.category = cache.snapshot(art.category, ("id", "name", "slug"))
        return snap

    return cache.cached(("article", article_id), build)


def same_category_cards(article) -> list[SimpleNamespace]:
    return cache.cached(("same", article.id), lambda: _cards(same_category(article, 10)))


def approved_comment_list(article_id: int, approved_count: int) -> list[SimpleNamespace]:
    """Keyed by the live approved count as well as the content version."""
    fields = ("id", "name", "address", "content", "created_at", "reply", "replied_at")
    fields += ("reply_updated_at",)
    key = ("comments", article_id, approved_count)
    return cache.cached(
        key, lambda: [cache.snapshot(c, fields) for c in approved_comments(article_id)]
    )
