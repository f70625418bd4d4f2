"""End to end through the local Bot API server: /start, /help and the command menu."""

import json

from tests.rig import FakeBotApi


async def test_start_and_help_in_vietnamese_with_examples(botapi: FakeBotApi, running_bot) -> None:
    start = botapi.user_text(501, 501, "/start", first_name="Lan")
    [greeting] = await botapi.reply_to(start)
    assert "Xin chào Lan" in greeting["text"]
    assert "ASXH 1.234/5.678" in greeting["text"]

    help_msg = botapi.user_text(501, 501, "/help")
    [guide] = await botapi.reply_to(help_msg)
    assert "Hướng dẫn sử dụng" in guide["text"]
    assert "xã nào dưới mức trung bình" in guide["text"]
    assert len(guide["text"]) <= 4096


async def test_commands_registered_with_vietnamese_descriptions(
    botapi: FakeBotApi, running_bot
) -> None:
    [call] = await botapi.wait_for("setMyCommands")
    commands = call.params["commands"]
    if isinstance(commands, str):
        commands = json.loads(commands)
    by_name = {c["command"]: c["description"] for c in commands}
    assert by_name["help"] == "Hướng dẫn sử dụng"
    assert {"start", "help"} <= set(by_name)
