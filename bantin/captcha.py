"""Self-hosted captcha: lazily stored challenges, image and audio, single-use verification.

Alphabet: the digits 2 3 4 5 6 8 9, five of them (7^5 = 16,807 codes). Digits only, because
the audio alternative must be speakable (``bantin/captcha_audio.py``, from espeak-ng voices
in ``bantin/audio``). No 0 or 1 (O, I, l) and no 7: drawn rotated and warped, a 7 reads as a
1 (a new reader got 2 of 3 wrong), so neither is used; ``CONFUSABLE`` lists the pairs the
alphabet must never hold both of, and the form says which digits are used. The image is
drawn with less rotation and overlap than the library's defaults. A guess succeeds once in
16,807 tries, each try costs a fresh challenge (single use, rate limited per IP) and the
comment guard's own limits.

What the client sees is a token: 16 random bytes, the time it was issued and a keyed MAC of
both (``<random>.<time>.<mac>``), so the server can tell its own tokens from made-up ones
without storing anything. Issuing a token (every article page with a comment form, the
refresh route) writes nothing: no database row, no session change.

The challenge row is created by the first fetch of the token's IMAGE or AUDIO
(``INSERT … ON CONFLICT DO NOTHING``; the routes are rate-limited per IP): the token, the
issue time as ``created_at`` and ``HMAC(SECRET_KEY, binding | answer)``, where the binding is
a random id kept in the browser's signed session cookie (set by that same fetch when the
session has none; it says nothing about the answer). The answer never leaves the server: it
is derived from the token with a keyed HMAC, so the image and the audio show the same code.

Verification consumes the row with one conditional UPDATE (``used_at IS NULL AND created_at >
now - 10 min``) in the caller's transaction, so a token works once across every gunicorn
worker, whether the answer was right or wrong; a token whose image was never fetched has no
row and fails. Answers are compared case-insensitively, ignoring spaces
(``normalise_answer``).

``CAPTCHA_TEST_ANSWER`` makes every challenge's answer that string, but only while
``TESTING`` is true; outside tests it is ignored. Test and benchmark clients never fetch the
image, so in that mode only, verifying a well-formed, unexpired token that has no row creates
it already used (``INSERT … ON CONFLICT DO NOTHING`` with ``used_at`` set): still single use,
still atomic across workers, and the article page still writes nothing. The session binding
protects nothing in that mode (everybody knows the answer); it still applies to challenges
whose image was fetched.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import re
import secrets
import threading
import unicodedata
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from captcha.audio import AudioCaptcha
from captcha.image import ImageCaptcha
from flask import current_app, has_request_context, session, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy.dialects import postgresql, sqlite
from wtforms import StringField
from wtforms.widgets import html_params

from bantin import captcha_audio
from bantin.clock import utcnow
from bantin.extensions import db
from bantin.models import CaptchaChallenge, RateEvent

ALPHABET = "2345689"
LENGTH = 5
# Pairs a reader (or a listener) can take for each other: the alphabet holds at most one
# of each. 7/1 is the pair readers actually confused in the drawn image.
CONFUSABLE = (
    ("0", "O"), ("0", "D"), ("0", "Q"), ("1", "I"), ("1", "l"), ("1", "7"), ("I", "l"),
    ("2", "Z"), ("5", "S"), ("6", "G"), ("6", "b"), ("8", "B"), ("9", "g"), ("9", "q"),
    ("4", "A"), ("U", "V"), ("C", "G"), ("M", "N"),
)  # fmt: skip
LIFETIME = timedelta(minutes=10)
# Used and expired rows are useless after LIFETIME; keep them an hour for diagnosis.
KEEP_ROWS = timedelta(hours=1)
# <16 random bytes>.<issue time, base-36 seconds>.<MAC, 16 bytes>: 22 + 1 + 6 + 1 + 22 = 52.
TOKEN_RE = re.compile(r"^([A-Za-z0-9_-]{22})\.([0-9a-z]{1,8})\.([A-Za-z0-9_-]{22})$")
VOICE_DIR = captcha_audio.VOICE_ROOT / "vi"
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


def bind_session() -> None:
    """Give this browser its captcha binding now (a session cookie) if it has none."""
    _binding(create=True)


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
    """The code of a token: keyed-hash bytes mapped to the alphabet without bias.

    Bytes at or above the largest multiple of len(ALPHABET) are skipped (rejection
    sampling), so every character is equally likely; 32 bytes nearly always suffice, and
    each further round hashes the previous digest.
    """
    size = len(ALPHABET)
    limit = 256 - 256 % size
    out: list[str] = []
    digest = _mac("code", token)
    while True:
        for b in digest:
            if b < limit:
                out.append(ALPHABET[b % size])
                if len(out) == LENGTH:
                    return "".join(out)
        digest = _mac("code-more", digest.hex())


def test_answer() -> str | None:
    """CAPTCHA_TEST_ANSWER, honoured only when the app runs with TESTING."""
    config = current_app.config
    if config.get("TESTING") and config.get("CAPTCHA_TEST_ANSWER"):
        return normalise_answer(str(config["CAPTCHA_TEST_ANSWER"]))
    return None


# ------------------------------------------------------------------ tokens


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if not n:
            return out


def _epoch(moment: datetime) -> int:
    return int(moment.replace(tzinfo=UTC).timestamp())


def new_token(now: datetime | None = None) -> str:
    """A fresh challenge token; nothing is stored (see the module docstring)."""
    body = f"{_b64(secrets.token_bytes(16))}.{_base36(_epoch(now or utcnow()))}"
    return f"{body}.{_b64(_mac('token', body)[:16])}"


def issued_at(token: str | None, now: datetime | None = None) -> datetime | None:
    """When the server issued this token (naive UTC, whole seconds), or None when the token
    is malformed, forged, from the future or older than the challenge's lifetime."""
    match = TOKEN_RE.match(token or "")
    if match is None:
        return None
    body = f"{match[1]}.{match[2]}"
    if not hmac.compare_digest(match[3], _b64(_mac("token", body)[:16])):
        return None
    issued = datetime.fromtimestamp(int(match[2], 36), UTC).replace(tzinfo=None)
    now = now or utcnow()
    # One second of slack: the issue time is truncated to whole seconds.
    if not now - LIFETIME < issued <= now + timedelta(seconds=1):
        return None
    return issued


# ------------------------------------------------------------------ challenges


# Statements built once (a comment post runs them; building them each time cost more than
# running them), on the table rather than the mapped class: plain Core, no ORM bookkeeping.
_table = CaptchaChallenge.__table__
_CLAIM = (
    sa.update(_table)
    .where(
        _table.c.token == sa.bindparam("b_token"),
        _table.c.used_at.is_(None),
        _table.c.created_at > sa.bindparam("cutoff", type_=sa.DateTime()),
    )
    .values(used_at=sa.bindparam("now", type_=sa.DateTime()))
    .returning(_table.c.answer_hmac)
)
# The upsert is spelled the same in both dialects; only the construct differs. RETURNING
# says whether this INSERT stored the row (psycopg reports no rowcount for it).
_STORE = {
    dialect.__name__.rsplit(".", 1)[-1]: dialect.insert(_table)
    .values(
        token=sa.bindparam("b_token"),
        answer_hmac=sa.bindparam("mac"),
        created_at=sa.bindparam("created", type_=sa.DateTime()),
        used_at=sa.bindparam("used", type_=sa.DateTime()),
    )
    .on_conflict_do_nothing(index_elements=["token"])
    .returning(_table.c.id)
    for dialect in (sqlite, postgresql)
}
_LIVE = sa.select(_table.c.id).where(
    _table.c.token == sa.bindparam("token"),
    _table.c.used_at.is_(None),
    _table.c.created_at > sa.bindparam("cutoff", type_=sa.DateTime()),
)


def _answer_for(token: str) -> str:
    return test_answer() or _derived_answer(token)


def _store(token: str, mac: str, created: datetime, used: datetime | None = None) -> bool:
    """INSERT the challenge unless its token is stored already; True if this one did."""
    params = {"b_token": token, "mac": mac, "created": created, "used": used}
    return len(db.session.execute(_STORE[db.engine.dialect.name], params).all()) == 1


def _is_live(token: str, now: datetime) -> bool:
    params = {"token": token, "cutoff": now - LIFETIME}
    return db.session.execute(_LIVE, params).first() is not None


def activate(token: str) -> str | None:
    """The code to draw or speak; the first fetch stores the challenge (the caller commits).

    None for a made-up, expired or already used token. The row is bound to this browser's
    session (the binding is created here when the session has none) and keeps the token's
    issue time, so the ten minutes run from the page that showed it, as before.
    """
    now = utcnow()
    issued = issued_at(token, now)
    if issued is None:
        return None
    answer = _answer_for(token)
    _store(token, answer_hmac(answer, _binding(True)), issued)
    return answer if _is_live(token, now) else None


def answer_to_render(token: str) -> str | None:
    """The code of a stored, live (unused, unexpired) challenge, else None; writes nothing."""
    if issued_at(token) is None:
        return None
    return _answer_for(token) if _is_live(token, utcnow()) else None


def verify(token: str | None, answer: str | None) -> bool:
    """Consume the challenge (right or wrong answer alike) and say whether the answer fits.

    The caller commits, in the same transaction as whatever the answer lets through (the
    comment), or at once when it refuses. One UPDATE claims the row only if it is unused and
    unexpired; SQLite runs it under its write lock, so of two workers racing with the same
    token exactly one gets the row.
    """
    now = utcnow()
    issued = issued_at(token, now)
    if issued is None:
        return False
    params = {"b_token": token, "cutoff": now - LIFETIME, "now": now}
    claimed = db.session.execute(_CLAIM, params).all()
    binding = _binding(False)
    if not claimed:
        test = test_answer()
        if test is None:
            return False  # never shown (no image fetched), used, or expired
        # Test mode, the image was never fetched: store the challenge already used. A row
        # that exists (used or expired) makes the INSERT a no-op, so this is single use too.
        mac = answer_hmac(test, binding)
        if not _store(token, mac, issued, used=now):
            return False
        claimed = [(mac,)]
    if len(claimed) != 1:
        return False
    given = normalise_answer(answer)
    expected = claimed[0][0]
    return bool(given) and hmac.compare_digest(expected, answer_hmac(given, binding))


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

    Stored in the database so the limit holds across gunicorn workers; the caller commits
    (the image route stores the hit and the challenge in one transaction).
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


class _ReadableImageCaptcha(ImageCaptcha):
    """The library's image with gentler distortion: glyphs rotate ±15° (not ±30°, which
    made a 7 out of a 1 and back), overlap less and are rarely spaced apart."""

    character_rotate = (-15, 15)
    word_offset_dx = 0.1
    word_space_probability = 0.8


# Pillow font objects and the library's audio cache are not meant to be shared between
# threads (gunicorn runs gthread workers): each thread gets its own generators.
_local = threading.local()


def _image_generator() -> ImageCaptcha:
    if not hasattr(_local, "image"):
        _local.image = _ReadableImageCaptcha(width=IMAGE_SIZE[0], height=IMAGE_SIZE[1])
    return _local.image


def _test_voices() -> AudioCaptcha:
    """The library's English voices (0-9, A-Z): only test answers such as "TEST1" need them."""
    if not hasattr(_local, "audio"):
        _local.audio = AudioCaptcha()
    return _local.audio


def render_png(answer: str) -> bytes:
    buffer = io.BytesIO()
    _image_generator().generate_image(answer).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def render_wav(answer: str) -> bytes:
    """The code read aloud in the page's language (Vietnamese unless it is English).

    Real codes go through ``captcha_audio``, which remakes every word at each request.
    """
    in_english = has_request_context() and str(get_locale()) == "en"
    language = "en" if in_english else "vi"
    if captcha_audio.can_speak(answer, language):
        return captcha_audio.render(answer, language)
    library = _test_voices()
    spoken = "".join(ch for ch in answer if ch in library.choices) or "0"
    return bytes(library.generate(spoken))


# ------------------------------------------------------------------ the form field


class CaptchaWidget:
    """The image, the answer box, "Nghe mã" (audio), "Đổi mã khác" (refresh) and the token.

    Works without JavaScript: the audio is a plain link to the WAV and the refresh link
    reloads the page with a new challenge; static/js/comments.js swaps them in place.
    """

    def __call__(self, field: CaptchaField, **kwargs) -> Markup:
        token = field.token or ""
        image_url = field.image_url or url_for("public.captcha_image", token=token)
        audio_url = field.audio_url or url_for("public.captcha_audio", token=token)
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
        # Set by a cached page's blank form (holes); otherwise made from the token.
        self.image_url: str = ""
        self.audio_url: str = ""

    def process(self, formdata, data=None, extra_filters=None):
        super().process(formdata, data=data, extra_filters=extra_filters)
        if formdata is not None:
            self.token = (formdata.get("captcha_token") or "")[:64]

    @property
    def hint(self) -> str:
        """Which characters a code uses, for the form ("Mã gồm 5 chữ số, chỉ dùng ...")."""
        missing = [d for d in "0123456789" if d not in ALPHABET]
        return str(
            _l(
                "Mã gồm %(n)s chữ số, chỉ dùng các số %(digits)s (không có %(missing)s).",
                n=LENGTH,
                digits=" ".join(ALPHABET),
                missing=", ".join(missing),
            )
        )

    def new_challenge(self) -> None:
        """A fresh token for the next render (nothing stored); the typed answer is dropped."""
        self.token = new_token()
        self.data = ""
        self.raw_data = []

    def consume(self) -> bool:
        """Verify (and use up) the submitted challenge; the caller commits."""
        return verify(self.token, self.data)
