"""Pooled statistics the reports use: province rates, below/above average, ranks, staleness, pace.

Pure functions over `UnitFigure` values. Rates are exact `Fraction`s so "below the average" is
decided without float rounding; convert with `float()` only for drawing.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from typing import NamedTuple


class UnitFigure(NamedTuple):
    """One unit's latest figure for one indicator (số liệu mới nhất của một đơn vị). A tuple:
    an answer builds one per unit (78 to 3,321), at a third of a frozen dataclass's cost."""

    unit: str  # unit code
    numerator: int | None
    denominator: int | None
    as_of: date
    done: bool | None = None  # yes/no indicators

    @property
    def rate(self) -> Fraction | None:
        return rate_of(self.numerator, self.denominator)


def rate_of(numerator: int | None, denominator: int | None) -> Fraction | None:
    """numerator / denominator, exactly; None without a usable denominator."""
    if numerator is None or not denominator:
        return None
    return Fraction(numerator, denominator)


@dataclass(frozen=True)
class Pooled:
    """Σ numerators / Σ denominators over units with figures (tỷ lệ chung, not a mean)."""

    numerator: int
    denominator: int
    units: int  # how many units contributed

    @property
    def rate(self) -> Fraction | None:
        return Fraction(self.numerator, self.denominator) if self.denominator else None


def pooled_rate(figures: Iterable[UnitFigure]) -> Pooled:
    """Pool ratio figures: 270.048/1.087.766 = 24,8%, never the mean of the communes' rates."""
    num = den = count = 0
    for f in figures:
        if f.numerator is None or not f.denominator:
            continue
        num, den, count = num + f.numerator, den + f.denominator, count + 1
    return Pooled(num, den, count)


def pooled_done(figures: Iterable[UnitFigure]) -> Pooled:
    """Yes/no indicators: units done over units that reported."""
    rows = [f for f in figures if f.done is not None]
    return Pooled(sum(1 for f in rows if f.done), len(rows), len(rows))


def _rated(figures: Iterable[UnitFigure]) -> list[tuple[float, UnitFigure]]:
    """(float rate, figure) for figures with a rate. Python's int / int is correctly rounded and
    rounding is monotone, so different floats order the exact rates correctly; only equal
    floats need the exact comparison (`_exact_ties`)."""
    return [
        (f.numerator / f.denominator, f)
        for f in figures
        if f.numerator is not None and f.denominator
    ]


def _same_rate(a: UnitFigure, b: UnitFigure) -> bool:
    """Exact equality of two rates by cross-multiplication (no Fraction, no gcd)."""
    return a.numerator * b.denominator == b.numerator * a.denominator  # type: ignore[operator]


def _exact_ties(rated: list[tuple[float, UnitFigure]], descending: bool) -> None:
    """Within runs of equal floats, order by the exact rate (stable: unit order kept on ties)."""
    i, n = 0, len(rated)
    while i < n:
        j = i + 1
        while j < n and rated[j][0] == rated[i][0]:
            j += 1
        if j - i > 1 and not all(_same_rate(rated[i][1], rated[k][1]) for k in range(i + 1, j)):
            rated[i:j] = sorted(rated[i:j], key=lambda item: item[1].rate or 0, reverse=descending)
        i = j


def _sorted(rated: list[tuple[float, UnitFigure]], descending: bool) -> list[UnitFigure]:
    rated.sort(key=lambda item: item[1].unit)
    rated.sort(key=lambda item: item[0], reverse=descending)
    _exact_ties(rated, descending)
    return [f for _, f in rated]


def sort_by_rate(figures: Iterable[UnitFigure], *, descending: bool = False) -> list[UnitFigure]:
    """By rate (lowest first unless descending), ties by unit code so the order is stable."""
    return _sorted(_rated(figures), descending)


def _cmp_threshold(f: UnitFigure, threshold: Fraction) -> int:
    """Sign of (rate - threshold), exactly, by cross-multiplying integers."""
    left = f.numerator * threshold.denominator  # type: ignore[operator]
    right = threshold.numerator * f.denominator  # type: ignore[operator]
    return (left > right) - (left < right)


def below(figures: Iterable[UnitFigure], threshold: Fraction) -> list[UnitFigure]:
    """Units whose rate is strictly below the threshold, lowest first."""
    return _sorted([x for x in _rated(figures) if _cmp_threshold(x[1], threshold) < 0], False)


def at_or_above(figures: Iterable[UnitFigure], threshold: Fraction) -> list[UnitFigure]:
    """Units whose rate reaches the threshold, highest first."""
    return _sorted([x for x in _rated(figures) if _cmp_threshold(x[1], threshold) >= 0], True)


def is_full(numerator: int | None, denominator: int | None) -> bool:
    """Whether a figure reaches 100%, without a Fraction: a report counts them over ~86,000
    units."""
    if numerator is None or not denominator:
        return False
    return numerator >= denominator  # as _cmp_threshold(…, 1) would: num·1 ≥ 1·den


def below_average(figures: Sequence[UnitFigure]) -> tuple[Pooled, list[UnitFigure]]:
    """(pooled rate, units strictly below it lowest first): '42/78 địa phương thấp hơn…'."""
    pooled = pooled_rate(figures)
    rate = pooled.rate
    return pooled, ([] if rate is None else below(figures, rate))


def above_average(figures: Sequence[UnitFigure]) -> tuple[Pooled, list[UnitFigure]]:
    """(pooled rate, units strictly above it highest first)."""
    pooled = pooled_rate(figures)
    rate = pooled.rate
    if rate is None:
        return pooled, []
    above = [x for x in _rated(figures) if _cmp_threshold(x[1], rate) > 0]
    return pooled, _sorted(above, True)


def reached_full(figures: Iterable[UnitFigure]) -> list[UnitFigure]:
    """Units at 100% (or above): 'Trong đó, 03/78 địa phương đạt tỷ lệ 100%'."""
    return at_or_above(figures, Fraction(1))


def ranks(figures: Iterable[UnitFigure], *, descending: bool = True) -> dict[str, int]:
    """Competition ranking ('1224'): equal rates share a rank; rank 1 is the highest by default."""
    ordered = sort_by_rate(figures, descending=descending)
    out: dict[str, int] = {}
    previous: UnitFigure | None = None
    rank = 0
    for position, f in enumerate(ordered, start=1):
        if previous is None or not _same_rate(f, previous):
            rank, previous = position, f
        out[f.unit] = rank
    return out


def rank_and_pool(
    unit: Hashable, figures: Iterable[tuple[Hashable, int | None, int | None]]
) -> tuple[int | None, Pooled]:
    """One unit's rank as `ranks` gives it (equal rates share it; None without a rate of its
    own) and `pooled_rate`'s pool, from (unit, numerator, denominator) in one pass, no sort:
    a receipt ranks one unit among the province's."""
    rated = [(u, n, d) for u, n, d in figures if n is not None and d]
    pooled = Pooled(sum(n for _, n, _ in rated), sum(d for _, _, d in rated), len(rated))
    mine = next(((n, d) for u, n, d in rated if u == unit), None)
    if mine is None:
        return None, pooled
    m_num, m_den = mine
    # n/d > m_num/m_den exactly, whatever the denominators' signs
    above = sum(1 for _, n, d in rated if (n * m_den - m_num * d) * (d * m_den) > 0)
    return 1 + above, pooled


@dataclass(frozen=True)
class Change:
    """A pooled rate now and at a baseline, and the change in percentage points (as a fraction)."""

    now: Pooled
    base: Pooled

    @property
    def delta(self) -> Fraction | None:
        if self.now.rate is None or self.base.rate is None:
            return None
        return self.now.rate - self.base.rate


def change(now: Sequence[UnitFigure], base: Sequence[UnitFigure]) -> Change:
    """Pooled now vs pooled at the baseline ('tăng 8,0% so với đầu năm')."""
    return Change(pooled_rate(now), pooled_rate(base))


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, 28))


def last_due(day: date, due_day: int, every_months: int = 1) -> date:
    """The most recent reporting deadline on or before `day` (monthly: the 12th; quarterly: the
    `due_day` of March, June, September, December)."""
    candidate = date(day.year, day.month, min(due_day, 28))
    if every_months > 1:
        while candidate.month % every_months != 0:
            candidate = _add_months(candidate, -1)
    while candidate > day:
        candidate = _add_months(candidate, -every_months)
    return candidate


def stale_before(day: date, due_day: int, every_months: int = 1) -> date:
    """Figures dated before this are older than the reporting cycle: the unit has not reported
    since the deadline before the last one (monthly, due before the 12th: asked on 23/4 the
    cut-off is 12/3, so a figure of 10/3 missed the April report)."""
    return _add_months(last_due(day, due_day, every_months), -every_months)


def is_stale(figure: UnitFigure, day: date, due_day: int, every_months: int = 1) -> bool:
    """One figure; for many, compute `stale_before` once and compare `as_of` with it."""
    return figure.as_of < stale_before(day, due_day, every_months)


@dataclass(frozen=True)
class Projection:
    """Where the current pace leads: the rate at the deadline, and when the target is reached."""

    points: tuple[tuple[date, float], ...]  # from the last figure to the deadline
    at_deadline: float
    reaches_target_on: date | None


def project(
    series: Sequence[tuple[date, float]], deadline: date, target: float | None = None
) -> Projection | None:
    """Straight line through the first and last points of `series` (date-sorted), extended to
    the deadline. None when there is no pace to speak of (fewer than two dates)."""
    points = sorted(series)
    if len(points) < 2 or points[-1][0] == points[0][0] or deadline <= points[-1][0]:
        return None
    (d0, r0), (d1, r1) = points[0], points[-1]
    per_day = (r1 - r0) / (d1 - d0).days
    at_deadline = r1 + per_day * (deadline - d1).days
    reaches: date | None = None
    if target is not None:
        if r1 >= target:
            reaches = d1
        elif per_day > 0:
            days = (target - r1) / per_day
            reaches = d1 + timedelta(days=int(days) + (0 if days == int(days) else 1))
    return Projection(((d1, r1), (deadline, at_deadline)), at_deadline, reaches)
