"""Folding Vietnamese text for matching: case, diacritics, đ, spacing and punctuation."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w%/.,:;\-]+", re.UNICODE)


def strip_diacritics(text: str) -> str:
    """'Đồng Hới' -> 'Dong Hoi': what a phone user without a Vietnamese keyboard types."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def fold(text: str) -> str:
    """Lower-case, diacritics-free, single-spaced form used for every name comparison."""
    text = unicodedata.normalize("NFC", text)
    return _SPACES.sub(" ", strip_diacritics(text).lower()).strip()


def fold_words(text: str) -> str:
    """fold() with punctuation other than number separators turned into spaces."""
    return _SPACES.sub(" ", _NON_WORD.sub(" ", fold(text))).strip()
