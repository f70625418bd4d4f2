"""Fixtures for access tests: a real store with the bundled catalogue and a fixed clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import pytest

from domain.clock import FixedClock
from services.access import Actor
from services.context import Env
from tests.envs import make_env

ADMIN_ID = 1
A, B = "vinh-thuy", "cam-lo"


@pytest.fixture
async def env(db_url: str) -> AsyncIterator[Env]:
    clock = FixedClock(datetime(2026, 5, 4, 9, 0))  # SQLite and PostgreSQL (tests/conftest.py)
    made = await make_env(db_url, clock, admin_ids=frozenset({ADMIN_ID}),
                          bot_username="dean06_test_bot")  # fmt: skip
    yield made
    await made.db.close()


@pytest.fixture
def admin() -> Actor:
    return Actor(ADMIN_ID, "Quản trị", "admin")
