"""The SQL summaries of a unit's status and the overview (issue 13) against the row path.

`summary_facts` must equal `indicator_facts` projected to the unit's own line, on SQLite and
PostgreSQL, over a random dataset with stale, silent, unassigned, corrected and undone figures,
zero denominators and figures dated after the day asked about (those take the row path).
"""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta

import pytest

from domain.clock import FixedClock
from handlers.questions import render_answer
from services import answers
from services.access import Actor
from services.answers import indicator_facts, own_line_only, summary_facts
from services.catalogue import load_catalogue
from services.context import Env
from store.figures import insert_figure, insert_figures, supersede, void_figure
from tests.envs import BUNDLED, make_env

TODAY = date(2026, 4, 23)
NOW = datetime(2026, 4, 23, 9, 0)
LEADER = Actor(1, "Lãnh đạo", "leader")
DAYS = (date(2025, 11, 30), date(2025, 12, 31), date(2026, 1, 31), date(2026, 2, 10),
        date(2026, 3, 15), date(2026, 4, 10))  # fmt: skip


def _value(rnd: random.Random, kind: str, den: int) -> tuple[int | None, int | None, bool | None]:
    if kind == "yesno":
        return None, None, rnd.random() < 0.5
    roll = rnd.random()
    if roll < 0.03:
        return rnd.randint(0, 50), 0, None  # no usable denominator
    if roll < 0.06:
        return den, den, None  # 100%
    if roll < 0.09:
        return den // 2, den, None  # a tie with every other half
    return int(den * rnd.uniform(0.0, 1.1)), den, None


def _row(env: Env, unit: str, code: str, day: date, value: tuple) -> dict[str, object]:
    return {
        "unit_id": env.ids.unit_id[unit], "indicator_id": env.ids.indicator_id[code],
        "numerator": value[0], "denominator": value[1], "done": value[2], "as_of": day,
        "source": "seed", "created_at": NOW, "derived": False, "voided": False,
    }  # fmt: skip


async def _seed(env: Env, seed: int) -> None:
    """Random figures for every indicator; some units silent, some stale, a few unassigned."""
    cat, rnd = env.catalogue, random.Random(seed)
    rows = []
    for ind in cat.indicators:
        for unit in cat.units:
            assigned = unit in cat.assigned_units(ind)
            if not assigned and rnd.random() > 0.05:
                continue  # now and then a figure of a unit the indicator is not assigned to
            if rnd.random() < 0.08:
                continue  # silent
            den = rnd.randint(1, 5000)
            last = rnd.choice((2, 4, 5, 5, 5))  # some stop reporting early (stale)
            for day in rnd.sample(DAYS[: last + 1], k=min(3, last + 1)):
                rows.append(_row(env, unit.code, ind.code, day, _value(rnd, ind.kind, den)))
    async with env.db.write() as conn:
        await insert_figures(conn, rows)


async def _corrections(env: Env, seed: int) -> None:
    """Corrections and undos through the store, as messages make them."""
    rnd = random.Random(seed)
    cat = env.catalogue
    ind = cat.indicator("ASXH")
    async with env.db.write() as conn:
        for unit in rnd.sample(cat.assigned_units(ind), 6):
            first = _row(env, unit.code, ind.code, date(2026, 4, 12), (10, 20, None))
            old = await insert_figure(conn, first)
            new = await insert_figure(conn, {**first, "numerator": 15, "supersedes_id": old})
            await supersede(conn, old, new, NOW)
            if rnd.random() < 0.5:
                from store.figures import FigureRow

                row = FigureRow(new, first["unit_id"], first["indicator_id"], 15, 20, None,  # type: ignore[arg-type]
                                date(2026, 4, 12))  # fmt: skip
                await void_figure(conn, row, NOW, None, None)


@pytest.fixture
async def env(db_url: str) -> AsyncIterator[Env]:
    catalogue = load_catalogue(BUNDLED)
    environment = await make_env(db_url, FixedClock(NOW), catalogue)
    await _seed(environment, 13)
    await _corrections(environment, 14)
    try:
        yield environment
    finally:
        await environment.db.close()


async def _oracle(
    env: Env, codes: list[str], day: date, base: date | None, unit: str | None
) -> list[answers.IndicatorFacts]:
    return [own_line_only(f, unit) for f in await indicator_facts(env, codes, day, base)]


async def test_summaries_equal_the_rows(env: Env) -> None:
    cat = env.catalogue
    codes = [i.code for i in cat.indicators]
    units = [None, *(u.code for u in random.Random(3).sample(cat.communes(), 8)), "con-co"]
    for unit in units:
        for base in (None, date(2026, 1, 1), date(2025, 12, 31)):
            fast = await answers._summary_facts(env, codes, TODAY, base, unit)
            assert fast is not None  # nothing dated after today: the SQL path is taken
            assert fast == await _oracle(env, codes, TODAY, base, unit)
            assert fast == await summary_facts(env, codes, TODAY, base, unit)  # cached base


async def test_a_past_day_with_later_figures_takes_the_rows(env: Env) -> None:
    codes = [i.code for i in env.catalogue.indicators]
    day = date(2026, 3, 1)
    assert await answers._summary_facts(env, codes, day, None, "vinh-thuy") is None
    got = await summary_facts(env, codes, day, date(2026, 1, 1), "vinh-thuy")
    assert got == await _oracle(env, codes, day, date(2026, 1, 1), "vinh-thuy")


async def test_the_baseline_cache_follows_writes_of_another_process(env: Env) -> None:
    """A backdated figure written through another Database (another process) changes the
    data version, so the cached start-of-year rate is not served again."""
    codes = ["ASXH", "SKDT"]
    base = date(2026, 1, 1)
    before = await summary_facts(env, codes, TODAY, base)
    other = await make_env(_url_of(env), FixedClock(NOW), env.catalogue)
    try:
        unit = env.catalogue.assigned_units(env.catalogue.indicator("ASXH"))[0].code
        async with other.db.write() as conn:
            await insert_figure(conn, _row(env, unit, "ASXH", base, (1, 10_000, None)))
        after = await summary_facts(env, codes, TODAY, base, unit)
        assert after == await _oracle(env, codes, TODAY, base, unit)
        assert after[0].base_rate != before[0].base_rate
        async with other.db.write() as conn:  # and a figure of today: the live sums move
            await insert_figure(conn, _row(env, unit, "ASXH", TODAY, (9_999, 10_000, None)))
    finally:
        await other.db.close()
    latest = await summary_facts(env, codes, TODAY, base, unit)
    assert latest == await _oracle(env, codes, TODAY, base, unit)
    assert latest[0].pooled != after[0].pooled
    assert latest[0].lines[0].numerator == 9_999


async def test_the_reports_baseline_cache_follows_writes_of_another_process(env: Env) -> None:
    """indicator_facts (the report's read) keeps its start-of-year rates under the data version
    too: a backdated figure written by another process is seen at once."""
    codes = ["ASXH", "SKDT"]
    base = date(2026, 1, 1)
    before = await indicator_facts(env, codes, TODAY, base)
    assert await indicator_facts(env, codes, TODAY, base) == before  # from the cache
    other = await make_env(_url_of(env), FixedClock(NOW), env.catalogue)
    try:
        unit = env.catalogue.assigned_units(env.catalogue.indicator("ASXH"))[0].code
        async with other.db.write() as conn:
            await insert_figure(conn, _row(env, unit, "ASXH", base, (1, 10_000, None)))
    finally:
        await other.db.close()
    after = await indicator_facts(env, codes, TODAY, base)
    assert after[0].base_rate != before[0].base_rate and after[1] == before[1]
    answers._CACHE.clear()
    assert await indicator_facts(env, codes, TODAY, base) == after  # as computed afresh


def _url_of(env: Env) -> str:
    return env.db.url  # type: ignore[attr-defined, no-any-return]


async def test_rendered_answers_equal_the_row_path(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    questions = ["Vĩnh Thủy thế nào?", "tình hình toàn tỉnh", "ASXH", "how is Dong Ha doing?",
                 "tình hình Cam Lộ về ASXH"]  # fmt: skip
    fast = [render_answer(await answers.answer(env, LEADER, q)) for q in questions]

    async def rows_only(*_: object) -> None:
        return None

    monkeypatch.setattr(answers, "_summary_facts", rows_only)
    slow = [render_answer(await answers.answer(env, LEADER, q)) for q in questions]
    assert fast == slow


async def test_no_figures_at_all(db_url: str) -> None:
    env = await make_env(db_url, FixedClock(NOW), load_catalogue(BUNDLED))
    try:
        codes = [i.code for i in env.catalogue.indicators]
        got = await summary_facts(env, codes, TODAY, date(2026, 1, 1), "vinh-thuy")
        assert got == await _oracle(env, codes, TODAY, date(2026, 1, 1), "vinh-thuy")
    finally:
        await env.db.close()


def test_days_are_ordered() -> None:
    assert list(DAYS) == sorted(DAYS) and DAYS[-1] < TODAY - timedelta(days=7)
