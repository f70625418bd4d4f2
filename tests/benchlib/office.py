"""Spreadsheet import (services.sheets) and .docx report (services.reports) timings."""

from __future__ import annotations

import gc
import importlib
import io
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from tests.benchlib import national as data
from tests.benchlib.timing import Sample

RUNS = 3


class NotBuilt(Exception):
    """The capability (or an entry point the bench knows) does not exist yet."""


def _module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            raise NotBuilt(f"{name} does not exist yet") from None
        raise


def national_xlsx(seeded: data.Seeded, bump: int, indicator: str = "ASXH") -> bytes:
    """STT | Đơn vị | Số đã tích hợp | Tổng số | Tỷ lệ: one row per commune (3,321 rows)."""
    from openpyxl import Workbook

    from services.catalogue import load_catalogue

    cat = load_catalogue(seeded.catalogue)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(indicator)
    ws.append(["STT", "Đơn vị", "Số đã tích hợp", "Tổng số", "Tỷ lệ"])
    for i, unit in enumerate(cat.communes(), 1):
        num, den = data.figure_value(i, 1, 23, 24)
        num = min(den, num + 7 + bump)
        ws.append([i, unit.full_name, num, den, round(num / den, 4)])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


async def _timed(call: Callable[[int], Awaitable[Any]]) -> Sample:
    await call(0)
    out = []
    for run in range(1, RUNS + 1):
        start = time.perf_counter()
        await call(run)
        out.append(time.perf_counter() - start)
    return Sample(tuple(out))


async def _import_once(sheets: Any, env: Any, actor: Any, content: bytes) -> None:
    """receive (preview) → answer what it asks → confirm: the whole import of one file."""
    reply = await sheets.receive(env, actor, content, "ASXH_30-4-2026.xlsx", caption="ASXH")
    for _ in range(3):
        if not reply.status.startswith("ask_"):
            break
        field = reply.status.removeprefix("ask_")
        values = [v for v, _ in reply.choices]
        value = "ASXH" if "ASXH" in values else values[0]
        reply = await sheets.choose(env, actor, reply.pending_id, field, value)
    if reply.status != "preview" or reply.preview is None:
        raise NotBuilt(f"services.sheets.receive answered {reply.status} {reply.reason}")
    done = await sheets.confirm(env, actor, reply.pending_id)
    if done.status != "done" or done.imported < 3000:
        raise NotBuilt(f"services.sheets.confirm: {done.status}, {done.imported} rows imported")


async def import_xlsx(seeded: data.Seeded, work: Path, open_env: Any) -> Sample:
    """services.sheets: a 3,321-row workbook previewed and imported (fresh numbers each run)."""
    sheets = _module("services.sheets")
    files = [national_xlsx(seeded, run) for run in range(RUNS + 1)]
    env = await open_env(seeded)
    from services.access import Actor

    actor = Actor(1, "bench", "admin")
    try:
        return await _timed(lambda run: _import_once(sheets, env, actor, files[run]))
    finally:
        await env.db.close()


async def write_docx(seeded: data.Seeded, work: Path, open_env: Any) -> Sample:
    """services.reports.report_docx: the monthly .docx draft (with its charts)."""
    reports = _module("services.reports")
    env = await open_env(seeded)
    gc.collect()
    gc.freeze()  # as bot.app does after start: no full GC pass over the start-up objects
    from services.access import Actor
    from services.chart_worker import ChartWorker

    actor = Actor(1, "bench", "admin")

    def fresh(run: int) -> Any:
        env.chart_worker = ChartWorker(0)  # no run reuses an earlier one's cached charts
        return reports.report_docx(env, actor, "")

    try:
        return await _timed(fresh)
    finally:
        await env.db.close()
