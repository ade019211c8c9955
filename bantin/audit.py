"""Recording audit events; the caller's commit makes them durable with the change itself."""

from flask import has_request_context
from flask_login import current_user

from bantin.extensions import db
from bantin.models import AuditLog, User
from bantin.net import client_ip


def record(
    action: str,
    target_type: str = "",
    target_id: int | None = None,
    detail: str = "",
    user: User | None = None,
    actor: str | None = None,
) -> AuditLog:
    """Add an audit row to the session: who (user or the signed-in user), what, from where."""
    if user is None and has_request_context() and current_user.is_authenticated:
        user = current_user._get_current_object()
    entry = AuditLog(
        user_id=user.id if user else None,
        actor=actor if actor is not None else (user.email if user else ""),
        action=action,
        target_type=target_type,
        target_id=target_id,
        detail=detail[:500],
        ip=client_ip() if has_request_context() else "",
    )
    db.session.add(entry)
    return entry
