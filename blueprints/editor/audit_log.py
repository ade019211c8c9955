"""The audit log (admin): newest first, filtered by action, actor and dates."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app, render_template, request

from bantin import audit
from bantin.extensions import db
from bantin.models import AuditLog, User
from bantin.permissions import Capability, requires
from blueprints.editor.blueprint import bp
from blueprints.editor.forms_site import AuditFilterForm

PER_PAGE = 50
MAX_ID = 2**31  # ids are INTEGER: 32 bits on PostgreSQL

# Failures an outsider can repeat: highlighted in the list.
WARN_ACTIONS = frozenset({"login.failure", "user.password_change_failure"})
# Offered as suggestions in the filter box: each family of codes, then every code.
ACTION_PREFIXES = tuple(dict.fromkeys(code.split(".")[0] for code in audit.ACTIONS))


def _utc_start(day: date) -> datetime:
    """Local midnight of ``day`` as naive UTC (stored times are naive UTC)."""
    tz = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Asia/Ho_Chi_Minh"))
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC).replace(tzinfo=None)


def _before() -> int | None:
    raw = request.args.get("before", "")
    if raw.isascii() and raw.isdigit() and len(raw) <= 18 and 0 < int(raw) < MAX_ID:
        return int(raw)
    return None


@bp.get("/audit")
@requires(Capability.READ_AUDIT)
def audit_log():
    """Browse the audit log, newest first (keyset pagination on the id)."""
    form = AuditFilterForm(request.args)
    if not form.validate():
        return render_template(
            "editor/audit_log.html",
            form=form,
            entries=[],
            next_before=None,
            labels=audit.ACTIONS,
            targets=audit.TARGETS,
            prefixes=ACTION_PREFIXES,
            warn_actions=WARN_ACTIONS,
            filters={},
        ), 400

    stmt = sa.select(AuditLog)
    if form.action.data:
        stmt = stmt.where(AuditLog.action.startswith(form.action.data, autoescape=True))
    if form.actor.data:
        named = sa.select(User.id).where(User.name.contains(form.actor.data, autoescape=True))
        stmt = stmt.where(
            sa.or_(
                AuditLog.actor.contains(form.actor.data, autoescape=True),
                AuditLog.user_id.in_(named),
            )
        )
    if form.date_from.data:
        stmt = stmt.where(AuditLog.created_at >= _utc_start(form.date_from.data))
    if form.date_to.data:
        stmt = stmt.where(AuditLog.created_at < _utc_start(form.date_to.data + timedelta(days=1)))
    before = _before()
    if before is not None:
        stmt = stmt.where(AuditLog.id < before)
    rows = list(db.session.scalars(stmt.order_by(AuditLog.id.desc()).limit(PER_PAGE + 1)))
    next_before = rows[PER_PAGE - 1].id if len(rows) > PER_PAGE else None
    filters = {
        key: value
        for key, value in request.args.items()
        if key in ("action", "actor", "date_from", "date_to") and value
    }
    return render_template(
        "editor/audit_log.html",
        form=form,
        entries=rows[:PER_PAGE],
        next_before=next_before,
        paged=before is not None,
        labels=audit.ACTIONS,
        targets=audit.TARGETS,
        prefixes=ACTION_PREFIXES,
        warn_actions=WARN_ACTIONS,
        filters=filters,
    )
