"""Deadlines in plan cells and periods in questions."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.periods import (
    ROMAN,
    month_end,
    parse_due,
    parse_period,
    quarter_end,
    quarter_of,
)

TODAY = date(2026, 4, 21)  # a Tuesday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # 'trước X' means 'by X': the due date is X itself.
        ("Hoàn thành trước 10/5/2026", date(2026, 5, 10)),
        ("trước ngày 31/12/2026", date(2026, 12, 31)),
        ("Trong tháng 5/2026", date(2026, 5, 31)),
        ("Ban hành Kế hoạch trong tháng 5/2026", date(2026, 5, 31)),
        ("Quý I/2027", date(2027, 3, 31)),
        ("Quý II/2026", date(2026, 6, 30)),
        ("quý 3/2026", date(2026, 9, 30)),
        ("Quý IV năm 2026", date(2026, 12, 31)),
        ("Trong năm 2026", date(2026, 12, 31)),
        ("Thực hiện trong năm 2026", date(2026, 12, 31)),
        ("dự kiến đến hết ngày 30/6/2026", date(2026, 6, 30)),
        ("6 tháng đầu năm 2026", date(2026, 6, 30)),
        ("cuối năm 2026", date(2026, 12, 31)),
        ("tháng 4/2026", date(2026, 4, 30)),
        ("hết tháng 5/2026", date(2026, 5, 31)),
        ("tháng 2/2028", date(2028, 2, 29)),
        ("ngày 20 tháng 4 năm 2026", date(2026, 4, 20)),
        ("giai đoạn 2026-2030", date(2030, 12, 31)),
        ("quy I/2027", date(2027, 3, 31)),
        ("trong thang 5/2026", date(2026, 5, 31)),
        ("hoan thanh truoc ngay 31/12/2026", date(2026, 12, 31)),
        (
            "Hoàn thành đánh số nhà trước ngày 31/12/2026 Triển khai phần mềm định danh địa "
            "điểm ngay khi có chỉ đạo của Bộ Công an",
            date(2026, 12, 31),
        ),
        (
            "Hoàn thành tích hợp … theo thời hạn yêu cầu. Duy trì vận hành đến khi hệ thống "
            "của Trung ương triển khai (dự kiến đến hết ngày 30/6/2026)",
            date(2026, 6, 30),
        ),
        (
            "Theo Kế hoạch số 1199/KH-UBND ngày 25/5/2026, hoàn thành trong Quý III/2026",
            date(2026, 9, 30),
        ),
    ],
)
def test_parse_due_dates(text: str, expected: date) -> None:
    due = parse_due(text)
    assert (due.kind, due.due_date, due.text) == ("date", expected, text)


def test_multi_clause_cell_keeps_every_step() -> None:
    text = (
        "Hoàn thành làm sạch dữ liệu đất đai, đối khớp với CSDLQG về dân cư trong tháng "
        "4/2026. Đề xuất sử dụng dữ liệu để cắt giảm TTHC trong Quý II/2026."
    )
    due = parse_due(text)
    assert due.due_date == date(2026, 6, 30)
    assert due.steps == (
        (
            "Hoàn thành làm sạch dữ liệu đất đai, đối khớp với CSDLQG về dân cư trong tháng 4/2026",
            date(2026, 4, 30),
        ),
        ("Đề xuất sử dụng dữ liệu để cắt giảm TTHC trong Quý II/2026", date(2026, 6, 30)),
    )


@pytest.mark.parametrize(
    "text",
    [
        "Thường xuyên",
        "Thực hiện thường xuyên",
        "Thường xuyên, bám sát lộ trình triển khai của các bộ, ngành",
        "thuong xuyen",
        "Hằng tháng",
    ],
)
def test_parse_due_recurring(text: str) -> None:
    due = parse_due(text)
    assert (due.kind, due.due_date) == ("recurring", None)


@pytest.mark.parametrize(
    "text",
    [
        "sớm nhất có thể",
        "theo thời hạn yêu cầu",
        "Triển khai ngay khi có chỉ đạo của Bộ Công an",
        "đầu năm 2026",
        "trong tháng 5",
        "",
    ],
)
def test_parse_due_unknown_never_guesses(text: str) -> None:
    due = parse_due(text)
    assert (due.kind, due.due_date) == ("unknown", None)
    assert due.reason


def test_year_hint_completes_yearless_deadlines() -> None:
    assert parse_due("trong tháng 5", year_hint=2026).due_date == date(2026, 5, 31)
    assert parse_due("trước ngày 10/5", year_hint=2026).due_date == date(2026, 5, 10)
    assert parse_due("Quý II", year_hint=2026).due_date == date(2026, 6, 30)


@pytest.mark.parametrize(
    ("text", "start", "end", "label"),
    [
        ("quý I/2026", date(2026, 1, 1), date(2026, 3, 31), "quý I/2026"),
        ("tháng 4", date(2026, 4, 1), date(2026, 4, 30), "tháng 4/2026"),
        ("tháng 4/2026", date(2026, 4, 1), date(2026, 4, 30), "tháng 4/2026"),
        ("tháng này", date(2026, 4, 1), date(2026, 4, 30), "tháng 4/2026"),
        ("this month", date(2026, 4, 1), date(2026, 4, 30), "tháng 4/2026"),
        ("tháng trước", date(2026, 3, 1), date(2026, 3, 31), "tháng 3/2026"),
        ("last month", date(2026, 3, 1), date(2026, 3, 31), "tháng 3/2026"),
        ("tuần này", date(2026, 4, 20), date(2026, 4, 26), "tuần 20/04–26/04/2026"),
        ("this week", date(2026, 4, 20), date(2026, 4, 26), "tuần 20/04–26/04/2026"),
        ("năm nay", date(2026, 1, 1), date(2026, 12, 31), "năm 2026"),
        ("6 tháng đầu năm", date(2026, 1, 1), date(2026, 6, 30), "6 tháng đầu năm 2026"),
        ("đầu năm", date(2026, 1, 1), TODAY, "từ đầu năm 2026"),
        ("tính đến 31/3", date(2026, 1, 1), date(2026, 3, 31), "tính đến 31/03/2026"),
        ("tỷ lệ ASXH quý trước", date(2026, 1, 1), date(2026, 3, 31), "quý I/2026"),
        ("Q1 2026", date(2026, 1, 1), date(2026, 3, 31), "quý I/2026"),
        ("tháng 12", date(2025, 12, 1), date(2025, 12, 31), "tháng 12/2025"),
        ("quy iv", date(2025, 10, 1), date(2025, 12, 31), "quý IV/2025"),
    ],
)
def test_parse_period(text: str, start: date, end: date, label: str) -> None:
    period = parse_period(text, TODAY)
    assert period is not None
    assert (period.start, period.end, period.label) == (start, end, label)


def test_last_quarter_crosses_the_year() -> None:
    period = parse_period("quý trước", date(2026, 2, 1))
    assert period is not None
    assert (period.start, period.end) == (date(2025, 10, 1), date(2025, 12, 31))


@pytest.mark.parametrize("text", ["asxh bao nhiêu", "tháng 13", ""])
def test_parse_period_none(text: str) -> None:
    assert parse_period(text, TODAY) is None


def test_calendar_helpers() -> None:
    assert quarter_of(date(2026, 4, 1)) == 2
    assert quarter_of(date(2026, 12, 31)) == 4
    assert quarter_end(2027, 1) == date(2027, 3, 31)
    assert month_end(2026, 2) == date(2026, 2, 28)
    assert month_end(2028, 2) == date(2028, 2, 29)


@given(st.integers(2020, 2040), st.integers(1, 4))
def test_quarter_phrase_gives_quarter_end(year: int, quarter: int) -> None:
    due = parse_due(f"Quý {ROMAN[quarter - 1]}/{year}")
    assert due.due_date == quarter_end(year, quarter)


@given(st.integers(2020, 2040), st.integers(1, 12))
def test_month_phrase_gives_month_end(year: int, month: int) -> None:
    assert parse_due(f"trong tháng {month}/{year}").due_date == month_end(year, month)


@given(st.text())
def test_never_raises(text: str) -> None:
    parse_due(text)
    parse_due(text, year_hint=2026)
    parse_period(text, TODAY)
