"""Reporting reads beyond `figures.latest_as_of`: several dates at once, who reported, history."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import and_, func, select, union_all
from sqlalchemy.ext.asyncio import AsyncConnection

from store.figures import FigureRow, _row, as_of_row, as_of_selects
from store.schema import figures


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
    parts = [p for i, d in enumerate(days) for p in as_of_selects(ids, d, units, tag=i)]
    for r in (await conn.execute(union_all(*parts))).all():
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
