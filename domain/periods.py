"""Deadlines in plan cells ('trong Quý II/2026') and periods in questions ('tháng trước')."""

from __future__ import annotations

import calendar
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from domain.dates import find_dates
from domain.numbers import format_date
from domain.text import fold_keep_offsets

ROMAN = ("I", "II", "III", "IV")
_ROMAN_VALUE = {"i": 1, "ii": 2, "iii": 3, "iv": 4}

_S = r"(?<![\w/])"  # a phrase starts on a word boundary and never inside a figure like 12/2026
_E = r"(?![\w/])"
_Q = r"(?P<q>iv|i{1,3}|[1-4])"
_Y = r"(?P<y>\d{4})"
_YEAR_TAIL = rf"(?:\s*(?:/|-|,?\s*nam\s+)\s*{_Y})"  # '/2026', '-2026', ' năm 2026'
_PRE = r"(?:(?P<pre>het|cuoi|trong|dau|giua)\s+)?"

# -- calendar helpers --------------------------------------------------------------------------


def quarter_of(d: date) -> int:
    """1..4."""
    return (d.month - 1) // 3 + 1


def quarter_start(year: int, quarter: int) -> date:
    return date(year, 3 * quarter - 2, 1)


def quarter_end(year: int, quarter: int) -> date:
    """quarter_end(2027, 1) == date(2027, 3, 31)."""
    return month_end(year, 3 * quarter)


def month_end(year: int, month: int) -> date:
    """month_end(2026, 2) == date(2026, 2, 28)."""
    return date(year, month, calendar.monthrange(year, month)[1])


def _quarter_number(raw: str) -> int:
    return int(raw) if raw.isdigit() else _ROMAN_VALUE[raw]


# -- due dates in plans ------------------------------------------------------------------------

DueKind = Literal["date", "recurring", "unknown"]


@dataclass(frozen=True)
class Due:
    """What a plan's 'thời hạn' cell says.

    `due_date` is the latest deadline in the cell; `steps` lists every deadline found, in the
    order written, with the clause it belongs to, so a multi-step task can be followed up step
    by step. `reason` explains an "unknown" kind.
    """

    kind: DueKind
    due_date: date | None
    text: str
    reason: str | None = None
    steps: tuple[tuple[str, date], ...] = ()


@dataclass(frozen=True)
class _Hit:
    """A deadline phrase at [start, end) of the folded text; `due` None means vague or yearless."""

    start: int
    end: int
    due: date | None
    problem: str | None = None


_DUE_QUARTER = re.compile(rf"{_S}{_PRE}quy\s+{_Q}{_YEAR_TAIL}?{_E}")
_DUE_MONTH = re.compile(rf"{_S}{_PRE}thang\s+(?P<m>\d{{1,2}}){_YEAR_TAIL}?{_E}")
_DUE_HALF = re.compile(rf"{_S}(?:6\s+thang|nua)\s+(?P<half>dau|cuoi)\s+nam(?:\s+{_Y})?{_E}")
_DUE_YEAR = re.compile(
    rf"{_S}(?:{_PRE}nam|giai\s+doan)\s+{_Y}(?:\s*[-–]\s*(?P<y2>\d{{4}}))?{_E}"
    rf"|{_S}(?P<pre_only>het|cuoi|trong)\s+nam(?:\s+nay)?(?!\s*\d){_E}"
)
_RECURRING = re.compile(
    r"(?<!\w)(?:thuong\s+xuyen|(?:hang|moi)\s+(?:ngay|tuan|thang|quy|nam)|dinh\s+ky|lien\s+tuc)"
)
_VAGUE = re.compile(
    r"(?<!\w)(?:som\s+nhat\s+co\s+the|theo\s+(?:thoi\s+han|tien\s+do)\s+yeu\s+cau"
    r"|ngay\s+khi|khi\s+co\s+(?:chi\s+dao|huong\s+dan|yeu\s+cau))"
)
# 'Kế hoạch số 1199/KH-UBND ngày 25/5/2026': an issue date of a document, not a deadline.
_DOCUMENT_BEFORE = re.compile(r"\d+/[a-z][\w.-]*\s*$")
_CLAUSE_BREAK = re.compile(r"[.;!?](?=\s)|\n")
_NO_YEAR = "a deadline without a year, and no year_hint"
_VAGUE_PART = "only a vague time of the period ('đầu', 'giữa')"


def _year_or_hint(raw: str | None, year_hint: int | None) -> int | None:
    return int(raw) if raw else year_hint


def _vague_prefix(match: re.Match[str]) -> bool:
    """'đầu tháng 5', 'giữa năm 2026': a part of the period we cannot pin to a day."""
    return match.groupdict().get("pre") in ("dau", "giua")


def _quarter_hit(match: re.Match[str], year_hint: int | None) -> _Hit:
    year = _year_or_hint(match["y"], year_hint)
    if _vague_prefix(match):
        return _Hit(match.start(), match.end(), None, _VAGUE_PART)
    if year is None:
        return _Hit(match.start(), match.end(), None, _NO_YEAR)
    return _Hit(match.start(), match.end(), quarter_end(year, _quarter_number(match["q"])))


def _month_hit(match: re.Match[str], year_hint: int | None) -> _Hit:
    year, month = _year_or_hint(match["y"], year_hint), int(match["m"])
    if _vague_prefix(match) or not 1 <= month <= 12:
        return _Hit(match.start(), match.end(), None, _VAGUE_PART)
    if year is None:
        return _Hit(match.start(), match.end(), None, _NO_YEAR)
    return _Hit(match.start(), match.end(), month_end(year, month))


def _half_hit(match: re.Match[str], year_hint: int | None) -> _Hit:
    year = _year_or_hint(match["y"], year_hint)
    if year is None:
        return _Hit(match.start(), match.end(), None, _NO_YEAR)
    month = 6 if match["half"] == "dau" else 12
    return _Hit(match.start(), match.end(), month_end(year, month))


def _year_hit(match: re.Match[str], year_hint: int | None) -> _Hit:
    if _vague_prefix(match):
        return _Hit(match.start(), match.end(), None, _VAGUE_PART)
    # 'giai đoạn 2026-2030' runs to the end of its last year.
    year = _year_or_hint(match["y2"] or match["y"], year_hint)
    if year is None:
        return _Hit(match.start(), match.end(), None, _NO_YEAR)
    return _Hit(match.start(), match.end(), date(year, 12, 31))


_HitReader = Callable[[re.Match[str], int | None], _Hit]
_DUE_PATTERNS: tuple[tuple[re.Pattern[str], _HitReader], ...] = (
    (_DUE_QUARTER, _quarter_hit),
    (_DUE_MONTH, _month_hit),
    (_DUE_HALF, _half_hit),
    (_DUE_YEAR, _year_hit),
)


def _date_hits(text: str, folded: str, offsets: list[int], year_hint: int | None) -> Iterator[_Hit]:
    """Explicit dates. 'trước ngày 10/5/2026' gives 10/5/2026 itself, not the 9th: the plans mean
    'by 10/5' and a reminder a day early would read as a mistake to the officers."""
    # A leap year stands in for a missing hint so 29/2 still parses; yearless hits are dropped.
    placeholder = date(year_hint or 2000, 1, 1)
    for found in find_dates(text, placeholder):
        start, end = _folded_span(found.span, offsets)
        if found.relative or _DOCUMENT_BEFORE.search(folded[:start]):
            continue
        problem = None if found.has_year or year_hint else _NO_YEAR
        yield _Hit(start, end, None if problem else found.date, problem)


def _folded_span(span: tuple[int, int], offsets: list[int]) -> tuple[int, int]:
    """Map a span of the original text back onto the folded text (offsets never decrease)."""
    return bisect_left(offsets, span[0]), bisect_left(offsets, span[1])


def _select(hits: Iterable[_Hit]) -> list[_Hit]:
    """Leftmost-longest, non-overlapping: 'ngày 20 tháng 4 năm 2026' is one date, not a month."""
    chosen: list[_Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start, -h.end)):
        if not chosen or hit.start >= chosen[-1].end:
            chosen.append(hit)
    return chosen


def _clause(text: str, start: int, end: int) -> str:
    """The sentence of `text` around [start, end): the step a deadline belongs to."""
    left = max((m.end() for m in _CLAUSE_BREAK.finditer(text, 0, start)), default=0)
    right = next((m.start() for m in _CLAUSE_BREAK.finditer(text, end)), len(text))
    return text[left:right].strip(" \t\n.;")


def _due_hits(text: str, year_hint: int | None) -> tuple[list[_Hit], list[int]]:
    folded, offsets = fold_keep_offsets(text)
    hits: list[_Hit] = list(_date_hits(text, folded, offsets, year_hint))
    for pattern, reader in _DUE_PATTERNS:
        hits.extend(reader(match, year_hint) for match in pattern.finditer(folded))
    return _select(hits), offsets


def _unknown(text: str, hits: list[_Hit]) -> Due:
    """Never guess: say why the cell could not be read."""
    vague = _VAGUE.search(fold_keep_offsets(text)[0])
    if vague:
        reason = f"vague deadline: '{vague.group(0)}'"
    elif hits and hits[0].problem:
        reason = hits[0].problem
    else:
        reason = "no date, month, quarter or year found"
    return Due(kind="unknown", due_date=None, text=text, reason=reason)


def parse_due(text: str, *, year_hint: int | None = None) -> Due:
    """Read a plan's deadline cell.

    Every dated phrase counts; the latest is the due date and all are kept as steps. A cell
    with any date is kind "date" even if it also says 'thường xuyên' (the date is the
    commitment); 'thường xuyên' alone is "recurring". `year_hint` (the plan's year) completes
    'tháng 5' or '10/5'; without it such phrases are not guessed.
    """
    hits, offsets = _due_hits(text, year_hint)
    steps = tuple(
        (_clause(text, offsets[h.start], offsets[h.end - 1] + 1), h.due)
        for h in hits
        if h.due is not None
    )
    if steps:
        return Due(kind="date", due_date=max(d for _, d in steps), text=text, steps=steps)
    if _RECURRING.search(fold_keep_offsets(text)[0]):
        return Due(kind="recurring", due_date=None, text=text)
    return _unknown(text, hits)


# -- periods in questions ----------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """An inclusive date range with its Vietnamese label ('quý I/2026')."""

    start: date
    end: date
    label: str

    def contains(self, d: date) -> bool:
        return self.start <= d <= self.end


def _latest_year(start_in: Callable[[int], date], today: date) -> int:
    """A period named without a year is the latest one that has begun: asked in January,
    'tháng 12' and 'quý IV' are last year's, because questions are about figures already in."""
    return today.year if start_in(today.year) <= today else today.year - 1


def _quarter(year: int, q: int) -> Period:
    return Period(quarter_start(year, q), quarter_end(year, q), f"quý {ROMAN[q - 1]}/{year}")


def _month(year: int, month: int) -> Period:
    return Period(date(year, month, 1), month_end(year, month), f"tháng {month}/{year}")


def _year(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31), f"năm {year}")


def _week(monday: date) -> Period:
    sunday = monday + timedelta(days=6)
    label = f"tuần {monday:%d/%m}–{sunday:%d/%m/%Y}"
    return Period(monday, sunday, label)


def _shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + by
    return index // 12, index % 12 + 1


_PERIOD_QUARTER = re.compile(
    rf"{_S}(?:quy\s+{_Q}|q(?P<qq>[1-4]))(?:\s*(?:/|-|,?\s*nam\s+|\s)\s*{_Y})?{_E}"
)
_PERIOD_MONTH = re.compile(rf"{_S}thang\s+(?P<m>\d{{1,2}}){_YEAR_TAIL}?{_E}")
_PERIOD_YEAR = re.compile(rf"{_S}nam\s+{_Y}{_E}")
_PERIOD_HALF = re.compile(rf"{_S}(?:6\s+thang|nua)\s+(?P<half>dau|cuoi)\s+nam(?:\s+{_Y})?{_E}")
_PERIOD_YTD = re.compile(
    rf"{_S}(?:(?:tu|since)\s+)?(?:dau\s+nam|(?:the\s+)?start\s+of\s+(?:the\s+)?year|ytd"
    rf"|year\s+to\s+date)(?:\s+(?:nay|{_Y}))?{_E}"
)
_PERIOD_RELATIVE = re.compile(
    r"(?<!\w)(?P<rel>(?:thang|tuan|quy|nam)\s+(?:nay|truoc|ngoai)"
    r"|(?:this|last)\s+(?:month|week|quarter|year))(?!\w)"
)
_AS_OF_WORDS = re.compile(r"(?:tinh\s+den|den|toi|as\s+of|by)\b")


def _quarter_period(match: re.Match[str], today: date) -> Period | None:
    q = int(match["qq"]) if match["qq"] else _quarter_number(match["q"])
    year = int(match["y"]) if match["y"] else _latest_year(lambda y: quarter_start(y, q), today)
    return _quarter(year, q)


def _month_period(match: re.Match[str], today: date) -> Period | None:
    month = int(match["m"])
    if not 1 <= month <= 12:
        return None
    year = int(match["y"]) if match["y"] else _latest_year(lambda y: date(y, month, 1), today)
    return _month(year, month)


def _half_period(match: re.Match[str], today: date) -> Period:
    year = int(match["y"]) if match["y"] else today.year
    if match["half"] == "dau":
        return Period(date(year, 1, 1), date(year, 6, 30), f"6 tháng đầu năm {year}")
    return Period(date(year, 7, 1), date(year, 12, 31), f"6 tháng cuối năm {year}")


def _ytd_period(match: re.Match[str], today: date) -> Period:
    """'từ đầu năm': 1 January to today, or the whole year when a past year is named."""
    year = int(match["y"]) if match["y"] else today.year
    end = today if year == today.year else date(year, 12, 31)
    return Period(date(year, 1, 1), end, f"từ đầu năm {year}")


def _relative_period(match: re.Match[str], today: date) -> Period:
    first, second = match["rel"].split()
    # Vietnamese names the unit first ('tháng trước'), English last ('last month').
    unit, when = (second, first) if first in ("this", "last") else (first, second)
    back = 0 if when in ("nay", "this") else 1
    if unit in ("tuan", "week"):
        return _week(today - timedelta(days=today.weekday() + 7 * back))
    if unit in ("thang", "month"):
        return _month(*_shift_month(today.year, today.month, -back))
    if unit in ("quy", "quarter"):
        year, month = _shift_month(today.year, 3 * quarter_of(today), -3 * back)
        return _quarter(year, quarter_of(date(year, month, 1)))
    return _year(today.year - back)


_PeriodReader = Callable[[re.Match[str], date], Period | None]
_PERIOD_PATTERNS: tuple[tuple[re.Pattern[str], _PeriodReader], ...] = (
    (_PERIOD_QUARTER, _quarter_period),
    (_PERIOD_MONTH, _month_period),
    (_PERIOD_YEAR, lambda match, _today: _year(int(match["y"]))),
    (_PERIOD_HALF, _half_period),
    (_PERIOD_YTD, _ytd_period),
    (_PERIOD_RELATIVE, _relative_period),
)


def _as_of_periods(text: str, today: date) -> Iterator[tuple[int, int, Period]]:
    """'tính đến 31/3': from 1 January of that year to that day (figures are counted per year).
    A yearless date takes today's year, as find_date does."""
    folded, offsets = fold_keep_offsets(text)
    for found in find_dates(text, today):
        start, end = _folded_span(found.span, offsets)
        if _AS_OF_WORDS.match(folded, start):
            label = f"tính đến {format_date(found.date)}"
            yield start, end, Period(date(found.date.year, 1, 1), found.date, label)


def parse_period(text: str, today: date) -> Period | None:
    """The first period named in a question ('quý I/2026', 'tháng trước', 'tính đến 31/3')."""
    folded, _ = fold_keep_offsets(text)
    found: list[tuple[int, int, Period]] = list(_as_of_periods(text, today))
    for pattern, reader in _PERIOD_PATTERNS:
        for match in pattern.finditer(folded):
            period = reader(match, today)
            if period is not None:
                found.append((match.start(), match.end(), period))
    if not found:
        return None
    return min(found, key=lambda item: (item[0], -item[1]))[2]
