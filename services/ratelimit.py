"""Per-user limits for expensive actions (charts, exports, imports): a token bucket each.

Usage at the edge, before the expensive work::

    limited = ratelimit.check(env, actor.user_id, ratelimit.CHART)
    if limited is not None:
        await reply(update, t("rate_limited", actor.lang, seconds=limited.seconds))
        return

The buckets live IN MEMORY, one set per Env (so per process): correct for the one long-polling
process this bot runs as today. Several workers (the webhook / multi-worker issue) would each
grant the full allowance; that issue moves the buckets into the database (a `pending_actions`
row of kind "ratelimit" per user and action, updated inside the write transaction). Keep
`check()`'s signature and the move is invisible to callers. Time comes from env.clock, so tests
drive the refill with a FixedClock. Admins are not exempt: a runaway script is still limited.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from domain.clock import Clock
from services.context import Env

CHART = "chart"
EXPORT = "export"
IMPORT = "import"


@dataclass(frozen=True)
class Limit:
    """`burst` actions at once, refilled at `burst` per `per_seconds`."""

    burst: int
    per_seconds: float

    @property
    def refill_per_second(self) -> float:
        return self.burst / self.per_seconds


LIMITS: dict[str, Limit] = {
    CHART: Limit(burst=6, per_seconds=60),
    EXPORT: Limit(burst=3, per_seconds=300),
    IMPORT: Limit(burst=3, per_seconds=300),
}


@dataclass(frozen=True)
class RetryAfter:
    """Refused: try again in `seconds` (whole seconds, at least 1)."""

    action: str
    seconds: int


@dataclass
class _Bucket:
    tokens: float
    at: datetime


class RateLimiter:
    """Token buckets keyed by (user, action); one per process (see the module docstring)."""

    def __init__(self, clock: Clock, limits: dict[str, Limit] | None = None) -> None:
        self.clock = clock
        self.limits = dict(LIMITS if limits is None else limits)
        self._buckets: dict[tuple[int, str], _Bucket] = {}

    def check(self, user_id: int, action: str) -> RetryAfter | None:
        """Take one token; None when allowed, RetryAfter when the bucket is empty."""
        limit = self.limits.get(action)
        if limit is None:
            raise ValueError(f"no rate limit for {action!r}; one of {sorted(self.limits)}")
        now = self.clock.now()
        bucket = self._buckets.get((user_id, action))
        if bucket is None:
            bucket = self._buckets[(user_id, action)] = _Bucket(float(limit.burst), now)
        elapsed = max((now - bucket.at).total_seconds(), 0.0)
        bucket.tokens = min(float(limit.burst), bucket.tokens + elapsed * limit.refill_per_second)
        bucket.at = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return None
        wait = (1.0 - bucket.tokens) / limit.refill_per_second
        return RetryAfter(action, max(1, math.ceil(wait)))

    def forget(self, before: datetime) -> None:
        """Drop buckets untouched since `before` (full again by now); keeps memory bounded."""
        for key in [k for k, b in self._buckets.items() if b.at < before]:
            del self._buckets[key]


_ATTR = "_rate_limiter"


def limiter_of(env: Env) -> RateLimiter:
    """The process's limiter for this Env, kept on the Env itself (created on first use)."""
    found = vars(env).get(_ATTR)
    if not isinstance(found, RateLimiter):
        found = RateLimiter(env.clock)
        vars(env)[_ATTR] = found
    return found


def check(env_or_state: Env | RateLimiter, user_id: int, action: str) -> RetryAfter | None:
    """None when `user_id` may do `action` now; otherwise how long to wait."""
    state = env_or_state if isinstance(env_or_state, RateLimiter) else limiter_of(env_or_state)
    return state.check(user_id, action)
