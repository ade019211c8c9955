"""How times, numbers and plain text are shown to people (the Jinja filters, and views)."""

from datetime import UTC, datetime

from flask_babel import format_datetime, get_locale, get_timezone
from markupsafe import Markup, escape

# Vietnamese portals show "18:45 | 05/12/2024"; Babel's vi locale has no such pattern.
DATETIME_PATTERN = "HH:mm | dd/MM/yyyy"
DATE_PATTERN = "dd/MM/yyyy"


def _local(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC).astimezone(get_timezone())


def local_datetime(value: datetime | None, pattern: str = DATETIME_PATTERN) -> str:
    """Stored UTC -> the configured time zone (Asia/Ho_Chi_Minh)."""
    if value is None:
        return ""
    if pattern == DATETIME_PATTERN:
        # The same text Babel gives for this numeric pattern in every locale, ~20x cheaper:
        # listings format dozens of times per page.
        return _local(value).strftime("%H:%M | %d/%m/%Y")
    return format_datetime(value, pattern)


def local_date(value: datetime | None) -> str:
    return _local(value).strftime("%d/%m/%Y") if value else ""


def number(value: int | None) -> str:
    """1234567 -> "1.234.567" in Vietnamese, "1,234,567" in English."""
    text = f"{int(value or 0):,}"
    if str(get_locale()) == "vi":
        text = text.replace(",", ".")
    return text


def paragraphs(value: str | None) -> Markup:
    """Plain text -> escaped paragraphs with line breaks kept (links stay text)."""
    blocks = [b for b in (value or "").replace("\r\n", "\n").split("\n\n") if b.strip()]
    html = "".join(
        "<p>" + "<br>".join(str(escape(line)) for line in block.split("\n")) + "</p>"
        for block in blocks
    )
    return Markup(html)


def iso(value: datetime | None) -> str:
    """UTC ISO 8601 with offset, for <time datetime> and metadata."""
    return value.isoformat(timespec="seconds") + "+00:00" if value else ""
