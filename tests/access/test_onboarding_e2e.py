"""Onboarding end to end: deep links, join requests with buttons, strangers, group chats."""

from __future__ import annotations

import io
import re
from typing import Any

from openpyxl import load_workbook

from store import people
from tests.rig import FakeBotApi

ADMIN = 1


def _env(app: Any) -> Any:
    return app.bot_data["env"]


async def _invite(botapi: FakeBotApi, unit: str) -> str:
    [answer] = await botapi.reply_to(botapi.user_text(ADMIN, ADMIN, f"/moi {unit}"))
    match = re.search(r"\?start=([A-Za-z0-9_-]+)", answer["text"])
    assert match, answer["text"]
    return match[1]


async def test_deep_link_binds_once_then_toi(botapi: FakeBotApi, running_bot: Any) -> None:
    code = await _invite(botapi, "Vĩnh Thủy")
    [welcome] = await botapi.reply_to(
        botapi.user_text(950, 950, f"/start {code}", first_name="Lan")
    )
    assert "Chào mừng Lan" in welcome["text"] and "xã Vĩnh Thủy" in welcome["text"]
    [me] = await botapi.reply_to(botapi.user_text(950, 950, "/toi"))
    assert "Vai trò: cán bộ" in me["text"] and "xã Vĩnh Thủy" in me["text"]
    [used] = await botapi.reply_to(botapi.user_text(951, 951, f"/dangky {code}"))
    assert "đã được sử dụng" in used["text"]


async def test_join_request_approved_with_a_button(botapi: FakeBotApi, running_bot: Any) -> None:
    request = botapi.user_text(960, 960, "/dangky vinh thuy", first_name="Hùng")
    [ack] = await botapi.reply_to(request)
    assert "Đã gửi yêu cầu tham gia xã Vĩnh Thủy" in ack["text"]
    [call] = await botapi.wait_for("sendMessage", chat_id=ADMIN)
    notice = call.result
    assert "Hùng" in notice["text"] and "xã Vĩnh Thủy" in notice["text"]
    buttons = notice["reply_markup"]["inline_keyboard"][0]
    assert [b["text"] for b in buttons] == ["Duyệt", "Từ chối"]

    botapi.callback(ADMIN, ADMIN, notice, buttons[0]["callback_data"])
    [told] = await botapi.wait_for("sendMessage", chat_id=960, since=call)
    assert "đã được duyệt" in told.result["text"]
    edited = botapi.message(ADMIN, notice["message_id"])
    assert edited is not None and "Đã duyệt" in edited["text"]
    [me] = await botapi.reply_to(botapi.user_text(960, 960, "/toi"))
    assert "cán bộ" in me["text"]


async def test_stranger_gets_one_line_and_nothing_is_stored(
    botapi: FakeBotApi, running_bot: Any
) -> None:
    hello = botapi.user_text(970, 970, "cho tôi xem tình hình ASXH")
    [line] = await botapi.reply_to(hello)
    assert line["text"].startswith("Bạn chưa đăng ký")
    [again] = await botapi.reply_to(botapi.user_text(970, 970, "/toi"))
    assert again["text"].startswith("Bạn chưa đăng ký")
    await botapi.idle(quiet=0.2)
    assert len(botapi.sent_messages(970)) == 2
    async with _env(running_bot).db.read() as conn:
        assert await people.get_user(conn, 970) is None


async def test_group_added_bound_migrated_removed(botapi: FakeBotApi, running_bot: Any) -> None:
    botapi.my_chat_member(-4001, "Tổ CT Cam Lộ", ADMIN, "left", "member")
    [hello] = await botapi.wait_for("sendMessage", chat_id=-4001)
    assert "/nhom" in hello.result["text"]
    bind = botapi.user_text(-4001, ADMIN, "/nhom Cam Lo", chat_type="group")
    [bound] = await botapi.reply_to(bind)
    assert "xã Cam Lộ" in bound["text"]

    botapi.migrate(-4001, -1004001, user_id=ADMIN)
    await botapi.idle(quiet=0.3)
    env = _env(running_bot)
    async with env.db.read() as conn:
        new = await people.get_chat(conn, -1004001)
        old = await people.get_chat(conn, -4001)
    assert new is not None and new.scope_unit_id == env.ids.unit_id["cam-lo"]
    assert old is not None and old.migrated_to == -1004001

    botapi.my_chat_member(-1004001, "Tổ CT Cam Lộ", ADMIN, "member", "kicked", "supergroup")
    await botapi.idle(quiet=0.3)
    async with env.db.read() as conn:
        gone = await people.get_chat(conn, -1004001)
    assert gone is not None and gone.status == "kicked"


async def test_invites_for_every_commune_as_xlsx(botapi: FakeBotApi, running_bot: Any) -> None:
    [sent] = await botapi.reply_to(botapi.user_text(ADMIN, ADMIN, "/moi tatca"))
    assert "78 đơn vị" in sent["caption"]
    [document] = botapi.sent_documents(ADMIN)
    sheet = load_workbook(io.BytesIO(document.content)).active
    assert sheet is not None and sheet.max_row == 79
    [listing] = await botapi.reply_to(botapi.user_text(ADMIN, ADMIN, "/moi list"))
    assert "(78)" in listing["text"]
    [revoked] = await botapi.reply_to(botapi.user_text(ADMIN, ADMIN, "/moi huy Vĩnh Thủy"))
    assert "Đã thu hồi 1 mã mời" in revoked["text"]


async def test_admin_people_commands(botapi: FakeBotApi, running_bot: Any) -> None:
    async def ask(text: str) -> str:
        [answer] = await botapi.reply_to(botapi.user_text(ADMIN, ADMIN, text))
        return str(answer["text"])

    assert "Đông Hà" in await ask("/gan 980 Đông Hà, Sở Y tế")
    assert "→ lãnh đạo" in await ask("/quyen 980 leader")
    assert "Cách dùng" in await ask("/quyen 980 boss")
    assert "ADMIN_IDS" in await ask("/xoa 1")
    assert "Đã gỡ quyền" in await ask("/xoa 980")
    assert "Đã đồng bộ danh mục" in await ask("/dongbo")
    [refused] = await botapi.reply_to(botapi.user_text(980, 980, "/toi"))
    assert refused["text"].startswith("Bạn chưa đăng ký")
