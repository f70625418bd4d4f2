"""Alerts repository: alert settings of chats (ChatRow: store/people), the ledger, who reported."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from store.people import ChatRow as ChatRow  # chats are read by store/people; re-exported
from store.people import all_chats as all_chats
from store.people import get_chat as get_chat
from store.schema import alerts_sent, chats, figures, user_units, users

GROUP_TYPES = ("group", "supergroup")


async def set_chat_alerts(
    conn: AsyncConnection, chat_id: int, values: dict[str, Any], now: datetime
) -> bool:
    """Change alerts_enabled / alert_time / all_clear of a known chat."""
    result = await conn.execute(
        update(chats).where(chats.c.id == chat_id).values(updated_at=now, **values)
    )
    return bool(result.rowcount)


async def mark_chat_status(
    conn: AsyncConnection, chat_id: int, status: str, now: datetime, chat_type: str = "private"
) -> None:
    """A chat that blocked or removed the bot; a private chat gets a row so it is skipped."""
    result = await conn.execute(
        update(chats).where(chats.c.id == chat_id).values(status=status, updated_at=now)
    )
    if not result.rowcount:
        await conn.execute(
            insert(chats).values(
                id=chat_id, type=chat_type, title="", status=status, created_at=now, updated_at=now
            )
        )


# -- the ledger: (chat, kind, day, key) once ---------------------------------------------------


def _insert(conn: AsyncConnection) -> Any:
    return pg_insert if conn.dialect.name == "postgresql" else sqlite_insert


ALERT_KINDS = ("morning", "reminder")


async def claim_alerts(
    conn: AsyncConnection, claims: Iterable[tuple[int, str, str]], *, day: date, now: datetime
) -> None:
    """Claim (chat, kind, key) alerts of `day` at once, in send order, as 'queued': claimed,
    never attempted. Already claimed ones (any status) are left as they are."""
    rows = [
        {"chat_id": c, "kind": k, "day": day, "key": key, "status": "queued",
         "created_at": now, "detail": {}}
        for c, k, key in claims
    ]  # fmt: skip
    if rows:
        stmt = _insert(conn)(alerts_sent).on_conflict_do_nothing(
            index_elements=["chat_id", "kind", "day", "key"]
        )
        await conn.execute(stmt, rows)


async def queued_alerts(conn: AsyncConnection, day: date) -> list[tuple[int, int, str, str]]:
    """(id, chat, kind, key) of the day's alerts claimed and never attempted, in send order."""
    rows = await conn.execute(
        select(alerts_sent.c.id, alerts_sent.c.chat_id, alerts_sent.c.kind, alerts_sent.c.key)
        .where(
            alerts_sent.c.day == day,
            alerts_sent.c.status == "queued",
            alerts_sent.c.kind.in_(ALERT_KINDS),
        )
        .order_by(alerts_sent.c.id)
    )
    return [(int(r[0]), int(r[1]), str(r[2]), str(r[3])) for r in rows]


async def start_alerts(conn: AsyncConnection, ids: list[int]) -> set[int]:
    """queued → pending (may be sent from now on) for the given ids; returns the ids this call
    moved: a row another sender moved first is not this caller's to send."""
    if not ids:
        return set()
    result = await conn.execute(
        update(alerts_sent)
        .where(alerts_sent.c.id.in_(ids), alerts_sent.c.status == "queued")
        .values(status="pending")
        .returning(alerts_sent.c.id)
    )
    return {int(r[0]) for r in result}


async def requeue_alerts(conn: AsyncConnection, ids: list[int]) -> None:
    """pending → queued for ids whose send never started (an orderly stop): catch-up sends them."""
    if ids:
        await conn.execute(
            update(alerts_sent)
            .where(alerts_sent.c.id.in_(ids), alerts_sent.c.status == "pending")
            .values(status="queued")
        )


async def finish_alerts(
    conn: AsyncConnection, outcomes: list[tuple[int, str, dict[str, Any]]], now: datetime
) -> None:
    """Record (id, sent|failed, detail) of a batch of alerts in one statement."""
    if not outcomes:
        return
    stmt = (
        update(alerts_sent)
        .where(alerts_sent.c.id == bindparam("b_id"))
        .values(
            status=bindparam("b_status"),
            sent_at=bindparam("b_sent_at"),
            detail=bindparam("b_detail", type_=alerts_sent.c.detail.type),
        )
    )
    rows = [
        {"b_id": i, "b_status": status, "b_sent_at": now if status == "sent" else None,
         "b_detail": detail}
        for i, status, detail in outcomes
    ]  # fmt: skip
    await conn.execute(stmt, rows)


async def record_mentions(
    conn: AsyncConnection,
    *,
    chat_id: int,
    day: date,
    items: Iterable[tuple[str, str]],
    now: datetime,
) -> None:
    """What a sent alert chased (kind 'task' or 'report', key): counted for 'đôn đốc lần N'."""
    rows = [
        {"chat_id": chat_id, "kind": kind, "day": day, "key": key, "status": "sent",
         "created_at": now, "sent_at": now, "detail": {}}
        for kind, key in items
    ]  # fmt: skip
    if rows:
        stmt = _insert(conn)(alerts_sent).on_conflict_do_nothing(
            index_elements=["chat_id", "kind", "day", "key"]
        )
        await conn.execute(stmt, rows)


async def chase_counts(
    conn: AsyncConnection, kinds: tuple[str, ...], before: date
) -> dict[str, int]:
    """Per key: on how many days before `before` it was chased (sent), over all chats."""
    rows = await conn.execute(
        select(alerts_sent.c.key, func.count(func.distinct(alerts_sent.c.day)))
        .where(
            alerts_sent.c.kind.in_(kinds),
            alerts_sent.c.status == "sent",
            alerts_sent.c.day < before,
        )
        .group_by(alerts_sent.c.key)
    )
    return {r[0]: int(r[1]) for r in rows}


async def alerts_on(conn: AsyncConnection, day: date) -> list[tuple[int, str, str, str]]:
    """(chat, kind, key, status) of the day's alerts: tests and /nhacviec diagnostics."""
    rows = await conn.execute(
        select(alerts_sent.c.chat_id, alerts_sent.c.kind, alerts_sent.c.key, alerts_sent.c.status)
        .where(alerts_sent.c.day == day, alerts_sent.c.kind.in_(ALERT_KINDS))
        .order_by(alerts_sent.c.id)
    )
    return [(int(r[0]), str(r[1]), str(r[2]), str(r[3])) for r in rows]


async def fail_interrupted(conn: AsyncConnection, now: datetime) -> int:
    """At start: alerts a stopped process left pending, i.e. whose send may have started.
    Whether Telegram got them is unknown: they are not resent (never twice) but marked so the
    log and /nhacviec show it. Queued ones were never attempted and are left to the catch-up."""
    result = await conn.execute(
        update(alerts_sent)
        .where(alerts_sent.c.status == "pending")
        .values(status="failed", detail={"error": "interrupted"})
    )
    return int(result.rowcount or 0)


# -- reports and officers ----------------------------------------------------------------------


async def units_reported_since(
    conn: AsyncConnection, since: datetime, indicator_ids: list[int] | None = None
) -> set[int]:
    """Units with a live figure submitted at or after `since` (in the cycle's indicators)."""
    stmt = (
        select(figures.c.unit_id)
        .where(figures.c.created_at >= since, figures.c.voided.is_(False))
        .distinct()
    )
    if indicator_ids:
        stmt = stmt.where(figures.c.indicator_id.in_(indicator_ids))
    return {int(r[0]) for r in await conn.execute(stmt)}


async def officers_by_unit(conn: AsyncConnection) -> dict[int, list[int]]:
    rows = await conn.execute(
        select(user_units.c.unit_id, users.c.id)
        .select_from(user_units.join(users, users.c.id == user_units.c.user_id))
        .where(users.c.role == "officer")
        .order_by(users.c.id)
    )
    found: dict[int, list[int]] = {}
    for unit_id, user_id in rows:
        found.setdefault(int(unit_id), []).append(int(user_id))
    return found
