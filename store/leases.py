"""Leases: a named row held by one instance until it expires; portable to SQLite and PostgreSQL.

Take or renew in one write transaction: an UPDATE that matches only when the caller already
holds the lease or it has expired, else an INSERT that does nothing on conflict. PostgreSQL
re-checks the UPDATE's condition after waiting on a concurrent writer's row lock, and SQLite
serialises writers, so two instances never both see True.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from store.schema import leases


@dataclass(frozen=True)
class LeaseRow:
    name: str
    holder: str
    acquired_at: datetime
    expires_at: datetime


async def take_lease(
    conn: AsyncConnection, name: str, holder: str, now: datetime, expires_at: datetime
) -> bool:
    """True when `holder` holds `name` until `expires_at` after this call."""
    renewed = await conn.execute(
        update(leases)
        .where(leases.c.name == name, or_(leases.c.holder == holder, leases.c.expires_at < now))
        .values(
            holder=holder,
            expires_at=expires_at,
            acquired_at=case((leases.c.holder == holder, leases.c.acquired_at), else_=now),
        )
    )
    if renewed.rowcount:
        return True
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    created = await conn.execute(
        insert(leases)
        .values(name=name, holder=holder, acquired_at=now, expires_at=expires_at)
        .on_conflict_do_nothing(index_elements=["name"])
    )
    return bool(created.rowcount)


async def get_lease(conn: AsyncConnection, name: str) -> LeaseRow | None:
    row = (await conn.execute(select(leases).where(leases.c.name == name))).first()
    if row is None:
        return None
    return LeaseRow(row.name, row.holder, row.acquired_at, row.expires_at)


async def release_lease(conn: AsyncConnection, name: str, holder: str) -> bool:
    """A clean stop hands the lease on at once instead of letting it expire."""
    result = await conn.execute(
        delete(leases).where(leases.c.name == name, leases.c.holder == holder)
    )
    return bool(result.rowcount)
