"""Webhook mode (403 without the secret, logged; a redelivered update handled once) and the
/healthz and /metrics server."""

from __future__ import annotations

import asyncio
import copy
import logging
import socket
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import aiohttp
import pytest
from telegram.ext import Application

from bot.app import build_application
from bot.settings import Settings
from bot.webhook import log_refusals, webhook_args
from handlers import observe
from handlers.common import ENV_KEY
from store.db import Database
from tests.rig import FakeBotApi
from tests.tasks.conftest import add_person

SECRET = "s3cret-token-for-the-test"
OFFICER = 501


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
async def webhook_bot(bot_settings: Settings) -> AsyncIterator[tuple[Application, str]]:  # type: ignore[type-arg]
    port = _port()
    settings = bot_settings.model_copy(
        update={
            "webhook_url": "https://bot.example.org/tg/hook",
            "webhook_listen": f"127.0.0.1:{port}",
            "webhook_secret": Settings(webhook_secret=SECRET).webhook_secret,
            "metrics_listen": f"127.0.0.1:{_port()}",
        }
    )
    app = build_application(settings)
    await app.initialize()
    assert app.post_init is not None and app.updater is not None
    await app.post_init(app)
    log_refusals()
    args = webhook_args(settings)
    args.pop("listen"), args.pop("port")
    await app.updater.start_webhook(listen="127.0.0.1", port=port, **args)
    await app.start()
    try:
        yield app, f"http://127.0.0.1:{port}/tg/hook"
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
        assert app.post_shutdown is not None
        await app.post_shutdown(app)


def _handled() -> float:
    return sum(
        s.value for m in observe.UPDATES.collect() for s in m.samples if s.name.endswith("_total")
    )


async def _until(predicate: Any, timeout: float = 5) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def _post(url: str, body: dict[str, Any], secret: str | None) -> int:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, json=body, headers=headers) as r,
    ):
        return r.status


async def test_webhook_secret_and_redelivery(
    botapi: FakeBotApi, webhook_bot: tuple[Any, str], caplog: pytest.LogCaptureFixture
) -> None:
    app, url = webhook_bot
    [hook] = botapi.find_calls("setWebhook")
    assert hook.params["url"] == "https://bot.example.org/tg/hook"
    assert hook.params["secret_token"] == SECRET
    await add_person(app.bot_data[ENV_KEY], OFFICER, "officer", ["vinh-thuy"])
    msg = botapi.user_text(OFFICER, OFFICER, "Vĩnh Thủy ASXH 3.456/12.345")
    update = {"update_id": 90001, "message": msg}

    with caplog.at_level(logging.WARNING, logger="bot.webhook"):
        assert await _post(url, update, None) == 403
        assert await _post(url, update, "wrong-secret-value-xx") == 403
    refused = [r for r in caplog.records if "webhook refused" in r.getMessage()]
    assert len(refused) == 2 and all(SECRET not in r.getMessage() for r in refused)
    assert "missing" in refused[0].getMessage() and "present" in refused[1].getMessage()

    handled = _handled()
    assert await _post(url, update, SECRET) == 200
    [receipt] = await botapi.reply_to(msg)
    assert await _post(url, copy.deepcopy(update), SECRET) == 200  # Telegram retries
    await _until(lambda: _handled() >= handled + 2)  # the retry went through the handlers
    texts = [c for c in botapi.find_calls("sendMessage") if c.params.get("chat_id") == OFFICER]
    assert len(texts) == 1, receipt


async def test_healthz_and_metrics(botapi: FakeBotApi, webhook_bot: tuple[Any, str]) -> None:
    app, url = webhook_bot
    base = "http://" + app.bot_data["settings"].metrics_listen
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{base}/healthz") as r:
            body = await r.json()
            assert r.status == 200, body
            assert body == {"status": "ok", "database": True, "telegram": True, "jobs": True}
        msg = botapi.user_text(OFFICER, OFFICER, "/help")
        assert await _post(url, {"update_id": 90100, "message": msg}, SECRET) == 200
        await botapi.reply_to(msg)
        async with session.get(f"{base}/metrics") as r:
            text = await r.text()
        assert r.status == 200
        assert 'dean06_updates_total{kind="command"}' in text
        assert "dean06_update_seconds_bucket" in text
        assert "dean06_update_queue_depth" in text and "dean06_telegram_429_total" in text
        # the database goes away: 503 naming the failing check
        env = app.bot_data[ENV_KEY]
        app.bot_data[ENV_KEY] = replace(
            env, db=Database("postgresql+asyncpg://x@127.0.0.1:1/x", connect_timeout=1)
        )
        try:
            async with session.get(f"{base}/healthz") as r:
                body = await r.json()
            assert r.status == 503 and body["database"] is False and body["telegram"] is True
        finally:
            await app.bot_data[ENV_KEY].db.close()
            app.bot_data[ENV_KEY] = env
