"""What a chart shows: plain data handed to `charts/` (which turns it into PNG bytes).

Pure dataclasses, no matplotlib. Conventions shared by every spec:

- Rates are fractions: 0.248 means 24,8 %; 1.0 is 100 %. A rate may exceed 1.0.
- `None` means "no figure" (never drawn as zero).
- `lang` is "vi" (default) or "en"; it picks the chart's fixed words and the number format
  ("24,8%" / "24.8%").
- `fmt_rate`, when given, formats every rate shown on the chart (value labels, line labels,
  summary row); axis ticks keep the built-in format. Default: one decimal, "24,8%".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Lang = Literal["vi", "en"]
RateFormatter = Callable[[float], str]
DatedRate = tuple[date, float]


# ---------------------------------------------------------------- 1. ranking of units


@dataclass(frozen=True)
class RankRow:
    """One unit in a ranking. `rate` None → listed in the footnote, not drawn."""

    unit_name: str
    rate: float | None
    numerator: float | None = None
    denominator: float | None = None
    stale: bool = False  # figure older than the reporting cycle: drawn hatched, name marked "*"


@dataclass(frozen=True)
class RankingChart:
    """Horizontal bars, one per unit, lowest rate at the top.

    Title: "<indicator_name> — <scope_name> — dd/mm/yyyy" unless `title` is given.
    """

    indicator_name: str
    scope_name: str  # e.g. "78 xã, phường, đặc khu"
    as_of: date
    rows: Sequence[RankRow]
    province_rate: float | None = None  # pooled rate (Σ numerators / Σ denominators)
    target_rate: float | None = None
    lang: Lang = "vi"
    title: str | None = None
    fmt_rate: RateFormatter | None = None
    full_list: bool = False  # every unit (the [Tải bản gốc] document), not the phone layout


# ---------------------------------------------------------------- 2. trend over time


@dataclass(frozen=True)
class Series:
    name: str
    points: Sequence[DatedRate]
    is_province: bool = False  # drawn thick in the province colour


@dataclass(frozen=True)
class TrendChart:
    """Lines over time; target as a horizontal line, deadline as a vertical one."""

    indicator_name: str
    series: Sequence[Series]
    target_rate: float | None = None
    target_date: date | None = None
    milestones: Sequence[DatedRate] = field(default_factory=tuple)
    projection: Sequence[DatedRate] | None = None  # current pace to the deadline (dashed)
    as_of: date | None = None  # shown in the title when given
    scope_name: str | None = None  # shown in the title when given
    lang: Lang = "vi"
    title: str | None = None
    fmt_rate: RateFormatter | None = None


# ---------------------------------------------------------------- 3. one unit, all indicators


@dataclass(frozen=True)
class DashRow:
    """One indicator of a unit. A yes/no indicator sets `done` (True/False) and no rate."""

    indicator_short: str
    rate: float | None = None
    target: float | None = None
    province_rate: float | None = None
    done: bool | None = None

    @property
    def is_yesno(self) -> bool:
        return self.done is not None


@dataclass(frozen=True)
class DashboardChart:
    unit_name: str
    as_of: date
    rows: Sequence[DashRow]
    lang: Lang = "vi"
    title: str | None = None
    fmt_rate: RateFormatter | None = None


# ---------------------------------------------------------------- 4. plan tasks on a time line


@dataclass(frozen=True)
class TaskRow:
    label: str
    lead_name: str  # lead unit; tasks are grouped by it
    due_date: date | None  # None → recurring task, listed in a note under the chart
    done: bool = False
    overdue: bool = False


@dataclass(frozen=True)
class TaskTimelineChart:
    as_of: date  # today: the "Hôm nay" line
    tasks: Sequence[TaskRow]
    scope_name: str | None = None  # e.g. the commune whose plan this is; shown in the title
    lang: Lang = "vi"
    title: str | None = None


ChartSpec = RankingChart | TrendChart | DashboardChart | TaskTimelineChart


class NoData(ValueError):
    """The spec has nothing to draw: say "chưa có số liệu" in words instead of a picture.

    Defined here, beside the specs, so callers can catch it without importing matplotlib.
    """

    def __init__(self, spec: object) -> None:
        super().__init__(f"no data to chart: {type(spec).__name__}")
        self.spec = spec
