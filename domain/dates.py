"""Dates inside officers' free text ('tính đến 20/4', 'hôm qua', 'April 20'), relative to today."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from domain.text import fold_keep_offsets

# Dateparser is deliberately not used: every form we accept is a short regex, the regexes give
# exact spans (the caller cuts the date out before reading the figures), and dateparser costs
# tens of milliseconds per call on the hot path of every message.

_MONTHS_EN = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip
_MONTH_EN = "(?:" + "|".join(sorted(_MONTHS_EN, key=len, reverse=True)) + ")"

# Words that announce a date. They belong to the match, so removing the span leaves the figures.
_INTRO = (
    r"(?:(?:so\s+lieu\s+)?(?:tinh\s+)?(?:den|toi|truoc)\s+(?:het\s+)?(?:ngay\s+)?"
    r"|(?:vao\s+)?ngay\s+|hom\s+|as\s+of\s+|on\s+|by\s+)"
)
# A date number may not touch another digit, a '/' or a decimal/grouping mark followed by a digit:
# that keeps '1.234/5.678' and '13/2023/NĐ-CP' away.
_START = r"(?<![\w/.,-])"
_END = r"(?![\w/])(?![.,-]\d)"
_DAY, _MONTH = r"(?P<d>\d{1,2})", r"(?P<m>\d{1,2})"
_YEAR = r"(?P<y>\d{4}|\d{2})"

_WITH_YEAR = re.compile(
    rf"{_START}(?P<intro>{_INTRO})?{_DAY}(?P<sep>[/.-]){_MONTH}(?P=sep){_YEAR}{_END}"
)
_INTRODUCED = re.compile(rf"{_START}(?P<intro>{_INTRO}){_DAY}\s*[/-]\s*{_MONTH}{_END}")
_BARE = re.compile(rf"{_START}{_DAY}/{_MONTH}{_END}")
_WORDS_VI = re.compile(
    rf"{_START}(?P<intro>{_INTRO})?{_DAY}\s+thang\s+{_MONTH}"
    rf"(?:\s*(?:,\s*)?(?:nam\s+|/\s*){_YEAR})?{_END}"
)
_MONTH_DAY_EN = re.compile(
    rf"{_START}(?P<intro>{_INTRO})?(?P<mn>{_MONTH_EN})\.?\s+{_DAY}(?:st|nd|rd|th)?"
    rf"(?:,?\s+{_YEAR})?{_END}"
)
_DAY_MONTH_EN = re.compile(
    rf"{_START}(?P<intro>{_INTRO})?(?:the\s+)?{_DAY}(?:st|nd|rd|th)?\s+(?:of\s+)?"
    rf"(?P<mn>{_MONTH_EN})\.?(?:,?\s+{_YEAR})?{_END}"
)
_RELATIVE = re.compile(
    rf"{_START}(?P<intro>{_INTRO})?(?:ngay\s+)?"
    r"(?P<rel>hom\s+nay|hom\s+qua|hom\s+kia|today|yesterday)(?!\w)"
)
_RELATIVE_DAYS = {"hom nay": 0, "today": 0, "hom qua": 1, "yesterday": 1, "hom kia": 2}
_ANY_DIGIT = re.compile(r"\d")


@dataclass(frozen=True)
class DateMatch:
    """A date found in text; `span` indexes the original text, intro words ('tính đến') included."""

    date: date
    span: tuple[int, int]
    has_year: bool  # False for '20/4': the year was taken from today
    relative: bool = False  # 'hôm qua', 'today'


class _Found(NamedTuple):
    """A candidate date at [start, end) of the folded text."""

    start: int
    end: int
    date: date
    has_year: bool
    relative: bool


def _year(raw: str | None, today: date) -> int:
    """A written year ('2026', '26' -> 2026) or, when none is written, today's year."""
    if raw is None:
        return today.year
    return 2000 + int(raw) if len(raw) == 2 else int(raw)


def _make(day: int, month: int, year: int) -> date | None:
    """The calendar date, or None for 31/2, 45/60 and other impossible combinations."""
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _numeric(match: re.Match[str], today: date) -> date | None:
    return _make(int(match["d"]), int(match["m"]), _year(match.groupdict().get("y"), today))


def _english(match: re.Match[str], today: date) -> date | None:
    month = _MONTHS_EN[match["mn"]]
    return _make(int(match["d"]), month, _year(match.groupdict().get("y"), today))


def _relative(match: re.Match[str], today: date) -> date | None:
    key = re.sub(r"\s+", " ", match["rel"])
    return today - timedelta(days=_RELATIVE_DAYS[key])


_Reader = Callable[[re.Match[str], date], date | None]
_PATTERNS: tuple[tuple[re.Pattern[str], _Reader], ...] = (
    (_WITH_YEAR, _numeric),
    (_INTRODUCED, _numeric),
    (_WORDS_VI, _numeric),
    (_MONTH_DAY_EN, _english),
    (_DAY_MONTH_EN, _english),
    (_RELATIVE, _relative),
)


def _bare_is_date(folded: str, start: int, end: int) -> bool:
    """A lone 'd/m' is a date only after a figure ('asxh 1234/5678 20/4').

    On its own ('asxh 3/5') it is the figure itself. A '/' just before or after it means it is
    a piece of a longer figure, never a date.
    """
    before, after = folded[:start].rstrip(), folded[end:].lstrip()
    if before.endswith("/") or after.startswith("/"):
        return False
    return _ANY_DIGIT.search(before) is not None


def _candidates(folded: str, today: date, *, bare: str) -> Iterator[_Found]:
    """Every readable date in folded coordinates, overlapping allowed.

    `bare` says when a lone 'd/m' counts: "never", "after-figure" or "always".
    """
    for pattern, reader in _PATTERNS:
        for match in pattern.finditer(folded):
            found = reader(match, today)
            if found is not None:
                relative = pattern is _RELATIVE
                has_year = relative or match.groupdict().get("y") is not None
                yield _Found(match.start(), match.end(), found, has_year, relative)
    if bare == "never":
        return
    for match in _BARE.finditer(folded):
        found = _numeric(match, today)
        if found and (bare == "always" or _bare_is_date(folded, match.start(), match.end())):
            yield _Found(match.start(), match.end(), found, False, False)


def _select(candidates: Iterator[_Found]) -> list[_Found]:
    """Leftmost-longest, non-overlapping: 'ngày 20 tháng 4 năm 2026' is one date, not three."""
    chosen: list[_Found] = []
    for item in sorted(candidates, key=lambda item: (item.start, -item.end)):
        if not chosen or item.start >= chosen[-1].end:
            chosen.append(item)
    return chosen


def _to_original(item: _Found, offsets: list[int]) -> DateMatch:
    span = (offsets[item.start], offsets[item.end - 1] + 1)
    return DateMatch(date=item.date, span=span, has_year=item.has_year, relative=item.relative)


def find_dates(text: str, today: date) -> list[DateMatch]:
    """All dates in `text`, left to right, without overlaps (see find_date for the rules)."""
    folded, offsets = fold_keep_offsets(text)
    chosen = _select(_candidates(folded, today, bare="after-figure"))
    return [_to_original(item, offsets) for item in chosen]


def find_date(text: str, today: date) -> DateMatch | None:
    """The first date in an officer's message, with its span in the original text.

    `today` is the local date in Asia/Ho_Chi_Minh. A date written without a year takes today's
    year even when that lands in the future ('31/12' typed on 2 January): the caller refuses
    future dates with a message, which is clearer than silently moving to last year.
    A lone 'd/m' counts only after a figure, because 'asxh 3/5' is a figure, not 3 May.
    """
    found = find_dates(text, today)
    return found[0] if found else None


def parse_date(text: str, today: date) -> date | None:
    """A string that is only a date ('20/4', 'hôm qua', '20 April 2026'); else None.

    Here a lone 'd/m' is always a date: nothing else in the string could be the figure.
    """
    folded, _ = fold_keep_offsets(text)
    stripped = folded.strip().rstrip(".")
    offset = len(folded) - len(folded.lstrip())
    for found in _candidates(folded, today, bare="always"):
        if found.start == offset and found.end == offset + len(stripped):
            return found.date
    return None
