"""Vietnamese number reading and formatting."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.numbers import (
    format_change_points,
    format_count_of,
    format_date,
    format_int,
    format_rate,
    format_ratio_count,
    parse_fraction,
    parse_int,
    parse_percent,
    rate,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234.567", 1234567),
        ("1234567", 1234567),
        ("1 234 567", 1234567),
        ("1\u00a0234\u00a0567", 1234567),
        ("1,234,567", 1234567),
        ("1.234", 1234),
        ("  45 ", 45),
        ("0", 0),
    ],
)
def test_parse_int_reads_grouped_numbers(text: str, expected: int) -> None:
    assert parse_int(text) == expected


@pytest.mark.parametrize(
    "text",
    ["1.2.3", "12.34", "1.23.456", "1.234,567", "-5", "1,5", "12.5", "0.123", "", "abc", "1 23"],
)
def test_parse_int_refuses_malformed(text: str) -> None:
    assert parse_int(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("83,2%", Decimal("0.832")),
        ("83.2%", Decimal("0.832")),
        ("83,2 %", Decimal("0.832")),
        ("100%", Decimal("1")),
        ("83,25%", Decimal("0.8325")),
        ("120%", Decimal("1.2")),  # returned as is: validation belongs to the caller
        ("50 phần trăm", Decimal("0.5")),
    ],
)
def test_parse_percent(text: str, expected: Decimal) -> None:
    assert parse_percent(text) == expected


@pytest.mark.parametrize("text", ["83,2", "%", "8,3,2%", "-5%", "abc%", "83,%"])
def test_parse_percent_refuses_malformed(text: str) -> None:
    assert parse_percent(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234/5.678", (1234, 5678)),
        ("1234 / 5678", (1234, 5678)),
        ("1234 of 5678", (1234, 5678)),
        ("1.234 trên 5.678", (1234, 5678)),
        ("1.234 tren 5.678", (1234, 5678)),
        ("45/60", (45, 60)),
    ],
)
def test_parse_fraction(text: str, expected: tuple[int, int]) -> None:
    assert parse_fraction(text) == expected


@pytest.mark.parametrize("text", ["1234", "1.2.3/45", "a/b", "12/", "/12", "1/2/3"])
def test_parse_fraction_refuses_malformed(text: str) -> None:
    assert parse_fraction(text) is None


def test_rate_never_divides_by_zero() -> None:
    assert rate(5, 0) is None
    assert rate(1, 4) == Decimal("0.25")


def test_format_int() -> None:
    assert format_int(1234567) == "1.234.567"
    assert format_int(1234567, "en") == "1,234,567"
    assert format_int(999) == "999"


@pytest.mark.parametrize(
    ("fraction", "lang", "expected"),
    [
        (Decimal("0.248"), "vi", "24,8%"),
        (Decimal("0.248"), "en", "24.8%"),
        (Decimal("0.5799"), "vi", "58,0%"),
        (Decimal(19777) / Decimal(34102), "vi", "58,0%"),
        (Decimal("0.24850"), "vi", "24,9%"),  # half-up, as the reports round
        (1, "vi", "100,0%"),
        (0.5, "en", "50.0%"),
        (0.24850, "vi", "24,9%"),  # a float as written, not its binary value 0.248499…
        (Fraction(497, 2000), "vi", "24,9%"),  # 24,85% exactly
    ],
)
def test_format_rate(fraction: Decimal, lang: str, expected: str) -> None:
    assert format_rate(fraction, lang) == expected


def test_format_rate_digits() -> None:
    assert format_rate(Decimal("0.83254"), "vi", digits=2) == "83,25%"
    assert format_rate(Decimal("0.83254"), "vi", digits=0) == "83%"


def test_format_counts_and_dates() -> None:
    assert format_count_of(19777, 34102) == "19.777/34.102"
    assert format_count_of(19777, 34102, "en") == "19,777/34,102"
    assert format_ratio_count(3, 78) == "03/78"
    assert format_ratio_count(12, 8) == "12/08"
    assert format_date(date(2026, 4, 20)) == "20/04/2026"
    assert format_date(date(2026, 4, 20), "en") == "20 Apr 2026"


@pytest.mark.parametrize(
    ("delta", "lang", "expected"),
    [
        (Decimal("0.08"), "vi", "tăng 8,0%"),
        (Decimal("-0.012"), "vi", "giảm 1,2%"),
        (Decimal("0.08"), "en", "up 8.0 points"),
        (Decimal("-0.012"), "en", "down 1.2 points"),
        (Decimal("0.0001"), "vi", "không đổi"),
        (Decimal("0"), "en", "unchanged"),
    ],
)
def test_format_change_points(delta: Decimal, lang: str, expected: str) -> None:
    assert format_change_points(delta, lang) == expected


@given(st.integers(min_value=0), st.sampled_from(["vi", "en"]))
def test_format_then_parse_int_round_trips(n: int, lang: str) -> None:
    assert parse_int(format_int(n, lang)) == n


@given(st.text())
def test_parsers_never_raise(text: str) -> None:
    parse_int(text)
    parse_percent(text)
    parse_fraction(text)


@given(
    st.integers(min_value=0, max_value=10**7),
    st.integers(min_value=1, max_value=10**7),
    st.sampled_from(["vi", "en"]),
)
def test_format_rate_parses_back_within_rounding(num: int, den: int, lang: str) -> None:
    fraction = rate(num, den)
    assert fraction is not None
    parsed = parse_percent(format_rate(fraction, lang))
    assert parsed is not None
    assert abs(parsed - fraction) * 100 <= Decimal("0.05")
