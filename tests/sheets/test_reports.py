"""Files out: the .xlsx export (and its round trip through the import) and the .docx draft."""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

from docx import Document
from openpyxl import load_workbook
from sqlalchemy import select

from domain.chartspec import NoData, RankingChart
from services import reports
from services import sheets as service
from services.chart_worker import ChartWorker
from services.context import Env
from store.figures import latest_as_of
from store.schema import figures
from tests.sheets.conftest import LEADER, OFFICER, make_env, seed

NOW_FIGURES = {"vinh-thuy": (400, 400), "cam-lo": (50, 200), "dong-ha": (20, 400)}
BASE_FIGURES = {"vinh-thuy": (300, 400), "cam-lo": (40, 200), "dong-ha": (20, 400)}


async def _dataset(env: Env) -> None:
    await seed(env, "ASXH", BASE_FIGURES, date(2026, 1, 1))
    await seed(env, "ASXH", NOW_FIGURES, date(2026, 4, 20))
    await seed(env, "NCC", {"vinh-thuy": (10, 20), "cam-lo": (3, 4)}, date(2026, 4, 18))


async def _latest(env: Env, code: str) -> dict[str, tuple[int | None, int | None, date]]:
    async with env.db.read() as conn:
        rows = await latest_as_of(conn, [env.ids.indicator_id[code]], env.clock.today())
    return {env.ids.unit_code[r.unit_id]: (r.numerator, r.denominator, r.as_of) for r in rows}


async def test_export_workbook(env: Env) -> None:
    await _dataset(env)
    result = await reports.export_xlsx(env, LEADER, "ASXH")
    assert result.status == "ok" and result.filename == "ASXH_20-04-2026.xlsx"
    book = load_workbook(io.BytesIO(result.content))
    ws, hist = book.worksheets
    assert ws.freeze_panes == "A2" and hist.freeze_panes == "A2"
    header = [c.value for c in ws[1]]
    assert header == [
        *("STT", "Đơn vị", "Số đã đạt", "Tổng số", "Tỷ lệ", "Chỉ tiêu"),
        *("Còn thiếu so với chỉ tiêu", "Xếp hạng", "Ngày số liệu", "Mã đơn vị"),
    ]
    first = [c.value for c in ws[2]]
    assert first[:5] == [1, "xã Vĩnh Thủy", 400, 400, 1.0] and first[7] == 1
    third = [c.value for c in ws[4]]
    assert third[1] == "phường Đông Hà" and third[6] == 380 and third[7] == 3
    assert ws["C2"].number_format == "#,##0" and ws["E2"].number_format == "0.0%"
    assert [c.value for c in ws[5]][1:5] == ["Toàn tỉnh", 470, 1000, 0.47]
    assert hist.max_row == 1 + 6  # every stored figure, oldest first


async def test_export_by_name_and_officer_scope(env: Env) -> None:
    await _dataset(env)
    asked = await reports.export_xlsx(env, LEADER, "xuất excel người có công")
    assert asked.status == "ok" and asked.filename.startswith("NCC_")
    mine = await reports.export_xlsx(env, OFFICER, "ASXH")
    ws = load_workbook(io.BytesIO(mine.content)).worksheets[0]
    assert [c.value for c in ws["B"]][1:] == ["xã Vĩnh Thủy"]  # own unit, no province total
    assert (await reports.export_xlsx(env, LEADER, "")).status == "usage"


async def test_round_trip_export_then_import(env: Env, tmp_path: Path) -> None:
    await _dataset(env)
    exported = await reports.export_xlsx(env, LEADER, "ASXH")
    fresh = await make_env(tmp_path / "fresh.db")
    try:
        reply = await service.receive(fresh, LEADER, exported.content, exported.filename)
        assert reply.status == "preview" and reply.preview is not None, reply
        assert reply.preview.parsed.errors == [] and reply.preview.parsed.unmatched == []
        done = await service.confirm(fresh, LEADER, reply.pending_id)
        assert done.imported == 3
        assert await _latest(fresh, "ASXH") == await _latest(env, "ASXH")
        # and into the database it came from: nothing new to store
        again = await service.receive(env, LEADER, exported.content, exported.filename)
        assert again.preview is not None and again.preview.to_import == []
    finally:
        await fresh.db.close()


def _text(content: bytes) -> tuple[str, int]:
    doc = Document(io.BytesIO(content))
    return "\n".join(p.text for p in doc.paragraphs), len(doc.inline_shapes)


async def test_report_docx_sentences(env: Env) -> None:
    await _dataset(env)
    result = await reports.report_docx(env, LEADER, "thang 4")
    assert result.status == "ok"
    text, pictures = _text(result.content)
    assert "Quảng Trị, ngày 25 tháng 4 năm 2026" in text
    assert "BÁO CÁO" in text and "tháng 4/2026" in text
    assert "I. KẾT QUẢ" in text and "II. TỒN TẠI, HẠN CHẾ" in text
    assert (
        "Toàn tỉnh đã có 470/1.000 công dân tích hợp, đạt tỷ lệ 47,0%, tăng 11,0% so với đầu năm"
        " 2026. Trong đó, có 01/78 địa phương1 đạt tỷ lệ 100%; 02/78 địa phương2 có tỷ lệ thấp "
        "hơn mức trung bình toàn tỉnh."
    ) in text
    assert "1 Vĩnh Thủy." in text and "2 Đông Hà, Cam Lộ." in text
    ncc = "Toàn tỉnh đã có 13/24 đối tượng người có công đăng ký tài khoản chi trả, đạt tỷ lệ 54,2%"
    assert ncc in text
    assert "chưa đạt chỉ tiêu giao 100,0% (hạn 31/03/2026, đã quá hạn)" in text
    assert pictures >= 1  # the ranking chart


class RecordingWorker(ChartWorker):
    """The thread-drawing worker, recording what it is asked for; the first chart is empty."""

    def __init__(self) -> None:
        super().__init__(0)
        self.asked: list[tuple[object, bool]] = []

    async def render(self, spec: object, *, original: bool = False) -> bytes:
        self.asked.append((spec, original))
        if len(self.asked) == 1:
            raise NoData(spec)
        return await super().render(spec, original=original)


async def test_report_charts_come_from_the_chart_worker(env: Env) -> None:
    """The report's rankings are drawn by env.chart_worker (a process in the bot, not the
    bot's own threads); one with nothing to draw is left out of the document."""
    await _dataset(env)
    worker = RecordingWorker()
    env.chart_worker = worker
    result = await reports.report_docx(env, LEADER, "thang 4")
    assert result.status == "ok"
    assert len(worker.asked) >= 2 and all(
        isinstance(spec, RankingChart) and not original for spec, original in worker.asked
    )
    _, pictures = _text(result.content)
    assert pictures == len(worker.asked) - 1


async def test_report_waits_on_the_worker_process_outside_its_slot(env: Env) -> None:
    """With a worker process, the report's own task (the update's, which holds the slot) waits
    for the drawings inside the worker's `waiting` (in the bot: waiting_elsewhere)."""
    await _dataset(env)
    entered: list[asyncio.Task[object] | None] = []

    @contextlib.asynccontextmanager
    async def waiting() -> AsyncIterator[None]:
        entered.append(asyncio.current_task())
        yield

    class ProcessLike(ChartWorker):  # processes=1, drawn in a thread: no process to start
        async def render(self, spec: object, *, original: bool = False) -> bytes:
            return await ChartWorker(0).render(spec, original=original)

    env.chart_worker = ProcessLike(1, waiting=waiting)
    report = asyncio.ensure_future(reports.report_docx(env, LEADER, "thang 4"))
    assert (await report).status == "ok"
    assert report in entered


def test_runs_are_written_as_python_docx_writes_them() -> None:
    """reports._run adds a long run's text in one step: the XML is add_run's, character for
    character (spaces kept at the ends, tabs and line breaks as their elements)."""
    texts = ["Vĩnh Thủy, Cam Lộ.", " 02/78 địa phương ", "a\tb", "dòng 1\ndòng 2\r", "", "x" * 5000]
    doc = Document()
    for text in texts:
        ours, theirs = doc.add_paragraph(), doc.add_paragraph()
        reports._run(ours, text).bold = True
        theirs.add_run(text).bold = True
        assert ours._p.xml == theirs._p.xml


async def test_report_needs_a_leader_and_data(env: Env) -> None:
    assert (await reports.report_docx(env, OFFICER)).status == "denied"
    assert (await reports.report_docx(env, LEADER)).status == "empty"


async def test_import_record_links_figures(env: Env) -> None:
    await _dataset(env)
    exported = await reports.export_xlsx(env, LEADER, "NCC")
    book = load_workbook(io.BytesIO(exported.content))
    ws = book.worksheets[0]
    ws["C2"], ws["E2"], ws["I2"] = 4, None, date(2026, 4, 24)  # one unit updated by hand
    edited = io.BytesIO()
    book.save(edited)
    reply = await service.receive(env, LEADER, edited.getvalue(), exported.filename)
    assert reply.preview is not None
    done = await service.confirm(env, LEADER, reply.pending_id)
    async with env.db.read() as conn:
        statement = select(figures.c.source, figures.c.import_id).where(
            figures.c.import_id.is_not(None)
        )
        sources = (await conn.execute(statement)).all()
    assert done.imported == 1
    assert sources == [("import", done.import_id)] * done.imported
