"""Two instances on one PostgreSQL and the local Bot API: one morning alert per chat, and a
takeover when the lease holder dies. The alert jobs are driven directly under a FixedClock."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from telegram.ext import Application, CallbackContext

from bot.app import build_application
from bot.settings import Settings
from domain.clock import FixedClock
from handlers import alerts as alert_handlers
from handlers import scale
from handlers.common import ENV_KEY
from services.lease import TTL, current, leadership_of
from tests.conftest import REPO_ROOT, TEST_TOKEN
from tests.rig import FakeBotApi
from tests.tasks.conftest import bind_chat

CHATS = (-2001, -2002, -2003)
TUESDAY = datetime(2026, 6, 9, 8, 0)  # a working day, after ALERT_TIME 07:00


@pytest.fixture
async def pg_url(pg_server: Any) -> AsyncIterator[str]:
    name = await pg_server.create_database(migrated=False)  # the instances migrate it
    try:
        yield pg_server.url(name)
    finally:
        await pg_server.drop_database(name)


def _settings(botapi: FakeBotApi, url: str, tmp: Path) -> Settings:
    return Settings(
        telegram_bot_token=TEST_TOKEN,
        telegram_api_url=f"{botapi.url}/bot",
        telegram_file_url=f"{botapi.url}/file/bot",
        database_url=url,
        database_path=tmp / "unused.db",
        admin_ids=[1],
        catalogue=REPO_ROOT / "catalogues" / "quang-tri",
    )


def _second(settings: Settings) -> Settings:
    """A second worker on the same host: another listen address, so another lease holder."""
    return settings.model_copy(update={"webhook_listen": "127.0.0.1:8444"})


async def _start(settings: Settings, clock: FixedClock) -> Application:  # type: ignore[type-arg]
    """initialize + post_init (database, catalogue, jobs defined), no polling, no job runner."""
    app = build_application(settings, clock=clock)
    await app.initialize()
    assert app.post_init is not None
    await app.post_init(app)
    return app


async def _stop(app: Application, *, crash: bool = False) -> None:  # type: ignore[type-arg]
    await app.shutdown()
    if crash:  # died: no lease release, connections just dropped
        await app.bot_data[ENV_KEY].db.close()
    elif app.post_shutdown is not None:
        await app.post_shutdown(app)


def _ctx(app: Application) -> CallbackContext:  # type: ignore[type-arg]
    return CallbackContext(app)


def _alerts(botapi: FakeBotApi) -> Counter[int]:
    return Counter(int(c.params["chat_id"]) for c in botapi.find_calls("sendMessage"))


async def test_one_alert_per_chat_then_takeover(
    botapi: FakeBotApi, pg_url: str, tmp_path: Path
) -> None:
    clock = FixedClock(TUESDAY)
    settings = _settings(botapi, pg_url, tmp_path)
    # both start at once: migrations and the catalogue sync are serialised by an advisory lock
    a, b = await asyncio.gather(_start(settings, clock), _start(_second(settings), clock))
    stopped: list[Any] = []
    try:
        env = a.bot_data[ENV_KEY]
        for chat in CHATS:
            await bind_chat(env, chat, "quang-tri", all_clear=True)
        before = len(botapi.find_calls("sendMessage"))
        assert before == 0

        # 07:00 fires on both instances at the same moment
        await asyncio.gather(alert_handlers.alert_job(_ctx(a)), alert_handlers.alert_job(_ctx(b)))
        assert _alerts(botapi) == {chat: 1 for chat in CHATS}
        la, lb = leadership_of(a.bot_data), leadership_of(b.bot_data)
        assert la.held != lb.held  # exactly one sender
        holder, other = (a, b) if la.held else (b, a)
        lease = await current(env)
        assert lease is not None and lease.holder == leadership_of(holder.bot_data).holder

        # a second run the same morning (a restart's catch-up, a late job) sends nothing more
        await alert_handlers.catch_up_job(_ctx(other))
        await alert_handlers.alert_job(_ctx(holder))
        assert _alerts(botapi) == {chat: 1 for chat in CHATS}

        # the holder dies without releasing; within TTL the other keeps out
        await _stop(holder, crash=True)
        stopped.append(holder)
        clock.advance(seconds=TTL.total_seconds() / 2)
        await scale.lease_tick(_ctx(other))
        assert not leadership_of(other.bot_data).held
        # after TTL (+ one renew interval at most: under a minute) the other takes over
        clock.advance(seconds=TTL.total_seconds() / 2 + 5)
        await scale.lease_tick(_ctx(other))
        assert leadership_of(other.bot_data).held
        assert _alerts(botapi) == {chat: 1 for chat in CHATS}  # the takeover catch-up: nothing due

        # the next working morning the survivor sends, once per chat
        clock.current = datetime(2026, 6, 10, 8, 0, tzinfo=clock.tz)
        await alert_handlers.alert_job(_ctx(other))
        await alert_handlers.alert_job(_ctx(other))
        assert _alerts(botapi) == {chat: 2 for chat in CHATS}
        lease = await current(other.bot_data[ENV_KEY])
        assert lease is not None and lease.holder == leadership_of(other.bot_data).holder
        assert clock.today() == date(2026, 6, 10)
    finally:
        for app in (a, b):
            if app not in stopped:
                await _stop(app)


async def test_clean_stop_hands_the_lease_on_at_once(
    botapi: FakeBotApi, pg_url: str, tmp_path: Path
) -> None:
    clock = FixedClock(TUESDAY)
    settings = _settings(botapi, pg_url, tmp_path)
    a = await _start(settings, clock)
    b = await _start(_second(settings), clock)
    try:
        await scale.lease_tick(_ctx(a))
        assert leadership_of(a.bot_data).held
        await _stop(a)  # post_shutdown releases
        await scale.lease_tick(_ctx(b))  # no waiting for expiry
        assert leadership_of(b.bot_data).held
    finally:
        await _stop(b)


async def test_a_restarted_instance_takes_its_own_lease_back_at_once(
    botapi: FakeBotApi, pg_url: str, tmp_path: Path
) -> None:
    """kill -9 and start again (same host, same listen): no TTL wait before the catch-up."""
    clock = FixedClock(TUESDAY)
    settings = _settings(botapi, pg_url, tmp_path)
    a = await _start(settings, clock)
    await scale.lease_tick(_ctx(a))
    assert leadership_of(a.bot_data).held
    await _stop(a, crash=True)
    again = await _start(settings, clock)
    try:
        await scale.lease_tick(_ctx(again))
        assert leadership_of(again.bot_data).held
    finally:
        await _stop(again)
