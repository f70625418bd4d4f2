"""The bot as a fresh process (`python -m bot run`) against the rig: start time and memory."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.rig import FakeBotApi

TOKEN = "123456:BENCH-TOKEN"
ADMIN = 4242


@dataclass(frozen=True)
class StartResult:
    to_first_poll: float  # seconds from spawning the process to its first getUpdates
    rss_mb: float  # VmRSS after start (and after `warmed`)
    hwm_mb: float  # VmHWM: the peak
    warmed: str


def _status(pid: int) -> dict[str, float]:
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) / 1024
    return out


async def measure_start(
    db_path: Path, catalogue: Path, work: Path, *, warm_question: bool = False
) -> StartResult:
    async with FakeBotApi(TOKEN) as api:
        env = {
            **os.environ,
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": f"{api.url}/bot",
            "TELEGRAM_FILE_URL": f"{api.url}/file/bot",
            "DATABASE_PATH": str(db_path),
            "DATABASE_URL": "",
            "CATALOGUE": str(catalogue),
            "ADMIN_IDS": str(ADMIN),
            "BACKUP_DIR": str(work / "backups"),
            "LOG_LEVEL": "WARNING",
        }
        env.pop("DATABASE_URL")
        log = (work / "bot-process.log").open("ab")
        began = time.time()
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "run"], cwd=work, env=env, stdout=log, stderr=log
        )
        try:
            [first, *_] = await api.wait_for("getUpdates", timeout=90, include_pending=True)
            to_poll = first.at - began
            await asyncio.sleep(1.0)
            warmed = "start"
            if warm_question:
                msg = api.user_text(chat_id=ADMIN, user_id=ADMIN, text="tình hình toàn tỉnh")
                try:
                    await api.reply_to(msg, timeout=120)
                    warmed = "start and one province-overview question"
                except TimeoutError:
                    warmed = "start (the question got no reply)"
            status = _status(proc.pid)
            return StartResult(to_poll, status["VmRSS"], status["VmHWM"], warmed)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(proc.wait, 20)
            except subprocess.TimeoutExpired:
                proc.kill()
                await asyncio.to_thread(proc.wait)
            log.close()
