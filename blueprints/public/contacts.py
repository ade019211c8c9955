"""The organisation's units and officials for readers: GET /contacts."""

from blueprints.public.blueprint import bp  # noqa: F401
