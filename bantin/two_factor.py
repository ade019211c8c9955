"""Two-factor sign-in for staff: TOTP codes (RFC 6238, the phone's authenticator app) and
single-use recovery codes.

A secret is stored on the user when setup starts and counts only once a code from it has been
confirmed (``totp_enabled_at``). A code is accepted for the current 30-second step or the one
before or after (clocks drift), and never for a step at or before the last accepted one: a code
seen over someone's shoulder, or sent twice, does not work again. Both checks and their writes
are single conditional UPDATEs, so two requests racing with the same code cannot both win.

No request is read here: the callers (blueprints/auth, the editor's profile) hold the session,
the rate limit (bantin.login_guard) and the audit.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

import click
import pyotp
import segno
import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.orm.attributes import set_committed_value

from bantin import audit
from bantin.clock import utcnow
from bantin.extensions import db
from bantin.models import RecoveryCode, User
from bantin.text import normalise_email

STEP_SECONDS = 30
DIGITS = 6
WINDOW = 1  # steps accepted either side of now
RECOVERY_CODE_COUNT = 10
# No 0/o, 1/l/i: codes are read off paper and typed by hand.
_RECOVERY_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
_RECOVERY_HALF = 5


def new_secret() -> str:
    """A random base32 secret of 160 bits (RFC 4226's recommended length)."""
    return pyotp.random_base32(32)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """The otpauth:// URI the QR code carries: the app shows "issuer (account)"."""
    issuer = issuer.replace(":", " ").strip() or "Bantin"
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def qr_svg(uri: str, title: str) -> Markup:
    """The QR code as inline SVG (drawn here: no image request, no third party)."""
    qr = segno.make(uri, error="m")
    # A viewBox, no fixed size: the stylesheet sizes it and it scales without cropping.
    svg = qr.svg_inline(
        scale=4, border=4, dark="#000", light="#fff", title=title, svgclass="qr", omitsize=True
    )
    return Markup(svg)


def _step(now: datetime) -> int:
    return int(now.replace(tzinfo=UTC).timestamp()) // STEP_SECONDS


def clean_code(code: str | None) -> str:
    """What was typed, without spaces and hyphens, lower case."""
    return "".join(ch for ch in (code or "") if not ch.isspace() and ch != "-").lower()


def is_totp_code(code: str | None) -> bool:
    cleaned = clean_code(code)
    return len(cleaned) == DIGITS and cleaned.isascii() and cleaned.isdigit()


def code_at(secret: str, step: int) -> str:
    """The code of one time-step (tests and the browser journey compute codes with this)."""
    return pyotp.TOTP(secret).at(step * STEP_SECONDS)


def matching_step(secret: str, code: str, now: datetime, after: int | None) -> int | None:
    """The step within the window whose code is ``code`` and that comes after ``after``."""
    if not is_totp_code(code):
        return None
    code = clean_code(code)
    current = _step(now)
    found = None
    for step in range(current - WINDOW, current + WINDOW + 1):
        # Compare every candidate: the time taken does not depend on which one matched.
        if hmac.compare_digest(code_at(secret, step), code) and (after is None or step > after):
            found = step
    return found


def accept_code(user: User, code: str, now: datetime | None = None) -> bool:
    """Accept a TOTP code of an enabled user once: records its step (the caller commits).

    The step is stored by one conditional UPDATE: of two requests with the same code, only
    the first to write succeeds."""
    if not user.two_factor_enabled:
        return False
    step = matching_step(user.totp_secret or "", code, now or utcnow(), user.totp_last_step)
    if step is None:
        return False
    return _claim_step(user, step)


def _claim_step(user: User, step: int) -> bool:
    table = User.__table__
    result = db.session.execute(
        sa.update(table)
        .where(
            table.c.id == user.id,
            sa.or_(table.c.totp_last_step.is_(None), table.c.totp_last_step < step),
        )
        .values(totp_last_step=step)
    )
    if result.rowcount != 1:
        return False
    # Keep the loaded object in step without a reload (and without marking it dirty).
    set_committed_value(user, "totp_last_step", step)
    return True


# ------------------------------------------------------------------ setup and removal


def begin_setup(user: User) -> str:
    """Store a new, not yet enabled secret (any earlier unconfirmed one is replaced)."""
    if user.two_factor_enabled:
        raise ValueError("two-factor is already on")
    user.totp_secret = new_secret()
    user.totp_enabled_at = None
    user.totp_last_step = None
    return user.totp_secret


def pending_secret(user: User) -> str | None:
    """The secret waiting for its first code, if setup has started."""
    if user.two_factor_enabled or not user.totp_secret:
        return None
    return user.totp_secret


def confirm_setup(user: User, code: str, now: datetime | None = None) -> list[str] | None:
    """Turn two-factor on when ``code`` comes from the pending secret; the new recovery codes
    (to show once), or None. The caller commits."""
    secret = pending_secret(user)
    if secret is None:
        return None
    now = now or utcnow()
    step = matching_step(secret, code, now, None)
    if step is None:
        return None
    user.totp_enabled_at = now
    user.totp_last_step = step  # the code that confirmed setup does not also sign in
    return new_recovery_codes(user)


def disable(user: User) -> None:
    """Turn two-factor off: the secret and every recovery code go (the caller commits)."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


# ------------------------------------------------------------------ recovery codes


def _hash(code: str) -> str:
    return hashlib.sha256(clean_code(code).encode("ascii", "replace")).hexdigest()


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(2 * _RECOVERY_HALF))
    return f"{raw[:_RECOVERY_HALF]}-{raw[_RECOVERY_HALF:]}"


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with ten new ones; returned once, stored hashed."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes: list[str] = []
    while len(codes) < RECOVERY_CODE_COUNT:
        code = _new_recovery_code()
        if code not in codes:
            codes.append(code)
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_hash(code)) for code in codes)
    return codes


def use_recovery_code(user: User, code: str, now: datetime | None = None) -> bool:
    """Spend one unused recovery code (one conditional UPDATE); the caller commits."""
    cleaned = clean_code(code)
    if not user.two_factor_enabled or len(cleaned) != 2 * _RECOVERY_HALF:
        return False
    table = RecoveryCode.__table__
    result = db.session.execute(
        sa.update(table)
        .where(
            table.c.user_id == user.id,
            table.c.code_hash == _hash(cleaned),
            table.c.used_at.is_(None),
        )
        .values(used_at=now or utcnow())
    )
    return result.rowcount == 1


def recovery_codes_left(user: User) -> int:
    stmt = sa.select(sa.func.count(RecoveryCode.id)).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
    )
    return db.session.scalar(stmt) or 0


def verify(user: User, code: str, now: datetime | None = None) -> str | None:
    """Check a second-step answer: "totp" or "recovery" for the kind accepted, None when
    neither accepts it. The caller commits (the step or the used code is recorded)."""
    if is_totp_code(code):
        return "totp" if accept_code(user, code, now) else None
    return "recovery" if use_recovery_code(user, code, now) else None


# ------------------------------------------------------------------ the operator's reset


@click.command("two-factor-reset")
@click.argument("email")
def reset_command(email: str) -> None:
    """Turn off two-factor for EMAIL (the phone and the recovery codes are lost, and no other
    admin can do it on the users page); the user's sessions end."""
    try:
        email = normalise_email(email)
    except ValueError as exc:
        raise click.ClickException(f"Not an email address: {email}") from exc
    user = db.session.scalar(sa.select(User).where(User.email == email))
    if user is None:
        raise click.ClickException(f"No user with the email {email}.")
    if not user.two_factor_enabled and not user.totp_secret:
        click.echo(f"Two-factor is not on for {email}; nothing changed.")
        return
    disable(user)
    user.revoke_sessions()
    audit.record(
        "two_factor.reset", "user", user.id, "command line", actor="flask two-factor-reset"
    )
    db.session.commit()
    click.echo(f"Two-factor turned off for {email}; their sessions have ended.")
