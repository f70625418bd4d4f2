"""End to end through the local Bot API server: the morning alert reaches the bound group once,
a group that removed the bot is marked, /nhacviec and /nhiemvu answer."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time
from typing import Any

import pytest

from domain.clock import FixedClock
from handlers.alerts import JOB_PREFIX, make_sender
from services import alerts as service
from services.context import Env
from store.alerts import get_chat
from tests.envs import bind_chat
from tests.rig import FakeBotApi

GROUP = -1009001
GONE = -1009002


@pytest.fixture
def bot_clock() -> FixedClock:
    # Friday 12 June 2026, 08:00: after ALERT_TIME, the monthly report is now late.
    return FixedClock(datetime(2026, 6, 12, 8, 0))


async def _bind(env: Env, chat_id: int, unit: str) -> None:
    await bind_chat(env, chat_id, unit, title="Tổ công tác")


async def _settled(env: Env) -> None:
    for _ in range(100):
        ledger = await service.day_ledger(env, env.clock.today())
        if ledger and all(status != "pending" for *_, status in ledger):
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"alerts still pending: {ledger}")


async def test_morning_alert_reaches_bound_group_once(botapi: FakeBotApi, running_bot: Any) -> None:
    env: Env = running_bot.bot_data["env"]
    assert any(j.name and j.name.startswith(JOB_PREFIX) for j in running_bot.job_queue.jobs())
    botapi.chat(GROUP, chat_type="supergroup", title="Tổ công tác Đề án 06 xã Vĩnh Thủy")
    botapi.chat(GONE, chat_type="supergroup", title="Nhóm cũ")
    await _bind(env, GROUP, "vinh-thuy")
    await _bind(env, GONE, "dong-cuu" if env.catalogue.find_unit("dong-cuu") else "vinh-thuy")
    botapi.fail_next(
        "sendMessage",
        status=403,
        chat_id=GONE,
        description="Forbidden: bot was kicked from the supergroup chat",
    )
    sender = make_sender(running_bot.bot, env)
    # The start-up catch-up job may run alongside this call: either way each chat gets its
    # alert once, which is the point.
    report = await service.run_alerts(env, sender)
    assert GROUP in report.sent + report.skipped
    await botapi.wait_for("sendMessage", chat_id=GROUP, ok=True, timeout=5)
    await _settled(env)
    async with env.db.read() as conn:
        gone = await get_chat(conn, GONE)
    assert gone is not None and gone.status == "kicked"
    texts = botapi.texts(GROUP)
    assert len(texts) >= 1
    alert = "\n".join(texts)
    assert "Nhắc việc 12/06/2026" in alert
    assert "III.4" in alert and "đôn đốc lần" in alert  # ADN task, due 10/5/2026: overdue
    again = await service.run_alerts(env, sender)  # a second run (restart) sends nothing
    assert GROUP not in again.sent
    await botapi.idle(quiet=0.2)
    assert botapi.texts(GROUP) == texts
    ledger = await service.day_ledger(env, date(2026, 6, 12))
    assert (GROUP, "morning", "-", "sent") in ledger


async def test_nhacviec_and_nhiemvu_in_group(botapi: FakeBotApi, running_bot: Any) -> None:
    env: Env = running_bot.bot_data["env"]
    botapi.chat(GROUP, chat_type="supergroup", title="Tổ công tác Đề án 06 xã Vĩnh Thủy")
    await _bind(env, GROUP, "vinh-thuy")
    await service.run_alerts(env, make_sender(running_bot.bot, env))  # the morning alert first
    await _settled(env)
    await botapi.idle(quiet=0.2)
    msg = botapi.user_text(GROUP, 1, "/nhacviec")
    [shown] = await botapi.reply_to(msg)
    assert "III.4" in shown["text"]
    tasks_msg = botapi.user_text(GROUP, 1, "/nhiemvu quahan")
    replies = await botapi.reply_to(tasks_msg)
    assert "Tổng số nhiệm vụ được giao" in replies[0]["text"]
    botapi.set_member(GROUP, 1, "administrator")
    change = botapi.user_text(GROUP, 1, "/nhacviec gio 07:30")
    [done] = await botapi.reply_to(change)
    assert "07:30" in done["text"]
    names = {j.name for j in running_bot.job_queue.jobs()}
    assert f"{JOB_PREFIX}07:30" in names
    assert service.effective_time(env, None) == time(7, 0)
