"""The sender is read once and reused: dropped at once on a change made here, and after
ACTOR_TTL seconds for a change made by another process (written behind the cache's back)."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from services import access
from services.access import resolve_actor
from services.context import Env
from store import people
from store.schema import users

OFFICER = 4242


async def test_a_change_here_is_seen_at_once(env: Env) -> None:
    unit = next(iter(env.ids.unit_code))
    async with env.db.write() as conn:
        await people.upsert_user(conn, OFFICER, now=env.clock.now(), role="officer")
        await people.bind_units(conn, OFFICER, [unit], now=env.clock.now(), by=None)
    assert (await resolve_actor(env, OFFICER)).role == "officer"
    async with env.db.write() as conn:
        await people.bind_units(conn, OFFICER, [], now=env.clock.now(), by=None)
    assert (await resolve_actor(env, OFFICER)).role == "none"  # no units left, no rights


async def test_a_change_elsewhere_is_seen_after_the_ttl(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with env.db.write() as conn:
        await people.upsert_user(conn, OFFICER, now=env.clock.now(), role="leader")
    now = [1000.0]
    monkeypatch.setattr(access, "_monotonic", lambda: now[0])
    assert (await resolve_actor(env, OFFICER)).role == "leader"
    async with env.db.write() as conn:  # another worker's write: this process's cache is not told
        await conn.execute(update(users).where(users.c.id == OFFICER).values(role="none"))
    assert (await resolve_actor(env, OFFICER)).role == "leader"
    now[0] += access.ACTOR_TTL + 0.1
    assert (await resolve_actor(env, OFFICER)).role == "none"


async def test_the_name_telegram_sends_wins_over_the_stored_one(env: Env) -> None:
    async with env.db.write() as conn:
        await people.upsert_user(conn, OFFICER, now=env.clock.now(), full_name="Cũ", role="leader")
    assert (await resolve_actor(env, OFFICER)).name == "Cũ"
    assert (await resolve_actor(env, OFFICER, "Mới")).name == "Mới"


async def test_a_read_made_while_a_change_is_open_is_dropped_at_its_commit(env: Env) -> None:
    async with env.db.write() as conn:
        await people.upsert_user(conn, OFFICER, now=env.clock.now(), role="leader")
    async with env.db.write() as conn:
        await people.set_role(conn, OFFICER, "none", now=env.clock.now())
        # another chat's message, read before the change commits: the old role
        assert (await resolve_actor(env, OFFICER)).role == "leader"
    assert (await resolve_actor(env, OFFICER)).role == "none"  # not 10 s later: at once
