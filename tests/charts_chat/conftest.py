"""Fixtures for the charts capability: the bundled catalogue, a fixed clock, a small dataset.

The dataset (`seed_figures`): ASXH for every assigned commune on 10/01, 10/02, 10/03 and
20/04/2026, rising evenly (commune i of n reaches (i+1)/(n+1) of its denominator by April;
denominators 1000); two communes never report; SKDT for three communes only; DSN_BCD (yes/no)
for Vĩnh Thủy. No figures at all for the other indicators.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from domain.clock import FixedClock
from services.context import Env
from store.figures import insert_figures
from tests.envs import make_env

TODAY = date(2026, 4, 23)
NOW = datetime(2026, 4, 23, 9, 0)
DAYS = (date(2026, 1, 10), date(2026, 2, 10), date(2026, 3, 10), date(2026, 4, 20))
SILENT = ("huong-hiep", "con-co")  # never report ASXH
SKDT_UNITS = {"vinh-thuy": 700, "cam-lo": 300, "dong-ha": 500}  # numerators in April, of 1000


def figure(env: Env, unit: str, code: str, day: date, num: int | None, den: int | None,
           done: bool | None = None) -> dict[str, Any]:  # fmt: skip
    return {
        "unit_id": env.ids.unit_id[unit],
        "indicator_id": env.ids.indicator_id[code],
        "numerator": num,
        "denominator": den,
        "done": done,
        "as_of": day,
        "derived": False,
        "source": "import",
        "created_at": NOW,
        "voided": False,
    }


def dataset(env: Env) -> list[dict[str, Any]]:
    cat = env.catalogue
    units = [u.code for u in cat.assigned_units(cat.indicator("ASXH")) if u.code not in SILENT]
    rows = []
    for i, unit in enumerate(units):
        final = (i + 1) / (len(units) + 1)
        for k, day in enumerate(DAYS, start=1):
            rows.append(figure(env, unit, "ASXH", day, round(1000 * final * k / 4), 1000))
    for unit, num in SKDT_UNITS.items():
        for k, day in enumerate(DAYS, start=1):
            rows.append(figure(env, unit, "SKDT", day, num * k // 4, 1000))
    rows.append(figure(env, "vinh-thuy", "DSN_BCD", DAYS[-1], None, None, done=True))
    return rows


async def seed_figures(env: Env) -> None:
    async with env.db.write() as conn:
        await insert_figures(conn, dataset(env))


@pytest.fixture
async def env(tmp_path: Path) -> AsyncIterator[Env]:
    made = await make_env(tmp_path / "charts.db", FixedClock(NOW), admin_ids=frozenset({1}),
                          bot_username="dean06_test_bot")  # fmt: skip
    yield made
    await made.db.close()


@pytest.fixture
async def seeded(env: Env) -> Env:
    await seed_figures(env)
    return env
