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
    worker_mb: float = 0.0  # VmRSS of its child processes (the chart worker) after a chart
    # PSS of the bot and its child processes: their resident memory, each shared page (Python,
    # numpy's libraries) counted once across them, where summed VmRSS counts it in each
    total_pss_mb: float = 0.0


async def _quiet_chat(api: FakeBotApi, chat_id: int, quiet: float = 0.5) -> None:
    """Until nothing was sent to the chat for `quiet` seconds (the bot itself is busy with
    the catch-up of thousands of other chats' alerts, so it is never idle)."""
    seen = -1
    while (now := len(api.find_calls(chat_id=chat_id))) != seen:
        seen = now
        await asyncio.sleep(quiet)


def _children(pid: int) -> list[int]:
    """The process's descendants (the chart worker, multiprocessing's resource tracker)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            found += [int(child), *_children(int(child))]
    return found


def _children_rss(pid: int) -> float:
    """MB of VmRSS over the process's descendants."""
    return sum(_status(c).get("VmRSS", 0) for c in _children(pid))


def _tree_pss(pid: int) -> float:
    """MB of PSS over the process and its descendants (/proc/<pid>/smaps_rollup)."""
    total = 0.0
    for p in (pid, *_children(pid)):
        with open(f"/proc/{p}/smaps_rollup") as f:
            total += sum(int(line.split()[1]) for line in f if line.startswith("Pss:")) / 1024
    return total


def _status(pid: int) -> dict[str, float]:
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                out[key] = int(value.split()[0]) / 1024
    return out


async def measure_start(
    db_path: Path, catalogue: Path, work: Path, *, warm_question: bool = False,
    warm_chart: bool = False,
) -> StartResult:  # fmt: skip
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
            worker = pss = 0.0
            if warm_chart:
                await _quiet_chat(api, ADMIN)  # the question's last parts are sent
                msg = api.user_text(chat_id=ADMIN, user_id=ADMIN, text="biểu đồ ASXH")
                try:
                    await api.reply_to(msg, timeout=120, methods=("sendPhoto",))
                    warmed += " and one chart"
                    worker, pss = _children_rss(proc.pid), _tree_pss(proc.pid)
                except TimeoutError:
                    warmed += " (the chart got no reply)"
            status = _status(proc.pid)
            return StartResult(to_poll, status["VmRSS"], status["VmHWM"], warmed, worker, pss)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.to_thread(proc.wait, 20)
            except subprocess.TimeoutExpired:
                proc.kill()
                await asyncio.to_thread(proc.wait)
            log.close()
