"""Idempotency: a Telegram update is applied once, however often it is delivered."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from store.schema import processed_updates


async def claim_update(conn: AsyncConnection, update_id: int | None, now: datetime) -> bool:
    """Inside a write transaction: True the first time this update is seen, False after.

    Because the claim commits or rolls back with the work it guards, a crash mid-way leaves the
    update unclaimed and its redelivery is applied normally.
    """
    if update_id is None:
        return True
    dialect = conn.dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    stmt = (
        insert(processed_updates)
        .values(update_id=update_id, received_at=now)
        .on_conflict_do_nothing(index_elements=["update_id"])
    )
    result = await conn.execute(stmt)
    return bool(result.rowcount)


async def was_processed(conn: AsyncConnection, update_id: int) -> bool:
    row = await conn.execute(
        select(processed_updates.c.update_id).where(processed_updates.c.update_id == update_id)
    )
    return row.first() is not None
