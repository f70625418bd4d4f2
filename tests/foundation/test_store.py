"""Store: migrations, SQLite pragmas, catalogue sync that never loses figures.

Every test runs on SQLite and on PostgreSQL (the `db_url` fixture in tests/conftest.py)."""

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, inspect, select, text

from domain.catalogue import Catalogue
from services.catalogue import load_catalogue
from store.catalogue import sync_catalogue
from store.db import Database
from store.figures import insert_figures, latest_as_of
from store.schema import figures, indicators, tasks, units

CATALOGUE = Path(__file__).resolve().parents[2] / "catalogues" / "quang-tri"
NOW = datetime(2026, 4, 20, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


@pytest.fixture
async def db(db_url: str):
    database = Database(db_url)
    await database.migrate()
    yield database
    await database.close()


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue(CATALOGUE)


async def test_fresh_file_migrates_and_is_idempotent(db: Database) -> None:
    await db.migrate()  # a second start changes nothing
    async with db.read() as conn:
        version = (await conn.execute(text("select version_num from alembic_version"))).scalar()
        if not db.is_sqlite:
            assert version is not None
            return
        mode = (await conn.execute(text("pragma journal_mode"))).scalar()
        fks = (await conn.execute(text("pragma foreign_keys"))).scalar()
        busy = (await conn.execute(text("pragma busy_timeout"))).scalar()
    assert version is not None
    assert mode == "wal" and fks == 1 and busy >= 5000


async def test_downgrade_then_upgrade_round_trips(db: Database) -> None:
    from store.db import downgrade_to, upgrade_to

    async with db.write() as conn:
        await conn.run_sync(downgrade_to, "base")
    async with db.read() as conn:
        names = await conn.run_sync(lambda c: inspect(c).get_table_names())
        assert "figures" not in names
    async with db.write() as conn:
        await conn.run_sync(upgrade_to, "head")
    async with db.read() as conn:
        assert (await conn.execute(select(func.count()).select_from(figures))).scalar() == 0


async def test_catalogue_sync_loads_units_indicators_tasks(db: Database, catalogue) -> None:
    async with db.write() as conn:
        ids, report = await sync_catalogue(conn, catalogue, NOW)
    assert report.units_added == len(catalogue.units)
    async with db.read() as conn:
        kinds = dict(
            (await conn.execute(select(units.c.kind, func.count()).group_by(units.c.kind))).all()
        )
        n_tasks = (await conn.execute(select(func.count()).select_from(tasks))).scalar()
    assert kinds["xa"] + kinds["phuong"] + kinds["dac_khu"] == 78
    assert n_tasks == len(catalogue.tasks) > 0
    assert set(ids.indicator_id) == {i.code for i in catalogue.indicators}


async def test_resync_keeps_figures_and_retires_instead_of_deleting(db, catalogue) -> None:
    async with db.write() as conn:
        ids, _ = await sync_catalogue(conn, catalogue, NOW)
        row = {
            "unit_id": ids.unit_id["vinh-thuy"], "indicator_id": ids.indicator_id["ASXH"],
            "numerator": 1234, "denominator": 5678, "as_of": date(2026, 4, 20),
            "source": "message", "created_at": NOW, "derived": False, "voided": False,
        }  # fmt: skip
        await insert_figures(conn, [row])
    smaller = replace(catalogue, units=[u for u in catalogue.units if u.code != "vinh-thuy"],
                      tasks=[t for t in catalogue.tasks if t.plan != "vinh-thuy"
                             and t.lead.split("/")[0] != "vinh-thuy"])  # fmt: skip
    smaller.units = [u for u in smaller.units if u.parent != "vinh-thuy"]
    smaller.__post_init__()
    async with db.write() as conn:
        _, report = await sync_catalogue(conn, smaller, NOW)
    assert report.units_retired >= 1
    async with db.read() as conn:
        retired = (
            await conn.execute(select(units.c.retired).where(units.c.code == "vinh-thuy"))
        ).scalar()
        kept = await latest_as_of(conn, [ids.indicator_id["ASXH"]], date(2026, 4, 30))
    assert retired is True
    assert [(f.numerator, f.denominator) for f in kept] == [(1234, 5678)]
    async with db.write() as conn:  # and back: the unit is active again with its figure
        ids2, _ = await sync_catalogue(conn, catalogue, NOW)
    assert ids2.unit_id["vinh-thuy"] == ids.unit_id["vinh-thuy"]


async def test_latest_as_of_takes_each_units_latest_live_figure(db, catalogue) -> None:
    async with db.write() as conn:
        ids, _ = await sync_catalogue(conn, catalogue, NOW)
        base = {"indicator_id": ids.indicator_id["ASXH"], "source": "message",
                "created_at": NOW, "derived": False, "voided": False}  # fmt: skip
        vt, dh = ids.unit_id["vinh-thuy"], ids.unit_id["dong-ha"]
        await insert_figures(conn, [
            {**base, "unit_id": vt, "numerator": 10, "denominator": 100, "as_of": date(2026, 3, 1)},
            {**base, "unit_id": vt, "numerator": 20, "denominator": 100, "as_of": date(2026, 4, 1)},
            {**base, "unit_id": vt, "numerator": 30, "denominator": 100, "as_of": date(2026, 5, 1)},
            {**base, "unit_id": dh, "numerator": 5, "denominator": 50, "as_of": date(2026, 2, 1)},
        ])  # fmt: skip
    async with db.read() as conn:
        rows = await latest_as_of(conn, [ids.indicator_id["ASXH"]], date(2026, 4, 15))
    got = {ids.unit_code[r.unit_id]: r.numerator for r in rows}
    assert got == {"vinh-thuy": 20, "dong-ha": 5}


async def test_indicator_catalogue_rows(db, catalogue) -> None:
    async with db.write() as conn:
        await sync_catalogue(conn, catalogue, NOW)
    async with db.read() as conn:
        kinds = {r.code: r.kind for r in await conn.execute(select(indicators))}
    assert kinds["ASXH"] == "ratio"
    assert any(k == "yesno" for k in kinds.values())
