"""Online backups of the SQLite database (sqlite3 backup API) with retention, and restore.

The backup runs while the bot works: the sqlite3 online-backup API copies a consistent snapshot
(WAL included) on its own connection, in a worker thread so the event loop never waits on disk.
Files are written as ``<name>.partial`` and renamed when complete and checked, so a crash
mid-backup never leaves a file that looks like a good backup.

Restore (the bot must be stopped; see docs/operations.md)::

    python -m services.backup list data/backups
    python -m services.backup restore data/backups/bot-20261126-023000.db data/bot.db

``restore`` checks the backup, keeps the current database as ``<db>.before-restore-<time>``,
removes the stale ``-wal``/``-shm`` files (a WAL left by a killed process would otherwise be
replayed on top of the restored file) and puts the backup in place atomically.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import re
import sqlite3
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from services.access import ADMIN, Actor, Denied, require
from services.context import Env

log = logging.getLogger(__name__)

PREFIX = "bot-"
SUFFIX = ".db"
_NAME = re.compile(r"^bot-\d{8}-\d{6}(-\d+)?\.db$")


class BackupError(Exception):
    """The database or a backup file is unusable (not SQLite, corrupt, missing)."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    kept: tuple[Path, ...]
    removed: tuple[Path, ...]


def sqlite_path(url: str) -> Path | None:
    """The file behind a ``sqlite(+aiosqlite):///path`` URL; None for other databases."""
    if not url.startswith("sqlite"):
        return None
    path = url.split(":///", 1)[-1]
    return None if not path or path == ":memory:" else Path(path)


def list_backups(backup_dir: Path) -> list[Path]:
    """Finished backups, oldest first (names sort by time)."""
    if not backup_dir.is_dir():
        return []
    return sorted(p for p in backup_dir.iterdir() if _NAME.match(p.name) and p.is_file())


def _copy(source: Path, target: Path) -> None:
    """sqlite3 online backup of `source` into a new file `target`."""
    src = sqlite3.connect(source, timeout=30)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)  # one step: a consistent snapshot, writers go on (WAL)
            dst.execute("PRAGMA journal_mode=DELETE")  # a single self-contained file
        finally:
            dst.close()
    finally:
        src.close()


def check_file(path: Path) -> None:
    """Raise BackupError unless `path` is a readable, intact SQLite database."""
    if not path.is_file():
        raise BackupError(f"no such file: {path}")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path.name}: not a usable SQLite database ({exc})") from exc
    if not result or result[0] != "ok":
        raise BackupError(f"{path.name}: integrity check failed: {result}")


def _target_name(backup_dir: Path, now: datetime) -> Path:
    stem = f"{PREFIX}{now:%Y%m%d-%H%M%S}"
    target = backup_dir / f"{stem}{SUFFIX}"
    n = 1
    while target.exists():
        target = backup_dir / f"{stem}-{n}{SUFFIX}"
        n += 1
    return target


def prune(backup_dir: Path, keep: int) -> tuple[list[Path], list[Path]]:
    """Keep the newest `keep` backups; returns (kept, removed). Leftover .partial files go."""
    for partial in backup_dir.glob(f"{PREFIX}*{SUFFIX}.partial"):
        with contextlib.suppress(OSError):
            partial.unlink()
    found = list_backups(backup_dir)
    cut = max(len(found) - max(keep, 1), 0)
    removed, kept = found[:cut], found[cut:]
    for path in removed:
        path.unlink(missing_ok=True)
    return kept, removed


def backup_file(database: Path, backup_dir: Path, keep: int, now: datetime) -> BackupResult:
    """Blocking: copy `database` into `backup_dir`, check it, then apply retention."""
    if not database.is_file():
        raise BackupError(f"no database at {database}")
    backup_dir.mkdir(parents=True, exist_ok=True)
    target = _target_name(backup_dir, now)
    partial = target.with_name(target.name + ".partial")
    try:
        _copy(database, partial)
        check_file(partial)
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    kept, removed = prune(backup_dir, keep)
    return BackupResult(target, target.stat().st_size, tuple(kept), tuple(removed))


async def run_backup(database: Path, backup_dir: Path, keep: int, now: datetime) -> BackupResult:
    """The same, in a worker thread: the bot keeps answering while the file is copied."""
    return await asyncio.to_thread(backup_file, database, backup_dir, keep, now)


async def backup_now(
    env: Env, actor: Actor | None, backup_dir: Path, keep: int
) -> BackupResult | Denied | None:
    """/saoluu (an admin, `actor`) or the daily job (`actor` None): back up env's database.

    None when the database is not a SQLite file (PostgreSQL: use pg_dump, docs/operations.md).
    """
    if actor is not None:
        denied = require(actor, ADMIN)
        if denied is not None:
            return denied
    database = sqlite_path(env.db.url)
    if database is None:
        return None
    result = await run_backup(database, backup_dir, keep, env.clock.now())
    log.info("backup %s (%d bytes), removed %d old", result.path, result.size, len(result.removed))
    return result


def restore(backup_file: Path, database_path: Path, *, now: datetime | None = None) -> Path | None:
    """Put `backup_file` in place of `database_path`. THE BOT MUST BE STOPPED.

    1. the backup is checked (integrity_check) — a bad file changes nothing;
    2. the current database, if any, is saved (with its WAL) as
       ``<database>.before-restore-<YYYYmmdd-HHMMSS>``; its path is returned;
    3. the backup is copied next to the database and renamed over it atomically;
       stale ``-wal``/``-shm`` files are removed first so they cannot be replayed on it.
    Alembic upgrades the restored file on the next start if it is from an older version.
    """
    check_file(backup_file)
    database_path.parent.mkdir(parents=True, exist_ok=True)
    saved: Path | None = None
    if database_path.exists():
        stamp = (now or datetime.now()).strftime("%Y%m%d-%H%M%S")
        saved = database_path.with_name(f"{database_path.name}.before-restore-{stamp}")
        _copy(database_path, saved)
    staging = database_path.with_name(database_path.name + ".restoring")
    staging.unlink(missing_ok=True)
    _copy(backup_file, staging)
    check_file(staging)
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{database_path}{suffix}").unlink(missing_ok=True)
    os.replace(staging, database_path)
    return saved


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.backup")
    sub = parser.add_subparsers(dest="command", required=True)
    now = sub.add_parser("now", help="back up DATABASE into BACKUP_DIR")
    now.add_argument("database", type=Path)
    now.add_argument("backup_dir", type=Path)
    now.add_argument("--keep", type=int, default=14)
    listing = sub.add_parser("list", help="list the backups in BACKUP_DIR")
    listing.add_argument("backup_dir", type=Path)
    back = sub.add_parser("restore", help="restore BACKUP over DATABASE (bot stopped!)")
    back.add_argument("backup", type=Path)
    back.add_argument("database", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "now":
            result = backup_file(args.database, args.backup_dir, args.keep, datetime.now())
            print(f"{result.path} ({result.size} bytes); removed {len(result.removed)} old")
        elif args.command == "list":
            for path in list_backups(args.backup_dir):
                print(f"{path}  {path.stat().st_size} bytes")
        else:
            saved = restore(args.backup, args.database)
            print(f"restored {args.backup} -> {args.database}; previous kept as {saved}")
    except BackupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(_main())
