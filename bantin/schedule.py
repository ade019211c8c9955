"""The leaders' weekly work schedule (lịch công tác): ISO weeks, entries, publication.

Weeks are ISO weeks, Monday to Sunday, of the site's local calendar (Asia/Ho_Chi_Minh):
``IsoWeek`` parses "YYYY-Www" strictly and steps across year ends (2026 has a week 53,
2025 has none). Readers see a week once it is published (``ScheduleWeek.published_at``);
from then on an entry added or changed is marked "điều chỉnh" with the time
(``adjusted_at``) and an entry removed is listed in ``ScheduleWeek.changes`` (JSON).
Every change goes through this module and records an audit event; the caller commits.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa

from bantin import audit
from bantin.clock import local_today, utcnow
from bantin.extensions import db
from bantin.models import ScheduleEntry, ScheduleWeek, User
from bantin.text import clean_line, nfc

# Years the schedule accepts: enough for any office, and next/previous never leave
# date's range.
MIN_YEAR = 1900
MAX_YEAR = 2999
_WEEK_RE = re.compile(r"([0-9]{4})-W([0-9]{2})")

EDITABLE_FIELDS = (
    "day",
    "start_time",
    "content",
    "leader",
    "location",
    "preparing_unit",
    "notes",
    "recurring",
)
LINE_FIELDS = {"leader": 300, "location": 300, "preparing_unit": 300}
TEXT_FIELDS = {"content": 2000, "notes": 2000}


class InvalidChange(ValueError):
    """A value the service refuses whatever the form said (defence in depth)."""


# ------------------------------------------------------------------ weeks


@dataclass(frozen=True, order=True)
class IsoWeek:
    """An ISO week: Monday to Sunday, numbered 1 to 52 or 53 within its ISO year."""

    year: int
    week: int

    def __post_init__(self) -> None:
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise ValueError(f"year out of range: {self.year}")
        date.fromisocalendar(self.year, self.week, 1)  # ValueError for 2025-W53

    @classmethod
    def parse(cls, text: str) -> IsoWeek:
        """ "2026-W53" exactly (four-digit year, two-digit week); ValueError otherwise."""
        match = _WEEK_RE.fullmatch(text or "")
        if match is None:
            raise ValueError(f"not an ISO week: {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of(cls, day: date) -> IsoWeek:
        year, week, _weekday = day.isocalendar()
        return cls(year, week)

    def __str__(self) -> str:
        return f"{self.year:04d}-W{self.week:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def days(self) -> list[date]:
        return [self.monday + timedelta(days=n) for n in range(7)]

    def contains(self, day: date) -> bool:
        return self.monday <= day <= self.sunday

    def next(self) -> IsoWeek | None:
        """The following week (None past MAX_YEAR)."""
        try:
            return IsoWeek.of(self.monday + timedelta(days=7))
        except (ValueError, OverflowError):
            return None

    def previous(self) -> IsoWeek | None:
        """The week before (None before MIN_YEAR)."""
        try:
            return IsoWeek.of(self.monday - timedelta(days=7))
        except (ValueError, OverflowError):
            return None


def current_week() -> IsoWeek:
    """The week of today in the site's time zone."""
    return IsoWeek.of(local_today())


def week_arg(value: str | None) -> IsoWeek:
    """The `week` of a query string: missing or empty is this week; ValueError if bad."""
    if value is None or value == "":
        return current_week()
    return IsoWeek.parse(value)


# ------------------------------------------------------------------ reading


def week_row(week: IsoWeek) -> ScheduleWeek | None:
    return db.session.scalar(sa.select(ScheduleWeek).where(ScheduleWeek.week == str(week)))


def is_published(week: IsoWeek) -> bool:
    row = week_row(week)
    return row is not None and row.published_at is not None


def entries(week: IsoWeek) -> list[ScheduleEntry]:
    """A week's entries by day, then time (all-day entries first)."""
    return list(
        db.session.scalars(
            sa.select(ScheduleEntry)
            .where(ScheduleEntry.day.between(week.monday, week.sunday))
            .order_by(
                ScheduleEntry.day,
                ScheduleEntry.start_time.asc().nulls_first(),
                ScheduleEntry.id,
            )
        )
    )


def removed_entries(row: ScheduleWeek | None) -> list[dict]:
    """The entries removed from a published week, oldest removal first."""
    if row is None or not row.changes:
        return []
    try:
        items = json.loads(row.changes)
    except ValueError:
        return []
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def _removed_snapshot(item: dict) -> SimpleNamespace:
    def parse(kind, value):
        try:
            return kind.fromisoformat(value) if value else None
        except (TypeError, ValueError):
            return None

    return SimpleNamespace(
        day=parse(date, item.get("day")),
        start_time=parse(time, item.get("time")),
        content=str(item.get("content", "")),
        leader=str(item.get("leader", "")),
        removed_at=parse(datetime, item.get("removed_at")),
    )


_ENTRY_FIELDS = (
    "id",
    "day",
    "start_time",
    "content",
    "leader",
    "location",
    "preparing_unit",
    "notes",
    "recurring",
    "adjusted_at",
)


def week_view(week: IsoWeek, *, readers: bool = True) -> SimpleNamespace:
    """What a week's page shows: each day with its entries (plain snapshots), the removed
    entries, publication, today. For readers, an unpublished week carries no entries."""
    row = week_row(week)
    published = row is not None and row.published_at is not None
    visible = published or not readers
    by_day: dict[date, list[SimpleNamespace]] = {day: [] for day in week.days}
    if visible:
        for entry in entries(week):
            by_day[entry.day].append(
                SimpleNamespace(**{name: getattr(entry, name) for name in _ENTRY_FIELDS})
            )
    today = local_today()
    return SimpleNamespace(
        week=week,
        label=str(week),
        published=published,
        published_at=row.published_at if row else None,
        visible=visible,
        days=[
            SimpleNamespace(day=day, entries=items, today=day == today)
            for day, items in by_day.items()
        ],
        count=sum(len(items) for items in by_day.values()),
        removed=[_removed_snapshot(item) for item in removed_entries(row)] if visible else [],
        previous=week.previous(),
        next=week.next(),
        is_current=week.contains(today),
    )


# ------------------------------------------------------------------ changing


def _normalise(field: str, value: Any) -> Any:
    if field in LINE_FIELDS:
        text = clean_line(value)
        if len(text) > LINE_FIELDS[field]:
            raise InvalidChange(f"{field} too long")
        return text
    if field in TEXT_FIELDS:
        text = nfc(str(value or "")).replace("\r\n", "\n").replace("\r", "\n").strip()
        if len(text) > TEXT_FIELDS[field]:
            raise InvalidChange(f"{field} too long")
        return text
    if field == "day":
        if not isinstance(value, date) or isinstance(value, datetime):
            raise InvalidChange("day must be a date")
        IsoWeek.of(value)  # in range
        return value
    if field == "start_time":
        if value is not None and not isinstance(value, time):
            raise InvalidChange("start_time must be a time or None")
        return value.replace(second=0, microsecond=0) if value else None
    if field == "recurring":
        return bool(value)
    return value


def _describe(entry: ScheduleEntry) -> str:
    when = entry.start_time.strftime("%H:%M") if entry.start_time else "all day"
    return f"{entry.day.isoformat()} {when} {entry.content[:300]}"


def _week_row_for_update(week: IsoWeek) -> ScheduleWeek:
    row = week_row(week)
    if row is None:
        row = ScheduleWeek(week=str(week), changes="")
        db.session.add(row)
    return row


def _note_removed(entry: ScheduleEntry, week: IsoWeek, now: datetime) -> None:
    row = week_row(week)
    if row is None or row.published_at is None:
        return
    items = removed_entries(row)
    items.append(
        {
            "day": entry.day.isoformat(),
            "time": entry.start_time.strftime("%H:%M") if entry.start_time else "",
            "content": entry.content,
            "leader": entry.leader,
            "removed_at": now.isoformat(timespec="seconds"),
        }
    )
    row.changes = json.dumps(items, ensure_ascii=False)


def save_entry(
    entry: ScheduleEntry | None, user: User | None, changes: dict[str, Any]
) -> ScheduleEntry:
    """Create (entry=None) or change an entry; marks it adjusted when its week is published.

    An entry moved out of a published week is listed there as removed.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidChange(f"not editable: {sorted(unknown)}")
    now = utcnow()
    creating = entry is None
    if entry is None:
        entry = ScheduleEntry(created_at=now)
        old_week = None
    else:
        old_week = IsoWeek.of(entry.day)
    before = None if creating else _describe(entry)
    for field, value in changes.items():
        setattr(entry, field, _normalise(field, value))
    if not entry.content:
        raise InvalidChange("an entry needs its content")
    if entry.day is None:
        raise InvalidChange("an entry needs its day")
    new_week = IsoWeek.of(entry.day)
    if old_week is not None and old_week != new_week:
        _note_removed(entry, old_week, now)
    # An unchanged re-save changes nothing: no "điều chỉnh" mark, no audit row.
    changed = creating or db.session.is_modified(entry)
    if changed:
        entry.updated_at = now
        if is_published(new_week):
            entry.adjusted_at = now
    db.session.add(entry)
    db.session.flush()
    if creating:
        audit.record("schedule.create", "schedule", entry.id, _describe(entry), user=user)
    elif changed:
        audit.record(
            "schedule.update", "schedule", entry.id, f"{before} -> {_describe(entry)}", user=user
        )
    return entry


def delete_entry(entry: ScheduleEntry, user: User | None) -> None:
    """Remove an entry; a published week lists it as removed."""
    now = utcnow()
    _note_removed(entry, IsoWeek.of(entry.day), now)
    audit.record("schedule.delete", "schedule", entry.id, _describe(entry), user=user)
    db.session.delete(entry)
    db.session.flush()


def publish(week: IsoWeek, user: User | None) -> bool:
    """Show the week to readers; False when it already was (nothing changes)."""
    row = _week_row_for_update(week)
    if row.published_at is not None:
        return False
    row.published_at = utcnow()
    db.session.flush()
    audit.record("schedule.publish", "schedule_week", row.id, str(week), user=user)
    return True


def _same_slot(entry: ScheduleEntry, day: date) -> tuple:
    return (day, entry.start_time, entry.content)


def copy_recurring(week: IsoWeek, user: User | None) -> int:
    """Copy the previous week's recurring entries into `week`, a week later each.

    An entry already there (same day, time and content) is not copied again, so pressing
    the button twice copies nothing the second time. Returns how many were copied.
    """
    previous = week.previous()
    if previous is None:
        return 0
    sources = [e for e in entries(previous) if e.recurring]
    if not sources:
        return 0
    present = {(e.day, e.start_time, e.content) for e in entries(week)}
    copied = 0
    for source in sources:
        day = source.day + timedelta(days=7)
        if _same_slot(source, day) in present:
            continue
        save_entry(
            None,
            user,
            {
                "day": day,
                "start_time": source.start_time,
                "content": source.content,
                "leader": source.leader,
                "location": source.location,
                "preparing_unit": source.preparing_unit,
                "notes": source.notes,
                "recurring": True,
            },
        )
        present.add(_same_slot(source, day))
        copied += 1
    if copied:
        audit.record("schedule.copy", "schedule_week", None, f"{previous} -> {week}: {copied}")
    return copied


# ------------------------------------------------------------------ demo content

DEMO_ENTRIES = [
    # (weekday 0=Monday, "HH:MM" or None, content, leader, location, preparing unit, notes,
    #  recurring)
    (
        0,
        "07:30",
        "Giao ban Thường trực HĐND, UBND xã đầu tuần",
        "Chủ tịch, các Phó Chủ tịch UBND xã",
        "Phòng họp số 1, trụ sở UBND xã",
        "Văn phòng HĐND và UBND xã",
        "",
        True,
    ),
    (
        0,
        "14:00",
        "Làm việc với Ban quản lý dự án về tiến độ đường giao thông thôn Phú Lộc",
        "Ông Nguyễn Văn Khải, Chủ tịch UBND xã",
        "Hiện trường thôn Phú Lộc",
        "Công chức Địa chính - Xây dựng",
        "Mời trưởng thôn Phú Lộc cùng dự",
        False,
    ),
    (
        1,
        None,
        "Tiếp công dân định kỳ",
        "Ông Nguyễn Văn Khải, Chủ tịch UBND xã",
        "Phòng tiếp công dân, trụ sở UBND xã",
        "Công chức Tư pháp - Hộ tịch",
        "",
        True,
    ),
    (
        1,
        "08:00",
        "Kiểm tra công tác chuẩn bị tiêm chủng mở rộng tại thôn An Mỹ",
        "Bà Đỗ Thị Mai, Phó Chủ tịch UBND xã",
        "Nhà văn hóa thôn An Mỹ",
        "Trạm Y tế xã",
        "",
        False,
    ),
    (
        2,
        "08:00",
        "Họp Ban chỉ đạo xây dựng nông thôn mới nâng cao",
        "Bà Đỗ Thị Mai, Phó Chủ tịch UBND xã",
        "Hội trường UBND xã",
        "Công chức Nông nghiệp - Môi trường",
        "Các thành viên Ban chỉ đạo chuẩn bị báo cáo theo phân công",
        False,
    ),
    (
        2,
        "14:00",
        "Dự sinh hoạt chi bộ thôn Phước Thạnh",
        "Ông Lê Văn Bình, Phó Chủ tịch UBND xã",
        "Nhà văn hóa thôn Phước Thạnh",
        "Chi bộ thôn Phước Thạnh",
        "",
        False,
    ),
    (
        3,
        "07:30",
        "Kiểm tra công tác phòng, chống thiên tai tại các điểm xung yếu ven sông",
        "Ông Lê Văn Bình, Phó Chủ tịch UBND xã",
        "Thôn Phước Thạnh và thôn An Mỹ",
        "Ban Chỉ huy Quân sự xã",
        "",
        False,
    ),
    (
        3,
        "14:00",
        "Họp giao ban công tác cải cách hành chính và chuyển đổi số",
        "Chủ tịch UBND xã",
        "Phòng họp số 1, trụ sở UBND xã",
        "Văn phòng HĐND và UBND xã",
        "",
        True,
    ),
    (
        4,
        "08:00",
        "Hội nghị trực tuyến của huyện về thu ngân sách cuối năm",
        "Chủ tịch UBND xã; công chức Tài chính - Kế toán",
        "Điểm cầu trực tuyến UBND xã",
        "Công chức Văn phòng - Thống kê",
        "",
        False,
    ),
    (
        4,
        "15:30",
        "Làm việc với Hội Nông dân xã về mô hình lúa chất lượng cao vụ Đông Xuân",
        "Bà Đỗ Thị Mai, Phó Chủ tịch UBND xã",
        "Phòng họp số 2, trụ sở UBND xã",
        "Hội Nông dân xã",
        "",
        False,
    ),
    (
        5,
        "07:00",
        "Ra quân ngày Chủ nhật xanh: thu gom rác thải dọc tuyến đường liên thôn",
        "Đoàn Thanh niên, Hội Liên hiệp Phụ nữ xã",
        "Tuyến đường liên thôn Phú Lộc - An Mỹ",
        "Đoàn Thanh niên xã",
        "Mời bà con các thôn cùng tham gia",
        False,
    ),
]


def seed_demo() -> None:
    """This week's schedule for the demo office, published (safe on an empty site: a week
    that already has entries is left alone)."""
    week = current_week()
    if entries(week):
        return
    for weekday, at, content, leader, location, unit, notes, recurring in DEMO_ENTRIES:
        save_entry(
            None,
            None,
            {
                "day": week.monday + timedelta(days=weekday),
                "start_time": time.fromisoformat(at) if at else None,
                "content": content,
                "leader": leader,
                "location": location,
                "preparing_unit": unit,
                "notes": notes,
                "recurring": recurring,
            },
        )
    publish(week, None)
    db.session.flush()
