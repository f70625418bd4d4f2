"""The morning alert on a real database with a fixed clock: once per chat per day, restarts,
blocked chats, the reminder ladder, and closing tasks."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from domain.alerts import ChatAlert
from domain.clock import FixedClock
from services import alerts as service
from services import tasks as task_service
from services.access import Actor
from services.alerts import ChatGone
from services.context import Env
from store.alerts import get_chat
from tests.tasks.conftest import (
    DC_GROUP,
    OFFICER_DC,
    OFFICER_VT,
    PROVINCE_GROUP,
    VT_GROUP,
    add_figure,
    add_person,
    at,
    bind_chat,
    open_env,
)


class Recorder:
    """Stands in for Telegram: records alerts, can refuse chats like a blocked bot."""

    def __init__(self, blocked: set[int] | None = None, broken: set[int] | None = None) -> None:
        self.sent: list[ChatAlert] = []
        self.blocked = blocked or set()
        self.broken = broken or set()

    async def __call__(self, alert: ChatAlert) -> None:
        if alert.chat_id in self.blocked:
            raise ChatGone("kicked")
        if alert.chat_id in self.broken:
            raise RuntimeError("network down")
        self.sent.append(alert)

    def chats(self) -> list[int]:
        return [a.chat_id for a in self.sent]


async def _setup(env: Env) -> None:
    await bind_chat(env, VT_GROUP, "vinh-thuy")
    await bind_chat(env, DC_GROUP, "dong-cuu")
    await bind_chat(env, PROVINCE_GROUP, "quang-tri")
    await add_person(env, OFFICER_VT, "officer", ["vinh-thuy"])
    await add_person(env, OFFICER_DC, "officer", ["dong-cuu"])


async def test_sent_once_and_overdue_numbered(env: Env, clock: FixedClock) -> None:
    await _setup(env)
    rec = Recorder()
    first = await service.run_alerts(env, rec)
    # Đông Cứu's group has nothing to hear on the 9th (no tasks, not late yet): no message.
    assert sorted(first.sent) == sorted([VT_GROUP, PROVINCE_GROUP, OFFICER_VT, OFFICER_DC])
    vt = next(a for a in rec.sent if a.chat_id == VT_GROUP)
    labels = {o.task.label: o for o in vt.overdue}
    assert set(labels) == {"I.1", "III.4"}  # May tasks, overdue on 9 June
    assert labels["III.4"].reminder_no == 3  # 2 before the bot + this one
    assert labels["I.1"].reminder_no == 1
    assert [s.task.label for s in vt.due_soon] == []
    again = await service.run_alerts(env, rec)
    assert again.sent == [] and len(rec.sent) == 4  # exactly once per chat per day
    clock.current = at(date(2026, 6, 10), 8)
    await service.run_alerts(env, rec)
    vt2 = [a for a in rec.sent if a.chat_id == VT_GROUP][-1]
    assert {o.task.label: o.reminder_no for o in vt2.overdue}["III.4"] == 4


async def test_restart_before_and_after_alert_time(tmp_path: Path) -> None:
    clock = FixedClock(at(date(2026, 6, 9), 6, 30))  # before 07:00
    env = await open_env(tmp_path / "r.db", clock)
    await _setup(env)
    rec = Recorder()
    early = await service.catch_up(env, rec)  # a start before ALERT_TIME sends nothing
    assert early.sent == []
    await env.db.close()
    clock.current = at(date(2026, 6, 9), 9, 15)  # down over 07:00, restarted at 09:15
    env = await open_env(tmp_path / "r.db", clock)
    late = await service.catch_up(env, rec)
    assert VT_GROUP in late.sent and PROVINCE_GROUP in late.sent
    await env.db.close()
    for minutes in (1, 2):  # two more restarts the same day: never twice
        clock.advance(minutes=minutes)
        env = await open_env(tmp_path / "r.db", clock)
        assert (await service.catch_up(env, rec)).sent == []
        await env.db.close()
    assert rec.chats().count(VT_GROUP) == 1


class CrashAt:
    """Stands in for Telegram and for kill -9: when the send at `position` (1-based) starts,
    the database is copied as a killed process would leave it (committed transactions only).
    Sends that had started by then may have reached Telegram."""

    def __init__(self, db_path: Path, position: int, crash_copy: Path) -> None:
        self.db_path, self.position, self.crash_copy = db_path, position, crash_copy
        self.started: list[int] = []
        self.started_at_crash: list[int] = []

    async def __call__(self, alert: ChatAlert) -> None:
        self.started.append(alert.chat_id)
        if len(self.started) == self.position:
            source, target = sqlite3.connect(self.db_path), sqlite3.connect(self.crash_copy)
            source.backup(target)
            source.close(), target.close()
            self.started_at_crash = list(self.started)
        await asyncio.sleep(0)  # the sends overlap (CONCURRENCY in flight)


@pytest.mark.parametrize("position", [1, 7, 19, 34])
async def test_kill_mid_run_never_twice_none_lost_but_the_window(
    tmp_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch, position: int
) -> None:
    monkeypatch.setattr(service, "CHUNK", 4)
    monkeypatch.setattr(service, "CONCURRENCY", 2)
    env = await open_env(tmp_path / "a.db", clock)
    await _setup(env)
    for i in range(30):
        await bind_chat(env, -5000 - i, "vinh-thuy")
    crash = CrashAt(tmp_path / "a.db", position, tmp_path / "killed.db")
    whole = await service.run_alerts(env, crash)
    await env.db.close()
    planned = set(whole.sent)
    assert len(planned) == 34 and crash.started_at_crash

    env = await open_env(tmp_path / "killed.db", clock)  # the restart after the kill
    ledger = await service.day_ledger(env, clock.today())
    in_flight = {c for c, _, _, status in ledger if status == "pending"}
    assert len(in_flight) <= service.CHUNK + service.CONCURRENCY
    rec = Recorder()
    again = await service.catch_up(env, rec)
    delivered = Counter(crash.started_at_crash + rec.chats())
    assert max(delivered.values()) == 1  # never twice
    lost = planned - set(delivered)
    assert lost <= in_flight  # none lost that was never attempted
    assert set(again.sent) == planned - set(crash.started_at_crash) - in_flight
    ledger = await service.day_ledger(env, clock.today())
    statuses = {c: status for c, _, _, status in ledger}
    assert {c for c, s in statuses.items() if s == "failed"} == in_flight  # visible, not silent
    assert set(statuses) == planned and "pending" not in statuses.values()
    assert (await service.catch_up(env, rec)).sent == []  # a second restart sends nothing
    await env.db.close()


async def test_stop_mid_run_gives_back_what_never_started(
    env: Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "CHUNK", 4)
    monkeypatch.setattr(service, "CONCURRENCY", 1)
    await _setup(env)
    for i in range(10):
        await bind_chat(env, -5000 - i, "vinh-thuy")
    hang, calls = asyncio.Event(), []

    async def stuck(alert: ChatAlert) -> None:
        calls.append(alert.chat_id)
        if len(calls) == 3:
            await hang.wait()  # Telegram does not answer; the process is asked to stop

    run = asyncio.create_task(service.run_alerts(env, stuck))
    while len(calls) < 3:
        await asyncio.sleep(0)
    run.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await run
    ledger = {c: s for c, _, _, s in await service.day_ledger(env, env.clock.today())}
    assert [c for c, s in ledger.items() if s == "pending"] == [calls[2]]  # cut off mid-send
    assert set(calls[:2]) == {c for c, s in ledger.items() if s == "sent"}
    assert any(s == "queued" for s in ledger.values())  # claimed, never attempted
    rec = Recorder()
    await service.catch_up(env, rec)
    assert sorted(rec.chats()) == sorted(set(ledger) - set(calls))  # the rest, once


async def test_forbidden_chat_marked_and_skipped(env: Env, clock: FixedClock) -> None:
    await _setup(env)
    rec = Recorder(blocked={DC_GROUP}, broken={OFFICER_VT})
    clock.current = at(date(2026, 6, 11), 8)  # Đông Cứu's group is told (report missing)
    await bind_chat(env, -4000, "dong-cuu", all_clear=True)
    rec.blocked.add(-4000)
    report = await service.run_alerts(env, rec)
    assert report.gone == [-4000] and report.failed == [OFFICER_VT]
    assert VT_GROUP in report.sent and PROVINCE_GROUP in report.sent  # the others got theirs
    async with env.db.read() as conn:
        chat = await get_chat(conn, -4000)
    assert chat is not None and chat.status == "kicked"
    clock.current = at(date(2026, 6, 12), 8)
    rec.blocked.clear()
    later = await service.run_alerts(env, rec)
    assert -4000 not in later.sent and -4000 not in later.failed  # skipped, not retried
    assert DC_GROUP in later.sent


async def test_weekend_and_holiday_quiet(env: Env, clock: FixedClock) -> None:
    await _setup(env)
    rec = Recorder()
    for day in (date(2026, 6, 13), date(2026, 6, 14), date(2026, 9, 2)):
        clock.current = at(day, 9)
        assert (await service.run_alerts(env, rec)).holiday
    assert rec.sent == []


async def test_report_ladder_11th_12th_13th(env: Env, clock: FixedClock) -> None:
    await _setup(env)
    await add_figure(env, "vinh-thuy", "SKDT", 50, 100, date(2026, 6, 1), at(date(2026, 6, 2)))
    rec = Recorder()
    clock.current = at(date(2026, 6, 9), 8)  # Tuesday: first private reminder
    await service.run_alerts(env, rec)
    assert [a.chat_id for a in rec.sent if a.kind == "reminder"] == [OFFICER_DC]
    rec.sent.clear()
    clock.current = at(date(2026, 6, 11), 8)  # Thursday: last private reminder
    await service.run_alerts(env, rec)
    private = [a for a in rec.sent if a.kind == "reminder"]
    assert [(a.chat_id, a.missing[0].days_left) for a in private] == [(OFFICER_DC, 1)]
    province = next(a for a in rec.sent if a.chat_id == PROVINCE_GROUP)
    assert [(m.unit, m.days_left, m.reminder_no) for m in province.missing] == [("dong-cuu", 1, 0)]
    assert all(a.chat_id != DC_GROUP or not a.missing for a in rec.sent)  # not yet the group
    rec.sent.clear()
    clock.current = at(date(2026, 6, 12), 8)  # the deadline: late now, the groups hear it
    await service.run_alerts(env, rec)
    dc = next(a for a in rec.sent if a.chat_id == DC_GROUP)
    assert [(m.unit, m.reminder_no) for m in dc.missing] == [("dong-cuu", 3)]  # 9th, 11th, now
    assert not any(a.kind == "reminder" for a in rec.sent)
    rec.sent.clear()
    clock.current = at(date(2026, 6, 15), 8)  # Monday after the weekend of the 13th-14th
    await service.run_alerts(env, rec)
    dc = next(a for a in rec.sent if a.chat_id == DC_GROUP)
    assert dc.missing[0].reminder_no == 4 and dc.missing[0].days_left == -3


async def test_month_end_quarter_end_and_pace(env: Env, clock: FixedClock) -> None:
    await _setup(env)
    for unit in ("vinh-thuy", "dong-cuu"):
        await add_figure(env, unit, "SKDT", 30, 100, date(2026, 5, 1), at(date(2026, 5, 2)))
        await add_figure(env, unit, "SKDT", 31, 100, date(2026, 6, 1), at(date(2026, 6, 2)))
    await add_figure(env, "vinh-thuy", "DSN", 1, 1, date(2026, 6, 20), at(date(2026, 6, 20)))
    rec = Recorder()
    clock.current = at(date(2026, 6, 30), 8)  # month end and quarter end (Tuesday)
    await service.run_alerts(env, rec)
    province = next(a for a in rec.sent if a.chat_id == PROVINCE_GROUP)
    assert [p.indicator for p in province.off_track] == ["SKDT"]  # 31% heading for 50% by 30/6
    rounds = {(m.deadline.cycle, m.unit) for m in province.missing}
    assert ("house-numbering", "dong-cuu") in rounds  # quarterly report due before 30/6: late
    assert ("house-numbering", "vinh-thuy") not in rounds
    vt = next(a for a in rec.sent if a.chat_id == VT_GROUP)
    assert [p.indicator for p in vt.off_track] == ["SKDT"]


async def test_year_end_due_soon_and_all_clear(env: Env, clock: FixedClock) -> None:
    await _setup(env)
    await bind_chat(env, -2000, "vinh-thuy/cong-an-xa", all_clear=True)
    clock.current = at(date(2027, 3, 29), 8)  # three days before I.4 is due (Quý I/2027)
    rec = Recorder()
    await service.run_alerts(env, rec)
    vt = next(a for a in rec.sent if a.chat_id == VT_GROUP)
    assert [(s.task.label, s.days_left) for s in vt.due_soon] == [("I.4", 2)]
    office = next(a for a in rec.sent if a.chat_id == -2000)
    assert office.all_clear and not office.due_soon  # I.4 is led by the culture office


async def test_disabled_and_later_time(env: Env) -> None:
    await _setup(env)
    await bind_chat(env, -3000, "vinh-thuy", alerts_enabled=False)
    await bind_chat(env, -3001, "vinh-thuy", alert_time="09:30")
    rec = Recorder()
    await service.run_alerts(env, rec)
    assert -3000 not in rec.chats() and -3001 not in rec.chats()
    assert {service.effective_time(env, None).hour} == {7}
    times = await service.alert_times(env)
    assert {f"{t:%H:%M}" for t in times} == {"07:00", "09:30"}


async def test_close_task_by_plan_number(env: Env) -> None:
    officer = Actor(OFFICER_VT, "CB", "officer", ("vinh-thuy/cong-an-xa",))
    other = Actor(OFFICER_DC, "CB", "officer", ("dong-cuu",))
    assert (await task_service.close_task(env, other, "4 xong", chat_id=1)).outcome == "forbidden"
    first = await task_service.close_task(env, officer, "4 đã thu thập đủ phiếu", chat_id=1)
    assert first.outcome == "closed" and first.task and first.task.label == "III.4"
    again = await task_service.close_task(env, officer, "III.4 lại", chat_id=1)
    assert again.outcome == "already_done"
    leader = Actor(600, "LĐ", "leader")
    amb = await task_service.close_task(
        env, leader, "1 đã ban hành KH số 1199/KH-UBND", chat_id=1, update_id=77
    )
    assert amb.outcome == "ambiguous" and {v.label for v in amb.candidates} == {"I.1", "III.1"}
    assert amb.pending_id
    chosen = await task_service.close_chosen(env, leader, amb.pending_id, amb.candidates[0].id)
    assert chosen.outcome == "closed"
    dup = await task_service.close_task(env, officer, "I.1 x", chat_id=1, update_id=77)
    assert dup.outcome in ("duplicate", "already_done")
    listing = await task_service.list_tasks(env, status="overdue", today=date(2026, 6, 9))
    assert listing.counts.total == 6 and listing.counts.recurring == 1
    assert listing.counts.dated == 4 and listing.counts.unknown == 1


async def test_list_tasks_filters(env: Env) -> None:
    today = date(2026, 5, 8)
    soon = await task_service.list_tasks(env, status="due_soon", within_days=7, today=today)
    assert [v.label for v in soon.items] == ["III.4"]
    lead = await task_service.list_tasks(
        env, status="all", lead_unit_code="vinh-thuy/phong-kinh-te", today=today
    )
    assert {v.label for v in lead.items} == {"IV.2", "V.9"} and lead.counts.total == 2
    assert lead.scope_name == "Phòng Kinh tế"
    none = await task_service.list_tasks(env, status="all", scope_unit_code="dong-cuu", today=today)
    assert none.items == [] and none.counts.total == 0
    overdue = await task_service.list_tasks(env, status="overdue", today=today + timedelta(60))
    assert [v.label for v in overdue.items][:2] == ["III.4", "I.1"]
    assert overdue.counts.overdue == 3 and overdue.counts.unfinished == 4
