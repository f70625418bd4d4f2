"""aiosqlite with at most one trip to its thread per statement, none for a short one.

aiosqlite runs SQLite in a thread of its own; SQLAlchemy's adapter makes a separate trip there
(a queue put, a thread wake-up, a future resolved back on the event loop) for each of creating
the cursor, executing, fetching the rows and closing the cursor: four trips for a SELECT. On a
small shared machine a trip costs 0.1-1 ms, most of a statement's cost (docs/benchmarks.md).
This cursor sends one function that does all four in the thread and brings back the
description, rows, rowcount and lastrowid together. The connection also saves the trips of
transaction control: the BEGIN that store/db.py issues waits to ride along with the
transaction's first statement (or goes first for a server-side cursor, `conn.stream`), and a
COMMIT or ROLLBACK with no transaction open in SQLite is not sent. Everything else (pooling,
errors, the SQL itself, a server-side cursor's fetches) is SQLAlchemy's aiosqlite dialect
unchanged; the engine gets this as its DBAPI module (`create_async_engine(url,
module=one_hop_dbapi())`).

Short statements skip the thread altogether. A trip costs little CPU but two wake-ups across
cores, and the statement then runs on a cold core: in the bot a read that takes 0.08 ms in a
loop took 1.1 ms that way (docs/benchmarks.md). So:
- a read (SELECT, WITH … SELECT) runs first on the caller's thread, the event loop's, for
  at most INLINE_BUDGET; one that would take longer is interrupted (SQLite keeps the
  transaction) and runs again in the thread;
- writes and COMMIT run on the loop only in a transaction opened as quick
  (`Database.write(quick=True)`: a few single-row statements), since a write cannot be
  interrupted and redone; a ROLLBACK always does (it waits for no lock and writes nothing),
  both only in WAL mode and with no statement of the connection under way in the thread;
- on the loop SQLite never waits for a lock: a busy database sends the statement to the
  thread, where busy_timeout applies;
- no checkpoint runs in a commit on the loop: the writer turns SQLite's automatic checkpoint
  off and checkpoints in the thread every CHECKPOINT_CHANGES rows (`take_checkpoints`).

It uses aiosqlite's `_execute` and `_conn`, as SQLAlchemy's own adapter does for isolation
levels; tests/foundation/test_sqlite_driver.py pins the behaviour. The thread and the loop
never use a connection at once: its statements are serialised, and SQLAlchemy discards a
connection whose statement was cancelled midway.
"""

from __future__ import annotations

import collections
import functools
import logging
import re
import sqlite3
from collections.abc import Sequence
from time import perf_counter
from typing import Any, Final, cast

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
    AsyncAdapt_aiosqlite_ss_cursor,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

log = logging.getLogger(__name__)

Outcome = tuple[Any, list[Any], int, int | None]  # description, rows, rowcount, lastrowid

INLINE_BUDGET: Final = 0.001  # seconds a statement may hold the event loop before it moves
PROGRESS_STEPS: Final = 500  # SQLite VM steps between two looks at the clock
WAIT_FOR_LOCKS: Final = "PRAGMA busy_timeout=10000"  # the connections' own (store/db.py)
NO_WAIT: Final = "PRAGMA busy_timeout=0"  # on the event loop
CHECKPOINT_CHANGES: Final = 250  # rows written between two checkpoints of a writer's WAL


def _run(
    conn: sqlite3.Connection, begin: str | None, operation: str, parameters: Any, many: bool
) -> Outcome:
    """In aiosqlite's thread: the transaction's deferred BEGIN if any, then the whole statement,
    cursor to close."""
    if begin is not None:
        conn.execute(begin)
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(operation, parameters)
        elif parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else []
        return description, rows, cursor.rowcount, cursor.lastrowid
    finally:
        cursor.close()


def _begin(conn: sqlite3.Connection, statement: str) -> None:
    """In aiosqlite's thread: a deferred BEGIN on its own (OneHopServerSideCursor)."""
    conn.execute(statement).close()


def _checkpoint(conn: sqlite3.Connection) -> None:
    """In aiosqlite's thread: copy the WAL into the database, waiting for no reader."""
    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").close()


_CHANGES = re.compile(r"\b(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b", re.IGNORECASE)


@functools.lru_cache(maxsize=512)
def is_read(operation: str) -> bool:
    """A query that changes nothing (SELECT, or WITH … SELECT), which can be interrupted and
    run again without harm. Interrupting a write would roll its whole transaction back."""
    head = operation.lstrip()[:6].upper()
    return head == "SELECT" or (head[:4] == "WITH" and not _CHANGES.search(operation))


def _code(error: sqlite3.Error) -> int:
    """SQLite's primary result code (0 for an error raised by the sqlite3 module itself)."""
    return getattr(error, "sqlite_errorcode", 0) & 0xFF


def _gave_way(error: sqlite3.OperationalError) -> bool:
    """The statement stopped before doing anything: over its budget, or a lock held."""
    return _code(error) in (sqlite3.SQLITE_INTERRUPT, sqlite3.SQLITE_BUSY)


def _on_loop(
    conn: sqlite3.Connection, begin: str | None, operation: str, parameters: Any, read: bool
) -> tuple[Outcome | None, str | None]:
    """On the event loop's thread, never waiting for a lock and a read for at most
    INLINE_BUDGET: the outcome, or None to run the statement in the thread instead; and the
    BEGIN still to send there (None once sent here)."""
    conn.execute(NO_WAIT)
    try:
        if begin is not None:
            try:
                conn.execute(begin).close()
            except sqlite3.OperationalError as error:
                if _code(error) != sqlite3.SQLITE_BUSY:
                    raise
                return None, begin
        if read:
            deadline = perf_counter() + INLINE_BUDGET
            conn.set_progress_handler(lambda: perf_counter() > deadline, PROGRESS_STEPS)
        try:
            return _run(conn, None, operation, parameters, False), None
        except sqlite3.OperationalError as error:
            if not (read and _gave_way(error)):
                raise
            return None, None
        finally:
            if read:
                conn.set_progress_handler(None, 0)
    finally:
        conn.execute(WAIT_FOR_LOCKS)


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose execute runs on the event loop (a short statement, above) or as
    a single call into aiosqlite's thread."""

    __slots__ = ("_description", "_lastrowid", "_rowcount", "arraysize")

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]  # no aiosqlite cursor is ever made
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None
        self.arraysize = 1

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> int:
        return self._lastrowid  # type: ignore[return-value]

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        try:
            return await_(self._execute(operation, parameters, many=False))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    def executemany(self, operation: Any, seq_of_parameters: Sequence[Any]) -> Any:
        try:
            return await_(self._execute(operation, seq_of_parameters, many=True))
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    async def _execute(self, operation: Any, parameters: Any, *, many: bool) -> None:
        conn, adapt = self._connection, cast("OneHopConnection", self._adapt_connection)
        async with adapt._execute_mutex:
            begin, adapt.pending_begin = adapt.pending_begin, None
            outcome: Outcome | None = None
            read = is_read(operation)
            if not many and (read or adapt.quick):
                outcome, begin = _on_loop(conn._conn, begin, operation, parameters, read)
            if outcome is None:
                outcome = await conn._execute(_run, conn._conn, begin, operation, parameters, many)
        self._description, rows, self._rowcount, self._lastrowid = outcome
        self._rows = collections.deque(rows)

    async def _async_soft_close(self) -> None:
        return None  # the rows are already buffered and nothing is open in the thread

    def close(self) -> None:
        self._rows.clear()

    def setinputsizes(self, *inputsizes: Any) -> None:
        return None

    def nextset(self) -> None:
        raise NotImplementedError("SQLite returns one result set per statement")


class OneHopServerSideCursor(AsyncAdapt_aiosqlite_ss_cursor):
    """SQLAlchemy's server-side cursor (`conn.stream`, store/transfer.py), which runs its
    statement itself: it sends the deferred BEGIN first, else the statement would run outside
    the transaction (no snapshot, no write lock) and the BEGIN go with a later one. Checked at
    execute, not when the cursor is made: SQLAlchemy makes it before a read's autobegin."""

    __slots__ = ()

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        await cast(OneHopConnection, self._adapt_connection).send_pending_begin()
        return await super()._execute_async(operation, parameters)


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    """Also saves the trips of transaction control: BEGIN waits to ride along with the
    transaction's first statement (`defer_begin`), and COMMIT or ROLLBACK with no transaction
    open in SQLite (a read-only autocommit use, or nothing run) does not go to the thread.
    A server-side cursor (`conn.stream`) sends the BEGIN in a trip of its own first."""

    __slots__ = ("checkpoints_after", "in_wal", "pending_begin", "quick")
    _cursor_cls = OneHopCursor  # type: ignore[assignment]  # a subclass, as the base expects
    _ss_cursor_cls = OneHopServerSideCursor

    def __init__(self, dbapi: Any, connection: Any) -> None:  # an aiosqlite.Connection
        super().__init__(dbapi, connection)
        self.pending_begin: str | None = None
        self.quick = False  # this transaction's writes and commit run on the event loop
        self.in_wal = False  # journal_mode is WAL (store/db.py): the loop may commit, roll back
        # the writer's: SQLite's total_changes at which to checkpoint next (None: SQLite's own)
        self.checkpoints_after: int | None = None

    def defer_begin(self, statement: str, *, quick: bool = False) -> None:
        """Run `statement` (BEGIN, BEGIN IMMEDIATE) just before the next statement, in its trip;
        `quick`: the transaction's statements and commit run on the event loop (see above),
        in WAL mode only (a rollback journal's commit waits for locks and syncs)."""
        self.pending_begin = statement
        self.quick = quick and self.in_wal

    def take_checkpoints(self) -> None:
        """This connection checkpoints its WAL itself, in the thread (see the module's doc)."""
        self.checkpoints_after = self._connection._conn.total_changes + CHECKPOINT_CHANGES

    async def send_pending_begin(self) -> None:
        """The deferred BEGIN in a trip of its own, for a statement that cannot carry it."""
        conn = self._connection
        async with self._execute_mutex:
            begin, self.pending_begin = self.pending_begin, None
            if begin is not None:
                await conn._execute(_begin, conn._conn, begin)

    def _in_transaction(self) -> bool:
        self.pending_begin = None  # a transaction that ran nothing never began
        return bool(self._connection._connection and self._connection.in_transaction)

    def commit(self) -> None:
        quick, self.quick = self.quick, False
        if not self._in_transaction():
            return
        if quick and self._on_loop_now():
            try:
                self._connection._conn.commit()
            except Exception as error:
                self._handle_exception(error)
        else:
            super().commit()
        self._checkpoint_if_due()

    def rollback(self) -> None:
        """On the event loop in WAL mode: a rollback there waits for no lock, writes nothing."""
        self.quick = False
        if not self._in_transaction():
            return
        if self._on_loop_now():
            try:
                self._connection._conn.rollback()
            except Exception as error:
                self._handle_exception(error)
        else:
            super().rollback()

    def _on_loop_now(self) -> bool:
        """WAL mode, and no statement of this connection under way in the thread (only a
        connection shared by several tasks, `:memory:`, could have one)."""
        return self.in_wal and not self._execute_mutex.locked()

    def _checkpoint_if_due(self) -> None:
        """After a commit: a due checkpoint in the thread. Its failure is logged, not raised:
        the commit stands, and the next one tries again CHECKPOINT_CHANGES rows later."""
        due = self.checkpoints_after
        conn = self._connection
        if due is None or conn._conn.total_changes < due:
            return
        self.checkpoints_after = conn._conn.total_changes + CHECKPOINT_CHANGES
        try:
            await_(conn._execute(_checkpoint, conn._conn))
        except Exception:
            log.warning("WAL checkpoint failed; the next is due in %d rows", CHECKPOINT_CHANGES,
                        exc_info=True)  # fmt: skip


class OneHopDbapi(AsyncAdapt_aiosqlite_dbapi):
    """SQLAlchemy's aiosqlite DBAPI shim, handing out OneHopConnections."""

    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        kw["check_same_thread"] = False  # the event loop's thread runs short statements too
        adapted = super().connect(*arg, **kw)
        return OneHopConnection(self, adapted._connection)


def one_hop_dbapi() -> OneHopDbapi:
    return OneHopDbapi(aiosqlite, sqlite3)
