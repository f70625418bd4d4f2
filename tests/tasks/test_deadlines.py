"""Deadlines on a given day: working days, reporting rounds, the reminder ladder, pace."""

from __future__ import annotations

from datetime import date

import pytest

from domain.catalogue import Indicator, Milestone, ReportingCycle
from domain.deadlines import (
    WorkCalendar,
    current_round,
    in_warning_window,
    milestone_pace,
    next_due_round,
    reminder_days,
    reminder_step,
    task_state,
)

MONTHLY = ReportingCycle("monthly", "Báo cáo tháng", "month", 12)
QUARTERLY = ReportingCycle("house-numbering", "Báo cáo đánh số nhà", "quarter", 30)
CAL = WorkCalendar(frozenset({date(2026, 9, 1), date(2026, 9, 2), date(2027, 1, 1)}))


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 6, 12), True),  # Friday
        (date(2026, 6, 13), False),  # Saturday
        (date(2026, 6, 14), False),  # Sunday
        (date(2026, 9, 2), False),  # Quốc khánh (holiday)
        (date(2026, 9, 3), True),
        (date(2027, 1, 1), False),  # year end → New Year holiday
        (date(2026, 12, 31), True),
    ],
)
def test_working_days(day: date, working: bool) -> None:
    assert CAL.is_working_day(day) is working


def test_on_or_before_skips_weekend_and_holiday() -> None:
    assert CAL.on_or_before(date(2026, 9, 2)) == date(2026, 8, 31)  # Mon before 1-2/9
    assert CAL.on_or_after(date(2026, 6, 13)) == date(2026, 6, 15)
    assert CAL.working_days_between(date(2026, 6, 8), date(2026, 6, 15)) == 5


@pytest.mark.parametrize(
    ("state_day", "expected"),
    [
        (date(2026, 5, 9), "due_soon"),
        (date(2026, 5, 10), "due_soon"),  # the due day itself is on time
        (date(2026, 5, 11), "overdue"),
        (date(2026, 5, 1), "open"),
    ],
)
def test_task_state_around_due(state_day: date, expected: str) -> None:
    assert task_state("date", date(2026, 5, 10), False, state_day, 3) == expected


def test_task_state_kinds() -> None:
    today = date(2026, 6, 1)
    assert task_state("recurring", None, False, today) == "recurring"
    assert task_state("unknown", None, False, today) == "unknown"
    assert task_state("date", date(2026, 1, 1), True, today) == "done"


@pytest.mark.parametrize(
    ("day", "key", "due", "closes", "late"),
    [
        (date(2026, 6, 11), "2026-06", date(2026, 6, 12), date(2026, 6, 30), False),
        (date(2026, 6, 12), "2026-06", date(2026, 6, 12), date(2026, 6, 30), True),
        (date(2026, 6, 13), "2026-06", date(2026, 6, 12), date(2026, 6, 30), True),
        (date(2026, 6, 30), "2026-06", date(2026, 6, 12), date(2026, 6, 30), True),  # month end
        (date(2026, 7, 1), "2026-07", date(2026, 7, 12), date(2026, 7, 31), False),
        (date(2026, 12, 31), "2026-12", date(2026, 12, 12), date(2026, 12, 31), True),
        (date(2027, 1, 2), "2027-01", date(2027, 1, 12), date(2027, 1, 31), False),  # year end
    ],
)
def test_monthly_round(day: date, key: str, due: date, closes: date, late: bool) -> None:
    r = current_round(MONTHLY, day)
    assert (r.period_key, r.due, r.closes, r.is_late(day)) == (key, due, closes, late)


def test_monthly_days_left_on_11th_12th_13th() -> None:
    r = current_round(MONTHLY, date(2026, 6, 11))
    assert r.days_left(date(2026, 6, 9)) == 3
    assert r.days_left(date(2026, 6, 11)) == 1
    assert r.days_left(date(2026, 6, 12)) == 0
    assert r.days_left(date(2026, 6, 13)) == -1


@pytest.mark.parametrize(
    ("day", "key", "due", "closes"),
    [
        (date(2026, 6, 29), "2026-Q2", date(2026, 6, 30), date(2026, 8, 31)),
        (date(2026, 6, 30), "2026-Q2", date(2026, 6, 30), date(2026, 8, 31)),  # quarter end
        (date(2026, 8, 15), "2026-Q2", date(2026, 6, 30), date(2026, 8, 31)),  # still chased
        (date(2026, 9, 1), "2026-Q3", date(2026, 9, 30), date(2026, 11, 30)),
        (date(2027, 1, 10), "2026-Q4", date(2026, 12, 30), date(2027, 2, 28)),  # year end
        (date(2027, 2, 28), "2026-Q4", date(2026, 12, 30), date(2027, 2, 28)),
    ],
)
def test_quarterly_round(day: date, key: str, due: date, closes: date) -> None:
    r = current_round(QUARTERLY, day)
    assert (r.period_key, r.due, r.closes) == (key, due, closes)
    assert r.period_label.startswith("quý ")


def test_next_due_round_moves_on_after_deadline() -> None:
    assert next_due_round(MONTHLY, date(2026, 6, 13)).period_key == "2026-07"
    assert next_due_round(QUARTERLY, date(2026, 7, 1)).period_key == "2026-Q3"


def test_reminder_days_move_to_previous_working_day() -> None:
    # June 2026: 9th Tuesday, 11th Thursday: both working days.
    assert reminder_days(current_round(MONTHLY, date(2026, 6, 1)), CAL) == (
        date(2026, 6, 9),
        date(2026, 6, 11),
    )
    # July 2026: 9th Thursday, 11th Saturday → Friday 10th.
    assert reminder_days(current_round(MONTHLY, date(2026, 7, 1)), CAL) == (
        date(2026, 7, 9),
        date(2026, 7, 10),
    )
    # September 2026: 9th Wednesday, 11th Friday; holidays 1-2/9 do not interfere.
    assert reminder_days(current_round(MONTHLY, date(2026, 9, 5)), CAL)[0] == date(2026, 9, 9)


@pytest.mark.parametrize(
    ("day", "step"),
    [
        (date(2026, 6, 8), None),
        (date(2026, 6, 9), "private"),
        (date(2026, 6, 10), None),
        (date(2026, 6, 11), "private"),
        (date(2026, 6, 12), "group"),  # the deadline day: late
        (date(2026, 6, 13), None),  # Saturday: quiet
        (date(2026, 6, 15), "group"),
        (date(2026, 6, 30), "group"),
    ],
)
def test_ladder(day: date, step: str | None) -> None:
    assert reminder_step(current_round(MONTHLY, day), day, CAL) == step


def test_warning_window_from_first_reminder_day() -> None:
    r = current_round(MONTHLY, date(2026, 6, 1))
    assert not in_warning_window(r, date(2026, 6, 8), CAL)
    assert in_warning_window(r, date(2026, 6, 10), CAL)
    assert not in_warning_window(r, date(2026, 6, 12), CAL)


SKDT = Indicator(
    code="SKDT",
    name="Sổ sức khỏe",
    short="Sổ SKĐT",
    kind="ratio",
    target=Milestone(date(2026, 12, 31), 0.8),
    milestones=(Milestone(date(2026, 2, 28), 0.2), Milestone(date(2026, 6, 30), 0.5)),
)


def test_pace_off_and_on_track() -> None:
    today = date(2026, 6, 1)
    slow = milestone_pace(SKDT, today, 0.40, today, 0.39, date(2026, 5, 2))
    assert slow is not None and slow.milestone.rate == 0.5 and not slow.on_track
    fast = milestone_pace(SKDT, today, 0.45, today, 0.35, date(2026, 5, 2))
    assert fast is not None and fast.on_track  # +10 points a month reaches 50% by 30/6
    unknown = milestone_pace(SKDT, today, 0.45, today)
    assert unknown is not None and unknown.per_day is None and not unknown.on_track
    assert milestone_pace(SKDT, date(2027, 1, 2), 0.9, date(2027, 1, 2)) is None
