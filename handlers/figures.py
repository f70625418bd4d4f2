"""Figures by message at the Telegram edge: submissions, edits, buttons, /hoantac, /lichsu."""

from __future__ import annotations

import contextlib
import re
from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from domain.numbers import format_change_points, format_date, format_int, format_rate
from handlers.common import (
    ADDRESSED,
    actor_of,
    env_of,
    esc,
    message_text,
    reply,
    strip_mention,
)
from services import figures as service
from services.figures import Outcome, Receipt, Source
from texts import t

COMMANDS = [("hoantac", "cmd_hoantac"), ("lichsu", "cmd_lichsu")]
CALLBACK = re.compile(r"^fig:(?P<op>[csxu]):(?P<arg>[\w-]+)(?::(?P<n>\d+))?$")


class _Submission(filters.MessageFilter):
    """Text that reads as figures, so the questions catch-all never sees it."""

    def filter(self, message: Message) -> bool:
        text = message_text(message)
        return service.is_submission(strip_mention(text, message.get_bot().username or ""))


SUBMISSION = _Submission()


def _source(update: Update, kind: str = "message") -> Source:
    message = update.effective_message
    chat = update.effective_chat
    return Source(
        chat_id=chat.id if chat else 0,
        message_id=message.message_id if message else None,
        update_id=update.update_id,
        kind=kind,
    )


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    env, actor = env_of(context), await actor_of(update, context)
    text = strip_mention(message_text(update.effective_message), env.bot_username)
    outcome = await service.submit(env, actor, text, _source(update))
    await _render(update, outcome, actor.lang)


async def on_edit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    env, actor = env_of(context), await actor_of(update, context)
    message = update.edited_message
    if message is None or not message_text(message):
        return
    text = strip_mention(message_text(message), env.bot_username)
    addressed = ADDRESSED.filter(message)
    outcome = await service.edit(
        env, actor, text, _source(update, "edit"), addressed=bool(addressed)
    )
    await _render(update, outcome, actor.lang)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    match = CALLBACK.match(query.data)
    await query.answer()
    if match is None:
        return
    env, actor = env_of(context), await actor_of(update, context)
    op, arg = match["op"], match["arg"]
    if op == "c":
        outcome = await service.answer_choice(env, actor, arg, int(match["n"] or 0),
                                              update.update_id)  # fmt: skip
    elif op in "sx":
        outcome = await service.answer_confirm(env, actor, arg, op == "s", update.update_id)
    else:
        chat_id = update.effective_chat.id if update.effective_chat else None
        outcome = await service.undo(env, actor, chat_id, int(arg), update.update_id)
    if query.message is not None and outcome.status != "duplicate":
        with contextlib.suppress(TelegramError):  # an old message may no longer be editable
            await query.edit_message_reply_markup(reply_markup=None)
    await _render(update, outcome, actor.lang)


async def hoantac(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    env, actor = env_of(context), await actor_of(update, context)
    outcome = await service.undo(env, actor, None, None, update.update_id)
    await _render(update, outcome, actor.lang)


async def lichsu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    env, actor = env_of(context), await actor_of(update, context)
    outcome = await service.history(env, actor, " ".join(context.args or []))
    await reply(update, _history(outcome, env.clock.tz))


# --- rendering --------------------------------------------------------------------------------


async def _render(update: Update, o: Outcome, lang: str) -> None:
    if o.status in ("duplicate", "ignored"):
        return
    if o.status == "saved":
        keyboard = None
        if o.message_id is not None:
            keyboard = InlineKeyboardMarkup(
                [
                    [
                        InlineKeyboardButton(
                            t("fig_btn_undo", lang), callback_data=f"fig:u:{o.message_id}"
                        )
                    ]
                ]
            )
        await reply(update, _receipt(o, lang), keyboard=keyboard)
    elif o.status == "choose":
        await reply(update, _choice_text(o, lang), keyboard=_choice_keyboard(o))
    elif o.status == "confirm":
        await reply(update, _confirm_text(o, lang), keyboard=_confirm_keyboard(o, lang))
    elif o.status == "rejected":
        await reply(update, _rejected(o, lang))
    elif o.status == "undone":
        await reply(update, _undone(o, lang))
    elif o.status == "denied":
        await reply(update, t("fig_denied", lang, fragment=esc(o.fragment)))
    elif o.status in ("expired", "cancelled"):
        await reply(update, t(f"fig_{o.status}", lang))


def _undone(o: Outcome, lang: str) -> str:
    if not o.undone:
        return t("fig_nothing_to_undo", lang)
    lines = [t("fig_undone", lang, n=o.undone - o.restored)] if o.undone > o.restored else []
    if o.restored:
        lines.append(t("fig_restored", lang, n=o.restored))
    return "\n".join(lines)


def _value(r: Receipt, lang: str) -> str:
    if r.denominator is not None and r.numerator is not None:
        return f"{format_int(r.numerator, lang)}/{format_int(r.denominator, lang)}"
    return format_int(r.numerator or 0, lang)


def _receipt(o: Outcome, lang: str) -> str:
    lines = [t("fig_corrected" if o.corrected else "fig_saved", lang)]
    for r in o.receipts:
        lines += _receipt_lines(r, lang)
    if o.missing:
        lines.append(t("fig_missing", lang, items=esc(", ".join(o.missing))))
    elif o.receipts and o.receipts[0].kind != "yesno":
        lines.append(t("fig_all_reported", lang))
    return "\n".join(lines)


def _receipt_lines(r: Receipt, lang: str) -> list[str]:
    common = {"unit": esc(r.unit), "indicator": esc(r.indicator), "day": format_date(r.as_of, lang)}
    if r.kind == "yesno":
        return [t("fig_line_yes" if r.done else "fig_line_no", lang, **common)]
    if r.rate is None:
        return [t("fig_line_count", lang, value=_value(r, lang), **common)]
    lines = [t("fig_line_ratio", lang, value=_value(r, lang), rate=format_rate(r.rate, lang),
               **common)]  # fmt: skip
    if r.derived:
        lines.append(t("fig_derived", lang))
    if r.change_rate is not None:
        # "+9; tỷ lệ không đổi": the count and the rate are told apart, so a rise in the count
        # next to an unchanged (rounded) rate does not read as a contradiction.
        count = (
            ""
            if r.change is None
            else ("+" if r.change >= 0 else "−") + format_int(abs(r.change), lang)
        )
        lines.append(t("fig_change", lang, count=count,
                       rate=format_change_points(r.change_rate, lang)))  # fmt: skip
    if r.year_change_rate is not None:
        lines.append(t("fig_change_year", lang,
                       change=format_change_points(r.year_change_rate, lang)))  # fmt: skip
    if r.rank is not None:
        lines.append(t("fig_rank", lang, rank=r.rank, of=r.ranked))
    if r.province_rate is not None:
        lines.append(t("fig_province", lang, rate=format_rate(r.province_rate, lang)))
    return lines


def _choice_text(o: Outcome, lang: str) -> str:
    if o.problems and o.problems[0].code == "unknown_indicator":
        return t("fig_unknown_indicator", lang, fragment=esc(o.fragment))
    key = "fig_choose_unit" if o.choice == "unit" else "fig_choose_indicator"
    return t(key, lang, fragment=esc(o.fragment))


def _choice_keyboard(o: Outcome) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=f"fig:c:{o.pending_id}:{i}")]
         for i, (_, label) in enumerate(o.options)]
    )  # fmt: skip


def _confirm_text(o: Outcome, lang: str) -> str:
    lines = [t("fig_confirm", lang)]
    for fragment, issue in o.issues:
        lines.append(
            f"• <i>{esc(fragment)}</i>: {t('fig_w_' + issue.code, lang, **_vals(issue, lang))}"
        )
    lines.append(t("fig_confirm_tail", lang))
    return "\n".join(lines)


def _vals(issue: object, lang: str) -> dict[str, str]:
    out = {}
    for k, v in getattr(issue, "values", ()):
        out[k] = format_int(int(v), lang) if v.lstrip("-").isdigit() and k != "share" else esc(v)
    return out


def _confirm_keyboard(o: Outcome, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[
        InlineKeyboardButton(t("fig_btn_save", lang), callback_data=f"fig:s:{o.pending_id}"),
        InlineKeyboardButton(t("fig_btn_cancel", lang), callback_data=f"fig:x:{o.pending_id}"),
    ]])  # fmt: skip


def _rejected(o: Outcome, lang: str) -> str:
    lines = [t("fig_rejected", "vi")]
    for p in o.problems:
        lines.append(
            "• " + t(f"fig_p_{p.code}", "vi", fragment=esc(p.fragment), detail=esc(p.detail))
        )
    for fragment, issue in o.issues:
        vals = dict(issue.values)
        if "day" in vals:
            vals["day"] = format_date(date.fromisoformat(vals["day"]), "vi")
        text = t(f"fig_e_{issue.code}", "vi", **{k: esc(v) for k, v in vals.items()})
        lines.append(f"• <i>{esc(fragment)}</i>: {text}")
    lines.append(t("fig_example", lang))
    return "\n".join(lines)


def _history(o: Outcome, tz: object) -> str:
    if not o.history:
        return t("fig_history_empty", "vi")
    lines = [t("fig_history_title", "vi")]
    for h in o.history:
        f = h.figure
        when = f.created_at.astimezone(tz).strftime("%d/%m %H:%M")  # type: ignore[arg-type]
        if f.done is not None:
            value = "đã" if f.done else "chưa"
        elif f.numerator is not None and f.denominator:
            value = f"{format_int(f.numerator)}/{format_int(f.denominator)} — " + format_rate(
                f.numerator / f.denominator
            )
        elif f.numerator is not None:
            value = format_int(f.numerator)
        else:
            value = "—"
        mark = (
            t("fig_history_voided", "vi")
            if h.voided
            else (t("fig_history_superseded", "vi") if h.superseded else "")
        )
        lines.append(t("fig_history_line", "vi", when=when,
                       unit=esc(o.labels.get(f"u{f.unit_id}", "")),
                       indicator=esc(o.labels.get(f"i{f.indicator_id}", "")),
                       value=value, who=esc(h.actor_name or f.actor_user_id or ""),
                       mark=mark))  # fmt: skip
    return "\n".join(lines)


def register(application: Application) -> None:
    # Before the questions catch-all: only text that reads as figures is taken here.
    application.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE & filters.TEXT & ~filters.COMMAND & ADDRESSED & SUBMISSION,
            on_text,
        )
    )
    application.add_handler(
        MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.TEXT & ~filters.COMMAND, on_edit)
    )
    application.add_handler(CallbackQueryHandler(on_button, pattern=CALLBACK))
    application.add_handler(CommandHandler("hoantac", hoantac))
    application.add_handler(CommandHandler("lichsu", lichsu))
