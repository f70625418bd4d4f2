"""Reporting reads beyond `figures.latest_as_of`: several dates at once, who reported, history."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    false,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from store.figures import (
    FIGURE_ROW,
    AsOfRow,
    FigureRow,
    as_of_seek,
    as_of_union,
    as_of_values,
    live,
)
from store.schema import current_figures, figures


async def latest_rows_at(
    conn: AsyncConnection,
    indicator_ids: Iterable[int],
    days: Sequence[date],
    unit_ids: Iterable[int] | None = None,
) -> dict[date, list[AsOfRow]]:
    """Each unit's latest live figure per indicator as of each day (now and a baseline, for a
    change), as AsOfRow tuples: one statement whatever the number of days, from
    current_figures (and `figures` only for the pairs whose current figure is newer)."""
    ids = list(indicator_ids)
    units = None if unit_ids is None else list(unit_ids)
    out: dict[date, list[AsOfRow]] = {d: [] for d in days}
    if not ids or not days:
        return out
    values = as_of_values(ids, days, units)
    if len(days) == 1:  # untagged: each row is the figure's 8 columns
        # all(): row by row through the result cost more
        result = await conn.execute(as_of_union(conn.dialect.name, units is not None, None), values)
        out[days[0]] = [tuple(r) for r in result.all()]
        return out
    stmt = as_of_union(conn.dialect.name, units is not None, len(days))
    for r in (await conn.execute(stmt, values)).all():
        out[days[r[8]]].append(r[:8])  # the tag follows the figure's columns
    return out


async def reported_between(
    conn: AsyncConnection, indicator_ids: Iterable[int], start: date, end: date
) -> set[tuple[int, int]]:
    """(unit_id, indicator_id) pairs with a live figure dated within [start, end]."""
    statement = (
        select(figures.c.unit_id, figures.c.indicator_id)
        .where(figures.c.indicator_id.in_(list(indicator_ids)))
        .where(figures.c.as_of.between(start, end))
        .where(live(figures))
        .distinct()
    )
    return {(r[0], r[1]) for r in (await conn.execute(statement)).all()}  # by position: fast


async def history(
    conn: AsyncConnection,
    indicator_ids: Iterable[int],
    until: date,
    unit_ids: Iterable[int] | None = None,
) -> list[FigureRow]:
    """Every live figure up to a day, oldest first: the raw material of a trend."""
    statement = (
        select(*FIGURE_ROW)
        .where(figures.c.indicator_id.in_(list(indicator_ids)))
        .where(figures.c.as_of <= until)
        .where(live(figures))
        .order_by(figures.c.as_of, figures.c.id)
    )
    if unit_ids is not None:
        statement = statement.where(figures.c.unit_id.in_(list(unit_ids)))
    return [FigureRow(*r) for r in (await conn.execute(statement)).all()]


async def count_by_source(conn: AsyncConnection, source: str) -> int:
    """How many live figures came from one source ('demo')."""
    statement = select(func.count()).select_from(figures).where(figures.c.source == source)
    return int((await conn.execute(statement)).scalar_one())


# --- per-indicator summaries in SQL (issue 13): no per-unit rows for a status or an overview --

BIG = 2**31  # |numerator|, |denominator| below this: a cross-multiplication fits in 64 bits
MAX_HOLES = 500  # ids inside an assigned range that are not assigned (written into the SQL)

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


def _version_columns(dialect: str) -> list[Any]:
    newest = select(figures.c.id).order_by(figures.c.id.desc()).limit(1).scalar_subquery()
    stamp = select(figures.c.created_at).order_by(figures.c.id.desc()).limit(1).scalar_subquery()
    idle: Any = literal(True)
    if dialect == "postgresql":  # no transaction in progress at the snapshot
        idle = literal_column(
            "pg_snapshot_xmin(pg_current_snapshot()) = pg_snapshot_xmax(pg_current_snapshot())"
        )
    return [newest.label("v_id"), stamp.label("v_at"), idle.label("v_idle")]


def _version(r: Any) -> Version | None:
    return None if r.v_id is None else (int(r.v_id), r.v_at)


# --- the assigned pairs, written into the SQL as constants ------------------------------------


@dataclass(frozen=True)
class _Group:
    """Indicators assigned the same units: unit ids within [lo, hi], less the holes."""

    indicator_ids: tuple[int, ...]
    lo: int
    hi: int
    holes: tuple[int, ...]


Assigned = tuple[tuple[int, frozenset[int]], ...]  # (indicator id, its units), hashable


@functools.lru_cache(maxsize=64)
def _groups(assigned: Assigned) -> tuple[_Group, ...] | None:
    """The assigned pairs as groups (None when a group has more than MAX_HOLES holes). Cached:
    the sets are the services' cached frozensets, whose hashes Python keeps."""
    by_units: dict[frozenset[int], list[int]] = {}
    for indicator_id, units in assigned:
        by_units.setdefault(units, []).append(indicator_id)
    out = []
    for units, ids in by_units.items():
        if not units:
            continue
        lo, hi = min(units), max(units)
        if hi - lo + 1 - len(units) > MAX_HOLES:
            return None
        out.append(_Group(tuple(ids), lo, hi, tuple(sorted(set(range(lo, hi + 1)) - units))))
    return tuple(out)


def _constants(values: Sequence[int]) -> Any:
    """A list written into the SQL text, not bound. PostgreSQL plans a prepared statement
    generically after five runs: with the indicator ids and unit range as parameters that plan
    guessed 0.5% of current_figures and tested each row against the list one id at a time (the
    unit's rank: 65 ms instead of 29; the start-of-year sums: 1.8 s instead of 0.6). These are
    the catalogue's ids, so the statement's text does not change from one call to the next."""
    return bindparam(None, list(values), type_=Integer, expanding=True, literal_execute=True)


def _constant(value: int) -> Any:
    return bindparam(None, value, type_=Integer, literal_execute=True)


def _scope(indicator: Any, unit: Any, groups: tuple[_Group, ...]) -> ColumnElement[bool]:
    """(indicator, unit) is assigned: per group, the indicator one of its ids and the unit id
    within [lo, hi] and not one of the holes."""
    parts = []
    for g in groups:
        cond = [indicator.in_(_constants(g.indicator_ids)),
                unit.between(_constant(g.lo), _constant(g.hi))]  # fmt: skip
        if g.holes:
            cond.append(unit.not_in(_constants(g.holes)))
        parts.append(and_(*cond))
    return or_(*parts) if parts else false()


# --- the statements: sums, ranks, the focus unit ---------------------------------------------


def _focus_table(count: int) -> Any:
    """v(i, n, d): each indicator, and the focus unit's rated figure there (NULLs if none). A
    UNION ALL of one-row selects, not VALUES: SQLAlchemy compiles VALUES again at every call."""
    rows = [
        select(bindparam(f"i{k}", type_=Integer).label("i"),
               bindparam(f"n{k}", type_=BigInteger).label("n"),
               bindparam(f"d{k}", type_=BigInteger).label("d"))
        for k in range(count)
    ]  # fmt: skip
    return union_all(*rows).cte("v")


def _focus_values(
    ids: Sequence[int], focus: Mapping[int, tuple[int, int]], focus_unit: int | None
) -> dict[str, object]:
    out: dict[str, object] = {"focus_unit": focus_unit}
    for k, i in enumerate(ids):
        n, d = focus.get(i, (None, None))
        out[f"i{k}"], out[f"n{k}"], out[f"d{k}"] = i, n, d
    return out


def _rank_columns(v: Any, groups: tuple[_Group, ...]) -> list[Any]:
    """Per row of v: how many assigned rated units rate strictly higher than the focus unit, and
    the focus unit's figure id. One count per indicator over its own index range, in a branch
    per group of indicators: the unit range is then a constant of the branch, not a test of
    every row (a CASE on the indicator over all rows, as before, took about twice as long)."""
    r = current_figures.alias("r")
    counts, own = [], []
    for g in groups:
        assigned = [
            r.c.indicator_id == v.c.i,
            r.c.unit_id.between(_constant(g.lo), _constant(g.hi)),
        ]
        if g.holes:
            assigned.append(r.c.unit_id.not_in(_constants(g.holes)))
        higher = (
            select(func.count())
            .where(*assigned, r.c.numerator.is_not(None), r.c.denominator != 0)
            .where(r.c.numerator * v.c.d > v.c.n * r.c.denominator)
            .scalar_subquery()
        )
        figure = (
            select(r.c.figure_id)
            .where(*assigned, r.c.unit_id == bindparam("focus_unit", type_=Integer))
            .scalar_subquery()
        )
        member = v.c.i.in_(_constants(g.indicator_ids))
        counts.append((member, higher))
        own.append((member, figure))
    # no rated figure of the focus unit: no count to make (and nothing scanned)
    above = case((v.c.n.is_(None), 0), *counts, else_=0)
    focus = case(*own, else_=None) if own else null()
    return [above.label("above"), focus.label("focus")]


@functools.lru_cache(maxsize=32)
def _ranks_statement(dialect: str, groups: tuple[_Group, ...], count: int) -> Select[Any]:
    v = _focus_table(count)
    return select(
        v.c.i.label("indicator_id"), *_rank_columns(v, groups), *_version_columns(dialect)
    )


@functools.lru_cache(maxsize=32)
def _sums_statement(
    dialect: str, groups: tuple[_Group, ...], count: int, stale: tuple[tuple[int, ...], ...]
) -> Select[Any]:
    """The sums per indicator (stale: indicator ids per cut-off, the cut-offs bound as c0, c1…)
    joined to the rank columns of _focus_table."""
    cf = current_figures.c
    rated = and_(cf.numerator.is_not(None), cf.denominator != 0)
    late = or_(false(), *(and_(cf.indicator_id.in_(_constants(ids)),
                               cf.as_of < bindparam(f"c{k}", type_=Date))
                          for k, ids in enumerate(stale)))  # fmt: skip
    odd = or_(cf.denominator < 0, cf.numerator >= BIG, cf.numerator <= -BIG, cf.denominator >= BIG)
    count_ = func.count()
    sums = (
        select(
            cf.indicator_id,
            count_.label("present"),
            count_.filter(rated).label("rated"),
            func.sum(cf.numerator).filter(rated).label("num"),
            func.sum(cf.denominator).filter(rated).label("den"),
            func.count(cf.done).label("told"),
            count_.filter(cf.done.is_(True)).label("done"),
            count_.filter(rated, cf.numerator >= cf.denominator).label("full"),
            func.max(cf.as_of).label("newest"),
            func.aggregate_strings(cast(cf.unit_id, String), ",").filter(late).label("stale"),
            count_.filter(odd).label("odd"),
        )
        .where(_scope(cf.indicator_id, cf.unit_id, groups))
        .group_by(cf.indicator_id)
        .subquery("s")
    )
    v = _focus_table(count)
    return select(*sums.c, *_rank_columns(v, groups), *_version_columns(dialect)).select_from(
        v.join(sums, sums.c.indicator_id == v.c.i)
    )


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
    None when the assigned sets cannot be written out (then read the rows)."""
    groups = _groups(tuple(assigned.items()))
    if groups is None or not assigned:
        return None
    ids = list(assigned)
    params = _focus_values(ids, focus or {}, focus_unit)
    if with_sums:
        cutoffs: dict[date, list[int]] = {}
        for indicator_id, cutoff in stale_before.items():
            cutoffs.setdefault(cutoff, []).append(indicator_id)
        stale = tuple(tuple(i) for i in cutoffs.values())
        statement = _sums_statement(conn.dialect.name, groups, len(ids), stale)
        params.update({f"c{k}": cutoff for k, cutoff in enumerate(cutoffs)})
    else:
        statement = _ranks_statement(conn.dialect.name, groups, len(ids))
    rows = (await conn.execute(statement, params)).all()
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
    r = (await conn.execute(_data_version(conn.dialect.name))).one()
    return _version(r), bool(r.v_idle)


@functools.cache
def _data_version(dialect: str) -> Select[Any]:
    return select(*_version_columns(dialect))


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


async def pooled_at(
    conn: AsyncConnection, assigned: Mapping[int, frozenset[int]], day: date
) -> tuple[Version | None, bool, dict[int, Pooled]] | None:
    """Per indicator, Σ numerator and Σ denominator (numerator set, denominator non-zero) and
    the yes/no counts over the assigned units' figures as of a day: one statement, each pair's
    figure sought in SQL, nothing per unit comes back."""
    groups = _groups(tuple(assigned.items()))
    if groups is None or not assigned:
        return None
    statement = _pooled_statement(conn.dialect.name, groups)
    rows = (await conn.execute(statement, {"day": day})).all()
    if not rows:
        version, idle = await data_version(conn)
        return version, idle, {}
    out = {
        int(r.indicator_id): Pooled(int(r.num or 0), int(r.den or 0), int(r.told), int(r.done))
        for r in rows
    }
    return _version(rows[0]), bool(rows[0].v_idle), out


@functools.lru_cache(maxsize=32)
def _pooled_statement(dialect: str, groups: tuple[_Group, ...]) -> Select[Any]:
    sub = _as_of_pairs(dialect, groups)
    rated = and_(sub.c.numerator.is_not(None), sub.c.denominator != 0)
    return select(
        sub.c.indicator_id,
        func.sum(sub.c.numerator).filter(rated).label("num"),
        func.sum(sub.c.denominator).filter(rated).label("den"),
        func.count(sub.c.done).label("told"),
        func.count().filter(sub.c.done.is_(True)).label("done"),
        *_version_columns(dialect),
    ).group_by(sub.c.indicator_id)


def _as_of_pairs(dialect: str, groups: tuple[_Group, ...]) -> Any:
    """indicator_id, numerator, denominator, done of each assigned pair's figure as of :day,
    picked as store.figures.as_of_selects picks it: the current figure if dated on or before
    the day, else the latest live one that is (the same seek, store.figures.as_of_seek).

    Not as_of_union filtered by the assigned pairs: that filter, applied to the union's
    columns, reached `figures` in the older branch, and SQLite then looped over figures and
    sought current_figures by indicator alone (28 s for a change since last month). Here the
    pairs are those of current_figures."""
    cur = current_figures
    day = bindparam("day", type_=Date)
    scope = _scope(cur.c.indicator_id, cur.c.unit_id, groups)
    fresh = select(cur.c.indicator_id, cur.c.numerator, cur.c.denominator, cur.c.done)
    source, found = as_of_seek(dialect, day, ("numerator", "denominator", "done"))
    older = select(cur.c.indicator_id, found.numerator, found.denominator, found.done)
    older = older.select_from(source).where(scope, cur.c.as_of > day)
    return union_all(fresh.where(scope, cur.c.as_of <= day), older).subquery()
