"""Rules a figure must pass before it is stored: errors refuse it, warnings ask first.

Errors: a negative or non-integer value, a numerator above its total, a zero total, a future date,
a unit without the indicator assigned, a yes/no answer for a ratio (and the reverse).
Warnings (DHIS2-style: the officer may confirm): the total moving by more than a set share from
the unit's last figure, a cumulative figure going down, a change far outside the unit's history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from domain.catalogue import Catalogue

TOTAL_JUMP_SHARE = 0.2  # the total (mẫu số) may move by 20% before we ask
OUTLIER_FACTOR = 3.0  # a change more than 3x the largest past change is unusual
OUTLIER_MIN_CHANGE = 20  # ... and small changes never are
OUTLIER_MIN_HISTORY = 2  # past changes needed before judging


@dataclass(frozen=True)
class Figure:
    """A value to check, or one from the unit's history (oldest first)."""

    as_of: date
    numerator: int | None = None
    denominator: int | None = None
    done: bool | None = None


@dataclass(frozen=True)
class Issue:
    """An error or a warning about one draft; `code` selects the message, `values` fill it."""

    code: str
    severity: str  # error | warning
    values: tuple[tuple[str, str], ...] = ()

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def _error(code: str, **values: object) -> Issue:
    return Issue(code, "error", tuple((k, str(v)) for k, v in values.items()))


def _warning(code: str, **values: object) -> Issue:
    return Issue(code, "warning", tuple((k, str(v)) for k, v in values.items()))


def check(
    catalogue: Catalogue, unit_code: str, indicator_code: str, figure: Figure, today: date
) -> list[Issue]:
    """Errors that refuse the figure whatever the history says."""
    unit = catalogue.find_unit(unit_code)
    ind = catalogue.find_indicator(indicator_code)
    if unit is None or ind is None:
        return [_error("unknown")]
    issues: list[Issue] = []
    if figure.as_of > today:
        issues.append(_error("future_date", day=figure.as_of.isoformat()))
    if not catalogue.is_assigned(unit_code, ind):
        issues.append(_error("not_assigned"))
    issues += _value_errors(ind.kind, figure)
    return issues


def _value_errors(kind: str, f: Figure) -> list[Issue]:
    if kind == "yesno":
        return [] if f.done is not None else [_error("yesno_needed")]
    if f.done is not None and f.numerator is None:
        return [_error("figure_needed")]
    values = [v for v in (f.numerator, f.denominator) if v is not None]
    if any(not isinstance(v, int) or v < 0 for v in values):
        return [_error("negative")]
    if kind == "ratio":
        if f.numerator is None or f.denominator is None:
            return [_error("figure_needed")]
        if f.denominator == 0:
            return [_error("zero_total")]
        if f.numerator > f.denominator:
            return [_error("numerator_above_total")]
    return []


def warnings(
    figure: Figure, history: Sequence[Figure], *, cumulative: bool = True,
    jump_share: float = TOTAL_JUMP_SHARE,
) -> list[Issue]:  # fmt: skip
    """Warnings against the unit's earlier figures (live, oldest first, any date)."""
    earlier = [h for h in history if h.as_of <= figure.as_of]
    if not earlier or figure.numerator is None:
        return []
    last = earlier[-1]
    issues: list[Issue] = []
    if _total_jumped(figure, last, jump_share):
        issues.append(_warning("total_jump", before=last.denominator, after=figure.denominator,
                               share=round(jump_share * 100)))  # fmt: skip
    if cumulative and last.numerator is not None and figure.numerator < last.numerator:
        issues.append(_warning("went_down", before=last.numerator, after=figure.numerator))
    elif _outlier(figure, earlier):
        issues.append(_warning("unusual_change", change=figure.numerator - (last.numerator or 0)))
    return issues


def _total_jumped(figure: Figure, last: Figure, share: float) -> bool:
    if figure.denominator is None or not last.denominator:
        return False
    return abs(figure.denominator - last.denominator) > share * last.denominator


def _outlier(figure: Figure, earlier: Sequence[Figure]) -> bool:
    """A change several times larger than any the unit has made before."""
    nums = [h.numerator for h in earlier if h.numerator is not None]
    changes = [abs(b - a) for a, b in pairwise(nums)]
    if len(changes) < OUTLIER_MIN_HISTORY or figure.numerator is None:
        return False
    change = abs(figure.numerator - nums[-1])
    return change >= OUTLIER_MIN_CHANGE and change > OUTLIER_FACTOR * max(max(changes), 1)
