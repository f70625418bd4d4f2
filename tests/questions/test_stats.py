"""Pooled rates, sets, ranks, staleness and pace (domain/stats.py)."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from hypothesis import example, given
from hypothesis import strategies as st

from domain.stats import (
    UnitFigure,
    below_average,
    is_full,
    is_stale,
    pooled_rate,
    project,
    rank_and_pool,
    ranks,
    rate_of,
    reached_full,
    stale_before,
)

D = date(2026, 4, 10)


def fig(unit: str, num: int, den: int, day: date = D) -> UnitFigure:
    return UnitFigure(unit, num, den, day)


def test_pooled_is_sums_not_mean_of_rates() -> None:
    figures = [fig("a", 1, 10), fig("b", 90, 100)]
    pooled = pooled_rate(figures)
    assert pooled.rate == Fraction(91, 110)
    assert pooled.rate != (Fraction(1, 10) + Fraction(90, 100)) / 2


def test_report_figure_pools_to_24_8() -> None:
    pooled = pooled_rate([fig("a", 270_000, 1_000_000), fig("b", 48, 87_766)])
    assert (pooled.numerator, pooled.denominator) == (270_048, 1_087_766)
    assert round(float(pooled.rate or 0) * 100, 1) == 24.8


def test_below_average_lowest_first_and_strict() -> None:
    figures = [fig("a", 5, 10), fig("b", 1, 10), fig("c", 9, 10), fig("d", 3, 10)]
    pooled, rows = below_average(figures)
    assert pooled.rate == Fraction(18, 40)
    assert [f.unit for f in rows] == ["b", "d"]


def test_ranks_share_ties() -> None:
    figures = [fig("a", 5, 10), fig("b", 1, 2), fig("c", 9, 10), fig("d", 1, 10)]
    assert ranks(figures) == {"c": 1, "a": 2, "b": 2, "d": 4}


def test_reached_full_and_missing_denominators() -> None:
    figures = [fig("a", 10, 10), fig("b", 9, 10), UnitFigure("c", None, None, D)]
    assert [f.unit for f in reached_full(figures)] == ["a"]
    assert pooled_rate(figures).units == 2


@given(st.none() | st.integers(0, 10**7), st.none() | st.integers(0, 10**7))
def test_is_full_agrees_with_reached_full_and_ranks_count_the_rated(
    num: int | None, den: int | None
) -> None:
    figure = UnitFigure("u", num, den, D)
    assert is_full(num, den) == bool(reached_full([figure]))
    assert is_full(den, den) == bool(den)  # exactly 100% counts as full
    assert len(ranks([figure])) == (rate_of(num, den) is not None)  # facts' `rated`


def test_staleness_follows_the_monthly_cycle() -> None:
    assert stale_before(date(2026, 4, 23), 12) == date(2026, 3, 12)
    assert stale_before(date(2026, 4, 5), 12) == date(2026, 2, 12)
    assert is_stale(fig("a", 1, 2, date(2026, 3, 10)), date(2026, 4, 23), 12)
    assert not is_stale(fig("a", 1, 2, date(2026, 3, 12)), date(2026, 4, 23), 12)
    assert stale_before(date(2026, 4, 23), 30, 3) == date(2025, 12, 28)


def test_projection_at_current_pace() -> None:
    p = project([(date(2026, 1, 1), 0.2), (date(2026, 4, 1), 0.29)], date(2026, 12, 31), 0.5)
    assert p is not None
    assert 0.55 < p.at_deadline < 0.58
    assert p.reaches_target_on is not None and p.reaches_target_on < date(2026, 12, 31)
    assert project([(date(2026, 1, 1), 0.2)], date(2026, 12, 31)) is None


figures_strategy = st.lists(
    st.tuples(st.integers(0, 10_000), st.integers(1, 10_000)).map(
        lambda t: (min(t[0], t[1]), t[1])
    ),
    min_size=1,
    max_size=40,
)


@given(figures_strategy)
def test_pooled_between_min_and_max_and_equals_sums(pairs: list[tuple[int, int]]) -> None:
    figures = [fig(str(i), n, d) for i, (n, d) in enumerate(pairs)]
    pooled = pooled_rate(figures)
    rates = [Fraction(n, d) for n, d in pairs]
    assert pooled.rate == Fraction(sum(n for n, _ in pairs), sum(d for _, d in pairs))
    assert min(rates) <= (pooled.rate or 0) <= max(rates)
    _, rows = below_average(figures)
    assert all(Fraction(f.numerator or 0, f.denominator or 1) < (pooled.rate or 0) for f in rows)


_COUNT = st.none() | st.integers(min_value=-5, max_value=60)


@given(st.lists(st.tuples(_COUNT, _COUNT), max_size=12), st.integers(min_value=0, max_value=12))
@example([(1, 2), (1, -2)], 0)  # -1/2 is below 1/2
@example([(3, 6), (1, 2), (None, 5), (4, 0)], 1)  # a tie: both rank 1; no rate: left out
@example([(1, 2), (2, 4), (1, 3)], 2)  # two share rank 1, so the next is 3 ('1224')
def test_one_units_rank_and_pool_are_ranks_and_pooled_rate(
    figures: list[tuple[int | None, int | None]], pick: int
) -> None:
    """A receipt's rank and province rate (rank_and_pool) are what the answers give: equal
    rates share a rank, units without a rate are left out, negative totals compare right."""
    rank, pooled = rank_and_pool(pick, [(i, num, den) for i, (num, den) in enumerate(figures)])
    as_units = [UnitFigure(str(i), num, den, D) for i, (num, den) in enumerate(figures)]
    assert pooled == pooled_rate(as_units)
    assert rank == ranks(as_units).get(str(pick))
