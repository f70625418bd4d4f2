"""Folding Vietnamese text for matching: case, diacritics, đ, spacing and punctuation."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_WORD = re.compile(r"[^\w%/.,:;\-]+", re.UNICODE)

# Characters the table has not memoised once it is this big are worked out on every call,
# so random Unicode from chat messages cannot grow it without bound.
_TABLE_LIMIT = 4096

# Characters whose stripped form keeps a combining-class mark (a few Mc musical and Indic
# signs): NFD of a whole string may reorder those against their neighbours' marks, which a
# per-character table cannot do, so texts holding one take the whole-string path.
_REORDERABLE: set[str] = set()


def _strip_char(char: str) -> str:
    """One character without its nonspacing marks; notes the ones a table cannot handle."""
    kept = "".join(c for c in unicodedata.normalize("NFD", char) if unicodedata.category(c) != "Mn")
    if any(unicodedata.combining(c) for c in kept):
        _REORDERABLE.add(char)
    return kept


class _StripTable(dict[int, str]):
    """str.translate table filled on first sight of each character: NFD per call is slow."""

    def __missing__(self, code: int) -> str:
        kept = _strip_char(chr(code))
        if len(self) < _TABLE_LIMIT:
            self[code] = kept
        return kept


_STRIP = _StripTable({ord("đ"): "d", ord("Đ"): "D"})


def _strip_whole(text: str) -> str:
    """The definition: NFD the whole text, then drop nonspacing marks; slow but exact."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def strip_diacritics(text: str) -> str:
    """'Đồng Hới' -> 'Dong Hoi': what a phone user without a Vietnamese keyboard types."""
    if text.isascii() and type(text) is str:
        return text  # no marks to drop: most calls are single ASCII characters
    stripped = text.translate(_STRIP)  # fills _REORDERABLE for any character it meets
    if _REORDERABLE and not _REORDERABLE.isdisjoint(text):
        return _strip_whole(text)
    return stripped


def _fold(text: str) -> str:
    # No NFC first: strip_diacritics decomposes anyway, and NFD(NFC(x)) == NFD(x).
    # split() and join() collapse and trim the same whitespace as re's \s+, faster.
    return " ".join(strip_diacritics(text).lower().split())


# Names and words are folded over and over (sort keys, catalogue lookups); long messages
# are not worth keeping.
_fold_short = lru_cache(maxsize=4096)(_fold)
_CACHED_LENGTH = 64


def fold(text: str) -> str:
    """Lower-case, diacritics-free, single-spaced form used for every name comparison."""
    return _fold_short(text) if len(text) <= _CACHED_LENGTH else _fold(text)


def fold_words(text: str) -> str:
    """fold() with punctuation other than number separators turned into spaces."""
    return " ".join(_NON_WORD.sub(" ", fold(text)).split())
