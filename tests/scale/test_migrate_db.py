"""`python -m bot migrate-db`: a populated SQLite database round-trips into PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.app import open_env
from bot.migrate_db import redact, run_migrate_db
from bot.settings import Settings
from domain.clock import FixedClock
from services import alerts as alert_service
from services.access import Actor
from services.context import Env
from services.demo import load_demo
from services.onboarding import create_invites
from store import figures as fig_store
from store.db import Database
from store.figures import latest_as_of
from store.schema import figures, meta
from store.transfer import checksums, count_rows, tables
from tests.tasks.conftest import add_person, bind_chat

REPO_ROOT = Path(__file__).resolve().parents[2]
CLOCK_AT = datetime(2026, 6, 9, 8, 0)


async def _populate(env: Env) -> None:
    """Figures with history, people, chats, invites, alerts sent, audit: every kind of row."""
    await load_demo(env, months=2)
    await bind_chat(env, -1001, "vinh-thuy")
    await bind_chat(env, -1002, "quang-tri")
    await add_person(env, 501, "officer", ["vinh-thuy"])
    await create_invites(env, Actor(1, "Quản trị", "admin"), "Vĩnh Thủy")
    now = env.clock.now()
    base = {"unit_id": env.ids.unit_id["vinh-thuy"], "indicator_id": env.ids.indicator_id["ASXH"],
            "as_of": date(2026, 6, 8), "source": "message", "created_at": now,
            "derived": False, "voided": False}  # fmt: skip
    async with env.db.write() as conn:  # an edit: the old row points forward at the new one
        old = await fig_store.insert_figure(conn, {**base, "numerator": 1, "denominator": 9})
        new = await fig_store.insert_figure(
            conn, {**base, "numerator": 2, "denominator": 9, "supersedes_id": old}
        )
        await fig_store.supersede(conn, old, new, now)

    sent: list[int] = []

    async def sender(alert: Any) -> None:
        sent.append(alert.chat_id)

    await alert_service.run_alerts(env, sender)
    assert sent, "the fixture should have produced alerts"


def _live(rows: list[Any]) -> list[tuple[Any, ...]]:
    return sorted((r.id, r.unit_id, r.indicator_id, r.numerator, r.denominator, r.done,
                   r.as_of, r.supersedes_id) for r in rows)  # fmt: skip


@pytest.fixture
async def populated(tmp_path: Path) -> tuple[Settings, Path]:
    settings = Settings(
        database_path=tmp_path / "bot.db", catalogue=REPO_ROOT / "catalogues" / "quang-tri"
    )
    env = await open_env(settings, FixedClock(CLOCK_AT))
    try:
        await _populate(env)
    finally:
        await env.db.close()
    return settings, tmp_path / "bot.db"


async def test_round_trip_into_empty_postgresql(
    populated: tuple[Settings, Path], pg_server: Any
) -> None:
    settings, path = populated
    name = await pg_server.create_database(migrated=False)
    url = pg_server.url(name)
    try:
        assert await run_migrate_db(settings, url) == 0
        src, dst = Database(f"sqlite+aiosqlite:///{path}"), Database(url)
        try:
            async with src.read() as a, dst.read() as b:
                expected, got = await checksums(a, settings.tz), await checksums(b, settings.tz)
                assert [t.rows for t in got] == [t.rows for t in expected]
                assert got == expected
                assert {t.name for t in got} == {t.name for t in tables()}
                filled = {r.name for r in got if r.rows}
                assert filled >= {"figures", "units", "alerts_sent", "chats", "users", "audit"}
                ids = [
                    int(i)
                    for i in (await b.execute(select(figures.c.indicator_id).distinct())).scalars()
                ]
                day = date(2026, 6, 9)
                assert _live(await latest_as_of(a, ids, day)) == _live(
                    await latest_as_of(b, ids, day)
                )
                n = await count_rows(b, figures)
            async with dst.write() as conn:  # sequences moved past the copied ids
                new_id = await fig_store.insert_figure(conn, {
                    "unit_id": 1, "indicator_id": ids[0], "as_of": date(2026, 6, 9),
                    "source": "admin", "created_at": FixedClock(CLOCK_AT).now() + timedelta(1),
                    "numerator": 1, "denominator": 2})  # fmt: skip
            async with dst.read() as b:
                assert new_id > n
                top = (await b.execute(select(func.max(figures.c.id)))).scalar()
                assert top == new_id
        finally:
            await src.close()
            await dst.close()
        # a second run refuses: the target is not empty, and nothing was added
        assert await run_migrate_db(settings, url) == 3
    finally:
        await pg_server.drop_database(name)


async def test_refuses_a_non_empty_target_and_leaves_it_alone(
    populated: tuple[Settings, Path], pg_server: Any
) -> None:
    settings, _ = populated
    name = await pg_server.create_database(migrated=True)
    url = pg_server.url(name)
    dst = Database(url)
    try:
        async with dst.write() as conn:
            await conn.execute(meta.insert().values(key="someone", value="was here"))
        assert await run_migrate_db(settings, url) == 3
        async with dst.read() as conn:
            assert await count_rows(conn, figures) == 0
    finally:
        await dst.close()
        await pg_server.drop_database(name)


def test_redact_hides_the_password() -> None:
    assert redact("postgresql+asyncpg://bot:s3cret@db:5432/dean06") == (
        "postgresql+asyncpg://bot:***@db:5432/dean06"
    )
    assert redact("postgresql+asyncpg://db/dean06") == "postgresql+asyncpg://db/dean06"
