"""The import use case on a real store: preview, ask, [Nhập] in one transaction, [Hủy], rights."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from services import sheets as service
from services.access import Actor
from services.context import Env
from store.schema import figures, imports, pending_actions
from tests.sheets.conftest import LEADER, OFFICER, seed, xlsx_bytes

HEADER = ["STT", "Đơn vị", "Số đã tích hợp", "Tổng số", "Tỷ lệ"]
ROWS = [HEADER, [1, "Vĩnh Thủy", 120, 400, 0.3], [2, "Cam Lộ", 50, 100, 0.5],
        [3, "Đông Hà", 10, 0, None], [None, "Tổng cộng", 180, 500, None]]  # fmt: skip


async def _count(env: Env, table=figures) -> int:  # type: ignore[no-untyped-def]
    async with env.db.read() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


async def _stored(env: Env) -> list[tuple[str, str, int, int, date, str, int | None]]:
    async with env.db.read() as conn:
        rows = (await conn.execute(select(figures).order_by(figures.c.id))).all()
    return [(env.ids.unit_code[r.unit_id], env.ids.indicator_code[r.indicator_id], r.numerator,
             r.denominator, r.as_of, r.source, r.import_id) for r in rows]  # fmt: skip


async def test_preview_then_import_in_one_go(env: Env) -> None:
    await seed(env, "ASXH", {"vinh-thuy": (100, 400)}, date(2026, 4, 1))
    reply = await service.receive(env, LEADER, xlsx_bytes(ROWS), "ASXH_20-4-2026.xlsx",
                                  chat_id=-100, update_id=11)  # fmt: skip
    assert reply.status == "preview", reply
    preview = reply.preview
    assert preview is not None
    assert preview.parsed.indicators == ("ASXH",)
    assert {c.row.unit: c.kind for c in preview.changes} == {"vinh-thuy": "changed",
                                                               "cam-lo": "new"}  # fmt: skip
    assert [e.reason for e in preview.parsed.errors] == ["zero"]
    assert await _count(env) == 1  # nothing stored by a preview
    async with env.db.read() as conn:
        kinds = (await conn.execute(select(pending_actions.c.kind))).scalars().all()
    assert kinds == ["sheet_import"]  # the preview lives in the store, not in memory

    seen: list[tuple[int, int]] = []

    async def progress(done: int, total: int) -> None:
        seen.append((done, total))

    done = await service.confirm(env, LEADER, reply.pending_id, update_id=12, progress=progress)
    assert done.status == "done" and done.imported == 2
    assert seen[-1] == (2, 2)
    stored = await _stored(env)
    assert stored[1:] == [
        ("vinh-thuy", "ASXH", 120, 400, date(2026, 4, 20), "import", done.import_id),
        ("cam-lo", "ASXH", 50, 100, date(2026, 4, 20), "import", done.import_id),
    ]
    async with env.db.read() as conn:
        record = (await conn.execute(select(imports))).one()
    assert record.filename == "ASXH_20-4-2026.xlsx" and record.rows_imported == 2
    again = await service.confirm(env, LEADER, reply.pending_id, update_id=13)
    assert again.status == "gone" and await _count(env) == 3  # a second tap stores nothing


async def test_cancel_stores_nothing(env: Env) -> None:
    reply = await service.receive(env, LEADER, xlsx_bytes(ROWS), "ASXH_20-4-2026.xlsx")
    assert reply.status == "preview"
    assert (await service.cancel(env, LEADER, reply.pending_id)).status == "cancelled"
    assert (await service.confirm(env, LEADER, reply.pending_id)).status == "gone"
    assert await _count(env) == 0 and await _count(env, imports) == 0


async def test_officer_cannot_import_another_communes_rows(env: Env) -> None:
    rows = [HEADER, [1, "Cam Lộ", 50, 100, 0.5], [2, "Hải Lăng", 5, 10, 0.5]]
    reply = await service.receive(env, OFFICER, xlsx_bytes(rows), "ASXH_20-4-2026.xlsx")
    assert reply.status == "preview" and reply.preview is not None
    assert [f.unit for f in reply.preview.parsed.forbidden] == ["cam-lo", "hai-lang"]
    assert reply.preview.to_import == []
    done = await service.confirm(env, OFFICER, reply.pending_id)
    assert done.imported == 0
    assert await _count(env) == 0 and await _count(env, imports) == 0


async def test_officer_imports_own_rows_only(env: Env) -> None:
    reply = await service.receive(env, OFFICER, xlsx_bytes(ROWS), "ASXH_20-4-2026.xlsx")
    assert reply.preview is not None
    assert [r.unit for r in reply.preview.to_import] == ["vinh-thuy"]
    done = await service.confirm(env, OFFICER, reply.pending_id)
    assert [s[0] for s in await _stored(env)] == ["vinh-thuy"] and done.imported == 1


async def test_another_person_cannot_press_the_button(env: Env) -> None:
    reply = await service.receive(env, LEADER, xlsx_bytes(ROWS), "ASXH_20-4-2026.xlsx")
    other = Actor(99, "Khác", "leader")
    assert (await service.confirm(env, other, reply.pending_id)).status == "gone"
    assert await _count(env) == 0


async def test_asks_indicator_then_date(env: Env) -> None:
    reply = await service.receive(env, LEADER, xlsx_bytes(ROWS), "bang_tong_hop.xlsx")
    assert reply.status == "ask_indicator"
    assert ("ASXH", env.catalogue.indicator("ASXH").short) in reply.choices
    reply = await service.choose(env, LEADER, reply.pending_id, "indicator", "ASXH")
    assert reply.status == "ask_date"
    reply = await service.choose(env, LEADER, reply.pending_id, "as_of", "2026-04-20")
    assert reply.status == "preview" and reply.preview is not None
    assert {r.as_of for r in reply.preview.parsed.rows} == {date(2026, 4, 20)}


async def test_caption_names_indicator_and_day(env: Env) -> None:
    reply = await service.receive(env, LEADER, xlsx_bytes(ROWS), "export.xlsx",
                                  caption="người có công tính đến 18/4/2026")  # fmt: skip
    assert reply.status == "preview" and reply.preview is not None
    assert reply.preview.parsed.indicators == ("NCC",)
    assert {r.as_of for r in reply.preview.parsed.rows} == {date(2026, 4, 18)}


async def test_stranger_and_bad_files(env: Env) -> None:
    stranger = Actor(5, "Lạ", "none")
    assert (await service.receive(env, stranger, xlsx_bytes(ROWS), "a.xlsx")).status == "denied"
    bad = await service.receive(env, LEADER, b"PK\x03\x04broken", "a.xlsx")
    assert (bad.status, bad.reason) == ("error", "broken")
    none = await service.receive(env, LEADER, xlsx_bytes([["a", "b"], [1, 2]]), "a.xlsx")
    assert (none.status, none.reason) == ("error", "no_header")
    plan = xlsx_bytes([["TT", "Nội dung nhiệm vụ", "Đơn vị chủ trì", "Thời gian hoàn thành"]])
    assert (await service.receive(env, LEADER, plan, "kh.xlsx")).status == "handoff"


async def test_same_update_twice_makes_one_preview(env: Env) -> None:
    first = await service.receive(env, LEADER, xlsx_bytes(ROWS), "ASXH_20-4-2026.xlsx",
                                  update_id=77)  # fmt: skip
    second = await service.receive(env, LEADER, xlsx_bytes(ROWS), "ASXH_20-4-2026.xlsx",
                                   update_id=77)  # fmt: skip
    assert first.status == "preview" and second.status == "duplicate"
    assert await _count(env, pending_actions) == 1
