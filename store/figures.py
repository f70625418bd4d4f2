"""Figures repository: append-only submissions, supersession, and as-of reads."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from store.schema import figures, pending_actions, users


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
    supersedes_id: int | None = None
    chat_id: int | None = None
    message_id: int | None = None
    note: str | None = None


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
        supersedes_id=r.supersedes_id,  # type: ignore[attr-defined]
        chat_id=r.chat_id,  # type: ignore[attr-defined]
        message_id=r.message_id,  # type: ignore[attr-defined]
        note=r.note,  # type: ignore[attr-defined]
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


# --- submissions by message: supersession, undo, history (issue 4) ---------------------------


@dataclass(frozen=True)
class HistoryRow:
    """A figure as /lichsu shows it: every version, with who and when."""

    figure: FigureRow
    actor_name: str
    voided: bool
    superseded: bool


async def insert_figure(conn: AsyncConnection, row: dict[str, object]) -> int:
    """Append one figure and return its id."""
    result = await conn.execute(insert(figures).values(**row))
    return int(result.inserted_primary_key[0])  # type: ignore[index]


async def supersede(conn: AsyncConnection, old_id: int, new_id: int, now: datetime) -> None:
    """Mark `old_id` as replaced by `new_id` (an edit or an undo); values are never touched."""
    await conn.execute(
        update(figures)
        .where(figures.c.id == old_id, figures.c.superseded_by.is_(None))
        .values(superseded_by=new_id, superseded_at=now)
    )


async def void_figure(
    conn: AsyncConnection, old: FigureRow, now: datetime, actor_user_id: int | None,
    update_id: int | None, source: str = "undo",
) -> int:  # fmt: skip
    """Undo: a voided row that supersedes `old`, so reads fall back to the figure before it."""
    new_id = await insert_figure(
        conn,
        {
            "unit_id": old.unit_id, "indicator_id": old.indicator_id, "as_of": old.as_of,
            "voided": True, "derived": False, "source": source[:12], "created_at": now,
            "actor_user_id": actor_user_id, "update_id": update_id, "supersedes_id": old.id,
        },
    )  # fmt: skip
    await supersede(conn, old.id, new_id, now)
    return new_id


RESTORE = "restore"  # source of a figure that brings back the value an undone edit replaced


async def version_before(conn: AsyncConnection, row: FigureRow) -> FigureRow | None:
    """The figure an edit replaced with `row` (what undoing `row` brings back), or None.

    A restored copy stands for the figure it restores (its supersedes_id), so undoing twice
    walks further back instead of bringing the edit back.
    """
    target = row
    while target.source == RESTORE and target.supersedes_id is not None:
        found = await conn.execute(select(figures).where(figures.c.id == target.supersedes_id))
        first = found.first()
        if first is None:
            return None
        target = _row(first)
    before = await conn.execute(
        select(figures)
        .where(figures.c.superseded_by == target.id, figures.c.voided.is_(False))
        .order_by(figures.c.id.desc())
        .limit(1)
    )
    first = before.first()
    return _row(first) if first is not None else None


async def restore_figure(
    conn: AsyncConnection, current: FigureRow, earlier: FigureRow, now: datetime,
    actor_user_id: int | None, update_id: int | None,
) -> int:  # fmt: skip
    """Undo an edit: a copy of `earlier`'s values replaces `current` (nothing is rewritten)."""
    new_id = await insert_figure(
        conn,
        {
            "unit_id": earlier.unit_id, "indicator_id": earlier.indicator_id,
            "numerator": earlier.numerator, "denominator": earlier.denominator,
            "done": earlier.done, "as_of": earlier.as_of, "derived": earlier.derived,
            "source": RESTORE, "actor_user_id": actor_user_id, "created_at": now,
            "chat_id": current.chat_id, "message_id": current.message_id,
            "update_id": update_id, "voided": False, "supersedes_id": earlier.id,
            "note": earlier.note,
        },
    )  # fmt: skip
    await supersede(conn, current.id, new_id, now)
    return new_id


async def live_by_message(conn: AsyncConnection, chat_id: int, message_id: int) -> list[FigureRow]:
    """Live figures that came from one Telegram message (to correct or undo them)."""
    rows = await conn.execute(
        select(figures)
        .where(figures.c.chat_id == chat_id, figures.c.message_id == message_id)
        .where(_current())  # type: ignore[arg-type]
        .order_by(figures.c.id)
    )
    return [_row(r) for r in rows]


async def any_by_message(conn: AsyncConnection, chat_id: int, message_id: int) -> bool:
    """Whether a message ever produced figures (an edit of it is then a correction)."""
    row = await conn.execute(
        select(figures.c.id)
        .where(figures.c.chat_id == chat_id, figures.c.message_id == message_id)
        .limit(1)
    )
    return row.first() is not None


async def last_message_of_actor(
    conn: AsyncConnection, actor_user_id: int
) -> tuple[int, int] | None:
    """(chat_id, message_id) of the actor's latest live submission by message."""
    row = (
        await conn.execute(
            select(figures.c.chat_id, figures.c.message_id)
            .where(figures.c.actor_user_id == actor_user_id)
            .where(figures.c.chat_id.is_not(None), figures.c.message_id.is_not(None))
            .where(_current())  # type: ignore[arg-type]
            .order_by(figures.c.id.desc())
            .limit(1)
        )
    ).first()
    return (int(row.chat_id), int(row.message_id)) if row else None


async def unit_series(
    conn: AsyncConnection, unit_id: int, indicator_ids: Iterable[int]
) -> dict[int, list[FigureRow]]:
    """The unit's live figures per indicator, oldest first (as_of, then id)."""
    rows = await conn.execute(
        select(figures)
        .where(figures.c.unit_id == unit_id, figures.c.indicator_id.in_(list(indicator_ids)))
        .where(_current())  # type: ignore[arg-type]
        .order_by(figures.c.as_of, figures.c.id)
    )
    series: dict[int, list[FigureRow]] = {}
    for r in rows:
        series.setdefault(r.indicator_id, []).append(_row(r))
    return series


async def reported_since(conn: AsyncConnection, unit_id: int, since: date) -> set[int]:
    """Indicator ids with a live figure of this unit dated on or after `since`."""
    rows = await conn.execute(
        select(figures.c.indicator_id)
        .where(figures.c.unit_id == unit_id, figures.c.as_of >= since)
        .where(_current())  # type: ignore[arg-type]
        .distinct()
    )
    return {int(r.indicator_id) for r in rows}


async def history(
    conn: AsyncConnection,
    *,
    unit_ids: Iterable[int] | None = None,
    indicator_ids: Iterable[int] | None = None,
    limit: int = 15,
) -> list[HistoryRow]:
    """Recent figures, newest first, every version (superseded and undo rows included)."""
    stmt = (
        select(figures, users.c.full_name)
        .select_from(figures.outerjoin(users, users.c.id == figures.c.actor_user_id))
        .order_by(figures.c.id.desc())
        .limit(limit)
    )
    if unit_ids is not None:
        stmt = stmt.where(figures.c.unit_id.in_(list(unit_ids)))
    if indicator_ids is not None:
        stmt = stmt.where(figures.c.indicator_id.in_(list(indicator_ids)))
    rows = await conn.execute(stmt)
    return [
        HistoryRow(_row(r), r.full_name or "", bool(r.voided), r.superseded_by is not None)
        for r in rows
    ]


# --- pending confirmations and choices of figures (pending_actions rows of kind fig_*) ----


async def put_pending(
    conn: AsyncConnection, *, pending_id: str, kind: str, user_id: int, chat_id: int,
    payload: dict[str, object], now: datetime, expires_at: datetime,
) -> None:  # fmt: skip
    await conn.execute(
        insert(pending_actions).values(
            id=pending_id, kind=kind, user_id=user_id, chat_id=chat_id, payload=payload,
            created_at=now, expires_at=expires_at, status="open",
        )
    )  # fmt: skip


async def take_pending(
    conn: AsyncConnection, pending_id: str, user_id: int, now: datetime, status: str = "done"
) -> dict[str, object] | None:
    """Close an open, unexpired pending action of this user and return its row; else None.

    The status change is conditional, so two workers answering one button apply it once.
    """
    row = (
        await conn.execute(select(pending_actions).where(pending_actions.c.id == pending_id))
    ).first()
    if row is None or row.user_id != user_id or row.status != "open":
        return None
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=now.tzinfo)
    if expires < now:
        return None
    result = await conn.execute(
        update(pending_actions)
        .where(pending_actions.c.id == pending_id, pending_actions.c.status == "open")
        .values(status=status)
    )
    if not result.rowcount:
        return None
    return {"kind": row.kind, "chat_id": row.chat_id, "payload": dict(row.payload or {})}
