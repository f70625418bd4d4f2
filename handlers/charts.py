"""Charts in chat: a photo with its caption and [Tải bản gốc]; the chart buttons' callbacks.

`send_chart(update, context, ref, lang)` is what the questions handler calls for a chart
question ("biểu đồ ASXH") and what the [📊 Biểu đồ] button ("qc|…") leads to; [Tải bản gốc]
("qo|…") sends the same chart at full resolution as a document (a ranking with every unit),
which Telegram does not recompress. The pixels come from the chart worker (`env.chart_worker`,
services/chart_worker.py: another process, built and closed by bot/app.py), which keeps the
bytes of recent charts for a few minutes (keyed by the spec itself, so a corrected figure
draws anew).
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from domain.chartspec import ChartSpec, NoData
from handlers.common import env_of, over_rate_limit, truncate_caption
from services import ratelimit
from services.answers import ChartRef
from services.charts import (
    CHART_PREFIX,
    ORIGINAL_PREFIX,
    ChartResult,
    chart_callback_data,
    chart_for_ref,
    parse_chart_callback,
)
from texts import t

log = logging.getLogger(__name__)


async def render(
    context: ContextTypes.DEFAULT_TYPE, spec: ChartSpec, *, original: bool = False
) -> bytes:
    """PNG bytes from the chart worker (services/chart_worker.py: another process; while it
    draws, this update's slot goes to another, as bot/app.py builds the worker)."""
    return await env_of(context).chart_worker.render(spec, original=original)


def _lang_of(update: Update, fallback: str = "vi") -> str:
    user = update.effective_user
    code = (user.language_code or "") if user else ""
    if not code:
        return fallback
    return "en" if code.startswith("en") else "vi"


async def _draw(
    update: Update, context: ContextTypes.DEFAULT_TYPE, ref: ChartRef, lang: str, original: bool
) -> tuple[ChartResult, bytes] | None:
    """The chart and its bytes; None after saying in words why there is no picture."""
    message = update.effective_message
    if message is None:
        return None
    outcome = await chart_for_ref(env_of(context), ref, lang)
    if not isinstance(outcome, ChartResult):
        await message.reply_html(outcome.reason)
        return None
    try:
        png = await render(context, outcome.spec, original=original)
    except NoData:
        await message.reply_html(t("ch_tasks_none" if ref.kind == "tasks" else "ch_failed", lang))
        return None
    except Exception:
        log.exception("chart rendering failed for %s", ref)
        await message.reply_html(t("ch_failed", lang))
        return None
    return outcome, png


async def send_chart(
    update: Update, context: ContextTypes.DEFAULT_TYPE, ref: ChartRef, lang: str
) -> None:
    """The chart as a photo, caption (key number, as-of date) ≤ 1024, [Tải bản gốc] under it."""
    if await over_rate_limit(update, context, ratelimit.CHART, lang=lang):
        return
    drawn = await _draw(update, context, ref, lang, original=False)
    if drawn is None or update.effective_message is None:
        return
    outcome, png = drawn
    button = InlineKeyboardButton(
        t("ch_button_original", lang), callback_data=chart_callback_data(ref, original=True)
    )
    await update.effective_message.reply_photo(
        InputFile(png, filename=outcome.filename),
        caption=truncate_caption(outcome.caption),
        parse_mode=ParseMode.HTML,
        reply_markup=InlineKeyboardMarkup([[button]]),
    )


async def send_original(
    update: Update, context: ContextTypes.DEFAULT_TYPE, ref: ChartRef, lang: str
) -> None:
    """The same chart at full resolution as a document (not recompressed by Telegram)."""
    if await over_rate_limit(update, context, ratelimit.CHART, lang=lang):
        return
    drawn = await _draw(update, context, ref, lang, original=True)
    if drawn is None or update.effective_message is None:
        return
    outcome, png = drawn
    await update.effective_message.reply_document(
        InputFile(png, filename=outcome.filename),
        caption=truncate_caption(outcome.caption),
        parse_mode=ParseMode.HTML,
    )


async def on_chart_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    lang = _lang_of(update)
    await query.answer()
    parsed = parse_chart_callback(query.data)
    if parsed is None:
        if query.message is not None:
            await context.bot.send_message(query.message.chat.id, t("ch_expired", lang))
        return
    ref, original = parsed
    if original:
        await send_original(update, context, ref, lang)
    else:
        await send_chart(update, context, ref, lang)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    # Before handlers/questions.py in group 0: these buttons are drawn here.
    application.add_handler(
        CallbackQueryHandler(on_chart_button, pattern=rf"^(?:{CHART_PREFIX}|{ORIGINAL_PREFIX})\|")
    )
