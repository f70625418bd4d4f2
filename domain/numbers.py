"""Reading and writing the numbers officers type: Vietnamese grouping, percentages, x/y figures."""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import cache

from babel.dates import format_date as _babel_date
from babel.numbers import get_decimal_symbol, get_group_symbol

from domain.text import fold

Number = Decimal | Fraction | int | float

_LOCALES = {"vi": "vi_VN", "en": "en"}

# A grouped number uses one separator throughout, and its first group has no leading zero:
# "0.123" is an English decimal, never a thousands-grouped integer.
_PLAIN = re.compile(r"[0-9]+")
_GROUPED = re.compile(r"[1-9][0-9]{0,2}(?P<sep>[., \u00a0\u202f])[0-9]{3}(?:(?P=sep)[0-9]{3})*")

_PERCENT = re.compile(r"([0-9]+)(?:[.,]([0-9]+))?\s*(?:%|phan tram|percent)")
_FRACTION = re.compile(r"(.+?)\s*(?:/|\bof\b|\btren\b)\s*(.+)")


def _locale(lang: str) -> str:
    """Babel locale for a bot language; anything but English falls back to Vietnamese."""
    return _LOCALES.get(lang, _LOCALES["vi"])


@cache
def _symbols(locale: str) -> tuple[str, str]:
    """(group, decimal) separators from Babel, looked up once: each lookup costs microseconds."""
    return get_group_symbol(locale), get_decimal_symbol(locale)


def parse_int(text: str) -> int | None:
    """'1.234.567', '1,234,567', '1 234 567', '1234567' -> 1234567; anything else -> None.

    The dot is the Vietnamese thousands separator, so '1.234' is 1234, never 1.234.
    Negatives, decimals and broken grouping ('12.34', '1.23.456') are refused.
    """
    text = text.strip()
    if not (_PLAIN.fullmatch(text) or _GROUPED.fullmatch(text)):
        return None
    digits = re.sub(r"[., \u00a0\u202f]", "", text)
    try:
        return int(digits)
    except ValueError:  # more digits than Python's int-from-string limit: not a real figure
        return None


def parse_percent(text: str) -> Decimal | None:
    """'83,2%', '83.2 %', '100%' -> Decimal('0.832') etc.: a fraction, not points.

    Values above 100% are returned as they are; deciding whether they make sense is the
    caller's job. Grouped thousands are not accepted here: no real rate has them.
    """
    match = _PERCENT.fullmatch(fold(text))
    if match is None:
        return None
    whole, decimals = match.group(1), match.group(2) or "0"
    return Decimal(f"{whole}.{decimals}") / 100


def parse_fraction(text: str) -> tuple[int, int] | None:
    """'1.234/5.678', '1234 / 5678', '1234 of 5678', '1.234 trên 5.678' -> (1234, 5678).

    A zero denominator or a numerator above the denominator is returned unchanged:
    this reads, validation happens where the indicator is known.
    """
    match = _FRACTION.fullmatch(fold(text))
    if match is None:
        return None
    num, den = parse_int(match.group(1)), parse_int(match.group(2))
    if num is None or den is None:
        return None
    return num, den


def rate(num: int, den: int) -> Decimal | None:
    """num/den as an exact-enough Decimal fraction; None when the denominator is zero."""
    if den == 0:
        return None
    return Decimal(num) / Decimal(den)


def _decimal(value: Number) -> Decimal:
    """Any number as a Decimal; floats go through str() so 0.1 stays 0.1."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    if isinstance(value, float):
        return Decimal(str(value))
    return Decimal(value)


def _points(fraction: Number, digits: int) -> Decimal:
    """A fraction as percentage points rounded half-up: reports round 57,95% to 58,0%, not 57,9%."""
    return (_decimal(fraction) * 100).quantize(_quantum(digits), rounding=ROUND_HALF_UP)


@cache
def _quantum(digits: int) -> Decimal:
    """10**-digits, built once per precision: callers only ever ask for a handful."""
    return Decimal(1).scaleb(-digits)


def format_int(n: int, lang: str = "vi") -> str:
    """1234567 -> '1.234.567' (vi) or '1,234,567' (en).

    Babel supplies the separator; Python groups the digits because Babel's Decimal
    context cannot hold integers of more than 28 digits.
    """
    grouped = f"{n:,}"
    return grouped.replace(",", _symbols(_locale(lang))[0])


def format_rate(fraction: Number, lang: str = "vi", digits: int = 1) -> str:
    """0.248 -> '24,8%' (vi) or '24.8%' (en); always `digits` decimals, so 0.5799 -> '58,0%'.

    No thousands grouping: a rate above 999% is a data error the reader should see plainly,
    and the output must read back through parse_percent.
    """
    if type(fraction) is Fraction:
        return format_rate_of(fraction.numerator, fraction.denominator, lang, digits)
    return _format_points(_points(fraction, digits), lang, digits)


# Numerator and denominator below this and at most 3 decimals: rounding in integers gives what
# the 28-digit Decimal path gives (its error stays far below a tie's distance, 1/(2·den)).
_EXACT_BELOW = 10**15


def format_rate_of(num: int, den: int, lang: str = "vi", digits: int = 1) -> str:
    """format_rate(num / den) for a figure's two counts (den not 0), without building the
    Fraction: an answer renders one per unit."""
    if abs(num) < _EXACT_BELOW and 0 < den < _EXACT_BELOW and 0 <= digits <= 3:
        return _format_fraction(num, den, lang, digits)
    return _format_points(_points(Fraction(num, den), digits), lang, digits)


def _format_fraction(num: int, den: int, lang: str, digits: int) -> str:
    """A rate (an answer's every unit line has one) rounded half-up in integers: the Decimal
    division and quantize cost most of rendering a line. tests/domain/test_numbers_babel.py
    holds it to the Decimal path."""
    points, rest = divmod(abs(num) * 10 ** (digits + 2), den)
    if 2 * rest >= den:
        points += 1
    whole, frac = divmod(points, 10**digits)
    text = f"{whole}{_symbols(_locale(lang))[1]}{frac:0{digits}d}" if digits else str(whole)
    return ("-" if num < 0 else "") + text + "%"


def _format_points(points: Decimal, lang: str, digits: int) -> str:
    """Rounded points as Babel's format_percent renders pattern '0.0…%', minus its per-call cost.

    Babel copies the pattern's '-' and '%' verbatim and only localises the decimal separator;
    tests/domain/test_numbers_babel.py holds this byte-identical to the Babel call.
    """
    whole, _, frac = f"{abs(points):f}".partition(".")
    if digits > 0:
        whole += _symbols(_locale(lang))[1] + frac.ljust(digits, "0")  # NaN has no decimals
    return ("-" if points.is_signed() else "") + whole + "%"


def format_count_of(num: int, den: int, lang: str = "vi") -> str:
    """(19777, 34102) -> '19.777/34.102' (vi) or '19,777/34,102' (en)."""
    return f"{format_int(num, lang)}/{format_int(den, lang)}"


def format_ratio_count(k: int, n: int) -> str:
    """(3, 78) -> '03/78': units done out of units, zero-padded as the provincial reports do."""
    return f"{k:02d}/{n:02d}"


def format_date(d: date, lang: str = "vi") -> str:
    """'20/04/2026' (vi); '20 Apr 2026' (en): '04/20' or '20/04' would mislead English readers."""
    if _locale(lang) == "en":
        return _babel_date(d, "d MMM y", locale="en")
    return d.strftime("%d/%m/%Y")


def format_change_points(delta: Number, lang: str = "vi", digits: int = 1) -> str:
    """A change of a rate, given as a fraction: 0.08 -> 'tăng 8,0%' (vi) / 'up 8.0 points' (en).

    A change that rounds to zero reads 'không đổi' / 'unchanged' rather than 'tăng 0,0%'.
    """
    points = _points(delta, digits)
    if points == 0:
        return "unchanged" if _locale(lang) == "en" else "không đổi"
    magnitude = _format_points(abs(points), lang, digits)
    if _locale(lang) == "en":
        return f"{'up' if points > 0 else 'down'} {magnitude.rstrip('%')} points"
    return f"{'tăng' if points > 0 else 'giảm'} {magnitude}"
