"""kill -9 at any point and restart: nothing applied twice, nothing lost whose receipt was seen.

The bot runs as `python -m bot` in a subprocess against a FakeBotApi in this process, with a
realistic token so the captured logs can be searched for it (security: the token never appears).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.settings import Settings
from store.db import Database
from store.schema import alerts_sent, chats, figures, imports, units
from tests.conftest import REPO_ROOT
from tests.rig import FakeBotApi
from tests.robustness.support import LOAD_OFFICERS, OFFICERS

TOKEN = "7000000001:AAF-r0bustn3ss_SeCrEt-HALF_0123456789"
SECRET = TOKEN.split(":", 1)[1]
RECEIPT = re.compile(r"(\d{1,3}(?:\.\d{3})*)/10\.000")


class BotProcess:
    """`python -m bot run` pointed at the rig, its log in a file."""

    def __init__(self, api: FakeBotApi, workdir: Path) -> None:
        self.api, self.workdir = api, workdir
        self.proc: subprocess.Popen[bytes] | None = None
        self.logs: list[Path] = []
        self.extra_env: dict[str, str] = {}

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE"))}
        env.update(
            PYTHONPATH=str(REPO_ROOT),
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_URL=self.api.base_url,
            TELEGRAM_FILE_URL=self.api.base_file_url,
            DATABASE_PATH=str(self.workdir / "bot.db"),
            BACKUP_DIR=str(self.workdir / "backups"),
            CATALOGUE=str(REPO_ROOT / "catalogues" / "quang-tri"),
            ADMIN_IDS="1",
            LOG_LEVEL="DEBUG",
        )
        env.update(self.extra_env)
        return env

    async def start(self) -> None:
        log = self.workdir / f"bot-{len(self.logs)}.log"
        self.logs.append(log)
        since = len(self.api.calls)
        with log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                cwd=self.workdir,  # no .env from the repository
                env=self.env(),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        await self.api.wait_for("getUpdates", since=since, include_pending=True, timeout=20)

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(5)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill9()

    def log_text(self) -> str:
        return "\n".join(p.read_text("utf-8", "replace") for p in self.logs)


@pytest.fixture
async def rig(tmp_path: Path, seeded_template: Path) -> Any:
    api = FakeBotApi(TOKEN)
    await api.start()
    shutil.copyfile(seeded_template, tmp_path / "bot.db")
    bot = BotProcess(api, tmp_path)
    try:
        yield api, bot
    finally:
        bot.stop()
        await api.stop()


async def _rows(db_path: Path, table: Any) -> list[Any]:
    db = Database(Settings(database_path=db_path).sqlalchemy_url())
    try:
        async with db.read() as conn:
            return list((await conn.execute(select(table))).all())
    finally:
        await db.close()


def _receipts(api: FakeBotApi, officers: dict[int, str]) -> set[tuple[int, int]]:
    """(chat, numerator) of every receipt the officers saw."""
    seen = set()
    for chat_id in officers:
        for text in api.texts(chat_id):
            for match in RECEIPT.finditer(text):
                seen.add((chat_id, int(match[1].replace(".", ""))))
    return seen


def _assert_clean_logs(text: str) -> None:
    assert TOKEN not in text and SECRET not in text, "the bot token leaked into the logs"
    assert "database is locked" not in text


async def test_kill9_mid_stream_loses_no_receipted_figure_and_applies_none_twice(
    rig: Any, tmp_path: Path
) -> None:
    api, bot = rig
    officers = {**OFFICERS, **dict(list(LOAD_OFFICERS.items())[:8])}
    per_officer = 6
    api.fail_next("sendMessage", delay=0.05, times=10_000)  # a slow network: receipts trickle
    await bot.start()
    sent: dict[int, list[int]] = {}
    for i in range(per_officer):
        for user_id in officers:
            numerator = 1000 + i
            api.user_text(user_id, user_id, f"ASXH {numerator}/10000")
            sent.setdefault(user_id, []).append(numerator)
    total = per_officer * len(officers)
    await api.wait_for("sendMessage", count=total // 4, ok=True, timeout=20)
    bot.kill9()
    seen_before = _receipts(api, officers)
    assert 0 < len(seen_before) < total, "the kill did not land mid-stream"
    api.clear_faults()
    await bot.start()
    await api.idle(quiet=0.6, timeout=30)
    bot.kill9()  # everything the bot did is committed or never happened: kill again

    rows = [r for r in await _rows(tmp_path / "bot.db", figures) if r.source == "message"]
    stored = {(r.chat_id, r.numerator) for r in rows}
    missing = _receipts(api, officers) - stored
    assert not missing, f"receipts seen but figures not stored: {sorted(missing)}"
    per_update = Counter((r.update_id, r.indicator_id, r.unit_id) for r in rows)
    assert max(per_update.values()) == 1, "an update was applied twice"
    per_message = Counter((r.chat_id, r.message_id) for r in rows)
    assert max(per_message.values()) == 1
    _assert_clean_logs(bot.log_text())


async def test_kill9_mid_alert_sends_no_alert_twice(rig: Any, tmp_path: Path) -> None:
    """Start-up catch-up sends today's alerts (wall clock: the subprocess has no FixedClock;
    alerts due from midnight, so only a weekend or holiday leaves nothing to send)."""
    from domain.deadlines import WorkCalendar
    from services.catalogue import load_catalogue

    holidays = load_catalogue(REPO_ROOT / "catalogues" / "quang-tri").holidays
    if not WorkCalendar(holidays).is_working_day(
        datetime.now(ZoneInfo(Settings.model_fields["timezone"].default)).date()
    ):
        pytest.skip("no alert is due today by the real clock (a weekend or a holiday)")
    api, bot = rig
    bot.extra_env["ALERT_TIME"] = "00:00"
    groups = [-100_900_000 - i for i in range(8)]
    await _bind_groups(tmp_path / "bot.db", groups)
    for group in groups:
        api.fail_next("sendMessage", delay=0.3, times=100, chat_id=group)
    await bot.start()
    await api.wait_for("sendMessage", count=2, ok=True, timeout=8)  # a working day: due
    bot.kill9()
    api.clear_faults()
    await bot.start()
    await api.idle(quiet=0.6, timeout=30)
    bot.kill9()  # everything the bot did is committed or never happened: kill again

    per_chat = Counter(c.params["chat_id"] for c in api.find_calls("sendMessage", ok=True))
    assert all(per_chat[g] <= _parts_max(api, g) for g in groups)
    ledger = await _rows(tmp_path / "bot.db", alerts_sent)
    assert not [r for r in ledger if r.status == "pending"], "a pending alert was left behind"
    for group in groups:
        claims = [r for r in ledger if r.chat_id == group and r.kind == "morning"]
        assert len(claims) <= 1
    _assert_clean_logs(bot.log_text())


def _parts_max(api: FakeBotApi, chat_id: int) -> int:
    """An alert may be split in parts; it counts as sent twice if its first line repeats."""
    heads = Counter(text.split("\n", 1)[0] for text in api.texts(chat_id))
    assert all(n == 1 for n in heads.values()), f"alert repeated in {chat_id}: {heads}"
    return sum(heads.values()) * 10


def _import_sheet() -> bytes:
    """Every commune's figure for one indicator (named by the file): 78 rows in one import."""
    from services.catalogue import load_catalogue
    from tests.sheets.conftest import xlsx_bytes

    communes = load_catalogue(REPO_ROOT / "catalogues" / "quang-tri").communes()
    rows = [[i, u.name, 40 + i, 100 + i] for i, u in enumerate(communes, 1)]
    return xlsx_bytes([["STT", "Đơn vị", "Số đã đạt", "Tổng số"], *rows])


def _preview_buttons(api: FakeBotApi, since: int) -> tuple[dict[str, Any], str] | None:
    for call in reversed(api.find_calls("editMessageText", since=since, ok=True)):
        markup = call.params.get("reply_markup") or {}
        if isinstance(markup, str):
            import json

            markup = json.loads(markup)
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if button.get("callback_data", "").startswith("sh:ok:"):
                    return dict(call.result), button["callback_data"]
    return None


async def test_kill9_mid_import_leaves_no_partial_import(rig: Any, tmp_path: Path) -> None:
    """Killed right after [Nhập] is pressed: all rows or none; pressing again imports once."""
    api, bot = rig
    admin = 1
    await bot.start()
    mark = len(api.calls)
    api.document(admin, admin, "NCC_20-4-2026.xlsx", _import_sheet())
    await api.wait_for("editMessageText", since=mark, ok=True, timeout=20)
    found = _preview_buttons(api, mark)
    assert found, api.describe_calls()
    preview, ok = found
    pressed = len(api.calls)
    api.callback(admin, admin, preview, ok)
    await api.wait_for("answerCallbackQuery", since=pressed, include_pending=True, timeout=10)
    bot.kill9()  # somewhere between the button and the commit
    first = [r for r in await _rows(tmp_path / "bot.db", figures) if r.source == "import"]
    assert len(first) in (0, 78), f"a partial import: {len(first)} of 78 rows"

    await bot.start()
    again = len(api.calls)
    api.callback(admin, admin, preview, ok)  # the officer presses again after the restart
    await api.wait_for("answerCallbackQuery", since=again, include_pending=True, timeout=10)
    await api.idle(quiet=0.6, timeout=30)
    bot.kill9()
    rows = [r for r in await _rows(tmp_path / "bot.db", figures) if r.source == "import"]
    assert len(rows) == 78, "the import must end up stored exactly once"
    assert len({(r.unit_id, r.indicator_id) for r in rows}) == 78
    done = [r for r in await _rows(tmp_path / "bot.db", imports) if r.status == "imported"]
    assert len(done) == 1
    _assert_clean_logs(bot.log_text())


async def _bind_groups(db_path: Path, groups: list[int]) -> None:
    """Groups bound to the province: each gets the morning alert."""
    db = Database(Settings(database_path=db_path).sqlalchemy_url())
    now = datetime(2026, 1, 1)
    try:
        async with db.write() as conn:
            query = select(units.c.id).where(units.c.kind == "province")
            province = (await conn.execute(query)).scalar_one()
            for group in groups:
                await conn.execute(
                    chats.insert().values(
                        id=group, type="supergroup", title=f"Tổ {group}", created_at=now,
                        updated_at=now, scope_unit_id=province,
                    )
                )  # fmt: skip
    finally:
        await db.close()
