"""A clearly labelled SYNTHETIC dataset (source="demo") that mirrors the province report 000.

Every commune gets monthly figures; the province totals on the last day match the catalogue's
`report_figure` (e.g. ASXH 270.048/1.087.766 = 24,8%) and the communes named in `report_lists`
land on the right side of the line (the 42 below average, the 03 at 100%, the 15 without a
steering committee…). A few communes stop reporting two months early so staleness shows.
Not real data: every row says source="demo" and note="DỮ LIỆU MẪU / synthetic demo".
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date
from typing import Any

from domain.catalogue import Catalogue, Indicator, Unit
from domain.text import fold
from services.context import Env
from store.figures import insert_figures
from store.stats import count_by_source

NOTE = "DỮ LIỆU MẪU / synthetic demo"
DEFAULT_SEED = 6


@dataclass(frozen=True)
class DemoSummary:
    figures: int
    units: int
    indicators: int
    last_day: date
    skipped: bool = False

    def __str__(self) -> str:
        if self.skipped:
            return f"demo data already present ({self.figures} figures); nothing added"
        return (
            f"{self.figures} figures, {self.units} units, {self.indicators} indicators, "
            f"last figures dated {self.last_day:%d/%m/%Y}"
        )


async def load_demo(env: Env, *, months: int = 6, seed: int = DEFAULT_SEED) -> DemoSummary:
    """Append the demo figures once (a second run adds nothing)."""
    async with env.db.read() as conn:
        existing = await count_by_source(conn, "demo")
    last = env.clock.today()
    if existing:
        return DemoSummary(existing, 0, 0, last, skipped=True)
    rows = demo_rows(env, months=months, seed=seed, last=last)
    async with env.db.write() as conn:
        await insert_figures(conn, rows)
    units = {r["unit_id"] for r in rows}
    indicators = {r["indicator_id"] for r in rows}
    return DemoSummary(len(rows), len(units), len(indicators), last)


def demo_rows(env: Env, *, months: int, seed: int, last: date) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    cat = env.catalogue
    dates = _report_days(last, months)
    stale = {u.code for u in rnd.sample(cat.communes(), k=min(3, len(cat.communes())))}
    now = env.clock.now()
    rows: list[dict[str, Any]] = []
    for ind in cat.indicators:
        finals = _finals(cat, ind, rnd)
        for unit_code, final in finals.items():
            unit_dates = dates[:-2] if unit_code in stale and len(dates) > 2 else dates
            for day in unit_dates:
                value = final if day == unit_dates[-1] else _at(ind, final, day, dates[-1], rnd)
                rows.append(_row(env, ind, unit_code, day, value, now))
    return rows


def _report_days(last: date, months: int) -> list[date]:
    """The 10th of each earlier month (reported before the 12th), then `last` itself."""
    days = [last]
    year, month = last.year, last.month
    for _ in range(max(months, 1) - 1):
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        days.append(date(year, month, 10))
    return sorted(d for d in set(days) if d <= last)


def _row(env: Env, ind: Indicator, unit: str, day: date, value: Any, now: Any) -> dict[str, Any]:
    num, den, done = value
    return {
        "unit_id": env.ids.unit_id[unit],
        "indicator_id": env.ids.indicator_id[ind.code],
        "numerator": num,
        "denominator": den,
        "done": done,
        "as_of": day,
        "derived": False,
        "source": "demo",
        "created_at": now,
        "voided": False,
        "note": NOTE,
    }


# --- the final figures, fitted to the report ---------------------------------------------------

Final = tuple[int | None, int | None, bool | None]


def _codes(cat: Catalogue, names: list[str] | None) -> set[str]:
    """Canonical unit codes of a report list (names as written in the catalogue)."""
    by_name: dict[str, str] = {}
    for u in cat.communes():
        for n in (u.name, *u.aliases):
            by_name[fold(n)] = u.code
    return {by_name[fold(n)] for n in names or [] if fold(n) in by_name}


def _finals(cat: Catalogue, ind: Indicator, rnd: random.Random) -> dict[str, Final]:
    units = cat.assigned_units(ind)
    figure = ind.extra.get("report_figure") or {}
    lists = ind.extra.get("report_lists") or {}
    if ind.kind == "yesno":
        return _yesno_finals(cat, units, lists, rnd)
    num = int(figure.get("numerator") or 0)
    den = int(figure.get("denominator") or 0)
    if not den:
        den = 1000 * len(units)
        num = int(den * rnd.uniform(0.3, 0.8))
    if len(units) == 1:
        return {units[0].code: (num, den, None)}
    return _ratio_finals(cat, ind, units, num, den, lists, rnd)


def _yesno_finals(
    cat: Catalogue, units: list[Unit], lists: dict[str, Any], rnd: random.Random
) -> dict[str, Final]:
    not_done = _codes(cat, lists.get("not_done"))
    if not lists.get("not_done"):
        done_share = 0.1
        return {u.code: (None, None, rnd.random() < done_share) for u in units}
    return {u.code: (None, None, u.code not in not_done) for u in units}


def _bands(
    cat: Catalogue, ind: Indicator, units: list[Unit], pooled: float, lists: dict[str, Any]
) -> dict[str, tuple[float, float]]:
    """(low, high) rate per unit so the report's lists hold."""
    full = _codes(cat, lists.get("reached_100")) | _codes(cat, lists.get("completed"))
    full |= _codes(cat, lists.get("completed_unnamed_derived"))
    below = _codes(cat, lists.get("below_average"))
    target = ind.target.rate if ind.target else None
    short = _codes(cat, lists.get("not_meeting_target"))
    fixed = {_code_of(cat, n): r for n, r in (ind.extra.get("report_unit_rates") or {}).items()}
    bands: dict[str, tuple[float, float]] = {}
    for u in units:
        if u.code in fixed:
            bands[u.code] = (fixed[u.code], fixed[u.code])
        elif u.code in full:
            bands[u.code] = (1.0, 1.0)
        elif u.code in below:
            bands[u.code] = (max(0.02, pooled * 0.3), pooled * 0.985)
        elif short and target is not None:
            bands[u.code] = (
                (max(0.05, pooled * 0.5), target * 0.99)
                if u.code in short
                else (target, min(0.995, target + 0.25))
            )
        elif lists.get("below_average"):
            bands[u.code] = (pooled * 1.015, min(0.995, pooled * 1.9 + 0.05))
        else:
            bands[u.code] = (max(0.01, pooled - 0.25), min(0.995, pooled + 0.2))
    return bands


def _code_of(cat: Catalogue, name: str) -> str:
    return next(iter(_codes(cat, [name])), "")


def _ratio_finals(
    cat: Catalogue,
    ind: Indicator,
    units: list[Unit],
    num: int,
    den: int,
    lists: dict[str, Any],
    rnd: random.Random,
) -> dict[str, Final]:
    weights = [rnd.lognormvariate(0, 0.6) for _ in units]
    total = sum(weights)
    dens = [max(20, round(den * w / total)) for w in weights]
    dens[0] += den - sum(dens)
    pooled = num / den
    bands = _bands(cat, ind, units, pooled, lists)
    spots = [rnd.uniform(0.02, 0.98) for _ in units]

    def numerators(shift: float) -> list[int]:
        out = []
        for u, d, s in zip(units, dens, spots, strict=True):
            lo, hi = bands[u.code]
            out.append(round(d * (lo + (hi - lo) * s ** math.exp(-shift))))
        return out

    low, high = -6.0, 6.0
    for _ in range(40):  # bisection: the shift that brings Σ numerators to the report's total
        mid = (low + high) / 2
        low, high = (mid, high) if sum(numerators(mid)) < num else (low, mid)
    nums = numerators((low + high) / 2)
    _settle(nums, dens, units, bands, num)
    return {u.code: (n, d, None) for u, n, d in zip(units, nums, dens, strict=True)}


def _settle(
    nums: list[int],
    dens: list[int],
    units: list[Unit],
    bands: dict[str, tuple[float, float]],
    total: int,
) -> None:
    """Put the rounding remainder on units with room inside their band, so Σ is exact."""
    gap = total - sum(nums)
    order = sorted(range(len(units)), key=lambda i: -dens[i])
    for i in order:
        if gap == 0:
            return
        lo, hi = bands[units[i].code]
        if lo == hi:
            continue
        room = int(dens[i] * hi) - nums[i] if gap > 0 else nums[i] - int(dens[i] * lo) - 1
        step = max(0, min(abs(gap), room))
        nums[i] += step if gap > 0 else -step
        gap += -step if gap > 0 else step


def _at(ind: Indicator, final: Final, day: date, last: date, rnd: random.Random) -> Final:
    """The figure a unit had on an earlier day: lower in proportion to the year-start rate."""
    num, den, done = final
    if day == last:
        return final
    if done is not None:
        return (None, None, done and rnd.random() < 0.7)
    if num is None or den is None:
        return final
    pooled_final = ind.extra.get("report_figure", {}) or {}
    start_share = _start_share(ind, pooled_final)
    year_start = date(last.year, 1, 1)
    span = max((last - year_start).days, 1)
    progress = (day - year_start).days / span  # negative before 1 January
    share = start_share + (1 - start_share) * progress
    share = min(1.0, max(0.2, share))
    return (min(den, round(num * share)), den, None)


def _start_share(ind: Indicator, figure: dict[str, Any]) -> float:
    """Year-start rate over the report's rate (from the catalogue's derived baseline)."""
    reported = figure.get("numerator"), figure.get("denominator")
    if ind.baseline_rate is None or not reported[0] or not reported[1]:
        return 0.85
    now = reported[0] / reported[1]
    return min(1.0, max(0.2, ind.baseline_rate / now)) if now else 0.85


__all__ = ["DemoSummary", "demo_rows", "load_demo"]
