"""Self-hosted captcha: challenges in the database, image and audio, single-use verification.

Alphabet: the digits 2-9, five of them (8^5 = 32,768 codes). Digits only, because the audio
alternative must be speakable in Vietnamese (the shipped voices in ``bantin/audio/vi`` are
espeak-ng's Vietnamese "hai" ... "chín") and because 2-9 holds no look-alikes (no 0/O, 1/I/l).
A guess succeeds once in 32,768 tries, each try costs a fresh challenge (single use, rate
limited per IP) and the comment guard's own limits.

What the client sees is a random token. The answer never leaves the server: it is derived
from the token with a keyed HMAC (so the image and the audio can be drawn again for the
same challenge) and the database row keeps only ``HMAC(SECRET_KEY, session id | answer)``,
the creation time and the time it was used. The session id is a random value in the
browser's signed session cookie (it says nothing about the answer), so a token only works
in the session it was shown to. Verification consumes the row with one conditional UPDATE
(``used_at IS NULL AND created_at > now - 10 min``), so a token works once across every
gunicorn worker, whether the answer was right or wrong. Answers are compared
case-insensitively, ignoring spaces (see ``normalise_answer``).

``CAPTCHA_TEST_ANSWER`` makes every new challenge's answer that string, but only while
``TESTING`` is true; outside tests it is ignored.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import re
import secrets
import threading
import unicodedata
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from captcha.audio import AudioCaptcha
from captcha.image import ImageCaptcha
from flask import current_app, has_request_context, session, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import StringField
from wtforms.widgets import html_params

from bantin.clock import utcnow
from bantin.extensions import db
from bantin.models import CaptchaChallenge, RateEvent

ALPHABET = "23456789"
LENGTH = 5
LIFETIME = timedelta(minutes=10)
# Used and expired rows are useless after LIFETIME; keep them an hour for diagnosis.
KEEP_ROWS = timedelta(hours=1)
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
VOICE_DIR = Path(__file__).resolve().parent / "audio" / "vi"
IMAGE_SIZE = (220, 80)
SESSION_KEY = "captcha_client"

# Per-IP limits on the captcha routes: (hits, window). A page view loads one image, so
# the image limit is generous (offices share one address); audio costs ~0.3 s of CPU.
RATE_LIMITS = {
    "captcha-image": (300, timedelta(minutes=10)),
    "captcha-audio": (30, timedelta(minutes=10)),
    "captcha-new": (60, timedelta(minutes=10)),
}


# ------------------------------------------------------------------ answers


def normalise_answer(value: str | None) -> str:
    """What people type: full-width digits folded (NFKC), spaces anywhere dropped, upper case."""
    folded = unicodedata.normalize("NFKC", value or "")
    return "".join(folded.split()).upper()


def _key() -> bytes:
    return str(current_app.config["SECRET_KEY"]).encode()


def _mac(purpose: str, value: str) -> bytes:
    return hmac.new(_key(), f"bantin.captcha.{purpose}:{value}".encode(), hashlib.sha256).digest()


def answer_hmac(answer: str, binding: str = "") -> str:
    """The keyed hash stored in the database; useless to anyone without the secret key.

    ``binding`` ties the challenge to the browser session it was shown to, so a token
    copied into another session fails even with the right answer.
    """
    return _mac("answer", f"{binding}|{normalise_answer(answer)}").hex()


def _binding(create: bool) -> str:
    """A random id kept in this browser's (signed) session cookie; "" outside requests."""
    if not has_request_context():
        return ""
    value = session.get(SESSION_KEY)
    if not isinstance(value, str) or not value:
        if not create:
            return ""
        value = secrets.token_urlsafe(12)
        session[SESSION_KEY] = value
    return value


def _derived_answer(token: str) -> str:
    # 256 is a multiple of len(ALPHABET), so every digit is equally likely.
    return "".join(ALPHABET[b % len(ALPHABET)] for b in _mac("code", token)[:LENGTH])


def test_answer() -> str | None:
    """CAPTCHA_TEST_ANSWER, honoured only when the app runs with TESTING."""
    config = current_app.config
    if config.get("TESTING") and config.get("CAPTCHA_TEST_ANSWER"):
        return normalise_answer(str(config["CAPTCHA_TEST_ANSWER"]))
    return None


# ------------------------------------------------------------------ challenges


def new_challenge() -> str:
    """Store a fresh challenge and return its token (the only thing the client gets)."""
    token = secrets.token_urlsafe(24)
    answer = test_answer() or _derived_answer(token)
    mac = answer_hmac(answer, _binding(create=True))
    db.session.add(CaptchaChallenge(token=token, answer_hmac=mac, created_at=utcnow()))
    db.session.commit()
    return token


def _live_clause(token: str, now) -> sa.ColumnElement[bool]:
    return sa.and_(
        CaptchaChallenge.token == token,
        CaptchaChallenge.used_at.is_(None),
        CaptchaChallenge.created_at > now - LIFETIME,
    )


def answer_to_render(token: str) -> str | None:
    """The code to draw or speak for a live (unused, unexpired) challenge, else None."""
    if not TOKEN_RE.match(token or ""):
        return None
    live = db.session.scalar(sa.select(CaptchaChallenge.id).where(_live_clause(token, utcnow())))
    if live is None:
        return None
    return test_answer() or _derived_answer(token)


def verify(token: str | None, answer: str | None) -> bool:
    """Consume the challenge (right or wrong answer alike) and say whether the answer fits.

    One UPDATE claims the row only if it is unused and unexpired; SQLite runs it under its
    write lock, so of two workers racing with the same token exactly one gets the row.
    """
    if not token or not TOKEN_RE.match(token):
        return False
    now = utcnow()
    claimed = db.session.execute(
        sa.update(CaptchaChallenge)
        .where(_live_clause(token, now))
        .values(used_at=now)
        .returning(CaptchaChallenge.answer_hmac)
        .execution_options(synchronize_session=False)
    ).all()
    db.session.commit()
    if len(claimed) != 1:
        return False
    given = normalise_answer(answer)
    expected = claimed[0][0]
    return bool(given) and hmac.compare_digest(expected, answer_hmac(given, _binding(False)))


def purge(now=None) -> int:
    """Delete challenges older than an hour (the caller commits)."""
    cutoff = (now or utcnow()) - KEEP_ROWS
    result = db.session.execute(
        sa.delete(CaptchaChallenge).where(CaptchaChallenge.created_at < cutoff)
    )
    return result.rowcount or 0


# ------------------------------------------------------------------ rate limits


def rate_limited(bucket: str, key: str) -> bool:
    """Record a hit for this IP in RateEvent; True when it is over the bucket's limit.

    Stored in the database so the limit holds across gunicorn workers.
    """
    limit, window = current_app.config.get("CAPTCHA_RATE_LIMITS", {}).get(
        bucket, RATE_LIMITS[bucket]
    )
    now = utcnow()
    recent = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(RateEvent)
        .where(
            RateEvent.bucket == bucket, RateEvent.key == key, RateEvent.created_at > now - window
        )
    )
    if (recent or 0) >= limit:
        return True
    db.session.add(RateEvent(bucket=bucket, key=key[:100], created_at=now))
    db.session.commit()
    return False


def purge_rate_events(now=None) -> int:
    """Forget captcha rate-limit hits older than a day (the caller commits)."""
    cutoff = (now or utcnow()) - timedelta(days=1)
    result = db.session.execute(
        sa.delete(RateEvent).where(
            RateEvent.bucket.in_(tuple(RATE_LIMITS)), RateEvent.created_at < cutoff
        )
    )
    return result.rowcount or 0


# ------------------------------------------------------------------ rendering

# Pillow font objects and the audio caches are not meant to be shared between threads
# (gunicorn runs gthread workers): each thread gets its own generators.
_local = threading.local()


def _image_generator() -> ImageCaptcha:
    if not hasattr(_local, "image"):
        _local.image = ImageCaptcha(width=IMAGE_SIZE[0], height=IMAGE_SIZE[1])
    return _local.image


def _audio_generators() -> tuple[AudioCaptcha, AudioCaptcha]:
    if not hasattr(_local, "audio"):
        # Vietnamese digits for real codes; the library's English voices (0-9, A-Z) only
        # serve test answers such as "TEST1", which hold letters.
        _local.audio = (AudioCaptcha(voicedir=str(VOICE_DIR)), AudioCaptcha())
    return _local.audio


def render_png(answer: str) -> bytes:
    buffer = io.BytesIO()
    _image_generator().generate_image(answer).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def render_wav(answer: str) -> bytes:
    """The code read aloud in the page's language, a little noise (captcha's AudioCaptcha)."""
    vietnamese, english = _audio_generators()
    in_english = has_request_context() and str(get_locale()) == "en"
    if not in_english and all(ch in vietnamese.choices for ch in answer):
        return bytes(vietnamese.generate(answer))
    spoken = "".join(ch for ch in answer if ch in english.choices) or "0"
    return bytes(english.generate(spoken))


# ------------------------------------------------------------------ the form field


class CaptchaWidget:
    """The image, the answer box, "Nghe mã" (audio), "Đổi mã khác" (refresh) and the token.

    Works without JavaScript: the audio is a plain link to the WAV and the refresh link
    reloads the page with a new challenge; static/js/comments.js swaps them in place.
    """

    def __call__(self, field: CaptchaField, **kwargs) -> Markup:
        token = field.token or ""
        image_url = url_for("public.captcha_image", token=token)
        audio_url = url_for("public.captcha_audio", token=token)
        kwargs.setdefault("id", field.id)
        input_attrs = {
            "type": "text",
            "name": field.name,
            "value": "",  # never echo an answer back
            "autocomplete": "off",
            "autocapitalize": "off",
            "spellcheck": "false",
            "inputmode": "numeric" if ALPHABET.isdigit() and not test_answer() else "text",
            "class": "captcha-input",
            **kwargs,
        }
        alt = _l(
            "Mã xác nhận: %(n)s chữ số trong ảnh. "
            "Không đọc được? Bấm “Nghe mã” hoặc “Đổi mã khác”.",
            n=LENGTH,
        )
        refresh_attrs = {
            "class": "captcha-refresh",
            "href": field.refresh_url or url_for("public.home"),
            "data-done": str(_l("Đã đổi sang mã mới.")),
        }
        return Markup(
            '<div class="captcha" data-captcha data-new-url="{new_url}">'
            '<img class="captcha-image" src="{image}" alt="{alt}" width="{w}" height="{h}"'
            ' loading="lazy" decoding="async">'
            '<input type="hidden" name="captcha_token" value="{token}">'
            "<input {input_attrs}>"
            '<p class="captcha-tools">'
            '<a class="captcha-audio" href="{audio}" type="audio/wav">{listen}</a>'
            " <a {refresh_attrs}>{refresh}</a>"
            '<span class="visually-hidden captcha-status" aria-live="polite"></span>'
            "</p></div>"
        ).format(
            new_url=url_for("public.captcha_new"),
            image=image_url,
            alt=str(alt),
            w=IMAGE_SIZE[0],
            h=IMAGE_SIZE[1],
            token=token,
            input_attrs=Markup(html_params(**input_attrs)),
            audio=audio_url,
            listen=_l("Nghe mã"),
            refresh_attrs=Markup(html_params(**refresh_attrs)),
            refresh=_l("Đổi mã khác"),
        )


class CaptchaField(StringField):
    """The reader's answer (``captcha``) plus the challenge token (``captcha_token``)."""

    widget = CaptchaWidget()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.token: str = ""
        self.refresh_url: str = ""

    def process(self, formdata, data=None, extra_filters=None):
        super().process(formdata, data=data, extra_filters=extra_filters)
        if formdata is not None:
            self.token = (formdata.get("captcha_token") or "")[:64]

    def new_challenge(self) -> None:
        """Issue a fresh challenge for the next render; the typed answer is dropped."""
        self.token = new_challenge()
        self.data = ""
        self.raw_data = []

    def consume(self) -> bool:
        """Verify (and use up) the submitted challenge."""
        return verify(self.token, self.data)
