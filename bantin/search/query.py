"""Query parsing: a reader's text made into safe FTS5 MATCH expressions.

Query words are folded the way the index folds its text (bantin.search.index): đ/Đ ->
d/D here, every other mark by the tokenizer. Every FTS5 operator is gone: each word is
quoted, and the words are ANDed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from bantin.text import fold, nfc

MAX_QUERY_LENGTH = 200
MAX_TERMS = 16

WORD = re.compile(r"[^\W_]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
# Vietnamese tone marks (grave, acute, tilde, hook above, dot below) in decomposed form.
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
_VOWELS = set("aeiouy")


# ---------------------------------------------------------------- folding


class _FoldTable(dict):
    """str.translate table built lazily from bantin.text.fold, one character at a time.

    Folding character by character equals fold() on the whole string (fold removes every
    combining mark, so nothing can recompose).
    """

    def __missing__(self, codepoint: int) -> str:
        value = fold(chr(codepoint))
        self[codepoint] = value
        return value


_FOLD = _FoldTable()


def fast_fold(value: str) -> str:
    return value.translate(_FOLD)


def fold_d(value: str) -> str:
    """The one fold the tokenizer cannot do: đ/Đ -> d/D (it folds every other mark)."""
    return value.replace("đ", "d").replace("Đ", "D")


# ---------------------------------------------------------------- queries


@dataclass
class SearchQuery:
    """A reader's query made safe: words only, every FTS5 operator gone."""

    raw: str
    text: str = ""
    terms: list[str] = field(default_factory=list)  # NFC lowercase words, in order
    problem: str | None = None  # "empty", "too_long" or "no_words"

    @property
    def folded_terms(self) -> list[str]:
        return _unique(fast_fold(t) for t in self.terms)

    @property
    def ok(self) -> bool:
        return self.problem is None

    def folded_match(self) -> str:
        """Every word, quoted (FTS5 reads each as a literal string), ANDed; for the folded
        table, whose tokenizer folds them as it folded the text (after đ -> d here)."""
        words = {fast_fold(t): fold_d(t) for t in reversed(self.terms)}
        return " ".join(_quote(words[f]) for f in self.folded_terms)

    def exact_match(self) -> str | None:
        """Words typed with diacritics, each in any tone placement (hoà/hòa), ANDed."""
        groups = [_variants_group(t) for t in self.terms if fast_fold(t) != t]
        return " AND ".join(groups) or None

    def typed_match(self) -> str | None:
        """The query as typed, for the exact tier: words with marks in any tone placement,
        the other words as they are; None when no word has marks."""
        if self.exact_match() is None:
            return None
        return " AND ".join(
            _variants_group(t) if fast_fold(t) != t else _quote(t) for t in self.terms
        )


def _variants_group(term: str) -> str:
    return "(" + " OR ".join(_quote(v) for v in tone_variants(term)) + ")"


def _unique(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        if item:
            seen.setdefault(item, None)
    return list(seen)


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def parse_query(raw: str | None) -> SearchQuery:
    """Turn any input into a SearchQuery; never raises."""
    raw = raw or ""
    # NUL and other control characters become spaces before anything else looks at them.
    text = " ".join(_CONTROL.sub(" ", nfc(raw)).split())
    query = SearchQuery(raw=raw, text=text)
    if not text:
        query.problem = "empty"
    elif len(text) > MAX_QUERY_LENGTH:
        query.problem = "too_long"
    else:
        query.terms = _unique(m.group(0).lower() for m in WORD.finditer(text))[:MAX_TERMS]
        if not query.folded_terms:
            query.problem = "no_words"
    return query


def tone_variants(word: str) -> list[str]:
    """The word with its tone mark on each vowel: old and new placement both match."""
    decomposed = unicodedata.normalize("NFD", word)
    tones = [ch for ch in decomposed if ch in _TONES]
    if len(tones) != 1:
        return [word]
    tone = tones[0]
    bare = [ch for ch in decomposed if ch != tone]
    variants = [word]
    for i, ch in enumerate(bare):
        if ch in _VOWELS:
            # Put the tone after the vowel and its own marks (circumflex, breve, horn).
            j = i + 1
            while j < len(bare) and unicodedata.combining(bare[j]):
                j += 1
            candidate = unicodedata.normalize("NFC", "".join(bare[:j] + [tone] + bare[j:]))
            if candidate not in variants:
                variants.append(candidate)
    return variants
