"""Copy every row of one database into another, empty one (SQLite → PostgreSQL), verified.

Tables go in foreign-key order (store.schema.metadata.sorted_tables). Columns that point into
their own table (units.parent_id, figures.supersedes_id / superseded_by) are inserted empty and
filled in once every row of the table exists, so the order of rows never matters. Everything
is written in one target transaction: a failure leaves the target as empty as it was.
PostgreSQL sequences are moved past the copied ids. Each table is then read back from both
sides and compared by row count and a SHA-256 over its rows in primary-key order, with values
normalised (datetimes to UTC; SQLite's naive ones are in the bot's time zone).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, DateTime, Table, bindparam, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from store.db import Database
from store.schema import metadata

BATCH = 1000


class TargetNotEmpty(Exception):
    """The target already holds rows: migrate-db copies into an empty database only."""


class VerificationFailed(Exception):
    """Counts or checksums differ after the copy (the copy was rolled back)."""


@dataclass(frozen=True)
class TableReport:
    name: str
    rows: int
    checksum: str


@dataclass
class TransferReport:
    tables: list[TableReport] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    def lines(self) -> list[str]:
        width = max((len(t.name) for t in self.tables), default=5)
        return [f"{t.name:<{width}}  {t.rows:>9}  {t.checksum[:16]}" for t in self.tables]


def tables() -> list[Table]:
    """Every table of store/schema.py, parents before children."""
    return list(metadata.sorted_tables)


def _self_refs(table: Table) -> list[Column[Any]]:
    return [c for c in table.columns if any(fk.column.table is table for fk in c.foreign_keys)]


def _order(table: Table) -> list[Column[Any]]:
    return list(table.primary_key.columns) or list(table.columns)


async def count_rows(conn: AsyncConnection, table: Table) -> int:
    return int((await conn.execute(select(func.count()).select_from(table))).scalar() or 0)


async def non_empty_tables(conn: AsyncConnection) -> list[str]:
    return [t.name for t in tables() if await count_rows(conn, t)]


def _datetime_columns(table: Table) -> list[str]:
    return [c.name for c in table.columns if isinstance(c.type, DateTime)]


async def _copy_table(
    src: AsyncConnection, dst: AsyncConnection, table: Table, naive_tz: tzinfo
) -> int:
    later = _self_refs(table)
    stamps = _datetime_columns(table)
    pk = list(table.primary_key.columns)
    fixes: list[dict[str, Any]] = []
    copied = 0
    result = await src.stream(select(table).order_by(*_order(table)))
    async for chunk in result.mappings().partitions(BATCH):
        rows = [dict(r) for r in chunk]
        for row in rows:
            for name in stamps:  # SQLite's naive datetimes were written in the bot's zone
                value = row[name]
                if isinstance(value, datetime) and value.tzinfo is None:
                    row[name] = value.replace(tzinfo=naive_tz)
            if later and any(row[c.name] is not None for c in later):
                fixes.append({f"k_{c.name}": row[c.name] for c in pk + later})
                for c in later:
                    row[c.name] = None
        await dst.execute(table.insert(), rows)
        copied += len(rows)
    if fixes:
        stmt = (
            update(table)
            .where(*[c == bindparam(f"k_{c.name}") for c in pk])
            .values({c.name: bindparam(f"k_{c.name}") for c in later})
        )
        for start in range(0, len(fixes), BATCH):
            await dst.execute(stmt, fixes[start : start + BATCH])
    return copied


async def reset_sequences(conn: AsyncConnection) -> None:
    """PostgreSQL: each serial id's sequence continues after the largest copied id."""
    if conn.dialect.name != "postgresql":
        return
    for table in tables():
        pk = list(table.primary_key.columns)
        if len(pk) != 1 or pk[0].autoincrement is False or not _is_integer(pk[0]):
            continue
        name = pk[0].name
        seq = (
            await conn.execute(
                text("select pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": name}
            )
        ).scalar()
        if seq is None:
            continue
        await conn.execute(
            text(
                f'select setval(:s, coalesce((select max("{name}") from "{table.name}"), 0) + 1,'
                " false)"
            ),
            {"s": seq},
        )


def _is_integer(column: Column[Any]) -> bool:
    try:
        return column.type.python_type is int
    except NotImplementedError:
        return False


# -- verification -----------------------------------------------------------------------------


def _normaliser(naive_tz: tzinfo) -> Callable[[Any], Any]:
    def norm(value: Any) -> Any:
        if isinstance(value, datetime):
            aware = value if value.tzinfo else value.replace(tzinfo=naive_tz)
            return aware.astimezone(UTC).isoformat()
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, float):
            return repr(value)
        if isinstance(value, bool) or value is None or isinstance(value, int | str):
            return value
        if isinstance(value, dict | list):
            return json.loads(json.dumps(value, sort_keys=True, ensure_ascii=False))
        return str(value)

    return norm


async def table_checksum(conn: AsyncConnection, table: Table, naive_tz: tzinfo) -> TableReport:
    """Row count and SHA-256 of the rows in primary-key order, values normalised."""
    norm = _normaliser(naive_tz)
    digest = hashlib.sha256()
    rows = 0
    names = [c.name for c in table.columns]
    result = await conn.stream(select(table).order_by(*_order(table)))
    async for row in result:
        values = [norm(v) for v in row]
        digest.update(json.dumps(dict(zip(names, values, strict=True)), sort_keys=True).encode())
        digest.update(b"\n")
        rows += 1
    return TableReport(table.name, rows, digest.hexdigest())


async def checksums(conn: AsyncConnection, naive_tz: tzinfo) -> list[TableReport]:
    return [await table_checksum(conn, t, naive_tz) for t in tables()]


# -- the whole run ----------------------------------------------------------------------------


async def copy_database(source: Database, target: Database, naive_tz: tzinfo) -> TransferReport:
    """Migrate both to head, refuse a non-empty target, copy, verify; all or nothing.

    `naive_tz`: the zone SQLite's naive datetimes were written in (the bot's TIMEZONE).
    """
    await source.migrate()
    await target.migrate()
    async with source.read() as src:
        expected = await checksums(src, naive_tz)
        async with target.write() as dst:
            filled = await non_empty_tables(dst)
            if filled:
                raise TargetNotEmpty(", ".join(filled))
            for table in tables():
                await _copy_table(src, dst, table, naive_tz)
            await reset_sequences(dst)
            got = await checksums(dst, naive_tz)
            _compare(expected, got)  # raising here rolls the whole copy back
    return TransferReport(got)


def _compare(expected: Sequence[TableReport], got: Sequence[TableReport]) -> None:
    wrong = [
        f"{e.name}: {e.rows} rows {e.checksum[:12]} → {g.rows} rows {g.checksum[:12]}"
        for e, g in zip(expected, got, strict=True)
        if e != g
    ]
    if wrong:
        raise VerificationFailed("; ".join(wrong))
