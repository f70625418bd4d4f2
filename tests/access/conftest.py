"""Fixtures for access tests: a real store with the bundled catalogue and a fixed clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest

from domain.clock import FixedClock
from services.access import Actor
from services.catalogue import load_catalogue
from services.context import Env
from store.catalogue import sync_catalogue
from store.db import Database

REPO_ROOT = Path(__file__).resolve().parents[2]
ADMIN_ID = 1
A, B = "vinh-thuy", "cam-lo"


@pytest.fixture
async def env(db_url: str) -> AsyncIterator[Env]:
    db = Database(db_url)  # SQLite and PostgreSQL (tests/conftest.py)
    await db.migrate()
    catalogue = load_catalogue(REPO_ROOT / "catalogues" / "quang-tri")
    clock = FixedClock(datetime(2026, 5, 4, 9, 0))
    async with db.write() as conn:
        ids, _ = await sync_catalogue(conn, catalogue, clock.now())
    yield Env(
        db=db,
        catalogue=catalogue,
        ids=ids,
        clock=clock,
        admin_ids=frozenset({ADMIN_ID}),
        bot_username="dean06_test_bot",
    )
    await db.close()


@pytest.fixture
def admin() -> Actor:
    return Actor(ADMIN_ID, "Quản trị", "admin")
