"""What a figure costs the database (issue 13): counted through the real application.

A statement costs about a millisecond through the async store, so the per-message cost is the
number of statements: the sender is read once (gate and handler share it), the unit's history
is read once (checks, receipt, still-missing list) and the province's latest figures once.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import event

from domain.clock import FixedClock
from services import access
from store import people
from tests.rig import FakeBotApi
from tests.rig.runner import catch_up_done, watch_catch_up

NOW = datetime(2026, 4, 22, 9, 0)
VINH_THUY, CAM_LO = 701, 702
# History and the province's latest figures (one statement) + update claim + figure + its
# current_figures row (store). BEGIN rides along with the first statement
# (store/sqlite_driver.py); the sender was read by the previous message (services.access).
MAX_STATEMENTS = 4


@pytest.fixture
def bot_clock(bot_settings: Any) -> FixedClock:
    return FixedClock(NOW, tz=bot_settings.tz)


@pytest.fixture
async def bot(running_bot: Any, caplog: pytest.LogCaptureFixture) -> Any:
    watch_catch_up(caplog)
    await catch_up_done(caplog)
    env = running_bot.bot_data["env"]
    now = env.clock.now()
    async with env.db.write() as conn:
        for user_id, unit in ((VINH_THUY, "vinh-thuy"), (CAM_LO, "cam-lo")):
            await people.upsert_user(conn, user_id, now=now, full_name=f"Cán bộ {user_id}",
                                     role="officer")  # fmt: skip
            await people.bind_units(conn, user_id, [env.ids.unit_id[unit]], now=now, by=1)
    return running_bot


@contextmanager
def counted(env: Any) -> Iterator[list[str]]:
    """Every statement sent to the database meanwhile (reader and writer engines)."""
    seen: list[str] = []

    def on_execute(conn: Any, cursor: Any, statement: str, *rest: Any) -> None:
        seen.append(" ".join(statement.split())[:100])

    engines = list(dict.fromkeys([env.db.reader.sync_engine, env.db.writer.sync_engine]))
    for engine in engines:
        event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", on_execute)


async def send(api: FakeBotApi, user: int, text: str) -> dict[str, Any]:
    msg = api.user_text(user, user, text)
    [answer] = await api.reply_to(msg)
    return answer


async def test_a_saved_figure_costs_a_bounded_number_of_statements(
    botapi: FakeBotApi, bot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = bot.bot_data["env"]
    monkeypatch.setattr(access, "ACTOR_TTL", 3600.0)  # the sender cache outlives a slow run
    await send(botapi, CAM_LO, "ASXH 3.000/6.000")
    await send(botapi, VINH_THUY, "ASXH 1.000/5.678")
    with counted(env) as statements:
        receipt = await send(botapi, VINH_THUY, "ASXH 1.234/5.678")
    assert receipt["text"].startswith("✅ Đã lưu số liệu")
    assert "Xếp hạng toàn tỉnh: 2/2" in receipt["text"]  # first statement, then in memory
    assert len(statements) <= MAX_STATEMENTS, "\n".join(statements)
    sender_reads = [s for s in statements if "FROM users" in s]
    assert not sender_reads, "the sender is known from the previous message"
    assert sum(1 for s in statements if s.startswith("SELECT figures.")) == 1  # one history


async def test_a_role_changed_between_two_messages_counts_at_once(
    botapi: FakeBotApi, bot: Any
) -> None:
    """The sender is cached (services.access), but a change made here drops it at once."""
    env = bot.bot_data["env"]
    receipt = await send(botapi, VINH_THUY, "ASXH 1.234/5.678")
    assert receipt["text"].startswith("✅ Đã lưu số liệu")
    async with env.db.write() as conn:
        await people.upsert_user(conn, VINH_THUY, now=env.clock.now(), role="none")
    refused = await send(botapi, VINH_THUY, "ASXH 1.300/5.678")
    assert not refused["text"].startswith("✅")
