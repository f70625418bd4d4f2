"""How updates are run: one chat's in order, different chats' side by side, a bounded number
at once, and a way for a handler to give its place back while it waits on other work."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from handlers import observe

QUEUED_UPDATES = 4096  # PTB's limit: updates taken off the queue, waiting for their chat or a slot

# The processor whose slot the current task holds (set while an update's handlers run).
_HOLDER: ContextVar[PerChatUpdateProcessor | None] = ContextVar("slot_holder", default=None)


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Updates of different chats run concurrently; updates of one chat run in order.

    An officer's figure and the /hoantac right after it must not overtake each other, while
    fifty communes reporting at once must not wait on each other.

    At most `max_concurrent_updates` run at once, counted after the chat's turn has come (PTB's
    own limit is taken before it, so updates queued behind their chat would hold its slots).
    The work is CPU and one database writer: more in flight only makes each reply slower
    (tests/bench.py, 50 chats × 20 messages at once with the send quota lifted, measured when
    this was chosen: text replies p99 ~60-80 ms at 4 in flight, ~150-230 ms at 8, ~350-600 ms
    at 16, for about the same throughput).
    """

    def __init__(self, max_concurrent_updates: int = 4) -> None:
        super().__init__(QUEUED_UPDATES)
        self._running = asyncio.Semaphore(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._holding: set[asyncio.Task[Any] | None] = set()  # tasks holding a slot now
        self.backlog = 0  # taken off PTB's queue, waiting for their chat's turn or a slot

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat = update.effective_chat if isinstance(update, Update) else None
        handlers, coroutine = coroutine, observe.timed(update, coroutine)  # counts, latency, log
        started = False

        def start() -> None:
            nonlocal started
            started = True
            self.backlog -= 1

        self.backlog += 1
        lock = None if chat is None else self._locks.setdefault(chat.id, asyncio.Lock())
        try:
            if lock is None:
                await self._run(coroutine, start)
                return
            async with lock:
                await self._run(coroutine, start)
        finally:
            if not started:  # cancelled while waiting for its chat or a slot (shutdown)
                self.backlog -= 1
                for never_run in (coroutine, handlers):  # no "never awaited" warnings
                    getattr(never_run, "close", lambda: None)()
            if lock is not None and not lock.locked() and not lock._waiters:  # chat had one
                self._locks.pop(chat.id, None)  # type: ignore[union-attr]

    async def _run(self, coroutine: Awaitable[Any], start: Callable[[], None]) -> None:
        task = asyncio.current_task()
        await self._running.acquire()
        start()
        self._holding.add(task)
        token = _HOLDER.set(self)
        try:
            await coroutine
        finally:
            _HOLDER.reset(token)
            self._give_back(task)

    def _give_back(self, task: asyncio.Task[Any] | None) -> None:
        if task in self._holding:
            self._holding.discard(task)
            self._running.release()

    @asynccontextmanager
    async def _released(self) -> AsyncIterator[None]:
        task = asyncio.current_task()
        if task not in self._holding:  # a task the handler started: it holds no slot to lend
            yield
            return
        self._give_back(task)
        try:
            yield
        finally:
            # Cancelled while waiting for a slot here, the task holds none: _run releases none.
            await self._running.acquire()
            self._holding.add(task)

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None


@asynccontextmanager
async def waiting_elsewhere() -> AsyncIterator[None]:
    """Around a wait on work done off the event loop (the chart worker): the update's slot
    goes to another update meanwhile, so a burst of chart requests does not stall the text
    replies behind it. A no-op outside an update (a job)."""
    holder = _HOLDER.get()
    if holder is None:
        yield
        return
    async with holder._released():
        yield
