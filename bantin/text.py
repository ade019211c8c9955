"""Text helpers: NFC normalisation, slugs, diacritic folding, emails and local paths."""

import re
import unicodedata
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from slugify import slugify as _slugify

_SPACES = re.compile(r"\s+")


def nfc(value: str | None) -> str:
    """Composed form: Vietnamese keyboards send both composed and decomposed text."""
    return unicodedata.normalize("NFC", value or "")


def clean_line(value: str | None) -> str:
    """NFC with runs of whitespace collapsed and the ends trimmed (titles, names)."""
    return _SPACES.sub(" ", nfc(value)).strip()


def slugify(value: str, max_length: int = 120) -> str:
    """ASCII slug: "Công tác dân vận" -> "cong-tac-dan-van" (đ folds to d)."""
    slug = _slugify(
        nfc(value).replace("đ", "d").replace("Đ", "D"),
        max_length=max_length,
        word_boundary=True,
        save_order=True,
    )
    return slug or "bai-viet"


def fold(value: str | None) -> str:
    """Lowercase with every mark removed and đ -> d, for diacritic-insensitive search."""
    decomposed = unicodedata.normalize("NFD", (value or "").replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", stripped).lower()


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_chars(value: str) -> bool:
    """True for NUL and other control characters except tab, newline and carriage return."""
    return bool(_CONTROL.search(value or ""))


def normalise_email(value: str | None) -> str:
    """A checked address in one spelling: NFC, trimmed, lower-cased (no DNS look-ups).

    Raises ValueError with the reason when it is not an address. Users, settings and
    comments store emails in this form, so lookups and comparisons are exact.
    """
    try:
        info = validate_email(nfc(value).strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from exc
    return info.normalized.lower()


def safe_local_path(target: str | None) -> str | None:
    """`target` if it is a path on this site ("/…"), else None: where to go after signing
    in or switching the language.

    Browsers drop tabs and newlines, read a backslash as a slash and skip leading spaces,
    turning "/<tab>/x" or "/<backslash>x" into "//x", another host. Anything that such
    normalisation could change is refused outright (control characters, any whitespace,
    backslashes); then only "/path" passes (not "//host", no scheme, no host).
    """
    if not target or len(target) > 2000:
        return None
    if has_control_chars(target) or any(ch.isspace() for ch in target) or "\\" in target:
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
