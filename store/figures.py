"""Figures repository: append-only submissions, supersession, and as-of reads."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from store.schema import figures


@dataclass(frozen=True)
class FigureRow:
    """A stored figure, as the services see it (ids, not codes)."""

    id: int
    unit_id: int
    indicator_id: int
    numerator: int | None
    denominator: int | None
    done: bool | None
    as_of: date
    created_at: datetime
    actor_user_id: int | None
    derived: bool = False
    source: str = ""


def _row(r: object) -> FigureRow:
    return FigureRow(
        id=r.id,  # type: ignore[attr-defined]
        unit_id=r.unit_id,  # type: ignore[attr-defined]
        indicator_id=r.indicator_id,  # type: ignore[attr-defined]
        numerator=r.numerator,  # type: ignore[attr-defined]
        denominator=r.denominator,  # type: ignore[attr-defined]
        done=r.done,  # type: ignore[attr-defined]
        as_of=r.as_of,  # type: ignore[attr-defined]
        created_at=r.created_at,  # type: ignore[attr-defined]
        actor_user_id=r.actor_user_id,  # type: ignore[attr-defined]
        derived=r.derived,  # type: ignore[attr-defined]
        source=r.source,  # type: ignore[attr-defined]
    )


async def insert_figures(conn: AsyncConnection, rows: Sequence[dict[str, object]]) -> None:
    """Bulk append (demo, imports). Each row carries every non-null column of `figures`."""
    if rows:
        await conn.execute(insert(figures), list(rows))


def _current() -> object:
    """Live figures: not superseded, not an undo marker."""
    return and_(figures.c.superseded_by.is_(None), figures.c.voided.is_(False))


async def latest_as_of(
    conn: AsyncConnection,
    indicator_ids: Iterable[int],
    as_of: date,
    unit_ids: Iterable[int] | None = None,
) -> list[FigureRow]:
    """Each unit's latest live figure per indicator with as_of <= the date: one statement."""
    ranked = (
        select(
            figures,
            func.row_number()
            .over(
                partition_by=(figures.c.indicator_id, figures.c.unit_id),
                order_by=(figures.c.as_of.desc(), figures.c.id.desc()),
            )
            .label("rn"),
        )
        .where(figures.c.indicator_id.in_(list(indicator_ids)))
        .where(figures.c.as_of <= as_of)
        .where(_current())  # type: ignore[arg-type]
    )
    if unit_ids is not None:
        ranked = ranked.where(figures.c.unit_id.in_(list(unit_ids)))
    sub = ranked.subquery()
    rows = (await conn.execute(select(sub).where(sub.c.rn == 1))).all()
    return [_row(r) for r in rows]
