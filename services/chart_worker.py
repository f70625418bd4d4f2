"""Where charts are drawn (charts/render.py): a worker process, so a drawing never stalls the
other chats.

matplotlib is pure CPU under the GIL: a ranking takes ~200 ms, and drawn in a thread of the
bot's process it takes the GIL from the event loop for that long, delaying every other chat's
reply (under a burst of chart requests, for seconds). In a worker process the bot only waits
for the bytes. The worker is started on the first chart (spawned, not forked: the bot's
process has threads) and imports matplotlib once; `processes=0` draws in a thread instead
(CHART_PROCESSES=0, as the tests' bot sets; and the default of an Env built without the bot's
lifecycle: by open_env for the demo or a tool, or directly by a test).

One ChartWorker per bot, a resource of the composition root: bot/app.py builds it from
CHART_PROCESSES, keeps it on the Env (`env.chart_worker`) and closes it at shutdown; the chart
handler and the /baocao report both draw through it. While a worker process draws, the caller
waits inside `waiting` (bot/app.py gives handlers/updates.waiting_elsewhere: the update's slot
goes to another update meanwhile); services reach it as `ChartWorker.waiting()`, never
importing handlers.

Identical requests share one drawing: a chart already being drawn for the same spec is
awaited, not drawn again, and the last CACHE_SIZE drawings are kept for CACHE_SECONDS (same
spec, same bytes: render_png is deterministic).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import multiprocessing
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

CACHE_SECONDS = 600.0
CACHE_SIZE = 16

Key = tuple[str, bool]
Waiting = Callable[[], contextlib.AbstractAsyncContextManager[Any]]


def render_png(spec: Any, original: bool) -> bytes:
    """In the worker (or a thread): charts.render imported on first use, not at bot start."""
    from charts.render import render_png as render

    return bytes(render(spec, original=original))


def _watch_parent(parent: int) -> None:
    """In the worker: exit once the bot is gone. A killed bot cannot tell it, and the worker's
    task queue never reports end-of-file (the worker holds both ends of the pipe)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class ChartWorker:
    """render(spec) -> PNG bytes, off the event loop's GIL, at most `processes` at a time."""

    def __init__(self, processes: int = 1, *, waiting: Waiting = contextlib.nullcontext) -> None:
        self.processes = processes
        self._waiting = waiting
        self._executor: Executor | None = None
        self._cache: OrderedDict[Key, tuple[float, bytes]] = OrderedDict()
        self._drawing: dict[Key, asyncio.Future[bytes]] = {}

    async def render(self, spec: Any, *, original: bool = False) -> bytes:
        key = (repr(spec), original)
        hit = self._cache.get(key)
        if hit is not None and time.monotonic() - hit[0] < CACHE_SECONDS:
            self._cache.move_to_end(key)
            return hit[1]
        drawing = self._drawing.get(key)
        if drawing is None:
            drawing = asyncio.ensure_future(self._draw(key, spec, original))
            self._drawing[key] = drawing
        async with self.waiting():
            return await asyncio.shield(drawing)  # one waiter cancelled does not cancel others

    def waiting(self) -> contextlib.AbstractAsyncContextManager[Any]:
        """Around a wait on drawings (render's own, or tasks' that render): with worker
        processes, the `waiting` given (the update's slot goes to another update meanwhile;
        only the update's own task holds one to give); a thread draws with our CPU: nothing."""
        return self._waiting() if self.processes > 0 else contextlib.nullcontext()

    async def _draw(self, key: Key, spec: Any, original: bool) -> bytes:
        draw = functools.partial(render_png, spec, original)
        loop = asyncio.get_running_loop()
        try:
            pool = self._pool()
            try:
                png = await loop.run_in_executor(pool, draw)
            except BrokenProcessPool:  # the worker died (killed, out of memory): start another
                self._replace(pool)
                png = await loop.run_in_executor(self._pool(), draw)
        finally:
            self._drawing.pop(key, None)
        self._cache[key] = (time.monotonic(), png)
        while len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return png

    def _pool(self) -> Executor | None:
        """The worker processes, started on the first chart; None: the loop's thread pool."""
        if self.processes <= 0:
            return None
        if self._executor is None:
            self._executor = ProcessPoolExecutor(
                self.processes,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_watch_parent,
                initargs=(os.getpid(),),
            )
        return self._executor

    def _replace(self, broken: Executor | None) -> None:
        """Drop a broken pool so the next drawing starts another: once, however many drawings
        it failed (each of them lands here; the first replaces it, the rest find it replaced)."""
        if broken is not None and self._executor is broken:
            self._executor = None
            broken.shutdown(wait=False, cancel_futures=True)  # its process is gone already

    async def close(self) -> None:
        """Stop the worker and wait for it to exit (a drawing under way is finished first)."""
        if self._executor is not None:
            executor, self._executor = self._executor, None
            await asyncio.to_thread(executor.shutdown, wait=True, cancel_futures=True)
