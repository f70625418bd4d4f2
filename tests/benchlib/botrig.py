"""The real bot (or PTB's echo bot) on the fake Bot API, with bot-side timing hooks.

Bot-side latency of an update = the time its reply request reached the fake server minus the
time the Updater handed the update to the application (`update_queue.put`). Replies are matched
to updates by chat: updates of one chat run one after another (PerChatUpdateProcessor), so an
update's reply is the first send to its chat made while that update was being processed.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application

from domain.clock import FixedClock
from tests.rig import FakeBotApi
from tests.rig.echo import build_echo_application
from tests.rig.runner import running

TOKEN = "123456:BENCH-TOKEN"
SEND_METHODS = ("sendMessage", "sendPhoto", "sendDocument")


@dataclass
class Hooks:
    """Times (time.time(), the rig's clock) per update_id."""

    put: dict[int, float] = field(default_factory=dict)
    start: dict[int, float] = field(default_factory=dict)
    end: dict[int, float] = field(default_factory=dict)
    chat: dict[int, int] = field(default_factory=dict)
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def install(self, app: Application) -> None:  # type: ignore[type-arg]
        queue = app.update_queue
        original_put = queue.put
        original_process = app.process_update

        async def put(item: Any) -> None:
            if isinstance(item, Update):
                self.put[item.update_id] = time.time()
                if item.effective_chat is not None:
                    self.chat[item.update_id] = item.effective_chat.id
            await original_put(item)

        async def process(update: object) -> None:
            uid = update.update_id if isinstance(update, Update) else None
            if uid is not None:
                self.start[uid] = time.time()
            try:
                await original_process(update)
            finally:
                if uid is not None:
                    self.end[uid] = time.time()
                    self.done.set()

        queue.put = put  # type: ignore[method-assign]
        app.process_update = process  # type: ignore[method-assign]

    async def wait_processed(self, update_ids: list[int], timeout: float) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not all(u in self.end for u in update_ids):
            remaining = deadline - loop.time()
            if remaining <= 0:
                missing = [u for u in update_ids if u not in self.end]
                raise TimeoutError(f"{len(missing)} updates not processed in {timeout}s")
            self.done.clear()
            with suppress(TimeoutError):
                await asyncio.wait_for(self.done.wait(), min(remaining, 0.5))

    def latencies(self, api: FakeBotApi, update_ids: list[int]) -> dict[int, float | None]:
        """Seconds from hand-over to the first reply request, per update (None: no reply)."""
        sends: dict[int, list[float]] = defaultdict(list)
        for call in api.calls:
            if call.method in SEND_METHODS:
                sends[int(call.params.get("chat_id") or 0)].append(call.at)
        out: dict[int, float | None] = {}
        for uid in update_ids:
            start, end = self.start.get(uid), self.end.get(uid)
            chat = self.chat.get(uid)
            at = None
            if start is not None and end is not None and chat is not None:
                at = next((t for t in sends[chat] if start <= t <= end), None)
            out[uid] = None if at is None else at - self.put[uid]
        return out


@dataclass
class Rig:
    api: FakeBotApi
    app: Application  # type: ignore[type-arg]
    hooks: Hooks

    @property
    def env(self) -> Any:
        from handlers.common import ENV_KEY

        return self.app.bot_data.get(ENV_KEY)

    async def ask(self, chat_id: int, user_id: int, text: str, timeout: float = 10) -> float:
        """Inject one message, wait until it is processed; seconds from injection to reply."""
        injected = time.time()
        msg = self.api.user_text(chat_id=chat_id, user_id=user_id, text=text)
        uid = self.api._message_updates[(chat_id, msg["message_id"])]
        await self.hooks.wait_processed([uid], timeout)
        lat = self.hooks.latencies(self.api, [uid])[uid]
        if lat is None:
            raise LookupError(f"no reply to {text!r}:\n{self.api.describe_calls(8)}")
        return lat + self.hooks.put[uid] - injected


def bench_settings(
    api: FakeBotApi,
    db_path: Path,
    catalogue: Path,
    admins: list[int],
    database_url: str | None = None,
) -> Any:
    """The bot's settings for a bench run: SQLite at db_path unless database_url is given."""
    from bot.settings import Settings

    return Settings(
        telegram_bot_token=TOKEN,
        telegram_api_url=f"{api.url}/bot",
        telegram_file_url=f"{api.url}/file/bot",
        database_path=db_path,
        database_url=database_url,
        catalogue=catalogue,
        admin_ids=admins,
        log_level="WARNING",
    )


def bench_clock(day: Any) -> FixedClock:
    return FixedClock(datetime(day.year, day.month, day.day, 8, 30))


@asynccontextmanager
async def real_bot(
    db_path: Path, catalogue: Path, day: Any, admins: list[int]
) -> AsyncIterator[Rig]:
    from bot.app import build_application

    async with FakeBotApi(TOKEN) as api:
        settings = bench_settings(api, db_path, catalogue, admins)
        app = build_application(settings, clock=bench_clock(day))
        hooks = Hooks()
        hooks.install(app)
        async with running(app, poll_timeout=1):
            yield Rig(api, app, hooks)


@asynccontextmanager
async def echo_bot() -> AsyncIterator[Rig]:
    async with FakeBotApi(TOKEN) as api:
        app = build_echo_application(api)
        hooks = Hooks()
        hooks.install(app)
        async with running(app, poll_timeout=1):
            yield Rig(api, app, hooks)
