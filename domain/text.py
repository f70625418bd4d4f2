"""Folding Vietnamese text for matching: case, diacritics, đ, spacing and punctuation."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
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


class _CharFolds(dict[int, str]):
    """Code point -> its folded text, worked out on first sight: str.translate folds a whole
    message in C, where a loop over its characters cost most of parsing a question (~0.1 ms).
    Past _TABLE_LIMIT characters (a flood of rare ones) new ones are folded, not kept."""

    def __init__(self, fold_char: Callable[[str], str]) -> None:
        super().__init__()
        self.fold_char = fold_char
        self.odd: set[str] = set()  # characters whose fold is not exactly one character

    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = self.fold_char(char)
        if len(folded) != 1:
            self.odd.add(char)  # always: a few thousand marks and ligatures at most
        if len(self) < _TABLE_LIMIT:
            self[code] = folded
        return folded


_TABLE_LIMIT = 20_000


def _same_length(char: str) -> str:
    if unicodedata.combining(char):
        return " "  # a stray combining mark (callers pass NFC text)
    folded = strip_diacritics(char).lower()
    return folded[0] if folded else char


def _with_offsets(char: str) -> str:
    return " " if char.isspace() else strip_diacritics(char.lower())


_SAME_LENGTH = _CharFolds(_same_length)
_WITH_OFFSETS = _CharFolds(_with_offsets)


def fold_same_length(text: str) -> str:
    """Fold character by character so spans in the folded text are spans in the original.

    Callers pass NFC text (Telegram sends NFC); a stray combining mark folds to a space.
    """
    return text.translate(_SAME_LENGTH)


def fold_keep_offsets(text: str) -> tuple[str, list[int]]:
    """Lower-case, diacritics-free text plus, for each folded character, its index in `text`.

    fold() collapses spaces, which would shift the spans we hand back.
    """
    folded = text.translate(_WITH_OFFSETS)
    if len(folded) == len(text) and _WITH_OFFSETS.odd.isdisjoint(text):
        return folded, list(range(len(text)))  # one character for one: the usual message
    offsets: list[int] = []
    for index, char in enumerate(text):
        offsets.extend([index] * len(_WITH_OFFSETS[ord(char)]))
    return folded, offsets
