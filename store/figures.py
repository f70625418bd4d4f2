"""Figures repository: append-only submissions, supersession, and as-of reads."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from operator import itemgetter
from typing import Any, Final, cast

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Select,
    Table,
    and_,
    bindparam,
    delete,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from store.schema import current_figures, figures, pending_actions, users

UNRECORDED = datetime(1970, 1, 1, tzinfo=UTC)  # created_at of a figure read from current_figures


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
    # as-of reads (latest_as_of) carry values only: UNRECORDED and None there
    created_at: datetime = UNRECORDED
    actor_user_id: int | None = None
    derived: bool = False
    source: str = ""
    supersedes_id: int | None = None
    chat_id: int | None = None
    message_id: int | None = None
    note: str | None = None


# An as-of row (store.stats.latest_rows_at; a submission's province figures), by position:
# row[AT_UNIT] is its unit id. Plain tuples, not FigureRow or a NamedTuple: the garbage
# collector stops tracking a tuple of plain values at its first pass, so a report's ~86,000
# rows add nothing to the full collections its other objects set off (NamedTuples stay
# tracked: a full collection more a report, ~0.2 s; and a FigureRow costs ~3 µs to build).
AsOfRow = tuple[int, int, int, int | None, int | None, bool | None, date, bool]
AT_ID: Final = 0
AT_UNIT: Final = 1
AT_INDICATOR: Final = 2
AT_NUMERATOR: Final = 3
AT_DENOMINATOR: Final = 4
AT_DONE: Final = 5
AT_AS_OF: Final = 6
AT_DERIVED: Final = 7


def values_of(row: FigureRow) -> AsOfRow:
    """A FigureRow's values as an AsOfRow (a new figure joining rows read as those)."""
    return (row.id, row.unit_id, row.indicator_id, row.numerator, row.denominator, row.done,
            row.as_of, row.derived)  # fmt: skip


# The columns of FigureRow, in its field order: a row of select(*FIGURE_ROW) builds one by
# position, FigureRow(*row) (by name it cost ~12 µs; a commune's history is fifty a message).
FIGURE_ROW = tuple(figures.c[f.name] for f in fields(FigureRow))


async def insert_figures(conn: AsyncConnection, rows: Sequence[dict[str, object]]) -> None:
    """Bulk append (demo, imports). Each row carries every non-null column of `figures`.

    The touched (indicator, unit) pairs' current figures are recomputed in the same
    transaction: two statements per PAIR_CHUNK pairs."""
    if rows:
        await conn.execute(insert(figures), list(rows))
        await refresh_current(conn, {_pair(r) for r in rows})


def _pair(row: dict[str, object]) -> tuple[int, int]:
    return int(cast(int, row["indicator_id"])), int(cast(int, row["unit_id"]))


def live(table: Any) -> ColumnElement[bool]:
    """Live figures: not superseded, not an undo marker."""
    return and_(table.c.superseded_by.is_(None), table.c.voided.is_(False))


# --- current_figures: each pair's latest live figure, kept in step with `figures` -------------

PAIR_CHUNK = 500  # pairs per delete + insert … select (bind parameters stay far below limits)
CURRENT_COLUMNS = ("indicator_id", "unit_id", "figure_id", "numerator", "denominator", "done",
                   "as_of", "derived")  # fmt: skip
_VALUES = ("numerator", "denominator", "done", "as_of", "derived")


def _pairs_clause(table: Table, pairs: Sequence[tuple[int, int]]) -> ColumnElement[bool]:
    """(indicator_id, unit_id) in pairs, as one IN list per indicator (index-friendly)."""
    by_indicator: dict[int, list[int]] = {}
    for indicator_id, unit_id in pairs:
        by_indicator.setdefault(indicator_id, []).append(unit_id)
    return or_(
        *(
            and_(table.c.indicator_id == i, table.c.unit_id.in_(units))
            for i, units in by_indicator.items()
        )
    )


def _latest_live(where: ColumnElement[bool]) -> Select[Any]:
    """Each pair's latest live figure among `where`, in CURRENT_COLUMNS order."""
    ranked = (
        select(
            figures.c.indicator_id, figures.c.unit_id, figures.c.id,
            *(figures.c[v] for v in _VALUES),
            func.row_number().over(
                partition_by=(figures.c.indicator_id, figures.c.unit_id),
                order_by=(figures.c.as_of.desc(), figures.c.id.desc()),
            ).label("rn"),
        )
        .where(where, live(figures))
        .subquery()
    )  # fmt: skip
    return select(
        ranked.c.indicator_id, ranked.c.unit_id, ranked.c.id, *(ranked.c[v] for v in _VALUES)
    ).where(ranked.c.rn == 1)


async def refresh_current(conn: AsyncConnection, pairs: Iterable[tuple[int, int]]) -> None:
    """Recompute current_figures for these (indicator_id, unit_id) pairs from `figures`:
    a delete and an insert … select per PAIR_CHUNK pairs."""
    unique = sorted(set(pairs))
    for start in range(0, len(unique), PAIR_CHUNK):
        chunk = unique[start : start + PAIR_CHUNK]
        await conn.execute(delete(current_figures).where(_pairs_clause(current_figures, chunk)))
        await conn.execute(
            insert(current_figures).from_select(
                CURRENT_COLUMNS, _latest_live(_pairs_clause(figures, chunk))
            )
        )


async def rebuild_current(conn: AsyncConnection) -> None:
    """current_figures from scratch (after figures were written behind the store's back)."""
    await conn.execute(delete(current_figures))
    await conn.execute(insert(current_figures).from_select(CURRENT_COLUMNS, _latest_live(true())))


def _upsert_current(dialect: str, figure_id: int, row: dict[str, object]) -> tuple[Any, dict]:
    """A new live figure becomes its pair's current one unless that is dated later: one
    statement (INSERT … ON CONFLICT DO UPDATE … WHERE, on SQLite and PostgreSQL alike)."""
    values = {
        "indicator_id": row["indicator_id"], "unit_id": row["unit_id"], "figure_id": figure_id,
        "numerator": row.get("numerator"), "denominator": row.get("denominator"),
        "done": row.get("done"), "as_of": row["as_of"], "derived": bool(row.get("derived", False)),
    }  # fmt: skip
    return _upsert_current_statement(dialect), values


@functools.cache
def _upsert_current_statement(dialect: str) -> Any:
    """Built once per dialect (building it cost ~1.5 ms a figure); values come as parameters."""
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = make(current_figures)
    new, cur = stmt.excluded, current_figures.c
    newer = or_(new.as_of > cur.as_of, and_(new.as_of == cur.as_of, new.figure_id > cur.figure_id))
    return stmt.on_conflict_do_update(
        index_elements=[cur.indicator_id, cur.unit_id],
        set_={c: new[c] for c in ("figure_id", *_VALUES)},
        where=newer,
    )


async def _unseat(conn: AsyncConnection, figure_id: int, indicator_id: int, unit_id: int) -> None:
    """`figure_id` stopped being live: if it was its pair's current figure, recompute the pair."""
    pair = and_(current_figures.c.indicator_id == indicator_id,
                current_figures.c.unit_id == unit_id)  # fmt: skip
    gone = await conn.execute(
        delete(current_figures).where(pair, current_figures.c.figure_id == figure_id)
    )
    if gone.rowcount:
        where = and_(figures.c.indicator_id == indicator_id, figures.c.unit_id == unit_id)
        await conn.execute(
            insert(current_figures).from_select(CURRENT_COLUMNS, _latest_live(where))
        )


# --- as-of reads ---------------------------------------------------------------------------

_SEEK = figures.alias("g")
AS_OF_IDS, AS_OF_UNITS = "as_of_ids", "as_of_units"


def as_of_day_key(tag: int | None) -> str:
    """The day parameter of as_of_selects(…, tag): the untagged selects share tag 0's."""
    return f"as_of_day_{tag or 0}"


def as_of_values(
    indicator_ids: Sequence[int], days: Sequence[date], unit_ids: Sequence[int] | None = None
) -> dict[str, object]:
    """The parameters of as_of_union(…, len(days)), or of as_of_union(…, None) for one day."""
    values: dict[str, object] = {AS_OF_IDS: list(indicator_ids)}
    if unit_ids is not None:
        values[AS_OF_UNITS] = list(unit_ids)
    values |= {as_of_day_key(k): day for k, day in enumerate(days)}
    return values


def as_of_seek(dialect: str, day: Any, names: Sequence[str]) -> tuple[Any, Any]:
    """The older branch of an as-of read: current_figures joined to each pair's latest live
    figure dated on or before `day`, and the columns of that figure (`names` among them).

    On PostgreSQL a LATERAL seek: the join on `figures.id = (seek)` ran each seek twice there
    (memoized on its own result: once for the key, once for the join) before fetching the row
    by id (a start-of-year report: 0.34 s instead of 0.62). SQLite has no LATERAL: the seek
    finds the id, the join the row."""
    cur, g = current_figures, _SEEK
    latest = (
        select(*(g.c[n] for n in names))
        .where(g.c.indicator_id == cur.c.indicator_id, g.c.unit_id == cur.c.unit_id)
        .where(g.c.as_of <= day, live(g))
        .order_by(g.c.as_of.desc(), g.c.id.desc())
        .limit(1)
    )
    if dialect == "postgresql":
        found = latest.lateral("f")
        return cur.join(found, true()), found.c
    seek = latest.with_only_columns(g.c.id).scalar_subquery()
    return cur.join(figures, figures.c.id == seek), figures.c


@functools.cache
def as_of_selects(
    dialect: str, with_units: bool, tag: int | None = None
) -> tuple[Select[Any], Select[Any]]:
    """Two selects to UNION ALL: the pairs whose current figure is dated on or before the day
    straight from current_figures, and for the pairs whose current figure is newer (a past
    date) an index seek into `figures` for the latest live one dated on or before the day
    (as_of_seek). Columns: id, unit_id, indicator_id, numerator, denominator, done, as_of,
    derived[, tag].

    Built once per shape with bound parameters (as_of_values): building the expression
    costs ~0.4 ms, more than running it on a commune's data."""
    cur = current_figures
    day = bindparam(as_of_day_key(tag), type_=figures.c.as_of.type)
    # The indicator ids are written into the SQL (still one cached compilation): after five
    # runs PostgreSQL plans a bound id list generically and misjudges how many rows match
    # (in store/stats.py this took a statement from 65 ms back to 30 ms). The price: unlike
    # stats.py's catalogue-wide list, the ids vary per call (a message's indicators), so each
    # new id set is a new statement text on PostgreSQL, prepared anew and given a slot of
    # asyncpg's statement cache.
    scope = [cur.c.indicator_id.in_(bindparam(AS_OF_IDS, expanding=True, literal_execute=True))]
    if with_units:
        scope.append(cur.c.unit_id.in_(bindparam(AS_OF_UNITS, expanding=True)))
    extra = [] if tag is None else [literal(tag).label("tag")]
    fresh = select(
        cur.c.figure_id.label("id"), cur.c.unit_id, cur.c.indicator_id,
        *(cur.c[v] for v in _VALUES), *extra,
    ).where(*scope, cur.c.as_of <= day)  # fmt: skip
    names = ("id", "unit_id", "indicator_id", *_VALUES)
    source, found = as_of_seek(dialect, day, names)
    older = select(*(found[n] for n in names), *extra).select_from(source)
    return fresh, older.where(*scope, cur.c.as_of > day)


@functools.cache
def as_of_union(dialect: str, with_units: bool, days: int | None) -> CompoundSelect[Any]:
    """as_of_selects for one untagged day (days=None) or `days` tagged days, as one UNION ALL."""
    tags: list[int | None] = [None] if days is None else list(range(days))
    return union_all(*(s for tag in tags for s in as_of_selects(dialect, with_units, tag)))


def as_of_row(r: Any) -> FigureRow:
    """A row of as_of_selects (by position: a hundred thousand of them must be cheap)."""
    return FigureRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], derived=bool(r[7]))


async def latest_as_of(
    conn: AsyncConnection,
    indicator_ids: Iterable[int],
    as_of: date,
    unit_ids: Iterable[int] | None = None,
) -> list[FigureRow]:
    """Each unit's latest live figure per indicator with as_of <= the date: one statement,
    from current_figures (and `figures` only for pairs whose current figure is newer)."""
    ids = list(indicator_ids)
    if not ids:
        return []
    units = None if unit_ids is None else list(unit_ids)
    values = as_of_values(ids, [as_of], units)
    stmt = as_of_union(conn.dialect.name, units is not None, None)
    rows = (await conn.execute(stmt, values)).all()
    return [as_of_row(r) for r in rows]


async def rated_as_of(
    conn: AsyncConnection, indicator_ids: Iterable[int], days: Sequence[date]
) -> list[list[tuple[int, int, int, int, date]]]:
    """Per day (same order), each unit's latest live figure per indicator dated on or before it,
    as `latest_as_of` picks it, kept only when rated (numerator set, denominator non-zero):
    (indicator_id, unit_id, numerator, denominator, as_of). One statement for all the days."""
    ids = list(indicator_ids)
    out: list[list[tuple[int, int, int, int, date]]] = [[] for _ in days]
    if not ids or not days:
        return out
    stmt = _rated_as_of(conn.dialect.name, len(days))
    for tag, indicator_id, unit_id, num, den, as_of in await conn.execute(
        stmt, as_of_values(ids, days)
    ):
        out[tag].append((indicator_id, unit_id, num, den, as_of))
    return out


@functools.cache
def _rated_as_of(dialect: str, days: int) -> Select[Any]:
    c = as_of_union(dialect, False, days).subquery().c
    return select(c.tag, c.indicator_id, c.unit_id, c.numerator, c.denominator, c.as_of).where(
        c.numerator.is_not(None), c.denominator != 0
    )


# --- submissions by message: supersession, undo, history (issue 4) ---------------------------


@dataclass(frozen=True)
class HistoryRow:
    """A figure as /lichsu shows it: every version, with who and when."""

    figure: FigureRow
    actor_name: str
    voided: bool
    superseded: bool


_INSERT_FIGURE = insert(figures)  # the row comes as parameters: no statement built per figure


async def insert_figure(conn: AsyncConnection, row: dict[str, object]) -> int:
    """Append one figure and return its id; a live one takes its pair's place in
    current_figures unless that holds a later figure (one more statement)."""
    result = await conn.execute(_INSERT_FIGURE, row)
    new_id = int(result.inserted_primary_key[0])  # type: ignore[index]
    if not row.get("voided") and row.get("superseded_by") is None:
        await conn.execute(*_upsert_current(conn.dialect.name, new_id, row))
    return new_id


async def supersede(conn: AsyncConnection, old_id: int, new_id: int, now: datetime) -> None:
    """Mark `old_id` as replaced by `new_id` (an edit or an undo); values are never touched.
    If `old_id` was its pair's current figure, the pair is recomputed (two more statements);
    otherwise one more (the conditional delete finds nothing)."""
    found = (
        await conn.execute(
            update(figures)
            .where(figures.c.id == old_id, figures.c.superseded_by.is_(None))
            .values(superseded_by=new_id, superseded_at=now)
            .returning(figures.c.indicator_id, figures.c.unit_id)
        )
    ).first()
    if found is not None:
        await _unseat(conn, old_id, int(found.indicator_id), int(found.unit_id))


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
        found = await conn.execute(select(*FIGURE_ROW).where(figures.c.id == target.supersedes_id))
        first = found.first()
        if first is None:
            return None
        target = FigureRow(*first)
    before = await conn.execute(
        select(*FIGURE_ROW)
        .where(figures.c.superseded_by == target.id, figures.c.voided.is_(False))
        .order_by(figures.c.id.desc())
        .limit(1)
    )
    first = before.first()
    return FigureRow(*first) if first is not None else None


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
        select(*FIGURE_ROW)
        .where(figures.c.chat_id == chat_id, figures.c.message_id == message_id)
        .where(live(figures))
        .order_by(figures.c.id)
    )
    return [FigureRow(*r) for r in rows]


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
            .where(live(figures))
            .order_by(figures.c.id.desc())
            .limit(1)
        )
    ).first()
    return (int(row.chat_id), int(row.message_id)) if row else None


def _unit_history(recent: bool) -> Select[Any]:
    """A unit's live figures (FIGURE_ROW columns) of :indicator_ids, and with `recent` also
    those of :recent_ids dated on or after :recent_since."""
    wanted: ColumnElement[bool] = figures.c.indicator_id.in_(
        bindparam("indicator_ids", expanding=True)
    )
    if recent:
        wanted = or_(wanted, and_(
            figures.c.indicator_id.in_(bindparam("recent_ids", expanding=True)),
            figures.c.as_of >= bindparam("recent_since", type_=figures.c.as_of.type),
        ))  # fmt: skip
    unit = figures.c.unit_id == bindparam("unit_id")
    return select(*FIGURE_ROW).where(unit, wanted, live(figures))


@functools.cache
def _unit_series() -> Select[Any]:
    return _unit_history(False).order_by(figures.c.as_of, figures.c.id)


async def unit_series(
    conn: AsyncConnection, unit_id: int, indicator_ids: Iterable[int]
) -> dict[int, list[FigureRow]]:
    """The unit's live figures per indicator, oldest first (as_of, then id)."""
    rows = await conn.execute(
        _unit_series(), {"unit_id": unit_id, "indicator_ids": list(indicator_ids)}
    )
    series: dict[int, list[FigureRow]] = {}
    for r in rows:
        series.setdefault(r[2], []).append(FigureRow(*r))
    return series


@functools.cache
def _unit_series_and_latest(dialect: str) -> CompoundSelect[Any]:
    """unit_series' rows (part 0: every one for indicator_ids, those dated since recent_since
    for recent_ids) and as-of rows padded to the same columns (part 1)."""
    history = _unit_history(True).add_columns(literal(0).label("part"))
    latest = as_of_union(dialect, False, None).subquery()
    padded = select(*(
        latest.c[f.name] if f.name in latest.c else null().label(f.name) for f in fields(FigureRow)
    ), literal(1).label("part"))  # fmt: skip
    # No ORDER BY: only part 0 needs an order, and its few rows are sorted in Python rather
    # than having the database sort every unit's as-of rows along with them.
    return union_all(history, padded)


async def unit_series_and_latest(
    conn: AsyncConnection, unit_id: int, indicator_ids: Iterable[int],
    latest_ids: Sequence[int], day: date, recent_ids: Iterable[int] = (), since: date = date.max,
) -> tuple[dict[int, list[FigureRow]], list[AsOfRow]]:  # fmt: skip
    """One statement for a submission's write transaction: unit_series(unit_id, indicator_ids)
    and latest_as_of(latest_ids, day) (every unit's, for the receipt's rank and province rate),
    which would otherwise cost a second trip. For `recent_ids` only the figures dated on or
    after `since` (whether the unit reported them this cycle, not years of history)."""
    values = {"unit_id": unit_id, "indicator_ids": list(indicator_ids)}
    values |= {"recent_ids": list(recent_ids), "recent_since": since}
    values |= as_of_values(latest_ids, [day])
    # all(), columns by position and an AsOfRow per unit: iterating the result row by row,
    # reading a Row by name and a FigureRow per unit were half of this read's ~0.7 ms
    own: list[Any] = []
    latest: list[AsOfRow] = []
    for r in (await conn.execute(_unit_series_and_latest(conn.dialect.name), values)).all():
        if r[-1]:  # part 1
            latest.append((r[0], r[1], r[2], r[3], r[4], r[5], r[6], bool(r[9])))
        else:
            own.append(r)
    own.sort(key=itemgetter(6, 0))  # as_of, id: unit_series' order (the union has none)
    series: dict[int, list[FigureRow]] = {}
    for r in own:
        series.setdefault(r[2], []).append(FigureRow(*r[:-1]))
    return series, latest


async def history(
    conn: AsyncConnection,
    *,
    unit_ids: Iterable[int] | None = None,
    indicator_ids: Iterable[int] | None = None,
    limit: int = 15,
) -> list[HistoryRow]:
    """Recent figures, newest first, every version (superseded and undo rows included)."""
    stmt = (
        select(*FIGURE_ROW, figures.c.voided, figures.c.superseded_by, users.c.full_name)
        .select_from(figures.outerjoin(users, users.c.id == figures.c.actor_user_id))
        .order_by(figures.c.id.desc())
        .limit(limit)
    )
    if unit_ids is not None:
        stmt = stmt.where(figures.c.unit_id.in_(list(unit_ids)))
    if indicator_ids is not None:
        stmt = stmt.where(figures.c.indicator_id.in_(list(indicator_ids)))
    n = len(FIGURE_ROW)  # then voided, superseded_by, full_name
    return [
        HistoryRow(FigureRow(*r[:n]), r[n + 2] or "", bool(r[n]), r[n + 1] is not None)
        for r in await conn.execute(stmt)
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
