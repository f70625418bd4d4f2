"""The morning alert: gather today's snapshot, plan it, send each chat's alert exactly once.

All of a run's alerts are claimed in alerts_sent in one transaction as queued (never attempted),
in send order; a chunk at a time is moved to pending (committed before any of its sends starts)
and marked sent or failed after, in batches. The claim is unique per chat, kind, day and key, so
nothing goes twice; after a crash only pending rows (at most CHUNK + CONCURRENCY, those in
flight or about to be) are given up as interrupted, and the start-up catch-up sends the queued
ones and what was never claimed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence
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
from store.figures import rated_as_of
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


Rated = tuple[int, int, int, int, date]  # indicator_id, unit_id, numerator, denominator, as_of


def _pooled(rows: Sequence[Rated]) -> tuple[float, date] | None:
    """The pooled rate of rated rows and their newest as_of."""
    if not rows:
        return None
    num = sum(r[2] for r in rows)
    den = sum(r[3] for r in rows)
    return num / den, max(r[4] for r in rows)


async def _paces(env: Env, conn: object, today: date) -> tuple[ScopedPace, ...]:
    wanted: list[Indicator] = [
        i
        for i in env.catalogue.indicators
        if i.kind == "ratio" and i.next_milestone(today) and i.code in env.ids.indicator_id
    ]
    if not wanted:
        return ()
    ids = [env.ids.indicator_id[i.code] for i in wanted]
    # Both days in one statement, rated rows only: the unrated count in neither pace.
    now_rows, then_rows = await rated_as_of(conn, ids, [today, today - PACE_WINDOW])  # type: ignore[arg-type]
    now_by_ind, then_by_ind = _by_indicator(now_rows), _by_indicator(then_rows)
    paces: list[ScopedPace] = []
    unit_code = env.ids.unit_code
    for ind in wanted:
        ind_id = env.ids.indicator_id[ind.code]
        assigned = {env.ids.unit_id[u.code] for u in env.catalogue.assigned_units(ind)}
        now = [r for r in now_by_ind.get(ind_id, ()) if r[1] in assigned]
        then = [r for r in then_by_ind.get(ind_id, ()) if r[1] in assigned]
        pace = _pace(ind, today, _pooled(now), _pooled(then))
        if pace is not None:
            paces.append(ScopedPace(env.catalogue.province.code, pace))
        then_of = {r[1]: (r[2] / r[3], r[4]) for r in then}  # one latest row per unit
        for r in now:  # each unit on its own: its one latest row, no pooling
            pace = _pace(ind, today, (r[2] / r[3], r[4]), then_of.get(r[1]))
            if pace is not None:
                paces.append(ScopedPace(unit_code[r[1]], pace))
    return tuple(paces)


def _by_indicator(rows: Iterable[Rated]) -> dict[int, list[Rated]]:
    out: dict[int, list[Rated]] = {}
    for r in rows:
        out.setdefault(r[0], []).append(r)
    return out


def _pace(
    ind: Indicator,
    today: date,
    rate_now: tuple[float, date] | None,
    rate_then: tuple[float, date] | None,
) -> Pace | None:
    if rate_now is None:
        return None
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


CONCURRENCY = 16  # sends in flight at once; the rate limiter paces the real sending
CHUNK = 64  # alerts moved queued → pending per write transaction (with the outcomes so far)


@dataclass
class _Outcome:
    alert: ChatAlert
    claim: int
    status: str
    detail: dict[str, str]
    gone_status: str = ""


Claimed = list[tuple[int, ChatAlert]]  # (alerts_sent id, alert) in send order


async def _claim_all(env: Env, alerts: list[ChatAlert], report: RunReport) -> Claimed:
    """One transaction claims every due alert as queued (in send order) and takes the day's
    queued ones: these and the never-attempted ones a stopped run left. Others were claimed
    before (sent, failed, or in flight elsewhere): skipped, never twice."""
    if not alerts:
        return []
    today = env.clock.today()
    async with env.db.write() as conn:
        claims = [(a.chat_id, a.kind, a.key) for a in alerts]
        await store.claim_alerts(conn, claims, day=today, now=env.clock.now())
        queued = await store.queued_alerts(conn, today)
    due = {(a.chat_id, a.kind, a.key): a for a in alerts}
    claimed = [(i, due[(c, k, key)]) for i, c, k, key in queued if (c, k, key) in due]
    ours = {id(a) for _, a in claimed}
    report.skipped.extend(a.chat_id for a in alerts if id(a) not in ours)
    return claimed


async def _send(alert: ChatAlert, claim: int, sender: AlertSender) -> _Outcome:
    try:
        await sender(alert)
    except ChatGone as gone:
        return _Outcome(alert, claim, "failed", {"error": f"chat {gone.status}"}, gone.status)
    except Exception as exc:  # one failing chat never stops the others
        log.warning("alert to chat %s failed: %s", alert.chat_id, exc)
        return _Outcome(alert, claim, "failed", {"error": str(exc)[:300]})
    return _Outcome(alert, claim, "sent", {"items": str(len(_mentions(alert)))})


async def _record(
    env: Env,
    done: list[_Outcome],
    report: RunReport,
    *,
    start: Sequence[tuple[int, ChatAlert]] = (),
    requeue: Sequence[tuple[int, ChatAlert]] = (),
) -> Claimed:
    """One write: the outcomes so far (status, what was chased, gone chats), the next chunk
    queued → pending (returned: only those may be sent), unstarted ones back to queued."""
    if not (done or start or requeue):
        return []
    today, now = env.clock.today(), env.clock.now()
    async with env.db.write() as conn:
        await store.finish_alerts(conn, [(o.claim, o.status, o.detail) for o in done], now)
        for o in done:
            if o.status == "sent":
                items = _mentions(o.alert)
                await store.record_mentions(
                    conn, chat_id=o.alert.chat_id, day=today, items=items, now=now
                )
            elif o.gone_status:
                await store.mark_chat_status(conn, o.alert.chat_id, o.gone_status, now)
        await store.requeue_alerts(conn, [i for i, _ in requeue])
        started = await store.start_alerts(conn, [i for i, _ in start])
    _tally(done, report)
    report.skipped.extend(a.chat_id for i, a in start if i not in started)
    return [(i, a) for i, a in start if i in started]


def _tally(done: list[_Outcome], report: RunReport) -> None:
    for o in done:
        if o.status == "sent":
            report.sent.append(o.alert.chat_id)
        elif o.gone_status:
            report.gone.append(o.alert.chat_id)
        else:
            report.failed.append(o.alert.chat_id)
    done.clear()


def _harvest(tasks: set[asyncio.Task[_Outcome]], done: list[_Outcome]) -> None:
    """Move finished sends' outcomes to `done`; a cancelled send stays pending (unknown)."""
    for task in [t for t in tasks if t.done()]:
        tasks.discard(task)
        if not task.cancelled() and task.exception() is None:
            done.append(task.result())


async def _deliver_all(env: Env, claimed: Claimed, sender: AlertSender, report: RunReport) -> None:
    """Send in claim order, CONCURRENCY at a time. A send starts only once its row is pending
    (committed), so after a kill the pending rows (≤ CHUNK + CONCURRENCY) are the only ones
    whose fate is unknown; queued rows were never attempted and the catch-up sends them."""
    done: list[_Outcome] = []
    inflight: set[asyncio.Task[_Outcome]] = set()
    allowed: Claimed = []
    try:
        for first in range(0, len(claimed), CHUNK):
            _harvest(inflight, done)
            allowed = await _record(env, done, report, start=claimed[first : first + CHUNK])
            while allowed:
                if len(inflight) >= CONCURRENCY:
                    await asyncio.wait(inflight, return_when=asyncio.FIRST_COMPLETED)
                    _harvest(inflight, done)
                claim, alert = allowed.pop(0)
                inflight.add(asyncio.create_task(_send(alert, claim, sender)))
        if inflight:
            await asyncio.wait(inflight)
    finally:  # a stop mid-run records what went out and gives back what never started
        for task in inflight:
            task.cancel()  # a stop: a send cut off stays pending (it may have gone out)
        await asyncio.gather(*inflight, return_exceptions=True)
        _harvest(inflight, done)
        await _record(env, done, report, requeue=allowed)


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
    await _deliver_all(env, await _claim_all(env, due, report), sender, report)
    return report


async def catch_up(env: Env, sender: AlertSender) -> RunReport:
    """At start: close what a stopped process left in flight (pending: maybe sent, never resent),
    then send what is due and was never attempted (queued) or never claimed."""
    async with env.db.write() as conn:
        interrupted = await store.fail_interrupted(conn, env.clock.now())
    if interrupted:
        log.warning("%d alerts were in flight at a stop and are not resent", interrupted)
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
