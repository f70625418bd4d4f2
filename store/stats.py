"""Reporting reads beyond `figures.latest_as_of`: several dates at once, who reported, history."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    Subquery,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from store.figures import FigureRow, _row, as_of_row, as_of_union, as_of_values
from store.schema import current_figures, figures


def _live() -> object:
    return and_(figures.c.superseded_by.is_(None), figures.c.voided.is_(False))


async def latest_at(
    conn: AsyncConnection,
    indicator_ids: Iterable[int],
    days: Sequence[date],
    unit_ids: Iterable[int] | None = None,
) -> dict[date, list[FigureRow]]:
    """Each unit's latest live figure per indicator as of each day (now and a baseline, for a
    change): one statement whatever the number of days, from current_figures (and `figures`
    only for the pairs whose current figure is newer than a day)."""
    ids = list(indicator_ids)
    units = None if unit_ids is None else list(unit_ids)
    out: dict[date, list[FigureRow]] = {d: [] for d in days}
    if not ids or not days:
        return out
    statement = as_of_union(units is not None, len(days))
    for r in (await conn.execute(statement, as_of_values(ids, days, units))).all():
        out[days[r.tag]].append(as_of_row(r))
    return out


async def reported_between(
    conn: AsyncConnection, indicator_ids: Iterable[int], start: date, end: date
) -> set[tuple[int, int]]:
    """(unit_id, indicator_id) pairs with a live figure dated within [start, end]."""
    statement = (
        select(figures.c.unit_id, figures.c.indicator_id)
        .where(figures.c.indicator_id.in_(list(indicator_ids)))
        .where(figures.c.as_of.between(start, end))
        .where(_live())  # type: ignore[arg-type]
        .distinct()
    )
    return {(r.unit_id, r.indicator_id) for r in (await conn.execute(statement)).all()}


async def history(
    conn: AsyncConnection,
    indicator_ids: Iterable[int],
    until: date,
    unit_ids: Iterable[int] | None = None,
) -> list[FigureRow]:
    """Every live figure up to a day, oldest first: the raw material of a trend."""
    statement = (
        select(figures)
        .where(figures.c.indicator_id.in_(list(indicator_ids)))
        .where(figures.c.as_of <= until)
        .where(_live())  # type: ignore[arg-type]
        .order_by(figures.c.as_of, figures.c.id)
    )
    if unit_ids is not None:
        statement = statement.where(figures.c.unit_id.in_(list(unit_ids)))
    return [_row(r) for r in (await conn.execute(statement)).all()]


async def count_by_source(conn: AsyncConnection, source: str) -> int:
    """How many live figures came from one source ('demo')."""
    statement = select(func.count()).select_from(figures).where(figures.c.source == source)
    return int((await conn.execute(statement)).scalar_one())


# --- per-indicator summaries in SQL (issue 13): no per-unit rows for a status or an overview --

BIG = 2**31  # |numerator|, |denominator| below this: a cross-multiplication fits in 64 bits
MAX_HOLES = 500  # ids inside an assigned range that are not assigned (bind parameters)

Version = tuple[int, Any]  # (the newest figures.id, its created_at): every write appends a row


@dataclass(frozen=True)
class Summary:
    """One indicator as of a day over its assigned units, aggregated in SQL."""

    indicator_id: int
    present: int  # assigned units with a figure
    rated: int  # … whose numerator is set and denominator non-zero
    numerator: int  # Σ over the rated
    denominator: int
    told: int  # yes/no: units with `done` set
    done: int  # … and true
    full: int  # rated with numerator >= denominator
    newest: date | None
    stale: frozenset[int]  # unit ids whose figure is dated before the indicator's cut-off
    above: int  # rated units with a rate strictly above the focus unit's
    focus_figure: int | None  # the focus unit's figure id (to check it against its own read)


@dataclass(frozen=True)
class Summaries:
    """`exact` is False when the rows cannot stand for the as-of set (a figure dated after the
    day, a negative denominator or values too large for cross-multiplication): use the rows."""

    version: Version | None
    complete: bool  # no writer was in progress at the snapshot (PostgreSQL; SQLite: always)
    exact: bool
    by_indicator: dict[int, Summary]


async def consistent(conn: AsyncConnection) -> AsyncConnection:
    """Several reads on one snapshot: REPEATABLE READ on PostgreSQL (call before the first
    statement). SQLite reads are checked by `Version` instead (one writer: ids in commit order)."""
    if conn.dialect.name == "postgresql":
        return await conn.execution_options(isolation_level="REPEATABLE READ")
    return conn


def _version_columns(conn: AsyncConnection) -> list[Any]:
    newest = select(figures.c.id).order_by(figures.c.id.desc()).limit(1).scalar_subquery()
    stamp = select(figures.c.created_at).order_by(figures.c.id.desc()).limit(1).scalar_subquery()
    idle: Any = literal(True)
    if conn.dialect.name == "postgresql":  # no transaction in progress at the snapshot
        idle = literal_column(
            "pg_snapshot_xmin(pg_current_snapshot()) = pg_snapshot_xmax(pg_current_snapshot())"
        )
    return [newest.label("v_id"), stamp.label("v_at"), idle.label("v_idle")]


def _version(r: Any) -> Version | None:
    return None if r.v_id is None else (int(r.v_id), r.v_at)


def assigned_clause(
    indicator: Any, unit: Any, assigned: Mapping[int, frozenset[int]]
) -> ColumnElement[bool] | None:
    """(indicator, unit) is assigned: per group of indicators with the same units, the unit id
    within [min, max] and not one of the holes. None when the holes are too many to bind."""
    groups: dict[frozenset[int], list[int]] = {}
    for indicator_id, units in assigned.items():
        groups.setdefault(units, []).append(indicator_id)
    parts = []
    for units, ids in groups.items():
        if not units:
            continue
        lo, hi = min(units), max(units)
        if hi - lo + 1 - len(units) > MAX_HOLES:
            return None
        holes = sorted(set(range(lo, hi + 1)) - units)
        cond = [indicator.in_(ids), unit.between(lo, hi)]
        if holes:
            cond.append(unit.not_in(holes))
        parts.append(and_(*cond))
    return or_(*parts) if parts else false()


async def summaries(
    conn: AsyncConnection,
    assigned: Mapping[int, frozenset[int]],
    day: date,
    stale_before: Mapping[int, date],
    focus_unit: int | None = None,
    focus: Mapping[int, tuple[int, int]] | None = None,
    *,
    with_sums: bool = True,
) -> Summaries | None:
    """One statement over current_figures: per indicator the pooled sums, counts, units at
    100%, stale units and (with a focus unit and its rated figures) how many rate higher;
    without the sums only the latter (`above`, `focus_figure`: the sums were cached).
    None when the assigned sets cannot be bound (then read the rows)."""
    cf = current_figures.c
    where = assigned_clause(cf.indicator_id, cf.unit_id, assigned)
    if where is None or not assigned:
        return None
    rated = and_(cf.numerator.is_not(None), cf.denominator != 0)
    cutoffs: dict[date, list[int]] = {}
    for indicator_id, cutoff in stale_before.items():
        cutoffs.setdefault(cutoff, []).append(indicator_id)
    stale = or_(
        false(), *(and_(cf.indicator_id.in_(ids), cf.as_of < c) for c, ids in cutoffs.items())
    )
    higher = {i: cf.numerator * d > n * cf.denominator for i, (n, d) in (focus or {}).items()}
    odd = or_(cf.denominator < 0, cf.numerator >= BIG, cf.numerator <= -BIG, cf.denominator >= BIG)
    count = func.count()
    sums = [
        count.label("present"),
        count.filter(rated).label("rated"),
        func.sum(cf.numerator).filter(rated).label("num"),
        func.sum(cf.denominator).filter(rated).label("den"),
        func.count(cf.done).label("told"),
        count.filter(cf.done.is_(True)).label("done"),
        count.filter(rated, cf.numerator >= cf.denominator).label("full"),
        func.max(cf.as_of).label("newest"),
        func.aggregate_strings(cast(cf.unit_id, String), ",").filter(stale).label("stale"),
        count.filter(odd).label("odd"),
    ]
    statement = (
        select(
            cf.indicator_id,
            *(sums if with_sums else []),
            (count.filter(rated, case(higher, value=cf.indicator_id)) if higher
             else literal(0)).label("above"),
            func.max(case((cf.unit_id == (focus_unit or 0), cf.figure_id))).label("focus"),
            *_version_columns(conn),
        )
        .where(where)
        .group_by(cf.indicator_id)
    )  # fmt: skip
    rows = (await conn.execute(statement)).all()
    if not rows:
        version, idle = await data_version(conn)
        return Summaries(version, idle, True, {})
    if not with_sums:
        found = {int(r.indicator_id): _ranked(r) for r in rows}
        return Summaries(_version(rows[0]), bool(rows[0].v_idle), True, found)
    exact = all(r.newest <= day and not r.odd for r in rows)
    by_indicator = {int(r.indicator_id): _summary(r) for r in rows}
    return Summaries(_version(rows[0]), bool(rows[0].v_idle), exact, by_indicator)


def _ranked(r: Any) -> Summary:
    focus = None if r.focus is None else int(r.focus)
    return Summary(int(r.indicator_id), 0, 0, 0, 0, 0, 0, 0, None, frozenset(), int(r.above), focus)


def _summary(r: Any) -> Summary:
    stale = frozenset(int(x) for x in r.stale.split(",")) if r.stale else frozenset()
    return Summary(
        int(r.indicator_id), int(r.present), int(r.rated), int(r.num or 0), int(r.den or 0),
        int(r.told),
        int(r.done), int(r.full), r.newest, stale, int(r.above),
        None if r.focus is None else int(r.focus),
    )  # fmt: skip


async def data_version(conn: AsyncConnection) -> tuple[Version | None, bool]:
    """(the newest figure's id and created_at, no writer in progress): a cache key."""
    r = (await conn.execute(select(*_version_columns(conn)))).one()
    return _version(r), bool(r.v_idle)


async def present_units(
    conn: AsyncConnection, indicator_ids: Iterable[int], day: date
) -> tuple[Version | None, set[tuple[int, int]]]:
    """(indicator_id, unit_id) pairs with a current figure dated on or before the day."""
    cf = current_figures.c
    found = (
        await conn.execute(
            select(cf.indicator_id, cf.unit_id).where(
                cf.indicator_id.in_(list(indicator_ids)), cf.as_of <= day
            )
        )
    ).all()
    version, _ = await data_version(conn)
    return version, {(int(r.indicator_id), int(r.unit_id)) for r in found}


@dataclass(frozen=True)
class Pooled:
    """The pooled sums of an indicator at a past day (yes/no: told, done)."""

    numerator: int
    denominator: int
    told: int
    done: int


@functools.cache
def _as_of_day() -> Subquery:
    return as_of_union(False, None).subquery()


async def pooled_at(
    conn: AsyncConnection, assigned: Mapping[int, frozenset[int]], day: date
) -> tuple[Version | None, bool, dict[int, Pooled]] | None:
    """Per indicator, Σ numerator and Σ denominator (numerator set, denominator non-zero) and
    the yes/no counts over the assigned units' figures as of a day: one statement, each pair's
    figure sought in SQL (as_of_selects), nothing per unit comes back."""
    ids = list(assigned)
    sub = _as_of_day()
    where = assigned_clause(sub.c.indicator_id, sub.c.unit_id, assigned)
    if where is None or not ids:
        return None
    rated = and_(sub.c.numerator.is_not(None), sub.c.denominator != 0)
    statement = (
        select(
            sub.c.indicator_id,
            func.sum(sub.c.numerator).filter(rated).label("num"),
            func.sum(sub.c.denominator).filter(rated).label("den"),
            func.count(sub.c.done).label("told"),
            func.count().filter(sub.c.done.is_(True)).label("done"),
            *_version_columns(conn),
        )
        .where(where)
        .group_by(sub.c.indicator_id)
    )
    rows = (await conn.execute(statement, as_of_values(ids, [day]))).all()
    if not rows:
        version, idle = await data_version(conn)
        return version, idle, {}
    out = {
        int(r.indicator_id): Pooled(int(r.num or 0), int(r.den or 0), int(r.told), int(r.done))
        for r in rows
    }
    return _version(rows[0]), bool(rows[0].v_idle), out
