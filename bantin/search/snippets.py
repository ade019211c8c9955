"""Snippets: query words highlighted in titles and in a bounded window of the text.

Snippets are cut from a bounded prefix of the text by one regular expression.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from functools import lru_cache
from itertools import islice

from markupsafe import Markup, escape

from bantin.search.query import WORD, fast_fold
from bantin.text import fold

SNIPPET_WORDS = 36
# Snippets look for the query words in this much of lead + body, no further.
SNIPPET_SCAN_CHARS = 20_000


def highlight(text: str, terms: Iterable[str]) -> Markup:
    """Escape the text; wrap words whose folded form is a query word in <mark>."""
    terms = terms if isinstance(terms, set | frozenset) else set(terms)
    out: list[str] = []
    pos = 0
    for match in WORD.finditer(text):
        if fast_fold(match.group(0)) in terms:
            out.append(str(escape(text[pos : match.start()])))
            out.append(f"<mark>{escape(match.group(0))}</mark>")
            pos = match.end()
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


@lru_cache(maxsize=1)
def _letter_classes() -> dict[str, str]:
    """folded letter -> every Latin letter (with or without marks) that folds to it."""
    classes: dict[str, set[str]] = {}
    for codepoint in (*range(0x41, 0x5B), *range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        char = chr(codepoint)
        folded = fold(char)
        if len(folded) == 1 and folded != char:
            classes.setdefault(folded, {folded}).add(char)
    return {k: "".join(sorted(v)) for k, v in classes.items()}


@lru_cache(maxsize=256)
def _finder(terms: tuple[str, ...]) -> re.Pattern[str]:
    """The written forms of the folded query words, as whole words; group i+1 = terms[i]."""
    classes = _letter_classes()
    groups = []
    for term in terms:
        parts = (f"[{re.escape(classes[ch])}]" if ch in classes else re.escape(ch) for ch in term)
        groups.append("(" + "".join(parts) + ")")
    return re.compile(r"(?<![^\W_])(?:" + "|".join(groups) + r")(?![^\W_])")


def _word_starts(text: str, start: int, end: int) -> list[int]:
    """Starts of the whole words in text[start:end] (a word cut at `start` is skipped)."""
    starts = [m.start() for m in WORD.finditer(text, start, end)]
    if starts and starts[0] == start and start > 0 and WORD.match(text, start - 1):
        starts.pop(0)
    return starts


def _anchor(text: str, terms: tuple[str, ...], reach: int) -> int:
    """Where the first run of `reach` characters with the most distinct query words starts
    (0 when none is in the text). One lazy regular-expression scan that stops at the first
    run with every word, or after 64 matches."""
    window: deque[tuple[int, int]] = deque()
    counts: dict[int, int] = {}
    anchor, best = 0, 0
    for match in islice(_finder(terms).finditer(text), 64):
        pos, group = match.start(), match.lastindex
        window.append((pos, group))
        counts[group] = counts.get(group, 0) + 1
        while pos - window[0][0] > reach:
            _, old = window.popleft()
            counts[old] -= 1
            if not counts[old]:
                del counts[old]
        if len(counts) > best:
            anchor, best = window[0][0], len(counts)
            if best == len(terms):
                break
    return anchor


def snippet(text: str, terms: Iterable[str], words: int = SNIPPET_WORDS) -> Markup:
    """About `words` words of the text around the query words, highlighted.

    The window starts a quarter of its length before the first place with the most
    distinct query words close together; only the window is split into words.
    """
    terms = tuple(sorted(set(terms)))
    if not terms or not WORD.search(text):
        return Markup("")
    anchor = _anchor(text, terms, reach=words * 8)  # ~8 characters a Vietnamese word
    lead_in = words // 4
    before = _word_starts(text, max(0, anchor - lead_in * 16), anchor)
    if lead_in and len(before) >= lead_in:
        start = before[-lead_in]
    elif not lead_in:
        start = anchor
    else:
        start = 0 if anchor <= lead_in * 16 else (before[0] if before else anchor)
    after = [m.span() for m in islice(WORD.finditer(text, start), words + 1)]
    if len(after) < words and start > 0:
        # Near the end of the text: take the missing words from before the window.
        back = _word_starts(text, max(0, start - words * 16), start)
        missing = words - len(after)
        if back:
            start = back[-missing] if len(back) >= missing else back[0]
        after = [m.span() for m in islice(WORD.finditer(text, start), words + 1)]
    more = len(after) > words
    end = after[min(words, len(after)) - 1][1]
    has_before = WORD.search(text, 0, after[0][0]) is not None
    piece = text[after[0][0] if has_before else 0 : end if more else None]
    html = highlight(piece, set(terms))
    return Markup("… " if has_before else "") + html + Markup(" …" if more else "")
