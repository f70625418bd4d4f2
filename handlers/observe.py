"""Health and metrics: /healthz and /metrics (Prometheus) on METRICS_LISTEN, and the counters.

/healthz answers 200 when the database answers a query, Telegram answers getMe (cached for
HEALTH_CACHE so a probe every few seconds does not hammer the Bot API) and the daily alert
jobs are scheduled; 503 with the failing checks otherwise.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Any

import httpx
from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from telegram import Update
from telegram.ext import Application
from telegram.request import HTTPXRequest

log = logging.getLogger(__name__)

HEALTH_CACHE = 30.0  # seconds a successful getMe counts as "Telegram reachable"
SERVER_KEY = "observe_server"

UPDATES = Counter("dean06_updates_total", "Updates handled, by kind", ["kind"])
REPLY_SECONDS = Histogram(
    "dean06_update_seconds",
    "Time from taking an update to finishing its handlers (the reply latency)",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
)
ERRORS = Counter("dean06_errors_total", "Handler errors, by exception type", ["type"])
ALERTS_SENT = Counter("dean06_alerts_total", "Morning alerts and reminders, by outcome", ["status"])
TELEGRAM_429 = Counter("dean06_telegram_429_total", "Bot API answers 429 Too Many Requests")
QUEUE_DEPTH = Gauge(
    "dean06_update_queue_depth",
    "Updates received and not yet started: PTB's queue, then waiting for their chat or a slot",
)
LEASE_HELD = Gauge("dean06_alert_lease_held", "1 when this instance sends the morning alerts")


def update_kind(update: object) -> str:
    """message, edited_message, callback_query, my_chat_member, …: the update's one payload."""
    if not isinstance(update, Update):
        return "other"
    for name in (
        "message",
        "edited_message",
        "callback_query",
        "my_chat_member",
        "chat_member",
        "channel_post",
        "chat_join_request",
    ):
        if getattr(update, name, None) is not None:
            kind = name
            message = update.message
            if kind == "message" and message is not None:
                if message.document is not None:
                    kind = "document"
                elif message.text and message.text.startswith("/"):
                    kind = "command"
            return kind
    return "other"


async def timed(update: object, coroutine: Awaitable[Any]) -> None:
    """Run one update's handlers, counting it by kind and timing it; one log line per update."""
    start = time.perf_counter()
    kind = update_kind(update)
    try:
        await coroutine
    finally:
        elapsed = time.perf_counter() - start
        UPDATES.labels(kind).inc()
        REPLY_SECONDS.observe(elapsed)
        if isinstance(update, Update):
            log.info(
                "update=%s kind=%s chat=%s user=%s ms=%d",
                update.update_id,
                kind,
                update.effective_chat.id if update.effective_chat else None,
                update.effective_user.id if update.effective_user else None,
                elapsed * 1000,
            )


def count_error(error: BaseException | None) -> None:
    ERRORS.labels(type(error).__name__ if error else "None").inc()


def count_alerts(sent: int, failed: int = 0) -> None:
    ALERTS_SENT.labels("sent").inc(sent)
    ALERTS_SENT.labels("failed").inc(failed)


class _JsonBodies(httpx.AsyncClient):
    """Sends a request's parameters as a JSON body, not form-encoded as PTB does: encoding a
    1.4 KB Vietnamese reply for a form took 0.1-0.2 ms a message (urllib's per-byte quoting),
    JSON 0.01 ms. PTB hands over the parameters as strings, objects among them JSON-encoded,
    which the Bot API reads alike in either body (a string value is the parameter's text)."""

    async def request(  # type: ignore[override]
        self, method: str, url: Any, *, data: Any = None, files: Any = None, **kwargs: Any
    ) -> httpx.Response:
        if isinstance(data, dict) and not files:
            headers = {**(kwargs.pop("headers", None) or {}), "Content-Type": "application/json"}
            body = json.dumps(data, ensure_ascii=False).encode()
            return await super().request(method, url, content=body, headers=headers, **kwargs)
        return await super().request(method, url, data=data, files=files, **kwargs)


class CountingRequest(HTTPXRequest):
    """PTB's HTTP client, counting the Bot API's 429 answers (flood control); parameters go
    as a JSON body (_JsonBodies; should PTB stop building its client in `_build_client`,
    they go form-encoded again, which only costs time)."""

    def _build_client(self) -> httpx.AsyncClient:
        return _JsonBodies(**self._client_kwargs)

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        code, payload = await super().do_request(*args, **kwargs)
        if code == 429:
            TELEGRAM_429.inc()
        return code, payload


# -- health ------------------------------------------------------------------------------------


@dataclass
class Health:
    application: Application
    job_prefix: str = "alerts@"
    _me_ok_at: float = field(default=-1e9)

    async def database(self) -> bool:
        env = self.application.bot_data.get("env")
        if env is None:
            return False
        try:
            await asyncio.wait_for(env.db.ping(), 5)
            return True
        except Exception as exc:
            log.warning("health: database unreachable: %s", exc)
            return False

    async def telegram(self) -> bool:
        if time.monotonic() - self._me_ok_at < HEALTH_CACHE:
            return True
        try:
            await asyncio.wait_for(self.application.bot.get_me(), 10)
        except Exception as exc:
            log.warning("health: Telegram unreachable: %s", exc)
            return False
        self._me_ok_at = time.monotonic()
        return True

    def jobs(self) -> bool:
        queue = self.application.job_queue
        if queue is None or not queue.scheduler.running:
            return False
        return any((j.name or "").startswith(self.job_prefix) for j in queue.jobs())

    async def check(self) -> dict[str, bool]:
        db_ok, tg_ok = await asyncio.gather(self.database(), self.telegram())
        return {"database": db_ok, "telegram": tg_ok, "jobs": self.jobs()}


def make_app(application: Application) -> web.Application:
    health = Health(application)

    async def healthz(_request: web.Request) -> web.Response:
        checks = await health.check()
        ok = all(checks.values())
        body = {"status": "ok" if ok else "fail", **checks}
        return web.json_response(body, status=200 if ok else 503)

    async def metrics(_request: web.Request) -> web.Response:
        # PTB takes updates off its queue at once; they wait in the update processor instead
        waiting = getattr(application.update_processor, "backlog", 0)
        QUEUE_DEPTH.set(application.update_queue.qsize() + waiting)
        return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    return app


def split_listen(value: str, default_host: str = "127.0.0.1") -> tuple[str, int]:
    """'0.0.0.0:9100', ':9100' or '9100' → (host, port)."""
    host, _, port = value.rpartition(":")
    return host or default_host, int(port)


async def start_server(application: Application, listen: str) -> web.AppRunner:
    host, port = split_listen(listen)
    runner = web.AppRunner(make_app(application), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    application.bot_data[SERVER_KEY] = runner
    log.info("health and metrics on http://%s:%d/healthz and /metrics", host, port)
    return runner


async def stop_server(application: Application) -> None:
    runner = application.bot_data.pop(SERVER_KEY, None)
    if runner is not None:
        await runner.cleanup()


def register(application: Application) -> None:
    """Nothing to register on the update path: the processor calls `timed` (bot/app.py)."""


async def startup(application: Application) -> None:
    settings = application.bot_data.get("settings")
    listen = getattr(settings, "metrics_listen", None)
    if listen:
        await start_server(application, listen)
