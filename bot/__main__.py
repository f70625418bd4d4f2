"""`python -m bot [run | console | demo | migrate-db]`: the bot's entry points."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from bot.logs import setup_logging
from bot.settings import Settings, SettingsError, load_settings
from texts import t

log = logging.getLogger("bot")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot", description="dean06-bot")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="long polling (default); console if no token")
    console = sub.add_parser("console", help="chat with the bot in this terminal")
    console.add_argument("--as", dest="as_", default="admin",
                         help='admin | leader | "officer:Vĩnh Thủy" | stranger')  # fmt: skip
    console.add_argument("--group", action="store_true", help="speak in a group chat")
    console.add_argument("--out", default="console-out", help="folder for charts and files")
    demo = sub.add_parser("demo", help="fill the database with a labelled synthetic dataset")
    # 12 months reach back past 1 January, so "so với đầu năm" has a baseline.
    demo.add_argument("--months", type=int, default=12)
    move = sub.add_parser("migrate-db", help="copy the SQLite database into an empty PostgreSQL")
    move.add_argument("--to", required=True, help="postgresql+asyncpg://user:pass@host/db")
    move.add_argument("--from", dest="from_", default=None, help="SQLite file (DATABASE_PATH)")
    args = parser.parse_args(argv)

    try:
        settings = load_settings()
    except SettingsError as exc:
        print(exc, file=sys.stderr)
        return 2
    setup_logging(settings.log_level, settings.token)
    command = args.command or "run"
    if command == "run" and settings.token is None:
        print(t("no_token"))
        command = "console"
        args.as_, args.group, args.out = "admin", False, "console-out"
    if command == "console":
        from bot.console import run_console

        logging.getLogger("telegram").setLevel(logging.WARNING)
        logging.getLogger("bot").setLevel(logging.WARNING)
        return asyncio.run(run_console(settings, as_=args.as_, group=args.group, out=args.out))
    if command == "migrate-db":
        from pathlib import Path

        from bot.migrate_db import run_migrate_db

        source = Path(args.from_) if args.from_ else None
        return asyncio.run(run_migrate_db(settings, args.to, source))
    if command == "demo":
        from bot.demo import run_demo

        return asyncio.run(run_demo(settings, months=args.months))
    return run_polling(settings)


def run_polling(settings: Settings) -> int:
    """Long polling, or the webhook when WEBHOOK_URL is set (docs/deploy.md)."""
    from bot.app import build_application

    application = build_application(settings)
    if settings.webhook:
        from bot.webhook import run_webhook

        run_webhook(application, settings)
        return 0
    log.info("starting long polling")
    application.run_polling(allowed_updates=None, drop_pending_updates=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
