"""Property tests of the submission parser: what it reads back, and what it never does."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.numbers import format_date, format_int, format_rate
from domain.submissions import MAX_LENGTH, MAX_VALUE, looks_like_submission, parse
from tests.figures.test_corpus_real import CAT, TODAY, VOCAB

RATIO_NAMES = ["ASXH", "asxh", "tk asxh", "Người có công", "nguoi co cong", "BTXH",
               "bảo trợ xã hội", "lương hưu", "luong huu", "Sổ SKĐT", "so suc khoe", "đất đai",
               "dat dai", "ĐDDT mức 2", "dinh danh muc 2"]  # fmt: skip
EXPECTED = {"ASXH": "ASXH", "asxh": "ASXH", "tk asxh": "ASXH", "Người có công": "NCC",
            "nguoi co cong": "NCC", "BTXH": "BTXH", "bảo trợ xã hội": "BTXH",
            "lương hưu": "LUONG_HUU", "luong huu": "LUONG_HUU", "Sổ SKĐT": "SKDT",
            "so suc khoe": "SKDT", "đất đai": "DAT", "dat dai": "DAT", "ĐDDT mức 2": "DDDT_M2",
            "dinh danh muc 2": "DDDT_M2"}  # fmt: skip
COMMUNES = [u for u in CAT.communes() if u.code != "phuong-quang-tri"]

figures = st.integers(min_value=1, max_value=5_000_000).flatmap(
    lambda den: st.tuples(st.integers(min_value=0, max_value=den), st.just(den))
)
past_days = st.integers(min_value=0, max_value=300).map(lambda n: TODAY - timedelta(days=n))


@settings(max_examples=150, deadline=None)
@given(
    figure=figures,
    name=st.sampled_from(RATIO_NAMES),
    unit=st.one_of(st.none(), st.sampled_from(COMMUNES)),
    day=st.one_of(st.none(), past_days),
    sep=st.sampled_from([" ", ": ", " - "]),
    plain=st.booleans(),
)
def test_any_valid_figure_in_vietnamese_format_reads_back(
    figure: tuple[int, int], name: str, unit: object, day: date | None, sep: str, plain: bool
) -> None:
    num, den = figure
    value = f"{num}/{den}" if plain else f"{format_int(num)}/{format_int(den)}"
    text = f"{unit.name} {name}{sep}{value}" if unit is not None else f"{name}{sep}{value}"  # type: ignore[attr-defined]
    if day is not None:
        text += f" ngày {format_date(day)}"
    parsed = parse(text, VOCAB, TODAY)
    assert parsed.ok, (text, parsed)
    [d] = parsed.drafts
    assert (d.indicator, d.numerator, d.denominator) == (EXPECTED[name], num, den), text
    assert d.unit == (unit.code if unit is not None else None), text  # type: ignore[attr-defined]
    assert d.as_of == (day or TODAY), text
    assert looks_like_submission(text), text


@settings(max_examples=100, deadline=None)
@given(figure=figures, name=st.sampled_from(RATIO_NAMES))
def test_a_restated_rate_is_not_a_second_figure(figure: tuple[int, int], name: str) -> None:
    num, den = figure
    text = f"{name} {format_int(num)}/{format_int(den)}, đạt tỷ lệ {format_rate(num / den)}"
    parsed = parse(text, VOCAB, TODAY)
    assert parsed.ok, (text, parsed)
    assert [(d.numerator, d.denominator) for d in parsed.drafts] == [(num, den)]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_parse_never_raises_and_never_reads_impossible_figures(text: str) -> None:
    parsed = parse(text, VOCAB, TODAY)
    assert parsed.drafts or parsed.problems
    for d in parsed.drafts:
        assert d.numerator is None or 0 <= d.numerator <= MAX_VALUE
        assert d.denominator is None or 0 <= d.denominator <= MAX_VALUE
        assert d.rate is None or 0 <= d.rate <= 1


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet="0123456789.,/%- ASXHđãchưa;\n", max_size=200))
def test_parse_never_raises_on_figure_like_noise(text: str) -> None:
    parse(text, VOCAB, TODAY)


def test_a_message_longer_than_telegram_allows_is_refused_whole() -> None:
    parsed = parse("ASXH 1/2\n" * (MAX_LENGTH // 9 + 1), VOCAB, TODAY)
    assert [p.code for p in parsed.problems] == ["too_long"]


QUESTION_STARTS = ["xã nào", "bao nhiêu", "top 10", "5 xã thấp nhất", "which communes",
                   "how many", "so sánh", "xếp hạng", "biểu đồ", "lịch sử", "tại sao"]  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(
    start=st.sampled_from(QUESTION_STARTS),
    name=st.sampled_from(RATIO_NAMES),
    figure=figures,
    mark=st.sampled_from(["", "?", " ạ?"]),
)
def test_questions_are_never_submissions(
    start: str, name: str, figure: tuple[int, int], mark: str
) -> None:
    num, den = figure
    assert not looks_like_submission(f"{start} {name} {format_int(num)}/{format_int(den)}{mark}")
    assert not looks_like_submission(f"{name} {num}/{den} {start}{mark}")


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200))
def test_anything_ending_in_a_question_mark_is_a_question(text: str) -> None:
    assert not looks_like_submission(text + "?")


@settings(max_examples=100, deadline=None)
@given(days=st.integers(min_value=1, max_value=200), name=st.sampled_from(RATIO_NAMES))
def test_a_future_date_reads_as_such_for_validation_to_refuse(days: int, name: str) -> None:
    day = TODAY + timedelta(days=days)
    if day.year != TODAY.year:
        return  # a bare d/m/yyyy of next year; the check refuses it the same way
    parsed = parse(f"{name} 1/2 ngày {day.day}/{day.month}/{day.year}", VOCAB, TODAY)
    assert [d.as_of for d in parsed.drafts] == [day]
