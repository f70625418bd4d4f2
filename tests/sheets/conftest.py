"""Fixtures for the sheets tests: a real store with the bundled catalogue, a fixed clock, and
spreadsheet builders."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime
from pathlib import Path

import pytest

from domain.clock import FixedClock
from services.access import Actor
from services.context import Env
from store.figures import insert_figures
from tests import envs

NOW = datetime(2026, 4, 25, 9, 0)
LEADER = Actor(1, "Lãnh đạo", "admin")
OFFICER = Actor(7, "Cán bộ Vĩnh Thủy", "officer", ("vinh-thuy",))


async def make_env(path: Path) -> Env:
    return await envs.make_env(path, FixedClock(NOW), admin_ids=frozenset({1}))


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    made = await make_env(tmp_path / "sheets.db")
    yield made
    await made.db.close()


def xlsx_bytes(rows: Sequence[Sequence[object]], title: str = "Sheet1") -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = title
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def seed(env: Env, code: str, figures: dict[str, tuple[int, int]], as_of: date,
               source: str = "seed") -> None:  # fmt: skip
    """Store figures {unit: (numerator, denominator)} for one indicator."""
    now = env.clock.now()
    rows: list[dict[str, object]] = [
        {
            "unit_id": env.ids.unit_id[u],
            "indicator_id": env.ids.indicator_id[code],
            "numerator": n,
            "denominator": d,
            "as_of": as_of,
            "source": source,
            "created_at": now,
        }
        for u, (n, d) in figures.items()
    ]
    async with env.db.write() as conn:
        await insert_figures(conn, rows)
