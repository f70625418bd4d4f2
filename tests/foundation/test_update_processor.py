"""handlers/updates.py: one chat's updates in order, different chats side by side, at most N at
once, and a handler waiting on other work (the chart worker) gives its slot back."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update

from handlers.updates import PerChatUpdateProcessor, waiting_elsewhere


def _update(update_id: int, chat_id: int) -> Update:
    chat = Chat(id=chat_id, type="private")
    return Update(update_id, message=Message(update_id, datetime.now(UTC), chat))


class Probe:
    """Coroutines that record when they run, and how many ran at once."""

    def __init__(self) -> None:
        self.running = self.peak = 0
        self.order: list[int] = []
        self.busy: set[int] = set()  # chats with an update running

    async def work(self, update_id: int, pause: float = 0.01, chat: int | None = None) -> None:
        assert chat not in self.busy, f"two updates of chat {chat} at once"
        if chat is not None:
            self.busy.add(chat)
        self.running += 1
        self.peak = max(self.peak, self.running)
        await asyncio.sleep(pause)
        self.order.append(update_id)
        self.running -= 1
        self.busy.discard(chat)  # type: ignore[arg-type]


async def test_bounded_and_in_order_per_chat() -> None:
    processor, probe = PerChatUpdateProcessor(3), Probe()
    updates = [_update(n, chat_id=n % 5) for n in range(40)]
    # Each chat's first update is slow: without the per-chat order a later one would overtake it.
    await asyncio.gather(*(
        processor.process_update(u, probe.work(u.update_id, 0.03 if u.update_id < 5 else 0.001,
                                               chat=u.update_id % 5))
        for u in updates
    ))  # fmt: skip
    assert probe.peak == 3
    for chat in range(5):
        mine = [n for n in probe.order if n % 5 == chat]
        assert mine == sorted(mine)  # a chat's updates never overtake each other


async def test_a_cancelled_update_waiting_for_its_slot_back_leaks_no_slot() -> None:
    processor = PerChatUpdateProcessor(1)
    drawn, holding, release = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def chart() -> None:
        async with waiting_elsewhere():
            await drawn.wait()  # the drawing…

    async def text() -> None:
        holding.set()  # …meanwhile this update has the one slot, until released
        await release.wait()

    charting = asyncio.create_task(processor.process_update(_update(1, 1), chart()))
    texting = asyncio.create_task(processor.process_update(_update(2, 2), text()))
    await holding.wait()
    drawn.set()
    for _ in range(5):  # the chart leaves `waiting_elsewhere` and waits to take its slot back
        await asyncio.sleep(0)
    assert not charting.done()
    charting.cancel()  # e.g. shutdown, while it waits for its slot back
    release.set()
    await asyncio.gather(charting, texting, return_exceptions=True)
    probe = Probe()  # the bound still holds: two updates of different chats run one at a time
    await asyncio.gather(*(
        processor.process_update(_update(n, n), probe.work(n)) for n in (3, 4)
    ))  # fmt: skip
    assert probe.peak == 1


async def test_a_handler_waiting_elsewhere_lets_another_update_run() -> None:
    processor, probe = PerChatUpdateProcessor(1), Probe()
    drawn = asyncio.Event()

    async def chart() -> None:
        async with waiting_elsewhere():
            await drawn.wait()  # the chart worker, drawing
        probe.order.append(0)

    async def text() -> None:
        await probe.work(1)
        drawn.set()  # only reachable if the chart gave its slot back

    await asyncio.wait_for(
        asyncio.gather(
            processor.process_update(_update(10, 1), chart()),
            processor.process_update(_update(11, 2), text()),
        ),
        timeout=5,
    )
    assert probe.order == [1, 0]


async def test_waiting_elsewhere_outside_an_update_is_harmless() -> None:
    async with waiting_elsewhere():  # a job: no slot to give
        pass


async def test_the_backlog_counts_updates_waiting_for_their_chat_or_a_slot() -> None:
    processor, gate = PerChatUpdateProcessor(1), asyncio.Event()

    async def held() -> None:
        await gate.wait()

    tasks = [
        asyncio.create_task(processor.process_update(_update(n, chat), held()))
        for n, chat in ((1, 1), (2, 1), (3, 2))  # 2 waits for its chat, 3 for the slot
    ]
    await asyncio.sleep(0.01)
    assert processor.backlog == 2
    tasks[2].cancel()  # given up while waiting: no longer counted
    await asyncio.sleep(0.01)
    assert processor.backlog == 1
    gate.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    assert processor.backlog == 0
