"""Robustness fixtures: a database seeded once per session (catalogue synced, people
registered) and copied into each test's DATABASE_PATH before the bot starts."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import pytest

from bot.settings import Settings
from tests.conftest import REPO_ROOT
from tests.robustness.support import LEADER, LOAD_OFFICERS, OFFICERS, seed_people


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "seeded.db"
    settings = Settings(database_path=path, catalogue=REPO_ROOT / "catalogues" / "quang-tri")
    asyncio.run(seed_people(settings, {**OFFICERS, **LOAD_OFFICERS}, leaders=(LEADER,)))
    return path


@pytest.fixture
def seeded(seeded_template: Path, bot_settings: Any) -> Any:
    """bot_settings whose database already holds the registered people (see support.py)."""
    shutil.copyfile(seeded_template, bot_settings.database_path)
    return bot_settings
