"""The message corpus: each row is a message and what it must read as (a parametrized table)."""
# ruff: noqa: E501  (corpus rows read best one per line)

from __future__ import annotations

from datetime import date

import pytest

from domain.submissions import Vocabulary, looks_like_submission, parse
from services.context import indicator_index, unit_index
from tests.figures.small_catalogue import small_catalogue

TODAY = date(2026, 4, 22)
CAT = small_catalogue()
VOCAB = Vocabulary.build(CAT, unit_index(CAT), indicator_index(CAT))
T, Y, D20 = "2026-04-22", "2026-04-21", "2026-04-20"

# (message, expected): expected is a list of "unit|indicator|num|den|done|date" per draft
# ('-' = none; indicator "?A,B" = choose between A and B), or "!code" for the first problem.
CORPUS: list[tuple[str, object]] = [
    ("ASXH 1.234/5.678", [f"-|ASXH|1234|5678|-|{T}"]),
    ("asxh 1234/5678", [f"-|ASXH|1234|5678|-|{T}"]),
    (
        "Vĩnh Thủy: tích hợp an sinh xã hội 1.234/5.678 tính đến 20/4",
        [f"vinh-thuy|ASXH|1234|5678|-|{D20}"],
    ),
    ("vinh thuy asxh 1234 / 5678 hom qua", [f"vinh-thuy|ASXH|1234|5678|-|{Y}"]),
    (
        "Người có công 45/60; BTXH 120/300; lương hưu 98/100",
        [f"-|NCC|45|60|-|{T}", f"-|BTXH|120|300|-|{T}", f"-|LUONG_HUU|98|100|-|{T}"],
    ),
    ("nguoi co cong 45/60, btxh 120/300", [f"-|NCC|45|60|-|{T}", f"-|BTXH|120|300|-|{T}"]),
    (
        "Báo cáo xã Vĩnh Thủy ngày 20/4/2026\n- Tài khoản ASXH: 1.234/5.678\n- Sổ SKĐT: 2.345/4.000",
        [f"vinh-thuy|ASXH|1234|5678|-|{D20}", f"vinh-thuy|SKDT|2345|4000|-|{D20}"],
    ),
    (
        "bao cao xa vinh thuy ngay 20/4/2026\n- tk asxh: 1234/5678",
        [f"vinh-thuy|ASXH|1234|5678|-|{D20}"],
    ),
    ("ĐDDT mức 2 đạt 83,2%", ["-|DDDT_M2|-|-|-|" + T]),
    ("đã ban hành kế hoạch đánh số nhà", [f"-|DSN_KH|-|-|True|{T}"]),
    ("đánh số nhà: đã thành lập BCĐ", [f"-|DSN_BCD|-|-|True|{T}"]),
    ("chưa lập dự toán", [f"-|DSN_DT|-|-|False|{T}"]),
    ("danh so nha: chua hoan thanh", [f"-|DSN_HT|-|-|False|{T}"]),
    (
        "Vinh Thuy social accounts 1234 of 5678 as of April 20",
        [f"vinh-thuy|ASXH|1234|5678|-|{D20}"],
    ),
    ("Cam Lo pensions 98 of 100 yesterday", [f"cam-lo|LUONG_HUU|98|100|-|{Y}"]),
    ("health book 2345 of 4000", [f"-|SKDT|2345|4000|-|{T}"]),
    ("ĐDDT 1.191.099/1.432.122", [f"-|?DDDT,DDDT_M2|1191099|1432122|-|{T}"]),
    ("lương hưu, chế độ BHXH 98/100", [f"-|LUONG_HUU|98|100|-|{T}"]),
    ("ASXH 1.234/5.678 (21,7%)", [f"-|ASXH|1234|5678|-|{T}"]),
    (
        "Cam Lộ ASXH 3.456/12.345; Đông Hà NCC 4/5",
        [f"cam-lo|ASXH|3456|12345|-|{T}", f"dong-ha|NCC|4|5|-|{T}"],
    ),
    ("nam dong ha asxh 1/2", [f"nam-dong-ha|ASXH|1|2|-|{T}"]),
    ("ASXH 1.234 trên 5.678 ngày 20 tháng 4", [f"-|ASXH|1234|5678|-|{D20}"]),
    ("<b>ASXH</b> 1/2", [f"-|ASXH|1|2|-|{T}"]),
    ("ASXH 1.234/5.678 ✅👍", [f"-|ASXH|1234|5678|-|{T}"]),
    ("ASXH 1.2.3/4", "!bad_number"),
    ("ASXH -5/10", "!negative"),
    ("1234/5678", "!no_indicator"),
    ("ASXH 1234", "!missing_total"),
    ("ASXH BTXH 1/2", "!several_indicators"),
    ("Vĩnh Thủy Cam Lộ ASXH 1/2", "!several_units"),
    ("ASXH đạt 120%", "!rate_over_100"),
    ("đánh số nhà 3/4", "!figure_for_yesno"),
    ("ASXH 1/2 30/40", "!several_figures"),
    ("ASXH 1/2 3/4", ["-|ASXH|1|2|-|2026-04-03"]),  # a d/m after a figure is a date (domain.dates)
    ("A" * 5000 + " 1/2", "!too_long"),
    ("'; DROP TABLE figures; -- 1/2", [f"-|?LUONG_HUU,NCC,BTXH|1|2|-|{T}"]),  # asks, saves nothing
]


def _show(parsed: object) -> object:
    if parsed.problems:  # type: ignore[attr-defined]
        return "!" + parsed.problems[0].code  # type: ignore[attr-defined]
    out = []
    for d in parsed.drafts:  # type: ignore[attr-defined]
        ind = d.indicator or "?" + ",".join(d.indicator_choices)
        done = "-" if d.done is None else str(d.done)
        num = "-" if d.numerator is None else d.numerator
        den = "-" if d.denominator is None else d.denominator
        out.append(f"{d.unit or '-'}|{ind}|{num}|{den}|{done}|{d.as_of.isoformat()}")
    return out


@pytest.mark.parametrize(("text", "expected"), CORPUS, ids=[c[0][:40] for c in CORPUS])
def test_corpus(text: str, expected: object) -> None:
    assert _show(parse(text, VOCAB, TODAY)) == expected


@pytest.mark.parametrize(
    "text",
    ["ASXH 1.234/5.678", "đánh số nhà: đã thành lập BCĐ", "ĐDDT mức 2 đạt 83,2%",
     "social accounts 1234 of 5678", "Người có công 45/60; BTXH 120/300"],
)  # fmt: skip
def test_submissions_are_recognised(text: str) -> None:
    assert looks_like_submission(text)


@pytest.mark.parametrize(
    "text",
    ["xã nào dưới mức trung bình về ASXH?", "top 10 ĐDDT", "5 xã thấp nhất sổ sức khỏe",
     "Vĩnh Thủy thế nào", "which communes are below 50%", "how many 1/2", "ASXH bao nhiêu %",
     "ai chưa báo cáo", "xin chào", "", "tình hình toàn tỉnh"],
)  # fmt: skip
def test_questions_are_not_submissions(text: str) -> None:
    assert not looks_like_submission(text)
