"""Server-side authorisation for editor routes."""

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user

from bantin.models import Role


def role_required(*roles: Role) -> Callable:
    """Allow only signed-in users with one of these roles; others get 403."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                abort(401)
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


admin_required = role_required(Role.ADMIN)
staff_required = role_required(Role.ADMIN, Role.EDITOR)
