"""store/sqlite_driver.py: the one-trip aiosqlite cursor behaves like SQLAlchemy's own.

Each test runs the same statements through the stock aiosqlite adapter and through ours and
expects the same results, rowcounts, keys and errors; one test counts the trips to the thread.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from store.db import Database
from store.sqlite_driver import OneHopCursor, one_hop_dbapi

META = MetaData()
PEOPLE = Table(
    "people",
    META,
    Column("id", Integer, primary_key=True),
    Column("name", String, nullable=False, unique=True),
    Column("age", Integer),
)


@pytest.fixture(params=["stock", "one_hop"])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    extra = {"module": one_hop_dbapi()} if request.param == "one_hop" else {}
    eng = create_async_engine(f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", **extra)
    async with eng.begin() as conn:
        await conn.run_sync(META.create_all)
    yield eng
    await eng.dispose()


async def test_rows_keys_and_rowcounts(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        first = await conn.execute(insert(PEOPLE).values(name="An", age=30))
        assert first.inserted_primary_key == (1,)
        many = await conn.execute(insert(PEOPLE), [{"name": f"P{i}", "age": i} for i in range(5)])
        assert many.rowcount == 5
        back = await conn.execute(insert(PEOPLE).values(name="Bình").returning(PEOPLE.c.id))
        assert back.scalar_one() == 7
        changed = await conn.execute(update(PEOPLE).where(PEOPLE.c.age < 3).values(age=99))
        assert changed.rowcount == 3
    async with engine.connect() as conn:
        rows = (await conn.execute(select(PEOPLE.c.name).order_by(PEOPLE.c.id))).scalars().all()
        assert rows == ["An", "P0", "P1", "P2", "P3", "P4", "Bình"]
        result = await conn.execute(select(PEOPLE.c.id, PEOPLE.c.age).order_by(PEOPLE.c.id))
        assert result.fetchone() == (1, 30)
        assert result.fetchmany(2) == [(2, 99), (3, 99)]
        assert len(result.fetchall()) == 4
        assert (await conn.execute(text("select 1 where 0"))).first() is None


async def test_errors_roll_the_transaction_back(engine: AsyncEngine) -> None:
    async with engine.begin() as conn:
        await conn.execute(insert(PEOPLE).values(name="An"))
    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:
            await conn.execute(insert(PEOPLE).values(name="Chi"))
            await conn.execute(insert(PEOPLE).values(name="An"))  # unique name
    with pytest.raises(OperationalError):
        async with engine.connect() as conn:
            await conn.execute(text("select * from no_such_table"))
    async with engine.connect() as conn:
        names = (await conn.execute(select(PEOPLE.c.name))).scalars().all()
    assert names == ["An"]  # nothing partial of the failed transaction


async def test_a_statement_is_one_trip_to_the_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    await db.migrate()
    trips = 0
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: object, *args: object, **kw: Any) -> Any:
        nonlocal trips
        trips += 1
        return await original(self, fn, *args, **kw)

    try:
        async with db.read() as conn:
            await conn.execute(text("select 1"))  # the connection's first use: BEGIN and all
            monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
            rows = (await conn.execute(text("select 1 union all select 2"))).all()
            assert isinstance(conn.sync_connection.connection.cursor(), OneHopCursor)  # type: ignore[union-attr]
        assert rows == [(1,), (2,)]
        assert trips == 2  # the select, and the rollback that ends the read
        trips = 0
        async with db.write() as conn:  # BEGIN IMMEDIATE rides with the first statement
            await conn.execute(text("create table t (x)"))
            await conn.execute(text("insert into t values (1)"))
        assert trips == 3  # two statements and the commit
        trips = 0
        async with db.write() as conn:
            pass
        async with db.read() as conn:
            pass
        assert trips == 0  # nothing run, nothing begun, nothing to end
        async with db.read(snapshot=False) as conn:  # one statement: no BEGIN, no ROLLBACK
            assert (await conn.execute(text("select x from t"))).scalar_one() == 1
            assert not conn.sync_connection.connection.driver_connection.in_transaction  # type: ignore[union-attr]
        assert trips == 1
    finally:
        await db.close()


async def test_a_stream_runs_inside_the_transaction(tmp_path: Path) -> None:
    """conn.stream (a server-side cursor, store/transfer.py) sends the deferred BEGIN first: a
    read's stream and what follows see one snapshot, and a write's holds the write lock."""
    path = tmp_path / "db.sqlite"
    db = Database(f"sqlite+aiosqlite:///{path}")
    try:
        async with db.write() as conn:
            await conn.execute(text("create table t (x)"))
            await conn.execute(text("insert into t values (1), (2)"))
        async with db.read() as conn:
            streamed = [r.x async for r in await conn.stream(text("select x from t"))]
            assert _in_transaction(conn)
            async with db.write() as other:  # another connection commits a row meanwhile
                await other.execute(text("insert into t values (3)"))
            count = (await conn.execute(text("select count(*) from t"))).scalar_one()
        assert (streamed, count) == ([1, 2], 2)  # the snapshot the stream began
        async with db.write() as conn:
            assert [r.x async for r in await conn.stream(text("select x from t"))] == [1, 2, 3]
            assert _in_transaction(conn)
            probe = sqlite3.connect(path, timeout=0)
            with pytest.raises(sqlite3.OperationalError, match="locked"):  # BEGIN IMMEDIATE's
                probe.execute("BEGIN IMMEDIATE")
            probe.close()
    finally:
        await db.close()


def _in_transaction(conn: AsyncConnection) -> bool:
    return bool(conn.sync_connection.connection.driver_connection.in_transaction)  # type: ignore[union-attr]
