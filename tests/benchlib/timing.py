"""Timing helpers: medians and percentiles, repeated timings, SQL statement counting."""

from __future__ import annotations

import asyncio
import math
import statistics
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile (p99 of 100 samples is the 99th smallest)."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


@dataclass(frozen=True)
class Sample:
    """Seconds per run of one measured thing."""

    values: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.values) if self.values else math.nan

    @property
    def p99(self) -> float:
        return percentile(list(self.values), 99)

    @property
    def n(self) -> int:
        return len(self.values)


def time_sync(fn: Callable[[], Any], runs: int, warmup: int = 1) -> Sample:
    for _ in range(warmup):
        fn()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return Sample(tuple(out))


async def time_async(fn: Callable[[], Awaitable[Any]], runs: int, warmup: int = 1) -> Sample:
    for _ in range(warmup):
        await fn()
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        await fn()
        out.append(time.perf_counter() - start)
        await asyncio.sleep(0)
    return Sample(tuple(out))


def ms(seconds: float) -> str:
    if math.isnan(seconds):
        return "n/a"
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.1f} s"


class SqlCounter:
    """Counts statements sent to the database (before_cursor_execute on the sync engines)."""

    def __init__(self, *engines: Any) -> None:
        self.engines = [e for i, e in enumerate(engines) if e not in engines[:i]]
        self.count = 0
        self.statements: list[str] = []

    def _on_execute(self, conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        self.count += 1
        self.statements.append(statement.split("\n", 1)[0][:80])

    @contextmanager
    def attached(self) -> Iterator[SqlCounter]:
        for engine in self.engines:
            event.listen(engine, "before_cursor_execute", self._on_execute)
        try:
            yield self
        finally:
            for engine in self.engines:
                event.remove(engine, "before_cursor_execute", self._on_execute)

    def reset(self) -> None:
        self.count = 0
        self.statements.clear()


def sql_counter_for(env: Any) -> SqlCounter:
    """A counter on the Env's reader and writer engines (one engine on PostgreSQL)."""
    return SqlCounter(env.db.reader.sync_engine, env.db.writer.sync_engine)
