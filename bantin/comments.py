"""Reader comments: posting (one call from the guard to the commit), the policy, moderation
and ``Article.comment_count``.

``comment_count`` counts approved comments only. Every status change is a conditional
UPDATE (``WHERE id = ? AND status = <the status we read>``), and the count moves in the
same transaction only when that UPDATE took effect, so repeated or concurrent moderation
can never count a comment twice. Acting on a comment already in the target state changes
nothing and records nothing (idempotent).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import click
import sqlalchemy as sa
from flask import Request, Response, current_app
from itsdangerous import BadSignature, URLSafeSerializer

from bantin import audit, cache, captcha, guard
from bantin.clock import utcnow
from bantin.database import write_lock
from bantin.extensions import db
from bantin.models import Article, Comment, CommentStatus, SiteSettings, User

log = logging.getLogger(__name__)

IP_RETENTION = timedelta(days=90)
DEFAULT_PURGE_INTERVAL = 15 * 60  # seconds between purges run by comment posts, per worker
_purge_lock = threading.Lock()


class Action(StrEnum):
    APPROVE = "approve"
    SPAM = "spam"
    TRASH = "trash"
    RESTORE = "restore"
    DELETE = "delete"


# Where each action moves a comment; restore brings spam or trash back to the queue.
TARGET = {
    Action.APPROVE: CommentStatus.APPROVED,
    Action.SPAM: CommentStatus.SPAM,
    Action.TRASH: CommentStatus.TRASH,
    Action.RESTORE: CommentStatus.PENDING,
}


@dataclass(frozen=True)
class Submission:
    name: str
    address: str
    email: str
    content: str
    ip: str
    user_agent: str = ""
    # Comments this browser posted earlier, as its signed commenter cookie names them.
    commenter_ids: tuple[int, ...] = ()


# Why a post was refused, besides the guard's reasons (bantin.guard.MESSAGES).
CAPTCHA_FAILED = "captcha_failed"


@dataclass(frozen=True)
class Attempt:
    """A reader's comment POST, as the form parsed it."""

    ip: str
    honeypot: str
    form_time: str | None
    captcha_token: str
    captcha_answer: str | None  # None: no answer to check (the form says it is missing)
    content: str | None  # None: the form refused the content (nothing for the rules to read)
    submission: Submission | None  # None: the form refused a field


@dataclass(frozen=True)
class Outcome:
    """What became of a post: accepted with the status it got, or refused with reasons."""

    status: CommentStatus | None = None  # None: refused
    comment_id: int | None = None  # None when nothing was stored (refused, or a honeypot hit)
    reasons: tuple[str, ...] = ()  # guard reasons and CAPTCHA_FAILED (refused posts only)

    @property
    def accepted(self) -> bool:
        return self.status is not None


# ------------------------------------------------------------------ posting


def post(article, attempt: Attempt, settings) -> Outcome:
    """A reader's comment, from the guard to the commit, in one write transaction.

    The guard (honeypot, timing, rate limit) and the content rules only read. A honeypot hit
    looks accepted (pending) and stores nothing. The verdict (``initial_status``) reads too,
    so it is worked out before the write lock. Under the lock the captcha is used up: its
    UPDATE opens the write transaction, which either stores the comment (``submit``) or, when
    the form or the captcha refused the post, commits the spent challenge alone. This
    worker's threads queue on the lock rather than in SQLite's busy handler, which sleeps.
    Old IPs and challenges are purged afterwards, outside the lock.
    """
    ok, reason = guard.screen(
        honeypot=attempt.honeypot, ts=attempt.form_time, article_id=article.id, ip=attempt.ip
    )
    if not ok and reason == "honeypot":
        # Bots get the usual answer and learn nothing; nothing is stored.
        log.info("comment honeypot hit from %s on article %s", attempt.ip, article.id)
        return Outcome(CommentStatus.PENDING)
    if ok and attempt.content is not None:
        ok, reason = guard.screen_content(article.id, attempt.content)
    if not ok:
        return Outcome(reasons=(reason,))
    sub = attempt.submission
    verdict = initial_status(settings, sub) if sub is not None else None
    with write_lock():
        solved = attempt.captcha_answer is None or captcha.verify(
            attempt.captcha_token, attempt.captcha_answer
        )
        if sub is None or not solved:
            db.session.commit()  # a challenge spent on this post stays spent
            return Outcome(reasons=() if solved else (CAPTCHA_FAILED,))
        comment_id, reason = submit(article, sub, settings, verdict)
    if comment_id is None:  # the guard's second look, under the write lock, refused it
        return Outcome(reasons=(reason,))
    maybe_purge()
    return Outcome(verdict[0], comment_id)


def comments_open(article: Article, settings: SiteSettings | None = None, now=None) -> bool:
    """Comments are allowed on the article and it is not older than the closing age."""
    if not article.allow_comments:
        return False
    settings = settings or SiteSettings.get()
    days = settings.comments_close_after_days or 0
    if days > 0 and article.published_at is not None:
        return article.published_at > (now or utcnow()) - timedelta(days=days)
    return True


# ------------------------------------------------------------------ returning commenters
#
# A typed email proves nothing: anyone can type a regular's address. A returning commenter
# is a browser that holds proof of an earlier approved comment: when a comment is stored,
# the browser gets a signed, HttpOnly cookie naming it (with the few it named before); a
# later comment is auto-approved only if the cookie names a comment that is APPROVED now
# and carries the same email.

COMMENTER_COOKIE = "commenter"
COMMENTER_MAX_AGE = timedelta(days=365)
COMMENTER_KEEP = 10  # the newest comment ids a browser's cookie names
_COMMENTER_SALT = "bantin.commenter"
# Only the comment POST reads it (/article/<id>/comments); no other request carries it.
COMMENTER_PATH = "/article/"


def _commenter_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_COMMENTER_SALT)


def commenter_ids(request: Request) -> tuple[int, ...]:
    """The comment ids this browser's cookie proves it posted (nothing if forged or absent)."""
    raw = request.cookies.get(COMMENTER_COOKIE)
    if not raw or len(raw) > 1000:
        return ()
    try:
        value = _commenter_serializer().loads(raw)
    except BadSignature:
        return ()
    if not isinstance(value, list):
        return ()
    ids = [i for i in value if isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**31]
    return tuple(ids[:COMMENTER_KEEP])


def remember_commenter(response: Response, comment_id: int, earlier: Iterable[int] = ()) -> None:
    """Bind this browser to the comment it just posted (and the ones it posted before)."""
    ids = list(dict.fromkeys([comment_id, *earlier]))[:COMMENTER_KEEP]
    response.set_cookie(
        COMMENTER_COOKIE,
        _commenter_serializer().dumps(ids),
        max_age=int(COMMENTER_MAX_AGE.total_seconds()),
        path=COMMENTER_PATH,
        httponly=True,
        samesite="Lax",
        secure=current_app.config.get("SESSION_COOKIE_SECURE", False),
    )


def is_returning(email: str, proven_ids: Iterable[int]) -> bool:
    """This browser posted a comment that is approved now and carries this email."""
    ids = list(proven_ids)
    if not email or not ids:
        return False
    stmt = sa.select(Comment.id).where(
        Comment.id.in_(ids), Comment.email == email, Comment.status == CommentStatus.APPROVED
    )
    return db.session.scalar(stmt.limit(1)) is not None


def initial_status(settings: SiteSettings, sub: Submission) -> tuple[CommentStatus, str]:
    """Rules first (spam, holds), then the approval policy."""
    status, reason = guard.classify(
        settings,
        ip=sub.ip,
        name=sub.name,
        address=sub.address,
        email=sub.email,
        content=sub.content,
    )
    if status is not None:
        return status, reason
    if not settings.comments_require_approval:
        return CommentStatus.APPROVED, ""
    if settings.comments_auto_approve_returning and is_returning(sub.email, sub.commenter_ids):
        return CommentStatus.APPROVED, "returning"
    return CommentStatus.PENDING, ""


_articles = Article.__table__
_BUMPED = _articles.c.comment_count + sa.bindparam("delta", type_=sa.Integer())
# Never below zero; CASE rather than SQLite's two-argument max() (GREATEST on PostgreSQL).
_BUMP_COUNT = (
    sa.update(_articles)
    .where(_articles.c.id == sa.bindparam("article_id"))
    .values(comment_count=sa.case((_BUMPED < 0, 0), else_=_BUMPED))
)


def _bump_count(article_id: int, delta: int) -> None:
    if delta:
        db.session.execute(_BUMP_COUNT, {"article_id": article_id, "delta": delta})


_comments = Comment.__table__
# Built once: a comment post runs them (see captcha.py for why).
_INSERT_COMMENT = sa.insert(_comments).returning(_comments.c.id)
_DELETE_COMMENT = sa.delete(_comments).where(_comments.c.id == sa.bindparam("id"))


def submit(
    article, sub: Submission, settings, verdict: tuple[CommentStatus, str] | None = None
) -> tuple[int | None, str]:
    """Store a comment and commit: (its id, reason), or (None, why) when the rate or
    duplicate check refuses it. With the guard on, the comment also counts as a rate hit
    of its client (``guard.record_rate_hit``: an IPv4 address, an IPv6 /64).

    ``verdict`` is ``initial_status()`` worked out by the caller before its write transaction
    began (it reads, and the write lock is best held briefly). ``post`` calls this right
    after ``captcha.verify()``, so the spent challenge, the comment and the approved count
    are one transaction. With the guard on, the rate and duplicate checks look again after
    the INSERT (which holds SQLite's write lock), excluding the new row: two posts racing
    through different workers cannot both slip under the limit. A refused post's row is
    deleted in the same transaction, so a challenge spent before it stays spent.

    The caller holds the write lock and runs ``maybe_purge()`` afterwards, outside it.
    """
    status, reason = verdict or initial_status(settings, sub)
    row = {
        "article_id": article.id,
        "name": sub.name,
        "address": sub.address,
        "email": sub.email,
        "content": sub.content,
        "status": status,
        "reason": reason,
        "ip": sub.ip or None,
        "user_agent": sub.user_agent[:300],
        "created_at": utcnow(),
    }
    try:
        comment_id = db.session.execute(_INSERT_COMMENT, row).scalar_one()
        if guard.enabled():
            hit = guard.record_rate_hit(sub.ip)
            for ok, why in (
                guard.check_rate(sub.ip, exclude_event=hit),
                guard.check_duplicate(article.id, sub.content, exclude_id=comment_id),
            ):
                if not ok:
                    guard.forget_rate_hit(hit)
                    db.session.execute(_DELETE_COMMENT, {"id": comment_id})
                    db.session.commit()
                    return None, why
        if status == CommentStatus.APPROVED:
            _bump_count(article.id, 1)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return comment_id, reason


# ------------------------------------------------------------------ moderation


def _audit(action: str, comment_id: int, article_id: int, detail: str, user: User | None):
    audit.record(
        f"comment.{action}", "comment", comment_id, f"article {article_id}; {detail}", user
    )


def _moderate_one(comment_id: int, action: Action, user: User | None) -> bool | None:
    """Apply one action; True if it changed something, False if already so, None if missing."""
    for _attempt in range(5):
        row = db.session.execute(
            sa.select(Comment.status, Comment.article_id).where(Comment.id == comment_id)
        ).one_or_none()
        if row is None:
            return None
        old, article_id = row
        if action == Action.DELETE:
            stmt = sa.delete(Comment).where(Comment.id == comment_id, Comment.status == old)
        else:
            new = TARGET[action]
            if old == new or (
                action == Action.RESTORE and old not in (CommentStatus.SPAM, CommentStatus.TRASH)
            ):
                return False
            stmt = (
                sa.update(Comment)
                .where(Comment.id == comment_id, Comment.status == old)
                .values(
                    status=new,
                    moderated_at=utcnow(),
                    moderated_by_id=user.id if user else None,
                )
            )
        result = db.session.execute(stmt.execution_options(synchronize_session=False))
        if result.rowcount != 1:
            continue  # someone else moved it meanwhile: read again
        was_approved = old == CommentStatus.APPROVED
        now_approved = action != Action.DELETE and TARGET[action] == CommentStatus.APPROVED
        _bump_count(article_id, int(now_approved) - int(was_approved))
        if was_approved != now_approved:
            # What readers see changed: cached pages (keyed by the content version) go.
            cache.bump()
        after = "deleted" if action == Action.DELETE else TARGET[action].value
        _audit(action.value, comment_id, article_id, f"{old.value} -> {after}", user)
        return True
    return False


def moderate(
    comment_ids: Iterable[int], action: Action, user: User | None = None
) -> dict[int, bool | None]:
    """One action on each comment (a repeated id counts once), in one transaction; commits.

    Per id: True, changed; False, nothing to do (already so); None, no such comment.
    """
    try:
        outcome = {i: _moderate_one(i, action, user) for i in dict.fromkeys(comment_ids)}
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    db.session.expire_all()
    return outcome


def counts_by_status() -> dict[CommentStatus, int]:
    rows = db.session.execute(
        sa.select(Comment.status, sa.func.count()).group_by(Comment.status)
    ).all()
    counts = dict.fromkeys(CommentStatus, 0)
    counts.update({status: n for status, n in rows})
    return counts


def pending_count() -> int:
    """One COUNT over the (status, created_at) index: the editor menu's badge."""
    stmt = (
        sa.select(sa.func.count())
        .select_from(Comment)
        .where(Comment.status == CommentStatus.PENDING)
    )
    return db.session.scalar(stmt) or 0


# ------------------------------------------------------------------ housekeeping


@dataclass(frozen=True)
class PurgeResult:
    ips_cleared: int
    challenges_deleted: int
    rate_events_deleted: int


def purge(now: datetime | None = None) -> PurgeResult:
    """Forget commenters' IPs and browsers after 90 days; drop old captcha rows."""
    now = now or utcnow()
    try:
        cleared = db.session.execute(
            sa.update(Comment)
            .where(Comment.ip.is_not(None), Comment.created_at < now - IP_RETENTION)
            .values(ip=None, user_agent="")
            .execution_options(synchronize_session=False)
        ).rowcount
        challenges = captcha.purge(now)
        events = captcha.purge_rate_events(now) + guard.purge_rate_hits(now)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return PurgeResult(cleared or 0, challenges, events)


def maybe_purge() -> None:
    """Purge when this worker has not for COMMENT_PURGE_INTERVAL seconds (0: every post).

    Called after a comment is stored. A time-based schedule rather than a share of posts:
    a burst of comments costs one purge per worker and interval, a quiet site still tidies.
    """
    interval = timedelta(
        seconds=float(current_app.config.get("COMMENT_PURGE_INTERVAL", DEFAULT_PURGE_INTERVAL))
    )
    now = utcnow()
    state = current_app.extensions.setdefault("bantin_comment_purge", {})
    with _purge_lock:
        due = state.get("next")
        if due is not None and now < due and interval:
            return
        state["next"] = now + interval
    purge(now)


@click.command("purge")
def purge_command() -> None:
    """Forget commenters' IPs older than 90 days and delete old captcha rows."""
    result = purge()
    click.echo(
        f"Cleared {result.ips_cleared} comment IPs, deleted {result.challenges_deleted} captcha "
        f"challenges and {result.rate_events_deleted} rate-limit events."
    )
