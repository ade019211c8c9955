"""The leaders' weekly work schedule for readers: GET /schedule?week=YYYY-Www."""

from blueprints.public.blueprint import bp  # noqa: F401
