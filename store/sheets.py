"""Sheet imports: the `imports` record of a file, its pending preview, and export reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from store.schema import imports, pending_actions

PENDING_KIND = "sheet_import"


@dataclass(frozen=True)
class PendingSheet:
    id: str
    user_id: int
    chat_id: int
    payload: dict[str, Any]
    expires_at: datetime
    status: str  # open | done | cancelled


async def create_pending(
    conn: AsyncConnection,
    pending_id: str,
    *,
    user_id: int,
    chat_id: int,
    payload: dict[str, Any],
    now: datetime,
    expires_at: datetime,
) -> None:
    await conn.execute(
        insert(pending_actions).values(
            id=pending_id, kind=PENDING_KIND, user_id=user_id, chat_id=chat_id,
            payload=payload, created_at=now, expires_at=expires_at, status="open",
        )
    )  # fmt: skip


async def get_pending(conn: AsyncConnection, pending_id: str) -> PendingSheet | None:
    row = (
        await conn.execute(
            select(pending_actions).where(
                pending_actions.c.id == pending_id, pending_actions.c.kind == PENDING_KIND
            )
        )
    ).first()
    if row is None:
        return None
    return PendingSheet(
        row.id, row.user_id, row.chat_id, dict(row.payload), row.expires_at, row.status
    )


async def update_pending(conn: AsyncConnection, pending_id: str, payload: dict[str, Any]) -> None:
    await conn.execute(
        update(pending_actions)
        .where(pending_actions.c.id == pending_id, pending_actions.c.status == "open")
        .values(payload=payload)
    )


async def finish_pending(conn: AsyncConnection, pending_id: str, status: str) -> bool:
    """open → done | cancelled, once: a second tap finds it finished."""
    result = await conn.execute(
        update(pending_actions)
        .where(pending_actions.c.id == pending_id, pending_actions.c.status == "open")
        .values(status=status)
    )
    return bool(result.rowcount)


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
