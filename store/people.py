"""People and chats repository: users, their roles and units, chats and their scope."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from store.schema import user_units, users


async def upsert_user(
    conn: AsyncConnection,
    user_id: int,
    *,
    now: datetime,
    full_name: str = "",
    username: str | None = None,
    role: str | None = None,
) -> None:
    exists = (await conn.execute(select(users.c.id).where(users.c.id == user_id))).first()
    values: dict[str, object] = {"full_name": full_name, "username": username, "updated_at": now}
    if role is not None:
        values["role"] = role
    if exists:
        await conn.execute(update(users).where(users.c.id == user_id).values(values))
    else:
        values.setdefault("role", "none")
        await conn.execute(insert(users).values(id=user_id, created_at=now, **values))


async def bind_units(
    conn: AsyncConnection, user_id: int, unit_ids: list[int], *, now: datetime, by: int | None
) -> None:
    """Replace the user's units with these."""
    await conn.execute(delete(user_units).where(user_units.c.user_id == user_id))
    if unit_ids:
        await conn.execute(
            insert(user_units),
            [{"user_id": user_id, "unit_id": u, "created_at": now, "created_by": by}
             for u in unit_ids],
        )  # fmt: skip
