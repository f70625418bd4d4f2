"""Spreadsheets in (.xlsx/.csv → preview → [Nhập]/[Hủy]) and files out (/xuat, /baocao).

Plan documents are not ours: the tasks capability reads .docx files and, in an earlier handler
group, any .xlsx whose header is a plan's task table (it stops those updates there).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, NetworkError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from domain.numbers import format_date, format_int, format_rate
from domain.sheets import Preview
from domain.text import fold
from handlers.common import (
    ADDRESSED,
    actor_of,
    env_of,
    esc,
    message_text,
    over_rate_limit,
    reply,
)
from services import ratelimit, reports
from services import sheets as service
from services.context import Env
from texts import t

COMMANDS = [("xuat", "sh_cmd_export"), ("baocao", "sh_cmd_report")]
LIST_LIMIT = 15  # lines of each kind shown in a preview
PROGRESS_SECONDS = 1.0
_EXPORT_ASK = re.compile(r"^(?:xuat|export|tai)\s+(?:file\s+|tep\s+)?(?:excel|xlsx|bang tinh)\b")


# --- rendering -------------------------------------------------------------------------------


def _unit(env: Env, code: str) -> str:
    unit = env.catalogue.find_unit(code)
    return esc(unit.full_name if unit else code)


def _ind(env: Env, code: str) -> str:
    ind = env.catalogue.find_indicator(code)
    return esc(ind.short if ind else code)


def _fig(num: int | None, den: int | None, lang: str) -> str:
    if num is None or not den:
        return "—"
    return f"{format_int(num, lang)}/{format_int(den, lang)} ({format_rate(num / den, lang)})"


def render_preview(env: Env, filename: str, result: Preview, lang: str) -> str:
    parsed = result.parsed
    changes = result.changes
    days = sorted({r.as_of for r in parsed.rows})
    as_of = ", ".join(format_date(d, lang) for d in days[:3]) or (
        format_date(parsed.as_of, lang) if parsed.as_of else "—"
    )
    lines = [
        t("sh_preview_head", lang, filename=esc(filename),
          indicators=", ".join(_ind(env, c) for c in parsed.indicators), as_of=as_of,
          matched=len(parsed.rows), new=sum(c.kind == "new" for c in changes),
          changed=sum(c.kind == "changed" for c in changes), same=result.unchanged)
    ]  # fmt: skip
    lines += _unmatched_lines(parsed, lang) + _error_lines(env, parsed, lang)
    if parsed.forbidden:
        units = ", ".join(dict.fromkeys(_unit(env, f.unit) for f in parsed.forbidden))
        lines.append(t("sh_preview_forbidden", lang, count=len(parsed.forbidden), units=units))
    lines += _change_lines(env, result, lang)
    if parsed.skipped:
        lines.append(t("sh_preview_skipped", lang, count=parsed.skipped))
    count = len(result.to_import)
    lines.append(
        t("sh_preview_confirm", lang, count=count) if count else t("sh_preview_nothing", lang)
    )
    return "\n".join(lines)


def _unmatched_lines(parsed: object, lang: str) -> list[str]:
    items = getattr(parsed, "unmatched", [])
    if not items:
        return []
    out = [t("sh_preview_unmatched", lang, count=len(items))]
    for u in items[:LIST_LIMIT]:
        names = " / ".join(f"<b>{esc(s.name)}</b>" for s in u.suggestions)
        key = "sh_preview_unmatched_line" if names else "sh_preview_unmatched_none"
        out.append(t(key, lang, line=u.line, name=esc(u.name), suggestions=names))
    if len(items) > LIST_LIMIT:
        out.append(t("sh_preview_more", lang, count=len(items) - LIST_LIMIT))
    return out


def _error_lines(env: Env, parsed: object, lang: str) -> list[str]:
    items = getattr(parsed, "errors", [])
    if not items:
        return []
    out = [t("sh_preview_errors", lang, count=len(items))]
    for e in items[:LIST_LIMIT]:
        reason = t(f"sh_reason_{e.reason}", lang)
        if e.indicator:
            reason = f"{_ind(env, e.indicator)}: {reason}"
        out.append(t("sh_preview_error_line", lang, line=e.line, name=esc(e.name), reason=reason))
    if len(items) > LIST_LIMIT:
        out.append(t("sh_preview_more", lang, count=len(items) - LIST_LIMIT))
    return out


def _change_lines(env: Env, result: Preview, lang: str) -> list[str]:
    moving = [c for c in result.changes if c.kind != "same"]
    if not moving:
        return []
    out = [t("sh_preview_changes", lang)]
    for c in moving[:LIST_LIMIT]:
        r, b = c.row, c.before
        after = _fig(r.numerator, r.denominator, lang)
        if b is None:
            out.append(t("sh_preview_new_line", lang, unit=_unit(env, r.unit),
                         indicator=_ind(env, r.indicator), after=after))  # fmt: skip
        else:
            out.append(t("sh_preview_change_line", lang, unit=_unit(env, r.unit),
                         indicator=_ind(env, r.indicator),
                         before=_fig(b.numerator, b.denominator, lang), after=after))  # fmt: skip
    if len(moving) > LIST_LIMIT:
        out.append(t("sh_preview_more", lang, count=len(moving) - LIST_LIMIT))
    return out


def _render(
    env: Env, result: service.SheetReply, lang: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    name = esc(result.filename)
    pid = result.pending_id
    if result.status == "error":
        limit = max(1, service.max_upload_bytes(env) // 1_000_000)
        return t(f"sh_err_{result.reason}", lang, filename=name, limit=limit,
                 rows=format_int(service.MAX_ROWS, lang)), None  # fmt: skip
    if result.status == "denied":
        return t(result.reason, lang, unit=""), None
    if result.status == "handoff":
        return t("sh_handoff", lang), None
    if result.status in ("ask_indicator", "ask_date"):
        prefix = "i" if result.status == "ask_indicator" else "d"
        buttons = [
            [InlineKeyboardButton(label, callback_data=f"sh:{prefix}:{pid}:{value}")]
            for value, label in result.choices
        ]
        buttons.append(
            [InlineKeyboardButton(t("sh_btn_cancel", lang), callback_data=f"sh:no:{pid}")]
        )
        return t(f"sh_{result.status}", lang, filename=name), InlineKeyboardMarkup(buttons)
    if result.status == "preview" and result.preview is not None:
        keyboard = [InlineKeyboardButton(t("sh_btn_cancel", lang), callback_data=f"sh:no:{pid}")]
        if result.preview.to_import:
            keyboard.insert(0, InlineKeyboardButton(t("sh_btn_import", lang),
                                                    callback_data=f"sh:ok:{pid}"))  # fmt: skip
        text = render_preview(env, result.filename, result.preview, lang)
        return text, InlineKeyboardMarkup([keyboard])
    if result.status == "done":
        same = result.preview.unchanged if result.preview else 0
        if not result.imported:
            return t("sh_done_nothing", lang, filename=name), None
        return t("sh_done", lang, count=format_int(result.imported, lang), filename=name,
                 import_id=result.import_id, same=same), None  # fmt: skip
    if result.status == "cancelled":
        return t("sh_cancelled", lang, filename=name), None
    return t("sh_gone", lang), None


# --- documents -------------------------------------------------------------------------------


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None or message.document is None:
        return
    env = env_of(context)
    actor = await actor_of(update, context)
    if await over_rate_limit(update, context, ratelimit.IMPORT, actor=actor):
        return
    document = message.document
    filename = document.file_name or "file.xlsx"
    if service.too_big(env, document.file_size):
        result = service.SheetReply("error", reason="too_big", filename=filename)
        await reply(update, _render(env, result, actor.lang)[0])
        return
    sent = await reply(update, t("sh_reading", actor.lang, filename=esc(filename)))
    file = await document.get_file()
    data = bytes(await file.download_as_bytearray())
    result = await service.receive(
        env, actor, data, filename, caption=message_text(message),
        chat_id=message.chat_id, update_id=update.update_id,
    )  # fmt: skip
    if result.status == "duplicate":
        return
    text, keyboard = _render(env, result, actor.lang)
    await _show(sent[0] if sent else None, update, text, keyboard)


async def _show(
    target: Message | None, update: Update, text: str, keyboard: InlineKeyboardMarkup | None
) -> None:
    """Edit the 'reading…' message into the answer; a long answer goes as new messages."""
    if target is not None and len(text) <= 4096:
        try:
            await target.edit_text(text, reply_markup=keyboard, disable_web_page_preview=True)
            return
        except BadRequest:
            pass
    await reply(update, text, keyboard=keyboard)


# --- buttons -------------------------------------------------------------------------------


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or not query.data:
        return
    await query.answer()
    env = env_of(context)
    actor = await actor_of(update, context)
    parts = query.data.split(":", 3)
    action, pid = parts[1], parts[2] if len(parts) > 2 else ""
    message = query.message if isinstance(query.message, Message) else None
    if action == "ok":
        progress = _Progress(message, actor.lang)
        try:
            result = await service.confirm(env, actor, pid, update_id=update.update_id,
                                           progress=progress.report)  # fmt: skip
        finally:
            await progress.settle()
    elif action == "no":
        result = await service.cancel(env, actor, pid)
    elif action in ("i", "d") and len(parts) == 4:
        field = "indicator" if action == "i" else "as_of"
        result = await service.choose(env, actor, pid, field, parts[3])
    else:
        return
    if result.status == "duplicate":
        return
    text, keyboard = _render(env, result, actor.lang)
    await _show(message, update, text, keyboard)


class _Progress:
    """Edits the preview into 'Đang nhập… n/N' at most once a second.

    The import runs inside one write transaction, so the edit must not be awaited there: a slow
    Telegram call would hold the database's writer. Edits run as tasks; `settle()` cancels any
    still in flight before the final message replaces them.
    """

    def __init__(self, message: Message | None, lang: str) -> None:
        self.message, self.lang = message, lang
        self.last = 0.0
        self.task: asyncio.Task[object] | None = None

    async def report(self, done: int, total: int) -> None:
        now = time.monotonic()
        if self.message is None or now - self.last < PROGRESS_SECONDS:
            return
        if self.task is not None and not self.task.done():
            return  # the previous edit is still on its way
        self.last = now
        text = t("sh_progress", self.lang, done=format_int(done, self.lang),
                 total=format_int(total, self.lang))  # fmt: skip
        self.task = asyncio.create_task(self._edit(text))

    async def _edit(self, text: str) -> None:
        assert self.message is not None
        with contextlib.suppress(BadRequest, NetworkError):
            await self.message.edit_text(text)

    async def settle(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task


# --- files out -----------------------------------------------------------------------------


async def _send_file(update: Update, result: reports.FileResult, lang: str) -> None:
    message = update.effective_message
    if message is None:
        return
    if result.status == "denied":
        await reply(update, t(result.reason, lang, unit=""))
    elif result.status != "ok":
        await reply(update, result.caption)
    else:
        await message.reply_document(result.content, filename=result.filename,
                                     caption=result.caption)  # fmt: skip


async def export_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    actor = await actor_of(update, context)
    if await over_rate_limit(update, context, ratelimit.EXPORT, actor=actor):
        return
    text = " ".join(context.args or [])
    await _send_file(update, await reports.export_xlsx(env_of(context), actor, text), actor.lang)


async def export_asked(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """'xuất excel sổ sức khỏe': the same as /xuat."""
    actor = await actor_of(update, context)
    if await over_rate_limit(update, context, ratelimit.EXPORT, actor=actor):
        return
    text = message_text(update.effective_message)
    await _send_file(update, await reports.export_xlsx(env_of(context), actor, text), actor.lang)


async def report_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    actor = await actor_of(update, context)
    if await over_rate_limit(update, context, ratelimit.EXPORT, actor=actor):
        return
    text = " ".join(context.args or [])
    await _send_file(update, await reports.report_docx(env_of(context), actor, text), actor.lang)


class _AsksExport(filters.MessageFilter):
    def filter(self, message: Message) -> bool:
        text = fold(message_text(message))
        text = re.sub(r"^@\w+\s*", "", text)
        return bool(_EXPORT_ASK.match(text))


def register(application: Application) -> None:
    sheets = (filters.Document.FileExtension("xlsx") | filters.Document.FileExtension("csv")) & (
        ~filters.ChatType.CHANNEL
    )
    application.add_handler(MessageHandler(sheets, on_document))
    application.add_handler(CommandHandler("xuat", export_command))
    application.add_handler(CommandHandler("baocao", report_command))
    application.add_handler(CallbackQueryHandler(on_button, pattern=r"^sh:"))
    asks = filters.TEXT & ~filters.COMMAND & ADDRESSED & _AsksExport()
    application.add_handler(MessageHandler(asks, export_asked))
