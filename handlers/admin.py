"""Admin commands: /moi (invites), /gan, /xoa, /quyen, /nhom, /dongbo — admins only."""

from __future__ import annotations

from datetime import datetime

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from handlers.common import actor_of, env_of, esc, reply
from services import access, onboarding
from services.access import Denied
from services.context import Env
from texts import t

COMMANDS = [("moi", "cmd_moi"), ("nhom", "cmd_nhom")]
LIST_LIMIT = 60


def _when(value: datetime) -> str:
    return value.strftime("%d/%m/%Y")


async def _denied(update: Update, denied: Denied, lang: str) -> None:
    await reply(update, denied.message(lang))


def _unknown(query: str, suggestions: tuple[str, ...], lang: str) -> str:
    text = t("adm_unknown_unit", lang, query=esc(query))
    if suggestions:
        text += t("adm_did_you_mean", lang, names=esc(", ".join(suggestions)))
    return text


async def moi(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/moi <unit> | /moi tatca [tin] | /moi list | /moi huy <code|unit>."""
    args = context.args or []
    head = (args[0].lower() if args else "").strip()
    if not args:
        await reply(update, t("adm_moi_usage", "vi"))
    elif head in ("list", "ds", "danhsach"):
        await _moi_list(update, context)
    elif head in ("huy", "hủy", "thuhoi") and len(args) > 1:
        await _moi_revoke(update, context, " ".join(args[1:]))
    else:
        await _moi_create(update, context, args)


async def _moi_create(update: Update, context: ContextTypes.DEFAULT_TYPE, args: list[str]) -> None:
    env, actor = env_of(context), await actor_of(update, context)
    as_text = len(args) > 1 and args[-1].lower() in ("tin", "text")
    target = " ".join(args[:-1] if as_text else args)
    batch = await onboarding.create_invites(env, actor, target, update_id=update.update_id)
    if batch.duplicate:
        return
    if batch.denied is not None:
        await _denied(update, batch.denied, actor.lang)
        return
    if not batch.ok:
        await reply(update, _unknown(target, batch.suggestions, actor.lang))
        return
    expires = _when(batch.links[0].expires_at)
    if len(batch.links) == 1:
        x = batch.links[0]
        await reply(update, t("adm_moi_one", "vi", unit=esc(x.unit_name), expires=expires,
                              link=esc(x.link), code=esc(x.code)))  # fmt: skip
    elif as_text:
        lines = [t("adm_moi_all_header", "vi", count=len(batch.links), expires=expires)]
        lines += [
            t("adm_moi_all_line", "vi", unit=esc(x.unit_name), link=esc(x.link))
            for x in batch.links
        ]
        await reply(update, "\n".join(lines))
    else:
        await _send_workbook(update, batch, expires)


async def _send_workbook(update: Update, batch: onboarding.InviteBatch, expires: str) -> None:
    message = update.effective_message
    if message is None:
        return
    await message.reply_document(
        onboarding.invites_workbook(batch),
        filename=f"ma-moi-{len(batch.links)}-don-vi.xlsx",
        caption=t("adm_moi_all_caption", "vi", count=len(batch.links), expires=expires),
    )


async def _moi_list(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    env, actor = env_of(context), await actor_of(update, context)
    result = await onboarding.list_invites(env, actor)
    if isinstance(result, Denied):
        await _denied(update, result, actor.lang)
        return
    if not result:
        await reply(update, t("adm_moi_list_empty", "vi"))
        return
    lines = [t("adm_moi_list_header", "vi", count=len(result))]
    lines += [
        t("adm_moi_list_line", "vi", unit=esc(x.unit_name), created=_when(x.created_at),
          expires=_when(x.expires_at))
        for x in result[:LIST_LIMIT]
    ]  # fmt: skip
    if len(result) > LIST_LIMIT:
        lines.append(t("adm_moi_list_more", "vi", count=len(result) - LIST_LIMIT))
    await reply(update, "\n".join(lines))


async def _moi_revoke(update: Update, context: ContextTypes.DEFAULT_TYPE, target: str) -> None:
    env, actor = env_of(context), await actor_of(update, context)
    result = await onboarding.revoke_invites(env, actor, target)
    if result.denied is not None:
        await _denied(update, result.denied, actor.lang)
    elif result.count:
        unit = f" ({esc(onboarding.unit_name(env, result.unit_code))})" if result.unit_code else ""
        await reply(update, t("adm_revoked", "vi", count=result.count, unit=unit))
    else:
        await reply(update, t("adm_revoked_none", "vi", query=esc(target)))


def _user_id(args: list[str]) -> int | None:
    if not args or not args[0].lstrip("-").isdigit():
        return None
    return int(args[0])


async def gan(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/gan <user_id> <unit>[, <unit>]: replace a person's units."""
    env, actor = env_of(context), await actor_of(update, context)
    args = context.args or []
    user_id = _user_id(args)
    if user_id is None or len(args) < 2:
        await reply(update, t("adm_gan_usage", "vi"))
        return
    result = await onboarding.rebind(env, actor, user_id, " ".join(args[1:]))
    await _render_person(update, env, result, " ".join(args[1:]), actor.lang)


async def xoa(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/xoa <user_id>: remove role and units."""
    env, actor = env_of(context), await actor_of(update, context)
    user_id = _user_id(context.args or [])
    if user_id is None:
        await reply(update, t("adm_xoa_usage", "vi"))
        return
    result = await onboarding.remove(env, actor, user_id)
    await _render_person(update, env, result, "", actor.lang)


async def _render_person(
    update: Update, env: Env, result: onboarding.PersonChange, query: str, lang: str
) -> None:
    if result.denied is not None:
        await _denied(update, result.denied, lang)
        return
    units = ", ".join(esc(onboarding.unit_name(env, c)) for c in result.unit_codes) or "—"
    texts = {
        "unknown_unit": lambda: _unknown(query, result.suggestions, lang),
        "unknown_user": lambda: t("adm_unknown_user", "vi", user_id=result.user_id),
        "env_admin": lambda: t("adm_env_admin", "vi", user_id=result.user_id),
    }
    if result.status in texts:
        await reply(update, texts[result.status]())
    elif result.role == "none":
        await reply(update, t("adm_xoa_ok", "vi", user_id=result.user_id, units=units))
    else:
        role = t(f"on_role_{result.role}", "vi")
        await reply(update, t("adm_gan_ok", "vi", user_id=result.user_id, role=role, units=units))


async def quyen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/quyen <user_id> leader|officer|admin: promote or demote."""
    env, actor = env_of(context), await actor_of(update, context)
    args = context.args or []
    user_id = _user_id(args)
    if user_id is None or len(args) != 2:
        await reply(update, t("adm_quyen_usage", "vi"))
        return
    change = await access.set_role(env, actor, user_id, args[1].lower())
    if change.denied is not None:
        await _denied(update, change.denied, actor.lang)
    elif change.reason == "env_admin":
        await reply(update, t("adm_env_admin", "vi", user_id=user_id))
    elif not change.ok:
        await reply(update, t("adm_quyen_usage", "vi"))
    else:
        await reply(update, t("adm_quyen_ok", "vi", user_id=user_id,
                              previous=t(f"on_role_{change.previous}", "vi"),
                              role=t(f"on_role_{change.role}", "vi")))  # fmt: skip


async def nhom(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/nhom <unit> | /nhom tinh | /nhom huy | /nhom: this group's unit."""
    env, actor = env_of(context), await actor_of(update, context)
    chat = update.effective_chat
    if chat is None:
        return
    info = onboarding.ChatInfo(chat.id, chat.type, chat.title or "")
    target = " ".join(context.args or [])
    result = await onboarding.bind_group(env, actor, info, target)
    if result.denied is not None:
        await _denied(update, result.denied, actor.lang)
        return
    unit = esc(onboarding.unit_name(env, result.unit_code))
    if result.status == "unknown_unit":
        await reply(update, _unknown(target, result.suggestions, actor.lang))
    elif result.status == "shown" and result.unit_code is None:
        await reply(update, t("adm_nhom_none", "vi"))
    else:
        await reply(update, t(f"adm_nhom_{result.status}", "vi", unit=unit))


async def dongbo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/dongbo: re-read the catalogue files and swap them in."""
    env, actor = env_of(context), await actor_of(update, context)
    folder = context.application.bot_data["settings"].catalogue
    try:
        result = await onboarding.resync_catalogue(env, actor, folder)
    except ValueError as exc:  # CatalogueError: a malformed file; the old catalogue stays
        await reply(update, t("adm_dongbo_failed", "vi", error=esc(exc)))
        return
    if isinstance(result, Denied):
        await _denied(update, result, actor.lang)
        return
    await reply(update, t("adm_dongbo_ok", "vi", **result.__dict__))


def register(application: Application) -> None:
    for name, callback in (
        ("moi", moi), ("gan", gan), ("xoa", xoa), ("quyen", quyen), ("nhom", nhom),
        ("dongbo", dongbo),
    ):  # fmt: skip
        application.add_handler(CommandHandler(name, callback))
