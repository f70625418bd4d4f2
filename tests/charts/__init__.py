"""Tests of charts/: structure of the figures, not pixels. Shared sample specs below."""

from __future__ import annotations

import random
import struct
from datetime import date, timedelta

from domain.chartspec import (
    DashboardChart,
    DashRow,
    RankingChart,
    RankRow,
    Series,
    TaskRow,
    TaskTimelineChart,
    TrendChart,
)

AS_OF = date(2026, 4, 23)
SPECIAL = ["Xã Đakrông", "Phường Vĩnh Thủy", "Đặc khu Cồn Cỏ"]


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) from the IHDR chunk; asserts the PNG signature."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def unit_rows(n: int, missing: int = 0, seed: int = 6) -> list[RankRow]:
    rnd = random.Random(seed)
    rows = [RankRow(name, rnd.uniform(0.02, 0.6), None, None) for name in SPECIAL]
    rows += [
        RankRow(f"Xã Số {i}", rnd.uniform(0.02, 0.6), 100 + i, 1000) for i in range(n - 3 - missing)
    ]
    rows += [RankRow(f"Xã Thiếu {i}", None) for i in range(missing)]
    return rows


def ranking(n: int = 78, missing: int = 0, **kw) -> RankingChart:
    defaults = {
        "indicator_name": "Tài khoản ASXH",
        "scope_name": f"{n} xã, phường, đặc khu",
        "as_of": AS_OF,
        "rows": unit_rows(n, missing),
        "province_rate": 0.248,
        "target_rate": 1.0,
    }
    return RankingChart(**{**defaults, **kw})


def trend(**kw) -> TrendChart:
    d0 = date(2025, 10, 1)
    prov = Series(
        "Toàn tỉnh", [(d0 + timedelta(days=30 * i), 0.05 + 0.03 * i) for i in range(7)], True
    )
    unit = Series("Vĩnh Thủy", [(d0 + timedelta(days=30 * i), 0.02 + 0.04 * i) for i in range(7)])
    defaults = {
        "indicator_name": "Tài khoản ASXH",
        "series": [prov, unit],
        "target_rate": 1.0,
        "target_date": date(2026, 12, 31),
        "milestones": [(date(2026, 6, 30), 0.5), (date(2026, 9, 30), 0.8)],
        "projection": [(prov.points[-1][0], prov.points[-1][1]), (date(2026, 12, 31), 0.55)],
        "as_of": AS_OF,
    }
    return TrendChart(**{**defaults, **kw})


def dashboard(**kw) -> DashboardChart:
    defaults = {
        "unit_name": "Xã Đakrông",
        "as_of": AS_OF,
        "rows": [
            DashRow("Tài khoản ASXH", 0.18, 1.0, 0.248),
            DashRow("Sổ sức khỏe điện tử", 0.72, 0.7, 0.55),
            DashRow("Đánh số nhà", 0.41, 1.0, 0.35),
            DashRow("Chữ ký số", None, 1.0, 0.6),
            DashRow("Kế hoạch năm", done=True),
            DashRow("Tổ công tác", done=False),
        ],
    }
    return DashboardChart(**{**defaults, **kw})


def tasks(**kw) -> TaskTimelineChart:
    defaults = {
        "as_of": AS_OF,
        "scope_name": "Xã Vĩnh Thủy",
        "tasks": [
            TaskRow("Rà soát dữ liệu dân cư", "Công an xã", date(2026, 3, 31), False, True),
            TaskRow("Cấp định danh mức 2", "Công an xã", date(2026, 6, 30)),
            TaskRow("Sổ sức khỏe điện tử", "Trạm Y tế", date(2026, 5, 15)),
            TaskRow("Báo cáo quý I", "Văn phòng", date(2026, 4, 10), done=True),
            TaskRow("Họp tổ công tác hằng tháng", "Văn phòng", None),
        ],
    }
    return TaskTimelineChart(**{**defaults, **kw})
