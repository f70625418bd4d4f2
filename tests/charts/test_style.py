from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from charts import style


def test_percent_in_vietnamese():
    assert style.fmt_pct(0.248) == "24,8%"
    assert style.fmt_pct(0.0) == "0,0%"
    assert style.fmt_pct(1.0, trim=True) == "100%"
    assert style.fmt_pct(0.725, trim=True) == "72,5%"
    assert style.fmt_pct(12.3456) == "1.234,6%"
    assert style.fmt_pct(0.248, "en") == "24.8%"


def test_thousands_and_dates():
    assert style.fmt_int(12345) == "12.345"
    assert style.fmt_int(1234567, "en") == "1,234,567"
    assert style.fmt_int(999) == "999"
    assert style.fmt_date(date(2026, 4, 3)) == "03/04/2026"


@given(st.floats(min_value=0.0, max_value=0.99999999))
def test_below_full_never_reads_as_full(rate):
    assert not style.fmt_pct(rate).startswith("100")


@given(st.floats(min_value=0.0, max_value=50.0))
def test_percent_shape(rate):
    text = style.fmt_pct(rate)
    assert text.endswith("%") and "," in text
    whole = text[:-1].split(",")[0].replace(".", "")
    assert int(whole) == int(float(text[:-1].replace(".", "").replace(",", ".")))


def test_bar_colour_rule():
    assert style.bar_colour(0.10, 0.248, 1.0) == style.WARN
    assert style.bar_colour(0.30, 0.248, 1.0) == style.BAR
    assert style.bar_colour(1.00, 0.248, 1.0) == style.GOOD
    assert style.bar_colour(0.248, 0.248, None) == style.BAR
    assert style.bar_colour(0.10, None, None) == style.BAR


@given(st.text(alphabet="abc đĐ xã", min_size=0, max_size=120), st.integers(8, 40))
def test_wrap_keeps_words(text, width):
    out = style.wrap(text, width)
    assert out.split() == text.split()
    for line in out.split("\n"):
        assert len(line) <= width or " " not in line
