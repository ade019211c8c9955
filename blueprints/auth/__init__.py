"""Sign-in and sign-out."""

from blueprints.auth import reset, views  # noqa: F401
from blueprints.auth.blueprint import bp

__all__ = ["bp"]
