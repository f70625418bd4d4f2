"""End to end through the local Bot API server: a forwarded .xlsx imported with [Nhập], /xuat."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from domain.clock import FixedClock
from store.schema import figures, imports
from tests.rig import FakeBotApi
from tests.sheets.conftest import NOW, xlsx_bytes

ADMIN = 1  # bot_settings makes user 1 an admin
ROWS = [
    ["STT", "Tên đơn vị", "Số đã tích hợp", "Tổng số", "Tỷ lệ"],
    [1, "Vĩnh Thủy", 120, 400, 0.3],
    [2, "Cam Lộ", 50, 100, 0.5],
    [3, "Vĩnh Thủyy", 1, 2, None],
]


@pytest.fixture
def bot_clock() -> Any:
    return FixedClock(NOW)


def _buttons(message: dict[str, Any]) -> list[str]:
    markup = message.get("reply_markup") or {}
    if isinstance(markup, str):
        markup = json.loads(markup)
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


async def _edited(botapi: FakeBotApi, chat: int, words: str, since: int = 0) -> dict[str, Any]:
    calls = await botapi.wait_for("editMessageText", since=since, ok=True, timeout=10)
    for _ in range(3):
        for call in reversed(botapi.find_calls("editMessageText", since=since, ok=True)):
            if words in call.params.get("text", ""):
                return dict(call.result)
        calls = await botapi.wait_for("editMessageText", count=len(calls) + 1, since=since,
                                      timeout=10)  # fmt: skip
    raise AssertionError(f"no edit with {words!r}: {botapi.describe_calls()}")


async def test_import_with_the_button_then_export(botapi: FakeBotApi, running_bot: Any) -> None:
    botapi.document(ADMIN, ADMIN, "ASXH_20-4-2026.xlsx", xlsx_bytes(ROWS))
    preview = await _edited(botapi, ADMIN, "Xem trước")
    text = preview["text"]
    assert "Khớp: 2 dòng" in text and "Vĩnh Thủyy" in text and "xã Vĩnh Thủy" in text
    ok = next(b for b in _buttons(preview) if b.startswith("sh:ok:"))
    mark = len(botapi.calls)
    botapi.callback(ADMIN, ADMIN, preview, ok)
    done = await _edited(botapi, ADMIN, "Đã nhập", since=mark)
    assert "Đã nhập 2 dòng" in done["text"]

    env = running_bot.bot_data["env"]
    async with env.db.read() as conn:
        rows = (await conn.execute(select(figures.c.numerator, figures.c.source))).all()
        files = (await conn.execute(select(imports.c.filename))).scalars().all()
    assert sorted(rows) == [(50, "import"), (120, "import")]
    assert files == ["ASXH_20-4-2026.xlsx"]

    command = botapi.user_text(ADMIN, ADMIN, "/xuat ASXH")
    await botapi.reply_to(command, methods=("sendDocument",), timeout=10)
    [sent] = botapi.sent_documents(ADMIN)
    assert sent.filename == "ASXH_20-04-2026.xlsx"
    ws = load_workbook(io.BytesIO(sent.content)).worksheets[0]
    assert [c.value for c in ws[2]][1:5] == ["xã Cam Lộ", 50, 100, 0.5]

    asked = botapi.user_text(ADMIN, ADMIN, "xuất excel tài khoản an sinh")
    await botapi.reply_to(asked, methods=("sendDocument",), timeout=10)
    assert len(botapi.sent_documents(ADMIN)) == 2


async def test_cancel_and_not_a_spreadsheet(botapi: FakeBotApi, running_bot: Any) -> None:
    botapi.document(ADMIN, ADMIN, "ASXH_20-4-2026.xlsx", xlsx_bytes(ROWS))
    preview = await _edited(botapi, ADMIN, "Xem trước")
    cancel = next(b for b in _buttons(preview) if b.startswith("sh:no:"))
    mark = len(botapi.calls)
    botapi.callback(ADMIN, ADMIN, preview, cancel)
    await _edited(botapi, ADMIN, "Đã hủy", since=mark)
    mark = len(botapi.calls)
    botapi.document(ADMIN, ADMIN, "so-lieu.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00binary")
    refused = await _edited(botapi, ADMIN, "không phải bảng tính", since=mark)
    assert "so-lieu.csv" in refused["text"]
    env = running_bot.bot_data["env"]
    async with env.db.read() as conn:
        assert (await conn.execute(select(figures.c.id))).first() is None
