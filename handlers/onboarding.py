"""Onboarding at the Telegram edge: the stranger gate, /start <code>, /dangky, /toi, chats."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from handlers.common import ADDRESSED, actor_of, env_of, esc, reply
from services import onboarding
from services.access import Actor
from services.context import Env
from texts import t

log = logging.getLogger(__name__)

COMMANDS = [("dangky", "cmd_dangky"), ("toi", "cmd_toi")]

# The gate runs before every capability (group -1): strangers reach only these commands.
GATE_GROUP = -1
OPEN_COMMANDS = frozenset({"start", "help", "dangky"})
DECISION = r"^jr:(ok|no):(\d+)$"


def _command(message: Message | None, bot_username: str) -> tuple[str | None, bool]:
    """('dangky', True) for '/dangky@thisbot x'; (name, False) when aimed at another bot."""
    text = (message.text or message.caption or "") if message else ""
    if not text.startswith("/"):
        return None, True
    name, _, target = text.split(maxsplit=1)[0][1:].partition("@")
    return name.lower(), not target or target.lower() == bot_username.lower()


async def gate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Strangers may use /start, /help and /dangky; anything else they address to the bot gets
    one line on how to register and stops here. Nothing about them is stored."""
    message, query = update.effective_message, update.callback_query
    if update.effective_user is None or (message is None and query is None):
        return
    if message is not None and (message.migrate_to_chat_id or message.migrate_from_chat_id):
        return
    command, ours = _command(message, context.bot.username or "")
    if command in OPEN_COMMANDS and ours:
        return
    addressed = query is not None or (ours and message is not None and ADDRESSED.filter(message))
    actor = await actor_of(update, context)
    if actor.is_registered:
        return
    if query is not None:
        await query.answer(t("stranger", "vi"), show_alert=True)
    elif addressed:
        await reply(update, t("stranger", "vi"))
    raise ApplicationHandlerStop


async def start_with_code(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Deep link https://t.me/<bot>?start=<code> arrives as '/start <code>'."""
    await _register(update, context, " ".join(context.args or []))


async def dangky(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    text = " ".join(context.args or [])
    if not text:
        await _howto(update, context)
        return
    await _register(update, context, text)


async def _howto(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    env, actor = env_of(context), await actor_of(update, context)
    profile = await onboarding.whoami(env, actor)
    lines = [t("on_dangky_howto", actor.lang)]
    if profile.pending:
        names = ", ".join(esc(profile.names[c]) for c in profile.pending)
        lines.append(t("on_dangky_pending", actor.lang, units=names))
    await reply(update, "\n".join(lines))


async def _register(update: Update, context: ContextTypes.DEFAULT_TYPE, text: str) -> None:
    env, actor = env_of(context), await actor_of(update, context)
    user = update.effective_user
    result = await onboarding.register(
        env, actor, text, username=user.username if user else None, update_id=update.update_id
    )
    if isinstance(result, onboarding.Redeemed):
        await _render_redeemed(update, env, actor, result)
        return
    await _render_join(update, context, env, actor, result, text)


async def _render_redeemed(
    update: Update, env: Env, actor: Actor, result: onboarding.Redeemed
) -> None:
    if result.status == "duplicate":
        return
    unit = esc(onboarding.unit_name(env, result.unit_code))
    if result.status != "ok":
        await reply(update, t(f"on_redeem_{result.status}", actor.lang, unit=unit))
        return
    short = esc(env.catalogue.unit(result.unit_code or "").name) if result.unit_code else unit
    role = t(f"on_role_{result.role}", actor.lang)
    await reply(
        update, t("on_welcome", actor.lang, name=esc(actor.name), unit=unit, role=role, short=short)
    )


async def _render_join(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    env: Env,
    actor: Actor,
    result: onboarding.JoinResult,
    query: str,
) -> None:
    lang = actor.lang
    if result.status == "duplicate":
        return
    if result.status == "unknown_unit":
        text = t("on_join_unknown_unit", lang, query=esc(query))
        if result.suggestions:
            text += t("on_did_you_mean", lang, names=esc(", ".join(result.suggestions)))
        await reply(update, text + "\n" + t("on_dangky_howto", lang))
        return
    unit = esc(onboarding.unit_name(env, result.unit_code))
    await reply(update, t(f"on_join_{result.status}", lang, unit=unit))
    if result.status == "created" and result.request_id is not None:
        sent = await _notify_admins(update, context, env, result)
        if not sent:
            await reply(update, t("on_join_no_admin", lang))


async def _notify_admins(
    update: Update, context: ContextTypes.DEFAULT_TYPE, env: Env, result: onboarding.JoinResult
) -> int:
    user = update.effective_user
    username = f" (@{esc(user.username)})" if user and user.username else ""
    rid = result.request_id
    text = t(
        "on_join_admin_notice",
        "vi",
        id=rid,
        name=esc(user.full_name if user else ""),
        username=username,
        user_id=user.id if user else 0,
        unit=esc(onboarding.unit_name(env, result.unit_code)),
    )
    approve = InlineKeyboardButton(t("on_btn_approve", "vi"), callback_data=f"jr:ok:{rid}")
    refuse = InlineKeyboardButton(t("on_btn_reject", "vi"), callback_data=f"jr:no:{rid}")
    keyboard = InlineKeyboardMarkup([[approve, refuse]])
    sent = 0
    for admin in result.admins:
        try:
            await context.bot.send_message(admin, text, reply_markup=keyboard)
            sent += 1
        except (Forbidden, TelegramError) as exc:  # an admin who never opened the bot
            log.warning("join request %s: admin %s unreachable: %s", result.request_id, admin, exc)
    return sent


async def on_decision(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """[Duyệt] / [Từ chối] under a join request."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    env, actor = env_of(context), await actor_of(update, context)
    _, verdict, rid = query.data.split(":")
    decision = await onboarding.decide(env, actor, int(rid), verdict == "ok")
    if decision.denied is not None:
        await query.answer(decision.denied.message("vi"), show_alert=True)
        return
    if decision.status == "not_found":
        await query.answer(t("on_join_not_found", "vi"), show_alert=True)
        return
    if decision.status == "already_decided":
        status = t(f"on_status_{decision.decided}", "vi")
        await query.answer(t("on_join_decided_before", "vi", status=status), show_alert=True)
        return
    await query.answer()
    note = t(f"on_join_{decision.status}_note", "vi", admin=esc(actor.name))
    if isinstance(query.message, Message) and query.message.text_html:
        await query.edit_message_text(f"{query.message.text_html}\n{note}", reply_markup=None)
    unit = esc(onboarding.unit_name(env, decision.unit_code))
    if decision.user_id is not None:
        try:
            await context.bot.send_message(
                decision.user_id, t(f"on_join_{decision.status}_user", "vi", unit=unit)
            )
        except (Forbidden, TelegramError) as exc:
            log.warning("could not tell user %s about request %s: %s", decision.user_id, rid, exc)


async def toi(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    env, actor = env_of(context), await actor_of(update, context)
    profile = await onboarding.whoami(env, actor)
    lang = actor.lang
    lines = [t("on_toi", lang, user_id=actor.user_id, role=t(f"on_role_{actor.role}", lang))]
    if profile.unit_codes:
        names = ", ".join(esc(profile.names[c]) for c in profile.unit_codes)
        lines.append(t("on_toi_units", lang, units=names))
    elif not actor.is_leader:
        lines.append(t("on_toi_no_units", lang))
    if actor.is_leader:
        lines.append(t("on_toi_any_unit", lang))
    if profile.groups:
        groups = ", ".join(
            f"{esc(title)} ({esc(profile.names[c])})" for _, title, c in profile.groups
        )
        lines.append(t("on_toi_groups", lang, groups=groups))
    if profile.pending:
        pending = ", ".join(esc(profile.names[c]) for c in profile.pending)
        lines.append(t("on_toi_pending", lang, units=pending))
    await reply(update, "\n".join(lines))


async def on_my_chat_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The bot was added to, removed from, or blocked in a chat: record it."""
    change = update.my_chat_member
    if change is None:
        return
    chat = change.chat
    info = onboarding.ChatInfo(chat.id, chat.type, chat.title or chat.full_name or "")
    by = change.from_user.id if change.from_user else None
    result = await onboarding.chat_member_changed(
        env_of(context), info, change.new_chat_member.status, by
    )
    if result.joined:
        try:
            await context.bot.send_message(chat.id, t("on_bot_added", "vi"))
        except TelegramError as exc:
            log.warning("greeting in chat %s failed: %s", chat.id, exc)


async def on_migrate(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A group became a supergroup: Telegram tells both chats; the first news moves it."""
    message = update.effective_message
    if message is None:
        return
    if message.migrate_to_chat_id:
        old, new = message.chat.id, message.migrate_to_chat_id
    elif message.migrate_from_chat_id:
        old, new = message.migrate_from_chat_id, message.chat.id
    else:
        return
    await onboarding.migrate_chat(env_of(context), old, new)
    if context.application.chat_data.get(old) is not None:
        context.application.migrate_chat_data(old_chat_id=old, new_chat_id=new)


def register(application: Application) -> None:
    application.add_handler(TypeHandler(Update, gate), group=GATE_GROUP)
    application.add_handler(CommandHandler("start", start_with_code, has_args=True))
    application.add_handler(CommandHandler("dangky", dangky))
    application.add_handler(CommandHandler("toi", toi))
    application.add_handler(CallbackQueryHandler(on_decision, pattern=DECISION))
    application.add_handler(ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
    application.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, on_migrate))
