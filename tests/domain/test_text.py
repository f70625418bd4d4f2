"""Folding text: the caches, the ASCII shortcut and the translate tables give exactly what
the plain code gave."""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

import domain.text
from domain.text import fold, fold_keep_offsets, fold_same_length, fold_words, strip_diacritics

# The implementation before the caches.

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^\w%/.,:;\-]+", re.UNICODE)


def _strip_diacritics_old(text: str) -> str:
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")


def _fold_old(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    return _SPACES.sub(" ", _strip_diacritics_old(text).lower()).strip()


def _fold_words_old(text: str) -> str:
    return _SPACES.sub(" ", _NON_WORD.sub(" ", _fold_old(text))).strip()


def _fold_same_length_old(text: str) -> str:
    out = []
    for ch in text:
        if unicodedata.combining(ch):
            out.append(" ")
            continue
        folded = _strip_diacritics_old(ch).lower()
        out.append(folded[0] if len(folded) >= 1 else ch)
    return "".join(out)


def _fold_keep_offsets_old(text: str) -> tuple[str, list[int]]:
    chars: list[str] = []
    offsets: list[int] = []
    for index, char in enumerate(text):
        folded = " " if char.isspace() else _strip_diacritics_old(char.lower())
        chars.append(folded)
        offsets.extend([index] * len(folded))
    return "".join(chars), offsets


_VIETNAMESE = "aàáảãạăằắẳẵặâầấẩẫậeèéẻẽẹêềếểễệiìíỉĩịoòóỏõọôồốổỗộơờớởỡợuùúủũụưừứửữựyỳýỷỹỵđ"
# Mc signs with a combining class: whole-string NFD reorders them.
_REORDERABLE = "\u1715\u1b44\u302e\U0001d165\U0001d166\U0001d16d\U0001d16e\U0001d15f\U0001d1bb"
_CHARS = st.one_of(
    st.sampled_from(_VIETNAMESE + _VIETNAMESE.upper() + "Đ"),
    st.characters(min_codepoint=0x300, max_codepoint=0x36F),  # combining marks
    st.sampled_from(_REORDERABLE),
    st.sampled_from(" \t\n\u00a0\u2003\u3000\x1c%/.,:;-_?!()"),
    st.characters(codec="ascii"),
    st.characters(categories=None),  # anything, lone surrogates included
)
_TEXTS = st.text(_CHARS, max_size=100) | st.text()


@given(_TEXTS)
@example("Đồng Hới")
@example("\U0001d16d\U0001d165")  # NFD swaps these two
@example("x\U0001d165\u0301\U0001d16d")
@example("Quảng  Trị\u00a0")
@example("İstanbul")  # lower() adds a combining dot after stripping: it must stay
def test_folding_matches_whole_string_nfd(text: str) -> None:
    assert strip_diacritics(text) == _strip_diacritics_old(text)
    assert fold(text) == _fold_old(text)
    assert fold(text) == _fold_old(text)  # again, from the cache
    assert fold_words(text) == _fold_words_old(text)


@given(st.text(_CHARS, min_size=60, max_size=80))
def test_long_and_short_texts_fold_alike(text: str) -> None:
    assert fold(text) == _fold_old(text)


def test_reorderable_marks_keep_whole_string_order() -> None:
    assert strip_diacritics("\U0001d16d\U0001d165") == "\U0001d165\U0001d16d"
    assert strip_diacritics("x" * 70 + "ồ") == "x" * 70 + "o"  # past the cached length


class _Kind(StrEnum):
    PLAIN = "plain"


def test_results_are_plain_strings() -> None:
    assert type(strip_diacritics(_Kind.PLAIN)) is str
    assert type(fold(_Kind.PLAIN)) is str


@given(_TEXTS)
@example("Vĩnh Thủy sổ sức khỏe 2345/4000")
@example("x\u0301y")  # a stray combining mark: a space, and no folded character
@example("İ\u0130ß")  # folds to two characters
@example("a\u034fb")  # not combining, yet folds to nothing: kept as it is
def test_character_folds_match_the_loops(text: str) -> None:
    assert fold_same_length(text) == _fold_same_length_old(text)
    assert fold_keep_offsets(text) == _fold_keep_offsets_old(text)


def test_characters_past_the_table_limit_fold_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(domain.text, "_TABLE_LIMIT", 0)  # nothing is kept
    for table in ("_SAME_LENGTH", "_WITH_OFFSETS"):
        fresh = domain.text._CharFolds(getattr(domain.text, table).fold_char)
        monkeypatch.setattr(domain.text, table, fresh)
    # two stray marks fold to nothing and 한 to three jamo: as long as the text, yet not one
    # character for one
    for text in ("\u0301\u0301한", "Ꙃ\u0301ǅ", "İ ꙃ  \u2003Ǆ"):
        assert fold_same_length(text) == _fold_same_length_old(text)
        assert fold_keep_offsets(text) == _fold_keep_offsets_old(text)
    assert len(domain.text._SAME_LENGTH) == len(domain.text._WITH_OFFSETS) == 0  # none kept
