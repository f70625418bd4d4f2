"""Deadlines on a given day: task states, reporting cycles, working days, reminders, pace.

Pure: every function takes the day it reasons about; nothing here reads a clock.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from domain.catalogue import Indicator, Milestone, ReportingCycle

WEEKEND = frozenset({5, 6})  # Saturday, Sunday
QUARTER_LAST_MONTHS = (3, 6, 9, 12)
ROMAN_QUARTER = {1: "I", 2: "II", 3: "III", 4: "IV"}

TaskState = Literal["done", "overdue", "due_soon", "open", "recurring", "unknown"]
ReminderStep = Literal["private", "group"]


# -- working days (ngày làm việc) --------------------------------------------------------------


@dataclass(frozen=True)
class WorkCalendar:
    """Weekends and the catalogue's public holidays (ngày nghỉ lễ)."""

    holidays: frozenset[date] = frozenset()
    weekend: frozenset[int] = WEEKEND

    def is_working_day(self, day: date) -> bool:
        return day.weekday() not in self.weekend and day not in self.holidays

    def on_or_before(self, day: date) -> date:
        """The latest working day on or before `day`."""
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day

    def on_or_after(self, day: date) -> date:
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in [start, end)."""
        count, day = 0, start
        while day < end:
            count += self.is_working_day(day)
            day += timedelta(days=1)
        return count


# -- plan tasks --------------------------------------------------------------------------------


def task_state(
    due_kind: str, due_date: date | None, done: bool, today: date, within_days: int = 3
) -> TaskState:
    """A task on `today`: done, overdue (quá hạn: past its due date), due soon, open, ...

    The due date is the last day allowed ('hoàn thành trước 10/5' → 10/5 is still on time).
    """
    if done:
        return "done"
    if due_kind == "recurring":
        return "recurring"
    if due_kind != "date" or due_date is None:
        return "unknown"
    if due_date < today:
        return "overdue"
    if (due_date - today).days <= within_days:
        return "due_soon"
    return "open"


def days_overdue(due_date: date, today: date) -> int:
    return max(0, (today - due_date).days)


def days_left(due_date: date, today: date) -> int:
    return (due_date - today).days


# -- reporting cycles (chế độ báo cáo định kỳ) -------------------------------------------------


@dataclass(frozen=True)
class CycleDeadline:
    """One round of a reporting cycle: report from `opens`, due before `due`, chased to `closes`.

    'Báo cáo trước ngày 12': `due` is the 12th, a report on the 12th is late; the last day on
    time is `due - 1`. After the deadline, units that have not reported are chased until the
    next round opens (`closes` is the day before).
    """

    cycle: str
    name: str
    every: str  # month | quarter
    period_key: str  # '2026-06', '2026-Q2'
    period_label: str  # 'tháng 6/2026', 'quý II/2026'
    opens: date
    due: date
    closes: date

    def days_left(self, today: date) -> int:
        """Days before the due day: 3 on the 9th for a report due before the 12th."""
        return (self.due - today).days

    def is_late(self, today: date) -> bool:
        return today >= self.due

    def contains(self, today: date) -> bool:
        return self.opens <= today <= self.closes


def _clamped(year: int, month: int, day: int) -> date:
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _round(cycle: ReportingCycle, year: int, month: int) -> CycleDeadline:
    step = 3 if cycle.every == "quarter" else 1
    ny, nm = year, month
    for _ in range(step):
        ny, nm = _next_month(ny, nm)
    if cycle.every == "quarter":
        quarter = month // 3
        key, label = f"{year}-Q{quarter}", f"quý {ROMAN_QUARTER[quarter]}/{year}"
    else:
        key, label = f"{year}-{month:02d}", f"tháng {month}/{year}"
    return CycleDeadline(
        cycle=cycle.code,
        name=cycle.name,
        every=cycle.every,
        period_key=key,
        period_label=label,
        opens=date(year, month, 1),
        due=_clamped(year, month, cycle.day),
        closes=date(ny, nm, 1) - timedelta(days=1),
    )


def current_round(cycle: ReportingCycle, today: date) -> CycleDeadline:
    """The round that `today` falls in (the one being reported or chased)."""
    if cycle.every != "quarter":
        return _round(cycle, today.year, today.month)
    months = [m for m in QUARTER_LAST_MONTHS if date(today.year, m, 1) <= today]
    if months:
        return _round(cycle, today.year, months[-1])
    return _round(cycle, today.year - 1, 12)


def next_due_round(cycle: ReportingCycle, today: date) -> CycleDeadline:
    """The current round if its deadline is still ahead, else the next one."""
    current = current_round(cycle, today)
    if not current.is_late(today):
        return current
    return current_round(cycle, current.closes + timedelta(days=1))


def reminder_days(
    deadline: CycleDeadline, cal: WorkCalendar, before: tuple[int, ...] = (3, 1)
) -> tuple[date, ...]:
    """Days of the private reminders: 3 and 1 days before the due day, moved back to a working
    day when they fall on a weekend or holiday (never before the round opens)."""
    days = {max(deadline.opens, cal.on_or_before(deadline.due - timedelta(days=n))) for n in before}
    return tuple(sorted(days))


def reminder_step(
    deadline: CycleDeadline, today: date, cal: WorkCalendar, before: tuple[int, ...] = (3, 1)
) -> ReminderStep | None:
    """Which rung of the ladder `today` is on for a unit that has not reported.

    'private': the officers, on the reminder days before the deadline; 'group': the unit's
    group and the province group, every working day from the deadline until the round closes.
    """
    if not deadline.contains(today) or not cal.is_working_day(today):
        return None
    if deadline.is_late(today):
        return "group"
    if today in reminder_days(deadline, cal, before):
        return "private"
    return None


def in_warning_window(deadline: CycleDeadline, today: date, cal: WorkCalendar) -> bool:
    """From the first private reminder day up to the deadline: leaders see who is missing."""
    days = reminder_days(deadline, cal)
    return bool(days) and days[0] <= today < deadline.due


# -- milestones (mốc chỉ tiêu) -----------------------------------------------------------------


@dataclass(frozen=True)
class Pace:
    """Where an indicator is heading: its rate now, projected to the next milestone."""

    indicator: str
    rate_now: float
    as_of: date
    milestone: Milestone
    projected: float
    per_day: float | None  # rate gained per day; None when only one figure is known

    @property
    def on_track(self) -> bool:
        return self.projected >= self.milestone.rate - 1e-9

    @property
    def shortfall(self) -> float:
        return max(0.0, self.milestone.rate - self.projected)


def milestone_pace(
    indicator: Indicator,
    today: date,
    rate_now: float,
    as_of: date,
    rate_before: float | None = None,
    before_as_of: date | None = None,
) -> Pace | None:
    """Project the current pace (tốc độ hiện tại) to the next milestone on or after `today`.

    Without an earlier figure the pace is unknown and the projection is the rate now: an
    indicator below its next milestone with no known progress is off track.
    """
    milestone = indicator.next_milestone(today)
    if milestone is None:
        return None
    per_day: float | None = None
    projected = rate_now
    if rate_before is not None and before_as_of is not None and before_as_of < as_of:
        per_day = (rate_now - rate_before) / (as_of - before_as_of).days
        projected = rate_now + max(per_day, 0.0) * max(0, (milestone.due - as_of).days)
    return Pace(indicator.code, rate_now, as_of, milestone, min(projected, 1.0), per_day)
