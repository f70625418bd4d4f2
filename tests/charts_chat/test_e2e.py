"""End to end through the local Bot API server: chart questions, the chart buttons, originals."""

from __future__ import annotations

import io
from datetime import datetime
from typing import Any

import matplotlib.image as mpimg
import pytest

from domain.clock import FixedClock
from handlers.common import ENV_KEY
from tests.charts import png_size
from tests.charts_chat.conftest import seed_figures
from tests.rig import FakeBotApi
from tests.rig.runner import running

ADMIN = 1  # bot_settings: admin_ids=[1]


@pytest.fixture
def bot_clock() -> Any:
    return FixedClock(datetime(2026, 4, 23, 9, 0))


@pytest.fixture
async def seeded_bot(running_bot: Any) -> Any:
    await seed_figures(running_bot.bot_data[ENV_KEY])
    return running_bot


def _buttons(markup: Any) -> list[dict[str, str]]:
    if isinstance(markup, str):
        import json

        markup = json.loads(markup)
    return [b for row in (markup or {}).get("inline_keyboard", []) for b in row]


async def _photo_for(botapi: FakeBotApi, text: str) -> Any:
    msg = botapi.user_text(ADMIN, ADMIN, text)
    await botapi.reply_to(msg, methods=("sendPhoto", "sendMessage"), timeout=10)
    photos = botapi.sent_photos(ADMIN)
    assert photos, botapi.describe_calls()
    return photos[-1]


async def test_chart_question_sends_a_photo_with_key_number(
    botapi: FakeBotApi, seeded_bot: Any
) -> None:
    photo = await _photo_for(botapi, "biểu đồ ASXH")
    width, height = png_size(photo.content)
    assert width <= 1280 and max(width, height) <= 2560
    assert mpimg.imread(io.BytesIO(photo.content), format="png").shape[1] == width
    caption = photo.caption or ""
    assert "Tài khoản ASXH" in caption and "23/04/2026" in caption and "Toàn tỉnh:" in caption
    assert len(caption) <= 1024
    [button] = _buttons(photo.reply_markup)
    assert "Tải bản gốc" in button["text"] and button["callback_data"].startswith("qo|r|ASXH|")

    # [Tải bản gốc]: the same chart as a document, every unit, full width
    before = len(botapi.sent_documents(ADMIN))
    botapi.callback(ADMIN, ADMIN, photo.message, button["callback_data"])
    await botapi.wait_for("sendDocument", timeout=10, chat_id=ADMIN)
    documents = botapi.sent_documents(ADMIN)
    assert len(documents) == before + 1
    doc = documents[-1]
    assert doc.filename == "xep-hang-asxh-2026-04-23.png"
    doc_width, doc_height = png_size(doc.content)
    assert doc_width == 1280 and doc_height > height  # all 76 units drawn
    assert "23/04/2026" in (doc.caption or "")


async def test_the_bot_draws_in_its_worker_process_and_closes_it(
    botapi: FakeBotApi, bot_settings: Any, bot_clock: Any
) -> None:
    """CHART_PROCESSES=1: the composition root gives the Env a worker process, the chart comes
    from it, and the bot's shutdown stops it."""
    from bot.app import build_application

    settings = bot_settings.model_copy(update={"chart_processes": 1})
    app = build_application(settings, clock=bot_clock)
    async with running(app, poll_timeout=1):
        env = app.bot_data[ENV_KEY]
        await seed_figures(env)
        photo = await _photo_for(botapi, "biểu đồ ASXH")
        assert png_size(photo.content)[0] <= 1280
        assert env.chart_worker.processes == 1
        processes = list(env.chart_worker._executor._processes.values())
        assert len(processes) == 1 and processes[0].is_alive()
    assert not processes[0].is_alive()  # closed in post_shutdown


async def test_trend_in_words_and_english(botapi: FakeBotApi, seeded_bot: Any) -> None:
    photo = await _photo_for(botapi, "vẽ xu hướng sổ sức khỏe Vĩnh Thủy")
    caption = photo.caption or ""
    assert "Vĩnh Thủy: <b>70,0%</b>" in caption or "Vĩnh Thủy: 70,0%" in caption
    assert "23/04/2026" in caption

    photo = await _photo_for(botapi, "chart of social accounts")
    assert "Province:" in (photo.caption or "") and "23 Apr 2026" in (photo.caption or "")


async def test_no_data_is_said_in_words(botapi: FakeBotApi, running_bot: Any) -> None:
    msg = botapi.user_text(ADMIN, ADMIN, "biểu đồ ASXH")
    [reply] = await botapi.reply_to(msg, methods=("sendPhoto", "sendMessage"), timeout=10)
    assert "Chưa có số liệu" in reply["text"]
    assert botapi.sent_photos(ADMIN) == []


async def test_chart_button_under_an_answer(botapi: FakeBotApi, seeded_bot: Any) -> None:
    msg = botapi.user_text(ADMIN, ADMIN, "xã nào dưới mức trung bình về ASXH?")
    answers = await botapi.reply_to(msg, timeout=10)
    buttons = _buttons(answers[-1].get("reply_markup"))
    chart = [b for b in buttons if b.get("callback_data", "").startswith("qc|")]
    if not chart:
        pytest.skip("the questions answer offers no chart button yet")
    botapi.callback(ADMIN, ADMIN, answers[-1], chart[0]["callback_data"])
    [call] = await botapi.wait_for("sendPhoto", timeout=10, chat_id=ADMIN)
    assert call.params.get("caption") and "23/04/2026" in call.params["caption"]
    assert botapi.find_calls("answerCallbackQuery")


async def test_stale_button_says_so(botapi: FakeBotApi, seeded_bot: Any) -> None:
    msg = botapi.user_text(ADMIN, ADMIN, "biểu đồ ASXH")
    await botapi.reply_to(msg, methods=("sendPhoto",), timeout=10)
    photo = botapi.sent_photos(ADMIN)[-1]
    botapi.callback(ADMIN, ADMIN, photo.message, "qc|z|ASXH||20260423")
    [call] = await botapi.wait_for("sendMessage", timeout=10, chat_id=ADMIN)
    assert "cũ" in call.params["text"]
