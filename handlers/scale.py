"""Several instances: the alert-sender lease, renewed by a repeating job; catch-up on takeover.

Every instance schedules the daily alert jobs; handlers/alerts checks the lease before
sending. The holder also rebuilds its daily jobs when a chat's alert time changed on another
instance (/nhacviec gio … is handled by whichever worker got the update).
"""

from __future__ import annotations

import logging

from telegram.ext import Application, ContextTypes

from handlers import alerts as alert_handlers
from handlers import observe
from handlers.common import env_of
from services import alerts as alert_service
from services.lease import KEY, RENEW_EVERY, Leadership, instance_id, leadership_of

log = logging.getLogger(__name__)

TICK_JOB = "alert-lease"
TIMES_KEY = "alert_times"


async def lease_tick(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Renew; on takeover catch up on what is due and unsent; keep the daily jobs current."""
    env = env_of(context)
    held, newly = await leadership_of(context.bot_data).hold(env)
    observe.LEASE_HELD.set(1 if held else 0)
    if not held:
        return
    times = await alert_service.alert_times(env)
    if times != context.bot_data.get(TIMES_KEY):
        context.bot_data[TIMES_KEY] = times
        await alert_handlers.schedule_jobs(context.application)
    if newly:
        await alert_handlers.catch_up_job(context)


def register(application: Application) -> None:
    """This instance's lease identity: host + WEBHOOK_LISTEN (unique per worker on a host)."""
    settings = application.bot_data.get("settings")
    listen = getattr(settings, "webhook_listen", None)
    application.bot_data[KEY] = Leadership(holder=instance_id(listen))


async def startup(application: Application) -> None:
    if application.job_queue is None:
        return
    application.job_queue.run_repeating(
        lease_tick, interval=RENEW_EVERY.total_seconds(), first=1, name=TICK_JOB
    )
