"""Sending through faults: flood control honoured, server errors and time-outs retried a little.

PTB's AIORateLimiter keeps within Telegram's limits (30 messages/s overall, 20/min per group)
and honours RetryAfter (429). It does not retry 5xx answers, dropped connections or time-outs;
this subclass does, a few times with a growing pause, then gives up by raising the original
error (the error handler logs it; the bot goes on). Client errors (400 BadRequest, 403
Forbidden, ChatMigrated) are never retried: the same request would fail the same way.

A request that timed out may have reached Telegram, so a retry can deliver a message twice; a
duplicate receipt is preferred to a lost one.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError
from telegram.ext import AIORateLimiter

log = logging.getLogger(__name__)

#: Pauses before the 1st, 2nd, 3rd retry of a 5xx / network error / time-out (seconds).
BACKOFF: tuple[float, ...] = (0.5, 1.0, 2.0)


class RetryingRateLimiter(AIORateLimiter):
    """AIORateLimiter + bounded retries with backoff for transient (5xx, network) failures."""

    def __init__(self, *, backoff: tuple[float, ...] = BACKOFF, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.backoff = backoff

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        for attempt in range(len(self.backoff) + 1):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest:
                raise
            except NetworkError as exc:  # 5xx, dropped connection, TimedOut
                if attempt == len(self.backoff):
                    log.warning("%s failed after %d retries: %s", endpoint, attempt, exc)
                    raise
                pause = self.backoff[attempt]
                log.info("%s failed (%s); retry %d in %.1fs", endpoint, exc, attempt + 1, pause)
                await asyncio.sleep(pause)
        raise AssertionError("unreachable")  # pragma: no cover
