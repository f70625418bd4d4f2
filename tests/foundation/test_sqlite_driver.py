"""store/sqlite_driver.py: the one-trip aiosqlite cursor behaves like SQLAlchemy's own.

Each test runs the same statements through the stock aiosqlite adapter and through ours and
expects the same results, rowcounts, keys and errors. The others count the trips to the thread:
one per statement that goes there, none for the short ones that run on the event loop.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from store import sqlite_driver
from store.db import Database
from store.sqlite_driver import CHECKPOINT_CHANGES, OneHopCursor, is_read, one_hop_dbapi

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


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The functions sent to aiosqlite's thread, by name, from now on."""
    sent: list[str] = []
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: object, **kw: Any) -> Any:
        sent.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kw)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return sent


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(f"sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}")
    async with database.write() as conn:
        await conn.execute(text("create table t (x)"))
    for snapshot in (
        False,
        True,
    ):  # connected (the kept one first): what follows counts statements only
        async with database.read(snapshot=snapshot) as conn:
            await conn.execute(text("select 1"))
    yield database
    await database.close()


async def test_a_statement_is_one_trip_to_the_thread(db: Database, trips: list[str]) -> None:
    async with db.write() as conn:  # BEGIN IMMEDIATE rides with the first statement
        await conn.execute(text("insert into t values (1)"))
        await conn.execute(text("insert into t values (2)"))
        assert isinstance(conn.sync_connection.connection.cursor(), OneHopCursor)  # type: ignore[union-attr]
    assert trips == ["_run", "_run", "commit"]  # two statements and the commit
    trips.clear()
    async with db.write() as conn:
        pass
    async with db.read() as conn:
        pass
    assert trips == []  # nothing run, nothing begun, nothing to end


async def test_short_statements_skip_the_thread(db: Database, trips: list[str]) -> None:
    async with db.read() as conn:  # BEGIN, a select and the rollback, all on the event loop
        rows = (await conn.execute(text("select 1 union all select 2"))).all()
        assert _in_transaction(conn)
    async with db.read(snapshot=False) as conn:  # one statement: no BEGIN, no ROLLBACK
        assert (await conn.execute(text("SELECT count(*) from t"))).scalar_one() == 0
        assert not _in_transaction(conn)
    async with db.write(quick=True) as conn:  # a quick write: statements and commit
        await conn.execute(text("insert into t values (1)"))
        assert (await conn.execute(text("select x from t"))).scalar_one() == 1
    assert rows == [(1,), (2,)]
    assert trips == []
    with pytest.raises(OperationalError):  # a failed quick write leaves nothing behind
        async with db.write(quick=True) as conn:
            await conn.execute(text("insert into t values (2)"))
            await conn.execute(text("insert into nowhere values (3)"))
    async with db.read() as conn:
        assert (await conn.execute(text("select count(*) from t"))).scalar_one() == 1
    assert trips == []


@pytest.mark.parametrize(
    ("operation", "read"),
    [
        ("SELECT update_id FROM processed_updates", True),
        ("  select 1", True),
        ("WITH v AS (SELECT 1 AS i) SELECT i, updated_at FROM v", True),
        ("WITH v AS (SELECT 1 AS i) INSERT INTO t SELECT i FROM v", False),
        ("INSERT INTO current_figures SELECT * FROM figures", False),
        ("UPDATE figures SET superseded_by = ?", False),
        ("with v as (select 1) delete from t", False),
        ("PRAGMA wal_checkpoint(PASSIVE)", False),
    ],
)
def test_only_reads_may_be_interrupted(operation: str, read: bool) -> None:
    assert is_read(operation) is read


async def test_a_long_read_moves_to_the_thread_in_its_snapshot(
    db: Database, trips: list[str]
) -> None:
    """Over INLINE_BUDGET on the loop, a read is interrupted and runs again in the thread, in
    the same transaction: inside a write it keeps what the transaction wrote."""
    long_read = text(
        "select count(*) from t, (with recursive n(i) as (select 1 union all select i + 1 "
        "from n where i < 300000) select i from n)"
    )
    async with db.write(quick=True) as conn:
        await conn.execute(text("insert into t values (1)"))
        assert (await conn.execute(long_read)).scalar_one() == 300_000
        assert (await conn.execute(text("select count(*) from t"))).scalar_one() == 1
    assert trips == ["_run"]  # only the long read went there
    async with db.read() as conn:
        assert (await conn.execute(text("select count(*) from t"))).scalar_one() == 1


async def test_a_busy_database_is_waited_for_in_the_thread(
    db: Database, tmp_path: Path, trips: list[str]
) -> None:
    """Another process holds the write lock: the quick write waits for it in the thread (with
    busy_timeout), and the event loop meanwhile goes on."""
    other = sqlite3.connect(tmp_path / "db.sqlite", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    ticks = 0

    async def ticking() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    async def write() -> None:
        async with db.write(quick=True) as conn:
            await conn.execute(text("insert into t values (7)"))

    ticker = asyncio.create_task(ticking())
    writing = asyncio.create_task(write())
    await asyncio.sleep(0.2)
    assert not writing.done() and ticks >= 5  # waiting, and not on the loop
    other.execute("ROLLBACK")
    other.close()
    await asyncio.wait_for(writing, 5)
    ticker.cancel()
    assert trips[0] == "_run"  # BEGIN IMMEDIATE and the insert, in the thread
    async with db.read() as conn:
        assert (await conn.execute(text("select x from t"))).scalar_one() == 7


async def test_the_writer_checkpoints_in_the_thread(
    db: Database, tmp_path: Path, trips: list[str]
) -> None:
    """SQLite's automatic checkpoint is off for the writer (it would run in a commit on the
    loop); the writer checkpoints in the thread once CHECKPOINT_CHANGES rows are written. Pages
    reach the database file only through a checkpoint, so its size tells."""
    path = tmp_path / "db.sqlite"
    async with db.write(quick=True) as conn:
        auto = (await conn.execute(text("pragma wal_autocheckpoint"))).scalar_one()
    assert auto == 0
    trips.clear()
    empty = path.stat().st_size
    for _ in range(CHECKPOINT_CHANGES - 1):  # 5 pages a row: past SQLite's own 1,000 pages
        async with db.write(quick=True) as conn:
            await conn.execute(text("insert into t values (zeroblob(20000))"))
    assert trips == [] and path.stat().st_size == empty
    async with db.write(quick=True) as conn:
        await conn.execute(text("insert into t values (zeroblob(20000))"))
    assert trips == ["_checkpoint"]
    assert path.stat().st_size > CHECKPOINT_CHANGES * 20000


async def test_a_failed_checkpoint_leaves_the_commit_standing(
    db: Database,
    trips: list[str],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def failing(conn: sqlite3.Connection) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(sqlite_driver, "_checkpoint", failing)
    for n in range(CHECKPOINT_CHANGES):
        async with db.write(quick=True) as conn:
            await conn.execute(text("insert into t values (:n)"), {"n": n})
    assert trips == ["failing"] and "checkpoint failed" in caplog.text
    async with db.write(quick=True) as conn:  # not retried at every commit after
        await conn.execute(text("insert into t values (-1)"))
    async with db.read() as conn:
        assert (
            await conn.execute(text("select count(*) from t"))
        ).scalar_one() == CHECKPOINT_CHANGES + 1
    assert trips == ["failing"]


async def test_only_a_quick_transaction_writes_on_the_loop(db: Database, trips: list[str]) -> None:
    """The writer's one connection goes from a quick transaction to an ordinary one: the
    ordinary one's write and commit go to the thread again."""
    async with db.write(quick=True) as conn:
        await conn.execute(text("insert into t values (1)"))
    async with db.write() as conn:
        await conn.execute(text("insert into t values (2)"))
    async with db.write(quick=True) as conn:
        await conn.execute(text("insert into t values (3)"))
    assert trips == ["_run", "commit"]


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
