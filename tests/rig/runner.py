"""Run a PTB ``Application`` in-process the way ``Application.run_polling`` does."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from telegram.ext import Application

__all__ = ["catch_up_done", "running", "watch_catch_up"]


@asynccontextmanager
async def running(
    app: Application,  # type: ignore[type-arg]
    *,
    poll_timeout: int = 1,
    **polling_kwargs: Any,
) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """initialize → post_init → start_polling → start; on exit updater.stop → stop →
    post_stop → shutdown → post_shutdown (the same order as ``run_polling``).

    ``poll_timeout`` is the getUpdates long-poll timeout; keep it short so teardown is fast.
    """
    await app.initialize()
    try:
        if app.post_init:
            await app.post_init(app)
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=poll_timeout, **polling_kwargs)
        await app.start()
        try:
            yield app
        finally:
            if app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
            if app.post_stop:
                await app.post_stop(app)
    finally:
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)


async def catch_up_done(caplog: pytest.LogCaptureFixture, timeout: float = 10) -> None:
    """Wait for the start-up alert catch-up job to finish (it logs "alert catch-up" when done).

    It reads the database and may send alerts: a test that counts statements or sends must not
    race it. Call `caplog.set_level(logging.INFO, logger="handlers.alerts")` before the start.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not any(r.getMessage().startswith("alert catch-up") for r in caplog.records):
        assert loop.time() < deadline, "the start-up alert catch-up did not finish"
        await asyncio.sleep(0.02)


def watch_catch_up(caplog: pytest.LogCaptureFixture) -> None:
    """Before the start: let catch_up_done see the catch-up job's log line."""
    caplog.set_level(logging.INFO, logger="handlers.alerts")
