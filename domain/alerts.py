"""Alert planning: from a snapshot of tasks, reports and pace, what each chat must hear today.

Pure: the service gathers the snapshot (one read), this decides, the edge renders and sends.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from domain.deadlines import (
    CycleDeadline,
    Pace,
    WorkCalendar,
    in_warning_window,
    reminder_step,
    task_state,
)

DUE_SOON_DAYS = 3


@dataclass(frozen=True)
class TaskItem:
    """An open plan task as the planner needs it."""

    id: int
    label: str  # 'III.4'
    title: str
    plan: str  # unit codes
    lead: str
    due_kind: str
    due_date: date | None
    done: bool = False
    reminders: int = 0  # reminders_base + days it was already chased as overdue


@dataclass(frozen=True)
class CycleStatus:
    """One reporting round today: who must report, who has, how often each was chased."""

    deadline: CycleDeadline
    must_report: tuple[str, ...]
    reported: frozenset[str]
    reminders: Mapping[str, int] = field(default_factory=dict)

    def missing(self) -> list[str]:
        return [u for u in self.must_report if u not in self.reported]


@dataclass(frozen=True)
class ScopedPace:
    scope: str  # the unit whose figures were pooled (province: all assigned units)
    pace: Pace


@dataclass(frozen=True)
class ChatTarget:
    """A chat that may hear alerts: a group bound to a unit, or an officer's private chat."""

    chat_id: int
    scope: str | None
    private: bool = False
    all_clear: bool = False
    enabled: bool = True


@dataclass(frozen=True)
class Snapshot:
    today: date
    calendar: WorkCalendar
    parents: Mapping[str, str | None]  # unit code -> parent code
    province: str
    tasks: tuple[TaskItem, ...] = ()
    cycles: tuple[CycleStatus, ...] = ()
    paces: tuple[ScopedPace, ...] = ()
    chats: tuple[ChatTarget, ...] = ()
    officers: Mapping[str, tuple[int, ...]] = field(default_factory=dict)  # unit -> user ids


@dataclass(frozen=True)
class OverdueTask:
    task: TaskItem
    days: int
    reminder_no: int  # 'đôn đốc lần N', this reminder included


@dataclass(frozen=True)
class DueSoonTask:
    task: TaskItem
    days_left: int


@dataclass(frozen=True)
class MissingReport:
    unit: str
    deadline: CycleDeadline
    days_left: int  # <= 0 once late
    reminder_no: int  # this reminder included; 0 for a heads-up that is not a reminder


@dataclass(frozen=True)
class ChatAlert:
    """What one chat hears today. Empty and not all-clear: nothing is sent."""

    chat_id: int
    kind: str  # morning | reminder
    key: str
    scope: str | None
    overdue: tuple[OverdueTask, ...] = ()
    due_soon: tuple[DueSoonTask, ...] = ()
    missing: tuple[MissingReport, ...] = ()
    off_track: tuple[Pace, ...] = ()
    all_clear: bool = False

    @property
    def is_empty(self) -> bool:
        return not (self.overdue or self.due_soon or self.missing or self.off_track)

    @property
    def should_send(self) -> bool:
        return not self.is_empty or self.all_clear


def in_scope(unit: str, scope: str, parents: Mapping[str, str | None]) -> bool:
    """The unit is the scope or lies under it (an office under its commune, all under the
    province)."""
    seen: set[str] = set()
    current: str | None = unit
    while current is not None and current not in seen:
        if current == scope:
            return True
        seen.add(current)
        current = parents.get(current)
    return False


def ancestors(unit: str, parents: Mapping[str, str | None]) -> list[str]:
    """The unit and every unit above it, nearest first (the scopes it lies in)."""
    out: list[str] = []
    seen: set[str] = set()
    current: str | None = unit
    while current is not None and current not in seen:
        out.append(current)
        seen.add(current)
        current = parents.get(current)
    return out


@dataclass(frozen=True)
class _Index:
    """The snapshot grouped by scope once, so planning every chat is linear, not quadratic."""

    tasks: Mapping[str, list[TaskItem]]
    missing: Mapping[str, list[tuple[CycleStatus, str]]]  # scope -> (round, late unit)
    off_track: Mapping[str, list[Pace]]


def index(snap: Snapshot) -> _Index:
    """Group tasks, missing reports and off-track paces under every scope they lie in, keeping
    the snapshot's order within a scope."""
    tasks: dict[str, list[TaskItem]] = {}
    for task in snap.tasks:
        scopes = dict.fromkeys(
            ancestors(task.plan, snap.parents) + ancestors(task.lead, snap.parents)
        )
        for scope in scopes:
            tasks.setdefault(scope, []).append(task)
    missing: dict[str, list[tuple[CycleStatus, str]]] = {}
    for status in snap.cycles:
        for unit in status.missing():
            for scope in ancestors(unit, snap.parents):
                missing.setdefault(scope, []).append((status, unit))
    off_track: dict[str, list[Pace]] = {}
    for p in snap.paces:
        if not p.pace.on_track:
            off_track.setdefault(p.scope, []).append(p.pace)
    return _Index(tasks, missing, off_track)


def _tasks_for(
    scope: str, snap: Snapshot, idx: _Index
) -> tuple[list[OverdueTask], list[DueSoonTask]]:
    overdue: list[OverdueTask] = []
    soon: list[DueSoonTask] = []
    for task in idx.tasks.get(scope, ()):
        if task.due_date is None:
            continue
        state = task_state(task.due_kind, task.due_date, task.done, snap.today, DUE_SOON_DAYS)
        if state == "overdue":
            days = (snap.today - task.due_date).days
            overdue.append(OverdueTask(task, days, task.reminders + 1))
        elif state == "due_soon":
            soon.append(DueSoonTask(task, (task.due_date - snap.today).days))
    overdue.sort(key=lambda o: (-o.days, o.task.label))
    soon.sort(key=lambda s: (s.days_left, s.task.label))
    return overdue, soon


def _missing_for(scope: str, snap: Snapshot, idx: _Index) -> list[MissingReport]:
    """The ladder's group rungs: late units in the unit's own group and in any group above it;
    before the deadline, from the first reminder day, a heads-up to the groups above only."""
    found: list[MissingReport] = []
    steps: dict[int, tuple[bool, bool]] = {}
    for status, unit in idx.missing.get(scope, ()):
        dl = status.deadline
        if id(status) not in steps:
            late = reminder_step(dl, snap.today, snap.calendar) == "group"
            steps[id(status)] = (late, in_warning_window(dl, snap.today, snap.calendar))
        late, warning = steps[id(status)]
        if not (late or warning) or (unit == scope and not late):
            continue
        number = status.reminders.get(unit, 0) + 1 if late else 0
        found.append(MissingReport(unit, dl, dl.days_left(snap.today), number))
    return found


def morning_alert(chat: ChatTarget, snap: Snapshot, idx: _Index | None = None) -> ChatAlert:
    """The morning alert of a group bound to a scope (also what /nhacviec shows). Planning many
    chats, pass `index(snap)` built once."""
    if chat.scope is None:
        return ChatAlert(chat.chat_id, "morning", "-", None, all_clear=chat.all_clear)
    idx = idx if idx is not None else index(snap)
    overdue, soon = _tasks_for(chat.scope, snap, idx)
    return ChatAlert(
        chat_id=chat.chat_id,
        kind="morning",
        key="-",
        scope=chat.scope,
        overdue=tuple(overdue),
        due_soon=tuple(soon),
        missing=tuple(_missing_for(chat.scope, snap, idx)),
        off_track=tuple(idx.off_track.get(chat.scope, ())),
        all_clear=chat.all_clear,
    )


def report_key(deadline: CycleDeadline, unit: str) -> str:
    """Key of the reminders about one unit's report in one round (counted for 'lần N')."""
    return f"{deadline.cycle}:{deadline.period_key}:{unit}"


def private_reminders(snap: Snapshot) -> list[ChatAlert]:
    """Officers of units that have not reported, on the reminder days before the deadline."""
    blocked = {c.chat_id for c in snap.chats if c.private and not c.enabled}
    alerts: list[ChatAlert] = []
    for status in snap.cycles:
        dl = status.deadline
        if reminder_step(dl, snap.today, snap.calendar) != "private":
            continue
        for unit in status.missing():
            number = status.reminders.get(unit, 0) + 1
            item = MissingReport(unit, dl, dl.days_left(snap.today), number)
            for user_id in snap.officers.get(unit, ()):
                if user_id not in blocked:
                    alerts.append(
                        ChatAlert(user_id, "reminder", report_key(dl, unit), unit, missing=(item,))
                    )
    return alerts


def plan_today(snap: Snapshot) -> list[ChatAlert]:
    """Every alert due today, in chat order; nothing on weekends and holidays."""
    if not snap.calendar.is_working_day(snap.today):
        return []
    idx = index(snap)
    alerts = [
        morning_alert(chat, snap, idx)
        for chat in snap.chats
        if chat.enabled and not chat.private and chat.scope is not None
    ]
    alerts = [a for a in alerts if a.should_send]
    return alerts + private_reminders(snap)
