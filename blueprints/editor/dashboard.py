"""The editor's dashboard: article and comment counts, visits and the most read articles."""

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import render_template
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from bantin import charts, review
from bantin.clock import local_today, utcnow
from bantin.extensions import db
from bantin.formatting import number
from bantin.models import (
    Article,
    ArticleDailyViews,
    ArticleStatus,
    Comment,
    CommentStatus,
    DailyStats,
)
from bantin.permissions import Capability, requires
from blueprints.editor.blueprint import bp

CHART_DAYS = 30


@dataclass(frozen=True)
class ArticleCounts:
    published: int
    scheduled: int
    draft: int
    deleted: int


@dataclass(frozen=True)
class Traffic:
    visits_today: int
    visits_month: int
    page_views_today: int
    page_views_month: int
    article_views_today: int
    article_views_month: int


def article_counts() -> ArticleCounts:
    now = utcnow()

    def count_when(condition) -> sa.ColumnElement[int]:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    row = db.session.execute(
        sa.select(
            count_when(Article.visible_clause(now)),
            count_when(Article.scheduled_clause(now)),
            count_when(Article.status == ArticleStatus.DRAFT),
            count_when(Article.status == ArticleStatus.DELETED),
        )
    ).one()
    return ArticleCounts(*(int(x) for x in row))


def pending_comments() -> int:
    stmt = sa.select(sa.func.count(Comment.id)).where(Comment.status == CommentStatus.PENDING)
    return db.session.scalar(stmt) or 0


def own_articles(user, limit: int = 20) -> list[Article]:
    """A contributor's articles not yet published: drafts (returned ones first) and those
    waiting for review."""
    return list(
        db.session.scalars(
            sa.select(Article)
            .where(
                Article.created_by_id == user.id,
                Article.status.in_((ArticleStatus.DRAFT, ArticleStatus.REVIEW)),
            )
            .order_by((Article.review_note != "").desc(), Article.updated_at.desc())
            .limit(limit)
        ).all()
    )


def traffic(today: date) -> Traffic:
    month_start = today.replace(day=1)

    def split(column, day_column):
        today_sum = sa.func.sum(sa.case((day_column == today, column), else_=0))
        return sa.func.coalesce(today_sum, 0), sa.func.coalesce(sa.func.sum(column), 0)

    visits = db.session.execute(
        sa.select(
            *split(DailyStats.visits, DailyStats.day),
            *split(DailyStats.page_views, DailyStats.day),
        ).where(DailyStats.day >= month_start, DailyStats.day <= today)
    ).one()
    views = db.session.execute(
        sa.select(*split(ArticleDailyViews.views, ArticleDailyViews.day)).where(
            ArticleDailyViews.day >= month_start, ArticleDailyViews.day <= today
        )
    ).one()
    return Traffic(*(int(x) for x in (*visits, *views)))


def top_articles(today: date, limit: int = 10) -> list[tuple[Article, int]]:
    """The most viewed articles since the first of this month (local days)."""
    total = sa.func.sum(ArticleDailyViews.views).label("total")
    sums = (
        sa.select(ArticleDailyViews.article_id, total)
        .where(ArticleDailyViews.day >= today.replace(day=1), ArticleDailyViews.day <= today)
        .group_by(ArticleDailyViews.article_id)
        .order_by(total.desc(), ArticleDailyViews.article_id)
        .limit(limit)
        .subquery()
    )
    stmt = (
        sa.select(Article, sums.c.total)
        .join(sums, sums.c.article_id == Article.id)
        .order_by(sums.c.total.desc(), Article.id)
    )
    return [(article, int(views)) for article, views in db.session.execute(stmt)]


def visits_by_day(today: date, days: int = CHART_DAYS) -> list[tuple[date, int]]:
    """Visits for each of the last ``days`` local days, today last; missing days are 0."""
    first = today - timedelta(days=days - 1)
    stored = dict(
        db.session.execute(
            sa.select(DailyStats.day, DailyStats.visits).where(
                DailyStats.day >= first, DailyStats.day <= today
            )
        ).all()
    )
    return [
        (first + timedelta(days=i), int(stored.get(first + timedelta(days=i), 0)))
        for i in range(days)
    ]


@bp.get("/")
@requires(Capability.DASHBOARD)
def dashboard():
    """The editor's dashboard."""
    today = local_today()
    series = visits_by_day(today)
    total = sum(v for _d, v in series)
    title = _("Lượt truy cập mỗi ngày trong %(days)d ngày qua", days=CHART_DAYS)
    start = format_date(series[0][0], "dd/MM/yyyy")
    end = format_date(series[-1][0], "dd/MM/yyyy")
    points = [(format_date(d, "dd/MM"), v) for d, v in series]
    # Wide screens: columns, oldest to newest. Phones: one labelled row per day, newest on
    # top like the table, its text drawn at about 14 px (the CSS shows one or the other).
    chart = charts.bar_chart(
        points,
        title=title,
        desc=_(
            "Biểu đồ cột từ %(start)s đến %(end)s; tổng %(total)s lượt truy cập.",
            start=start,
            end=end,
            total=number(total),
        ),
        chart_id="visits-chart",
        fmt=number,
        css_class="chart-wide",
    )
    chart_narrow = charts.hbar_chart(
        points[::-1],
        title=title,
        desc=_(
            "Biểu đồ thanh ngang, mỗi ngày một dòng, mới nhất ở trên, từ %(end)s về "
            "%(start)s; tổng %(total)s lượt truy cập.",
            start=start,
            end=end,
            total=number(total),
        ),
        chart_id="visits-chart-narrow",
        fmt=number,
        css_class="chart-narrow",
    )
    pending = pending_comments()
    user = current_user._get_current_object()
    reviewer = review.reviews(user)
    return render_template(
        "editor/dashboard.html",
        reviewer=reviewer,
        queue=review.waiting(20) if reviewer else [],
        queue_size=review.queue_size() if reviewer else 0,
        mine=own_articles(user) if not reviewer else [],
        counts=article_counts(),
        pending=pending,
        pending_comment_count=pending,
        traffic=traffic(today),
        top=top_articles(today),
        series=series,
        chart=chart,
        chart_narrow=chart_narrow,
        today=today,
    )
