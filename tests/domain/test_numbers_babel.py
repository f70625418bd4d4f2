"""The fast number formatters stay byte-identical to the Babel calls they replaced."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction

from babel.numbers import format_percent, get_group_symbol
from hypothesis import example, given
from hypothesis import strategies as st

from domain import numbers
from domain.numbers import (
    Number,
    _locale,
    _points,
    format_change_points,
    format_int,
    format_rate,
)

# The formatters as they were: Babel asked on every call. Rounding (_points) and the language
# fallback (_locale) did not change and are the module's own: tests/domain/test_numbers.py
# holds the rounding to the reports' half-up, floats and fractions included.


def _format_int_babel(n: int, lang: str = "vi") -> str:
    return f"{n:,}".replace(",", get_group_symbol(_locale(lang)))


def _format_rate_babel(fraction: Number, lang: str = "vi", digits: int = 1) -> str:
    pattern = "0" + ("." + "0" * digits if digits > 0 else "") + "%"
    value = _points(fraction, digits) / 100
    return format_percent(value, pattern, locale=_locale(lang), decimal_quantization=True)


def _format_change_points_babel(delta: Number, lang: str = "vi", digits: int = 1) -> str:
    points = _points(delta, digits)
    if points == 0:
        return "unchanged" if _locale(lang) == "en" else "không đổi"
    magnitude = _format_rate_babel(abs(points) / 100, lang, digits)
    if _locale(lang) == "en":
        return f"{'up' if points > 0 else 'down'} {magnitude.rstrip('%')} points"
    return f"{'tăng' if points > 0 else 'giảm'} {magnitude}"


def _outcome(fn: Callable[..., str], *args: object) -> tuple[str, str]:
    """The text, or the exception type: both implementations must fail on the same inputs."""
    try:
        return "ok", fn(*args)
    except Exception as exc:
        return "raised", type(exc).__name__


_LANGS = st.sampled_from(["vi", "en", "fr"])  # 'fr' falls back to Vietnamese
_NUMBERS: st.SearchStrategy[Number] = st.one_of(
    st.integers(),
    st.integers(min_value=-(10**40), max_value=10**40),
    st.fractions(),
    st.decimals(),
    st.decimals(min_value=-2, max_value=2, places=6),
    st.floats(),
    st.floats(min_value=-2, max_value=2),
)


@given(st.integers() | st.integers(min_value=-(10**60), max_value=10**60), _LANGS)
@example(0, "vi")
@example(-1234567, "en")
def test_format_int_matches_babel(n: int, lang: str) -> None:
    assert format_int(n, lang) == _format_int_babel(n, lang)


@given(_NUMBERS, _LANGS, st.integers(min_value=0, max_value=3))
@example(Decimal("-0.0001"), "vi", 1)  # rounds to negative zero: '-0,0%'
@example(-0.0, "en", 0)
@example(Decimal("-0.0005"), "vi", 1)  # half-up away from zero
@example(Decimal("NaN"), "vi", 2)
@example(Decimal("-NaN"), "en", 1)
@example(Decimal("sNaN"), "vi", 1)
@example(float("inf"), "vi", 1)
@example(Decimal("1E+25"), "vi", 3)  # too many digits for the Decimal context: raises
@example(Fraction(19777, 34102), "en", 3)
def test_format_rate_matches_babel(value: Number, lang: str, digits: int) -> None:
    assert _outcome(format_rate, value, lang, digits) == _outcome(
        _format_rate_babel, value, lang, digits
    )


@given(_NUMBERS, _LANGS, st.integers(min_value=0, max_value=3))
@example(Decimal("-0.0001"), "vi", 1)
@example(Decimal("0.00049"), "en", 3)
@example(Decimal("NaN"), "en", 1)
def test_format_change_points_matches_babel(value: Number, lang: str, digits: int) -> None:
    assert _outcome(format_change_points, value, lang, digits) == _outcome(
        _format_change_points_babel, value, lang, digits
    )


@given(st.decimals(min_value=-(10**6), max_value=10**6, places=8), _LANGS, st.integers(-3, 6))
def test_format_rate_matches_babel_at_any_precision(value: Decimal, lang: str, digits: int) -> None:
    assert _outcome(format_rate, value, lang, digits) == _outcome(
        _format_rate_babel, value, lang, digits
    )


@given(
    st.integers(min_value=-(10**14), max_value=10**14),
    st.integers(min_value=1, max_value=10**14) | st.sampled_from([2, 8, 16, 2000, 34102]),
    _LANGS,
    st.integers(min_value=0, max_value=3),
)
@example(497, 2000, "vi", 1)  # a tie: 24,85% -> 24,9%
@example(-1, 20000, "en", 1)  # rounds to negative zero: '-0.0%'
@example(10**14 - 1, 1, "vi", 3)
def test_a_rates_integer_rounding_matches_the_decimal_path(
    num: int, den: int, lang: str, digits: int
) -> None:
    value = Fraction(num, den)
    decimal_path = numbers._format_points(numbers._points(value, digits), lang, digits)
    assert format_rate(value, lang, digits) == decimal_path
    assert numbers.format_rate_of(num, den, lang, digits) == decimal_path
