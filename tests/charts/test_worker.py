"""services/chart_worker.py: charts drawn in another process, the same bytes; identical
requests share one drawing; a spec with nothing to draw still says so; the caller's wait on a
worker process is spent elsewhere; the worker goes with the bot and comes back when it dies,
once however many drawings it took with it."""

from __future__ import annotations

import asyncio
import contextlib
import subprocess
import sys
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from charts import render
from domain.chartspec import NoData, RankRow
from services import chart_worker
from services.chart_worker import ChartWorker
from tests.charts import ranking, unit_rows

REPO = Path(__file__).resolve().parents[2]


class Waits:
    """A `waiting` for ChartWorker that counts the waits spent inside it."""

    def __init__(self) -> None:
        self.count = 0

    @contextlib.asynccontextmanager
    async def __call__(self) -> AsyncIterator[None]:
        self.count += 1
        yield


async def test_a_worker_process_draws_the_same_bytes() -> None:
    spec = ranking()
    waits = Waits()
    pool = ChartWorker(processes=1, waiting=waits)
    try:
        png = await pool.render(spec)
        assert png == render.render_png(spec)  # deterministic: same spec, same bytes
        assert waits.count == 1  # the update's slot is given back while the worker draws
        with pytest.raises(NoData):
            await pool.render(ranking(rows=[RankRow("Xã A", None)]))
    finally:
        processes = list(pool._executor._processes.values())  # type: ignore[union-attr]
        await pool.close()
    assert processes and not any(p.is_alive() for p in processes)  # gone at close


async def test_a_thread_keeps_the_slot() -> None:
    """processes=0 draws with this process's CPU: the wait is not spent elsewhere."""
    waits = Waits()
    await ChartWorker(processes=0, waiting=waits).render(ranking())
    assert waits.count == 0


async def test_identical_requests_share_one_drawing(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[object] = []
    original = chart_worker.render_png

    def counting(spec: object, original_size: bool) -> bytes:
        drawn.append(spec)
        return original(spec, original_size)

    monkeypatch.setattr(chart_worker, "render_png", counting)
    pool = ChartWorker(processes=0)  # a thread: the counter is visible
    spec, other = ranking(), ranking(rows=[RankRow("Xã A", 0.5), RankRow("Xã B", 0.25)])
    pngs = await asyncio.gather(*(pool.render(spec) for _ in range(10)), pool.render(other))
    assert len(set(pngs[:10])) == 1 and pngs[10] != pngs[0]
    assert len(drawn) == 2  # ten requests for one chart drew it once
    await pool.render(spec)
    assert len(drawn) == 2  # and it is kept
    await pool.render(spec, original=True)
    assert len(drawn) == 3  # the full-size original is another drawing


async def test_a_cancelled_request_does_not_cancel_the_others() -> None:
    pool = ChartWorker(processes=0)
    spec = ranking()
    first = asyncio.ensure_future(pool.render(spec))
    second = asyncio.ensure_future(pool.render(spec))
    await asyncio.sleep(0)
    first.cancel()
    assert (await second) == render.render_png(spec)


KILLED_BOT = """
import asyncio, os, sys
from services.chart_worker import ChartWorker
from tests.charts import ranking

async def main():
    pool = ChartWorker(processes=1)
    await pool.render(ranking())
    print(*[p.pid for p in pool._executor._processes.values()], flush=True)
    await asyncio.sleep(60)

asyncio.run(main())
"""


async def test_the_worker_goes_when_the_bot_is_killed() -> None:
    bot = subprocess.Popen(
        [sys.executable, "-c", KILLED_BOT], stdout=subprocess.PIPE, text=True, cwd=REPO
    )
    try:
        line = await asyncio.wait_for(asyncio.to_thread(bot.stdout.readline), 60)  # type: ignore[union-attr]
        [worker] = [int(pid) for pid in line.split()]
        assert _alive(worker)
    finally:
        bot.kill()  # kill -9: no shutdown runs
        bot.wait()
    for _ in range(50):  # it notices within a second or two
        if not _alive(worker):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"chart worker {worker} outlived the killed bot")


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "State:\tZ" not in status


async def test_a_dead_worker_is_replaced() -> None:
    pool = ChartWorker(processes=1)
    try:
        await pool.render(ranking())
        [dead] = pool._executor._processes.values()  # type: ignore[union-attr]
        dead.kill()  # out of memory, say
        dead.join(10)
        other = ranking(rows=[RankRow("Xã A", 0.5), RankRow("Xã B", 0.25)])
        assert await pool.render(other) == render.render_png(other)
    finally:
        await pool.close()


async def test_a_worker_killed_under_several_drawings_is_replaced_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every drawing in flight fails with BrokenProcessPool; the first to see it starts one
    new pool, the others draw in that one (not a pool each, the extra ones orphaned)."""
    made: list[ProcessPoolExecutor] = []
    real = chart_worker.ProcessPoolExecutor

    def counting(*args: Any, **kwargs: Any) -> ProcessPoolExecutor:
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(chart_worker, "ProcessPoolExecutor", counting)
    pool = ChartWorker(processes=1)
    try:
        await pool.render(ranking())  # the worker is up
        [first] = made
        let_go: list[dict[str, Any]] = []
        shutdown = first.shutdown
        monkeypatch.setattr(first, "shutdown", lambda **kw: (let_go.append(kw), shutdown(**kw)))
        [dead] = first._processes.values()  # type: ignore[attr-defined]
        specs = [ranking(rows=unit_rows(150, seed=seed)) for seed in range(3)]
        drawings = [asyncio.ensure_future(pool.render(spec)) for spec in specs]
        for _ in range(100):  # until all three are handed to the worker
            if len(first._pending_work_items) == 3:  # type: ignore[attr-defined]
                break
            await asyncio.sleep(0)
        assert len(first._pending_work_items) == 3  # type: ignore[attr-defined]
        dead.kill()
        dead.join(10)
        pngs = await asyncio.gather(*drawings)
        assert pngs == [render.render_png(spec) for spec in specs]
        assert len(made) == 2 and pool._executor is made[1]  # replaced once
        assert let_go == [{"wait": False, "cancel_futures": True}]  # the broken one let go
        other = ranking(rows=[RankRow("Xã A", 0.5), RankRow("Xã B", 0.25)])
        assert await pool.render(other) == render.render_png(other)  # later charts too
        assert len(made) == 2
        processes = list(made[1]._processes.values())  # type: ignore[attr-defined]
    finally:
        await pool.close()
    assert len(processes) == 1 and not processes[0].is_alive()
