"""The weekly work schedule: ISO week arithmetic across year ends, the reader's page
(current week by the clock, unpublished weeks, today, adjustments, removals, print view)
and the editor (validation, copy of recurring entries, publication, audit, authz)."""

import json
import re
from datetime import date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from bantin import schedule
from bantin.extensions import db
from bantin.models import AuditLog, ScheduleEntry, ScheduleWeek
from bantin.schedule import IsoWeek

# 05:00 UTC on Thursday 31 December 2026 is 12:00 in Hà Nội: ISO week 2026-W53.
NOW = datetime(2026, 12, 31, 5, 0)


def text(response) -> str:
    return response.get_data(as_text=True)


def actions(prefix: str = "schedule") -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditLog.action)
            .where(AuditLog.action.startswith(prefix))
            .order_by(AuditLog.id)
        )
    )


@pytest.fixture
def clock(app):
    state = {"now": NOW}
    app.config["CLOCK"] = lambda: state["now"]
    return state


@pytest.fixture
def editor(factory):
    return factory.user("editor", name="Biên tập Lịch")


@pytest.fixture
def as_editor(client, editor, login):
    login(editor)
    return client


def add(day: date, content: str, at: str | None = "08:00", **kw) -> ScheduleEntry:
    entry = schedule.save_entry(
        None,
        None,
        {
            "day": day,
            "start_time": time.fromisoformat(at) if at else None,
            "content": content,
            **kw,
        },
    )
    db.session.commit()
    return entry


def publish(week: str) -> None:
    schedule.publish(IsoWeek.parse(week), None)
    db.session.commit()


# ------------------------------------------------------------------ week arithmetic


@pytest.mark.parametrize(
    ("text_", "monday", "sunday"),
    [
        ("2026-W53", date(2026, 12, 28), date(2027, 1, 3)),
        ("2027-W01", date(2027, 1, 4), date(2027, 1, 10)),
        ("2026-W01", date(2025, 12, 29), date(2026, 1, 4)),
        ("2020-W53", date(2020, 12, 28), date(2021, 1, 3)),
        ("2021-W01", date(2021, 1, 4), date(2021, 1, 10)),
        ("2026-W49", date(2026, 11, 30), date(2026, 12, 6)),
    ],
)
def test_weeks_run_monday_to_sunday(text_, monday, sunday):
    week = IsoWeek.parse(text_)
    assert (week.monday, week.sunday) == (monday, sunday)
    assert str(week) == text_
    assert len(week.days) == 7 and week.days[0] == monday and week.days[-1] == sunday
    assert all(IsoWeek.of(day) == week for day in week.days)


@pytest.mark.parametrize(
    ("week", "following"),
    [
        ("2026-W53", "2027-W01"),
        ("2026-W52", "2026-W53"),
        ("2020-W53", "2021-W01"),
        ("2025-W52", "2026-W01"),
        ("2026-W09", "2026-W10"),
    ],
)
def test_next_and_previous_cross_year_ends(week, following):
    assert str(IsoWeek.parse(week).next()) == following
    assert str(IsoWeek.parse(following).previous()) == week


@pytest.mark.parametrize(
    "bad",
    [
        "2025-W53",  # 2025 has 52 weeks
        "2027-W53",
        "2026-W00",
        "2026-W54",
        "2026-w01",
        "2026W01",
        "2026-W1",
        "26-W01",
        "2026-W001",
        " 2026-W01",
        "2026-W01 ",
        "2026-W01\n",
        "２０２６-W01",  # full-width digits
        "2026-01-05",
        "0000-W01",
        "1899-W52",
        "",
        "x",
    ],
)
def test_bad_weeks_are_refused(bad):
    with pytest.raises(ValueError):
        IsoWeek.parse(bad)


def test_every_week_of_twenty_years_steps_both_ways():
    """Each week's next is the following Monday's week, and stepping back returns."""
    week = IsoWeek.parse("2015-W01")
    seen = 0
    while week.year < 2036:
        following = week.next()
        assert following.monday == week.monday + timedelta(days=7)
        assert following.previous() == week
        assert IsoWeek.parse(str(week)) == week
        assert all(week.contains(day) for day in week.days)
        assert not week.contains(week.monday - timedelta(days=1))
        week, seen = following, seen + 1
    # 2015, 2020, 2026 and 2032 have 53 weeks.
    assert seen == 21 * 52 + 4


def test_weeks_at_the_ends_of_the_range_have_no_neighbour_past_them():
    assert IsoWeek.parse("1900-W01").previous() is None
    assert IsoWeek.parse("2999-W52").next() is None
    assert IsoWeek.parse("1900-W02").previous() == IsoWeek.parse("1900-W01")


@pytest.mark.parametrize(
    ("utc", "week"),
    [
        (datetime(2026, 12, 27, 16, 59), "2026-W52"),  # 23:59 Sunday in Hà Nội
        (datetime(2026, 12, 27, 17, 0), "2026-W53"),  # 00:00 Monday 28 December
        (datetime(2027, 1, 3, 16, 59), "2026-W53"),  # Sunday 3 January 2027, still W53
        (datetime(2027, 1, 3, 17, 0), "2027-W01"),
    ],
)
def test_current_week_follows_the_local_calendar(app, clock, utc, week):
    clock["now"] = utc
    assert str(schedule.current_week()) == week


# ------------------------------------------------------------------ the reader's page


def test_schedule_shows_the_current_week_by_the_clock(client, clock):
    add(date(2026, 12, 31), "Họp tổng kết năm", leader="Chủ tịch UBND xã")
    add(date(2027, 1, 4), "Giao ban đầu năm mới")
    publish("2026-W53")
    publish("2027-W01")
    page = text(client.get("/schedule"))
    assert "Tuần 53, từ 28/12/2026 đến 03/01/2027" in page
    assert "Họp tổng kết năm" in page and "Giao ban đầu năm mới" not in page
    assert 'href="/schedule?week=2026-W52"' in page
    assert 'href="/schedule?week=2027-W01"' in page
    # The next week, reached by its link: across the year end.
    nxt = text(client.get("/schedule?week=2027-W01"))
    assert "Giao ban đầu năm mới" in nxt and "Họp tổng kết năm" not in nxt
    assert 'href="/schedule?week=2026-W53"' in nxt


def test_today_is_highlighted(client, clock):
    add(date(2026, 12, 31), "Họp tổng kết năm")
    add(date(2026, 12, 29), "Tiếp công dân", at=None)
    publish("2026-W53")
    page = text(client.get("/schedule"))
    today_groups = re.findall(r'<tbody class="schedule-day is-today">(.*?)</tbody>', page, re.S)
    assert len(today_groups) == 1 and "Họp tổng kết năm" in today_groups[0]
    assert "31/12/2026" in today_groups[0] and 'aria-current="date"' in today_groups[0]
    # The phone's day list marks the same day.
    assert page.count('class="schedule-daycard is-today"') == 1
    assert "Cả ngày" in page  # the all-day entry
    # Another week has no today.
    other = text(client.get("/schedule?week=2026-W52"))
    assert "is-today" not in other


def test_the_day_moves_at_local_midnight_without_any_write(client, clock):
    add(date(2026, 12, 31), "Thứ Năm")
    publish("2026-W53")
    assert (
        text(client.get("/schedule")).count(
            'schedule-daycard is-today" aria-labelledby="day-2026-12-31"'
        )
        == 1
    )
    clock["now"] = datetime(2026, 12, 31, 17, 0)  # 00:00 Friday 1 January 2027 local
    page = text(client.get("/schedule"))
    assert 'schedule-daycard is-today" aria-labelledby="day-2027-01-01"' in page


def test_an_unpublished_week_says_so_and_keeps_its_links(client, clock):
    add(date(2026, 12, 30), "Nội dung chưa công bố")
    response = client.get("/schedule?week=2026-W53")
    page = text(response)
    assert response.status_code == 200
    assert "chưa được công bố" in page
    assert "Nội dung chưa công bố" not in page
    assert 'href="/schedule?week=2026-W52"' in page and 'href="/schedule?week=2027-W01"' in page
    assert "print=1" not in page
    publish("2026-W53")
    assert "Nội dung chưa công bố" in text(client.get("/schedule?week=2026-W53"))


@pytest.mark.parametrize(
    "query", ["2025-W53", "2026-W54", "2026-W1", "abc", "2026-W01%00", "2026-W01&week=2"]
)
def test_bad_week_arguments_are_400_never_500(client, clock, query):
    assert client.get(f"/schedule?week={query}").status_code in (200, 400)
    if query in ("2025-W53", "2026-W54", "2026-W1", "abc", "2026-W01%00"):
        assert client.get(f"/schedule?week={query}").status_code == 400


def test_an_empty_week_argument_is_the_current_week(client, clock):
    assert "Tuần 53," in text(client.get("/schedule?week="))


def test_heading_note_from_the_settings(client, clock, factory):
    publish("2026-W53")
    assert "schedule-note" not in text(client.get("/schedule"))
    factory.settings(schedule_note="Lịch này thay thư mời họp")
    page = text(client.get("/schedule"))
    assert '<p class="schedule-note">Lịch này thay thư mời họp</p>' in page


def test_print_view(client, clock, factory):
    factory.settings(owner="UBND xã Hòa Phong", schedule_note="Lịch này thay thư mời họp")
    add(date(2026, 12, 31), "Họp tổng kết năm")
    publish("2026-W53")
    page = text(client.get("/schedule?week=2026-W53&print=1"))
    assert '<body class="schedule-print">' in page
    assert "Họp tổng kết năm" in page and "UBND xã Hòa Phong" in page
    assert "Lịch này thay thư mời họp" in page
    assert "schedule-days" not in page  # only the table
    assert 'class="sidebar"' not in page
    # Other values of print are ignored: the normal page.
    assert 'class="schedule-print"' not in text(client.get("/schedule?week=2026-W53&print=yes"))
    assert "js/schedule.js" in page


def test_reader_page_escapes_entry_text(client, clock):
    add(date(2026, 12, 31), "<script>alert(1)</script> & họp", leader="<b>A</b>")
    publish("2026-W53")
    page = text(client.get("/schedule"))
    assert "<script>alert(1)" not in page and "<b>A</b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; họp" in page


# ------------------------------------------------------------------ adjustments


def test_changes_after_publication_are_marked_adjusted(as_editor, clock):
    before = add(date(2026, 12, 30), "Họp Ban chỉ đạo", leader="Phó Chủ tịch")
    # Changing an unpublished week marks nothing.
    response = as_editor.post(
        f"/editor/schedule/{before.id}/edit",
        data={"day": "2026-12-30", "start_time": "08:30", "content": "Họp Ban chỉ đạo NTM"},
    )
    assert response.status_code == 303
    db.session.refresh(before)
    assert before.adjusted_at is None
    publish("2026-W53")
    page = text(as_editor.get("/schedule"))
    assert "Điều chỉnh lúc" not in page

    clock["now"] = datetime(2026, 12, 31, 7, 15)  # 14:15 local
    form = {
        "day": "2026-12-30",
        "start_time": "09:00",
        "content": "Họp Ban chỉ đạo NTM",
        "leader": "Phó Chủ tịch",
    }
    assert as_editor.post(f"/editor/schedule/{before.id}/edit", data=form).status_code == 303
    db.session.refresh(before)
    assert before.adjusted_at == datetime(2026, 12, 31, 7, 15)
    page = text(as_editor.get("/schedule"))
    assert "Điều chỉnh lúc 14:15 31/12/2026" in page

    # An entry added after publication is marked too.
    clock["now"] = datetime(2026, 12, 31, 8, 0)
    response = as_editor.post(
        "/editor/schedule/new?week=2026-W53",
        data={"day": "2027-01-02", "all_day": "y", "content": "Trực Tết Dương lịch"},
    )
    assert response.status_code == 303
    page = text(as_editor.get("/schedule"))
    assert "Điều chỉnh lúc 15:00 31/12/2026" in page

    # An unchanged re-save moves nothing.
    clock["now"] = datetime(2026, 12, 31, 9, 0)
    assert as_editor.post(f"/editor/schedule/{before.id}/edit", data=form).status_code == 303
    db.session.refresh(before)
    assert before.adjusted_at == datetime(2026, 12, 31, 7, 15)
    assert actions() == [
        "schedule.create",
        "schedule.update",
        "schedule.publish",
        "schedule.update",
        "schedule.create",
    ]


def test_entries_deleted_from_a_published_week_are_listed_as_removed(as_editor, clock):
    kept = add(date(2026, 12, 29), "Tiếp công dân")
    gone = add(date(2026, 12, 30), "Kiểm tra đê sông", at="07:30", leader="Phó Chủ tịch")
    draft_gone = add(date(2027, 1, 5), "Mục tuần sau")
    publish("2026-W53")
    clock["now"] = datetime(2026, 12, 31, 2, 5)  # 09:05 local
    assert as_editor.post(f"/editor/schedule/{gone.id}/delete").status_code == 303
    assert as_editor.post(f"/editor/schedule/{draft_gone.id}/delete").status_code == 303
    page = text(as_editor.get("/schedule"))
    removed = page.split('class="schedule-removed"')[1]
    assert "Kiểm tra đê sông" in removed and "07:30" in removed and "Phó Chủ tịch" in removed
    assert "hủy lúc 09:05 31/12/2026" in removed
    assert "Kiểm tra đê sông" not in page.split('class="schedule-removed"')[0]
    assert kept.content in page
    row = db.session.scalar(sa.select(ScheduleWeek).where(ScheduleWeek.week == "2026-W53"))
    assert [item["content"] for item in json.loads(row.changes)] == ["Kiểm tra đê sông"]
    # The unpublished week keeps no trace.
    publish("2027-W01")
    assert "schedule-removed" not in text(as_editor.get("/schedule?week=2027-W01"))


def test_an_entry_moved_out_of_a_published_week_is_removed_there(as_editor, clock):
    entry = add(date(2026, 12, 30), "Họp dời sang tuần sau")
    publish("2026-W53")
    response = as_editor.post(
        f"/editor/schedule/{entry.id}/edit",
        data={"day": "2027-01-05", "start_time": "08:00", "content": "Họp dời sang tuần sau"},
    )
    assert response.status_code == 303
    assert response.location.endswith(f"/editor/schedule?week=2027-W01#entry-{entry.id}")
    page = text(as_editor.get("/schedule?week=2026-W53"))
    assert "Họp dời sang tuần sau" in page.split('class="schedule-removed"')[1]


# ------------------------------------------------------------------ copy recurring


def test_copy_last_weeks_recurring_entries_once(as_editor, clock):
    # Week 53 of 2026 -> week 1 of 2027: the copy crosses the year end.
    add(date(2026, 12, 28), "Giao ban đầu tuần", at="07:30", recurring=True, leader="Thường trực")
    add(date(2026, 12, 29), "Tiếp công dân", at=None, recurring=True, location="Phòng tiếp dân")
    add(date(2026, 12, 30), "Họp một lần", recurring=False)
    response = as_editor.post("/editor/schedule/copy", data={"week": "2027-W01"})
    assert response.status_code == 303
    copied = schedule.entries(IsoWeek.parse("2027-W01"))
    assert [(e.day, e.start_time, e.content, e.recurring) for e in copied] == [
        (date(2027, 1, 4), time(7, 30), "Giao ban đầu tuần", True),
        (date(2027, 1, 5), None, "Tiếp công dân", True),
    ]
    assert copied[0].leader == "Thường trực" and copied[1].location == "Phòng tiếp dân"
    # Pressing it again copies nothing.
    as_editor.post("/editor/schedule/copy", data={"week": "2027-W01"})
    assert len(schedule.entries(IsoWeek.parse("2027-W01"))) == 2
    assert "Không có mục định kỳ nào cần chép" in text(
        as_editor.get("/editor/schedule?week=2027-W01")
    )
    # One already typed by hand is not duplicated either.
    assert schedule.copy_recurring(IsoWeek.parse("2027-W01"), None) == 0
    assert actions() == ["schedule.create"] * 5 + ["schedule.copy"]


def test_copy_into_a_published_week_marks_the_copies(clock):
    add(date(2026, 12, 21), "Giao ban", recurring=True)  # week 52
    publish("2026-W53")
    add(date(2026, 12, 28), "Giao ban")  # already typed into week 53 by hand
    assert schedule.copy_recurring(IsoWeek.parse("2026-W53"), None) == 0
    add(date(2026, 12, 22), "Họp định kỳ", recurring=True)
    assert schedule.copy_recurring(IsoWeek.parse("2026-W53"), None) == 1
    db.session.commit()
    copies = [e for e in schedule.entries(IsoWeek.parse("2026-W53")) if e.recurring]
    assert [(e.day, e.content) for e in copies] == [(date(2026, 12, 29), "Họp định kỳ")]
    assert copies[0].adjusted_at == NOW


# ------------------------------------------------------------------ the editor


def test_editor_week_view_and_publication(as_editor, clock):
    add(date(2026, 12, 31), "Họp tổng kết năm")
    page = text(as_editor.get("/editor/schedule"))
    assert "Chưa công bố" in page and "Họp tổng kết năm" in page
    assert 'href="/editor/schedule?week=2027-W01"' in page
    assert as_editor.post("/editor/schedule/publish", data={"week": "2026-W53"}).status_code == 303
    page = text(as_editor.get("/editor/schedule?week=2026-W53"))
    assert "Đã công bố lúc 12:00 | 31/12/2026" in page
    # Publishing twice changes nothing.
    as_editor.post("/editor/schedule/publish", data={"week": "2026-W53"})
    assert actions("schedule.publish") == ["schedule.publish"]


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"day": "2026-12-31", "start_time": "08:00", "content": ""}, "content", "Vui lòng"),
        ({"day": "", "start_time": "08:00", "content": "Họp"}, "day", "Vui lòng"),
        ({"day": "31/12/2026", "start_time": "08:00", "content": "Họp"}, "day", "Ngày không"),
        ({"day": "0001-01-01", "start_time": "08:00", "content": "Họp"}, "day", "Ngày không"),
        ({"day": "9999-12-31", "start_time": "08:00", "content": "Họp"}, "day", "Ngày không"),
        ({"day": "2026-12-31", "start_time": "", "content": "Họp"}, "start_time", "Cả ngày"),
        ({"day": "2026-12-31", "start_time": "25:99", "content": "Họp"}, "start_time", "Giờ"),
        ({"day": "2026-12-31", "start_time": "08:00", "content": "x" * 2001}, "content", "2000"),
        (
            {"day": "2026-12-31", "start_time": "08:00", "content": "Họp", "leader": "y" * 301},
            "leader",
            "300",
        ),
    ],
)
def test_entry_validation_keeps_what_was_typed(as_editor, clock, data, field, message):
    form = {"location": "Hội trường Ủy ban", **data}
    response = as_editor.post("/editor/schedule/new?week=2026-W53", data=form)
    page = text(response)
    assert response.status_code == 400
    error = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', page)
    assert error and message in error.group(1), page[:3000]
    assert 'value="Hội trường Ủy ban"' in page
    assert db.session.scalar(sa.select(sa.func.count(ScheduleEntry.id))) == 0


def test_new_entry_form_defaults_to_the_asked_day(as_editor, clock):
    page = text(as_editor.get("/editor/schedule/new?week=2026-W53&day=2027-01-02"))
    assert 'value="2027-01-02"' in page
    page = text(as_editor.get("/editor/schedule/new"))
    assert 'value="2026-12-31"' in page  # today
    page = text(as_editor.get("/editor/schedule/new?week=2027-W02"))
    assert 'value="2027-01-11"' in page  # that week's Monday
    assert as_editor.get("/editor/schedule/new?week=2025-W53").status_code == 400


def test_editor_bad_week_and_missing_week_are_400(as_editor, clock):
    assert as_editor.get("/editor/schedule?week=2025-W53").status_code == 400
    assert as_editor.post("/editor/schedule/copy", data={}).status_code == 400
    assert as_editor.post("/editor/schedule/publish", data={"week": "2026-W99"}).status_code == 400
    assert as_editor.get("/editor/schedule/9223372036854775807/edit").status_code == 404
    assert as_editor.get("/editor/schedule/9223372036854775808/edit").status_code == 404


def test_schedule_editor_needs_a_signed_in_staff_member(app, client, clock, factory, login):
    entry = add(date(2026, 12, 31), "Họp")
    for path in ("/editor/schedule", f"/editor/schedule/{entry.id}/edit", "/editor/schedule/new"):
        response = client.get(path)
        assert response.status_code == 302 and response.location.startswith("/login?next=")
    for path in (f"/editor/schedule/{entry.id}/delete", "/editor/schedule/publish"):
        assert client.post(path, data={"week": "2026-W53"}).status_code == 302
    assert db.session.get(ScheduleEntry, entry.id) is not None
    assert not schedule.is_published(IsoWeek.parse("2026-W53"))


def test_every_schedule_post_needs_the_csrf_token(app_factory, factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        user = factory.user("editor")
        entry = add(date(2026, 12, 31), "Họp")
        client = app.test_client()
        html = text(client.get("/login"))
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
        client.post(
            "/login",
            data={"email": user.email, "password": "correct horse battery", "csrf_token": token},
        )
        for path, data in [
            (
                "/editor/schedule/new?week=2026-W53",
                {"day": "2026-12-31", "content": "A", "start_time": "08:00"},
            ),
            (
                f"/editor/schedule/{entry.id}/edit",
                {"day": "2026-12-31", "content": "B", "start_time": "08:00"},
            ),
            (f"/editor/schedule/{entry.id}/delete", {}),
            ("/editor/schedule/copy", {"week": "2026-W53"}),
            ("/editor/schedule/publish", {"week": "2026-W53"}),
        ]:
            assert client.post(path, data=data).status_code == 400, path
        assert db.session.get(ScheduleEntry, entry.id).content == "Họp"


# ------------------------------------------------------------------ demo content


def test_seed_demo_fills_this_week_and_is_safe_to_repeat(client, clock):
    schedule.seed_demo()
    db.session.commit()
    week = schedule.current_week()
    found = schedule.entries(week)
    assert 8 <= len(found) <= 12
    assert any(e.recurring for e in found) and not all(e.recurring for e in found)
    assert schedule.is_published(week)
    assert all(e.adjusted_at is None for e in found)
    schedule.seed_demo()
    db.session.commit()
    assert len(schedule.entries(week)) == len(found)
    page = text(client.get("/schedule"))
    assert "Giao ban Thường trực HĐND, UBND xã đầu tuần" in page
