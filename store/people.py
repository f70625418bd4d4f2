"""People and chats repository: users, their roles and units, chats, invites, join requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, event, func, insert, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncConnection

from store.schema import audit, chats, invites, join_requests, user_units, users

# --- users and their units -------------------------------------------------------------------

_generation = 0


def generation() -> int:
    """Moves on every write to users or user_units made in this process, and again when that
    write commits: a cache of who someone is (services.access) compares it to drop what it
    holds, including what it read while the write was still open."""
    return _generation


def _bump(*_: Any) -> None:
    global _generation
    _generation += 1


_CHANGED = "dean06_people_changed"  # in Connection.info: a write to people is in this transaction


def _changed(conn: AsyncConnection) -> None:
    _bump()
    conn.info[_CHANGED] = True


def _ended(connection: Connection) -> None:
    """At any commit or rollback: bump again if the transaction wrote to people. (A listener
    per connection would pile up on store/db.py's kept connections, and listening twice on
    one connection is a no-op, so the second write's commit went unseen.) An invalidated
    connection (a statement cancelled midway) has no info to read, which would raise in place
    of the cancellation: bump anyway, the cache only reads again."""
    if connection.invalidated or connection.info.pop(_CHANGED, False):
        _bump()


def watch(engine: Engine) -> None:
    """Bump the generation at the end of this engine's transactions that wrote to people
    (store/db.Database does it for its engines)."""
    event.listen(engine, "commit", _ended)
    event.listen(engine, "rollback", _ended)


@dataclass(frozen=True)
class ActorRow:
    """What authorisation needs of a user: role, name and unit ids (oldest binding first)."""

    role: str
    full_name: str
    unit_ids: tuple[int, ...]


async def actor_row(conn: AsyncConnection, user_id: int) -> ActorRow | None:
    """One statement: the user's role, name and units; None for someone never stored."""
    rows = (
        await conn.execute(
            select(users.c.role, users.c.full_name, user_units.c.unit_id)
            .select_from(users.outerjoin(user_units, user_units.c.user_id == users.c.id))
            .where(users.c.id == user_id)
            .order_by(user_units.c.created_at, user_units.c.unit_id)
        )
    ).all()
    if not rows:
        return None
    units = tuple(r.unit_id for r in rows if r.unit_id is not None)
    return ActorRow(rows[0].role, rows[0].full_name, units)


@dataclass(frozen=True)
class UserRow:
    id: int
    full_name: str
    username: str | None
    role: str
    unit_ids: tuple[int, ...]


async def upsert_user(
    conn: AsyncConnection,
    user_id: int,
    *,
    now: datetime,
    full_name: str = "",
    username: str | None = None,
    role: str | None = None,
) -> None:
    _changed(conn)
    exists = (await conn.execute(select(users.c.id).where(users.c.id == user_id))).first()
    values: dict[str, object] = {"updated_at": now}
    if full_name or not exists:
        values["full_name"] = full_name
    if username is not None or not exists:
        values["username"] = username
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
    _changed(conn)
    await conn.execute(delete(user_units).where(user_units.c.user_id == user_id))
    if unit_ids:
        await conn.execute(
            insert(user_units),
            [{"user_id": user_id, "unit_id": u, "created_at": now, "created_by": by}
             for u in unit_ids],
        )  # fmt: skip


async def add_unit(
    conn: AsyncConnection, user_id: int, unit_id: int, *, now: datetime, by: int | None
) -> bool:
    """Bind one more unit; False when the user already had it."""
    _changed(conn)
    found = await conn.execute(
        select(user_units.c.unit_id).where(
            user_units.c.user_id == user_id, user_units.c.unit_id == unit_id
        )
    )
    if found.first():
        return False
    await conn.execute(
        insert(user_units).values(user_id=user_id, unit_id=unit_id, created_at=now, created_by=by)
    )
    return True


async def get_user(conn: AsyncConnection, user_id: int) -> UserRow | None:
    row = (await conn.execute(select(users).where(users.c.id == user_id))).first()
    if row is None:
        return None
    units = await conn.execute(
        select(user_units.c.unit_id)
        .where(user_units.c.user_id == user_id)
        .order_by(user_units.c.created_at, user_units.c.unit_id)
    )
    return UserRow(row.id, row.full_name, row.username, row.role, tuple(r[0] for r in units))


async def set_role(conn: AsyncConnection, user_id: int, role: str, *, now: datetime) -> None:
    _changed(conn)
    await conn.execute(update(users).where(users.c.id == user_id).values(role=role, updated_at=now))


async def user_ids_with_role(conn: AsyncConnection, role: str) -> list[int]:
    rows = await conn.execute(select(users.c.id).where(users.c.role == role).order_by(users.c.id))
    return [r[0] for r in rows]


# --- chats -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChatRow:
    """A chat the bot is or was in, with its scope and alert settings (store/alerts reads it)."""

    id: int
    type: str
    title: str
    scope_unit_id: int | None
    status: str  # member | left | kicked | blocked | migrated
    migrated_to: int | None
    alerts_enabled: bool
    alert_time: str | None  # HH:MM, None → the ALERT_TIME setting
    all_clear: bool


def _chat(row: Any) -> ChatRow:
    return ChatRow(
        row.id, row.type, row.title, row.scope_unit_id, row.status, row.migrated_to,
        bool(row.alerts_enabled), row.alert_time, bool(row.all_clear),
    )  # fmt: skip


async def get_chat(conn: AsyncConnection, chat_id: int) -> ChatRow | None:
    row = (await conn.execute(select(chats).where(chats.c.id == chat_id))).first()
    return _chat(row) if row else None


async def all_chats(conn: AsyncConnection) -> list[ChatRow]:
    return [_chat(r) for r in await conn.execute(select(chats).order_by(chats.c.id))]


async def upsert_chat(
    conn: AsyncConnection,
    chat_id: int,
    *,
    now: datetime,
    chat_type: str,
    title: str = "",
    status: str | None = None,
) -> ChatRow:
    """Record a chat the bot is in (or was in); keeps its scope and alert settings."""
    current = await get_chat(conn, chat_id)
    values: dict[str, object] = {"type": chat_type, "updated_at": now}
    if title:
        values["title"] = title
    if status is not None:
        values["status"] = status
    if current is None:
        values.setdefault("status", "member")
        values.setdefault("title", "")
        await conn.execute(insert(chats).values(id=chat_id, created_at=now, **values))
    else:
        await conn.execute(update(chats).where(chats.c.id == chat_id).values(values))
    chat = await get_chat(conn, chat_id)
    assert chat is not None
    return chat


async def set_chat_scope(
    conn: AsyncConnection, chat_id: int, unit_id: int | None, *, now: datetime
) -> None:
    await conn.execute(
        update(chats).where(chats.c.id == chat_id).values(scope_unit_id=unit_id, updated_at=now)
    )


async def chats_with_scope(conn: AsyncConnection, unit_ids: list[int]) -> list[ChatRow]:
    """Group chats bound to any of these units that the bot is still in."""
    if not unit_ids:
        return []
    rows = await conn.execute(
        select(chats)
        .where(chats.c.scope_unit_id.in_(unit_ids), chats.c.status == "member")
        .order_by(chats.c.id)
    )
    return [_chat(r) for r in rows]


async def migrate_chat(conn: AsyncConnection, old_id: int, new_id: int, *, now: datetime) -> bool:
    """A group became a supergroup: the new id takes over scope and alert settings.

    False when already done (Telegram sends the news in both chats).
    """
    old = (await conn.execute(select(chats).where(chats.c.id == old_id))).first()
    if old is None or old.migrated_to == new_id:
        return False
    carried = {
        "scope_unit_id": old.scope_unit_id,
        "alerts_enabled": old.alerts_enabled,
        "alert_time": old.alert_time,
        "all_clear": old.all_clear,
    }
    exists = (await conn.execute(select(chats.c.id).where(chats.c.id == new_id))).first()
    if exists:
        await conn.execute(
            update(chats)
            .where(chats.c.id == new_id)
            .values(type="supergroup", status="member", updated_at=now, **carried)
        )
    else:
        await conn.execute(
            insert(chats).values(
                id=new_id, type="supergroup", title=old.title, status="member",
                created_at=now, updated_at=now, **carried,
            )
        )  # fmt: skip
    await conn.execute(
        update(chats)
        .where(chats.c.id == old_id)
        .values(migrated_to=new_id, status="migrated", updated_at=now)
    )
    return True


# --- invites ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class InviteRow:
    code: str  # the stored form (a hash; see services/onboarding.py)
    unit_id: int
    role: str
    created_by: int | None
    created_at: datetime
    expires_at: datetime
    used_by: int | None
    used_at: datetime | None
    revoked_at: datetime | None


def _invite(row: Any) -> InviteRow:
    return InviteRow(
        row.code, row.unit_id, row.role, row.created_by, row.created_at, row.expires_at,
        row.used_by, row.used_at, row.revoked_at,
    )  # fmt: skip


async def insert_invites(conn: AsyncConnection, rows: list[dict[str, object]]) -> None:
    """rows: code, unit_id, role, created_by, created_at, expires_at."""
    if rows:
        await conn.execute(insert(invites), rows)


async def get_invite(conn: AsyncConnection, code: str) -> InviteRow | None:
    row = (await conn.execute(select(invites).where(invites.c.code == code))).first()
    return _invite(row) if row else None


async def use_invite(conn: AsyncConnection, code: str, user_id: int, *, now: datetime) -> bool:
    """Single use: only the first redeemer of a live code wins, even under concurrency."""
    result = await conn.execute(
        update(invites)
        .where(
            invites.c.code == code,
            invites.c.used_by.is_(None),
            invites.c.revoked_at.is_(None),
            invites.c.expires_at > now,
        )
        .values(used_by=user_id, used_at=now)
    )
    return bool(result.rowcount)


async def active_invites(conn: AsyncConnection, now: datetime) -> list[InviteRow]:
    rows = await conn.execute(
        select(invites)
        .where(invites.c.used_by.is_(None), invites.c.revoked_at.is_(None))
        .where(invites.c.expires_at > now)
        .order_by(invites.c.unit_id, invites.c.created_at)
    )
    return [_invite(r) for r in rows]


async def revoke_invites(
    conn: AsyncConnection, *, now: datetime, code: str | None = None, unit_id: int | None = None
) -> int:
    """Revoke one live code, or every live code of a unit; returns how many."""
    stmt = update(invites).where(invites.c.used_by.is_(None), invites.c.revoked_at.is_(None))
    if code is not None:
        stmt = stmt.where(invites.c.code == code)
    if unit_id is not None:
        stmt = stmt.where(invites.c.unit_id == unit_id)
    result = await conn.execute(stmt.values(revoked_at=now))
    return int(result.rowcount)


# --- join requests ---------------------------------------------------------------------------


@dataclass(frozen=True)
class JoinRequestRow:
    id: int
    user_id: int
    unit_id: int
    status: str
    created_at: datetime


def _request(row: Any) -> JoinRequestRow:
    return JoinRequestRow(row.id, row.user_id, row.unit_id, row.status, row.created_at)


async def pending_request(
    conn: AsyncConnection, user_id: int, unit_id: int
) -> JoinRequestRow | None:
    row = (
        await conn.execute(
            select(join_requests).where(
                join_requests.c.user_id == user_id,
                join_requests.c.unit_id == unit_id,
                join_requests.c.status == "pending",
            )
        )
    ).first()
    return _request(row) if row else None


async def insert_request(
    conn: AsyncConnection, user_id: int, unit_id: int, *, now: datetime
) -> JoinRequestRow:
    result = await conn.execute(
        insert(join_requests).values(
            user_id=user_id, unit_id=unit_id, status="pending", created_at=now
        )
    )
    rid = int(result.inserted_primary_key[0])  # type: ignore[index]
    return JoinRequestRow(rid, user_id, unit_id, "pending", now)


async def get_request(conn: AsyncConnection, request_id: int) -> JoinRequestRow | None:
    row = (
        await conn.execute(select(join_requests).where(join_requests.c.id == request_id))
    ).first()
    return _request(row) if row else None


async def decide_request(
    conn: AsyncConnection, request_id: int, status: str, *, by: int, now: datetime
) -> bool:
    """pending → approved | rejected, once: a second admin's click changes nothing."""
    result = await conn.execute(
        update(join_requests)
        .where(join_requests.c.id == request_id, join_requests.c.status == "pending")
        .values(status=status, decided_by=by, decided_at=now)
    )
    return bool(result.rowcount)


async def requests_of_user(
    conn: AsyncConnection, user_id: int, status: str = "pending"
) -> list[JoinRequestRow]:
    rows = await conn.execute(
        select(join_requests)
        .where(join_requests.c.user_id == user_id, join_requests.c.status == status)
        .order_by(join_requests.c.id)
    )
    return [_request(r) for r in rows]


async def reject_pending_of_user(
    conn: AsyncConnection, user_id: int, *, by: int, now: datetime
) -> int:
    result = await conn.execute(
        update(join_requests)
        .where(join_requests.c.user_id == user_id, join_requests.c.status == "pending")
        .values(status="rejected", decided_by=by, decided_at=now)
    )
    return int(result.rowcount)


# --- audit -----------------------------------------------------------------------------------


async def record_audit(
    conn: AsyncConnection,
    action: str,
    *,
    at: datetime,
    actor: int | None,
    detail: dict[str, object] | None = None,
) -> None:
    """Who did what (người thao tác), in the same transaction as the change itself."""
    await conn.execute(
        insert(audit).values(at=at, actor_user_id=actor, action=action, detail=detail or {})
    )


async def audit_count(conn: AsyncConnection, action: str) -> int:
    row = await conn.execute(
        select(func.count()).select_from(audit).where(audit.c.action == action)
    )
    return int(row.scalar_one())
