"""Flask's signed-cookie session, with its signing serializer built once.

Flask builds a new ``URLSafeTimedSerializer`` twice per request (to open the session and to
save it), whether or not the request carries a cookie. The cookie format, keys, salt and
checks are Flask's own; only the object is kept, per secret key and fallbacks (issue 16).
"""

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class SessionInterface(SecureCookieSessionInterface):
    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        key = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._serializers.get(key)
        if serializer is None:
            serializer = super().get_signing_serializer(app)
            if len(self._serializers) > 8:  # keys rotated in a long-lived process (tests)
                self._serializers.clear()
            self._serializers[key] = serializer
        return serializer


def register(app: Flask) -> None:
    app.session_interface = SessionInterface()
