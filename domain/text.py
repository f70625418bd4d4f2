"""Folding Vietnamese text for matching: case, diacritics, đ, spacing and punctuation."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_WORD = re.compile(r"[^\w%/.,:;\-]+", re.UNICODE)

# Names, words and single characters are folded over and over (sort keys, catalogue lookups,
# the date scanner's per-character pass); long messages are not worth keeping.
_CACHED_LENGTH = 64


def _strip(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


_strip_short = lru_cache(maxsize=4096)(_strip)


def strip_diacritics(text: str) -> str:
    """'Đồng Hới' -> 'Dong Hoi': what a phone user without a Vietnamese keyboard types."""
    if text.isascii():
        return str(text)  # no marks to drop (str(): a StrEnum comes back a plain str)
    return _strip_short(text) if len(text) <= _CACHED_LENGTH else _strip(text)


def _fold(text: str) -> str:
    # No NFC first: strip_diacritics decomposes anyway, and NFD(NFC(x)) == NFD(x).
    # split() and join() collapse and trim the same whitespace as re's \s+, faster.
    return " ".join(strip_diacritics(text).lower().split())


_fold_short = lru_cache(maxsize=4096)(_fold)


def fold(text: str) -> str:
    """Lower-case, diacritics-free, single-spaced form used for every name comparison."""
    return _fold_short(text) if len(text) <= _CACHED_LENGTH else _fold(text)


def fold_words(text: str) -> str:
    """fold() with punctuation other than number separators turned into spaces."""
    return " ".join(_NON_WORD.sub(" ", fold(text)).split())
