"""`python -m bot demo`: a labelled synthetic dataset so a newcomer can ask questions at once."""

from __future__ import annotations

from bot.app import open_env
from bot.settings import Settings
from domain.clock import SystemClock


async def run_demo(settings: Settings, *, months: int = 12) -> int:
    from services.demo import load_demo

    env = await open_env(settings, SystemClock(settings.tz))
    try:
        summary = await load_demo(env, months=months)
    finally:
        await env.db.close()
    print(f"Dữ liệu MẪU (tổng hợp, không phải số liệu thật) / SYNTHETIC demo data: {summary}")
    return 0
