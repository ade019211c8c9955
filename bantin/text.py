"""Vietnamese text helpers: NFC normalisation, slugs and diacritic folding."""

import re
import unicodedata

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
