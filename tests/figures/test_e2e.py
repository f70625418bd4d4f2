"""Figures by message end to end: the real application against the local Bot API rig.

Officers are registered in the running bot's database (store.people), the clock is fixed on
Wednesday 22/4/2026 09:00 in the province, and every assertion reads what a person would see.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select

from domain.clock import FixedClock
from domain.text import fold
from store import people
from store.schema import figures
from tests.rig import FakeBotApi

NOW = datetime(2026, 4, 22, 9, 0)
VINH_THUY, CAM_LO = 701, 702  # officers; their private chats have the same ids
STRANGER = 799


@pytest.fixture
def bot_clock(bot_settings: Any) -> FixedClock:
    return FixedClock(NOW, tz=bot_settings.tz)


@pytest.fixture
async def bot(running_bot: Any) -> Any:
    """The running application, with two officers registered."""
    env = running_bot.bot_data["env"]
    now = env.clock.now()
    async with env.db.write() as conn:
        for user_id, unit in ((VINH_THUY, "vinh-thuy"), (CAM_LO, "cam-lo")):
            await people.upsert_user(conn, user_id, now=now, full_name=f"Cán bộ {user_id}",
                                     role="officer")  # fmt: skip
            await people.bind_units(conn, user_id, [env.ids.unit_id[unit]], now=now, by=1)
    return running_bot


async def rows(bot: Any) -> list[Any]:
    async with bot.bot_data["env"].db.read() as conn:
        return list((await conn.execute(select(figures).order_by(figures.c.id))).all())


def live(found: list[Any]) -> list[tuple[int, int]]:
    return [(r.numerator, r.denominator) for r in found
            if r.superseded_by is None and not r.voided]  # fmt: skip


def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    keyboard = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [(b["text"], b["callback_data"]) for row in keyboard for b in row]


async def send(api: FakeBotApi, user: int, text: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A private message from `user`; returns (the message, the bot's one reply)."""
    msg = api.user_text(user, user, text)
    [answer] = await api.reply_to(msg)
    return msg, answer


async def test_receipt_in_vietnamese_format_with_rank_province_rate_and_missing(
    botapi: FakeBotApi, bot: Any
) -> None:
    await send(botapi, CAM_LO, "ASXH 3.000/6.000")
    _, receipt = await send(botapi, VINH_THUY, "ASXH 1.234/5.678")
    text = receipt["text"]
    assert text.startswith("✅ Đã lưu số liệu")
    assert "Vĩnh Thủy" in text and "Tài khoản ASXH trên VNeID" in text
    assert "1.234/5.678" in text and "21,7%" in text and "22/04/2026" in text
    assert "Xếp hạng toàn tỉnh: 2/2" in text
    assert "Tỷ lệ chung toàn tỉnh: 36,3%" in text  # (3.000 + 1.234) / (6.000 + 5.678)
    assert "Chưa báo cáo kỳ này:" in text and "Người có công nhận qua tài khoản" in text
    assert [label for label, _ in buttons(receipt)] == ["Hoàn tác"]

    _, second = await send(botapi, VINH_THUY, "ASXH 1.300/5.678")
    assert "So với lần trước: +66; tỷ lệ tăng 1,2%" in second["text"]
    assert "22,9%" in second["text"]
    assert live(await rows(bot)) == [(3000, 6000), (1234, 5678), (1300, 5678)]  # a series


async def test_several_figures_and_no_diacritics_in_one_message(
    botapi: FakeBotApi, bot: Any
) -> None:
    _, receipt = await send(
        botapi, VINH_THUY, "nguoi co cong 45/60; btxh 120/300; luong huu 98/100"
    )
    assert "45/60" in receipt["text"] and "120/300" in receipt["text"]
    assert "98/100" in receipt["text"] and "98,0%" in receipt["text"]
    assert len(live(await rows(bot))) == 3


async def test_warning_asks_then_save_stores(botapi: FakeBotApi, bot: Any) -> None:
    await send(botapi, VINH_THUY, "ASXH 1.000/5.000")
    _, warning = await send(botapi, VINH_THUY, "ASXH 900/5.000")
    assert warning["text"].startswith("⚠️")
    assert "giảm" in warning["text"] and "1.000 → 900" in warning["text"]
    assert [label for label, _ in buttons(warning)] == ["Lưu", "Hủy"]
    assert live(await rows(bot)) == [(1000, 5000)]  # nothing yet

    press = botapi.callback(VINH_THUY, VINH_THUY, warning, buttons(warning)[0][1])
    [saved] = await botapi.reply_to(press)
    assert saved["text"].startswith("✅ Đã lưu số liệu") and "900/5.000" in saved["text"]
    assert live(await rows(bot)) == [(1000, 5000), (900, 5000)]


async def test_warning_cancelled_stores_nothing(botapi: FakeBotApi, bot: Any) -> None:
    await send(botapi, VINH_THUY, "ASXH 1.000/5.000")
    _, warning = await send(botapi, VINH_THUY, "ASXH 1.000/9.000")  # the total jumps by 80%
    assert "tổng số thay đổi" in warning["text"]
    press = botapi.callback(VINH_THUY, VINH_THUY, warning, buttons(warning)[1][1])
    [cancelled] = await botapi.reply_to(press)
    assert "Đã hủy" in cancelled["text"]
    assert live(await rows(bot)) == [(1000, 5000)]


async def test_undo_by_button_and_by_command(botapi: FakeBotApi, bot: Any) -> None:
    _, receipt = await send(botapi, VINH_THUY, "ASXH 1.000/5.000")
    press = botapi.callback(VINH_THUY, VINH_THUY, receipt, buttons(receipt)[0][1])
    [undone] = await botapi.reply_to(press)
    assert "Đã hoàn tác 1 số liệu" in undone["text"]
    assert live(await rows(bot)) == []

    await send(botapi, VINH_THUY, "Sổ SKĐT 2.345/4.000")
    _, undone = await send(botapi, VINH_THUY, "/hoantac")
    assert "Đã hoàn tác 1 số liệu" in undone["text"]
    assert live(await rows(bot)) == []
    _, nothing = await send(botapi, VINH_THUY, "/hoantac")
    assert "Không có số liệu nào để hoàn tác" in nothing["text"]
    assert len(await rows(bot)) == 4  # two figures and two undo markers: history is kept


async def test_editing_the_message_corrects_and_undo_brings_back_the_old_value(
    botapi: FakeBotApi, bot: Any
) -> None:
    original, _ = await send(botapi, VINH_THUY, "ASXH 1.000/5.000")
    edit = botapi.edit_text(original, "ASXH 1.100/5.000")
    [corrected] = await botapi.reply_to(edit)
    assert corrected["text"].startswith("✏️ Đã sửa số liệu")
    assert "1.100/5.000" in corrected["text"] and "22,0%" in corrected["text"]
    found = await rows(bot)
    assert live(found) == [(1100, 5000)]
    versions = [(r.numerator, r.superseded_by is not None) for r in found]
    assert versions == [(1000, True), (1100, False)]

    _, undone = await send(botapi, VINH_THUY, "/hoantac")
    assert "trở về giá trị trước khi sửa" in undone["text"]
    assert live(await rows(bot)) == [(1000, 5000)]
    _, history = await send(botapi, VINH_THUY, "/lichsu ASXH")
    assert history["text"].count("Tài khoản ASXH") == 3  # 1.000, 1.100 and the restored 1.000


async def test_the_same_update_twice_is_stored_and_answered_once(
    botapi: FakeBotApi, bot: Any
) -> None:
    msg, _ = await send(botapi, VINH_THUY, "ASXH 1.234/5.678")
    botapi.redeliver(msg)
    await botapi.idle(quiet=0.3)
    assert len(await rows(bot)) == 1
    receipts = [m for m in botapi.sent_messages(VINH_THUY) if "Đã lưu" in m.get("text", "")]
    assert len(receipts) == 1


@pytest.mark.parametrize(
    ("text", "says"),
    [("ASXH 12/10", "số đạt lớn hơn tổng số"), ("ASXH 1.2.3/4", "Số không hợp lệ"),
     ("ASXH -5/10", "không được âm"), ("ASXH 10/0", "tổng số bằng 0"),
     ("Cam Lộ ASXH 1/2", "chỉ được gửi số liệu cho đơn vị của mình"),
     ("xã Vĩnh Xuân ASXH 1/2", "Không có đơn vị"), ("ASXH 1/2 ngày 30/4", "ở tương lai")],
)  # fmt: skip
async def test_an_error_says_what_and_stores_nothing(
    botapi: FakeBotApi, bot: Any, text: str, says: str
) -> None:
    _, answer = await send(botapi, VINH_THUY, text)
    assert says in answer["text"], answer["text"]
    if "đơn vị của mình" not in says:
        assert "Chưa lưu số liệu nào" in answer["text"]
        assert "Ví dụ đúng" in answer["text"] and "ASXH 1.234/5.678" in answer["text"]
    assert await rows(bot) == []


async def test_a_strangers_figure_is_stored_nowhere(botapi: FakeBotApi, bot: Any) -> None:
    _, answer = await send(botapi, STRANGER, "ASXH 1.234/5.678")
    assert fold(answer["text"]).startswith("ban chua dang ky"), answer["text"]
    assert await rows(bot) == []


async def test_decomposed_vietnamese_from_a_phone_keyboard_reads_the_same(
    botapi: FakeBotApi, bot: Any
) -> None:
    text = unicodedata.normalize("NFD", "Vĩnh Thủy: sổ sức khỏe 2.345/4.000")
    _, receipt = await send(botapi, VINH_THUY, text)
    assert "Sổ SKĐT" in receipt["text"] and "2.345/4.000" in receipt["text"]
