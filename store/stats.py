"""Reporting reads beyond `figures.latest_as_of`: several dates at once, who reported, history."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncConnection

from store.figures import FigureRow, _row
from store.schema import figures


def _live() -> object:
    return and_(figures.c.superseded_by.is_(None), figures.c.voided.is_(False))


def _ranked_at(
    indicator_ids: list[int], day: date, tag: int, unit_ids: list[int] | None
) -> Select[Any]:
    ranked = (
        select(
            figures,
            literal(tag).label("tag"),
            func.row_number()
            .over(
                partition_by=(figures.c.indicator_id, figures.c.unit_id),
                order_by=(figures.c.as_of.desc(), figures.c.id.desc()),
            )
            .label("rn"),
        )
        .where(figures.c.indicator_id.in_(indicator_ids))
        .where(figures.c.as_of <= day)
        .where(_live())  # type: ignore[arg-type]
    )
    if unit_ids is not None:
        ranked = ranked.where(figures.c.unit_id.in_(unit_ids))
    sub = ranked.subquery()
    return select(sub).where(sub.c.rn == 1)


async def latest_at(
    conn: AsyncConnection,
    indicator_ids: Iterable[int],
    days: Sequence[date],
    unit_ids: Iterable[int] | None = None,
) -> dict[date, list[FigureRow]]:
    """Each unit's latest live figure per indicator as of each day (now and a baseline, for a
    change): one statement whatever the number of days."""
    ids = list(indicator_ids)
    units = None if unit_ids is None else list(unit_ids)
    out: dict[date, list[FigureRow]] = {d: [] for d in days}
    if not ids or not days:
        return out
    parts = [_ranked_at(ids, d, i, units) for i, d in enumerate(days)]
    statement: Any = parts[0] if len(parts) == 1 else union_all(*parts)
    for r in (await conn.execute(statement)).all():
        out[days[r.tag]].append(_row(r))
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
