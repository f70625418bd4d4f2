"""`python -m bot migrate-db --to postgresql+asyncpg://…`: move a SQLite database up, verified."""

from __future__ import annotations

import logging
from pathlib import Path

from bot.settings import Settings, asyncpg_url
from store.db import Database
from store.transfer import TargetNotEmpty, VerificationFailed, copy_database

log = logging.getLogger(__name__)


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    head, sep, tail = url.rpartition("@")
    if not sep or ":" not in head.split("//", 1)[-1]:
        return url
    scheme, _, creds = head.partition("//")
    user = creds.split(":", 1)[0]
    return f"{scheme}//{user}:***@{tail}"


async def run_migrate_db(settings: Settings, to: str, source: Path | None = None) -> int:
    """Copy the SQLite database (DATABASE_PATH, or `source`) into the empty database `to`."""
    path = source or settings.database_path
    if not path.is_file():
        print(f"không thấy cơ sở dữ liệu / no SQLite database at {path}")
        return 2
    target_url = asyncpg_url(to)
    src = Database(f"sqlite+aiosqlite:///{path}")
    dst = Database(target_url, **settings.database_options())
    try:
        report = await copy_database(src, dst, settings.tz)
    except TargetNotEmpty as exc:
        print(f"cơ sở dữ liệu đích đã có dữ liệu / target is not empty: {exc}")
        return 3
    except VerificationFailed as exc:
        print(f"kiểm tra sau khi chép không khớp, đã hoàn tác / verification failed: {exc}")
        return 4
    finally:
        await src.close()
        await dst.close()
    print(f"{path} → {redact(target_url)}: {report.rows} rows, counts and checksums match")
    for line in report.lines():
        print("  " + line)
    print("Now set DATABASE_URL to the target and restart the bot.")
    return 0
