"""The morning alert: gather today's snapshot, plan it, send each chat's alert exactly once.

Every alert is recorded as pending in alerts_sent before it goes out and marked sent or failed
after, so a restart neither repeats one (the claim is unique per chat, kind, day and key) nor
loses one (the start-up catch-up sends what is due and not yet claimed).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Literal, Protocol

from domain.alerts import (
    ChatAlert,
    ChatTarget,
    CycleStatus,
    ScopedPace,
    Snapshot,
    TaskItem,
    morning_alert,
    plan_today,
    report_key,
)
from domain.catalogue import Indicator, ReportingCycle
from domain.deadlines import Pace, WorkCalendar, current_round, milestone_pace
from services.access import Actor
from services.context import Env
from store import alerts as store
from store.figures import FigureRow, latest_as_of
from store.tasks import all_tasks

log = logging.getLogger(__name__)

PACE_WINDOW = timedelta(days=30)  # the pace is measured over the last month of figures


class ChatGone(Exception):
    """The chat blocked or removed the bot (Telegram's Forbidden): mark it, stop trying."""

    def __init__(self, status: str = "blocked") -> None:
        super().__init__(status)
        self.status = status


class AlertSender(Protocol):
    """The edge's half: render the alert in the chat's language and send it."""

    async def __call__(self, alert: ChatAlert) -> None: ...


@dataclass
class RunReport:
    sent: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # claimed earlier: not sent twice
    failed: list[int] = field(default_factory=list)
    gone: list[int] = field(default_factory=list)
    holiday: bool = False


def calendar_of(env: Env) -> WorkCalendar:
    return WorkCalendar(env.catalogue.holidays)


def _parse_hhmm(value: str | None) -> time | None:
    if not value:
        return None
    try:
        hours, minutes = value.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        return None


def effective_time(env: Env, chat: store.ChatRow | None) -> time:
    return (_parse_hhmm(chat.alert_time) if chat else None) or env.alert_time


# -- the snapshot ------------------------------------------------------------------------------


def _must_report(env: Env, cycle: ReportingCycle) -> tuple[str, ...]:
    communes = [u.code for u in env.catalogue.communes()]
    agencies = [u.code for u in env.catalogue.units if u.kind == "agency"]
    chosen = {"communes": communes, "agencies": agencies}.get(cycle.scope, communes + agencies)
    return tuple(chosen)


async def _cycles(env: Env, conn: object, today: date) -> tuple[CycleStatus, ...]:
    chased = await store.chase_counts(conn, ("report", "reminder"), today)  # type: ignore[arg-type]
    found = []
    for cycle in env.catalogue.cycles:
        dl = current_round(cycle, today)
        since = datetime.combine(dl.opens, time(0, 0), tzinfo=env.clock.tz)
        ind_ids = [env.ids.indicator_id[c] for c in cycle.indicators if c in env.ids.indicator_id]
        reported_ids = await store.units_reported_since(conn, since, ind_ids or None)  # type: ignore[arg-type]
        reported = frozenset(env.ids.unit_code[i] for i in reported_ids if i in env.ids.unit_code)
        must = _must_report(env, cycle)
        counts = {u: chased.get(report_key(dl, u), 0) for u in must}
        found.append(CycleStatus(dl, must, reported, counts))
    return tuple(found)


def _pooled(rows: Iterable[FigureRow]) -> tuple[float, date] | None:
    rows = [r for r in rows if r.numerator is not None and r.denominator]
    if not rows:
        return None
    num = sum(r.numerator or 0 for r in rows)
    den = sum(r.denominator or 0 for r in rows)
    return num / den, max(r.as_of for r in rows)


async def _paces(env: Env, conn: object, today: date) -> tuple[ScopedPace, ...]:
    wanted: list[Indicator] = [
        i
        for i in env.catalogue.indicators
        if i.kind == "ratio" and i.next_milestone(today) and i.code in env.ids.indicator_id
    ]
    if not wanted:
        return ()
    ids = [env.ids.indicator_id[i.code] for i in wanted]
    now_rows = await latest_as_of(conn, ids, today)  # type: ignore[arg-type]
    then_rows = await latest_as_of(conn, ids, today - PACE_WINDOW)  # type: ignore[arg-type]
    paces: list[ScopedPace] = []
    for ind in wanted:
        ind_id = env.ids.indicator_id[ind.code]
        assigned = {env.ids.unit_id[u.code] for u in env.catalogue.assigned_units(ind)}
        now = [r for r in now_rows if r.indicator_id == ind_id and r.unit_id in assigned]
        then = [r for r in then_rows if r.indicator_id == ind_id and r.unit_id in assigned]
        groups = [(env.catalogue.province.code, now, then)] + [
            (env.ids.unit_code[r.unit_id], [r], [t for t in then if t.unit_id == r.unit_id])
            for r in now
        ]
        for scope, current, before in groups:
            pace = _pace(ind, today, current, before)
            if pace is not None:
                paces.append(ScopedPace(scope, pace))
    return tuple(paces)


def _pace(
    ind: Indicator, today: date, current: list[FigureRow], before: list[FigureRow]
) -> Pace | None:
    rate_now = _pooled(current)
    if rate_now is None:
        return None
    rate_then = _pooled(before)
    return milestone_pace(
        ind,
        today,
        rate_now[0],
        rate_now[1],
        rate_then[0] if rate_then else None,
        rate_then[1] if rate_then else None,
    )


def _chat_targets(env: Env, rows: list[store.ChatRow]) -> tuple[ChatTarget, ...]:
    targets = []
    for c in rows:
        private = c.type == "private"
        scope = env.ids.unit_code.get(c.scope_unit_id) if c.scope_unit_id else None
        usable = c.status == "member" and c.alerts_enabled
        targets.append(ChatTarget(c.id, scope, private, c.all_clear, usable))
    return tuple(targets)


async def build_snapshot(env: Env, today: date) -> Snapshot:
    """One read of everything the planner needs."""
    async with env.db.read() as conn:
        task_rows = await all_tasks(conn)
        chased = await store.chase_counts(conn, ("task",), today)
        cycles = await _cycles(env, conn, today)
        paces = await _paces(env, conn, today)
        chats = await store.all_chats(conn)
        officers = await store.officers_by_unit(conn)
    tasks = tuple(
        TaskItem(
            id=r.id,
            label=f"{r.section}.{r.number}" if r.section else str(r.number),
            title=r.title,
            plan=env.ids.unit_code.get(r.plan_unit_id, ""),
            lead=env.ids.unit_code.get(r.lead_unit_id, ""),
            due_kind=r.due_kind,
            due_date=r.due_date,
            done=r.status == "done",
            reminders=r.reminders_base + chased.get(f"task:{r.id}", 0),
        )
        for r in task_rows
    )
    return Snapshot(
        today=today,
        calendar=calendar_of(env),
        parents={u.code: u.parent for u in env.catalogue.units},
        province=env.catalogue.province.code,
        tasks=tasks,
        cycles=cycles,
        paces=paces,
        chats=_chat_targets(env, chats),
        officers={
            env.ids.unit_code[u]: tuple(ids)
            for u, ids in officers.items()
            if u in env.ids.unit_code
        },
    )


# -- sending, exactly once ---------------------------------------------------------------------


def _mentions(alert: ChatAlert) -> list[tuple[str, str]]:
    items = [("task", f"task:{o.task.id}") for o in alert.overdue]
    items += [("report", report_key(m.deadline, m.unit)) for m in alert.missing if m.reminder_no]
    return items


async def _deliver(env: Env, alert: ChatAlert, sender: AlertSender, report: RunReport) -> None:
    today, now = env.clock.today(), env.clock.now()
    async with env.db.write() as conn:
        claim = await store.claim_alert(
            conn, chat_id=alert.chat_id, kind=alert.kind, day=today, key=alert.key, now=now
        )
    if claim is None:
        report.skipped.append(alert.chat_id)
        return
    status, detail, gone_status = "sent", {"items": str(len(_mentions(alert)))}, ""
    try:
        await sender(alert)
    except ChatGone as gone:
        status, detail, gone_status = "failed", {"error": f"chat {gone.status}"}, gone.status
        report.gone.append(alert.chat_id)
    except Exception as exc:  # one failing chat never stops the others
        log.warning("alert to chat %s failed: %s", alert.chat_id, exc)
        status, detail = "failed", {"error": str(exc)[:300]}
        report.failed.append(alert.chat_id)
    async with env.db.write() as conn:
        await store.finish_alert(conn, claim, status, env.clock.now(), detail)
        if status == "sent":
            await store.record_mentions(
                conn, chat_id=alert.chat_id, day=today, items=_mentions(alert), now=now
            )
            report.sent.append(alert.chat_id)
        elif gone_status:
            await store.mark_chat_status(conn, alert.chat_id, gone_status, now)


async def run_alerts(
    env: Env, sender: AlertSender, *, only_chats: set[int] | None = None
) -> RunReport:
    """Send every alert due by now and not yet sent today: the daily job and the catch-up."""
    today, clock_time = env.clock.today(), env.clock.now().time().replace(tzinfo=None)
    report = RunReport()
    if not calendar_of(env).is_working_day(today):
        report.holiday = True
        return report
    snapshot = await build_snapshot(env, today)
    async with env.db.read() as conn:
        chats = {c.id: c for c in await store.all_chats(conn)}
    for alert in plan_today(snapshot):
        if only_chats is not None and alert.chat_id not in only_chats:
            continue
        if effective_time(env, chats.get(alert.chat_id)) > clock_time:
            continue  # that chat's alert time has not come yet
        await _deliver(env, alert, sender, report)
    return report


async def catch_up(env: Env, sender: AlertSender) -> RunReport:
    """At start: close what a stopped process left pending, then send what is due and unsent."""
    async with env.db.write() as conn:
        interrupted = await store.fail_interrupted(conn, env.clock.now())
    if interrupted:
        log.warning("%d alerts were interrupted by a stop and are not resent", interrupted)
    return await run_alerts(env, sender)


async def alert_times(env: Env) -> set[time]:
    """Every distinct time a chat's alert is due: one daily job each, rebuilt at start."""
    async with env.db.read() as conn:
        chats = await store.all_chats(conn)
    return {env.alert_time} | {effective_time(env, c) for c in chats}


async def alert_for_chat(env: Env, chat_id: int, *, scope: str | None = None) -> ChatAlert | None:
    """/nhacviec: this chat's alert as it stands now (nothing recorded, nothing counted).

    A group uses the unit it is bound to; a private chat passes the person's unit as `scope`.
    """
    if scope is None:
        scope = await chat_scope(env, chat_id)
    if scope is None:
        return None
    snapshot = await build_snapshot(env, env.clock.today())
    return morning_alert(ChatTarget(chat_id, scope, all_clear=True), snapshot)


async def chat_scope(env: Env, chat_id: int) -> str | None:
    """The unit a group is bound to (its default scope for lists and alerts)."""
    async with env.db.read() as conn:
        chat = await store.get_chat(conn, chat_id)
    if chat is None or chat.scope_unit_id is None:
        return None
    return env.ids.unit_code.get(chat.scope_unit_id)


# -- per-chat settings: /nhacviec bat|tat|gio HH:MM|baoyen bat|tat ----------------------------

SettingOutcome = Literal["ok", "forbidden", "unknown_chat", "bad_time"]


@dataclass(frozen=True)
class ChatSettings:
    outcome: SettingOutcome
    enabled: bool = True
    alert_time: time | None = None
    all_clear: bool = False
    time_changed: bool = False


async def change_settings(
    env: Env,
    actor: Actor,
    chat_id: int,
    *,
    enabled: bool | None = None,
    alert_time: str | None = None,
    all_clear: bool | None = None,
    chat_admin: bool = False,
) -> ChatSettings:
    """Bot admins, or registered people who administer this Telegram group, set its alert."""
    if not (actor.is_admin or (chat_admin and actor.is_registered)):
        return ChatSettings("forbidden")
    values: dict[str, object] = {}
    if enabled is not None:
        values["alerts_enabled"] = enabled
    if all_clear is not None:
        values["all_clear"] = all_clear
    if alert_time is not None:
        parsed = _parse_hhmm(alert_time.replace("h", ":"))
        if parsed is None or not 0 <= parsed.hour <= 23:
            return ChatSettings("bad_time")
        values["alert_time"] = parsed.strftime("%H:%M")
    async with env.db.write() as conn:
        if values and not await store.set_chat_alerts(conn, chat_id, values, env.clock.now()):
            return ChatSettings("unknown_chat")
        chat = await store.get_chat(conn, chat_id)
    if chat is None:
        return ChatSettings("unknown_chat")
    return ChatSettings(
        "ok", chat.alerts_enabled, effective_time(env, chat), chat.all_clear, "alert_time" in values
    )


async def day_ledger(env: Env, day: date) -> list[tuple[int, str, str, str]]:
    async with env.db.read() as conn:
        return await store.alerts_on(conn, day)
