"""The weekly work schedule in the editor (staff): a week's entries, add, edit, delete,
copy last week's recurring entries, publish the week."""

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, ValidationError

from bantin import schedule
from bantin.clock import local_today
from bantin.extensions import db
from bantin.models import ScheduleEntry
from bantin.permissions import Capability, requires
from blueprints.editor.blueprint import bp
from blueprints.editor.forms_site import (
    REQUIRED,
    LocalDateField,
    _line,
    _max,
    _text,
    no_control_chars,
)

ID = "int(max=2147483647)"


class LocalTimeField(TimeField):
    """HH:MM (what <input type="time"> sends); the error speaks Vietnamese."""

    def process_formdata(self, valuelist):
        if not valuelist or not (valuelist[0] or "").strip():
            self.data = None
            return
        try:
            super().process_formdata([valuelist[0].strip()[:5]])
        except ValueError as exc:
            self.data = None
            raise ValueError(_l("Giờ không hợp lệ (dạng giờ:phút, ví dụ 07:30).")) from exc


class EntryForm(FlaskForm):
    day = LocalDateField(_l("Ngày"), validators=[InputRequired(REQUIRED)])
    all_day = BooleanField(_l("Cả ngày (không có giờ cụ thể)"))
    start_time = LocalTimeField(_l("Giờ bắt đầu"))
    content = TextAreaField(
        _l("Nội dung công việc"),
        filters=[_text],
        validators=[DataRequired(REQUIRED), _max(2000), no_control_chars],
    )
    leader = StringField(
        _l("Lãnh đạo chủ trì hoặc thành phần"),
        filters=[_line],
        validators=[_max(300), no_control_chars],
    )
    location = StringField(
        _l("Địa điểm"), filters=[_line], validators=[_max(300), no_control_chars]
    )
    preparing_unit = StringField(
        _l("Đơn vị chuẩn bị"), filters=[_line], validators=[_max(300), no_control_chars]
    )
    notes = TextAreaField(_l("Ghi chú"), filters=[_text], validators=[_max(2000), no_control_chars])
    recurring = BooleanField(_l("Lặp lại hằng tuần (được chép sang tuần sau)"))

    def validate_day(self, field) -> None:
        if field.data is not None and not schedule.MIN_YEAR <= field.data.year <= (
            schedule.MAX_YEAR
        ):
            raise ValidationError(_l("Ngày không hợp lệ."))

    def validate_start_time(self, field) -> None:
        if not self.all_day.data and field.data is None and not field.errors:
            raise ValidationError(_l("Nhập giờ bắt đầu, hoặc đánh dấu “Cả ngày”."))


def _week_or_400(value: str | None) -> schedule.IsoWeek:
    try:
        return schedule.week_arg(value)
    except ValueError:
        abort(400)


def _week_url(week: schedule.IsoWeek, anchor: str = "") -> str:
    return url_for("editor.schedule", week=str(week)) + (f"#{anchor}" if anchor else "")


def _changes(form: EntryForm) -> dict:
    return {
        "day": form.day.data,
        "start_time": None if form.all_day.data else form.start_time.data,
        "content": form.content.data or "",
        "leader": form.leader.data or "",
        "location": form.location.data or "",
        "preparing_unit": form.preparing_unit.data or "",
        "notes": form.notes.data or "",
        "recurring": bool(form.recurring.data),
    }


@bp.get("/schedule", endpoint="schedule")
@requires(Capability.MANAGE_PORTAL)
def schedule_week():
    """One week's entries by day (this week without `week`), with the week's actions."""
    week = _week_or_400(request.args.get("week"))
    return render_template(
        "editor/schedule/week.html",
        view=schedule.week_view(week, readers=False),
        previous_recurring=_previous_recurring(week),
    )


def _previous_recurring(week: schedule.IsoWeek) -> int:
    previous = week.previous()
    if previous is None:
        return 0
    return sum(1 for e in schedule.entries(previous) if e.recurring)


def _render_form(form: EntryForm, entry: ScheduleEntry | None, week, status: int = 200):
    published = schedule.is_published(week)
    return (
        render_template(
            "editor/schedule/entry_form.html",
            form=form,
            entry=entry,
            week=week,
            published=published,
        ),
        status,
    )


@bp.route("/schedule/new", methods=["GET", "POST"])
@requires(Capability.MANAGE_PORTAL)
def schedule_new():
    """Add an entry (the day defaults to `day`, else the Monday of `week`)."""
    week = _week_or_400(request.args.get("week"))
    form = EntryForm()
    if request.method == "GET":
        try:
            day = date.fromisoformat(request.args.get("day", ""))
        except ValueError:
            today = local_today()
            day = today if week.contains(today) else week.monday
        form.day.data = day
        return _render_form(form, None, schedule.IsoWeek.of(day))
    if form.validate():
        entry = schedule.save_entry(None, None, _changes(form))
        db.session.commit()
        flash(_("Đã thêm mục lịch ngày %(day)s.", day=entry.day.strftime("%d/%m/%Y")), "success")
        return redirect(_week_url(schedule.IsoWeek.of(entry.day), f"entry-{entry.id}"), 303)
    try:
        shown = schedule.IsoWeek.of(form.day.data) if form.day.data else week
    except ValueError:  # a year out of range: the field says so
        shown = week
    return _render_form(form, None, shown, 400)


@bp.route(f"/schedule/<{ID}:entry_id>/edit", methods=["GET", "POST"])
@requires(Capability.MANAGE_PORTAL)
def schedule_edit(entry_id: int):
    """Change an entry; in a published week it is marked "điều chỉnh" with the time."""
    entry = db.get_or_404(ScheduleEntry, entry_id)
    week = schedule.IsoWeek.of(entry.day)
    form = EntryForm(obj=entry)
    if request.method == "GET":
        form.all_day.data = entry.start_time is None
        return _render_form(form, entry, week)
    if form.validate():
        schedule.save_entry(entry, None, _changes(form))
        db.session.commit()
        flash(_("Đã lưu mục lịch ngày %(day)s.", day=entry.day.strftime("%d/%m/%Y")), "success")
        return redirect(_week_url(schedule.IsoWeek.of(entry.day), f"entry-{entry.id}"), 303)
    return _render_form(form, entry, week, 400)


@bp.post(f"/schedule/<{ID}:entry_id>/delete")
@requires(Capability.MANAGE_PORTAL)
def schedule_delete(entry_id: int):
    """Delete an entry; a published week lists it as removed."""
    entry = db.get_or_404(ScheduleEntry, entry_id)
    week = schedule.IsoWeek.of(entry.day)
    schedule.delete_entry(entry, None)
    db.session.commit()
    flash(_("Đã xóa mục lịch."), "success")
    return redirect(_week_url(week), 303)


@bp.post("/schedule/copy")
@requires(Capability.MANAGE_PORTAL)
def schedule_copy():
    """Copy last week's recurring entries into the week (never twice)."""
    week = _week_or_400(request.form.get("week") or "x")
    copied = schedule.copy_recurring(week, None)
    db.session.commit()
    if copied:
        flash(_("Đã chép %(n)d mục định kỳ từ tuần trước.", n=copied), "success")
    else:
        flash(_("Không có mục định kỳ nào cần chép: tuần này đã có đủ."), "info")
    return redirect(_week_url(week), 303)


@bp.post("/schedule/publish")
@requires(Capability.MANAGE_PORTAL)
def schedule_publish():
    """Show the week to readers; later changes are marked "điều chỉnh"."""
    week = _week_or_400(request.form.get("week") or "x")
    if schedule.publish(week, None):
        db.session.commit()
        flash(_("Đã công bố lịch công tác tuần %(n)s.", n=week.week), "success")
    else:
        flash(_("Lịch tuần này đã được công bố trước đó."), "info")
    return redirect(_week_url(week), 303)
