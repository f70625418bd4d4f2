"""Shared helpers for the robustness tests: seeding people, reading figures, log capture."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from bot.app import open_env
from domain.clock import FixedClock
from store import people
from store.db import Database
from store.schema import figures

# A Tuesday, 09:00 in the province: a working day, before nothing in particular.
NOW = datetime(2026, 5, 5, 9, 0)

# People in the seeded template database (tests/robustness/conftest.py `seeded`).
OFFICERS = {501: "vinh-thuy", 502: "cam-lo"}
LEADER = 601
STRANGER = 999
# The load test's 50 officers, one commune each (filled in by _load_officers below).
LOAD_OFFICERS: dict[int, str] = {}


async def seed_people(
    settings: Any, officers: dict[int, str], leaders: tuple[int, ...] = ()
) -> None:
    """Before the bot starts: migrate, sync the catalogue, and register people.

    `officers` maps a Telegram user id to the unit code they report for.
    """
    clock = FixedClock(NOW, tz=settings.tz)
    env = await open_env(settings, clock)
    now = clock.now()
    try:
        async with env.db.write() as conn:
            for user_id, unit in officers.items():
                await people.upsert_user(
                    conn, user_id, now=now, full_name=f"Cán bộ {user_id}", role="officer"
                )
                await people.bind_units(conn, user_id, [env.ids.unit_id[unit]], now=now, by=1)
            for user_id in leaders:
                await people.upsert_user(
                    conn, user_id, now=now, full_name=f"Lãnh đạo {user_id}", role="leader"
                )
    finally:
        await env.db.close()


async def figure_rows(settings: Any) -> list[Any]:
    db = Database(settings.sqlalchemy_url())
    try:
        async with db.read() as conn:
            return list((await conn.execute(select(figures).order_by(figures.c.id))).all())
    finally:
        await db.close()


async def count_rows(settings: Any, table: Any) -> int:
    db = Database(settings.sqlalchemy_url())
    try:
        async with db.read() as conn:
            return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())
    finally:
        await db.close()


def _load_officers() -> dict[int, str]:
    from services.catalogue import load_catalogue
    from tests.conftest import REPO_ROOT

    catalogue = load_catalogue(REPO_ROOT / "catalogues" / "quang-tri")
    communes = [u.code for u in catalogue.communes() if u.code not in OFFICERS.values()]
    return {20_001 + i: code for i, code in enumerate(communes[:50])}


LOAD_OFFICERS.update(_load_officers())


class Capture(logging.Handler):
    """Keep every formatted log line (with exception text) of the whole process."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.lines.append(self.format(record))

    def text(self) -> str:
        return "\n".join(self.lines)
