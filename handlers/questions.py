"""Questions in chat: the catch-all for addressed text, answers in HTML, charts behind a button.

Charts themselves (drawing, the photo, [Tải bản gốc], the buttons' callbacks) are
handlers/charts.py's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from domain.numbers import (
    format_change_points,
    format_date,
    format_int,
    format_rate,
    format_rate_of,
)
from domain.numbers import format_ratio_count as ratio
from handlers.charts import send_chart
from handlers.common import (
    ADDRESSED,
    actor_of,
    env_of,
    esc,
    message_text,
    reply,
    strip_mention,
)
from handlers.tasks import format_task_list
from services.answers import Answer, ChartRef, IndicatorFacts, UnitLine, answer
from services.charts import chart_callback_data
from texts import t

log = logging.getLogger(__name__)


# --- rendering --------------------------------------------------------------------------------


def _rate(value: Fraction | float | None, lang: str) -> str:
    return "—" if value is None else format_rate(value, lang)


def _rate_of(num: int | None, den: int | None, lang: str) -> str:
    """A unit line's rate from its counts ("—" without a usable total), no Fraction built."""
    return "—" if num is None or not den else format_rate_of(num, den, lang)


def _int(value: int | None, lang: str) -> str:
    return "—" if value is None else format_int(value, lang)


def _names(names: Any) -> str:
    return ", ".join(esc(n) for n in names)


def _indicator_name(f: IndicatorFacts, lang: str) -> str:
    return f.en if lang == "en" else f.short


def _head(a: Answer, f: IndicatorFacts) -> list[str]:
    lang = a.lang
    denominator = t("q_denominator", lang, denominator=esc(f.denominator)) if f.denominator else ""
    lines = [t("q_head", lang, indicator=esc(_indicator_name(f, lang)), denominator=denominator)]
    lines += _ambiguity(a)
    return lines


def _ambiguity(a: Answer) -> list[str]:
    q = a.query
    if not q.ambiguous or len(a.alternatives) < 2:
        return []
    taken, others = a.alternatives[0], a.alternatives[1:]
    return [t("q_ambiguous", a.lang, word=esc(a.ambiguous_word), taken=esc(taken),
              other=esc(", ".join(others)))]  # fmt: skip


def _footer(a: Answer, f: IndicatorFacts) -> list[str]:
    lang, out = a.lang, []
    if f.stale:
        cutoff = format_date(f.stale_cutoff, lang) if f.stale_cutoff else ""
        out.append(t("q_stale", lang, date=cutoff, names=_names(f.stale)))
    if f.missing and not f.province_level:
        out.append(t("q_missing", lang, names=_names(f.missing)))
    if f.unassigned:
        out.append(t("q_unassigned", lang, names=_names(f.unassigned)))
    out.append(t("q_as_of", lang, date=format_date(a.as_of, lang)))
    return out


def _unit_line(i: int, x: UnitLine, lang: str) -> str:
    mark = " *" if x.stale else ""
    if x.numerator is None and x.done is not None:
        return t("q_line_done", lang, i=i, name=esc(x.name), mark=mark)
    num, den = x.numerator, x.denominator
    return t("q_line", lang, i=i, name=esc(x.name), rate=_rate_of(num, den, lang),
             num=_int(num, lang), den=_int(den, lang), mark=mark)  # fmt: skip


def _listing(a: Answer) -> list[str]:
    if not a.rows:
        return [t("q_none_listed", a.lang)]
    return [_unit_line(i, x, a.lang) for i, x in enumerate(a.rows, start=1)]


def _count(a: Answer) -> str:
    return ratio(a.count, a.of)


def _pooled_line(a: Answer, f: IndicatorFacts) -> str:
    p = f.pooled
    return t("q_pooled", a.lang, num=_int(p.numerator, a.lang), den=_int(p.denominator, a.lang),
             rate=_rate(p.rate, a.lang))  # fmt: skip


def render_set(a: Answer) -> str:
    """below/above average, not meeting, reached 100%, done: the count line, then the list."""
    f, lang = a.facts[0], a.lang
    if not f.lines:
        return "\n".join([*_head(a, f), t("q_no_figures", lang), *_footer(a, f)])
    lead = _set_lead(a, f)
    body = [*_head(a, f), lead, *_listing(a)]
    if a.kind not in ("below_average", "above_average", "done"):
        body.append(_pooled_line(a, f))
    return "\n".join([*body, *_footer(a, f)])


def _set_lead(a: Answer, f: IndicatorFacts) -> str:
    lang, prate = a.lang, _rate(f.rate, a.lang)
    if a.kind == "below_average":
        return t("q_below", lang, count=_count(a), rate=prate)
    if a.kind == "above_average":
        return t("q_above", lang, count=_count(a), rate=prate)
    if a.kind == "not_meeting_target":
        return t("q_not_meeting", lang, count=_count(a), level=_level(a, f))
    if a.kind == "done":
        if not a.query.negated:
            return t("q_done", lang, count=_count(a))
        noun = f.report_en if lang == "en" else f.report_vi
        if "chưa" in noun or (lang == "en" and " not " in f" {noun} "):
            return t("q_not_done", lang, count=_count(a), noun=esc(noun))
        return t("q_not_done_plain", lang, count=_count(a))
    level = _rate(a.threshold, lang)
    if a.query.negated:
        return t("q_not_reached", lang, count=_count(a), rate=level)
    key = "q_reached" if a.threshold == 1 else "q_reached_plain"
    return t(key, lang, count=_count(a), rate=level)


def _level(a: Answer, f: IndicatorFacts) -> str:
    lang = a.lang
    if a.query.threshold is not None:
        return t("q_level_threshold", lang, rate=_rate(a.threshold, lang))
    target, final = f.target, f.final_target
    if target is not None and final is not None and target != final:
        return t("q_level_milestone", lang, rate=_rate(target.rate, lang),
                 date=format_date(target.due, lang), final=_rate(final.rate, lang))  # fmt: skip
    return t("q_level_target", lang, rate=_rate(a.threshold, lang))


def render_ranking(a: Answer) -> str:
    f, lang = a.facts[0], a.lang
    lines = _head(a, f)
    if a.query.unit is not None:
        name = esc(a.unit.full_name if a.unit else a.query.unit)
        x = a.focus
        if x is None or x.rank is None:
            lines.append(t("q_rank_none", lang, unit=name))
        else:
            lines.append(t("q_rank_focus", lang, unit=name, rank=x.rank, count=a.count,
                           rate=_rate(x.rate, lang), num=_int(x.numerator, lang),
                           den=_int(x.denominator, lang), prate=_rate(f.rate, lang)))  # fmt: skip
        return "\n".join([*lines, *_footer(a, f)])
    key = "q_rank_high" if a.query.descending else "q_rank_low"
    lines.append(t(key, lang, n=len(a.rows), count=a.count))
    lines += [_unit_line(x.rank or i, x, lang) for i, x in enumerate(a.rows, start=1)]
    lines.append(_pooled_line(a, f))
    return "\n".join([*lines, *_footer(a, f)])


def _overview_line(a: Answer, f: IndicatorFacts) -> str:
    lang, name = a.lang, esc(_indicator_name(f, a.lang))
    p = f.pooled
    if not p.denominator:
        return t("q_ov_none", lang, indicator=name)
    noun = esc(f.report_en if lang == "en" else f.report_vi)
    if f.kind == "yesno":
        if "chưa" in noun or (lang == "en" and " not " in f" {noun} "):
            return t("q_ov_yesno_not", lang, count=ratio(p.denominator - p.numerator, f.assigned),
                     noun=noun)  # fmt: skip
        return t("q_ov_yesno", lang, count=ratio(p.numerator, f.assigned), indicator=name)
    change = ""
    if f.change is not None and f.base_day is not None:
        change = t("q_ov_change", lang, change=format_change_points(f.change, lang),
                   year=f.base_day.year)  # fmt: skip
    line = t("q_ov_ratio", lang, num=_int(p.numerator, lang), den=_int(p.denominator, lang),
             noun=noun, rate=_rate(p.rate, lang), change=change)  # fmt: skip
    if not f.province_level and f.full:
        line += t("q_ov_full", lang, count=ratio(f.full, f.assigned))
    return f"• {name}: {line}" if len(a.facts) > 1 else line


def render_overview(a: Answer) -> str:
    lang = a.lang
    if len(a.facts) == 1:
        f = a.facts[0]
        return "\n".join([*_head(a, f), _overview_line(a, f), *_footer(a, f)])
    lines = [t("q_overview_head", lang), *(_overview_line(a, f) for f in a.facts)]
    stale = sorted({n for f in a.facts for n in f.stale})
    if stale:
        lines.append(t("q_ov_stale", lang, names=_names(stale)))
    for f in a.facts:
        if f.unassigned and f.pooled.denominator:
            lines.append(f"{esc(_indicator_name(f, lang))}: " + t(
                "q_unassigned", lang, names=_names(f.unassigned)))  # fmt: skip
    lines.append(t("q_as_of", lang, date=format_date(a.as_of, lang)))
    return "\n".join(lines)


def render_unit(a: Answer) -> str:
    lang = a.lang
    unit = a.unit
    if unit is None:
        return t("q_unknown", lang)
    lines = [t("q_unit_head", lang, unit=esc(unit.full_name))]
    for f, x in zip(a.facts, a.rows, strict=True):
        lines.append(_unit_status_line(lang, f, x))
    lines += _unit_tasks(a)
    lines.append(t("q_as_of", lang, date=format_date(a.as_of, lang)))
    return "\n".join(lines)


def _unit_status_line(lang: str, f: IndicatorFacts, x: UnitLine) -> str:
    name = esc(_indicator_name(f, lang))
    mark = t("q_stale_mark", lang) if x.stale else ""
    when = format_date(x.as_of, lang) if x.as_of else "—"
    if x.as_of is None:
        return t("q_unit_nofig", lang, indicator=name)
    if f.kind == "yesno":
        key = "q_unit_yes" if x.done else "q_unit_no"
        return t(key, lang, indicator=name, date=when, mark=mark)
    target = ""
    if f.final_target is not None and x.rate is not None:
        ok = x.rate >= Fraction(f.final_target.rate).limit_denominator(10_000)
        target = t("q_unit_target_ok" if ok else "q_unit_target_no", lang,
                   rate=_rate(f.final_target.rate, lang))  # fmt: skip
    return t("q_unit_ratio", lang, indicator=name, rate=_rate(x.rate, lang),
             num=_int(x.numerator, lang), den=_int(x.denominator, lang), target=target,
             prate=_rate(f.rate, lang), rank=x.rank or "—", count=f.rated, date=when,
             mark=mark)  # fmt: skip


def _unit_tasks(a: Answer) -> list[str]:
    if a.tasks is None:
        return [t("q_unit_tasks_not_ready", a.lang)]
    text = format_task_list(a.tasks, a.lang)
    return [t("q_unit_tasks", a.lang), text] if text else []


def render_change(a: Answer) -> str:
    lang = a.lang
    base_day = a.facts[0].base_day if a.facts else None
    base = _base_label(a, base_day)
    unit = f" — {esc(a.unit.full_name)}" if a.unit else ""
    lines = [t("q_change_head", lang, base=base, unit=unit), *_ambiguity(a)]
    for f in a.facts:
        lines.append(_change_line(lang, f, base))
    stale = sorted({n for f in a.facts for n in f.stale}) if a.unit is None else []
    if stale:
        lines.append(t("q_ov_stale", lang, names=_names(stale)))
    lines.append(t("q_as_of", lang, date=format_date(a.as_of, lang)))
    return "\n".join(lines)


def _base_label(a: Answer, base_day: Any) -> str:
    lang, q = a.lang, a.query
    if q.baseline == "last_month" and base_day is not None:
        return t("q_base_month", lang, month=f"{base_day.month}/{base_day.year}")
    if q.baseline == "period" and q.period is not None:
        return t("q_base_period", lang, period=esc(q.period.label))
    return t("q_base_year", lang, year=a.as_of.year)


def _change_line(lang: str, f: IndicatorFacts, base: str) -> str:
    name, p = esc(_indicator_name(f, lang)), f.pooled
    if not p.denominator:
        return t("q_change_none", lang, indicator=name)
    num, den, rate = _int(p.numerator, lang), _int(p.denominator, lang), _rate(p.rate, lang)
    if f.change is None:
        return t("q_change_nobase", lang, indicator=name, rate=rate, num=num, den=den, base=base)
    return t("q_change_line", lang, indicator=name, rate=rate, num=num, den=den,
             change=format_change_points(f.change, lang),
             base_rate=_rate(f.base_rate, lang))  # fmt: skip


def render_not_reported(a: Answer) -> str:
    lang = a.lang
    window = a.window
    label = esc(window.label) if window else t("q_window_month", lang)
    lines = [t("q_not_reported", lang, count=_count(a), window=label, day=12), *_ambiguity(a)]
    lines += [f"{i}. {esc(x.name)}" for i, x in enumerate(a.rows, start=1)] or [
        t("q_none_listed", lang)
    ]
    if a.partial:
        lines.append(t("q_partial", lang, names=_names(a.partial)))
    lines.append(t("q_as_of", lang, date=format_date(a.as_of, lang)))
    return "\n".join(lines)


def render_tasks(a: Answer) -> str:
    if a.kind == "not_ready":
        return t("q_not_ready_tasks", a.lang)
    return format_task_list(a.tasks, a.lang) or t("q_tasks_none", a.lang)


def render_unknown(a: Answer) -> str:
    return "\n".join([t("q_unknown", a.lang), *(f"• <i>{esc(e)}</i>" for e in a.examples)])


def render_need_indicator(a: Answer) -> str:
    env_names = ", ".join(esc(c) for c in a.choices[:8])
    return t("q_need_indicator", a.lang, examples=env_names)


def render_no_target(a: Answer) -> str:
    f = a.facts[0]
    return t("q_no_target", a.lang, indicator=esc(_indicator_name(f, a.lang)))


_RENDERERS: dict[str, Callable[[Answer], str]] = {
    "below_average": render_set,
    "above_average": render_set,
    "not_meeting_target": render_set,
    "reached_100": render_set,
    "done": render_set,
    "ranking": render_ranking,
    "province_overview": render_overview,
    "unit_status": render_unit,
    "change": render_change,
    "not_reported": render_not_reported,
    "tasks_overdue": render_tasks,
    "tasks_due_soon": render_tasks,
    "tasks_of_unit": render_tasks,
    "not_ready": render_tasks,
    "unknown": render_unknown,
    "need_indicator": render_need_indicator,
    "no_target": render_no_target,
}


def render_answer(a: Answer) -> str:
    """The whole answer as HTML (split into messages by `reply`)."""
    return _RENDERERS[a.kind](a)


def chart_keyboard(ref: ChartRef, lang: str) -> InlineKeyboardMarkup:
    """[📊 Biểu đồ] under an answer; its callback is handled by handlers/charts.py."""
    button = InlineKeyboardButton(t("q_chart_button", lang), callback_data=chart_callback_data(ref))
    return InlineKeyboardMarkup([[button]])


# --- Telegram ---------------------------------------------------------------------------------


async def on_question(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    env = env_of(context)
    text = strip_mention(message_text(update.effective_message), env.bot_username)
    if not text.strip():
        return
    actor = await actor_of(update, context)
    result = await answer(env, actor, text)
    if result.kind == "chart" and result.chart is not None:
        await send_chart(update, context, result.chart, result.lang)
        return
    keyboard = chart_keyboard(result.chart, result.lang) if result.chart else None
    if result.kind in ("not_ready", "tasks_overdue", "tasks_due_soon", "tasks_of_unit"):
        keyboard = None  # the task chart is the deadlines developer's; offered from /nhiemvu
    await reply(update, render_answer(result), keyboard=keyboard)


def register(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    # Last in group 0: every addressed text that no command or figure handler took.
    application.add_handler(
        MessageHandler(filters.TEXT & ~filters.COMMAND & ADDRESSED, on_question)
    )
