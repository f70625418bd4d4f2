"""Sheet imports: the `imports` record of a file (its pending preview lives in store/pending)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from store.schema import imports


async def record_import(
    conn: AsyncConnection,
    *,
    filename: str,
    sha256: str,
    actor_user_id: int | None,
    chat_id: int | None,
    now: datetime,
    rows_total: int,
    rows_imported: int,
    detail: dict[str, Any],
) -> int:
    """The file as the source of the figures it brought (figures.import_id points here)."""
    result = await conn.execute(
        insert(imports).values(
            filename=filename[:300], sha256=sha256, actor_user_id=actor_user_id,
            chat_id=chat_id, created_at=now, status="imported", rows_total=rows_total,
            rows_imported=rows_imported, detail=detail,
        )
    )  # fmt: skip
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


async def get_import(conn: AsyncConnection, import_id: int) -> dict[str, Any] | None:
    row = (await conn.execute(select(imports).where(imports.c.id == import_id))).first()
    return dict(row._mapping) if row else None
