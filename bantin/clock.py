"""One source of "now" so tests can move time instead of sleeping.

Datetimes are stored as naive UTC; they become local time only in Jinja filters.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from flask import current_app, has_app_context

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo


def _real_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def utcnow() -> datetime:
    """The current time as naive UTC; tests may set app.config["CLOCK"] to a callable."""
    if has_app_context():
        clock: Callable[[], datetime] | None = current_app.config.get("CLOCK")
        if clock is not None:
            return clock()
    return _real_now()


def site_timezone() -> "ZoneInfo":
    """The site's time zone (BABEL_DEFAULT_TIMEZONE)."""
    from zoneinfo import ZoneInfo

    tz_name = "Asia/Ho_Chi_Minh"
    if has_app_context():
        tz_name = current_app.config.get("BABEL_DEFAULT_TIMEZONE", tz_name)
    return ZoneInfo(tz_name)


def local_today() -> date:
    """Today's date in the site's time zone (daily counters roll over at local midnight)."""
    return utcnow().replace(tzinfo=UTC).astimezone(site_timezone()).date()
