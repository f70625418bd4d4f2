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
    now_by_ind, then_by_ind = _by_indicator(now_rows), _by_indicator(then_rows)
    paces: list[ScopedPace] = []
    for ind in wanted:
        ind_id = env.ids.indicator_id[ind.code]
        assigned = {env.ids.unit_id[u.code] for u in env.catalogue.assigned_units(ind)}
        now = [r for r in now_by_ind.get(ind_id, ()) if r.unit_id in assigned]
        then = [r for r in then_by_ind.get(ind_id, ()) if r.unit_id in assigned]
        then_of = {r.unit_id: r for r in then}  # one latest row per unit: a dict, not a scan
        groups = [(env.catalogue.province.code, now, then)] + [
            (env.ids.unit_code[r.unit_id], [r], [t] if (t := then_of.get(r.unit_id)) else [])
            for r in now
        ]
        for scope, current, before in groups:
            pace = _pace(ind, today, current, before)
            if pace is not None:
                paces.append(ScopedPace(scope, pace))
    return tuple(paces)


def _by_indicator(rows: Iterable[FigureRow]) -> dict[int, list[FigureRow]]:
    out: dict[int, list[FigureRow]] = {}
    for r in rows:
        out.setdefault(r.indicator_id, []).append(r)
    return out


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
    return (await _snapshot(env, today))[0]


async def _snapshot(env: Env, today: date) -> tuple[Snapshot, list[store.ChatRow]]:
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
    snapshot = Snapshot(
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
    return snapshot, chats


# -- sending, exactly once ---------------------------------------------------------------------


def _mentions(alert: ChatAlert) -> list[tuple[str, str]]:
    items = [("task", f"task:{o.task.id}") for o in alert.overdue]
    items += [("report", report_key(m.deadline, m.unit)) for m in alert.missing if m.reminder_no]
    return items


FINISH_BATCH = 200  # outcomes recorded per write transaction


@dataclass
class _Outcome:
    alert: ChatAlert
    claim: int
    status: str
    detail: dict[str, str]
    gone_status: str = ""


async def _claim(env: Env, alert: ChatAlert) -> int | None:
    """The claim is committed before the send (never twice), one chat at a time: a stop
    mid-run leaves only the chat in flight pending, the rest are sent by the catch-up."""
    async with env.db.write() as conn:
        return await store.claim_alert(
            conn, chat_id=alert.chat_id, kind=alert.kind, day=env.clock.today(), key=alert.key,
            now=env.clock.now(),
        )  # fmt: skip


async def _send(alert: ChatAlert, claim: int, sender: AlertSender) -> _Outcome:
    try:
        await sender(alert)
    except ChatGone as gone:
        return _Outcome(alert, claim, "failed", {"error": f"chat {gone.status}"}, gone.status)
    except Exception as exc:  # one failing chat never stops the others
        log.warning("alert to chat %s failed: %s", alert.chat_id, exc)
        return _Outcome(alert, claim, "failed", {"error": str(exc)[:300]})
    return _Outcome(alert, claim, "sent", {"items": str(len(_mentions(alert)))})


async def _finish(env: Env, done: list[_Outcome], report: RunReport) -> None:
    """Record a batch of outcomes in one transaction (status, what was chased, gone chats)."""
    if not done:
        return
    today, now = env.clock.today(), env.clock.now()
    async with env.db.write() as conn:
        for o in done:
            await store.finish_alert(conn, o.claim, o.status, now, o.detail)
            if o.status == "sent":
                await store.record_mentions(
                    conn, chat_id=o.alert.chat_id, day=today, items=_mentions(o.alert), now=now
                )
            elif o.gone_status:
                await store.mark_chat_status(conn, o.alert.chat_id, o.gone_status, now)
    for o in done:
        if o.status == "sent":
            report.sent.append(o.alert.chat_id)
        elif o.gone_status:
            report.gone.append(o.alert.chat_id)
        else:
            report.failed.append(o.alert.chat_id)
    done.clear()


async def _deliver_all(
    env: Env, alerts: Iterable[ChatAlert], sender: AlertSender, report: RunReport
) -> None:
    done: list[_Outcome] = []
    try:
        for alert in alerts:
            claim = await _claim(env, alert)
            if claim is None:
                report.skipped.append(alert.chat_id)
                continue
            done.append(await _send(alert, claim, sender))
            if len(done) >= FINISH_BATCH:
                await _finish(env, done, report)
    finally:  # a stop mid-run still records what went out
        await _finish(env, done, report)


async def run_alerts(
    env: Env, sender: AlertSender, *, only_chats: set[int] | None = None
) -> RunReport:
    """Send every alert due by now and not yet sent today: the daily job and the catch-up."""
    today, clock_time = env.clock.today(), env.clock.now().time().replace(tzinfo=None)
    report = RunReport()
    if not calendar_of(env).is_working_day(today):
        report.holiday = True
        return report
    snapshot, chat_rows = await _snapshot(env, today)
    chats = {c.id: c for c in chat_rows}
    due = [
        alert
        for alert in plan_today(snapshot)
        if (only_chats is None or alert.chat_id in only_chats)
        and effective_time(env, chats.get(alert.chat_id)) <= clock_time  # its time has come
    ]
    await _deliver_all(env, due, sender, report)
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
