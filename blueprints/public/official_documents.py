"""Official documents for readers: GET /documents, /documents/<id>/<slug>, the feed."""

from blueprints.public.blueprint import bp  # noqa: F401
