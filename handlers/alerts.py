"""The morning alert at the Telegram edge: daily jobs, catch-up at start, /nhacviec, rendering."""

from __future__ import annotations

import logging
from datetime import time
from typing import Any

from telegram import Bot, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application, CommandHandler, ContextTypes

from domain.alerts import ChatAlert, MissingReport
from domain.numbers import format_date, format_rate
from handlers import observe
from handlers.common import actor_of, env_of, esc, reply, split_message
from services import alerts as service
from services.alerts import AlertSender, ChatGone
from services.context import Env
from services.lease import leadership_of
from texts import t

log = logging.getLogger(__name__)

COMMANDS = [("nhacviec", "al_cmd")]
JOB_PREFIX = "alerts@"
CATCH_UP_JOB = "alerts-catch-up"
MISFIRE_GRACE = 6 * 3600  # a job that fires late (sleep, busy loop) still runs the same day
_CYCLE_NAMES = {"vi": "báo cáo", "en": "report"}


# -- rendering ---------------------------------------------------------------------------------


def _unit(env: Env, code: str | None) -> str:
    unit = env.catalogue.find_unit(code or "")
    return esc(unit.full_name if unit else (code or ""))


def _report_name(name: str, period_label: str) -> str:
    """'Báo cáo tháng' + 'tháng 6/2026' reads 'báo cáo tháng 6/2026', not 'tháng tháng'."""
    first = period_label.split()[0] if period_label else ""
    name = name.lower()
    return name[: -len(first)].rstrip() if first and name.endswith(first) else name


def _missing_lines(env: Env, items: tuple[MissingReport, ...], lang: str) -> list[str]:
    lines: list[str] = []
    by_round: dict[tuple[str, str], list[MissingReport]] = {}
    for m in items:
        by_round.setdefault((m.deadline.cycle, m.deadline.period_key), []).append(m)
    for group in by_round.values():
        dl = group[0].deadline
        lines.append(
            t(
                "al_missing_head",
                lang,
                report=esc(_report_name(dl.name, dl.period_label)),
                period=esc(dl.period_label),
                due=format_date(dl.due, lang),
            )
        )
        late = [m for m in group if m.days_left <= 0]
        early = [m for m in group if m.days_left > 0]
        if early:
            units = ", ".join(_unit(env, m.unit) for m in early)
            lines.append(t("al_missing_left", lang, days=early[0].days_left, units=units))
        lines += [
            t(
                "al_missing_late_line",
                lang,
                unit=_unit(env, m.unit),
                days=-m.days_left + 1,
                n=m.reminder_no,
            )
            for m in late
        ]
    return lines


def render_alert(env: Env, alert: ChatAlert, lang: str = "vi") -> str:
    """One chat's alert as HTML, one item per line so a split never cuts an item."""
    today = format_date(env.clock.today(), lang)
    if alert.kind == "reminder":
        return _render_reminder(env, alert, lang)
    scope = _unit(env, alert.scope)
    if alert.is_empty:
        return t("al_all_clear", lang, date=today, scope=scope)
    lines = [t("al_head", lang, date=today, scope=scope)]
    if alert.overdue:
        lines += ["", t("al_overdue_head", lang, n=len(alert.overdue))]
        lines += [
            t(
                "al_overdue_line",
                lang,
                label=esc(o.task.label),
                title=esc(o.task.title),
                lead=_unit(env, o.task.lead),
                days=o.days,
                due=format_date(o.task.due_date, lang) if o.task.due_date else "",
                n=o.reminder_no,
            )
            for o in alert.overdue
        ]
    if alert.due_soon:
        lines += ["", t("al_soon_head", lang, n=len(alert.due_soon))]
        for s in alert.due_soon:
            due = format_date(s.task.due_date, lang) if s.task.due_date else ""
            when = (
                t("al_soon_today", lang)
                if s.days_left == 0
                else t("al_soon_days", lang, days=s.days_left, due=due)
            )
            lines.append(
                t(
                    "al_soon_line",
                    lang,
                    label=esc(s.task.label),
                    title=esc(s.task.title),
                    lead=_unit(env, s.task.lead),
                    when=when,
                )
            )
    if alert.missing:
        lines += ["", *_missing_lines(env, alert.missing, lang)]
    if alert.off_track:
        lines += ["", t("al_pace_head", lang)]
        for p in alert.off_track:
            ind = env.catalogue.find_indicator(p.indicator)
            lines.append(
                t(
                    "al_pace_line",
                    lang,
                    indicator=esc(ind.short if ind else p.indicator),
                    now=format_rate(p.rate_now, lang),
                    as_of=format_date(p.as_of, lang),
                    target=format_rate(p.milestone.rate, lang, 0),
                    due=format_date(p.milestone.due, lang),
                    projected=format_rate(p.projected, lang),
                )
            )
    return "\n".join(lines)


def _render_reminder(env: Env, alert: ChatAlert, lang: str) -> str:
    m = alert.missing[0]
    dl = m.deadline
    return t(
        "al_reminder",
        lang,
        unit=_unit(env, m.unit),
        report=esc(_report_name(dl.name, dl.period_label)),
        period=esc(dl.period_label),
        due=format_date(dl.due, lang),
        days=m.days_left,
        n=m.reminder_no,
    )


def gone_status(exc: Forbidden, kind: str) -> str:
    """Telegram says why in the 403: 'bot was blocked by the user' or 'bot was kicked…'."""
    message = str(exc).lower()
    if "blocked" in message or "deactivated" in message:
        return "blocked"
    if "kicked" in message or "not a member" in message or "removed" in message:
        return "kicked"
    return "blocked" if kind == "reminder" else "kicked"


def make_sender(bot: Bot, env: Env) -> AlertSender:
    """Send an alert: split on line ends when over Telegram's limit; Forbidden → ChatGone."""

    async def send(alert: ChatAlert) -> None:
        for part in split_message(render_alert(env, alert, "vi")):
            try:
                await bot.send_message(alert.chat_id, part, disable_web_page_preview=True)
            except Forbidden as exc:
                raise ChatGone(gone_status(exc, alert.kind)) from exc

    return send


# -- jobs --------------------------------------------------------------------------------------


async def _is_sender(context: ContextTypes.DEFAULT_TYPE) -> bool:
    """Several instances: only the holder of the alert lease sends (services/lease.py)."""
    held, _ = await leadership_of(context.bot_data).hold(env_of(context))
    if not held:
        log.info("alerts: another instance holds the alert lease; not sending")
    return held


async def alert_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    env = env_of(context)
    if not await _is_sender(context):
        return
    report = await service.run_alerts(env, make_sender(context.bot, env))
    observe.count_alerts(len(report.sent), len(report.failed) + len(report.gone))
    log.info("alerts: sent %s, failed %s, gone %s", report.sent, report.failed, report.gone)


async def catch_up_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    env = env_of(context)
    if not await _is_sender(context):
        return
    report = await service.catch_up(env, make_sender(context.bot, env))
    observe.count_alerts(len(report.sent), len(report.failed) + len(report.gone))
    log.info("alert catch-up: sent %s, skipped %s", report.sent, report.skipped)


async def schedule_jobs(application: Application) -> list[str]:
    """One daily job per distinct alert time, in the province's time zone, from the database."""
    env: Env = application.bot_data["env"]
    queue = application.job_queue
    if queue is None:
        log.warning("no job queue: install python-telegram-bot[job-queue]")
        return []
    for job in queue.jobs():
        if job.name and job.name.startswith(JOB_PREFIX):
            job.schedule_removal()
    names = []
    for at in sorted(await service.alert_times(env)):
        name = f"{JOB_PREFIX}{at:%H:%M}"
        queue.run_daily(
            alert_job,
            time=time(at.hour, at.minute, tzinfo=env.clock.tz),
            name=name,
            job_kwargs={"misfire_grace_time": MISFIRE_GRACE, "coalesce": True},
        )
        names.append(name)
    return names


async def startup(application: Application) -> None:
    """Rebuild the daily jobs, then catch up once the application runs (missed while down)."""
    await schedule_jobs(application)
    if application.job_queue is not None:
        application.job_queue.run_once(
            catch_up_job,
            when=0,
            name=CATCH_UP_JOB,
            job_kwargs={"misfire_grace_time": MISFIRE_GRACE},
        )


# -- /nhacviec ---------------------------------------------------------------------------------


async def _is_chat_admin(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    chat, user = update.effective_chat, update.effective_user
    if chat is None or user is None or chat.type == ChatType.PRIVATE:
        return False
    try:
        member = await context.bot.get_chat_member(chat.id, user.id)
    except TelegramError:
        return False
    return member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


def _parse_setting(args: list[str]) -> dict[str, Any] | None:
    words = [a.lower() for a in args]
    on = {"bat": True, "bật": True, "on": True, "tat": False, "tắt": False, "off": False}
    if len(words) == 1 and words[0] in on:
        return {"enabled": on[words[0]]}
    if len(words) == 2 and words[0] in ("gio", "giờ", "time"):
        return {"alert_time": words[1]}
    if len(words) == 2 and words[0] in ("baoyen", "báo_yên", "allclear") and words[1] in on:
        return {"all_clear": on[words[1]]}
    return None


async def alerts_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    env = env_of(context)
    actor = await actor_of(update, context)
    chat = update.effective_chat
    if chat is None:
        return
    args = list(context.args or [])
    if args:
        await _change(update, context, args)
        return
    scope = None if chat.type != ChatType.PRIVATE else next(iter(actor.unit_codes), None)
    alert = await service.alert_for_chat(env, chat.id, scope=scope)
    if alert is None:
        await reply(update, t("al_unbound", actor.lang))
        return
    await reply(update, render_alert(env, alert, actor.lang))


async def _change(update: Update, context: ContextTypes.DEFAULT_TYPE, args: list[str]) -> None:
    env = env_of(context)
    actor = await actor_of(update, context)
    lang = actor.lang
    chat = update.effective_chat
    assert chat is not None
    values = _parse_setting(args)
    if values is None:
        await reply(update, t("al_usage", lang))
        return
    chat_admin = await _is_chat_admin(update, context)
    result = await service.change_settings(env, actor, chat.id, chat_admin=chat_admin, **values)
    if result.outcome != "ok":
        await reply(update, t(f"al_{result.outcome}", lang))
        return
    if result.time_changed:
        await schedule_jobs(context.application)
    at = result.alert_time or env.alert_time
    await reply(
        update,
        t(
            "al_settings",
            lang,
            state=t("al_on" if result.enabled else "al_off", lang),
            time=f"{at:%H:%M}",
            all_clear=t("al_on" if result.all_clear else "al_off", lang),
        ),
    )


def register(application: Application) -> None:
    application.add_handler(CommandHandler("nhacviec", alerts_command))


__all__ = ["make_sender", "register", "render_alert", "schedule_jobs", "startup"]
