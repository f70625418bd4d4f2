"""Pending confirmations (`pending_actions`): a choice or preview kept until its button answers.

Kept in the database, not in memory, so a restart or another worker still knows the question.
Every capability uses these functions with its own `kind` (task_close, plan_import,
sheet_import, fig_choice, ...). A row is `open` until it is finished (`done` or `cancelled`)
once; it counts only until `expires_at`.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from store.schema import pending_actions


@dataclass(frozen=True)
class Pending:
    id: str
    kind: str
    user_id: int
    chat_id: int
    payload: dict[str, Any]
    expires_at: datetime


async def create(
    conn: AsyncConnection,
    *,
    kind: str,
    user_id: int,
    chat_id: int,
    payload: dict[str, Any],
    now: datetime,
    ttl: timedelta,
) -> str:
    """A new open pending action; its id is short and safe in callback data (no ':')."""
    pending_id = secrets.token_urlsafe(9)
    await conn.execute(
        insert(pending_actions).values(
            id=pending_id, kind=kind, user_id=user_id, chat_id=chat_id, payload=payload,
            created_at=now, expires_at=now + ttl, status="open",
        )
    )  # fmt: skip
    return pending_id


async def get(
    conn: AsyncConnection,
    pending_id: str,
    *,
    now: datetime,
    kind: str | None = None,
    user_id: int | None = None,
) -> Pending | None:
    """The open, unexpired pending action (of this kind and this user, when given); else None."""
    row = (
        await conn.execute(select(pending_actions).where(pending_actions.c.id == pending_id))
    ).first()
    if row is None or row.status != "open":
        return None
    if (kind is not None and row.kind != kind) or (user_id is not None and row.user_id != user_id):
        return None
    if _aware(row.expires_at, now) < now:
        return None
    return Pending(row.id, row.kind, row.user_id, row.chat_id, dict(row.payload or {}),
                   row.expires_at)  # fmt: skip


async def update_payload(conn: AsyncConnection, pending_id: str, payload: dict[str, Any]) -> bool:
    """Replace the payload of an open pending action (a question answered, more to ask)."""
    result = await conn.execute(
        update(pending_actions)
        .where(pending_actions.c.id == pending_id, pending_actions.c.status == "open")
        .values(payload=payload)
    )
    return bool(result.rowcount)


async def finish(conn: AsyncConnection, pending_id: str, status: str = "done") -> bool:
    """open → done | cancelled, once: a second tap (or a second worker) finds it finished."""
    result = await conn.execute(
        update(pending_actions)
        .where(pending_actions.c.id == pending_id, pending_actions.c.status == "open")
        .values(status=status)
    )
    return bool(result.rowcount)


async def take(
    conn: AsyncConnection,
    pending_id: str,
    *,
    now: datetime,
    user_id: int,
    kind: str | None = None,
    status: str = "done",
) -> Pending | None:
    """`get` and `finish` together: the action if this call was the one that closed it."""
    pending = await get(conn, pending_id, now=now, kind=kind, user_id=user_id)
    if pending is None or not await finish(conn, pending_id, status):
        return None
    return pending


async def purge_expired(conn: AsyncConnection, before: datetime) -> int:
    """Delete pending actions (whatever their status) that expired before `before`."""
    stmt = delete(pending_actions).where(pending_actions.c.expires_at < before)
    result = await conn.execute(stmt)
    return int(result.rowcount or 0)


def _aware(value: datetime, now: datetime) -> datetime:
    # SQLite returns naive datetimes (written in the clock's zone), PostgreSQL aware ones in UTC.
    return value if value.tzinfo else value.replace(tzinfo=now.tzinfo)
