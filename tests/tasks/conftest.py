"""A small province on a real SQLite file, a fixed clock, and helpers to bind chats and people."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, time
from pathlib import Path

import pytest

from domain.catalogue import parse_catalogue
from domain.clock import FixedClock
from services.context import Env
from store.figures import insert_figure
from tests.envs import add_person, bind_chat, make_env

__all__ = ["add_person", "bind_chat"]  # used by tests here and in tests/scale

PROVINCE_YAML = """
code: test
name: Thử
reporting:
  - {code: monthly, name: Báo cáo tháng, every: month, day: 12, scope: communes}
  - {code: house-numbering, name: Báo cáo đánh số nhà, every: quarter, day: 30,
     scope: communes, indicators: [DSN]}
holidays: [2026-09-01, 2026-09-02, 2027-01-01]
"""

UNITS_CSV = """code,name,kind,parent,aliases,note
quang-tri,Quảng Trị,province,,,
cong-an-tinh,Công an tỉnh,agency,quang-tri,,
vinh-thuy,Vĩnh Thủy,xa,quang-tri,Vĩnh Thụy,
vinh-thuy/cong-an-xa,Công an xã,office,vinh-thuy,CA xã,
vinh-thuy/phong-kinh-te,Phòng Kinh tế,office,vinh-thuy,,
vinh-thuy/phong-van-hoa-xa-hoi,Phòng Văn hóa - Xã hội,office,vinh-thuy,Phòng Văn hóa - Xã hội xã,
vinh-thuy/trung-tam-pvhcc-xa,Trung tâm Phục vụ hành chính công xã,office,vinh-thuy,,
dong-cuu,Đông Cứu,xa,quang-tri,,
"""

INDICATORS_YAML = """
- code: SKDT
  name: Sổ sức khỏe điện tử
  short: Sổ SKĐT
  kind: ratio
  target: {rate: 0.8, due: 2026-12-31}
  milestones: [{due: 2026-02-28, rate: 0.2}, {due: 2026-06-30, rate: 0.5}]
- code: DSN
  name: Đánh số nhà
  short: Đánh số nhà
  kind: ratio
"""

TASKS_YAML = """
- {plan: vinh-thuy, section: I, number: 1, lead: vinh-thuy/cong-an-xa,
   title: Xây dựng Kế hoạch, due_text: Ban hành Kế hoạch trong tháng 5/2026}
- {plan: vinh-thuy, section: I, number: 4, lead: vinh-thuy/phong-van-hoa-xa-hoi,
   title: Khen thưởng, due_text: Quý I/2027}
- {plan: vinh-thuy, section: III, number: 1, lead: vinh-thuy/cong-an-xa,
   title: Duy trì thu nhận hồ sơ, due_text: Thường xuyên}
- {plan: vinh-thuy, section: III, number: 4, lead: vinh-thuy/cong-an-xa, reminders_sent: 2,
   title: Thu thập phiếu ADN, due_text: Hoàn thành trước 10/5/2026}
- {plan: vinh-thuy, section: IV, number: 2, lead: vinh-thuy/phong-kinh-te,
   title: Làm sạch dữ liệu đất đai, due_text: Trong Quý II/2026}
- {plan: vinh-thuy, section: V, number: 9, lead: vinh-thuy/phong-kinh-te,
   title: Việc không rõ hạn, due_text: sớm nhất có thể}
"""

VT_GROUP = -1001
DC_GROUP = -1002
PROVINCE_GROUP = -1000
OFFICER_VT = 501
OFFICER_DC = 502
LEADER = 600


def make_catalogue():  # type: ignore[no-untyped-def]
    return parse_catalogue(
        province_yaml=PROVINCE_YAML,
        units_csv=UNITS_CSV,
        indicators_yaml=INDICATORS_YAML,
        tasks_yaml=TASKS_YAML,
    )


def at(day: date, hh: int = 7, mm: int = 0) -> datetime:
    clock = FixedClock(datetime(2026, 1, 1))
    return datetime.combine(day, time(hh, mm), tzinfo=clock.tz)


async def open_env(path: Path | str, clock: FixedClock) -> Env:
    """`path`: a SQLite file, or a SQLAlchemy URL (the `db_url` fixture: both databases)."""
    return await make_env(path, clock, make_catalogue(), admin_ids=frozenset({1}),
                          alert_time=time(7, 0))  # fmt: skip


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(at(date(2026, 6, 9), 8))  # Tuesday 9 June 2026, after 07:00


@pytest.fixture
async def env(db_url: str, clock: FixedClock) -> AsyncIterator[Env]:
    env = await open_env(db_url, clock)
    try:
        yield env
    finally:
        await env.db.close()


async def add_figure(
    env: Env,
    unit: str,
    indicator: str,
    num: int,
    den: int,
    as_of: date,
    created: datetime | None = None,
) -> None:
    async with env.db.write() as conn:  # through the store: current_figures stays in step
        await insert_figure(
            conn,
            {
                "unit_id": env.ids.unit_id[unit],
                "indicator_id": env.ids.indicator_id[indicator],
                "numerator": num,
                "denominator": den,
                "as_of": as_of,
                "source": "seed",
                "created_at": created or env.clock.now(),
            },
        )
