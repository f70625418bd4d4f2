"""Shared fixtures for the questions tests: the bundled catalogue, a lexicon, a filled store."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import pytest

from domain.clock import FixedClock
from domain.questions import Lexicon
from services.catalogue import load_catalogue
from services.context import Env, indicator_index, unit_index
from store.figures import insert_figures
from tests.envs import BUNDLED, make_env

CATALOGUE = BUNDLED
TODAY = date(2026, 4, 23)
STALE_UNIT = "cam-lo"  # last figure 10/02/2026: older than the cycle (cut-off 12/03/2026)
SILENT_UNIT = "lia"  # no figures at all
INDICATORS = ("ASXH", "NCC", "DAT", "SKDT", "DSN_BCD")


@pytest.fixture(scope="session")
def catalogue():  # type: ignore[no-untyped-def]
    return load_catalogue(CATALOGUE)


@pytest.fixture(scope="session")
def lexicon(catalogue) -> Lexicon:  # type: ignore[no-untyped-def]
    return Lexicon(catalogue, unit_index(catalogue), indicator_index(catalogue))


@dataclass
class Dataset:
    """What the test wrote, so expectations are computed here, not by the code under test."""

    env: Env
    latest: dict[str, dict[str, tuple[int | None, int | None, bool | None, date]]] = field(
        default_factory=dict
    )
    year_start: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)


@pytest.fixture
async def dataset(tmp_path: Path, catalogue) -> AsyncIterator[Dataset]:  # type: ignore[no-untyped-def]
    clock = FixedClock(datetime(2026, 4, 23, 9, 0))
    env = await make_env(tmp_path / "q.db", clock, catalogue)
    ids = env.ids
    data = Dataset(env)
    rows = []
    rnd = random.Random(5)
    for code in INDICATORS:
        ind = catalogue.indicator(code)
        data.latest[code], data.year_start[code] = {}, {}
        for unit in catalogue.assigned_units(ind):
            if unit.code == SILENT_UNIT:
                continue
            days = [date(2025, 12, 10), date(2026, 2, 10), date(2026, 4, 10)]
            if unit.code == STALE_UNIT:
                days = days[:2]
            den = rnd.randint(200, 20_000)
            for i, day in enumerate(days):
                if ind.kind == "yesno":
                    value: tuple = (None, None, rnd.random() < 0.3 + 0.3 * i)
                else:
                    value = (int(den * rnd.uniform(0.05, 1.0)), den, None)
                    if unit.code == "quang-ninh":
                        value = (den, den, None)  # one unit at 100%
                rows.append({
                    "unit_id": ids.unit_id[unit.code], "indicator_id": ids.indicator_id[code],
                    "numerator": value[0], "denominator": value[1], "done": value[2],
                    "as_of": day, "source": "seed", "created_at": clock.now(),
                    "derived": False, "voided": False,
                })  # fmt: skip
                if day.year == 2025 and value[1]:
                    data.year_start[code][unit.code] = (value[0], value[1])
                data.latest[code][unit.code] = (*value, day)
    async with env.db.write() as conn:
        await insert_figures(conn, rows)
    try:
        yield data
    finally:
        await env.db.close()
