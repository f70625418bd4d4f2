"""Reading files safely: formats, encodings, limits, broken and hostile files."""

from __future__ import annotations

import io
import unicodedata
import zipfile

import pytest

from services.sheets import MAX_UNZIPPED_BYTES, SheetError, read_book
from tests.sheets.conftest import xlsx_bytes

HEADER = ["STT", "Đơn vị", "Số đã tích hợp", "Tổng số", "Tỷ lệ"]


def test_xlsx_values_and_dates() -> None:
    from datetime import datetime

    data = xlsx_bytes([HEADER, [1, "Vĩnh Thủy", 120, 400, 0.3], [], [None, datetime(2026, 4, 20)]])
    [sheet] = read_book(data, "a.xlsx")
    assert sheet.grid[0] == HEADER
    assert sheet.grid[1] == [1, "Vĩnh Thủy", 120, 400, 0.3]
    assert sheet.grid[3][1] == "2026-04-20"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1258"])
@pytest.mark.parametrize("sep", [";", ","])
def test_csv_encodings_and_separators(encoding: str, sep: str) -> None:
    lines = [sep.join(HEADER), sep.join(["1", "Vĩnh Thủy", "120", "400", '"30,0%"'])]
    text = "\r\n".join(lines)
    data = to_cp1258(text) if encoding == "cp1258" else text.encode(encoding)
    [sheet] = read_book(data, "a.csv")
    assert sheet.grid[0] == HEADER
    assert sheet.grid[1] == ["1", "Vĩnh Thủy", "120", "400", "30,0%"]


TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: base vowels precomposed, tones combining."""
    out = []
    for ch in text:
        decomposed = unicodedata.normalize("NFD", ch)
        base = "".join(c for c in decomposed if c not in TONES)
        tones = "".join(c for c in decomposed if c in TONES)
        out.append(unicodedata.normalize("NFC", base) + tones)
    return "".join(out).encode("cp1258")


def _reason(data: bytes, filename: str, **kw: int) -> str:
    with pytest.raises(SheetError) as info:
        read_book(data, filename, **kw)
    return info.value.reason


def test_not_a_spreadsheet() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4
    assert _reason(png, "anh.csv") == "not_spreadsheet"
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("word/document.xml", "<w:document/>")
    assert _reason(docx.getvalue(), "bao-cao.xlsx") == "not_spreadsheet"
    assert _reason(b"\xd0\xcf\x11\xe0" + b"\x00" * 600, "cu.xls") == "not_spreadsheet"


def test_broken_zip() -> None:
    good = xlsx_bytes([HEADER])
    assert _reason(good[: len(good) // 2], "hong.xlsx") == "broken"
    assert _reason(b"this is not a zip at all", "hong.xlsx") == "broken"


def test_too_big() -> None:
    assert _reason(b"a;b\n" * 1000, "x.csv", max_bytes=100) == "too_big"


def test_too_many_rows() -> None:
    rows = "\n".join(["STT;Đơn vị;Số đã tích hợp;Tổng số"] + [f"{i};X;1;2" for i in range(60)])
    assert _reason(rows.encode(), "x.csv", max_rows=20) == "too_many_rows"
    data = xlsx_bytes([HEADER] + [[i, "X", 1, 2, 0.5] for i in range(60)])
    assert _reason(data, "x.xlsx", max_rows=20) == "too_many_rows"


def test_zip_bomb_is_refused_before_openpyxl() -> None:
    good = io.BytesIO(xlsx_bytes([HEADER]))
    bomb = io.BytesIO()
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("xl/media/padding.bin", b"\x00" * (MAX_UNZIPPED_BYTES + 1))
    assert len(bomb.getvalue()) < 200_000
    assert _reason(bomb.getvalue(), "bom.xlsx") == "zip_bomb"


def test_empty_file() -> None:
    assert _reason(b"  \n", "x.csv") == "empty"
