"""Per-user limits for expensive actions (charts, exports, imports): a token bucket each.

Usage at the edge, before the expensive work::

    limited = ratelimit.check(env, actor.user_id, ratelimit.CHART, role=actor.role)
    if limited is not None:
        await reply(update, t("rate_limited", actor.lang, seconds=limited.seconds))
        return

(handlers/common.py `over_rate_limit` does exactly this for the handlers.)

The buckets live IN MEMORY, one set per Env, so per process. With several webhook workers
(docs/deploy.md) each worker grants the full allowance: a user who lands on N workers may get N
times the limit. Accepted on purpose: the limit protects each process's CPU and event loop from
one person's rendering and file work, which is per process too; it is not a quota. Should a
shared quota be needed, keep `check()`'s signature and move the buckets into the database
(updated inside the write transaction): callers will not notice. Time comes from env.clock, so tests
drive the refill with a FixedClock.

Leaders and admins get `ELEVATED_FACTOR` times the allowance (burst and refill): they ask for
charts and reports in meetings, several in a row. They are not exempt: a runaway script or a
stuck client is still limited. Pass the actor's role (`role=actor.role`) to get it.
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


ELEVATED_ROLES = frozenset({"leader", "admin"})
ELEVATED_FACTOR = 3

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

    def check(self, user_id: int, action: str, *, role: str = "") -> RetryAfter | None:
        """Take one token; None when allowed, RetryAfter when the bucket is empty."""
        limit = self.limits.get(action)
        if limit is None:
            raise ValueError(f"no rate limit for {action!r}; one of {sorted(self.limits)}")
        if role in ELEVATED_ROLES:
            limit = Limit(limit.burst * ELEVATED_FACTOR, limit.per_seconds)
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


def check(
    env_or_state: Env | RateLimiter, user_id: int, action: str, *, role: str = ""
) -> RetryAfter | None:
    """None when `user_id` may do `action` now; otherwise how long to wait."""
    state = env_or_state if isinstance(env_or_state, RateLimiter) else limiter_of(env_or_state)
    return state.check(user_id, action, role=role)
