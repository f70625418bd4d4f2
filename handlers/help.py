"""/start and /help: what the bot does, with real examples; /start <code> is onboarding's."""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from handlers.common import actor_of, env_of, esc, reply
from texts import t

COMMANDS = [("start", "cmd_start"), ("help", "cmd_help")]


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    actor = await actor_of(update, context)
    env = env_of(context)
    name = esc(update.effective_user.first_name if update.effective_user else "")
    lang = actor.lang
    await reply(update, t("start", lang, name=name, province=esc(env.catalogue.name)))


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    env = env_of(context)
    username = env.bot_username or context.bot.username or "bot"
    await reply(update, t("help", "vi", bot_username=esc(username)))


def register(application: Application) -> None:
    # /start with a payload (deep-link invite) is handled by onboarding, registered earlier.
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("help", help_command))
