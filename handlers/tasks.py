"""Plan tasks at the Telegram edge: /nhiemvu, /xong, and plans forwarded as .docx or .xlsx."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from domain.numbers import format_date
from handlers.common import actor_of, env_of, esc, reply
from services import tasks as service
from services.alerts import chat_scope
from services.tasks import CloseResult, PlanPreview, StatusFilter, TaskList, TaskView
from texts import t

log = logging.getLogger(__name__)

COMMANDS = [("nhiemvu", "task_cmd_list"), ("xong", "task_cmd_done")]
LIST_LIMIT = 40
PREVIEW_LIMIT = 60
_STATUS_WORDS: dict[str, StatusFilter] = {
    "quahan": "overdue",
    "qua": "overdue",
    "overdue": "overdue",
    "sapden": "due_soon",
    "saphan": "due_soon",
    "soon": "due_soon",
    "chua": "open",
    "open": "open",
    "tatca": "all",
    "all": "all",
}
_ICON = {
    "overdue": "⛔",
    "due_soon": "⏳",
    "open": "▫️",
    "recurring": "🔁",
    "unknown": "❓",
    "done": "✅",
}


def _when(view: TaskView, lang: str) -> str:
    due = format_date(view.due_date, lang) if view.due_date else ""
    if view.state == "done":
        return t("task_when_done", lang, result=esc(view.result or ""))
    if view.state == "overdue":
        return t("task_when_overdue", lang, due=due, days=view.days)
    if view.state in ("due_soon", "open") and view.days == 0:
        return t("task_when_today", lang, due=due)
    if view.state in ("due_soon", "open"):
        return t("task_when_left", lang, due=due, days=view.days)
    if view.state == "recurring":
        return t("task_when_recurring", lang)
    return t("task_when_unknown", lang, text=esc(view.due_text))


def short_title(title: str, limit: int = 120) -> str:
    """A plan task's first sentence, cut at a word: a list read on a phone stays scannable."""
    first = title.strip().split("\n", 1)[0].strip()
    if len(first) <= limit:
        return first if first == title.strip() else first.rstrip(".") + " …"
    cut = first.rfind(" ", 0, limit)
    return first[: cut if cut > limit // 2 else limit].rstrip(" ,;:") + " …"


def format_task_line(view: TaskView, lang: str = "vi") -> str:
    line = t(
        "task_line",
        lang,
        icon=_ICON.get(view.state, "▫️"),
        label=esc(view.label),
        title=esc(short_title(view.title)),
        lead=esc(view.lead_name),
        when=_when(view, lang),
    )
    if view.state == "overdue" and view.reminders:
        line += t("task_reminded", lang, n=view.reminders)
    return line


def format_task_list(result: TaskList, lang: str = "vi") -> str:
    """The list with 003's counts: used by /nhiemvu and by the questions capability."""
    scope = t("task_scope", lang, name=esc(result.scope_name)) if result.scope_name else ""
    head = t(f"task_head_{result.status}", lang, scope=scope, days=result.within_days)
    c = result.counts
    lines = [
        head,
        t(
            "task_counts",
            lang,
            total=c.total,
            dated=c.dated,
            recurring=c.recurring,
            unfinished=c.unfinished,
            overdue=c.overdue,
        ),
    ]
    if c.unknown:
        lines.append(t("task_counts_unknown", lang, n=c.unknown))
    lines.append("")
    if not result.items:
        lines.append(t("task_none", lang))
    lines += [format_task_line(v, lang) for v in result.items[:LIST_LIMIT]]
    if len(result.items) > LIST_LIMIT:
        lines.append(t("task_more", lang, n=len(result.items) - LIST_LIMIT))
    return "\n".join(lines)


async def list_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/nhiemvu [quahan|sapden|chua|tatca] [tên đơn vị]."""
    env = env_of(context)
    actor = await actor_of(update, context)
    args = list(context.args or [])
    status: StatusFilter = "open"
    if args and args[0].lower() in _STATUS_WORDS:
        status = _STATUS_WORDS[args.pop(0).lower()]
    found = env.units.find_all(" ".join(args)) if args else []
    scope = found[0].key if found else None
    chat = update.effective_chat
    if scope is None and chat is not None and chat.type != ChatType.PRIVATE:
        scope = await chat_scope(env, chat.id)
    if scope is None and not actor.is_leader and actor.unit_codes:
        scope = actor.unit_codes[0]
    result = await service.list_tasks(env, status=status, scope_unit_code=scope)
    await reply(update, format_task_list(result, actor.lang))


def _close_text(result: CloseResult, ref: str, lang: str) -> str:
    task = result.task
    if result.outcome in ("closed", "duplicate") and task:
        return t(
            "task_closed",
            lang,
            label=esc(task.label),
            title=esc(task.title),
            result=esc(result.result_text),
        )
    if result.outcome == "already_done" and task:
        return t("task_already_done", lang, label=esc(task.label))
    key = {
        "not_found": "task_not_found",
        "forbidden": "task_forbidden",
        "no_result": "task_no_result",
        "expired": "task_expired",
    }.get(result.outcome, "task_usage")
    return t(key, lang, ref=esc(ref))


async def done_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/xong 4 đã ban hành KH số 1199/KH-UBND."""
    env = env_of(context)
    actor = await actor_of(update, context)
    message = update.effective_message
    chat = update.effective_chat
    if message is None or chat is None:
        return
    args = (message.text or "").split(maxsplit=1)[1] if " " in (message.text or "") else ""
    result = await service.close_task(env, actor, args, chat_id=chat.id, update_id=update.update_id)
    ref = args.split(maxsplit=1)[0] if args else ""
    if result.outcome == "ambiguous" and result.pending_id:
        buttons = [
            [
                InlineKeyboardButton(
                    f"{v.label} · {v.plan_name} · {v.title[:40]}",
                    callback_data=f"tk:c:{result.pending_id}:{v.id}",
                )
            ]
            for v in result.candidates[:8]
        ]
        text = t("task_which", actor.lang, n=len(result.candidates), ref=esc(ref))
        await reply(update, text, keyboard=InlineKeyboardMarkup(buttons))
        return
    await reply(update, _close_text(result, ref, actor.lang))


async def close_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or not query.data:
        return
    _, _, pending_id, task_id = query.data.split(":", 3)
    env = env_of(context)
    actor = await actor_of(update, context)
    result = await service.close_chosen(
        env, actor, pending_id, int(task_id), update_id=update.update_id
    )
    await query.answer()
    await query.edit_message_text(_close_text(result, "", actor.lang))


# -- plans forwarded as documents --------------------------------------------------------------


def format_preview(preview: PlanPreview, lang: str = "vi") -> str:
    lines = [t("task_plan_head", lang, n=len(preview.drafts), plan=esc(preview.plan_name))]
    for d in preview.drafts[:PREVIEW_LIMIT]:
        if d.due_kind == "date" and d.due_date:
            when = format_date(d.due_date, lang)
        elif d.due_kind == "recurring":
            when = t("task_when_recurring", lang)
        else:
            when = t("task_when_unknown", lang, text=esc(d.due_text))
        line = t(
            "task_plan_line",
            lang,
            label=esc(d.label),
            title=esc(d.title[:120]),
            lead=esc(d.lead_text or "?"),
            when=when,
        )
        if not d.lead_known:
            line += t("task_plan_lead_unknown", lang, text=esc(d.lead_text))
        lines.append(line)
    if len(preview.drafts) > PREVIEW_LIMIT:
        lines.append(t("task_more", lang, n=len(preview.drafts) - PREVIEW_LIMIT))
    if preview.unreadable:
        lines += ["", t("task_plan_unreadable", lang, n=len(preview.unreadable))]
        lines += [
            t("task_plan_unreadable_line", lang, label=esc(d.label), text=esc(d.due_text))
            for d in preview.unreadable
        ]
    lines += ["", t("task_plan_confirm", lang)]
    return "\n".join(lines)


async def _handle_plan(update: Update, context: ContextTypes.DEFAULT_TYPE, data: bytes) -> None:
    env = env_of(context)
    actor = await actor_of(update, context)
    message = update.effective_message
    assert message is not None and message.document is not None
    try:
        preview = await service.read_plan(
            env,
            actor,
            filename=message.document.file_name or "plan.docx",
            data=data,
            caption=message.caption or "",
            chat_id=message.chat_id,
        )
    except service.PlanFileError:
        await reply(update, t("task_plan_bad_file", actor.lang))
        return
    if preview.outcome != "preview" or preview.pending_id is None:
        key = {"forbidden": "task_plan_forbidden", "no_unit": "task_plan_no_unit"}.get(
            preview.outcome, "task_plan_no_table"
        )
        await reply(update, t(key, actor.lang, plan=esc(preview.plan_name)))
        return
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("task_btn_import", actor.lang), callback_data=f"tk:imp:{preview.pending_id}"
                ),
                InlineKeyboardButton(
                    t("task_btn_cancel", actor.lang), callback_data=f"tk:no:{preview.pending_id}"
                ),
            ]
        ]
    )
    await reply(update, format_preview(preview, actor.lang), keyboard=keyboard)


async def _download(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bytes | None:
    message = update.effective_message
    if message is None or message.document is None:
        return None
    if (message.document.file_size or 0) > env_of(context).max_upload_bytes:
        return None
    file = await message.document.get_file()
    content = bytes(await file.download_as_bytearray())
    # The declared size can be missing: check what actually arrived as well.
    return content if len(content) <= env_of(context).max_upload_bytes else None


async def docx_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A .docx is always read as a plan: no other capability takes Word files."""
    actor = await actor_of(update, context)
    if not actor.is_registered:
        return
    data = await _download(update, context)
    if data is None:  # too big: say so rather than stay silent
        message = update.effective_message
        name = message.document.file_name if message and message.document else ""
        limit = max(1, env_of(context).max_upload_bytes // 1_000_000)
        await reply(update, t("sh_err_too_big", actor.lang, filename=esc(name or ""), limit=limit))
        return
    await _handle_plan(update, context, data)


async def xlsx_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Runs in an earlier group: an .xlsx whose header is the task table is a plan and stops
    here; any other .xlsx goes on to the sheets capability untouched."""
    actor = await actor_of(update, context)
    if not actor.is_registered:
        return
    data = await _download(update, context)
    message = update.effective_message
    name = message.document.file_name if message and message.document else ""
    if data is None or not service.is_plan_file(name or "x.xlsx", data):
        return
    await _handle_plan(update, context, data)
    raise ApplicationHandlerStop


async def plan_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or not query.data:
        return
    _, action, pending_id = query.data.split(":", 2)
    env = env_of(context)
    actor = await actor_of(update, context)
    result = await service.confirm_plan(env, actor, pending_id, accept=action == "imp")
    await query.answer()
    lang = actor.lang
    if result.outcome == "imported":
        text = t(
            "task_plan_imported",
            lang,
            plan=esc(result.plan_name),
            added=result.added,
            updated=result.updated,
        )
    elif result.outcome == "cancelled":
        text = t("task_plan_cancelled", lang)
    elif result.outcome == "forbidden":
        text = t("task_plan_forbidden", lang, plan="")
    else:
        text = t("task_expired", lang)
    await query.edit_message_text(text)


PLAN_GROUP = -1  # before group 0, where the sheets capability takes other spreadsheets


def register(application: Application) -> None:
    application.add_handler(CommandHandler("nhiemvu", list_command))
    application.add_handler(CommandHandler("xong", done_command))
    application.add_handler(CallbackQueryHandler(close_choice, pattern=r"^tk:c:"))
    application.add_handler(CallbackQueryHandler(plan_choice, pattern=r"^tk:(imp|no):"))
    application.add_handler(MessageHandler(filters.Document.FileExtension("docx"), docx_document))
    xlsx = filters.Document.FileExtension("xlsx") & ~filters.ChatType.CHANNEL
    application.add_handler(MessageHandler(xlsx, xlsx_document), group=PLAN_GROUP)


__all__ = ["format_task_line", "format_task_list", "register"]
