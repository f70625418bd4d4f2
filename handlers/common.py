"""The Telegram edge's shared pieces: reaching the services, who is speaking, replying safely."""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Sequence

from telegram import InlineKeyboardMarkup, Message, MessageEntity, Update
from telegram.constants import ChatType, MessageLimit
from telegram.ext import ContextTypes, filters

from domain.language import detect_lang
from services import ratelimit
from services.access import Actor, resolve_actor
from services.context import Env
from texts import t

ENV_KEY = "env"


def env_of(context: ContextTypes.DEFAULT_TYPE) -> Env:
    env: Env = context.application.bot_data[ENV_KEY]
    return env


async def actor_of(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Actor:
    """The sender as an Actor, with the language of the message they wrote."""
    user = update.effective_user
    if user is None:
        return Actor(user_id=0, name="", role="none")
    # Read once per update: the gate and the handler share it on the update's own context
    # (keyed by the update itself, so nothing about roles outlives the update).
    cached = getattr(context, "_actor_of_update", None)
    if cached is not None and cached[0] is update:
        actor = cached[1]
    else:
        actor = await resolve_actor(env_of(context), user.id, user.full_name)
        context._actor_of_update = (update, actor)  # type: ignore[attr-defined]
    message = update.effective_message
    text = (message.text or message.caption or "") if message else ""
    lang = detect_lang(text) if text and not text.startswith("/") else _lang_of_user(user)
    return Actor(actor.user_id, actor.name, actor.role, actor.unit_codes, lang)


def message_text(message: Message | None) -> str:
    """The text or caption, NFC-normalised: some phone keyboards send decomposed Vietnamese."""
    if message is None:
        return ""
    return unicodedata.normalize("NFC", message.text or message.caption or "")


def _lang_of_user(user: object) -> str:
    code = getattr(user, "language_code", None) or "vi"
    return "en" if code.startswith("en") else "vi"


def esc(value: object) -> str:
    """Escape anything a user or the catalogue wrote before it goes into HTML."""
    return html.escape(str(value), quote=False)


def split_message(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Split at line ends so no line is cut; a single over-long line is cut at a space."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            cut = line.rfind(" ", 0, limit) if " " in line[:limit] else limit
            cut = cut if cut > 0 else limit
            if current:
                chunks.append(current)
                current = ""
            chunks.append(line[:cut])
            line = line[cut:].lstrip()
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks or [""]


async def reply(
    update: Update,
    text: str,
    *,
    keyboard: InlineKeyboardMarkup | None = None,
    quote: bool = True,
) -> list[Message]:
    """Reply in HTML, split within Telegram's limit; the keyboard goes under the last part."""
    message = update.effective_message
    if message is None:
        return []
    parts = split_message(text)
    sent = []
    for i, part in enumerate(parts):
        last = i == len(parts) - 1
        sent.append(
            await message.reply_html(
                part,
                reply_markup=keyboard if last else None,
                do_quote=quote and i == 0 and message.chat.type != ChatType.PRIVATE,
                disable_web_page_preview=True,
            )
        )
    return sent


async def over_rate_limit(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    action: str,
    *,
    actor: Actor | None = None,
    lang: str | None = None,
) -> bool:
    """Per-user limit of an expensive action (services/ratelimit; leaders and admins get more):
    True after telling the person how long to wait, so the caller stops there."""
    actor = actor or await actor_of(update, context)
    limited = ratelimit.check(env_of(context), actor.user_id, action, role=actor.role)
    if limited is None:
        return False
    await reply(update, t("rate_limited", lang or actor.lang, seconds=limited.seconds))
    return True


def truncate_caption(text: str, limit: int = MessageLimit.CAPTION_LENGTH) -> str:
    return text if len(text) <= limit else text[: limit - 1].rsplit("\n", 1)[0] + "…"


class Addressed(filters.MessageFilter):
    """Private chats always; in groups only commands, replies to the bot and mentions of it."""

    def filter(self, message: Message) -> bool:
        if message.chat.type == ChatType.PRIVATE:
            return True
        bot = message.get_bot()
        username = (bot.username or "").lower()
        replied = message.reply_to_message
        if replied and replied.from_user and replied.from_user.id == bot.id:
            return True
        entities: Sequence[MessageEntity] = message.entities or message.caption_entities or ()
        text = message.text or message.caption or ""
        for entity in entities:
            if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
                return True
            if entity.type == MessageEntity.MENTION and username:
                mention = text[entity.offset + 1 : entity.offset + entity.length].lower()
                if mention == username:
                    return True
        return False


ADDRESSED = Addressed()


def strip_mention(text: str, bot_username: str) -> str:
    """'@dean06bot xã nào…' -> 'xã nào…'."""
    if not bot_username:
        return text
    return text.replace(f"@{bot_username}", " ").strip()
