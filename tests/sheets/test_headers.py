"""Header matching, row validation and context (indicator, as-of day): domain/sheets.py."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest

from domain import sheets as d
from services.catalogue import load_catalogue
from services.context import indicator_index, unit_index

CAT = load_catalogue(Path(__file__).resolve().parents[2] / "catalogues" / "quang-tri")
UNITS, INDICATORS = unit_index(CAT), indicator_index(CAT)
TODAY = date(2026, 4, 25)


def ctx(**kw: object) -> d.Context:
    base: dict[str, object] = {"units": UNITS, "indicators": INDICATORS, "today": TODAY,
                               "skip_units": frozenset({"quang-tri"})}  # fmt: skip
    base.update(kw)
    return d.Context(**base)  # type: ignore[arg-type]


VARIANTS = {
    "plain": [["STT", "Đơn vị", "Số đã tích hợp", "Tổng số", "Tỷ lệ"],
              [1, "Vĩnh Thủy", 120, 400, 0.3]],
    "ten_don_vi_no_diacritics": [["stt", "ten don vi", "so da tich hop", "tong so", "ty le (%)"],
                                 [1, "Vinh Thuy", "120", "400", "30"]],
    "dia_phuong_title_above": [["BẢNG TỔNG HỢP KẾT QUẢ"], [],
                               ["TT", "Địa phương", "Số đã đăng ký", "Tổng số đối tượng"],
                               [1, "xã Vĩnh Thủy", "120", "400"]],
    "xa_phuong_rate_text": [["STT", "Xã, phường", "Số công dân đã tích hợp", "Tổng số", "Tỷ lệ"],
                            ["1", "UBND xã Vĩnh Thủy", "120", "400", "30,0%"]],
    "two_row_merged": [["STT", "Tên đơn vị", "Tài khoản ASXH", None, None],
                       [None, None, "Đã tích hợp", "Tổng số", "Tỷ lệ"],
                       [1, "Vĩnh Thủy", 120, 400, 0.3]],
    "rate_and_total_only": [["STT", "Đơn vị", "Tổng số", "Tỷ lệ"], [1, "Vĩnh Thủy", 400, "30%"]],
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_header_variants_give_the_same_figure(name: str) -> None:
    grid = VARIANTS[name]
    header = d.find_header(grid, INDICATORS)
    assert header is not None, name
    parsed = d.parse_sheet(grid, header, ctx(indicator_hint="ASXH", as_of_hint=date(2026, 4, 20)))
    assert parsed.needs == ()
    assert [(r.unit, r.indicator, r.numerator, r.denominator) for r in parsed.rows] == [
        ("vinh-thuy", "ASXH", 120, 400)
    ], (name, parsed)
    assert parsed.rows[0].derived is (name == "rate_and_total_only")


def test_two_row_header_with_two_indicators() -> None:
    grid = [
        ["STT", "Đơn vị", "Người có công", None, None, "Bảo trợ xã hội", None, None],
        [None, None, "Số đã đăng ký", "Tổng số", "Tỷ lệ", "Số đã đăng ký", "Tổng số", "Tỷ lệ"],
        [1, "Cam Lộ", 10, 20, 0.5, 3, 30, 0.1],
        [2, "Đông Hà", 5, 10, 0.5, None, None, None],
    ]
    header = d.find_header(grid, INDICATORS)
    assert header is not None and [g.code for g in header.groups] == ["NCC", "BTXH"]
    parsed = d.parse_sheet(grid, header, ctx(as_of_hint=date(2026, 4, 20)))
    got = {(r.unit, r.indicator): (r.numerator, r.denominator) for r in parsed.rows}
    assert got == {("cam-lo", "NCC"): (10, 20), ("cam-lo", "BTXH"): (3, 30),
                   ("dong-ha", "NCC"): (5, 10)}  # fmt: skip
    assert parsed.errors == []


def test_indicator_and_day_from_the_file_name_and_caption() -> None:
    name = d.clean_filename("ASXH_20-4-2026.xlsx")
    assert d.indicators_in(["", name], INDICATORS) == ["ASXH"]
    assert d.date_in(["", name], TODAY) == date(2026, 4, 20)
    assert d.date_in(["số liệu tính đến ngày 15/4/2026"], TODAY) == date(2026, 4, 15)
    assert d.date_in(["NCC_2026-04-18"], TODAY) == date(2026, 4, 18)
    assert d.date_in(["bang tong hop"], TODAY) is None


def test_without_indicator_or_day_it_asks() -> None:
    grid = VARIANTS["plain"]
    header = d.find_header(grid, INDICATORS)
    assert header is not None
    assert d.parse_sheet(grid, header, ctx()).needs == ("indicator", "as_of")
    assert d.parse_sheet(grid, header, ctx(indicator_hint="ASXH")).needs == ("as_of",)


def test_three_unmatched_names_get_suggestions() -> None:
    grid = [["STT", "Đơn vị", "Số đã tích hợp", "Tổng số"],
            [1, "Vĩnh Thủyy", 1, 2], [2, "Cam Lộc", 1, 2], [3, "Xã Đông Hàà", 1, 2],
            [4, "Hải Lăng", 1, 2], [5, "Tổng cộng", 4, 8]]  # fmt: skip
    header = d.find_header(grid, INDICATORS)
    assert header is not None
    parsed = d.parse_sheet(grid, header, ctx(indicator_hint="ASXH", as_of_hint=TODAY))
    assert [u.name for u in parsed.unmatched] == ["Vĩnh Thủyy", "Cam Lộc", "Xã Đông Hàà"]
    firsts = [u.suggestions[0].key for u in parsed.unmatched]
    assert firsts == ["vinh-thuy", "cam-lo", "dong-ha"]
    assert [r.unit for r in parsed.rows] == ["hai-lang"]
    assert parsed.skipped == 1  # the total row


def test_row_errors_are_reported_not_stored() -> None:
    grid = [["STT", "Đơn vị", "Số đã tích hợp", "Tổng số", "Tỷ lệ"],
            [1, "Vĩnh Thủy", 500, 400, None],      # over
            [2, "Cam Lộ", "abc", 400, None],        # number
            [3, "Đông Hà", 10, 0, None],            # zero
            [4, "Hải Lăng", 100, 400, 0.9],         # rate mismatch
            [5, "Lìa", 10, None, None],             # missing total
            [6, "Hải Lăng", 1, 2, None],            # duplicate
            [7, "Vĩnh Linh", 57_99, 10_000, 0.58]]  # 57,99% printed as 58%: fine  # fmt: skip
    header = d.find_header(grid, INDICATORS)
    assert header is not None
    parsed = d.parse_sheet(grid, header, ctx(indicator_hint="ASXH", as_of_hint=TODAY))
    assert [(e.line, e.reason) for e in parsed.errors] == [
        (2, "over"), (3, "number"), (4, "zero"), (5, "rate_mismatch"), (6, "missing"),
        (7, "duplicate"),
    ]  # fmt: skip
    assert [r.unit for r in parsed.rows] == ["vinh-linh"]


def test_officer_rows_of_other_units_are_forbidden() -> None:
    grid = VARIANTS["plain"] + [[2, "Cam Lộ", 1, 2, 0.5]]
    header = d.find_header(grid, INDICATORS)
    assert header is not None
    parsed = d.parse_sheet(grid, header, ctx(indicator_hint="ASXH", as_of_hint=TODAY,
                                             allowed=frozenset({"cam-lo"})))  # fmt: skip
    assert [f.unit for f in parsed.forbidden] == ["vinh-thuy"]
    assert [r.unit for r in parsed.rows] == ["cam-lo"]


def test_per_row_dates_and_future_dates() -> None:
    grid = [["STT", "Đơn vị", "Số đã đạt", "Tổng số", "Ngày số liệu"],
            [1, "Vĩnh Thủy", 1, 2, "2026-04-10"], [2, "Cam Lộ", 1, 2, "2026-05-10"]]  # fmt: skip
    header = d.find_header(grid, INDICATORS)
    assert header is not None and header.date == 4
    parsed = d.parse_sheet(grid, header, ctx(indicator_hint="ASXH"))
    assert [r.as_of for r in parsed.rows] == [date(2026, 4, 10)]
    assert [e.reason for e in parsed.errors] == ["future"]


def test_compare_with_stored() -> None:
    row = d.RowFigure(2, "vinh-thuy", "ASXH", 120, 400, TODAY)
    same = d.Stored("vinh-thuy", "ASXH", 120, 400, TODAY)
    older = d.Stored("vinh-thuy", "ASXH", 100, 400, date(2026, 4, 1))
    assert d.compare([row], [])[0].kind == "new"
    assert d.compare([row], [same])[0].kind == "same"
    change = d.compare([row], [older])[0]
    assert change.kind == "changed" and change.delta == Fraction(20, 400)


def test_plan_task_table_is_not_ours() -> None:
    plan = [["TT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Đơn vị phối hợp",
             "Thời gian hoàn thành", "Sản phẩm"]]  # fmt: skip
    assert d.looks_like_plan_table(plan)
    assert not d.looks_like_plan_table(VARIANTS["plain"])


@pytest.mark.parametrize(("cell", "value"), [
    (1234, 1234), (1234.0, 1234), ("1.234", 1234), ("1 234", 1234), (12.5, None), ("x", None),
])  # fmt: skip
def test_cell_int(cell: d.Cell, value: int | None) -> None:
    assert d.cell_int(cell) == value


@pytest.mark.parametrize(("cell", "value"), [
    (0.248, Fraction(248, 1000)), (24.8, Fraction(248, 1000)), ("24,8%", Fraction(248, 1000)),
    ("24,8", Fraction(248, 1000)), (1, Fraction(1)), ("n/a", None),
])  # fmt: skip
def test_cell_rate(cell: d.Cell, value: Fraction | None) -> None:
    assert d.cell_rate(cell) == value
