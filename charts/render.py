"""One entry point: a chart spec in, PNG bytes out.

    if not has_data(spec):
        reply("chưa có số liệu")          # words, not an empty picture
    else:
        png = render_png(spec)            # the bot calls it in services/chart_worker.py

`render_png` raises `NoData` for a spec with nothing to draw. Safe to call from several
threads at once (no pyplot; rcParams set once at import, never while drawing; one Figure per
call, released).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from matplotlib.figure import Figure

from charts import dashboard, ranking, style, tasks, trend
from charts.style import NoData, live_figures
from domain.chartspec import (
    ChartSpec,
    DashboardChart,
    RankingChart,
    TaskTimelineChart,
    TrendChart,
)

__all__ = ["NoData", "build_figure", "has_data", "live_figures", "render_png"]

_BUILDERS: dict[type, tuple[Callable[[Any], bool], Callable[[Any], Figure]]] = {
    RankingChart: (ranking.has_data, ranking.build_ranking_figure),
    TrendChart: (trend.has_data, trend.build_trend_figure),
    DashboardChart: (dashboard.has_data, dashboard.build_dashboard_figure),
    TaskTimelineChart: (tasks.has_data, tasks.build_tasks_figure),
}


def _entry(spec: ChartSpec) -> tuple[Callable[[Any], bool], Callable[[Any], Figure]]:
    try:
        return _BUILDERS[type(spec)]
    except KeyError:
        raise TypeError(f"not a chart spec: {type(spec).__name__}") from None


def has_data(spec: ChartSpec) -> bool:
    """False when the chart would be empty: say "chưa có số liệu" instead."""
    return _entry(spec)[0](spec)


def build_figure(spec: ChartSpec) -> Figure:
    """The Figure for `spec` (raises NoData). Call style.release(fig) when done with it."""
    return _entry(spec)[1](spec)


def render_png(spec: ChartSpec, *, original: bool = False) -> bytes:
    """PNG bytes for a photo: ≤ 1280 px wide, longest side ≤ style.PHOTO_MAX_SIDE_PX (what
    Telegram shows anyway); a ranking uses its phone layout (lowest, summary, highest).

    `original=True` is the [Tải bản gốc] document: the same chart at full resolution (1280 px
    wide), a ranking with every unit (`full_list`). Deterministic: same spec, same bytes.
    """
    if original and isinstance(spec, RankingChart) and not spec.full_list:
        spec = replace(spec, full_list=True)
    max_side = None if original else style.PHOTO_MAX_SIDE_PX
    return style.figure_to_png(build_figure(spec), max_side)


if __name__ == "__main__":  # timing for `make bench`: python -m charts.render
    import random
    import time
    from datetime import date

    from domain.chartspec import RankRow

    def _ranking(n: int) -> RankingChart:
        rnd = random.Random(n)
        rows = [
            RankRow(f"Xã Vĩnh Thủy {i}", rnd.uniform(0.05, 0.7) if i % 37 else None, None, None)
            for i in range(n)
        ]
        return RankingChart("Tài khoản ASXH", f"{n} đơn vị", date(2026, 4, 23), rows, 0.248, 1.0)

    for n in (78, 150):
        spec = _ranking(n)
        render_png(spec)  # warm-up: font cache, imports
        times = []
        for _ in range(10):
            start = time.perf_counter()
            png = render_png(spec)
            times.append(time.perf_counter() - start)
        ms = sorted(times)[len(times) // 2] * 1000
        print(f"ranking {n:>3} units: median {ms:7.1f} ms/render, {len(png) / 1024:6.1f} KiB")
    print(f"figures not released: {live_figures()}")
