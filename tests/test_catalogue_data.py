"""Facts of the bundled Quảng Trị catalogue, read straight from the files (no loader).

The footnote lists below are copied from seed 000 (Báo cáo quý I/2026 of the provincial
Đề án 06 working group) with its spellings, slips included.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from domain.text import fold

CATALOGUE = Path(__file__).resolve().parent.parent / "catalogues" / "quang-tri"
COMMUNE_KINDS = {"phuong", "xa", "dac_khu"}
KINDS = COMMUNE_KINDS | {"province", "agency", "office"}
IND_KINDS = {"ratio", "count", "yesno"}

# --- 000's footnotes, as printed -------------------------------------------------------------


def _split(text: str) -> list[str]:
    return [name.strip() for name in text.split(",")]


FOOTNOTES: dict[int, list[str]] = {
    6: _split("Quảng Ninh, Hướng Hiệp, Bắc Trạch"),
    7: _split("Bố Trạch, Bến Hải"),
    8: _split(
        "Quảng Ninh, Ninh Châu, Trường Ninh, Trường Sơn, Thượng Trạch, Phong Nha, Bắc Trạch, "
        "Đông Trạch, Bố Trạch, Nam Gianh, Nam Ba Đồn, Trung Thuần, Quảng Trạch, Hòa Trạch, "
        "Phú Trạch, Ba Đồn, Bắc Gianh, Hoàn Lão, Nam Trạch"
    ),
    10: _split(
        "Vĩnh Linh, Dân Hóa, Bắc Trạch, Phú Trạch, Hòa Trạch, Trung Trạch, Ba Đồn, Bắc Gianh, "
        "Quảng Ninh, Ninh Châu, Trường Ninh, Trường Sơn, Tuyên Lâm, Tuyên Sơn, Tuyên Bình, "
        "Tuyên Hóa, La Lay, Tà Rụt, Đakrông, Ba Lòng, Hướng Hiệp, Cam Lộ, Hiếu Giang, Ái Tử, "
        "Triệu Bình, Triệu Cơ, Đông Hà, Nam Đông Hà"
    ),
    12: _split(
        "Quảng Ninh, Cam Hồng, Sen Ngr, Tân Mỹ, Lệ Thủy, Lao Bảo, Khe Sanh, Hướng Hiệp, "
        "Ba Lòng, Đakrông"
    ),
    13: ["Côn Cỏ"],
    14: _split(
        "Triệu Bình, Cam Lộ, Vĩnh Định, Lao Bảo, Tân Mỹ, Vĩnh Linh, Tuyên Phú, Nam Ba Đồn, "
        "Nam Hải Lăng, Nam Trạch, Vĩnh Hoàng, Tà Rụt, Triệu Cơ, Tân Gianh, Ái Tử, Nam Gianh, "
        "Kim Điền, Hiếu Giang, Trường Sơn, Quảng Ninh, Mỹ Thủy, Tuyên Sơn, Tuyên Hóa, Tuyên Lâm, "
        "Minh Hóa, Nam Cửa Việt, Ninh Châu, Lệ Ninh, Bồ Trạch, Đông Trạch, Quảng Trạch, La Lay, "
        "Hòa Trạch, Lia, A Dơi, Bắc Gianh, Dân Hóa, Trung Thuần, Phú Trạch, Vĩnh Thủy, "
        "Tân Thành, Đakrông"
    ),
    15: _split(
        "Diên Sanh, Phong Nha, Nam Hải Lăng, Côn Tiên, Triệu Cơ, Vĩnh Thủy, Nam Gianh, Ba Đồn, "
        "Đông Lê, Cam Hồng, Hương Phùng, Đông Thuần, Cửa Tùng, La Lay, Cửa Việt, Trường Ninh, "
        "Lao Bảo, Ái Tử, Tuyên Sơn, Ba Lòng, Quảng Trị, Hiếu Giang, Hòa Trạch, Lệ Ninh, Sen Ngư, "
        "Khe Sanh, Tân Lập, Nam Cửa Việt, Quảng Trạch, Vĩnh Hoàng, Lệ Thủy, Bến Hải, Hải Lăng, "
        "Tuyên Phú, Đakrông, Tuyên Lâm, Trung Thuần, Tà Rụt, Mỹ Thủy, Vĩnh Định, Tuyên Hóa, "
        "Phú Trạch, Tân Gianh, Minh Hóa, Nam Ba Đồn, Trường Sơn, A Dơi, Lia, Hương Lập, "
        "Kim Điền, Tân Thành, Dân Hóa, Kim Phú, Thượng Trạch"
    ),
    16: _split(
        "Kim Điền, Mỹ Thủy, Tân Lập, Lệ Ninh, Cam Hồng, Nam Hải Lăng, Hương Lập, Quảng Trị, "
        "Vĩnh Hoàng, Đông Hới, Thượng Trạch, Nam Gianh, Minh Hóa, Triệu Phong, Gio Linh, "
        "Côn Tiên, Đông Thuần, Diên Sanh, Lao Bảo, Phong Nha, Tuyên Phú, Đông Sơn, A Dơi, "
        "Đông Trạch, Hoàn Lão, Bến Quan, Cửa Việt, Tân Thành, Kim Phú, Hải Lăng, Kim Ngân, "
        "Đồng Lê, Bồ Trạch, Khe Sanh, Bến Hải, Trường Phú, Lìa, Vĩnh Định, Hương Phùng, "
        "Cửa Tùng, Nam Trạch, Nam Ba Đồn, Lệ Thủy, Sen Ngự, Tân Mỹ, Nam Cửa Việt, Vĩnh Thủy"
    ),
    17: _split(
        "Gio Linh, Cồn Tiên, Đồng Thuận, Diên Sanh, Lao Bảo, Phong Nha, Tuyên Phú, Đồng Sơn, "
        "A Dơi, Đông Trạch, Hoàn Lão, Bến Quan, Cửa Việt, Tân Thành, Kim Phú, Hải Lăng, "
        "Kim Ngân, Đồng Lê, Bồ Trạch, Khe Sanh, Bến Hải, Trường Phú, Lìa, Vĩnh Định, "
        "Hương Phùng, Cửa Tùng, Nam Trạch, Nam Ba Đồn, Lệ Thủy, Sen Ngự, Tân Mỹ, Nam Cửa Việt, "
        "Vĩnh Thủy"
    ),
    18: _split("Lệ Thủy, Sen Ngự, Tân Mỹ, Vĩnh Thủy, Nam Cửa Việt"),
    19: _split(
        "Nam Ba Đồn, Dân Hóa, Tuyên Phú, Tân Gianh, Trung Thuần, Thượng Trạch, Phong Nha, "
        "Hoàn Lão, Bồ Trạch, Tân Mỹ, Kim Ngân, Đakrông, Ba Lòng, Hương Phùng, Diên Sanh"
    ),
    20: _split("Ái Tử, Tuyên Phú, Tân Gianh, Tân Mỹ, Kim Ngân, Đakrông, Diên Sanh"),
    21: _split(
        "Đồng Sơn, Thượng Trạch, Quảng Trạch, Tuyên Hóa, Lao Bảo, Đồng Thuận, Ba Đồn, "
        "Nam Cửa Việt, Đông Hà, Đông Hới, Đông Trạch, Hương Lập, Mỹ Thủy, Hoàn Lão, Trường Phú, "
        "Sen Ngự, Hòa Trạch, Nam Ba Đồn, Triệu Bình, Khe Sanh, Triệu Cơ, Triệu Phong, Tân Thành, "
        "Phong Nha, Đồng Lê, Trung Thuần, Tân Lập, Tuyên Bình, Ái Tử, Tuyên Phú, Tân Gianh, "
        "Tân Mỹ, Kim Ngân, Đakrông"
    ),
}
# "x/78 địa phương" counts printed next to the footnote marks in 000
FOOTNOTE_COUNTS = {6: 3, 7: 2, 8: 19, 14: 42, 15: 54, 16: 47, 17: 33, 18: 5, 19: 15, 20: 7, 21: 34}

# indicator code -> {report_lists key: footnote}
LIST_SOURCES = {
    "ASXH": {"below_average": 14},
    "NCC": {"reached_100": 6, "not_meeting_target": 15},
    "BTXH": {"reached_100": 7},
    "LUONG_HUU": {"reached_100": 8},
    "DAT": {"completed": 10, "not_completed": 16, "below_average": 17, "not_recognised": 18},
    "DSN_BCD": {"not_done": 19},
    "DSN_KH": {"not_done": 20},
    "DSN_DT": {"not_done": 21},
}

PHUONG = {
    "Đồng Hới",
    "Đồng Thuận",
    "Đồng Sơn",
    "Ba Đồn",
    "Bắc Gianh",
    "Đông Hà",
    "Nam Đông Hà",
    "Quảng Trị",
}

# --- loading ---------------------------------------------------------------------------------


def _units() -> list[dict[str, str]]:
    with (CATALOGUE / "units.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _yaml(name: str):
    return yaml.safe_load((CATALOGUE / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def units() -> list[dict[str, str]]:
    return _units()


@pytest.fixture(scope="module")
def by_code(units) -> dict[str, dict[str, str]]:
    return {u["code"]: u for u in units}


@pytest.fixture(scope="module")
def communes(units) -> list[dict[str, str]]:
    return [u for u in units if u["kind"] in COMMUNE_KINDS]


@pytest.fixture(scope="module")
def indicators() -> list[dict]:
    return _yaml("indicators.yaml")


@pytest.fixture(scope="module")
def ind(indicators) -> dict[str, dict]:
    return {i["code"]: i for i in indicators}


@pytest.fixture(scope="module")
def tasks() -> list[dict]:
    return _yaml("tasks.yaml")


@pytest.fixture(scope="module")
def province() -> dict:
    return _yaml("province.yaml")


def _aliases(unit: dict[str, str]) -> list[str]:
    return [a for a in unit["aliases"].split("|") if a.strip()]


def _keys(unit: dict[str, str]) -> set[str]:
    return {fold(unit["name"])} | {fold(a) for a in _aliases(unit)}


def _commune_index(communes) -> dict[str, set[str]]:
    index: dict[str, set[str]] = defaultdict(set)
    for u in communes:
        for key in _keys(u):
            index[key].add(u["code"])
    return index


def _resolve(name: str, communes) -> str:
    hits = _commune_index(communes).get(fold(name), set())
    assert len(hits) == 1, f"{name!r} resolves to {sorted(hits)}"
    return next(iter(hits))


def _longest_match(text: str, units) -> str | None:
    """The unit whose name or alias is the longest whole-word match in text."""
    folded = f" {fold(text)} "
    best: tuple[int, str] | None = None
    for u in units:
        for key in _keys(u):
            if f" {key} " in folded and (best is None or len(key) > best[0]):
                best = (len(key), u["code"])
    return best[1] if best else None


# --- files -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["province.yaml", "units.csv", "indicators.yaml", "tasks.yaml", "README.md"]
)
def test_files_exist_and_are_nfc_utf8(name):
    text = (CATALOGUE / name).read_bytes().decode("utf-8")
    assert text == unicodedata.normalize("NFC", text)


# --- units -----------------------------------------------------------------------------------


def test_units_columns_and_codes(units, by_code):
    with (CATALOGUE / "units.csv").open(encoding="utf-8", newline="") as f:
        assert next(csv.reader(f)) == ["code", "name", "kind", "parent", "aliases", "note"]
    assert len(by_code) == len(units), "duplicate unit codes"
    for u in units:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*(/[a-z0-9]+(-[a-z0-9]+)*)?", u["code"]), u
        assert u["kind"] in KINDS, u
        assert u["name"].strip() == u["name"] and u["name"], u


def test_parents(units, by_code):
    provinces = [u for u in units if u["kind"] == "province"]
    assert [p["code"] for p in provinces] == ["quang-tri"]
    assert provinces[0]["name"] == "Quảng Trị" and provinces[0]["parent"] == ""
    for u in units:
        if u["kind"] in COMMUNE_KINDS | {"agency"}:
            assert u["parent"] == "quang-tri", u
        if u["kind"] == "office":
            parent = by_code[u["parent"]]
            assert parent["kind"] in COMMUNE_KINDS, u
            assert u["code"].startswith(parent["code"] + "/"), u


def test_78_commune_level_units(communes):
    assert len(communes) == 78
    phuong = {u["name"] for u in communes if u["kind"] == "phuong"}
    assert phuong == PHUONG
    dac_khu = [u for u in communes if u["kind"] == "dac_khu"]
    assert [(u["code"], u["name"]) for u in dac_khu] == [("con-co", "Cồn Cỏ")]
    assert sum(u["kind"] == "xa" for u in communes) == 69


def test_agencies_and_offices(by_code):
    agencies = {
        "cong-an-tinh",
        "so-noi-vu",
        "so-y-te",
        "bhxh-tinh",
        "so-nong-nghiep-va-moi-truong",
        "so-xay-dung",
        "so-khoa-hoc-va-cong-nghe",
        "thue-tinh",
        "trung-tam-pvhcc-tinh",
        "so-tai-chinh",
        "van-phong-ubnd-tinh",
    }
    assert agencies <= {c for c, u in by_code.items() if u["kind"] == "agency"}
    offices = {c for c, u in by_code.items() if u["kind"] == "office"}
    assert {
        "vinh-thuy/cong-an-xa",
        "vinh-thuy/phong-kinh-te",
        "vinh-thuy/phong-van-hoa-xa-hoi",
        "vinh-thuy/trung-tam-pvhcc-xa",
    } <= offices
    for alias in ("SNV", "BHXH", "CA tỉnh"):
        assert any(fold(alias) in _keys(by_code[c]) for c in agencies), alias


def test_every_footnote_name_resolves_to_exactly_one_unit(communes):
    resolved = set()
    for number, names in FOOTNOTES.items():
        codes = [_resolve(name, communes) for name in names]
        assert len(set(codes)) == len(codes), f"fn{number} names a unit twice"
        if number in FOOTNOTE_COUNTS:
            assert len(codes) == FOOTNOTE_COUNTS[number], number
        resolved |= set(codes)
    # the footnotes name all 78 units and nothing else
    assert resolved == {u["code"] for u in communes}
    assert resolved - {_resolve("Côn Cỏ", communes)} == {
        _resolve(n, communes) for k, names in FOOTNOTES.items() if k != 13 for n in names
    }
    assert len(resolved) == 78


def test_spelling_variants(communes):
    pairs = {
        "Bồ Trạch": "Bố Trạch",
        "Côn Tiên": "Cồn Tiên",
        "Đông Hới": "Đồng Hới",
        "Đông Lê": "Đồng Lê",
        "Đông Sơn": "Đồng Sơn",
        "Đông Thuần": "Đồng Thuận",
        "Hương Lập": "Hướng Lập",
        "Hương Phùng": "Hướng Phùng",
        "Lia": "Lìa",
        "Sen Ngự": "Sen Ngư",
        "Sen Ngr": "Sen Ngư",
        "Trung Trạch": "Trung Thuần",
        "Vĩnh Thụy": "Vĩnh Thủy",
        "Đa Krông": "Đakrông",
        "Côn Cỏ": "Cồn Cỏ",
    }
    names = {u["code"]: u["name"] for u in communes}
    for variant, canonical in pairs.items():
        assert names[_resolve(variant, communes)] == canonical, variant
    # Trung Trạch is read as Trung Thuần because Trung Thuần is not in fn16 (not completed)
    assert "trung-thuan" not in {_resolve(n, communes) for n in FOOTNOTES[16]}


def test_no_two_units_share_a_folded_name_or_alias(units):
    owners: dict[str, set[str]] = defaultdict(set)
    for u in units:
        scope = u["parent"] if u["kind"] == "office" else ""
        for key in _keys(u):
            owners[(scope, key)].add(u["code"])
    clashes = {key: codes for key, codes in owners.items() if len(codes) > 1}
    # the one allowed clash: the province and the ward are both named "Quảng Trị"
    assert clashes == {("", "quang tri"): {"quang-tri", "phuong-quang-tri"}}


def test_aliases_never_fold_to_another_units_name(units):
    names = defaultdict(set)
    for u in units:
        names[fold(u["name"])].add(u["code"])
    for u in units:
        for alias in _aliases(u):
            others = names.get(fold(alias), set()) - {u["code"]}
            assert not others, f"alias {alias!r} of {u['code']} is the name of {others}"


def test_quang_tri_ward_is_not_the_province(units, by_code):
    ward = by_code["phuong-quang-tri"]
    assert ward["kind"] == "phuong" and ward["parent"] == "quang-tri"
    assert by_code["quang-tri"]["kind"] == "province"
    assert _longest_match("phường Quảng Trị chưa đạt", units) == "phuong-quang-tri"
    assert _longest_match("toàn tỉnh Quảng Trị đạt 24,8%", units) == "quang-tri"
    assert _longest_match("tỉnh Quảng Trị", units) == "quang-tri"
    for alias in _aliases(by_code["quang-tri"]):
        assert "phuong" not in fold(alias)


@pytest.mark.parametrize(
    ("short", "long"),
    [
        ("Đông Hà", "Nam Đông Hà"),
        ("Ba Đồn", "Nam Ba Đồn"),
        ("Cửa Việt", "Nam Cửa Việt"),
        ("Hải Lăng", "Nam Hải Lăng"),
    ],
)
def test_short_names_inside_longer_ones(communes, short, long):
    short_code, long_code = _resolve(short, communes), _resolve(long, communes)
    assert short_code != long_code
    assert _longest_match(f"xã {long} đạt 50%", communes) == long_code
    assert _longest_match(f"phường {short} đạt 50%", communes) == short_code


# --- indicators ------------------------------------------------------------------------------


def _rate(figure: dict) -> float:
    return figure["numerator"] / figure["denominator"]


def _assigned_ok(assigned, codes: set[str]) -> bool:
    if assigned in ("communes", "province"):
        return True
    if isinstance(assigned, dict):
        return set(assigned) == {"communes_except"} and set(assigned["communes_except"]) <= codes
    return isinstance(assigned, list) and bool(assigned) and set(assigned) <= codes


def test_indicator_basics(indicators, by_code):
    codes = [i["code"] for i in indicators]
    assert len(set(codes)) == len(codes)
    for i in indicators:
        for field in ("code", "name", "kind", "assigned"):
            assert i.get(field), (i.get("code"), field)
        assert re.fullmatch(r"[A-Z][A-Z0-9_]*", i["code"]), i["code"]
        assert i["kind"] in IND_KINDS, i["code"]
        assert _assigned_ok(i["assigned"], set(by_code)), i["code"]
        if "owner" in i:
            assert i["owner"] in by_code, i["code"]
        assert isinstance(i.get("aliases", []), list), i["code"]
        if i["kind"] == "ratio":
            assert i.get("numerator") and i.get("denominator"), i["code"]
        target = i.get("target")
        if target:
            assert 0 < target["rate"] <= 1, i["code"]
            assert "due" not in target or isinstance(target["due"], dt.date), i["code"]
        for m in i.get("milestones", []):
            assert isinstance(m["due"], dt.date) and 0 < m["rate"] <= 1, i["code"]


def test_required_indicators_present(ind):
    required = {
        "ASXH",
        "NCC",
        "BTXH",
        "LUONG_HUU",
        "DDDT",
        "DDDT_M2",
        "DDDT_TC",
        "SKDT",
        "SKDT_DS",
        "DAT",
        "ADN",
        "THUE_DD",
        "BHXH_KHOP",
        "DSN_BCD",
        "DSN_KH",
        "DSN_DT",
    }
    assert required <= set(ind)
    assert len([c for c in ind if c.startswith("MST_")]) == 5
    assert len([c for c in ind if c.startswith("DVC_")]) == 3


def test_indicator_aliases_do_not_collide(indicators):
    owners: dict[str, set[str]] = defaultdict(set)
    for i in indicators:
        for key in {fold(i["name"])} | {fold(a) for a in i.get("aliases", [])}:
            owners[key].add(i["code"])
    ambiguous = {i["code"]: set(i.get("ask_when_ambiguous_with", [])) for i in indicators}
    for key, codes in owners.items():
        if len(codes) > 1:
            for code in codes:
                assert codes - {code} <= ambiguous[code], f"{key!r} is shared by {codes}"
    # "ĐDDT" alone is ambiguous between the two e-ID indicators
    assert owners[fold("ĐDDT")] == {"DDDT", "DDDT_M2"}


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("asxh", "ASXH"),
        ("tk asxh", "ASXH"),
        ("an sinh", "ASXH"),
        ("ncc", "NCC"),
        ("nguoi co cong", "NCC"),
        ("btxh", "BTXH"),
        ("bao tro", "BTXH"),
        ("luong huu", "LUONG_HUU"),
        ("lh", "LUONG_HUU"),
        ("sksdt", "SKDT"),
        ("sổ SKĐT", "SKDT"),
        ("so suc khoe", "SKDT"),
        ("sổ sức khỏe điện tử", "SKDT"),
        ("mức 2", "DDDT_M2"),
        ("ddcn", "DDDT"),
        ("social accounts", "ASXH"),
        ("pensions", "LUONG_HUU"),
        ("e-health book", "SKDT"),
        ("level-2 e-ID", "DDDT_M2"),
        ("land data", "DAT"),
        ("DNA samples", "ADN"),
    ],
)
def test_common_aliases(ind, typed, code):
    assert fold(typed) in {fold(a) for a in ind[code]["aliases"]}


def test_ambiguity_is_symmetric(ind):
    assert ind["DDDT"]["ask_when_ambiguous_with"] == ["DDDT_M2"]
    assert ind["DDDT_M2"]["ask_when_ambiguous_with"] == ["DDDT"]
    for code, i in ind.items():
        for other in i.get("ask_when_ambiguous_with", []):
            assert code in ind[other].get("ask_when_ambiguous_with", []), (code, other)


def test_report_figures_match_the_report(indicators):
    checked = 0
    for i in indicators:
        fig = i.get("report_figure")
        if i["kind"] != "ratio" or not fig:
            continue
        checked += 1
        assert isinstance(fig["date"], dt.date), i["code"]
        assert fig["date"] in (dt.date(2026, 4, 20), dt.date(2026, 4, 23)), i["code"]
        assert 0 < fig["numerator"] <= fig["denominator"], i["code"]
        printed = fig.get("reported_percent")
        if printed is None:
            continue
        computed = 100 * _rate(fig)
        if float(printed).is_integer():  # the report rounds some rates to whole percents
            matches = round(computed) == printed
        else:
            matches = round(computed, 1) == pytest.approx(printed)
        # a flagged mismatch must really be one, so the flag cannot go stale
        assert matches != bool(i.get("report_rate_mismatch")), (i["code"], computed, printed)
    assert checked >= 20


@pytest.mark.parametrize(
    ("code", "numerator", "denominator", "one_decimal"),
    [
        ("ASXH", 270_048, 1_087_766, 24.8),
        ("NCC", 19_777, 34_102, 58.0),  # printed 58%
        ("BTXH", 45_501, 114_445, 39.8),
        ("LUONG_HUU", 67_664, 75_987, 89.0),
        ("DDDT", 1_191_099, 1_432_122, 83.2),
        ("DDDT_M2", 1_131_892, 1_432_122, 79.0),
        ("DDDT_TC", 7_879, 9_054, 87.0),  # printed 87,2%
        ("SKDT", 590_525, 851_701, 69.3),
        ("SKDT_DS", 590_525, 1_857_877, 31.8),
        ("DAT", 134_420, 193_236, 69.6),
        ("ADN", 2_703, 3_587, 75.4),
        ("THUE_DD", 2_916, 2_936, 99.3),
        ("BHXH_KHOP", 1_409_938, 1_411_942, 99.9),  # printed 99,4%
    ],
)
def test_province_figures(ind, code, numerator, denominator, one_decimal):
    fig = ind[code]["report_figure"]
    assert (fig["numerator"], fig["denominator"]) == (numerator, denominator)
    assert round(100 * _rate(fig), 1) == pytest.approx(one_decimal)


def test_targets_and_assignment(ind):
    def target(code):
        return ind[code]["target"]

    assert target("ASXH")["rate"] == 1.0 and target("ASXH")["due"] == dt.date(2026, 3, 31)
    assert ind["ASXH"]["assigned"] == "communes"  # Cồn Cỏ included
    assert (target("NCC")["rate"], ind["NCC"]["owner"]) == (0.70, "so-noi-vu")
    assert (target("BTXH")["rate"], ind["BTXH"]["owner"]) == (0.40, "so-y-te")
    assert (target("LUONG_HUU")["rate"], ind["LUONG_HUU"]["owner"]) == (0.91, "bhxh-tinh")
    assert (target("DDDT")["rate"], ind["DDDT"]["owner"]) == (0.81, "cong-an-tinh")
    assert target("DDDT_TC")["rate"] == 0.80 and ind["DDDT_TC"]["assigned"] == "province"
    for code in ("NCC", "BTXH", "LUONG_HUU", "DDDT", "SKDT", "DDDT_M2", "SKDT_DS"):
        assert ind[code]["assigned"] == "communes", code
    for code in ("ADN", "THUE_DD", "BHXH_KHOP", "MST_N1", "DVC_TY", "DVC_422", "DVC_TT"):
        assert ind[code]["assigned"] == "province", code
    assert ind["ADN"]["owner"] == "cong-an-tinh"
    assert ind["THUE_DD"]["owner"] == "thue-tinh"
    assert ind["BHXH_KHOP"]["owner"] == "bhxh-tinh"
    assert {ind[c]["owner"] for c in ind if c.startswith("MST_")} == {"thue-tinh"}
    assert {ind[c]["owner"] for c in ind if c.startswith("DVC_")} == {"trung-tam-pvhcc-tinh"}


def test_e_health_book(ind):
    skdt, skdt_ds = ind["SKDT"], ind["SKDT_DS"]
    assert skdt["target"]["rate"] == 0.80 and skdt["target"]["due"] == dt.date(2026, 12, 31)
    assert [(m["due"], m["rate"]) for m in skdt["milestones"]] == [
        (dt.date(2026, 2, 28), 0.20),
        (dt.date(2026, 6, 30), 0.50),
        (dt.date(2026, 12, 31), 0.80),
    ]
    assert "bảo hiểm y tế" in skdt["denominator"]
    assert "thường trú" in skdt_ds["denominator"]
    assert "thường trú" in skdt_ds["name"] and "BHYT" in skdt["name"]  # the name says which
    assert "target" not in skdt_ds
    assert skdt["numerator"] == skdt_ds["numerator"]


def test_land_data(ind, communes):
    dat = ind["DAT"]
    assert dat["assigned"] == {"communes_except": ["con-co"]}
    assert dat["owner"] == "so-nong-nghiep-va-moi-truong"
    assert dat["target"]["rate"] == 1.0 and dat["target"]["due"] == dt.date(2026, 3, 31)
    assert dat["target"]["extended_text"] == "trong tháng 5/2026 (đôn đốc lần 3)"
    lists = dat["report_lists"]
    names = {u["name"] for u in communes} - {"Cồn Cỏ"}
    done, not_done = set(lists["completed"]), set(lists["not_completed"])
    assert not done & not_done
    assert set(lists["below_average"]) <= not_done
    assert set(lists["not_recognised"]) <= set(lists["below_average"])
    # 000 says 30/77 completed but names 28; the two named nowhere are the derived ones
    derived = set(lists["completed_unnamed_derived"])
    assert derived == names - done - not_done
    assert len(done | derived) == dat["report_counts"]["completed"] == 30
    assert len(not_done) + 30 == 77


def test_house_numbering_steps(ind):
    steps = sorted((i for i in ind.values() if i.get("group") == "DSN"), key=lambda i: i["step"])
    assert [i["code"] for i in steps][:3] == ["DSN_BCD", "DSN_KH", "DSN_DT"]
    assert [i["step"] for i in steps] == list(range(1, len(steps) + 1))
    assert {i["kind"] for i in steps} == {"yesno"}
    assert all(i["target"]["due"] == dt.date(2026, 12, 31) for i in steps)
    for code, not_done in (("DSN_BCD", 15), ("DSN_KH", 7), ("DSN_DT", 34)):
        fig = ind[code]["report_figure"]
        assert len(ind[code]["report_lists"]["not_done"]) == not_done
        assert (fig["denominator"] - fig["numerator"], fig["denominator"]) == (not_done, 78)


def test_report_lists_are_the_footnotes_in_canonical_names(ind, communes):
    name_of = {u["code"]: u["name"] for u in communes}
    for code, lists in LIST_SOURCES.items():
        for key, number in lists.items():
            expected = [name_of[_resolve(n, communes)] for n in FOOTNOTES[number]]
            assert ind[code]["report_lists"][key] == expected, (code, key)
    for i in ind.values():
        for key, names in i.get("report_lists", {}).items():
            assert set(names) <= set(name_of.values()), (i["code"], key)
            counts = i.get("report_counts", {})
            if key in counts and not key.endswith("_derived") and key != "completed":
                assert len(names) == counts[key], (i["code"], key)


def test_derived_baselines_are_marked(indicators):
    for i in indicators:
        base = i.get("baseline_rate")
        if base:
            assert base["derived"] is True and base["date"] == dt.date(2026, 1, 1), i["code"]
            assert 0 < base["rate"] < _rate(i["report_figure"]) + 0.01, i["code"]


def test_report_subject_nouns(ind):
    for code in ("ASXH", "NCC", "BTXH", "LUONG_HUU", "DDDT", "DDDT_M2", "SKDT", "DAT", "ADN"):
        assert isinstance(ind[code]["report"], str) and ind[code]["report"], code
        assert isinstance(ind[code]["report_en"], str) and ind[code]["report_en"], code
    assert ind["NCC"]["report"] == "đối tượng người có công đăng ký tài khoản chi trả"
    assert ind["ASXH"]["report"] == "công dân tích hợp"


# --- tasks -----------------------------------------------------------------------------------


def test_every_task_has_a_unit_lead_and_a_due_text(tasks, by_code, ind):
    keys = [(t["plan"], t["section"], t["number"]) for t in tasks]  # the task key
    assert len(set(keys)) == len(keys)
    for t in tasks:
        key = (t["plan"], t["section"], t["number"])
        assert t["plan"] in by_code, key
        assert t["lead"] in by_code, key
        assert isinstance(t["due_text"], str) and t["due_text"].strip(), key
        assert t["title"].strip() and t["plan_title"].strip(), key
        assert "<" not in t["title"] + t["due_text"] + t.get("product", ""), key
        assert set(t.get("indicators", [])) <= set(ind), key


def test_vinh_thuy_task_table(tasks, by_code):
    rows = [t for t in tasks if t["plan"] == "vinh-thuy"]
    per_section = defaultdict(list)
    for t in rows:
        per_section[t["section"]].append(t["number"])
        assert t["plan_title"] == "Kế hoạch số 1199/KH-UBND ngày 25/5/2026 của UBND xã Vĩnh Thủy"
        lead = by_code[t["lead"]]
        assert t["lead"] == "vinh-thuy" or lead["parent"] == "vinh-thuy", t["number"]
    assert {s: n for s, n in per_section.items()} == {
        "I": [1, 2, 3, 4],
        "II": [1, 2, 3],
        "III": [1, 2, 3, 4, 5],
        "IV": [1, 2, 3, 4, 5],
        "V": [1, 2, 3, 4],
        "VI": [1],
    }
    due = {(t["section"], t["number"]): t["due_text"] for t in rows}
    assert due[("I", 1)] == "Ban hành Kế hoạch trong tháng 5/2026"
    assert due[("I", 2)] == "Trong năm 2026"
    assert due[("I", 4)] == "Quý I/2027"
    assert due[("II", 2)].startswith("Thường xuyên, bám sát lộ trình")
    assert "dự kiến đến hết ngày 30/6/2026" in due[("II", 3)]
    assert due[("III", 4)] == "Hoàn thành trước 10/5/2026"
    assert due[("V", 1)] == "Hoàn thành trước ngày 31/12/2026"
    assert due[("IV", 4)] == "Thực hiện thường xuyên"
    # rows split across page breaks are merged
    by_key = {(t["section"], t["number"]): t for t in rows}
    assert "15/01/2026 về phối hợp cung cấp số liệu" in by_key[("III", 4)]["product"]
    assert "để phục vụ cắt giảm TTHC" in by_key[("IV", 2)]["title"]
    assert "Công văn số 1698/BNV-TTCNTT ngày 24/4/2025" in by_key[("V", 1)]["directive"]
    assert by_key[("VI", 1)]["lead"] == "vinh-thuy/phong-van-hoa-xa-hoi"
    assert by_key[("VI", 1)]["coordinating"] == "Công an xã, Tổ Công tác Đề án 06"


def test_province_tasks(tasks):
    rows = [t for t in tasks if t["plan"] == "quang-tri"]
    by_due = {t["due_text"]: t for t in rows}
    dna = by_due["trong tháng 5/2026 (đôn đốc lần 05)"]
    assert dna["lead"] == "so-noi-vu" and dna["reminders_sent"] == 4
    land = by_due["trong tháng 5/2026 (đôn đốc lần 3)"]
    assert land["lead"] == "so-nong-nghiep-va-moi-truong" and land["reminders_sent"] == 2
    assert "đến hết ngày 31/12/2026" in by_due
    assert by_due["trước ngày 31/3/2026"]["indicators"] == ["ASXH"]


# --- province --------------------------------------------------------------------------------


def test_province_file(province, ind):
    assert province["code"] == "quang-tri" and province["name"] == "Quảng Trị"
    assert "78" in province["unit_count_note"] and "Cồn Cỏ" in province["unit_count_note"]
    cycles = {c["code"]: c for c in province["reporting"]}
    assert (cycles["monthly"]["every"], cycles["monthly"]["day"]) == ("month", 12)
    house = cycles["house-numbering"]
    assert (house["every"], house["day"]) == ("quarter", 30)
    assert set(house["indicators"]) <= set(ind)
    assert {"DSN_BCD", "DSN_KH", "DSN_DT"} <= set(house["indicators"])


def test_holidays(province):
    days = province["holidays"]
    assert all(isinstance(d, dt.date) for d in days)
    assert days == sorted(set(days))
    for day in (
        dt.date(2026, 1, 1),
        dt.date(2026, 2, 17),  # Tết Bính Ngọ
        dt.date(2026, 4, 30),
        dt.date(2026, 5, 1),
        dt.date(2026, 9, 2),
        dt.date(2027, 1, 1),
        dt.date(2027, 2, 6),  # Tết Đinh Mùi
        dt.date(2027, 4, 30),
        dt.date(2027, 5, 1),
        dt.date(2027, 9, 2),
    ):
        assert day in days, day
    assert {d.year for d in days} == {2026, 2027}


# --- the bot's own loader --------------------------------------------------------------------


def test_the_loader_reads_the_catalogue():
    from services.catalogue import load_catalogue

    cat = load_catalogue(CATALOGUE)
    assert len(cat.communes()) == 78
    assert len(cat.assigned_units(cat.indicator("DAT"))) == 77
    assert len(cat.assigned_units(cat.indicator("ASXH"))) == 78
    assert all(isinstance(i.report, str) and "{" not in i.report for i in cat.indicators)
    assert len({t.code for t in cat.tasks}) == len(cat.tasks)
    assert cat.indicator("SKDT").next_milestone(dt.date(2026, 5, 1)).rate == 0.50
