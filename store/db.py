"""The database handle: engines, SQLite pragmas, read and write transactions, migrations."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, cast

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from store import people
from store.sqlite_driver import WAIT_FOR_LOCKS, OneHopConnection, one_hop_dbapi

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the one writer; busy_timeout waits out a second process.
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (below)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    mode = cursor.fetchone()  # "memory" for :memory:; a file system without WAL keeps "delete"
    cast(OneHopConnection, dbapi_connection).in_wal = bool(mode and mode[0] == "wal")
    cursor.execute(WAIT_FOR_LOCKS)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _writer_checkpoints(dbapi_connection: Any, _record: Any) -> None:
    # A quick transaction commits on the event loop, where SQLite's automatic checkpoint (an
    # fsync) must not run: the writer checkpoints in the driver's thread instead.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.close()
    cast(OneHopConnection, dbapi_connection).take_checkpoints()


class Database:
    """Reads run concurrently; writes go through one connection that takes the lock up front.

    SQLite upgrades a deferred read transaction to a write lazily and fails with "database is
    locked" when two try at once; BEGIN IMMEDIATE on a single writer connection avoids that.
    PostgreSQL uses one engine for both.
    """

    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 5,
        pool_timeout: float = 30.0,
        max_overflow: int = 10,
        connect_timeout: float = 10.0,
    ) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self._prepare_sqlite_file(url)
            # aiosqlite (SQLAlchemy's only async SQLite driver), one thread trip per statement
            # instead of four (store/sqlite_driver.py)
            self.reader = create_async_engine(
                url, pool_size=pool_size, max_overflow=max_overflow, module=one_hop_dbapi()
            )
            self.writer = create_async_engine(
                url, pool_size=1, max_overflow=0, pool_timeout=120, module=one_hop_dbapi()
            )
            for engine, begin in ((self.reader, "BEGIN"), (self.writer, "BEGIN IMMEDIATE")):
                event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
                event.listen(engine.sync_engine, "begin", _begin_with(begin))
            event.listen(self.writer.sync_engine, "connect", _writer_checkpoints)
        else:
            # PostgreSQL: one pool for reads and writes; pre-ping drops connections a server
            # restart or a proxy idle timeout has closed, recycle keeps them under an hour.
            self.reader = create_async_engine(
                url,
                pool_size=pool_size,
                max_overflow=max_overflow,
                pool_timeout=pool_timeout,
                pool_pre_ping=True,
                pool_recycle=1800,
                connect_args=_connect_args(url, connect_timeout),
            )
            self.writer = self.reader
        for engine in {self.reader, self.writer}:
            people.watch(engine.sync_engine)  # the actor cache's generation at commit
        # the same pools, with the options of a single-statement read and a quick write
        self._one_statement = self.reader.execution_options(**{NO_BEGIN: True})
        self._quick_writer = self.writer.execution_options(**{QUICK: True})
        # SQLite: the writer's one connection and a reader's, kept open between uses
        self._kept_writer = _Kept(self.writer)
        self._kept_reader = _Kept(self._one_statement, autocommit=True)
        self._writer_turn = asyncio.Lock()
        self._closed = False  # after close(): no connection is kept any more

    @property
    def dialect(self) -> str:
        return str(self.reader.dialect.name)

    @staticmethod
    def _prepare_sqlite_file(url: str) -> None:
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)

    @asynccontextmanager
    async def read(self, *, snapshot: bool = True) -> AsyncIterator[AsyncConnection]:
        """A read connection. `snapshot=False` is for a single statement: on SQLite it runs
        without BEGIN and ROLLBACK, the statement being its own snapshot."""
        if self.is_sqlite and not snapshot and not self._kept_reader.busy and not self._closed:
            async with self._kept_reader.use() as conn:
                yield conn
            return
        async with (self.reader if snapshot else self._one_statement).connect() as conn:
            yield conn

    @asynccontextmanager
    async def write(self, *, quick: bool = False) -> AsyncIterator[AsyncConnection]:
        """One transaction: committed on success, rolled back on any error. `quick`: a few
        single-row statements (a figure submission), which on SQLite run and commit on the
        event loop without a trip to the driver's thread (store/sqlite_driver.py)."""
        if not self.is_sqlite:
            async with (self._quick_writer if quick else self.writer).begin() as conn:
                yield conn
            return
        async with asyncio.timeout(WRITER_WAIT):  # as the pool's timeout would
            await self._writer_turn.acquire()
        try:
            if self._closed:
                async with (self._quick_writer if quick else self.writer).begin() as conn:
                    yield conn
                return
            async with self._kept_writer.use() as conn:
                conn.sync_connection.execution_options(**{QUICK: quick})  # type: ignore[union-attr]
                async with conn.begin():
                    yield conn
        finally:
            self._writer_turn.release()

    async def ping(self) -> None:
        """One trivial read: raises when the database cannot be reached (health checks)."""
        async with self.reader.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def migrate(self) -> None:
        """Bring the schema up to date (Alembic head); a fresh file and an old one alike."""
        async with self.write() as conn:
            await serialize_startup(conn)  # several instances starting at once migrate once
            await conn.run_sync(_upgrade_head)

    async def close(self) -> None:
        self._closed = True
        await self._kept_reader.drop()  # a read under way gives it back when it ends
        async with self._writer_turn:
            await self._kept_writer.drop()
        await self.reader.dispose()
        if self.writer is not self.reader:
            await self.writer.dispose()


WRITER_WAIT = 120.0  # seconds a write waits for the writer connection before it fails


class _Kept:
    """A pooled connection kept checked out between uses, on SQLite: the checkout, the return
    (a rollback) and SQLAlchemy's close in a task of its own cost a message 0.2-0.3 ms in the
    bot (paired runs), more than a question's statement takes in SQLite. One user at a time
    (`busy`; writes also take turns in Database.write). A use that ends in an error or a
    cancellation gives it back to the pool, whose reset and invalidation then apply, and the
    next use checks out afresh."""

    def __init__(self, engine: AsyncEngine, *, autocommit: bool = False) -> None:
        self.engine = engine
        # SQLite runs each statement of a single-statement reader on its own (no BEGIN is
        # sent): the transaction SQLAlchemy begins at its first statement is left open, not
        # rolled back after every use (0.03 ms a question)
        self.autocommit = autocommit
        self.conn: AsyncConnection | None = None
        self.busy = False
        self.retiring = False  # dropped while in use: given back when the use ends

    @asynccontextmanager
    async def use(self) -> AsyncIterator[AsyncConnection]:
        self.busy = True
        try:
            conn = self.conn
            if conn is None or conn.closed or conn.invalidated:
                conn = self.conn = await self.engine.connect()
            try:
                yield conn
                if conn.in_transaction() and not self.autocommit:
                    await conn.rollback()
            except BaseException:
                self.busy = False
                await self.drop()
                raise
        finally:
            self.busy = False
        if self.retiring:
            await self.drop()

    async def drop(self) -> None:
        """Give the connection back to the pool; one in use goes back when its use ends."""
        if self.busy:
            self.retiring = True
            return
        conn, self.conn, self.retiring = self.conn, None, False
        if conn is not None:
            await _to_the_end(conn.close())


async def _to_the_end(cleanup: Coroutine[Any, Any, None]) -> None:
    """Run a cleanup to its end even if the caller is cancelled meanwhile (then re-raise)."""
    task = asyncio.ensure_future(cleanup)
    cancelled = False
    while not task.done():
        try:
            await asyncio.shield(task)
        except asyncio.CancelledError:
            cancelled = True
    if cancelled:
        raise asyncio.CancelledError
    task.result()


STARTUP_LOCK = 6_061_206  # any constant: the advisory lock key of migrations and catalogue sync


async def serialize_startup(conn: AsyncConnection) -> None:
    """Inside a write transaction: wait for any other instance's migration or catalogue sync.

    PostgreSQL: a transaction-scoped advisory lock (released at commit/rollback). SQLite: the
    write transaction's BEGIN IMMEDIATE already serialises writers.
    """
    if conn.dialect.name == "postgresql":
        await conn.execute(text("select pg_advisory_xact_lock(:k)"), {"k": STARTUP_LOCK})


def _connect_args(url: str, timeout: float) -> dict[str, Any]:
    if url.startswith("postgresql+asyncpg"):
        return {"timeout": timeout}
    if url.startswith("postgresql+psycopg"):
        return {"connect_timeout": int(timeout)}
    return {}


NO_BEGIN = "dean06_no_begin"  # execution option of a single-statement read (Database.read)
QUICK = "dean06_quick"  # execution option of a quick write transaction (Database.write)


def _begin_with(statement: str) -> Any:
    def begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        if options.get(NO_BEGIN):
            return  # SQLite's autocommit: the one statement is its own transaction
        driver = cast(OneHopConnection, conn.connection.dbapi_connection)  # see __init__
        # sent with the first statement: one trip fewer
        driver.defer_begin(statement, quick=bool(options.get(QUICK)))

    return begin


def alembic_config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def _upgrade_head(connection: Connection) -> None:
    command.upgrade(alembic_config(connection), "head")


def downgrade_to(connection: Connection, revision: str) -> None:
    command.downgrade(alembic_config(connection), revision)


def upgrade_to(connection: Connection, revision: str) -> None:
    command.upgrade(alembic_config(connection), revision)
