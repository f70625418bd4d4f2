"""Data safety: online backup with retention, restore round trip, /saoluu, the migration
stairway, and the per-user rate limit for expensive actions."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from bot.app import build_application
from domain.clock import FixedClock
from services import backup, ratelimit
from store.db import Database, alembic_config, downgrade_to, upgrade_to
from tests.rig import FakeBotApi
from tests.rig.runner import running
from tests.robustness.support import OFFICERS, figure_rows

NOW = datetime(2026, 5, 5, 2, 30)


def _figures(path: Path) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT id, unit_id, numerator, denominator FROM figures").fetchall()
    finally:
        conn.close()


def _add_figure(path: Path, numerator: int) -> None:
    conn = sqlite3.connect(path)
    try:
        conn.execute(
            "INSERT INTO figures (unit_id, indicator_id, numerator, denominator, as_of, derived,"
            " source, created_at, voided) VALUES (1, 1, ?, 1000, '2026-05-01', 0, 'seed',"
            " '2026-05-01 09:00:00', 0)",
            (numerator,),
        )
        conn.commit()
    finally:
        conn.close()


def test_backup_then_restore_round_trips_figures(seeded_template: Path, tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    shutil.copyfile(seeded_template, db)
    _add_figure(db, 111)
    result = backup.backup_file(db, tmp_path / "backups", keep=3, now=NOW)
    assert result.path.name == "bot-20260505-023000.db"
    saved = _figures(db)
    _add_figure(db, 222)  # after the backup: the restore must take it away
    db.with_name("bot.db-wal").write_bytes(b"stale wal from a killed process")
    previous = backup.restore(result.path, db, now=NOW)
    assert _figures(db) == saved
    assert previous is not None and len(_figures(previous)) == len(saved) + 1
    assert not db.with_name("bot.db-wal").exists()


def test_restore_refuses_a_corrupt_backup_and_changes_nothing(
    seeded_template: Path, tmp_path: Path
) -> None:
    db = tmp_path / "bot.db"
    shutil.copyfile(seeded_template, db)
    before = db.read_bytes()
    bad = tmp_path / "bot-20260505-023000.db"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    with pytest.raises(backup.BackupError):
        backup.restore(bad, db)
    assert db.read_bytes() == before


def test_retention_keeps_the_newest(seeded_template: Path, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    (folder / "bot-20260101-000000.db.partial").write_bytes(b"half")
    (folder / "notes.txt").write_text("not a backup")
    made = [
        backup.backup_file(seeded_template, folder, keep=3, now=NOW + timedelta(days=d)).path
        for d in range(5)
    ]
    assert backup.list_backups(folder) == made[-3:]
    assert (folder / "notes.txt").exists()
    assert not list(folder.glob("*.partial"))


async def test_backup_runs_while_the_bot_writes(seeded_template: Path, tmp_path: Path) -> None:
    """The online backup is a consistent snapshot taken beside a live writer (WAL)."""
    db_path = tmp_path / "bot.db"
    shutil.copyfile(seeded_template, db_path)
    db = Database(f"sqlite+aiosqlite:///{db_path}")
    try:
        async with db.write() as conn:
            await conn.execute(text("UPDATE units SET name = name"))
            result = await backup.run_backup(db_path, tmp_path / "b", keep=2, now=NOW)
        backup.check_file(result.path)
    finally:
        await db.close()


async def test_saoluu_for_admins_only(botapi: FakeBotApi, seeded: Any, tmp_path: Path) -> None:
    seeded.backup_dir = tmp_path / "saoluu"
    app = build_application(seeded)
    async with running(app, poll_timeout=1):
        [refused] = await botapi.reply_to(botapi.user_text(501, 501, "/saoluu"))
        [done] = await botapi.reply_to(botapi.user_text(1, 1, "/saoluu"))
        assert app.job_queue is not None
        jobs = [j.name for j in app.job_queue.jobs()]
    assert "Đã sao lưu" not in refused["text"]
    assert "Đã sao lưu" in done["text"]
    [made] = backup.list_backups(tmp_path / "saoluu")
    assert made.name in done["text"]
    assert "backup-daily" in jobs


# -- migrations: a stairway over every Alembic revision, with rows present ---------------------


def _revisions() -> list[str]:
    script = ScriptDirectory.from_config(alembic_config())
    return [r.revision for r in reversed(list(script.walk_revisions()))]


async def test_migration_stairway_with_data(seeded_template: Path, tmp_path: Path) -> None:
    """Down and up every step from head with the seeded data (and a figure) in place; the data
    present at head survives the round trip through every earlier schema version."""
    revisions = _revisions()
    assert revisions, "no Alembic revisions found"
    db_path = tmp_path / "bot.db"
    shutil.copyfile(seeded_template, db_path)
    _add_figure(db_path, 333)
    db = Database(f"sqlite+aiosqlite:///{db_path}")
    try:
        for i in range(len(revisions) - 1, 0, -1):  # head → base+1, one step at a time
            async with db.write() as conn:
                await conn.run_sync(downgrade_to, revisions[i - 1])
            async with db.write() as conn:
                await conn.run_sync(upgrade_to, revisions[i])
            async with db.write() as conn:
                await conn.run_sync(downgrade_to, revisions[i - 1])
        for rev in revisions[1:]:
            async with db.write() as conn:
                await conn.run_sync(upgrade_to, rev)
        await db.migrate()
    finally:
        await db.close()
    assert [f[2] for f in _figures(db_path)] == [333]
    raw = sqlite3.connect(db_path)
    try:
        people = raw.execute("SELECT COUNT(*) FROM users").fetchone()[0]
        version = raw.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        raw.close()
    assert people >= len(OFFICERS)
    assert version == revisions[-1]


async def test_restored_figures_are_readable_by_the_bot(
    seeded_template: Path, tmp_path: Path, bot_settings: Any
) -> None:
    shutil.copyfile(seeded_template, bot_settings.database_path)
    _add_figure(bot_settings.database_path, 444)
    made = backup.backup_file(bot_settings.database_path, tmp_path / "b", keep=1, now=NOW)
    bot_settings.database_path.unlink()
    backup.restore(made.path, bot_settings.database_path)
    assert [r.numerator for r in await figure_rows(bot_settings)] == [444]


# -- rate limits -------------------------------------------------------------------------------


def test_rate_limit_token_bucket() -> None:
    clock = FixedClock(NOW)
    limiter = ratelimit.RateLimiter(clock, {"chart": ratelimit.Limit(burst=2, per_seconds=60)})
    assert limiter.check(7, "chart") is None
    assert limiter.check(7, "chart") is None
    refused = limiter.check(7, "chart")
    assert refused is not None and refused.seconds == 30
    assert limiter.check(8, "chart") is None  # per user
    clock.advance(seconds=30)
    assert ratelimit.check(limiter, 7, "chart") is None
    assert limiter.check(7, "chart") is not None
    with pytest.raises(ValueError):
        limiter.check(7, "nuke")


def test_leaders_and_admins_get_a_higher_limit_not_none() -> None:
    limiter = ratelimit.RateLimiter(FixedClock(NOW))
    burst = ratelimit.LIMITS[ratelimit.CHART].burst
    for role, allowed in (("officer", burst), ("leader", burst * ratelimit.ELEVATED_FACTOR),
                          ("admin", burst * ratelimit.ELEVATED_FACTOR)):  # fmt: skip
        user = {"officer": 1, "leader": 2, "admin": 3}[role]
        granted = [limiter.check(user, ratelimit.CHART, role=role) is None for _ in range(99)]
        assert granted.index(False) == allowed, role


def test_rate_limit_state_lives_with_the_env() -> None:
    class FakeEnv:
        clock = FixedClock(NOW)

    env = FakeEnv()
    for _ in range(ratelimit.LIMITS[ratelimit.EXPORT].burst):
        assert ratelimit.check(env, 1, ratelimit.EXPORT) is None  # type: ignore[arg-type]
    assert ratelimit.check(env, 1, ratelimit.EXPORT) is not None  # type: ignore[arg-type]
    assert ratelimit.check(FakeEnv(), 1, ratelimit.EXPORT) is None  # type: ignore[arg-type]


async def test_chart_requests_are_rate_limited(botapi: FakeBotApi, seeded: Any) -> None:
    app = build_application(seeded)
    async with running(app, poll_timeout=1):
        for _ in range(ratelimit.LIMITS[ratelimit.CHART].burst + 1):
            botapi.user_text(501, 501, "biểu đồ ASXH")
        await botapi.idle(quiet=0.5, timeout=20)
    assert any("quá nhanh" in text for text in botapi.texts(501))
