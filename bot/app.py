"""Composition root: builds the Application, opens resources, registers every capability."""

from __future__ import annotations

import gc
import logging
from types import ModuleType

from telegram import BotCommand, Update
from telegram.constants import ParseMode
from telegram.error import Forbidden, NetworkError, TimedOut
from telegram.ext import (
    Application,
    ApplicationBuilder,
    ContextTypes,
    Defaults,
)
from telegram.request import BaseRequest

from bot.retry import RetryingRateLimiter
from bot.settings import Settings
from domain.clock import Clock, SystemClock
from domain.language import detect_lang
from handlers import admin as admin_handlers
from handlers import alerts as alerts_handlers
from handlers import backup as backup_handlers
from handlers import charts as charts_handlers
from handlers import figures as figures_handlers
from handlers import help as help_handlers
from handlers import observe as observe_handlers
from handlers import onboarding as onboarding_handlers
from handlers import questions as questions_handlers
from handlers import scale as scale_handlers
from handlers import sheets as sheets_handlers
from handlers import tasks as tasks_handlers
from handlers.common import ENV_KEY, env_of
from handlers.updates import PerChatUpdateProcessor, waiting_elsewhere
from services.catalogue import load_catalogue
from services.chart_worker import ChartWorker
from services.context import Env
from store.catalogue import sync_catalogue
from store.db import Database, serialize_startup
from texts import t

log = logging.getLogger(__name__)

# One module per capability, each with register(application) and optionally
# `async def startup(application)` (run once resources are open: jobs, catch-up).
# Order matters inside handler group 0: the first matching handler wins, so commands and
# specific text (figures) come before the catch-all question handler.
HANDLER_MODULES: list[ModuleType] = [
    # onboarding (access gate, /dangky, /moi, chats) goes first: it stops strangers early.
    onboarding_handlers,
    admin_handlers,
    backup_handlers,
    help_handlers,
    # tasks, alerts, sheets: commands and documents.
    tasks_handlers,
    alerts_handlers,
    sheets_handlers,
    # figures: text that looks like a submission.
    figures_handlers,
    charts_handlers,  # chart buttons (qc|/qo|) and drawing, before questions
    # questions: every other addressed text (catch-all), last.
    questions_handlers,
    # several instances (issue 12): health/metrics server, the alert-sender lease.
    observe_handlers,
    scale_handlers,
]


def build_application(
    settings: Settings,
    *,
    clock: Clock | None = None,
    request: BaseRequest | None = None,
) -> Application:
    """The real Application; `request` replaces HTTP for the console chat."""
    builder: ApplicationBuilder = (
        Application.builder()
        .token(settings.token or "0:console")
        .base_url(settings.telegram_api_url)
        .base_file_url(settings.telegram_file_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=settings.tz))
        .concurrent_updates(PerChatUpdateProcessor(settings.max_concurrent_updates))
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    if request is not None:
        builder = builder.request(request).get_updates_request(request).updater(None)
    else:
        builder = builder.rate_limiter(RetryingRateLimiter(max_retries=3)).request(
            observe_handlers.CountingRequest(connection_pool_size=256)  # PTB's default size
        )
    application = builder.build()
    application.bot_data["settings"] = settings
    application.bot_data["clock"] = clock or SystemClock(settings.tz)
    for module in HANDLER_MODULES:
        module.register(application)
    application.add_error_handler(on_error)
    return application


async def open_env(
    settings: Settings,
    clock: Clock,
    bot_username: str = "",
    *,
    chart_worker: ChartWorker | None = None,
) -> Env:
    """Open the database (migrated), load and sync the catalogue: what every entry point needs.
    Charts are drawn by `chart_worker` (the caller closes it), else in a thread."""
    db = Database(settings.sqlalchemy_url(), **settings.database_options())
    await db.migrate()
    catalogue = load_catalogue(settings.catalogue)
    async with db.write() as conn:
        await serialize_startup(conn)  # PostgreSQL: two workers starting sync one at a time
        ids, report = await sync_catalogue(conn, catalogue, clock.now())
    log.info("catalogue %s synced: %s", catalogue.code, report)
    drawing = {} if chart_worker is None else {"chart_worker": chart_worker}  # else Env's own
    return Env(
        db=db,
        catalogue=catalogue,
        ids=ids,
        clock=clock,
        admin_ids=frozenset(settings.admin_ids),
        alert_time=settings.alert_time,
        bot_username=bot_username,
        max_upload_bytes=settings.max_upload_bytes,
        **drawing,
    )


async def _post_init(application: Application) -> None:
    settings: Settings = application.bot_data["settings"]
    clock: Clock = application.bot_data["clock"]
    # Charts in CHART_PROCESSES worker processes, started on the first chart; while one draws,
    # the waiting update gives its slot to another. Closed in _post_shutdown.
    charts = ChartWorker(settings.chart_processes, waiting=waiting_elsewhere)
    env = await open_env(settings, clock, application.bot.username or "", chart_worker=charts)
    application.bot_data[ENV_KEY] = env
    await _set_commands(application)
    for module in HANDLER_MODULES:
        startup = getattr(module, "startup", None)
        if startup is not None:
            await startup(application)
    # Startup objects (catalogue, indexes, SQLAlchemy, matplotlib) live for the whole run:
    # freezing them keeps full GC passes from stalling the loop (~150 ms -> ~50 ms under load).
    gc.collect()
    gc.freeze()


async def _set_commands(application: Application) -> None:
    commands = []
    for module in HANDLER_MODULES:
        for name, text_key in getattr(module, "COMMANDS", []):
            commands.append(BotCommand(name, t(text_key, "vi")))
    try:
        await application.bot.set_my_commands(commands)
    except (NetworkError, TimedOut) as exc:  # the bot still works without the menu
        log.warning("setMyCommands failed: %s", exc)


async def _post_shutdown(application: Application) -> None:
    await observe_handlers.stop_server(application)
    env: Env | None = application.bot_data.get(ENV_KEY)
    if env is not None:
        leadership = application.bot_data.get("leadership")
        if leadership is not None and leadership.held:  # hand the alert lease on at once
            try:
                await leadership.release(env)
            except Exception as exc:
                log.warning("could not release the alert lease: %s", exc)
        await env.chart_worker.close()  # a drawing under way is finished first
        await env.db.close()


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log with the chat and user ids; tell the user once, briefly; keep going."""
    chat_id = user_id = None
    if isinstance(update, Update):
        chat_id = update.effective_chat.id if update.effective_chat else None
        user_id = update.effective_user.id if update.effective_user else None
    error = context.error
    observe_handlers.count_error(error)
    if isinstance(error, Forbidden | NetworkError | TimedOut):
        log.warning("telegram error chat=%s user=%s: %s", chat_id, user_id, error)
        return
    log.error(
        "handler failed update=%s chat=%s user=%s",
        update.update_id if isinstance(update, Update) else None,
        chat_id,
        user_id,
        exc_info=error,
    )
    if isinstance(update, Update) and update.effective_message and ENV_KEY in context.bot_data:
        lang = detect_lang(update.effective_message.text or update.effective_message.caption or "")
        try:
            await update.effective_message.reply_text(t("error", lang))
        except Exception:  # the apology itself must never raise
            log.warning("could not send the apology to chat %s", chat_id)


__all__ = ["HANDLER_MODULES", "build_application", "env_of", "open_env"]
