"""current_figures stays equal to the window query over `figures` (the old read, kept here as
the oracle) after any mix of writes; the 0003 back-fill; as-of reads for past dates.

Every test runs on SQLite and on PostgreSQL (the `db_url` fixture in tests/conftest.py)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, func, insert, inspect, select
from sqlalchemy.ext.asyncio import AsyncConnection

from store import figures as store
from store.db import Database, downgrade_to, upgrade_to
from store.figures import AT_NUMERATOR, AT_UNIT
from store.schema import current_figures, figures, indicators, units
from store.stats import Pooled, latest_rows_at, pooled_at

NOW = datetime(2026, 4, 20, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
UNITS, INDICATORS = (1, 2, 3), (1, 2)
DAYS = [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 20)]
FAR = date(2100, 1, 1)
Key = tuple[int, int, int, int | None, int | None, bool | None, date, bool]


@pytest.fixture
async def db(db_url: str) -> AsyncIterator[Database]:
    database = Database(db_url)
    await database.migrate()
    async with database.write() as conn:
        await _catalogue(conn)
    yield database
    await database.close()


async def _catalogue(conn: AsyncConnection) -> None:
    await conn.execute(insert(units), [
        {"id": u, "code": f"u{u}", "name": f"Unit {u}", "kind": "xa", "aliases": []}
        for u in UNITS
    ])  # fmt: skip
    await conn.execute(insert(indicators), [
        {"id": i, "code": f"I{i}", "name": f"Ind {i}", "short": f"I{i}", "kind": "ratio",
         "aliases": [], "spec": {}}
        for i in INDICATORS
    ])  # fmt: skip


async def oracle(conn: AsyncConnection, day: date) -> set[Key]:
    """The read before current_figures existed: a window over each pair's whole history."""
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
        .where(figures.c.as_of <= day)
        .where(figures.c.superseded_by.is_(None), figures.c.voided.is_(False))
        .subquery()
    )
    rows = (await conn.execute(select(ranked).where(ranked.c.rn == 1))).all()
    return {_key(r.id, r) for r in rows}


def _key(figure_id: int, r: Any) -> Key:
    return (r.indicator_id, r.unit_id, figure_id, r.numerator, r.denominator,
            None if r.done is None else bool(r.done), r.as_of, bool(r.derived))  # fmt: skip


async def table(conn: AsyncConnection) -> set[Key]:
    return {_key(r.figure_id, r) for r in (await conn.execute(select(current_figures))).all()}


def _rows(found: list[store.FigureRow]) -> set[Key]:
    return {_key(r.id, r) for r in found}


def _figure(rnd: random.Random) -> dict[str, object]:
    return {
        "unit_id": rnd.choice(UNITS), "indicator_id": rnd.choice(INDICATORS),
        # now and then no numerator, or a zero denominator: not rated, left out of the sums
        "numerator": None if rnd.random() < 0.1 else rnd.randint(0, 50),
        "denominator": 0 if rnd.random() < 0.1 else 50, "done": rnd.choice([None, True]),
        "as_of": rnd.choice(DAYS), "derived": rnd.random() < 0.2, "source": "message",
        "created_at": NOW, "voided": False,
    }  # fmt: skip


async def _live(conn: AsyncConnection) -> list[store.FigureRow]:
    rows = await conn.execute(
        select(*store.FIGURE_ROW).where(
            figures.c.superseded_by.is_(None), figures.c.voided.is_(False)
        )
    )
    return [store.FigureRow(*r) for r in rows]


async def _step(conn: AsyncConnection, rnd: random.Random) -> str:
    """One random write through the store, as the services make them."""
    live = await _live(conn)
    op = rnd.choice(["insert", "insert", "bulk", "edit", "void", "restore", "stale"])
    if op in ("edit", "void", "restore", "stale") and not live:
        op = "insert"
    if op == "insert":
        await store.insert_figure(conn, _figure(rnd))
    elif op == "bulk":
        rows = [_figure(rnd) for _ in range(rnd.randint(1, 6))]
        if rnd.random() < 0.3:  # an undo marker among them: never current
            rows.append({**_figure(rnd), "voided": True})
        await store.insert_figures(conn, rows)
    elif op == "edit":  # a correction: maybe another date, supersedes the old one
        old = rnd.choice(live)
        new = {**_figure(rnd), "unit_id": old.unit_id, "indicator_id": old.indicator_id}
        new_id = await store.insert_figure(conn, {**new, "supersedes_id": old.id})
        await store.supersede(conn, old.id, new_id, NOW)
    elif op == "void":
        await store.void_figure(conn, rnd.choice(live), NOW, 7, None)
    elif op == "restore":
        current = rnd.choice(live)
        earlier = await store.version_before(conn, current)
        if earlier is None:
            await store.void_figure(conn, current, NOW, 7, None)
        else:
            await store.restore_figure(conn, current, earlier, NOW, 7, None)
    else:  # superseding an already replaced figure changes nothing
        replaced = select(figures.c.id).where(figures.c.superseded_by.is_not(None))
        gone = (await conn.execute(replaced)).first()
        if gone is not None:
            await store.supersede(conn, gone.id, live[0].id, NOW)
    return op


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_current_figures_equal_the_window_query_after_random_writes(
    db: Database, seed: int
) -> None:
    rnd = random.Random(seed)
    ops: list[str] = []
    for _ in range(60):
        async with db.write() as conn:
            for _ in range(rnd.randint(1, 3)):  # several writes in one transaction too
                ops.append(await _step(conn, rnd))
        async with db.read() as conn:
            expected = await oracle(conn, FAR)
            assert await table(conn) == expected, ops
            assert _rows(await store.latest_as_of(conn, INDICATORS, FAR)) == expected
            for day in (*DAYS, DAYS[1] - timedelta(days=1)):  # past dates: the fallback
                assert _rows(await store.latest_as_of(conn, INDICATORS, day)) == await oracle(
                    conn, day
                ), (day, ops)
            await _other_past_reads(conn, ops)
    assert {"insert", "bulk", "edit", "void", "restore"} <= set(ops)


async def _other_past_reads(conn: AsyncConnection, ops: list[str]) -> None:
    """The other as-of reads (several days in one statement, a unit subset, the rated rows,
    the submission's latest rows, the pooled sums) against the oracle, for past days too."""
    days = [*DAYS, DAYS[1] - timedelta(days=1), FAR]
    expected = {day: await oracle(conn, day) for day in days}
    tagged = await latest_rows_at(conn, INDICATORS, days)
    some = await latest_rows_at(conn, INDICATORS, days, unit_ids=[1, 3])
    rated = await store.rated_as_of(conn, INDICATORS, days)
    assigned = {i: frozenset(UNITS) for i in INDICATORS}
    for day, rated_rows in zip(days, rated, strict=True):
        want = expected[day]
        assert {_at_key(r) for r in tagged[day]} == want, (day, ops)
        assert {_at_key(r) for r in some[day]} == {k for k in want if k[1] in (1, 3)}, (day, ops)
        assert set(rated_rows) == {
            (k[0], k[1], k[3], k[4], k[6]) for k in want if k[3] is not None and k[4]
        }, (day, ops)
        _, latest = await store.unit_series_and_latest(conn, 1, [], INDICATORS, day)
        assert {_at_key(r) for r in latest} == want, (day, ops)
        pooled = await pooled_at(conn, assigned, day)
        assert pooled is not None and pooled[2] == _pooled(want), (day, ops)


def _at_key(r: Any) -> Key:  # an AsOfRow: id, unit, indicator, numerator, denominator, …
    return (r[2], r[1], r[0], r[3], r[4], None if r[5] is None else bool(r[5]), r[6], bool(r[7]))


def _pooled(rows: set[Key]) -> dict[int, Pooled]:
    """pooled_at from the oracle's rows: sums over the rated ones, counts of the told."""
    out: dict[int, Pooled] = {}
    for i in sorted({k[0] for k in rows}):
        mine = [k for k in rows if k[0] == i]
        rated = [k for k in mine if k[3] is not None and k[4]]
        out[i] = Pooled(
            sum(k[3] or 0 for k in rated), sum(k[4] or 0 for k in rated),
            sum(k[5] is not None for k in mine), sum(k[5] is True for k in mine),
        )  # fmt: skip
    return out


async def test_latest_as_of_for_a_past_date_falls_back_per_unit(db: Database) -> None:
    base = {"indicator_id": 1, "denominator": 100, "source": "message", "created_at": NOW}
    async with db.write() as conn:
        await store.insert_figures(conn, [
            {**base, "unit_id": 1, "numerator": 10, "as_of": date(2026, 3, 1)},
            {**base, "unit_id": 1, "numerator": 20, "as_of": date(2026, 4, 1)},
            {**base, "unit_id": 1, "numerator": 30, "as_of": date(2026, 5, 1)},
            {**base, "unit_id": 2, "numerator": 5, "as_of": date(2026, 2, 1)},
            {**base, "unit_id": 3, "numerator": 7, "as_of": date(2026, 5, 1)},
        ])  # fmt: skip
        april = (await store.latest_as_of(conn, [1], date(2026, 4, 15), [1]))[0]
        await store.void_figure(conn, april, NOW, 7, None)  # April withdrawn: March shows
    async with db.read() as conn:
        got = await store.latest_as_of(conn, [1], date(2026, 4, 15))
        now = await store.latest_as_of(conn, [1], date(2026, 6, 1))
        only = await store.latest_as_of(conn, [1], date(2026, 4, 15), unit_ids=[2, 3])
        both = await latest_rows_at(conn, [1], [date(2026, 6, 1), date(2026, 4, 15)], [1])
    assert sorted((r.unit_id, r.numerator, r.as_of) for r in got) == [
        (1, 10, date(2026, 3, 1)), (2, 5, date(2026, 2, 1))]  # fmt: skip
    assert sorted((r.unit_id, r.numerator) for r in now) == [(1, 30), (2, 5), (3, 7)]
    assert [(r.unit_id, r.numerator) for r in only] == [(2, 5)]
    assert [r[AT_NUMERATOR] for r in both[date(2026, 6, 1)]] == [30]
    assert [r[AT_NUMERATOR] for r in both[date(2026, 4, 15)]] == [10]
    assert all(r.id and r.denominator == 100 for r in got)


async def test_submission_read_brings_other_indicators_only_since_the_cycle(db: Database) -> None:
    """unit_series_and_latest: every live figure of the message's indicators, the others' only
    from `since` on (whether they were reported this cycle), and every unit's latest."""
    base = {"unit_id": 1, "denominator": 100, "source": "message", "created_at": NOW}
    since = date(2026, 4, 12)
    async with db.write() as conn:
        await store.insert_figures(conn, [
            {**base, "indicator_id": 1, "numerator": 10, "as_of": date(2026, 1, 5)},
            {**base, "indicator_id": 1, "numerator": 20, "as_of": date(2026, 4, 15)},
            {**base, "indicator_id": 2, "numerator": 30, "as_of": date(2026, 4, 11)},
            {**base, "indicator_id": 2, "numerator": 40, "as_of": since},
            {**base, "indicator_id": 2, "unit_id": 2, "numerator": 50, "as_of": date(2026, 4, 1)},
            {**base, "indicator_id": 1, "numerator": 5, "as_of": date(2025, 12, 1)},  # a late id
        ])  # fmt: skip
        series, latest = await store.unit_series_and_latest(
            conn, 1, [1], [2], date(2026, 4, 20), [2], since
        )
        whole, _ = await store.unit_series_and_latest(conn, 1, [1, 2], [2], date(2026, 4, 20))
        assert whole == await store.unit_series(conn, 1, [1, 2])  # same rows, same order
    assert [r.numerator for r in series[1]] == [5, 10, 20]  # the message's indicator: all of it
    assert [r.numerator for r in series[2]] == [40]  # the other: from the cycle's first day
    assert [r.numerator for r in whole[2]] == [30, 40]  # without `since`: all of it
    assert sorted((r[AT_UNIT], r[AT_NUMERATOR]) for r in latest) == [(1, 40), (2, 50)]


async def test_a_new_figure_costs_one_statement_more(db: Database) -> None:
    """The submission path: the figure, then one upsert of its pair's current row."""
    statements: list[str] = []

    def count(_c: Any, _cur: Any, sql: str, *_a: Any) -> None:
        statements.append(sql)

    event.listen(db.writer.sync_engine, "before_cursor_execute", count)
    try:
        async with db.write() as conn:
            fig = {**_figure(random.Random(0)), "as_of": DAYS[0]}
            statements.clear()
            first = await store.insert_figure(conn, fig)
            assert len(statements) == 2
            statements.clear()
            later = await store.insert_figure(conn, {**fig, "as_of": DAYS[1]})
            await store.supersede(conn, first, later, NOW)  # first is not current: no refresh
            assert len(statements) == 4
    finally:
        event.remove(db.writer.sync_engine, "before_cursor_execute", count)


async def _raw_history(conn: AsyncConnection) -> None:
    """Figures written at revision 0002 (no current_figures yet): an edit, an undo of a later
    figure, and a pair whose only figure was withdrawn."""
    base = {"denominator": 100, "source": "seed", "created_at": NOW, "derived": False}
    rows = [  # (id, unit, indicator, numerator, day, voided)
        (1, 1, 1, 1, DAYS[0], False), (2, 1, 1, 2, DAYS[1], False),
        (3, 1, 1, 3, DAYS[1], False),  # 2 corrected to 3: (1, 1) → 3
        (4, 2, 1, 4, DAYS[2], False), (5, 2, 1, 5, DAYS[3], False),
        (6, 2, 1, None, DAYS[3], True),  # 5 undone: (1, 2) → 4
        (7, 3, 2, 7, DAYS[0], False), (8, 3, 2, None, DAYS[0], True),  # 7 undone: (2, 3) none
    ]  # fmt: skip
    await conn.execute(insert(figures), [
        {**base, "id": i, "unit_id": u, "indicator_id": ind, "numerator": n, "as_of": d,
         "voided": v}
        for i, u, ind, n, d, v in rows
    ])  # fmt: skip
    for old, new in ((2, 3), (5, 6), (7, 8)):
        await conn.execute(figures.update().where(figures.c.id == old).values(superseded_by=new))


async def test_migration_backfills_and_round_trips(db: Database) -> None:
    async with db.write() as conn:
        await conn.run_sync(downgrade_to, "0002")
        names = await conn.run_sync(lambda c: inspect(c).get_table_names())
        assert "current_figures" not in names
        await _raw_history(conn)
    async with db.write() as conn:
        await conn.run_sync(upgrade_to, "0003")
    async with db.read() as conn:
        expected = await oracle(conn, FAR)
        assert {(k[0], k[1], k[2]) for k in expected} == {(1, 1, 3), (1, 2, 4)}
        assert await table(conn) == expected
    async with db.write() as conn:  # down and up again: the same rows
        await conn.run_sync(downgrade_to, "0002")
    async with db.write() as conn:
        await conn.run_sync(upgrade_to, "head")
    async with db.read() as conn:
        assert await table(conn) == expected
