"""Plan documents: 001's due phrases, and its task table read from a .docx and an .xlsx."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import openpyxl
import pytest
import yaml
from docx import Document

from domain.periods import parse_due
from domain.plan_table import parse_table
from services import tasks as service
from services.access import Actor
from services.context import Env
from store.db import Database

HEADER = [
    "TT",
    "Nhiệm vụ",
    "Văn bản chỉ đạo",
    "Cơ quan chủ trì",
    "Cơ quan phối hợp",
    "Thời gian thực hiện",
    "Kết quả/sản phẩm",
]
QD = "Quyết định số 06/QĐ-TTg ngày 06/01/2022 của Thủ tướng Chính phủ"
II3_DUE = (
    "Hoàn thành tích hợp Hệ thống thông tin giải quyết TTHC tỉnh với Cổng DVC quốc gia theo "
    "thời hạn yêu cầu. Duy trì vận hành đến khi hệ thống của Trung ương triển khai (dự kiến "
    "đến hết ngày 30/6/2026)"
)
III2_DUE = (
    "Hoàn thành đánh số nhà trước ngày 31/12/2026 Triển khai phần mềm định danh địa điểm ngay "
    "khi có chỉ đạo của Bộ Công an"
)
IV2_DUE = (
    "Hoàn thành làm sạch dữ liệu đất đai, đổi khớp với CSDLQG về dân cư trong tháng 4/2026. "
    "Đề xuất sử dụng dữ liệu để cắt giảm TTHC trong Quý II/2026."
)
BEFORE_END = "Hoàn thành trước ngày 31/12/2026"
# (label, lead, due phrase as in 001, expected kind, expected date)
PLAN_001: list[tuple[str, str, str, str, date | None]] = [
    ("I.1", "Công an xã", "Ban hành Kế hoạch trong tháng 5/2026", "date", date(2026, 5, 31)),
    ("I.2", "Phòng Kinh tế", "Trong năm 2026", "date", date(2026, 12, 31)),
    ("I.3", "Công an xã", "Trong năm 2026", "date", date(2026, 12, 31)),
    ("I.4", "Phòng Văn hóa - Xã hội", "Quý I/2027", "date", date(2027, 3, 31)),
    (
        "II.1",
        "Trung tâm Phục vụ hành chính công xã",
        "Thực hiện trong năm 2026",
        "date",
        date(2026, 12, 31),
    ),
    (
        "II.2",
        "Trung tâm Phục vụ hành chính công xã",
        "Thường xuyên, bám sát lộ trình triển khai của các bộ, ngành",
        "recurring",
        None,
    ),
    ("II.3", "Trung tâm Phục vụ hành chính công xã", II3_DUE, "date", date(2026, 6, 30)),
    ("III.1", "Công an xã", "Thường xuyên", "recurring", None),
    ("III.2", "Phòng Kinh tế", III2_DUE, "date", date(2026, 12, 31)),
    ("III.3", "Phòng Văn hóa - Xã hội", "Trong năm 2026", "date", date(2026, 12, 31)),
    ("III.4", "Công an xã", "Hoàn thành trước 10/5/2026", "date", date(2026, 5, 10)),
    ("III.5", "Công an xã", "Trong năm 2026", "date", date(2026, 12, 31)),
    ("IV.1", "Công an xã", "Thường xuyên", "recurring", None),
    ("IV.2", "Phòng Kinh tế", IV2_DUE, "date", date(2026, 6, 30)),
    ("IV.3", "Phòng Kinh tế", BEFORE_END, "date", date(2026, 12, 31)),
    ("IV.4", "Phòng Văn hóa - Xã hội", "Thực hiện thường xuyên", "recurring", None),
    ("IV.5", "Các phòng, ban, ngành liên quan", "Thực hiện thường xuyên", "recurring", None),
    ("V.1", "Phòng Văn hóa - Xã hội", BEFORE_END, "date", date(2026, 12, 31)),
    ("V.2", "Phòng Văn hóa - Xã hội", BEFORE_END, "date", date(2026, 12, 31)),
    ("V.3", "Phòng Văn hóa - Xã hội", BEFORE_END, "date", date(2026, 12, 31)),
    ("V.4", "Phòng Văn hóa - Xã hội", BEFORE_END, "date", date(2026, 12, 31)),
    ("VI.1", "Phòng Văn hóa - Xã hội", "Thường xuyên", "recurring", None),
]
SECTIONS = {
    "I": "CÔNG TÁC THAM MƯU CHỈ ĐẠO, TỔ CHỨC THỰC HIỆN, KIỂM TRA, KHEN THƯỞNG",
    "II": "CẢI CÁCH TTHC GẮN VỚI ĐỀ ÁN 06",
    "III": "CÔNG DÂN SỐ VÀ CĂN CƯỚC, ĐỊNH DANH ĐIỆN TỬ",
    "IV": "ĐẢM BẢO DỮ LIỆU DÂN CƯ “ĐÚNG, ĐỦ, SẠCH, SỐNG”",
    "V": "THÚC ĐẨY ỨNG DỤNG, TIỆN ÍCH ĐỀ ÁN 06",
    "VI": "QUÁN TRIỆT, TUYÊN TRUYỀN, NÂNG CAO NHẬN THỨC TRONG TRIỂN KHAI ĐỀ ÁN 06",
}
EXTRA_PHRASES = [
    ("trước ngày 31/12/2026", date(2026, 12, 31)),
    ("Trong tháng 5/2026", date(2026, 5, 31)),
    ("Quý II/2026", date(2026, 6, 30)),
    ("dự kiến đến hết ngày 30/6/2026", date(2026, 6, 30)),
]


@pytest.mark.parametrize(("label", "lead", "text", "kind", "due"), PLAN_001)
def test_every_due_phrase_of_001(label: str, lead: str, text: str, kind: str, due: date) -> None:
    got = parse_due(text)
    assert (got.kind, got.due_date) == (kind, due), label


@pytest.mark.parametrize(("text", "due"), EXTRA_PHRASES)
def test_issue_phrases(text: str, due: date) -> None:
    assert parse_due(text).due_date == due


def test_unreadable_phrase_is_unknown_not_guessed() -> None:
    assert parse_due("sớm nhất có thể").kind == "unknown"
    assert parse_due("Trong tháng 5").due_date is None  # no year: never guessed


def test_catalogue_tasks_if_present() -> None:
    """When the bundled tasks.yaml exists, every 001 phrase in it reads to the expected date."""
    path = Path(__file__).resolve().parents[2] / "catalogues" / "quang-tri" / "tasks.yaml"
    if not path.exists():
        pytest.skip("catalogues/quang-tri/tasks.yaml is not written yet")
    expected = {label: (kind, due) for label, _, _, kind, due in PLAN_001}
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    checked = 0
    for e in entries:
        label = f"{e.get('section')}.{e.get('number')}"
        if e.get("plan") == "vinh-thuy" and label in expected:
            got = parse_due(str(e.get("due_text", "")))
            assert (got.kind, got.due_date) == expected[label], label
            checked += 1
    assert checked


def _rows_001() -> list[list[str]]:
    """001's table as cells, with the page-break artefacts of the real document."""
    rows: list[list[str]] = [HEADER]
    section = ""
    for label, lead, due, _, _ in PLAN_001:
        sec, num = label.split(".")
        if sec != section:
            section = sec
            rows.append([sec] + [SECTIONS[sec]] * 6)  # merged cells repeat their text
        rows.append([num, f"Nhiệm vụ {label} phần đầu", QD, lead, "Công an xã", due, "Kết quả"])
        if label == "IV.2":  # continued on the next page, under a repeated header
            rows.append(HEADER)
            rows.append(["", "phần tiếp theo", "tướng Chính phủ", "", "", "", "(chuyển sang)"])
    return rows


def test_parse_table_sections_and_page_breaks() -> None:
    table = parse_table(_rows_001())
    assert [r.label for r in table.rows] == [p[0] for p in PLAN_001]
    iv2 = next(r for r in table.rows if r.label == "IV.2")
    assert iv2.title == "Nhiệm vụ IV.2 phần đầu phần tiếp theo"
    assert iv2.directive.endswith("Thủ tướng Chính phủ tướng Chính phủ")
    assert iv2.section_title.startswith("ĐẢM BẢO DỮ LIỆU")
    assert table.skipped == []


def _docx(rows: list[list[str]]) -> bytes:
    document = Document()
    document.add_paragraph("KẾ HOẠCH triển khai Đề án 06 trên địa bàn xã Vĩnh Thủy năm 2026")
    table = document.add_table(rows=len(rows), cols=7)
    for i, cells in enumerate(rows):
        if cells[0] in SECTIONS and cells[1] == SECTIONS[cells[0]]:
            merged = table.cell(i, 1).merge(table.cell(i, 6))
            table.cell(i, 0).text = cells[0]
            merged.text = cells[1]
            continue
        for j, text in enumerate(cells):
            table.cell(i, j).text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _xlsx(rows: list[list[str]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["PHỤ LỤC: CÁC NHIỆM VỤ CỦA ĐỀ ÁN 06 TRÊN ĐỊA BÀN XÃ NĂM 2026"])
    for cells in rows:
        sheet.append(cells)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


LEADER = Actor(user_id=600, name="Lãnh đạo", role="leader")


async def _count_tasks(db: Database) -> int:
    from sqlalchemy import func, select

    from store.schema import tasks

    async with db.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(tasks))).scalar_one())


@pytest.mark.parametrize("kind", ["docx", "xlsx"])
async def test_import_preview_then_confirm(env: Env, kind: str) -> None:
    rows = _rows_001()
    rows[2][5] = "sớm nhất có thể"  # I.1: a phrase the bot cannot read
    data = _docx(rows) if kind == "docx" else _xlsx(rows)
    before = await _count_tasks(env.db)
    preview = await service.read_plan(
        env, LEADER, filename=f"kh.{kind}", data=data, caption="Kế hoạch xã Vĩnh Thủy", chat_id=600
    )
    assert preview.outcome == "preview" and preview.plan == "vinh-thuy"
    assert [d.label for d in preview.drafts] == [p[0] for p in PLAN_001]
    assert [d.label for d in preview.unreadable] == ["I.1"]
    by_label = {d.label: d for d in preview.drafts}
    assert by_label["III.4"].due_date == date(2026, 5, 10)
    assert by_label["III.4"].lead == "vinh-thuy/cong-an-xa"
    assert by_label["I.2"].lead == "vinh-thuy/phong-kinh-te"
    assert not by_label["IV.5"].lead_known  # 'Các phòng, ban, ngành liên quan' is flagged
    assert await _count_tasks(env.db) == before  # nothing imported before confirmation
    assert preview.pending_id
    done = await service.confirm_plan(env, LEADER, preview.pending_id)
    assert done.outcome == "imported"
    assert done.added + done.updated == len(PLAN_001)
    again = await service.confirm_plan(env, LEADER, preview.pending_id)
    assert again.outcome == "expired"  # a second tap does nothing
    listing = await service.list_tasks(env, status="all", scope_unit_code="vinh-thuy")
    assert listing.counts.total == 23  # 22 rows of 001 + V.9 of the test catalogue
    assert listing.counts.unknown == 2  # I.1 as imported + V.9


async def test_import_sniff_and_refusals(env: Env) -> None:
    assert service.is_plan_file("kh.xlsx", _xlsx(_rows_001()))
    other = _xlsx([["Đơn vị", "Chỉ tiêu", "Số đạt", "Tổng số"], ["Vĩnh Thủy", "ASXH", "1", "2"]])
    assert not service.is_plan_file("so-lieu.xlsx", other)
    officer = Actor(user_id=502, name="CB", role="officer", unit_codes=("dong-cuu",))
    refused = await service.read_plan(
        env,
        officer,
        filename="kh.docx",
        data=_docx(_rows_001()),
        caption="xã Vĩnh Thủy",
        chat_id=502,
    )
    assert refused.outcome == "forbidden"
    with pytest.raises(service.PlanFileError):
        await service.read_plan(env, LEADER, filename="kh.docx", data=b"not a zip", chat_id=1)
