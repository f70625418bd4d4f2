"""Shared test setup: an Env on a real, migrated database; people; group chats bound to units."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from domain.catalogue import Catalogue
from domain.clock import Clock
from services.catalogue import load_catalogue
from services.context import Env
from store.catalogue import sync_catalogue
from store.db import Database
from store.schema import chats, user_units, users

REPO_ROOT = Path(__file__).resolve().parents[1]
BUNDLED = REPO_ROOT / "catalogues" / "quang-tri"


async def make_env(
    db: str | Path, clock: Clock, catalogue: Catalogue | None = None, **fields: Any
) -> Env:
    """`db`: a SQLAlchemy URL (the `db_url` fixture: both databases) or a SQLite file path.
    The catalogue (bundled Quảng Trị unless given) is synced; `fields` are the other Env fields
    (admin_ids, alert_time, bot_username, …). Close it with `await env.db.close()`."""
    database = Database(db if isinstance(db, str) else f"sqlite+aiosqlite:///{db}")
    await database.migrate()
    catalogue = catalogue or load_catalogue(BUNDLED)
    async with database.write() as conn:
        ids, _ = await sync_catalogue(conn, catalogue, clock.now())
    return Env(db=database, catalogue=catalogue, ids=ids, clock=clock, **fields)


async def bind_chat(
    env: Env,
    chat_id: int,
    unit: str | None,
    chat_type: str = "supergroup",
    *,
    title: str | None = None,
    **settings: object,
) -> None:
    """A group chat the bot is in, bound to `unit` (None: not bound); `settings` are columns."""
    now = env.clock.now()
    async with env.db.write() as conn:
        await conn.execute(
            chats.insert().values(
                id=chat_id,
                type=chat_type,
                title=f"chat {chat_id}" if title is None else title,
                scope_unit_id=env.ids.unit_id[unit] if unit else None,
                status="member",
                created_at=now,
                updated_at=now,
                **settings,
            )
        )


async def add_person(env: Env, user_id: int, role: str, units: list[str]) -> None:
    """A registered user with a role (officer | leader | admin) and the units they act for."""
    now = env.clock.now()
    async with env.db.write() as conn:
        await conn.execute(
            users.insert().values(
                id=user_id, full_name=f"u{user_id}", role=role, lang="vi", created_at=now,
                updated_at=now,
            )
        )  # fmt: skip
        for u in units:
            await conn.execute(
                user_units.insert().values(
                    user_id=user_id, unit_id=env.ids.unit_id[u], created_at=now
                )
            )
