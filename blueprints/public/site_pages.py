"""Pages for readers: GET /page/<path> (the chain of slugs)."""

from blueprints.public.blueprint import bp  # noqa: F401
