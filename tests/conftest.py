"""Shared fixtures: the fake Bot API server and the real bot running against it."""

from __future__ import annotations

import importlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.rig import FakeBotApi
from tests.rig.runner import running

REPO_ROOT = Path(__file__).resolve().parent.parent
TEST_TOKEN = "123456:TEST-TOKEN"


def _import_or_skip(module: str) -> Any:
    """Import a bot module; skip (not error) while the module does not exist yet."""
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name is not None and module.startswith(exc.name):
            pytest.skip(f"{module} is not available yet")
        raise


@pytest.fixture
async def botapi() -> AsyncIterator[FakeBotApi]:
    """A started :class:`FakeBotApi` on 127.0.0.1 (free port), stopped afterwards."""
    api = FakeBotApi(TEST_TOKEN)
    await api.start()
    try:
        yield api
    finally:
        await api.stop()


@pytest.fixture
def bot_settings(tmp_path: Path, botapi: FakeBotApi) -> Any:
    """``bot.settings.Settings`` pointing at the fake Bot API and a throw-away database."""
    settings_module = _import_or_skip("bot.settings")
    return settings_module.Settings(
        telegram_bot_token=TEST_TOKEN,
        telegram_api_url=f"{botapi.url}/bot",
        telegram_file_url=f"{botapi.url}/file/bot",
        database_path=tmp_path / "bot.db",
        admin_ids=[1],
        catalogue=REPO_ROOT / "catalogues" / "quang-tri",
    )


@pytest.fixture
def bot_clock() -> Any:
    """Clock passed to ``build_application``; override in a test module (e.g. with
    ``FixedClock(datetime(...))``) to freeze time. ``None`` = the real clock."""
    return None


@pytest.fixture
async def running_bot(bot_settings: Any, bot_clock: Any) -> AsyncIterator[Any]:
    """The real application from ``bot.app.build_application``, long-polling the fake API
    (post_init/post_stop/post_shutdown run as under ``run_polling``)."""
    app_module = _import_or_skip("bot.app")
    app = app_module.build_application(bot_settings, clock=bot_clock)
    async with running(app, poll_timeout=1):
        yield app
