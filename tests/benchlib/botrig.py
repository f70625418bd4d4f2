"""The real bot (or PTB's echo bot) on the fake Bot API, with bot-side timing hooks.

Per update the hooks record (time.time(), the fake server's clock too):
  put    the Updater handed it to the application (`update_queue.put`);
  start  the bot took it up: `Application.process_update` began, i.e. after the earlier updates
         of the same chat were done (PerChatUpdateProcessor runs one chat's updates in order);
  end    its processing finished.
and per request that went through the bot's send limiter (`app.bot.rate_limiter`, PTB's
AIORateLimiter under bot/retry.py, which keeps to Telegram's 30 messages/s): when
`process_request` was entered and when the limiter let it through (its callback, the HTTP
request, was invoked), tagged with the update whose processing made it (a ContextVar).

An update's reply is the first send to its chat that reached the fake server between its start
and end (one chat's updates never overlap, so this is unambiguous). `Hooks.timings` gives:
  bot-side   reply arrival − start − time this update's requests spent waiting in the limiter
             for Telegram's quota (the bot's own work: handlers, database, rendering, HTTP);
  end-to-end reply arrival − put (adds the wait behind the chat's earlier messages and the
             limiter wait: what a user sees, mostly Telegram's quota under a burst).

`real_bot(..., quota=False)` builds the same application with the limiter's quota lifted (the
same RetryingRateLimiter, overall and per-group rate 1,000,000/s): the bot's own capacity.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext, suppress
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from unittest import mock

from telegram import Update
from telegram.ext import Application

from domain.clock import FixedClock
from tests.rig import FakeBotApi
from tests.rig.echo import build_echo_application
from tests.rig.runner import running

TOKEN = "123456:BENCH-TOKEN"
SEND_METHODS = ("sendMessage", "sendPhoto", "sendDocument")
LIFTED_RATE = 1_000_000  # messages per period: the limiter's quota lifted (`real_bot(quota=False)`)

#: The update whose processing is running in this task (tags the limiter passes).
_UPDATE: ContextVar[int | None] = ContextVar("bench_update", default=None)


@dataclass
class LimiterPass:
    """One request through the bot's send limiter."""

    update_id: int | None  # the update being processed when it was made (None: a job, start-up)
    endpoint: str
    entered: float  # process_request called
    through: float | None = None  # the limiter let it through: the HTTP request began
    left: float | None = None  # process_request returned or raised

    @property
    def wait(self) -> float:
        """Seconds spent in the limiter before the request went out (Telegram's quota)."""
        stop = self.through if self.through is not None else self.left
        return 0.0 if stop is None else stop - self.entered


@dataclass(frozen=True)
class Timing:
    """One update's reply, in seconds (see the module docstring)."""

    bot_side: float  # taken up → reply at the server, minus the limiter wait
    limiter_wait: float  # this update's requests waiting for Telegram's quota before the reply
    end_to_end: float  # handed over → reply at the server


@dataclass
class Hooks:
    """Times (time.time(), the rig's clock) per update_id, and the limiter's passes."""

    put: dict[int, float] = field(default_factory=dict)
    start: dict[int, float] = field(default_factory=dict)
    end: dict[int, float] = field(default_factory=dict)
    chat: dict[int, int] = field(default_factory=dict)
    passes: list[LimiterPass] = field(default_factory=list)
    done: asyncio.Event = field(default_factory=asyncio.Event)

    def install(self, app: Application) -> None:  # type: ignore[type-arg]
        queue = app.update_queue
        original_put = queue.put
        original_process = app.process_update
        if app.bot.rate_limiter is not None:
            self._time_limiter(app.bot.rate_limiter)

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
            token = _UPDATE.set(uid)
            try:
                await original_process(update)
            finally:
                _UPDATE.reset(token)
                if uid is not None:
                    self.end[uid] = time.time()
                    self.done.set()

        queue.put = put  # type: ignore[method-assign]
        app.process_update = process  # type: ignore[method-assign]

    def _time_limiter(self, limiter: Any) -> None:
        """Wrap the limiter's process_request: PTB's ExtBot._do_post hands every request to it
        with the HTTP call as `callback`; AIORateLimiter awaits the quota (overall 30/s, per
        group, and a RetryAfter pause) and only then invokes the callback. So the wait is from
        entry to the callback's first invocation; the HTTP request itself is not part of it."""
        original = limiter.process_request

        async def process_request(
            callback: Any,
            args: Any,
            kwargs: dict[str, Any],
            endpoint: str,
            data: dict[str, Any],
            rate_limit_args: Any,
        ) -> Any:
            got = LimiterPass(_UPDATE.get(), endpoint, time.time())
            self.passes.append(got)

            async def through(*a: Any, **kw: Any) -> Any:
                if got.through is None:
                    got.through = time.time()
                return await callback(*a, **kw)

            try:
                return await original(through, args, kwargs, endpoint, data, rate_limit_args)
            finally:
                got.left = time.time()

        limiter.process_request = process_request

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

    def timings(self, api: FakeBotApi, update_ids: list[int]) -> dict[int, Timing | None]:
        """Per update: bot-side and end-to-end reply latency (None: no reply)."""
        waits: dict[int, list[LimiterPass]] = defaultdict(list)
        for p in self.passes:
            if p.update_id is not None:
                waits[p.update_id].append(p)
        out: dict[int, Timing | None] = {}
        for uid, e2e in self.latencies(api, update_ids).items():
            if e2e is None:
                out[uid] = None
                continue
            start, at = self.start[uid], self.put[uid] + e2e
            wait = _covered(
                [(p.entered, p.entered + p.wait) for p in waits[uid] if p.entered <= at], start, at
            )
            out[uid] = Timing(at - start - wait, wait, e2e)
        return out


def _covered(spans: list[tuple[float, float]], lo: float, hi: float) -> float:
    """Seconds of [lo, hi] covered by the spans (their union: waits may overlap)."""
    total, reach = 0.0, lo
    for a, b in sorted(spans):
        a, b = max(a, reach), min(b, hi)
        if b > a:
            total += b - a
            reach = b
    return total


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


def _lifted_limiter() -> type:
    """The bot's own limiter class (bot/retry.py: retries and all) with the quota lifted."""
    from bot.retry import RetryingRateLimiter

    class LiftedQuota(RetryingRateLimiter):
        def __init__(self, **kwargs: Any) -> None:
            kwargs.update(overall_max_rate=LIFTED_RATE, group_max_rate=LIFTED_RATE)
            super().__init__(**kwargs)

    return LiftedQuota


@asynccontextmanager
async def real_bot(
    db_path: Path, catalogue: Path, day: Any, admins: list[int], quota: bool = True
) -> AsyncIterator[Rig]:
    """The real bot; `quota=False`: its send limiter's quota lifted (see the module docstring).

    bot/app.py's build_application takes no limiter, so its `RetryingRateLimiter` name is
    replaced while it builds; the check after it fails loudly if that stops taking effect."""
    from bot import app as bot_app

    lifted = None if quota else _lifted_limiter()
    async with FakeBotApi(TOKEN) as api:
        settings = bench_settings(api, db_path, catalogue, admins)
        swap = (
            nullcontext()
            if lifted is None
            else mock.patch.object(bot_app, "RetryingRateLimiter", lifted)
        )
        with swap:
            app = bot_app.build_application(settings, clock=bench_clock(day))
        if lifted is not None and not isinstance(app.bot.rate_limiter, lifted):
            raise RuntimeError(f"the quota was not lifted: {app.bot.rate_limiter!r}")
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
