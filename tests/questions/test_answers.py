"""Answers checked against figures computed here from what the test wrote."""

from __future__ import annotations

from fractions import Fraction

from domain.numbers import format_int, format_rate
from handlers.questions import render_answer
from services.access import Actor
from services.answers import answer
from tests.questions.conftest import SILENT_UNIT, STALE_UNIT, Dataset

LEADER = Actor(1, "Lãnh đạo", "leader")


def _pooled(data: Dataset, code: str) -> tuple[int, int]:
    rows = [v for v in data.latest[code].values() if v[1]]
    return sum(v[0] for v in rows), sum(v[1] for v in rows)


async def test_below_average_matches_independent_sums(dataset: Dataset) -> None:
    a = await answer(dataset.env, LEADER, "xã nào dưới mức trung bình về tài khoản an sinh xã hội?")
    num, den = _pooled(dataset, "ASXH")
    expected = sorted(
        (Fraction(n, d), u)
        for u, (n, d, _, _) in dataset.latest["ASXH"].items()
        if Fraction(n, d) < Fraction(num, den)
    )
    assert [x.code for x in a.rows] == [u for _, u in expected]
    assert (a.facts[0].pooled.numerator, a.facts[0].pooled.denominator) == (num, den)
    html = render_answer(a)
    assert f"{len(expected):02d}/78" in html
    assert format_rate(Fraction(num, den)) in html
    assert "Cam Lộ" in html.split("cũ hơn kỳ báo cáo")[1]  # the stale unit is named
    assert "Lìa" in html.split("Chưa có số liệu")[1]  # the silent unit is named
    assert "23/04/2026" in html


async def test_unassigned_unit_is_left_out_and_said(dataset: Dataset) -> None:
    a = await answer(dataset.env, LEADER, "xa nao duoi trung binh dat dai")
    facts = a.facts[0]
    assert facts.assigned == 77
    assert "con-co" not in {x.code for x in facts.lines}
    assert "không được giao chỉ tiêu" in render_answer(a)
    assert "Cồn Cỏ" in render_answer(a)


async def test_province_overview_report_sentence(dataset: Dataset) -> None:
    a = await answer(dataset.env, LEADER, "tình hình toàn tỉnh")
    num, den = _pooled(dataset, "NCC")
    html = render_answer(a)
    assert f"Toàn tỉnh đã có <b>{format_int(num)}/{format_int(den)}</b>" in html
    base = dataset.year_start["NCC"]
    delta = Fraction(num, den) - Fraction(
        sum(v[0] for v in base.values()), sum(v[1] for v in base.values())
    )
    word = "tăng" if delta > 0 else "giảm"
    assert f"{word} {format_rate(abs(delta))} so với đầu năm 2026" in html
    assert "Trong đó, <b>01/78</b> địa phương đạt tỷ lệ 100%" in html


async def test_ranking_and_unit_rank(dataset: Dataset) -> None:
    a = await answer(dataset.env, LEADER, "5 xa thap nhat so suc khoe")
    rates = sorted((Fraction(n, d), u) for u, (n, d, _, _) in dataset.latest["SKDT"].items())
    assert [x.code for x in a.rows] == [u for _, u in rates[:5]]
    b = await answer(dataset.env, LEADER, "Vĩnh Thủy đứng thứ mấy về sổ sức khỏe?")
    higher = sum(1 for r, _ in rates if r > dict((u, r) for r, u in rates)["vinh-thuy"])
    assert b.focus is not None and b.focus.rank == higher + 1
    assert "công dân có bảo hiểm y tế có hiệu lực" in render_answer(b)  # the denominator named


async def test_not_meeting_threshold_and_done(dataset: Dataset) -> None:
    a = await answer(dataset.env, LEADER, "ai chưa đạt 70%")
    assert a.query.indicators == ("NCC",)
    expected = {u for u, (n, d, _, _) in dataset.latest["NCC"].items() if Fraction(n, d) < 0.7}
    assert {x.code for x in a.rows} == expected
    b = await answer(dataset.env, LEADER, "xã nào chưa thành lập BCĐ đánh số nhà?")
    not_done = {u for u, v in dataset.latest["DSN_BCD"].items() if not v[2]}
    assert {x.code for x in b.rows} == not_done
    assert "chưa ban hành Quyết định thành lập Ban Chỉ đạo" in render_answer(b)


async def test_not_reported_this_month(dataset: Dataset) -> None:
    a = await answer(dataset.env, LEADER, "xã nào chưa báo cáo tháng này?")
    assert {x.code for x in a.rows} == {STALE_UNIT, SILENT_UNIT}


async def test_change_and_english(dataset: Dataset) -> None:
    a = await answer(
        dataset.env, LEADER, "how much did social accounts change since the start of the year"
    )
    assert a.lang == "en" and a.kind == "change"
    html = render_answer(a)
    assert "Change since the start of 2026" in html and "points" in html


async def test_unknown_gives_three_examples(dataset: Dataset) -> None:
    a = await answer(dataset.env, LEADER, "xin chào")
    assert a.kind == "unknown" and len(a.examples) == 3
