"""Phrasings → intents and parameters: the table a leader's questions must pass."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from domain.questions import Lexicon, parse
from domain.text import strip_diacritics
from tests.questions.conftest import TODAY

# (question, intent, expected parameters); parameters checked: ind (first indicator), unit,
# n, threshold, negated, descending, baseline, chart, lang, as_of, period_start.
CASES: list[tuple[str, str, dict[str, Any]]] = [
    # below / above average
    ("xã nào dưới mức trung bình về tài khoản an sinh xã hội?", "below_average", {"ind": "ASXH"}),
    ("cac xa duoi trung binh asxh", "below_average", {"ind": "ASXH"}),
    (
        "which communes are below average on VNeID social accounts",
        "below_average",
        {"ind": "ASXH", "lang": "en"},
    ),
    ("địa phương nào thấp hơn mức trung bình toàn tỉnh về ASXH", "below_average", {"ind": "ASXH"}),
    ("xa nao thap hon trung binh nguoi co cong", "below_average", {"ind": "NCC"}),
    ("những xã dưới TB sổ sức khỏe", "below_average", {"ind": "SKDT"}),
    ("below average pensions", "below_average", {"ind": "LUONG_HUU", "lang": "en"}),
    (
        "communes under the provincial average for e-health book",
        "below_average",
        {"ind": "SKDT", "lang": "en"},
    ),
    (
        "xã nào dưới trung bình ASXH tính đến 31/3",
        "below_average",
        {"ind": "ASXH", "as_of": date(2026, 3, 31)},
    ),
    (
        "duoi trung binh asxh quy I/2026",
        "below_average",
        {"ind": "ASXH", "as_of": date(2026, 3, 31), "period_start": date(2026, 1, 1)},
    ),
    ("xã nào trên mức trung bình về bảo trợ xã hội?", "above_average", {"ind": "BTXH"}),
    ("xa nao cao hon trung binh luong huu", "above_average", {"ind": "LUONG_HUU"}),
    (
        "which communes are above average on land data",
        "above_average",
        {"ind": "DAT", "lang": "en"},
    ),
    ("xã nào vượt trung bình đất đai", "above_average", {"ind": "DAT"}),
    # not meeting target / threshold
    (
        "xã nào chưa đạt chỉ tiêu người có công?",
        "not_meeting_target",
        {"ind": "NCC", "negated": True},
    ),
    ("ai chưa đạt 70%", "not_meeting_target", {"threshold": Decimal("0.7")}),
    ("ai chua dat 70%", "not_meeting_target", {"threshold": Decimal("0.7")}),
    ("xa nao chua dat chi tieu so suc khoe", "not_meeting_target", {"ind": "SKDT"}),
    ("xã nào không đạt chỉ tiêu bảo trợ xã hội", "not_meeting_target", {"ind": "BTXH"}),
    (
        "xã nào chưa đạt 50% ASXH",
        "not_meeting_target",
        {"ind": "ASXH", "threshold": Decimal("0.5")},
    ),
    ("xa nao duoi 40% btxh", "not_meeting_target", {"ind": "BTXH", "threshold": Decimal("0.4")}),
    (
        "which communes are not meeting the pension target",
        "not_meeting_target",
        {"ind": "LUONG_HUU", "lang": "en"},
    ),
    (
        "communes below target on social protection",
        "not_meeting_target",
        {"ind": "BTXH", "lang": "en"},
    ),
    ("xã nào chưa hoàn thành làm sạch dữ liệu đất đai?", "not_meeting_target", {"ind": "DAT"}),
    ("xa nao chua hoan thanh lam sach dat dai", "not_meeting_target", {"ind": "DAT"}),
    (
        "người có công: xã nào chưa đạt chỉ tiêu tính đến 31/3/2026",
        "not_meeting_target",
        {"ind": "NCC", "as_of": date(2026, 3, 31)},
    ),
    # reached 100% / done
    ("bao nhiêu xã đạt 100% lương hưu?", "reached_100", {"ind": "LUONG_HUU", "negated": False}),
    ("bao nhieu xa dat 100% luong huu", "reached_100", {"ind": "LUONG_HUU"}),
    ("xã nào đạt 100% người có công", "reached_100", {"ind": "NCC"}),
    ("xã nào chưa đạt 100% bảo trợ", "reached_100", {"ind": "BTXH", "negated": True}),
    (
        "how many communes reached 100% on pensions",
        "reached_100",
        {"ind": "LUONG_HUU", "lang": "en"},
    ),
    (
        "xã nào đạt trên 90% ĐDDT mức 2",
        "reached_100",
        {"ind": "DDDT_M2", "threshold": Decimal("0.9")},
    ),
    ("xã nào chưa thành lập BCĐ đánh số nhà?", "done", {"ind": "DSN_BCD", "negated": True}),
    ("xa nao chua thanh lap ban chi dao danh so nha", "done", {"ind": "DSN_BCD", "negated": True}),
    ("xã nào chưa ban hành kế hoạch đánh số nhà", "done", {"ind": "DSN_KH", "negated": True}),
    ("xã nào chưa lập dự toán đánh số nhà", "done", {"ind": "DSN_DT", "negated": True}),
    ("xã nào đã hoàn thành đánh số nhà", "done", {"ind": "DSN_HT", "negated": False}),
    (
        "which communes have not set up the house numbering steering committee",
        "done",
        {"ind": "DSN_BCD", "negated": True, "lang": "en"},
    ),
    ("xa nao da co ke hoach danh so nha", "done", {"ind": "DSN_KH", "negated": False}),
    # ranking
    ("5 xã thấp nhất sổ sức khỏe", "ranking", {"ind": "SKDT", "n": 5, "descending": False}),
    ("5 xa thap nhat so suc khoe", "ranking", {"ind": "SKDT", "n": 5, "descending": False}),
    ("top 10 ĐDDT", "ranking", {"ind": "DDDT", "n": 10, "descending": True}),
    ("top 10 dddt", "ranking", {"ind": "DDDT", "n": 10}),
    ("Vĩnh Thủy đứng thứ mấy về ASXH?", "ranking", {"ind": "ASXH", "unit": "vinh-thuy"}),
    ("vinh thuy dung thu may ve asxh", "ranking", {"ind": "ASXH", "unit": "vinh-thuy"}),
    ("10 xã cao nhất người có công", "ranking", {"ind": "NCC", "n": 10, "descending": True}),
    ("xã nào thấp nhất ASXH", "ranking", {"ind": "ASXH", "n": 5, "descending": False}),
    ("xep hang xa ve bao tro xa hoi", "ranking", {"ind": "BTXH"}),
    ("top 5 communes on social accounts", "ranking", {"ind": "ASXH", "n": 5, "lang": "en"}),
    ("bottom 3 on pensions", "ranking", {"ind": "LUONG_HUU", "n": 3, "descending": False}),
    ("lowest 7 communes e-health book", "ranking", {"ind": "SKDT", "n": 7, "descending": False}),
    (
        "where does Vinh Thuy rank on land data",
        "ranking",
        {"ind": "DAT", "unit": "vinh-thuy", "lang": "en"},
    ),
    ("Đông Hà xếp thứ mấy về sổ sức khỏe", "ranking", {"ind": "SKDT", "unit": "dong-ha"}),
    ("Nam Đông Hà đứng thứ mấy ASXH", "ranking", {"ind": "ASXH", "unit": "nam-dong-ha"}),
    ("highest level-2 e-ID accounts", "ranking", {"ind": "DDDT_M2", "descending": True}),
    # one unit
    ("Vĩnh Thủy thế nào?", "unit_status", {"unit": "vinh-thuy"}),
    ("tinh hinh xa vinh thuy", "unit_status", {"unit": "vinh-thuy"}),
    ("Cồn Cỏ ra sao", "unit_status", {"unit": "con-co"}),
    ("con co the nao", "unit_status", {"unit": "con-co"}),
    ("phường Quảng Trị thế nào", "unit_status", {"unit": "phuong-quang-tri"}),
    ("how is Dong Ha doing?", "unit_status", {"unit": "dong-ha", "lang": "en"}),
    ("status of Cam Lo", "unit_status", {"unit": "cam-lo", "lang": "en"}),
    ("Nam Cửa Việt", "unit_status", {"unit": "nam-cua-viet"}),
    ("cua viet", "unit_status", {"unit": "cua-viet"}),
    ("tình hình Cam Lộ về ASXH", "unit_status", {"unit": "cam-lo", "ind": "ASXH"}),
    # province
    ("tình hình toàn tỉnh", "province_overview", {"unit": None}),
    ("tinh hinh toan tinh", "province_overview", {"unit": None}),
    ("tổng hợp", "province_overview", {}),
    ("tong hop", "province_overview", {}),
    ("province overview", "province_overview", {"lang": "en"}),
    ("summary", "province_overview", {"lang": "en"}),
    ("tình hình toàn tỉnh Quảng Trị", "province_overview", {"unit": None}),
    ("ASXH", "province_overview", {"ind": "ASXH"}),
    ("so suc khoe", "province_overview", {"ind": "SKDT"}),
    ("tổng hợp tính đến 31/3", "province_overview", {"as_of": date(2026, 3, 31)}),
    ("tình hình toàn tỉnh quý I/2026", "province_overview", {"as_of": date(2026, 3, 31)}),
    # change
    ("ASXH tăng bao nhiêu so với đầu năm?", "change", {"ind": "ASXH", "baseline": "year_start"}),
    ("asxh tang bao nhieu so voi dau nam", "change", {"ind": "ASXH", "baseline": "year_start"}),
    ("so với tháng trước", "change", {"baseline": "last_month"}),
    ("so voi thang truoc", "change", {"baseline": "last_month"}),
    (
        "người có công tăng bao nhiêu so với tháng trước",
        "change",
        {"ind": "NCC", "baseline": "last_month"},
    ),
    (
        "how much did social accounts change since the start of the year",
        "change",
        {"ind": "ASXH", "baseline": "year_start", "lang": "en"},
    ),
    ("pensions compared to last month", "change", {"ind": "LUONG_HUU", "baseline": "last_month"}),
    (
        "Vĩnh Thủy ASXH tăng bao nhiêu so với đầu năm",
        "change",
        {"ind": "ASXH", "unit": "vinh-thuy", "baseline": "year_start"},
    ),
    ("dat dai tang bao nhieu trong quy I/2026", "change", {"ind": "DAT", "baseline": "period"}),
    # not reported
    ("xã nào chưa báo cáo tháng này?", "not_reported", {"period_start": date(2026, 4, 1)}),
    ("xa nao chua bao cao thang nay", "not_reported", {"period_start": date(2026, 4, 1)}),
    (
        "ai chưa cập nhật ASXH tuần này?",
        "not_reported",
        {"ind": "ASXH", "period_start": date(2026, 4, 20)},
    ),
    ("ai chua cap nhat asxh tuan nay", "not_reported", {"ind": "ASXH"}),
    ("which communes have not reported this month?", "not_reported", {"lang": "en"}),
    ("who hasn't updated pensions this week", "not_reported", {"ind": "LUONG_HUU"}),
    ("xã nào chưa gửi số liệu tháng 3", "not_reported", {"period_start": date(2026, 3, 1)}),
    ("đơn vị nào chưa báo cáo", "not_reported", {"period_start": date(2026, 4, 1)}),
    # tasks
    ("nhiệm vụ nào quá hạn?", "tasks_overdue", {}),
    ("nhiem vu nao qua han", "tasks_overdue", {}),
    ("which tasks are overdue?", "tasks_overdue", {"lang": "en"}),
    ("việc sắp đến hạn tuần này", "tasks_due_soon", {}),
    ("viec sap den han tuan nay", "tasks_due_soon", {}),
    ("tasks due this week", "tasks_due_soon", {"lang": "en"}),
    ("Phòng Kinh tế còn việc gì?", "tasks_of_unit", {"unit": "vinh-thuy/phong-kinh-te"}),
    ("phong kinh te con viec gi", "tasks_of_unit", {"unit": "vinh-thuy/phong-kinh-te"}),
    ("Công an xã còn nhiệm vụ gì", "tasks_of_unit", {"unit": "vinh-thuy/cong-an-xa"}),
    ("Sở Y tế còn việc gì", "tasks_of_unit", {"unit": "so-y-te"}),
    ("tasks of Cong an tinh", "tasks_of_unit", {"unit": "cong-an-tinh", "lang": "en"}),
    # charts
    ("biểu đồ ASXH", "chart", {"ind": "ASXH", "chart": "ranking"}),
    ("bieu do asxh", "chart", {"ind": "ASXH", "chart": "ranking"}),
    (
        "vẽ xu hướng sổ sức khỏe Vĩnh Thủy",
        "chart",
        {"ind": "SKDT", "unit": "vinh-thuy", "chart": "trend"},
    ),
    ("ve xu huong so suc khoe vinh thuy", "chart", {"ind": "SKDT", "chart": "trend"}),
    ("chart of social accounts", "chart", {"ind": "ASXH", "chart": "ranking", "lang": "en"}),
    ("trend chart pensions", "chart", {"ind": "LUONG_HUU", "chart": "trend"}),
    ("biểu đồ Vĩnh Thủy", "chart", {"unit": "vinh-thuy", "chart": "dashboard"}),
    ("biểu đồ nhiệm vụ", "chart", {"chart": "tasks"}),
    # unknown
    ("xin chào", "unknown", {}),
    ("hello", "unknown", {}),
    ("thời tiết hôm nay thế nào", "unknown", {}),
]


def _check(query: Any, intent: str, expected: dict[str, Any]) -> None:
    assert query.intent == intent, (query.text, query)
    for key, value in expected.items():
        actual = {
            "ind": query.indicators[0] if query.indicators else None,
            "period_start": query.period.start if query.period else None,
        }.get(key, getattr(query, key, None))
        assert actual == value, (query.text, key, actual, value)


@pytest.mark.parametrize(("text", "intent", "expected"), CASES, ids=[c[0] for c in CASES])
def test_phrasing(lexicon: Lexicon, text: str, intent: str, expected: dict[str, Any]) -> None:
    _check(parse(text, lexicon, TODAY), intent, expected)


def test_table_is_large_and_mixed() -> None:
    plain = [c for c in CASES if strip_diacritics(c[0]) == c[0]]
    english = [
        c
        for c in CASES
        if c[2].get("lang") == "en"
        or (
            c[0].isascii()
            and any(
                w in c[0].lower().split()
                for w in ("which", "how", "the", "on", "of", "tasks", "chart")
            )
        )
    ]
    assert len(CASES) >= 100
    assert len(plain) * 3 >= len(CASES)
    assert len(english) * 5 >= len(CASES)


def test_dddt_alone_is_ambiguous_and_says_which(lexicon: Lexicon) -> None:
    query = parse("top 10 ĐDDT", lexicon, TODAY)
    assert query.indicators == ("DDDT",)
    assert query.ambiguous == ("DDDT_M2",)
    assert parse("top 10 ĐDDT mức độ 2", lexicon, TODAY).ambiguous == ()


def test_the_verb_dat_is_not_land_data(lexicon: Lexicon) -> None:
    assert parse("ai chưa đạt 70%", lexicon, TODAY).indicators == ()
    assert parse("ai chua dat 70%", lexicon, TODAY).indicators == ()
    assert parse("DAT dưới trung bình", lexicon, TODAY).indicators == ("DAT",)


def test_province_is_not_the_ward(lexicon: Lexicon) -> None:
    assert parse("tình hình toàn tỉnh Quảng Trị", lexicon, TODAY).unit is None
    assert parse("phường Quảng Trị thế nào", lexicon, TODAY).unit == "phuong-quang-tri"


@pytest.mark.parametrize(
    ("text", "unit"),
    [
        ("Vinh Thuyy thế nào?", "vinh-thuy"),  # before 'thế nào'
        ("tình hình xã Cam Loo", "cam-lo"),  # after a cue
        ("how is Cam Loo doing", "cam-lo"),
        ("ASXH của Vĩnh Thuỷy", "vinh-thuy"),
        ("Cửa Tùngg đứng thứ mấy về ASXH", "cua-tung"),  # 'cửa' is a name here, not a cue
    ],
)
def test_a_unit_name_with_a_typo_is_still_found(lexicon: Lexicon, text: str, unit: str) -> None:
    assert parse(text, lexicon, TODAY).unit == unit


def test_typos_are_looked_for_only_where_a_name_can_stand(lexicon: Lexicon) -> None:
    """The typo search runs on the stretches that can be a name, never on the whole question."""
    searched: list[str] = []
    original = lexicon.units.fuzzy_find

    def spy(text: str, **kw: Any) -> Any:
        searched.append(text)
        return original(text, **kw)

    lexicon.units.fuzzy_find = spy  # type: ignore[method-assign]
    try:
        assert (
            parse("xã nào dưới mức trung bình về tài khoản an sinh?", lexicon, TODAY).unit is None
        )
        assert parse("Cam Lộ thế nào?", lexicon, TODAY).unit == "cam-lo"  # exact: no typo search
        assert parse("tình hình toàn tỉnh", lexicon, TODAY).unit is None
    finally:
        del lexicon.units.fuzzy_find  # type: ignore[method-assign]
    assert all("tài khoản" not in s and "nào" not in s for s in searched), searched
