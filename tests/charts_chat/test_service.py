"""services/charts.py over the fixture dataset: specs, captions, no-data reasons, button data."""

from __future__ import annotations

from datetime import date

import pytest

from charts import render
from domain.chartspec import DashboardChart, RankingChart, TaskTimelineChart, TrendChart
from services import charts as svc
from services.answers import ChartRef
from services.context import Env
from tests.charts import png_size
from tests.charts_chat.conftest import DAYS, SILENT, SKDT_UNITS, TODAY, dataset


def _april_pooled(env: Env) -> float:
    rows = [r for r in dataset(env) if r["as_of"] == DAYS[-1]
            and r["indicator_id"] == env.ids.indicator_id["ASXH"]]  # fmt: skip
    return sum(r["numerator"] for r in rows) / sum(r["denominator"] for r in rows)


async def test_ranking_spec_and_caption(seeded: Env) -> None:
    result = await svc.ranking_chart(seeded, "ASXH", TODAY, "vi")
    assert isinstance(result, svc.ChartResult)
    spec = result.spec
    assert isinstance(spec, RankingChart)
    assigned = seeded.catalogue.assigned_units(seeded.catalogue.indicator("ASXH"))
    assert len(spec.rows) == len(assigned) == 78
    missing = {r.unit_name for r in spec.rows if r.rate is None}
    assert missing == {seeded.catalogue.unit(code).name for code in SILENT}
    assert spec.province_rate == pytest.approx(_april_pooled(seeded))
    assert spec.target_rate == 1.0  # the ASXH target (31/03/2026) is due by 23/04
    assert spec.as_of == TODAY and spec.lang == "vi"
    assert spec.indicator_name == "Tài khoản ASXH trên VNeID"
    rate = f"{_april_pooled(seeded) * 100:.1f}".replace(".", ",")
    assert f"<b>{rate}%</b>" in result.caption and "23/04/2026" in result.caption
    below = sum(1 for r in spec.rows if r.rate is not None and r.rate < spec.province_rate)
    assert f"{below}/76 địa phương dưới mức toàn tỉnh" in result.caption
    assert "[Tải bản gốc]" in result.caption  # 76 units: the photo shows a part
    assert result.filename == "xep-hang-asxh-2026-04-23.png"
    assert len(result.caption) <= 1024


async def test_ranking_as_of_an_earlier_day(seeded: Env) -> None:
    result = await svc.ranking_chart(seeded, "ASXH", date(2026, 2, 15), "en")
    assert isinstance(result, svc.ChartResult) and isinstance(result.spec, RankingChart)
    assert result.spec.as_of == date(2026, 2, 15)
    assert result.spec.province_rate == pytest.approx(_april_pooled(seeded) / 2, rel=0.01)
    assert result.spec.target_rate == 1.0  # no milestone due by 15/02: the final target
    assert "Province: <b>" in result.caption and "15 Feb 2026" in result.caption


async def test_ranking_no_data_is_words(env: Env) -> None:
    result = await svc.ranking_chart(env, "ASXH", TODAY, "vi")
    assert isinstance(result, svc.NoChart)
    assert "Chưa có số liệu" in result.reason and "23/04/2026" in result.reason


async def test_ranking_refuses_yesno_and_unknown(seeded: Env) -> None:
    yesno = await svc.ranking_chart(seeded, "DSN_BCD", TODAY)
    unknown = await svc.ranking_chart(seeded, "NOPE", TODAY)
    assert isinstance(yesno, svc.NoChart) and "có/không" in yesno.reason
    assert isinstance(unknown, svc.NoChart)


async def test_trend_province_unit_milestones_projection(seeded: Env) -> None:
    result = await svc.trend_chart(seeded, "SKDT", ["vinh-thuy"], TODAY, "vi")
    assert isinstance(result, svc.ChartResult)
    spec = result.spec
    assert isinstance(spec, TrendChart)
    province, unit = spec.series
    assert province.is_province and unit.name == "Vĩnh Thủy"
    # month ends Jan–Mar, then the day asked
    assert [d for d, _ in province.points] == [
        date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), TODAY,
    ]  # fmt: skip
    total = sum(SKDT_UNITS.values())
    assert province.points[-1][1] == pytest.approx(total / 3000)
    assert unit.points[-1][1] == pytest.approx(0.7)
    assert spec.target_rate == 0.8 and spec.target_date == date(2026, 12, 31)
    assert list(spec.milestones) == [
        (date(2026, 2, 28), 0.2), (date(2026, 6, 30), 0.5), (date(2026, 12, 31), 0.8),
    ]  # fmt: skip
    assert spec.projection is not None
    (d0, r0), (d1, r1) = spec.projection
    # 12,5% → 50% in 100 days: 80% around the end of August, 100% before the deadline
    assert d0 == TODAY and d1 < date(2026, 12, 31) and r1 == 1.0 and r0 == pytest.approx(0.5)
    assert "đạt chỉ tiêu 80,0% vào khoảng <b>" in result.caption and "31/12/2026" in result.caption
    assert "Vĩnh Thủy: <b>70,0%</b>" in result.caption
    assert spec.scope_name == "Vĩnh Thủy"


async def test_trend_past_deadline_has_no_projection(seeded: Env) -> None:
    result = await svc.trend_chart(seeded, "ASXH", [], TODAY, "vi")
    assert isinstance(result, svc.ChartResult) and isinstance(result.spec, TrendChart)
    assert result.spec.projection is None
    assert "đã qua" in result.caption
    assert render.has_data(result.spec)


async def test_dashboard_every_indicator_of_the_unit(seeded: Env) -> None:
    result = await svc.dashboard_chart(seeded, "vinh-thuy", TODAY, "vi")
    assert isinstance(result, svc.ChartResult)
    spec = result.spec
    assert isinstance(spec, DashboardChart)
    cat = seeded.catalogue
    assigned = [i for i in cat.indicators if "vinh-thuy" in {u.code for u in cat.assigned_units(i)}]
    assert len(spec.rows) == len(assigned)
    by_name = {r.indicator_short: r for r in spec.rows}
    skdt = by_name[cat.indicator("SKDT").short]
    assert skdt.rate == pytest.approx(0.7) and skdt.target == 0.8
    assert skdt.province_rate == pytest.approx(sum(SKDT_UNITS.values()) / 3000)
    assert by_name[cat.indicator("DSN_BCD").short].done is True
    assert "Xã Vĩnh Thủy" in result.caption and "23/04/2026" in result.caption


async def test_dashboard_without_figures(env: Env) -> None:
    result = await svc.dashboard_chart(env, "vinh-thuy", TODAY, "vi")
    assert isinstance(result, svc.NoChart) and "chưa có số liệu" in result.reason
    assert result.reason.startswith("Xã Vĩnh Thủy")


async def test_tasks_timeline_from_list_tasks(seeded: Env) -> None:
    result = await svc.tasks_chart(seeded, "vinh-thuy", "vi")
    if isinstance(result, svc.NoChart):  # the catalogue's plan has no dated task yet
        assert "thời hạn" in result.reason
        return
    spec = result.spec
    assert isinstance(spec, TaskTimelineChart) and spec.as_of == TODAY
    assert any(r.due_date is not None for r in spec.tasks)
    assert "nhiệm vụ" in result.caption
    assert png_size(render.render_png(spec))[0] <= 1280


@pytest.mark.parametrize(
    ("ref", "kind"),
    [
        (ChartRef("ranking", "ASXH", "", TODAY), RankingChart),
        (ChartRef("trend", "SKDT", "cam-lo", TODAY), TrendChart),
        (ChartRef("dashboard", "", "vinh-thuy", TODAY), DashboardChart),
    ],
)
async def test_dispatch_by_ref_and_png(seeded: Env, ref: ChartRef, kind: type) -> None:
    result = await svc.chart_for_ref(seeded, ref, "vi")
    assert isinstance(result, svc.ChartResult) and isinstance(result.spec, kind)
    width, height = png_size(render.render_png(result.spec))
    assert width <= 1280 and max(width, height) <= 2560


async def test_dispatch_needs_an_indicator(seeded: Env) -> None:
    result = await svc.chart_for_ref(seeded, ChartRef("ranking", "", "", TODAY), "vi")
    assert isinstance(result, svc.NoChart)


def test_callback_data_round_trip() -> None:
    ref = ChartRef("trend", "SKDT", "vinh-thuy", TODAY)
    photo, original = svc.chart_callback_data(ref), svc.chart_callback_data(ref, original=True)
    assert photo == "qc|t|SKDT|vinh-thuy|20260423" and original.startswith("qo|")
    assert len(photo.encode()) <= 64
    assert svc.parse_chart_callback(photo) == (ref, False)
    assert svc.parse_chart_callback(original) == (ref, True)
    assert svc.parse_chart_callback("task:close:4") is None
    assert svc.parse_chart_callback("qc|x|A||") is None


def test_projection_clipped_at_full() -> None:
    line = [(date(2026, 1, 1), 0.5), (date(2026, 1, 11), 1.5)]
    assert svc.clip_projection(line) == [(date(2026, 1, 1), 0.5), (date(2026, 1, 6), 1.0)]
    slow = [(date(2026, 1, 1), 0.5), (date(2026, 1, 11), 0.7)]
    assert svc.clip_projection(slow) == slow


def test_filenames_are_ascii() -> None:
    name = svc.filename_for("bảng", "Đakrông", TODAY)
    assert name == "bang-dakrong-2026-04-23.png" and name.isascii()
