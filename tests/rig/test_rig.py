"""Tests of the fake Bot API rig, driving a real PTB Application (the echo bot) over HTTP."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator

import httpx
import pytest
from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter
from telegram.ext import AIORateLimiter, Application

from tests.rig import TINY_PNG, FakeBotApi
from tests.rig.echo import build_echo_application, running

# AIORateLimiter/RetryAfter read the (deprecated-int) ``retry_after`` attribute
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")

USER = 501
GROUP = -4001


@pytest.fixture
async def echo(botapi: FakeBotApi) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    async with running(build_echo_application(botapi)) as app:
        yield app


# ---------------------------------------------------------------- the echo bot end to end


async def test_command_reply(botapi: FakeBotApi, echo: Application) -> None:  # type: ignore[type-arg]
    msg = botapi.user_text(USER, USER, "/start")
    assert msg["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    [reply] = await botapi.reply_to(msg)
    assert reply["text"] == "Xin chào! Tôi là bot thử nghiệm."
    assert reply["chat"]["id"] == USER
    assert reply["from"]["is_bot"] is True
    # the bootstrap calls PTB made
    methods = [c.method for c in botapi.calls]
    assert methods[:2] == ["getMe", "deleteWebhook"]
    assert "getUpdates" in methods


async def test_group_command_with_bot_username_and_echo(
    botapi: FakeBotApi,
    echo: Application,  # type: ignore[type-arg]
) -> None:
    msg = botapi.user_text(GROUP, USER, "/start@dean06_test_bot", chat_type="group")
    assert msg["chat"]["type"] == "group" and msg["chat"]["title"]
    await botapi.reply_to(msg)
    text = botapi.user_text(GROUP, USER, "Báo cáo tuần 😀 @someone", chat_type="group")
    [reply] = await botapi.reply_to(text)
    assert reply["text"] == "Báo cáo tuần 😀 @someone"
    # UTF-16 offsets: the emoji counts as 2 units
    assert reply["entities"] == [{"type": "mention", "offset": 16, "length": 8}]
    assert botapi.texts(GROUP)[-1] == "Báo cáo tuần 😀 @someone"


async def test_photo_upload(botapi: FakeBotApi, echo: Application) -> None:  # type: ignore[type-arg]
    msg = botapi.user_text(USER, USER, "/photo")
    [reply] = await botapi.reply_to(msg)
    assert reply["caption"] == "Ảnh thử"
    assert reply["caption_entities"] == [{"type": "bold", "offset": 4, "length": 3}]
    [photo] = botapi.sent_photos(USER)
    assert photo.content == TINY_PNG
    assert photo.filename == "tiny.png"
    assert photo.caption == "Ảnh <b>thử</b>"
    assert photo.call.params["parse_mode"] == "HTML"


async def test_document_download_through_getfile(
    botapi: FakeBotApi,
    echo: Application,  # type: ignore[type-arg]
) -> None:
    content = "Số liệu tháng 5\n".encode() * 100
    msg = botapi.document(USER, USER, "bao-cao.csv", content, caption="báo cáo")
    [reply] = await botapi.reply_to(msg)
    digest = hashlib.sha256(content).hexdigest()[:12]
    assert reply["caption"] == f"{len(content)} bytes, sha256 {digest}"
    [doc] = botapi.sent_documents(USER)
    assert doc.filename == "reversed-bao-cao.csv"
    assert doc.content == content[::-1]
    [get_file] = botapi.find_calls("getFile")
    assert get_file.result["file_path"].startswith("documents/")


async def test_callback_query_answered_and_message_edited(
    botapi: FakeBotApi,
    echo: Application,  # type: ignore[type-arg]
) -> None:
    [prompt] = await botapi.reply_to(botapi.user_text(USER, USER, "/keyboard"))
    buttons = prompt["reply_markup"]["inline_keyboard"][0]
    assert [b["callback_data"] for b in buttons] == ["yes", "no"]
    update = botapi.callback(USER, USER, prompt, "yes")
    [answer] = await botapi.wait_for(
        "answerCallbackQuery", callback_query_id=update["callback_query"]["id"]
    )
    assert answer.params["text"] == "Đã chọn yes"
    [edit] = await botapi.wait_for("editMessageText", chat_id=USER)
    assert edit.result["text"] == "Bạn đã chọn: yes"
    assert "reply_markup" not in edit.result  # keyboard dropped, like Telegram
    [current] = botapi.sent_messages(USER)[-1:]
    assert current["text"] == "Bạn đã chọn: yes" and current["edit_date"]


async def test_update_delivered_once_offsets_confirmed(
    botapi: FakeBotApi,
    echo: Application,  # type: ignore[type-arg]
) -> None:
    first = botapi.user_text(USER, USER, "một")
    second = botapi.user_text(USER, USER, "hai")
    await botapi.reply_to(second)
    await botapi.idle()
    assert botapi.texts(USER) == ["một", "hai"]
    offsets = [
        c.params.get("offset") for c in botapi.find_calls("getUpdates", include_pending=True)
    ]
    first_id = botapi._update_of(first)["update_id"]
    assert first_id + 2 in offsets  # both confirmed
    delivered = [u["update_id"] for c in botapi.find_calls("getUpdates") for u in c.result or []]
    assert sorted(delivered) == [first_id, first_id + 1]


async def test_redelivered_update_is_processed_again(
    botapi: FakeBotApi,
    echo: Application,  # type: ignore[type-arg]
) -> None:
    msg = botapi.user_text(USER, USER, "lặp lại")
    await botapi.reply_to(msg)
    botapi.redeliver(msg)
    await botapi.reply_to(msg, count=2)
    await botapi.idle()
    assert botapi.texts(USER) == ["lặp lại", "lặp lại"]


async def test_edited_message_update(botapi: FakeBotApi, botapi_bot: Bot) -> None:
    msg = botapi.user_text(USER, USER, "bản nháp")
    update = botapi.edit_text(msg, "bản sửa")
    updates = await botapi_bot.get_updates(timeout=0)
    assert [u.update_id for u in updates] == [
        botapi._update_of(msg)["update_id"],
        update["update_id"],
    ]
    assert updates[1].edited_message is not None
    assert updates[1].edited_message.text == "bản sửa"
    assert updates[1].edited_message.message_id == msg["message_id"]


# ---------------------------------------------------------------- fault injection


async def test_429_retry_after_is_honoured_by_aioratelimiter(botapi: FakeBotApi) -> None:
    app = build_echo_application(botapi, rate_limiter=AIORateLimiter(max_retries=2))
    async with running(app):
        botapi.fail_next("sendMessage", status=429, retry_after=1)
        msg = botapi.user_text(USER, USER, "gửi lại")
        [reply] = await botapi.reply_to(msg)
        assert reply["text"] == "gửi lại"
    failed, succeeded = botapi.find_calls("sendMessage")
    assert failed.status == 429 and failed.error is not None
    assert failed.error["parameters"] == {"retry_after": 1}
    assert succeeded.ok and succeeded.at - failed.at >= 1


@pytest.fixture
async def botapi_bot(botapi: FakeBotApi) -> AsyncIterator[Bot]:
    bot = Bot(botapi.token, base_url=botapi.base_url, base_file_url=botapi.base_file_url)
    async with bot:
        yield bot


async def test_fault_statuses_map_to_ptb_errors(botapi: FakeBotApi, botapi_bot: Bot) -> None:
    bot = botapi_bot
    botapi.fail_next("sendMessage", status=429, retry_after=3)
    with pytest.raises(RetryAfter):
        await bot.send_message(USER, "x")
    botapi.fail_next("sendMessage", status=403, chat_id=USER)
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(USER, "x")
    botapi.fail_next("sendMessage", status=500, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError):
            await bot.send_message(USER, "x")
    await bot.send_message(USER, "ok")
    botapi.fail_next("sendMessage", delay=0.5)
    with pytest.raises(NetworkError):  # TimedOut is a NetworkError
        await bot.send_message(USER, "chậm", read_timeout=0.1)
    # a fault for another chat does not fire
    botapi.fail_next("sendMessage", status=500, chat_id=999)
    await bot.send_message(USER, "vẫn ok")
    assert botapi.texts(USER)[-1] == "vẫn ok"


async def test_offline_then_back(botapi: FakeBotApi, botapi_bot: Bot) -> None:
    botapi.offline(0.3)
    with pytest.raises(NetworkError):
        await botapi_bot.send_message(USER, "x")
    botapi.offline(0.3, mode="502")
    with pytest.raises(NetworkError):
        await botapi_bot.send_message(USER, "x")
    botapi.offline(0)
    await botapi_bot.send_message(USER, "đã kết nối")


async def test_echo_bot_survives_offline(botapi: FakeBotApi, echo: Application) -> None:  # type: ignore[type-arg]
    await botapi.wait_for("getUpdates", include_pending=True)
    botapi.offline(0.5)
    msg = botapi.user_text(USER, USER, "sau sự cố")
    [reply] = await botapi.reply_to(msg, timeout=5)
    assert reply["text"] == "sau sự cố"


# ---------------------------------------------------------------- Bot API semantics


async def test_long_poll_waits_and_honours_limit(botapi: FakeBotApi, botapi_bot: Bot) -> None:
    for i in range(3):
        botapi.user_text(USER, USER, f"tin {i}")
    first = await botapi_bot.get_updates(limit=2, timeout=0)
    assert len(first) == 2
    rest = await botapi_bot.get_updates(offset=first[-1].update_id + 1, timeout=0)
    assert [u.message.text for u in rest if u.message] == ["tin 2"]
    # confirmed ones are gone
    again = await botapi_bot.get_updates(offset=rest[-1].update_id + 1, timeout=0)
    assert again == ()
    # long poll returns as soon as an update arrives
    poll = asyncio.create_task(botapi_bot.get_updates(offset=rest[-1].update_id + 1, timeout=3))
    await botapi.wait_for("getUpdates", count=4, include_pending=True)
    botapi.user_text(USER, USER, "mới")
    got = await asyncio.wait_for(poll, 2)
    assert [u.message.text for u in got if u.message] == ["mới"]


async def test_bot_api_methods_round_trip(botapi: FakeBotApi, botapi_bot: Bot) -> None:
    bot = botapi_bot
    me = await bot.get_me()
    assert me.username == "dean06_test_bot" and me.is_bot
    await bot.set_my_commands([("start", "Bắt đầu"), ("help", "Trợ giúp")])
    assert [c.command for c in await bot.get_my_commands()] == ["start", "help"]
    await bot.delete_my_commands()
    assert await bot.get_my_commands() == ()
    info = await bot.get_webhook_info()
    assert info.url == ""
    await bot.set_webhook("https://example.invalid/hook")
    assert (await bot.get_webhook_info()).url == "https://example.invalid/hook"
    await bot.delete_webhook()

    botapi.my_chat_member(GROUP, "Tổ công tác xã A", USER, "left", "member")
    chat = await bot.get_chat(GROUP)
    assert chat.title == "Tổ công tác xã A" and chat.type == "group"
    member = await bot.get_chat_member(GROUP, me.id)
    assert member.status == "member"
    botapi.set_member(GROUP, USER, "administrator")
    assert (await bot.get_chat_member(GROUP, USER)).status == "administrator"

    sent = await bot.send_message(GROUP, "<b>Nhắc việc</b> &amp; hạn", parse_mode="HTML")
    assert sent.text == "Nhắc việc & hạn"
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_text(
            "<b>Nhắc việc</b> &amp; hạn", GROUP, sent.message_id, parse_mode="HTML"
        )
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
        await bot.send_message(GROUP, "a < b", parse_mode="HTML")
    with pytest.raises(BadRequest, match="reserved"):
        await bot.send_message(GROUP, "Hạn 5.6!", parse_mode="MarkdownV2")
    await bot.send_chat_action(GROUP, "typing")
    await bot.set_message_reaction(GROUP, sent.message_id, "👍")
    assert await bot.delete_message(GROUP, sent.message_id)
    with pytest.raises(BadRequest, match="not found"):
        await bot.delete_message(GROUP, sent.message_id)
    assert botapi.sent_messages(GROUP) == []
    doc = await bot.send_document(GROUP, b"abc", filename="a.txt", caption="tệp")
    assert doc.document is not None and doc.document.file_name == "a.txt"
    edited = await bot.edit_message_caption(GROUP, doc.message_id, caption="tệp mới")
    assert edited.caption == "tệp mới"
    again = await bot.send_document(GROUP, doc.document.file_id)  # re-send by file_id
    assert again.document is not None and again.document.file_id == doc.document.file_id
    assert [d.content for d in botapi.sent_documents(GROUP)] == [b"abc", b"abc"]
    assert await bot.leave_chat(GROUP)
    with pytest.raises(Forbidden, match="not a member"):
        await bot.send_message(GROUP, "x")


async def test_migration_and_unknown_method(botapi: FakeBotApi, botapi_bot: Bot) -> None:
    msg = botapi.migrate(GROUP, -1001234567890)
    assert msg["migrate_to_chat_id"] == -1001234567890
    updates = await botapi_bot.get_updates(timeout=0)
    assert updates[0].message.migrate_to_chat_id == -1001234567890
    assert updates[1].message.migrate_from_chat_id == GROUP
    with pytest.raises(ChatMigrated) as exc:
        await botapi_bot.send_message(GROUP, "x")
    assert exc.value.new_chat_id == -1001234567890
    async with httpx.AsyncClient() as client:
        res = await client.post(f"{botapi.base_url}{botapi.token}/noSuchMethod")
    assert res.status_code == 404
    assert res.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    [call] = botapi.find_calls("noSuchMethod")
    assert call.status == 404


async def test_my_chat_member_and_kicked(botapi: FakeBotApi, botapi_bot: Bot) -> None:
    botapi.my_chat_member(GROUP, "Tổ 1", USER, "member", "kicked")
    [update] = await botapi_bot.get_updates(timeout=0)
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "kicked"
    assert update.my_chat_member.chat.title == "Tổ 1"
    with pytest.raises(Forbidden, match="kicked"):
        await botapi_bot.send_message(GROUP, "x")


async def test_running_bot_fixture_smoke(botapi: FakeBotApi, running_bot: Application) -> None:  # type: ignore[type-arg]
    """The real bot (skipped until bot.app exists) boots against the rig and polls."""
    await botapi.wait_for("getUpdates", include_pending=True)
    assert botapi.find_calls("getMe")
