"""Dialect differences that once hid behind SQLite: time zones of stored datetimes."""

from __future__ import annotations

from datetime import datetime, timedelta

from domain.clock import FixedClock
from services import tasks as task_service
from services.access import Actor, aware
from services.context import Env
from tests.tasks.conftest import bind_chat

LEADER = Actor(600, "LĐ", "leader")


async def test_pending_choice_lives_its_whole_ttl_on_both_databases(
    env: Env, clock: FixedClock
) -> None:
    """PostgreSQL returns datetimes aware in UTC, SQLite naive in the clock's zone: an expiry
    compared as naive wall times was 7 hours early on PostgreSQL."""
    await bind_chat(env, -1001, "vinh-thuy")
    amb = await task_service.close_task(env, LEADER, "1 đã ban hành", chat_id=1, update_id=5)
    assert amb.outcome == "ambiguous" and amb.pending_id
    clock.advance(seconds=task_service.PENDING_TTL.total_seconds() - 3600)
    chosen = await task_service.close_chosen(env, LEADER, amb.pending_id, amb.candidates[0].id)
    assert chosen.outcome == "closed"


async def test_late_choice_expires(env: Env, clock: FixedClock) -> None:
    amb = await task_service.close_task(env, LEADER, "1 đã ban hành", chat_id=1, update_id=6)
    assert amb.pending_id
    clock.advance(seconds=task_service.PENDING_TTL.total_seconds() + 60)
    late = await task_service.close_chosen(env, LEADER, amb.pending_id, amb.candidates[0].id)
    assert late.outcome == "expired"


def test_aware_shows_the_clock_zone(env_clock: FixedClock | None = None) -> None:
    clock = FixedClock(datetime(2026, 6, 9, 8, 0))
    env = type("E", (), {"clock": clock})()
    utc = (clock.now() - timedelta(hours=1)).astimezone(datetime.now().astimezone().tzinfo)
    shown = aware(utc, env)  # type: ignore[arg-type]
    assert shown.utcoffset() == timedelta(hours=7) and shown.hour == 7
    naive = aware(datetime(2026, 6, 9, 7, 0), env)  # type: ignore[arg-type]
    assert naive.hour == 7 and naive.utcoffset() == timedelta(hours=7)
