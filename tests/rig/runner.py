"""Run a PTB ``Application`` in-process the way ``Application.run_polling`` does."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from telegram.ext import Application

__all__ = ["running"]


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
