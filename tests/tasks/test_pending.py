"""store/pending: one repository of pending confirmations, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from domain.clock import FixedClock
from services.context import Env
from store import pending

TTL = timedelta(hours=2)


async def _create(env: Env, kind: str = "task_close", user_id: int = 7) -> str:
    async with env.db.write() as conn:
        return await pending.create(
            conn, kind=kind, user_id=user_id, chat_id=-1001, payload={"ids": [1, 2]},
            now=env.clock.now(), ttl=TTL,
        )  # fmt: skip


async def test_get_returns_open_action_of_kind_and_user(env: Env) -> None:
    pid = await _create(env)
    assert ":" not in pid and len(pid) <= 24
    now = env.clock.now()
    async with env.db.read() as conn:
        got = await pending.get(conn, pid, now=now, kind="task_close", user_id=7)
        other_user = await pending.get(conn, pid, now=now, user_id=8)
        other_kind = await pending.get(conn, pid, now=now, kind="plan_import")
        missing = await pending.get(conn, "nope", now=now)
    assert got is not None and got.payload == {"ids": [1, 2]} and got.chat_id == -1001
    assert other_user is None and other_kind is None and missing is None


async def test_expired_action_is_gone_for_its_whole_ttl_then_purged(
    env: Env, clock: FixedClock
) -> None:
    pid = await _create(env)
    clock.advance(seconds=TTL.total_seconds() - 60)
    async with env.db.read() as conn:
        assert await pending.get(conn, pid, now=clock.now()) is not None
    clock.advance(seconds=120)
    async with env.db.write() as conn:
        assert await pending.get(conn, pid, now=clock.now()) is None
        assert await pending.purge_expired(conn, clock.now()) == 1
        assert await pending.purge_expired(conn, clock.now()) == 0


async def test_finish_and_take_apply_once(env: Env) -> None:
    first, second = await _create(env), await _create(env)
    now = env.clock.now()
    async with env.db.write() as conn:
        assert await pending.update_payload(conn, first, {"ids": [3]})
        assert await pending.finish(conn, first, "cancelled")
        assert not await pending.finish(conn, first, "done")
        assert not await pending.update_payload(conn, first, {"ids": [4]})
        assert await pending.get(conn, first, now=now) is None
        taken = await pending.take(conn, second, now=now, user_id=7)
        again = await pending.take(conn, second, now=now, user_id=7)
    assert taken is not None and taken.kind == "task_close" and again is None
