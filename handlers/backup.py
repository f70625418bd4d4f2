"""Backups at the Telegram edge: /saoluu for admins, and the daily backup job."""

from __future__ import annotations

import logging
from datetime import time
from typing import Any

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from handlers.common import actor_of, env_of, esc, reply
from services import backup as service
from services.access import Denied
from texts import t

log = logging.getLogger(__name__)

COMMANDS = [("saoluu", "rb_cmd_saoluu")]
JOB_NAME = "backup-daily"
BACKUP_AT = time(2, 30)  # province time: quiet hours, well before the 07:00 alert
MISFIRE_GRACE = 6 * 3600


def _where(context: ContextTypes.DEFAULT_TYPE) -> tuple[Any, int]:
    settings = context.application.bot_data["settings"]
    return settings.backup_dir, settings.backup_keep


def _size(n: int) -> str:
    return f"{n / 1_048_576:.1f} MB" if n >= 1_048_576 else f"{max(n // 1024, 1)} KB"


async def saoluu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/saoluu: an on-demand backup (admins only)."""
    actor = await actor_of(update, context)
    backup_dir, keep = _where(context)
    try:
        result = await service.backup_now(env_of(context), actor, backup_dir, keep)
    except (OSError, service.BackupError) as exc:
        log.exception("on-demand backup failed")
        await reply(update, t("rb_backup_failed", actor.lang, error=esc(type(exc).__name__)))
        return
    if isinstance(result, Denied):
        await reply(update, result.message(actor.lang))
    elif result is None:
        await reply(update, t("rb_backup_not_sqlite", actor.lang))
    else:
        text = t(
            "rb_backup_done",
            actor.lang,
            name=esc(result.path.name),
            size=_size(result.size),
            kept=len(result.kept),
            removed=len(result.removed),
        )
        await reply(update, text)


async def backup_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """The daily backup; a failure is logged (and retried the next day), never raised."""
    backup_dir, keep = _where(context)
    try:
        await service.backup_now(env_of(context), None, backup_dir, keep)
    except (OSError, service.BackupError):
        log.exception("daily backup failed")


async def startup(application: Application) -> None:
    """Schedule the daily backup at BACKUP_AT in the configured time zone."""
    queue = application.job_queue
    if queue is None:
        log.warning("no job queue: daily backups are off")
        return
    for job in queue.get_jobs_by_name(JOB_NAME):
        job.schedule_removal()
    tz = application.bot_data["settings"].tz
    queue.run_daily(
        backup_job,
        time=BACKUP_AT.replace(tzinfo=tz),
        name=JOB_NAME,
        job_kwargs={"misfire_grace_time": MISFIRE_GRACE, "coalesce": True},
    )


def register(application: Application) -> None:
    application.add_handler(CommandHandler("saoluu", saoluu))
