"""store/db.py keeps the SQLite writer's connection and a single-statement reader's open
between uses: no pool checkout per message, writes still one at a time, and a use that fails
or is cancelled leaves nothing behind (the next use gets a clean connection)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from store.db import Database


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    async with database.write() as conn:
        await conn.execute(text("create table t (x integer)"))
    yield database
    await database.close()


def _checkouts(db: Database) -> list[str]:
    seen: list[str] = []
    for engine in (db.reader, db.writer):
        name = "writer" if engine is db.writer else "reader"
        event.listen(engine.sync_engine, "checkout", lambda *_a, n=name: seen.append(n))
    return seen


async def _count(db: Database) -> int:
    async with db.read(snapshot=False) as conn:
        return int((await conn.execute(text("select count(*) from t"))).scalar_one())


async def test_the_kept_connections_are_not_checked_out_again(db: Database) -> None:
    await _count(db)
    checkouts = _checkouts(db)
    for n in range(5):
        async with db.write(quick=n % 2 == 0) as conn:
            await conn.execute(text("insert into t values (:n)"), {"n": n})
        assert await _count(db) == n + 1
    assert checkouts == []


async def test_writes_take_turns(db: Database) -> None:
    order: list[str] = []

    async def write(name: str, hold: float) -> None:
        async with db.write() as conn:
            order.append(f"{name} in")
            await conn.execute(text("insert into t values (1)"))
            await asyncio.sleep(hold)  # another write meanwhile must wait its turn
            order.append(f"{name} out")

    await asyncio.gather(write("a", 0.05), write("b", 0))
    assert order == ["a in", "a out", "b in", "b out"]
    assert await _count(db) == 2


async def test_a_failed_write_leaves_nothing_and_a_clean_connection(db: Database) -> None:
    for quick in (True, False):
        with pytest.raises(OperationalError):
            async with db.write(quick=quick) as conn:
                await conn.execute(text("insert into t values (1)"))
                await conn.execute(text("insert into nowhere values (2)"))
        assert await _count(db) == 0
        async with db.write(quick=quick) as conn:  # the next write begins afresh
            assert not await _in_sqlite_transaction(conn)
    async with db.write() as conn:
        await conn.execute(text("insert into t values (3)"))
    assert await _count(db) == 1


async def test_a_cancelled_write_rolls_back_and_the_next_one_works(db: Database) -> None:
    inside = asyncio.Event()

    async def stuck() -> None:
        async with db.write() as conn:
            await conn.execute(text("insert into t values (1)"))
            inside.set()
            await asyncio.sleep(60)

    task = asyncio.create_task(stuck())
    await inside.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with db.write(quick=True) as conn:
        await conn.execute(text("insert into t values (2)"))
    async with db.read(snapshot=False) as conn:
        assert (await conn.execute(text("select x from t"))).scalars().all() == [2]


async def test_a_read_beside_a_busy_kept_reader_uses_the_pool(db: Database) -> None:
    async with db.write() as conn:
        await conn.execute(text("insert into t values (1)"))
    async with db.read(snapshot=False) as first:
        async with db.read(snapshot=False) as second:  # the kept one is in use
            assert second is not first
            assert (await second.execute(text("select count(*) from t"))).scalar_one() == 1
        assert (await first.execute(text("select count(*) from t"))).scalar_one() == 1
    async with db.read(snapshot=False) as again:
        assert again is first  # kept


async def test_a_failed_read_drops_the_kept_reader(db: Database) -> None:
    async with db.read(snapshot=False) as kept:
        pass
    with pytest.raises(OperationalError):
        async with db.read(snapshot=False) as conn:
            await conn.execute(text("select * from nowhere"))
    async with db.read(snapshot=False) as conn:
        assert conn is not kept
        assert (await conn.execute(text("select count(*) from t"))).scalar_one() == 0


async def test_close_returns_the_kept_connections(db: Database) -> None:
    await _count(db)
    kept = [db._kept_reader.conn, db._kept_writer.conn]
    assert all(c is not None and not c.closed for c in kept)
    await db.close()
    assert all(c is not None and c.closed for c in kept)  # given back, not left checked out


async def _in_sqlite_transaction(conn: Any) -> bool:
    raw = await conn.get_raw_connection()
    return bool(raw.driver_connection.in_transaction)


_SLOW = (  # a read that outlasts the loop's 1 ms budget and goes on in the thread for a while
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000) "
    "SELECT count(*) FROM c"
)


@pytest.mark.parametrize("where", ["write", "read", "single read"])
async def test_a_statement_cancelled_midway_raises_the_cancellation(
    db: Database, where: str
) -> None:
    """SQLAlchemy invalidates the connection; its rollback event must not read the
    connection's info then (store/people._ended), which raised in place of the cancellation."""

    async def slow() -> None:
        uses = {"write": db.write, "read": db.read, "single read": lambda: db.read(snapshot=False)}
        async with uses[where]() as conn:
            if where == "write":
                await conn.execute(text("insert into t values (9)"))  # rolled back
            await conn.execute(text(_SLOW))

    task = asyncio.create_task(slow())
    await asyncio.sleep(0.1)  # in the thread by now
    task.cancel()
    with pytest.raises(asyncio.CancelledError):  # not an error of the invalidated connection
        await task
    async with db.write() as conn:
        await conn.execute(text("insert into t values (1)"))
    assert await _count(db) == 1


async def test_close_waits_for_a_read_under_way(db: Database) -> None:
    async with db.read(snapshot=False) as conn:
        await db.close()
        assert not conn.closed
        assert (await conn.execute(text("select count(*) from t"))).scalar_one() == 0
    assert conn.closed and db._kept_reader.conn is None  # given back once the read ended
    async with db.write() as conn:  # after close, the pool as before: nothing is kept
        await conn.execute(text("insert into t values (1)"))
    assert db._kept_writer.conn is None
