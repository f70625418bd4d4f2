"""The real Application on the local Bot API: private, group with and without mention, chart."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from domain.clock import FixedClock
from services.demo import load_demo


@pytest.fixture
def bot_clock() -> Any:
    return FixedClock(datetime(2026, 4, 23, 9, 0))


@pytest.fixture
async def bot(running_bot: Any) -> Any:
    await load_demo(running_bot.bot_data["env"])
    return running_bot


async def test_private_question_answers_like_the_report(botapi: Any, bot: Any) -> None:
    msg = botapi.user_text(chat_id=1, user_id=1, text="cac xa duoi trung binh asxh")
    [reply] = await botapi.reply_to(msg, timeout=10)
    assert "42/78" in reply["text"] and "24,8%" in reply["text"]
    button = reply["reply_markup"]["inline_keyboard"][0][0]
    assert button["callback_data"].startswith("qc|r|ASXH")
    botapi.callback(1, 1, reply, button["callback_data"])
    [photo] = await botapi.wait_for("sendPhoto", timeout=20)
    assert "24,8%" in photo.params["caption"] and "23/04/2026" in photo.params["caption"]


async def test_group_needs_a_mention(botapi: Any, bot: Any) -> None:
    group = -100123
    quiet = botapi.user_text(
        chat_id=group,
        user_id=1,
        text="tình hình toàn tỉnh",
        chat_type="supergroup",
        chat_title="TCT",
    )
    await botapi.idle(quiet=0.3)
    assert botapi.texts(group) == []
    assert quiet
    name = bot.bot.username
    msg = botapi.user_text(
        chat_id=group,
        user_id=1,
        text=f"@{name} tình hình toàn tỉnh",
        chat_type="supergroup",
        chat_title="TCT",
    )
    replies = await botapi.reply_to(msg, timeout=10)
    assert "Toàn tỉnh đã có" in replies[0]["text"]


async def test_unreadable_private_question_gets_examples(botapi: Any, bot: Any) -> None:
    msg = botapi.user_text(chat_id=1, user_id=1, text="xin chào bạn")
    [reply] = await botapi.reply_to(msg, timeout=10)
    assert reply["text"].count("•") == 3
