"""The comment spam guard: honeypot → timing → rate limit → duplicate, then hold rules.

Every check returns ``(ok, reason)``; the first failing check decides. The pipeline runs
before the captcha is checked, so a bot's post costs no challenge. ``SPAM_GUARD_ENABLED =
False`` (tests, benchmarks) skips these four checks; the captcha and the moderation rules
(``classify``: links, keywords, blocked keywords and IPs from the site settings) still apply.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from bantin.clock import utcnow
from bantin.extensions import db
from bantin.models import Comment, CommentStatus, RateEvent, SiteSettings
from bantin.web.net import rate_key

Result = tuple[bool, str]
OK: Result = (True, "")

MIN_FILL_TIME = timedelta(seconds=3)
MAX_FORM_AGE = timedelta(days=2)
BURST_WINDOW = timedelta(seconds=15)  # at most 1 comment per client in 15 s
HOURLY_WINDOW = timedelta(hours=1)
HOURLY_LIMIT = 10
RATE_BUCKET = "comment"  # RateEvent rows, keyed like every rate limit (bantin.web.net.rate_key)
DUPLICATE_WINDOW = timedelta(days=1)
LINK_HOLD = 2  # this many links or more: held for moderation

# Reasons shown to the commenter, with the field they belong to (None: the whole form).
MESSAGES = {
    "too_fast": (None, _l("Bạn gửi nhanh quá. Vui lòng kiểm tra lại ý kiến rồi bấm Gửi lần nữa.")),
    "form_invalid": (None, _l("Biểu mẫu đã hết hạn hoặc không hợp lệ. Vui lòng gửi lại.")),
    "rate_burst": (
        None,
        _l("Bạn vừa gửi một ý kiến. Vui lòng đợi ít nhất 15 giây trước khi gửi tiếp."),
    ),
    "rate_hourly": (
        None,
        _l("Bạn đã gửi quá nhiều ý kiến trong một giờ. Vui lòng thử lại sau."),
    ),
    "duplicate": ("content", _l("Ý kiến này đã được gửi trước đó.")),
}

_LINK = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|net|org|info|biz|vn|io|co|xyz|top|ru|cn|me|link)\b",
    re.IGNORECASE,
)


def enabled() -> bool:
    return bool(current_app.config.get("SPAM_GUARD_ENABLED", True))


# ------------------------------------------------------------------ form timestamp


class _ClockSigner(TimestampSigner):
    """itsdangerous' timestamps from bantin.clock, so tests move time instead of sleeping."""

    def get_timestamp(self) -> int:
        return int(utcnow().replace(tzinfo=UTC).timestamp())


def _serializer() -> URLSafeTimedSerializer:
    return _serializer_for(current_app.config["SECRET_KEY"])


@lru_cache(maxsize=8)
def _serializer_for(secret_key: str | bytes) -> URLSafeTimedSerializer:
    # Built once per key: every article view signs a form time (issue 16). The serializer
    # keeps no state between calls; the signer reads the clock when it signs.
    return URLSafeTimedSerializer(secret_key, salt="bantin.comment-form", signer=_ClockSigner)


def form_timestamp(article_id: int) -> str:
    """The signed "form shown at" value carried by the hidden ``ts`` field."""
    return _serializer().dumps(article_id)


def signed_at(token: str | None, article_id: int) -> datetime | None:
    """When the form was shown (naive UTC), or None if the value is forged, stale or foreign."""
    if not token:
        return None
    try:
        value, stamp = _serializer().loads(
            token, max_age=int(MAX_FORM_AGE.total_seconds()), return_timestamp=True
        )
    except (SignatureExpired, BadSignature):
        return None
    if value != article_id:
        return None
    return stamp.astimezone(UTC).replace(tzinfo=None)


# ------------------------------------------------------------------ the checks


def check_honeypot(value: str | None) -> Result:
    """People never see the field; anything in it came from a bot."""
    return (False, "honeypot") if (value or "").strip() else OK


def check_timing(token: str | None, article_id: int) -> Result:
    """The form must have been shown at least 3 s before it was sent."""
    shown = signed_at(token, article_id)
    if shown is None:
        return False, "form_invalid"
    if utcnow() - shown < MIN_FILL_TIME:
        return False, "too_fast"
    return OK


def check_rate(ip: str, exclude_event: int | None = None) -> Result:
    """At most 1 comment per 15 s and 10 per hour from one client, counted by
    ``net.rate_key`` (an IPv4 address, an IPv6 /64): the comment bucket's RateEvent rows."""
    if not ip:
        return OK
    now = utcnow()
    stmt = (
        sa.select(
            sa.func.count(),
            sa.func.coalesce(
                sa.func.sum(sa.case((RateEvent.created_at > now - BURST_WINDOW, 1), else_=0)), 0
            ),
        )
        .select_from(RateEvent)
        .where(
            RateEvent.bucket == RATE_BUCKET,
            RateEvent.key == rate_key(ip),
            RateEvent.created_at > now - HOURLY_WINDOW,
        )
    )
    if exclude_event is not None:
        stmt = stmt.where(RateEvent.id != exclude_event)
    hourly, burst = db.session.execute(stmt).one()
    if burst >= 1:
        return False, "rate_burst"
    if hourly >= HOURLY_LIMIT:
        return False, "rate_hourly"
    return OK


_rate_events = RateEvent.__table__
_INSERT_RATE_EVENT = sa.insert(_rate_events).returning(_rate_events.c.id)


def record_rate_hit(ip: str) -> int | None:
    """Count a stored comment against its client's key; the event id (None without an IP).

    The caller holds the write transaction (see ``comments.submit``) and commits.
    """
    if not ip:
        return None
    row = {"bucket": RATE_BUCKET, "key": rate_key(ip), "created_at": utcnow()}
    return db.session.execute(_INSERT_RATE_EVENT, row).scalar_one()


def forget_rate_hit(event_id: int | None) -> None:
    if event_id is not None:
        db.session.execute(sa.delete(RateEvent).where(RateEvent.id == event_id))


def purge_rate_hits(now: datetime) -> int:
    """Drop comment rate hits older than the longest window (the caller commits)."""
    result = db.session.execute(
        sa.delete(RateEvent).where(
            RateEvent.bucket == RATE_BUCKET, RateEvent.created_at < now - HOURLY_WINDOW
        )
    )
    return result.rowcount or 0


def check_duplicate(article_id: int, content: str, exclude_id: int | None = None) -> Result:
    """The same text on the same article within a day (any status) is a double post."""
    stmt = sa.select(Comment.id).where(
        Comment.article_id == article_id,
        Comment.created_at > utcnow() - DUPLICATE_WINDOW,
        Comment.content == content,
    )
    if exclude_id is not None:
        stmt = stmt.where(Comment.id != exclude_id)
    found = db.session.scalar(stmt.limit(1))
    return (False, "duplicate") if found is not None else OK


def screen(*, honeypot: str | None, ts: str | None, article_id: int, ip: str) -> Result:
    """Honeypot → timing → rate limit (the duplicate check needs valid content: see below)."""
    if not enabled():
        return OK
    for ok, reason in (
        check_honeypot(honeypot),
        check_timing(ts, article_id),
        check_rate(ip),
    ):
        if not ok:
            return ok, reason
    return OK


def screen_content(article_id: int, content: str) -> Result:
    return check_duplicate(article_id, content) if enabled() else OK


# ------------------------------------------------------------------ moderation rules


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def count_links(text: str) -> int:
    return len(_LINK.findall(text or ""))


def _keyword_hit(keywords: list[str], text: str) -> str | None:
    """Whole-word, case-insensitive match (no diacritic folding: "bán" must not hit "bạn")."""
    for keyword in keywords:
        if re.search(rf"(?<!\w){re.escape(keyword)}(?!\w)", text, re.IGNORECASE):
            return keyword
    return None


def ip_blocked(ip: str, blocked: list[str]) -> bool:
    """Blocked IPs are single addresses or networks in CIDR form, one per line."""
    if not ip:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip in blocked
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # a dual-stack socket's form of an IPv4 client
    for entry in blocked:
        try:
            if address in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def classify(
    settings: SiteSettings, *, ip: str, name: str, address: str, email: str, content: str
) -> tuple[CommentStatus | None, str]:
    """Site-setting rules: blocked IP/keyword → spam; ≥ 2 links or a moderation keyword → pending.

    Returns (None, "") when no rule applies; the approval policy decides then.
    """
    text = "\n".join((name, address, email, content))
    if ip_blocked(ip, _lines(settings.blocked_ips)):
        return CommentStatus.SPAM, "blocked_ip"
    hit = _keyword_hit(_lines(settings.blocked_keywords), text)
    if hit:
        return CommentStatus.SPAM, f"blocked_keyword:{hit}"[:100]
    if count_links(text) >= LINK_HOLD:
        return CommentStatus.PENDING, "links"
    hit = _keyword_hit(_lines(settings.moderation_keywords), text)
    if hit:
        return CommentStatus.PENDING, f"keyword:{hit}"[:100]
    return None, ""
