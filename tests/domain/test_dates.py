"""Dates inside officers' free text."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.dates import find_date, find_dates, parse_date

TODAY = date(2026, 4, 21)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20/4/2026", date(2026, 4, 20)),
        ("20-4-2026", date(2026, 4, 20)),
        ("20.4.2026", date(2026, 4, 20)),
        ("20/4/26", date(2026, 4, 20)),
        ("ngày 20/4", date(2026, 4, 20)),
        ("tính đến 20/4", date(2026, 4, 20)),
        ("tinh den 20/4", date(2026, 4, 20)),
        ("đến ngày 20/4/2026", date(2026, 4, 20)),
        ("ngày 20 tháng 4", date(2026, 4, 20)),
        ("ngày 20 tháng 4 năm 2026", date(2026, 4, 20)),
        ("ngay 20 thang 4 nam 2025", date(2025, 4, 20)),
        ("hôm qua", date(2026, 4, 20)),
        ("hom qua", date(2026, 4, 20)),
        ("hôm nay", date(2026, 4, 21)),
        ("hom nay", date(2026, 4, 21)),
        ("hôm kia", date(2026, 4, 19)),
        ("as of April 20", date(2026, 4, 20)),
        ("April 20, 2026", date(2026, 4, 20)),
        ("20 April 2026", date(2026, 4, 20)),
        ("yesterday", date(2026, 4, 20)),
        ("today", date(2026, 4, 21)),
        ("TÍNH ĐẾN NGÀY 20/4", date(2026, 4, 20)),
    ],
)
def test_find_date_forms(text: str, expected: date) -> None:
    match = find_date(text, TODAY)
    assert match is not None
    assert match.date == expected
    assert match.span == (0, len(text))


def test_span_covers_intro_words_so_the_caller_can_cut_them() -> None:
    text = "Tính đến ngày 20/4 ASXH đạt 1.234/5.678"
    match = find_date(text, TODAY)
    assert match is not None
    assert match.date == date(2026, 4, 20)
    assert text[match.span[0] : match.span[1]] == "Tính đến ngày 20/4"


def test_span_indexes_the_original_text_even_when_decomposed() -> None:
    text = "ASXH  1234/5678   ngày 20/4"
    decomposed = text.replace("à", "a\u0300")
    match = find_date(decomposed, TODAY)
    assert match is not None
    assert decomposed[match.span[0] :] == "nga\u0300y 20/4"


@pytest.mark.parametrize(
    "text",
    [
        "asxh 45/60",
        "asxh 3/5",  # the figure itself, not 3 May
        "ASXH 1.234/5.678",
        "ASXH 1234/5678",
        "Nghị định 13/2023/NĐ-CP",
        "ngày 31/2",
        "ngày 45/60",
        "tháng 4/2026",
        "",
    ],
)
def test_figures_are_not_dates(text: str) -> None:
    assert find_date(text, TODAY) is None


def test_introduced_date_after_a_figure() -> None:
    match = find_date("asxh 1234/5678 ngày 20/4", TODAY)
    assert match is not None
    assert match.date == date(2026, 4, 20)
    assert match.span == (15, 24)


def test_lone_day_month_after_a_figure_is_a_date() -> None:
    text = "ASXH 1234/5678 20/4"
    match = find_date(text, TODAY)
    assert match is not None
    assert (match.date, text[match.span[0] :]) == (date(2026, 4, 20), "20/4")


def test_yearless_date_in_the_future_is_still_returned() -> None:
    match = find_date("ngày 31/12", date(2026, 1, 2))
    assert match is not None
    assert match.date == date(2026, 12, 31)
    assert not match.has_year


def test_find_dates_lists_every_date() -> None:
    found = find_dates("từ ngày 1/4/2026 đến ngày 20/4/2026", TODAY)
    assert [m.date for m in found] == [date(2026, 4, 1), date(2026, 4, 20)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20/4", date(2026, 4, 20)),
        (" 20/4/2026. ", date(2026, 4, 20)),
        ("hôm qua", date(2026, 4, 20)),
        ("20 April 2026", date(2026, 4, 20)),
        ("ngày 20 tháng 4", date(2026, 4, 20)),
    ],
)
def test_parse_date_whole_string(text: str, expected: date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize("text", ["20/4 asxh", "45/60", "31/2", "asxh", "1.234/5.678"])
def test_parse_date_refuses_more_than_a_date(text: str) -> None:
    assert parse_date(text, TODAY) is None


_DATES = st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31))


@given(_DATES)
def test_numeric_date_with_year_round_trips(d: date) -> None:
    match = find_date(f"ngày {d.day}/{d.month}/{d.year}", TODAY)
    assert match is not None
    assert match.date == d


@given(_DATES)
def test_vietnamese_words_date_round_trips(d: date) -> None:
    match = find_date(f"ngày {d.day} tháng {d.month} năm {d.year}", TODAY)
    assert match is not None
    assert match.date == d


@given(st.text())
def test_never_raises(text: str) -> None:
    find_dates(text, TODAY)
    parse_date(text, TODAY)
