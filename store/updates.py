"""Idempotency: a Telegram update is applied once, however often it is delivered."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

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
    claim = _claim_statement(conn.dialect.name)
    result = await conn.execute(claim, {"update_id": update_id, "received_at": now})
    return bool(result.rowcount)


@functools.cache
def _claim_statement(dialect: str) -> Any:
    """Built once per dialect (a figure's every message claims); values come as parameters."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return insert(processed_updates).on_conflict_do_nothing(index_elements=["update_id"])


async def was_processed(conn: AsyncConnection, update_id: int) -> bool:
    row = await conn.execute(
        select(processed_updates.c.update_id).where(processed_updates.c.update_id == update_id)
    )
    return row.first() is not None
