"""Shared fixtures: the fake Bot API server and the real bot running against it."""

from __future__ import annotations

import asyncio
import concurrent.futures
import importlib
import os
from collections.abc import AsyncIterator, Iterator
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
        chart_processes=0,  # in a thread: a worker process per test costs ~2 s to start
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


# --- both databases (issue 12): a PostgreSQL server per session, a fresh database per test ---


@pytest.fixture(scope="session")
def pg_server() -> Iterator[Any]:
    """A real PostgreSQL server started for the session (tests/rig/postgres.py).

    Skipped with a reason when no PostgreSQL binaries exist, except under CI=true where a
    missing server is a failure (.ci/run installs Debian's postgresql package).
    """
    from tests.rig.postgres import PgServer, find_bindir

    bindir = find_bindir()
    if bindir is None:
        reason = "no PostgreSQL binaries (initdb, pg_ctl) on PATH or in /usr/lib/postgresql/*/bin"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"CI is set but {reason}: .ci/run should have installed postgresql")
        pytest.skip(reason)
    server = PgServer(bindir).start()
    try:
        # in a thread: an async test may be the first to ask for the server (loop running)
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            pool.submit(lambda: asyncio.run(server.create_template())).result()
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def db_url(
    db_kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[str]:
    """A SQLAlchemy URL of an empty, migrated database: a SQLite file, or a fresh PostgreSQL
    database copied from the migrated template. Use it (or ``db_kind``) to run a store test on
    both databases."""
    if db_kind == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
        return
    server = request.getfixturevalue("pg_server")
    name = await server.create_database()
    try:
        yield server.url(name)
    finally:
        await server.drop_database(name)
