"""The national-scale database on PostgreSQL: a throw-away server holding a copy of the cached
SQLite database, so the same answers can be timed on both in one run.

The first run loads the SQLite rows with binary COPY (asyncpg `copy_records_to_table`, one
table at a time in foreign-key order, foreign-key triggers off while loading), moves the
sequences on, runs VACUUM (ANALYZE), stops the server and keeps its data directory under
data/bench/, keyed like the SQLite cache plus PostgreSQL's major version and the loader's
version. Later runs copy that directory and start a server on the copy (a few seconds), so the
cache itself is never written to.
"""

from __future__ import annotations

import contextlib
import shutil
import sqlite3
import subprocess
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Table

from tests.benchlib import national as data
from tests.rig.postgres import PgServer, find_bindir

DATABASE = "national"
LOADER = "l2"  # bump when the load changes: the cached data directory is rebuilt
NO_PG = "n/a (no PostgreSQL here)"


@dataclass(frozen=True)
class PgNational:
    """A running server with the national database: its SQLAlchemy URL, and how it got there."""

    url: str
    how: str  # "loaded by COPY in 20 s (…)" or "from the cached data directory in 2 s"
    version: str  # "PostgreSQL 15.18"


class _Server(PgServer):
    """PgServer that can start on a data directory copied from the cache (no initdb)."""

    def start_existing(self, cached: Path) -> _Server:
        self.sockdir.mkdir(parents=True)
        subprocess.run(["cp", "-a", str(cached), str(self.datadir)], check=True)
        if self.user is not None:
            for path in (self.root, self.sockdir):
                shutil.chown(path, self.user.pw_uid, self.user.pw_gid)
        self._pg_ctl_start()
        return self

    def _pg_ctl_start(self) -> None:
        options = (
            f"-p {self.port} -k {self.sockdir} -c listen_addresses=127.0.0.1 "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200 -c shared_buffers=128MB -c wal_level=minimal "
            "-c max_wal_senders=0 -c max_wal_size=64MB -c min_wal_size=32MB"
        )
        log_file = str(self.root / "server.log")
        pg_ctl = str(self.bindir / "pg_ctl")
        self._run(pg_ctl, "start", "-D", str(self.datadir), "-w", "-t", "60", "-l", log_file,
                  "-o", options)  # fmt: skip

    def stop_server(self) -> None:
        self._run(str(self.bindir / "pg_ctl"), "stop", "-D", str(self.datadir), "-m", "fast")

    def restart(self) -> None:
        """With the bench's shared_buffers (PgServer.start uses the tests' small ones)."""
        self.stop_server()
        self._pg_ctl_start()


def server_version(bindir: Path) -> str:
    """'15.18' from `postgres --version` ('postgres (PostgreSQL) 15.18 (Debian …)')."""
    done = subprocess.run(
        [str(bindir / "postgres"), "--version"], capture_output=True, text=True, check=True
    )
    return done.stdout.split(")", 1)[-1].split()[0]


def cache_dir(seeded: data.Seeded, bindir: Path) -> Path:
    """data/bench/<the SQLite cache's name>-pg<major>-<loader>: keyed like the SQLite cache."""
    major = server_version(bindir).split(".")[0]
    return seeded.db_path.with_name(f"{seeded.db_path.stem}-pg{major}-{LOADER}")


@contextlib.asynccontextmanager
async def national_pg(
    seeded: data.Seeded, naive_tz: tzinfo, log: Callable[[str], None]
) -> AsyncIterator[PgNational | None]:
    """A server with the national database (None when PostgreSQL is not installed here)."""
    bindir = find_bindir()
    if bindir is None:
        log(f"   PostgreSQL: {NO_PG}")
        yield None
        return
    cached = cache_dir(seeded, bindir)
    server = _Server(bindir)
    start = time.perf_counter()
    try:
        if cached.exists():
            server.start_existing(cached)
            how = f"from the cached data directory in {time.perf_counter() - start:.0f} s"
        else:
            log(f"   loading the national database into PostgreSQL (once; cached as {cached.name})")
            server.start()
            server.restart()
            await server.execute(f"CREATE DATABASE {DATABASE}")
            counts = await load(seeded.db_path, server.url(DATABASE), naive_tz)
            how = f"loaded by COPY in {time.perf_counter() - start:.0f} s ({counts} rows)"
            _keep(server, cached)
        log(f"   PostgreSQL {server.port}: national database {how}")
        yield PgNational(server.url(DATABASE), how, f"PostgreSQL {server_version(bindir)}")
    finally:
        server.stop()


def _keep(server: _Server, cached: Path) -> None:
    """Stop cleanly, copy the data directory into the cache (atomically), start again."""
    server.stop_server()  # a clean stop checkpoints; recycled WAL beyond min_wal_size goes
    for old in cached.parent.glob("national-*-pg*"):
        shutil.rmtree(old, ignore_errors=True)
    partial = cached.with_name(cached.name + ".partial")
    subprocess.run(["cp", "-a", str(server.datadir), str(partial)], check=True)
    partial.rename(cached)
    server._pg_ctl_start()


# -- the load ----------------------------------------------------------------------------------


def _converter(column: Any, naive_tz: tzinfo) -> Callable[[Any], Any] | None:
    """SQLite's stored value → what asyncpg's binary COPY wants (memoised: values repeat)."""
    kind = column.type
    parse: Callable[[Any], Any]
    if isinstance(kind, Boolean):
        return lambda v: None if v is None else bool(v)
    if isinstance(kind, DateTime):

        def parse(v: str) -> datetime:
            value = datetime.fromisoformat(v)
            return value if value.tzinfo else value.replace(tzinfo=naive_tz)

    elif isinstance(kind, Date):
        parse = date.fromisoformat
    else:
        return None
    memo: dict[Any, Any] = {None: None}

    def convert(v: Any) -> Any:
        try:
            return memo[v]
        except KeyError:
            memo[v] = out = parse(v)
            return out

    return convert


def _records(con: sqlite3.Connection, table: Table, naive_tz: tzinfo) -> Iterator[tuple[Any, ...]]:
    names = [c.name for c in table.columns]
    convs = [_converter(c, naive_tz) for c in table.columns]
    plain = all(c is None for c in convs)
    cursor = con.execute(f"SELECT {', '.join(names)} FROM {table.name}")
    if plain:
        yield from cursor
        return
    pairs = list(enumerate(convs))
    for row in cursor:
        yield tuple(v if f is None else f(v) for (_, f), v in zip(pairs, row, strict=True))


async def load(sqlite_path: Path, pg_url: str, naive_tz: tzinfo) -> int:
    """Migrate the PostgreSQL database, COPY every table's rows in, reset sequences, ANALYZE."""
    import asyncpg
    from sqlalchemy.engine import make_url

    from store.db import Database
    from store.transfer import reset_sequences, tables

    db = Database(pg_url)
    try:
        await db.migrate()
    finally:
        await db.close()
    url = make_url(pg_url)
    conn = await asyncpg.connect(
        host=url.host, port=url.port, user=url.username, database=url.database
    )
    con = sqlite3.connect(sqlite_path)
    total = 0
    try:
        async with conn.transaction():
            await conn.execute("SET LOCAL session_replication_role = replica")  # no FK triggers
            for table in tables():
                if table.name == "alembic_version":
                    continue
                names = [c.name for c in table.columns]
                records = _records(con, table, naive_tz)
                status = await conn.copy_records_to_table(
                    table.name, records=records, columns=names
                )
                want = con.execute(f"SELECT count(*) FROM {table.name}").fetchone()[0]
                if status != f"COPY {want}":
                    raise RuntimeError(f"{table.name}: {status}, expected {want} rows")
                total += want
        # statistics for the planner, the visibility map for index-only scans, hint bits set:
        # the copy starts as a long-running database would be, with no autovacuum pending
        await conn.execute("VACUUM (ANALYZE)")
    finally:
        con.close()
        await conn.close()
    db = Database(pg_url)
    try:
        async with db.write() as aconn:
            await reset_sequences(aconn)
    finally:
        await db.close()
    return total
