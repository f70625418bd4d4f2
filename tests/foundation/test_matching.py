"""Unit and indicator names in free text: the traps the seeds set (seed-notes.md)."""

from pathlib import Path

import pytest

from services.catalogue import load_catalogue
from services.context import indicator_index, unit_index

CATALOGUE = Path(__file__).resolve().parents[2] / "catalogues" / "quang-tri"


@pytest.fixture(scope="module")
def units():
    return unit_index(load_catalogue(CATALOGUE))


@pytest.fixture(scope="module")
def indicators():
    return indicator_index(load_catalogue(CATALOGUE))


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Nam Đông Hà ASXH 12/34", "nam-dong-ha"),
        ("Đông Hà ASXH 12/34", "dong-ha"),
        ("nam ba don asxh 1/2", "nam-ba-don"),
        ("ba don asxh 1/2", "ba-don"),
        ("Nam Cửa Việt: 3/4", "nam-cua-viet"),
        ("cua viet 3/4", "cua-viet"),
        ("Bồ Trạch 1/2", "bo-trach"),
        ("bo trach 1/2", "bo-trach"),
        ("Đông Hới 1/2", "dong-hoi"),
        ("Hương Lập 1/2", "huong-lap"),
        ("Sen Ngự 1/2", "sen-ngu"),
        ("Lia 1/2", "lia"),
        ("Côn Tiên 1/2", "con-tien"),
        ("Đông Thuần 1/2", "dong-thuan"),
        ("VĨNH THỦY asxh", "vinh-thuy"),
        ("phường Quảng Trị asxh 1/2", "phuong-quang-tri"),
        ("tinh hinh xa vinh thuy", "vinh-thuy"),
        ("tình hình toàn tỉnh Quảng Trị", "quang-tri"),
        ("tinh hinh toan tinh", "quang-tri"),
    ],
)
def test_longest_name_that_fits(units, text: str, code: str) -> None:
    found = units.find_all(text)
    assert found, text
    assert [f.key for f in found][:1] == [code]


def test_ward_and_province_differ(units) -> None:
    ward = units.find_all("phường Quảng Trị")[0].key
    province = units.find_all("toàn tỉnh Quảng Trị")[0].key
    assert ward != province


def test_typo_is_found_fuzzily_not_exactly(units) -> None:
    assert units.find_all("vinh thuyy asxh 1/2") == []
    fuzzy = units.fuzzy_find("vinh thuyy asxh 1/2")
    assert fuzzy and fuzzy[0].key == "vinh-thuy"
    assert units.suggest("Vinh Thuyy")[0].key == "vinh-thuy"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("ASXH 1.234/5.678", "ASXH"),
        ("so suc khoe 1/2", "SKDT"),
        ("người có công 45/60", "NCC"),
        ("BTXH 120/300", "BTXH"),
        ("lương hưu 98/100", "LUONG_HUU"),
        ("social accounts 1 of 2", "ASXH"),
    ],
)
def test_indicator_names_and_aliases(indicators, text: str, code: str) -> None:
    found = indicators.find_all(text)
    assert found and found[0].key == code
