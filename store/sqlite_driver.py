"""aiosqlite with one trip to its thread per statement.

aiosqlite runs SQLite in a thread of its own; SQLAlchemy's adapter makes a separate trip there
(a queue put, a thread wake-up, a future resolved back on the event loop) for each of creating
the cursor, executing, fetching the rows and closing the cursor: four trips for a SELECT. On a
small shared machine a trip costs 0.1-0.5 ms, most of a statement's cost (docs/benchmarks.md).
This cursor sends one function that does all four in the thread and brings back the
description, rows, rowcount and lastrowid together. The connection also saves the trips of
transaction control: the BEGIN that store/db.py issues waits to ride along with the
transaction's first statement (or goes first for a server-side cursor, `conn.stream`), and a
COMMIT or ROLLBACK with no transaction open in SQLite is not sent. Everything else (pooling,
errors, the SQL itself, a server-side cursor's fetches) is SQLAlchemy's aiosqlite dialect
unchanged; the engine gets this as its DBAPI module (`create_async_engine(url,
module=one_hop_dbapi())`).

It uses aiosqlite's `_execute` and `_conn`, as SQLAlchemy's own adapter does for isolation
levels; tests/foundation/test_sqlite_driver.py pins the behaviour.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Sequence
from typing import Any, cast

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
    AsyncAdapt_aiosqlite_ss_cursor,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

Outcome = tuple[Any, list[Any], int, int | None]  # description, rows, rowcount, lastrowid


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


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A buffered cursor whose execute is a single call into aiosqlite's thread."""

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
        conn, adapt = self._connection, self._adapt_connection
        async with adapt._execute_mutex:
            begin, adapt.pending_begin = adapt.pending_begin, None  # type: ignore[attr-defined]
            outcome: Outcome = await conn._execute(
                _run, conn._conn, begin, operation, parameters, many
            )
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

    __slots__ = ("pending_begin",)
    _cursor_cls = OneHopCursor  # type: ignore[assignment]  # a subclass, as the base expects
    _ss_cursor_cls = OneHopServerSideCursor

    def __init__(self, dbapi: Any, connection: Any) -> None:  # an aiosqlite.Connection
        super().__init__(dbapi, connection)
        self.pending_begin: str | None = None

    def defer_begin(self, statement: str) -> None:
        """Run `statement` (BEGIN, BEGIN IMMEDIATE) just before the next statement, in its trip."""
        self.pending_begin = statement

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
        if self._in_transaction():
            super().commit()

    def rollback(self) -> None:
        if self._in_transaction():
            super().rollback()


class OneHopDbapi(AsyncAdapt_aiosqlite_dbapi):
    """SQLAlchemy's aiosqlite DBAPI shim, handing out OneHopConnections."""

    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        adapted = super().connect(*arg, **kw)
        return OneHopConnection(self, adapted._connection)


def one_hop_dbapi() -> OneHopDbapi:
    return OneHopDbapi(aiosqlite, sqlite3)
