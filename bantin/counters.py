"""View and visit counting: exact, one short write transaction per counted page.

Each counted request runs single-statement UPDATE/UPSERTs (``n = n + 1``) in one
transaction, so concurrent workers never lose an increment, and with WAL and
synchronous=NORMAL a commit costs no fsync. Nothing is buffered in memory, so a
crashed worker loses nothing that was counted.
"""

import re
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import Request, Response, current_app
from sqlalchemy.exc import OperationalError

from bantin.clock import local_today
from bantin.database import write_lock, write_refusal
from bantin.extensions import db
from bantin.models import Article, DailyStats

VISIT_COOKIE = "visit"
_BOT = re.compile(r"bot|crawl|spider|slurp|fetch|scan|preview|monitor|lighthouse", re.I)


def is_bot_agent(user_agent: str) -> bool:
    """The bot rule on a User-Agent string (requests here, nginx's view log in view_log)."""
    return bool(_BOT.search(user_agent))


def is_bot(request: Request) -> bool:
    return is_bot_agent(request.headers.get("User-Agent", ""))


# Only a GET shows a page to someone. HEAD (link checkers, uptime monitors, ``curl -I``,
# previews) gets the same headers without the page; Werkzeug routes it to the GET view.
_COUNTED_METHODS = frozenset({"GET"})


def countable_view(method: str, user_agent: str) -> bool:
    """A page view to count: a GET from something that is not a bot (the one rule, for a
    request here and for a line of nginx's view log in bantin.view_log)."""
    return method in _COUNTED_METHODS and not is_bot_agent(user_agent)


def countable(request: Request) -> bool:
    return countable_view(request.method, request.headers.get("User-Agent", ""))


def is_new_visit(request: Request) -> bool:
    """A browser not seen for the visit window carries no visit cookie."""
    return VISIT_COOKIE not in request.cookies


def mark_visit(response: Response) -> None:
    """Slide the visit window: the cookie lives for 30 minutes after the last page."""
    response.set_cookie(
        VISIT_COOKIE,
        "1",
        max_age=current_app.config["VISIT_WINDOW_SECONDS"],
        httponly=True,
        samesite="Lax",
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
    )


# Hand-written statements: these run on every reader page, and building them with the
# expression language each time cost more than executing them. Days are stored as ISO text,
# as SQLAlchemy's Date type does on SQLite (PostgreSQL casts the text to its date). The
# updated columns are named with their table: PostgreSQL finds a bare name ambiguous.
_BUMP_DAY = sa.text(
    "INSERT INTO daily_stats (day, visits, page_views) VALUES (:day, :visit, 1) "
    "ON CONFLICT (day) DO UPDATE SET visits = daily_stats.visits + :visit, "
    "page_views = daily_stats.page_views + 1"
)
_BUMP_ARTICLE = sa.text(
    "UPDATE article SET view_count = view_count + 1 WHERE id = :id "
    "RETURNING view_count, comment_count"
)
_BUMP_ARTICLE_DAY = sa.text(
    "INSERT INTO article_daily_views (article_id, day, views) VALUES (:id, :day, 1) "
    "ON CONFLICT (article_id, day) DO UPDATE SET views = article_daily_views.views + 1"
)


def _bump_day(day: date, new_visit: bool) -> None:
    _connection().execute(_BUMP_DAY, {"day": day.isoformat(), "visit": int(new_visit)})


def _connection() -> sa.Connection:
    """The session's connection and transaction, committed by the session as before. Core's
    execute skips the ORM's per-statement bookkeeping, which cost more than these
    single-row statements themselves (issue 16)."""
    return db.session.connection()


def _skip_uncountable(error: OperationalError) -> None:
    """A read-only, full or long-locked database must not cost readers their page."""
    db.session.rollback()
    if not write_refusal(error):
        raise error
    current_app.logger.warning("view not counted: %s", error.orig)


def record_page_view(new_visit: bool) -> None:
    """Count one page view (and a visit when the browser is new) for today."""
    try:
        with write_lock():
            _bump_day(local_today(), new_visit)
            db.session.commit()
    except OperationalError as error:
        _skip_uncountable(error)


@dataclass(frozen=True)
class ArticleCounts:
    views: int
    comments: int  # approved


def article_counts(article_id: int) -> ArticleCounts:
    """The live figures without counting (bots, rejected comment posts, read-only disks)."""
    row = db.session.execute(
        sa.select(Article.view_count, Article.comment_count).where(Article.id == article_id)
    ).one_or_none()
    return ArticleCounts(*row) if row else ArticleCounts(0, 0)


def record_article_view(article_id: int, new_visit: bool) -> ArticleCounts:
    """Count one view of an article and of the site; return the article's live figures."""
    day = local_today()
    try:
        with write_lock():
            return _record_article_view(article_id, day, new_visit)
    except OperationalError as error:
        _skip_uncountable(error)
    return article_counts(article_id)


def _record_article_view(article_id: int, day: date, new_visit: bool) -> ArticleCounts:
    # RETURNING hands back the live comment count too: the page needs no other read.
    connection = _connection()
    row = connection.execute(_BUMP_ARTICLE, {"id": article_id}).one()
    connection.execute(_BUMP_ARTICLE_DAY, {"id": article_id, "day": day.isoformat()})
    _bump_day(day, new_visit)
    db.session.commit()
    return ArticleCounts(*row)


@dataclass(frozen=True)
class VisitTotals:
    today: int
    month: int
    year: int
    total: int


def visit_totals() -> VisitTotals:
    """Visits summed over the stored days (a year is at most 366 rows)."""
    today = local_today()
    month_start = today.replace(day=1)
    year_start = today.replace(month=1, day=1)
    v = DailyStats.visits
    row = db.session.execute(
        sa.select(
            sa.func.coalesce(sa.func.sum(sa.case((DailyStats.day == today, v), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(sa.case((DailyStats.day >= month_start, v), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(sa.case((DailyStats.day >= year_start, v), else_=0)), 0),
            sa.func.coalesce(sa.func.sum(v), 0),
        )
    ).one()
    return VisitTotals(*(int(x) for x in row))
