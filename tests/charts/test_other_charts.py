from datetime import date

import pytest
from matplotlib.colors import to_rgb, to_rgba

from charts import dashboard, style, tasks, trend
from charts.render import NoData, has_data, render_png
from domain.chartspec import DashRow, Series, TaskRow
from tests.charts import dashboard as make_dashboard
from tests.charts import png_size
from tests.charts import tasks as make_tasks
from tests.charts import trend as make_trend


def body(fig):
    return next(ax for ax in fig.axes if ax.get_gid() != "legend")


def by_gid(artists):
    return {a.get_gid(): a for a in artists if a.get_gid()}


@pytest.fixture
def built():
    figs = []

    def build(builder, spec):
        fig = builder(spec)
        figs.append(fig)
        return fig

    yield build
    for fig in figs:
        style.release(fig)


# ---------------------------------------------------------------- trend


def test_trend_lines_target_milestones_projection(built):
    fig = built(trend.build_trend_figure, make_trend())
    ax = body(fig)
    lines = by_gid(ax.lines)
    assert lines["series:Toàn tỉnh"].get_linewidth() > lines["series:Vĩnh Thủy"].get_linewidth()
    assert to_rgb(lines["series:Toàn tỉnh"].get_color()) == to_rgb(style.PROVINCE)
    assert lines["target"].get_label() == "Chỉ tiêu 100%"
    assert lines["target"].get_ydata()[0] == pytest.approx(1.0)
    assert lines["projection"].get_linestyle() == "--"
    assert list(lines["milestones"].get_ydata()) == [0.5, 0.8]
    texts = {t.get_gid(): t.get_text() for t in ax.texts}
    assert texts["milestone:0"] == "30/06: 50%"
    assert texts["milestone:1"] == "30/09: 80%"
    assert texts["deadline_label"] == "Hạn 31/12/2026"
    assert texts["last:Toàn tỉnh"] == "23,0%"
    title = style.one_line(fig._suptitle.get_text())
    assert "Tài khoản ASXH" in title and "23/04/2026" in title
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    fig.canvas.draw()
    ticks = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert ticks and all("/" in t for t in ticks)  # numeric months, no English names


def test_trend_minimal_and_empty(built):
    spec = make_trend(
        series=[Series("Đakrông", [(date(2026, 4, 1), 0.1)])],
        target_rate=None,
        target_date=None,
        milestones=[],
        projection=None,
    )
    fig = built(trend.build_trend_figure, spec)
    assert "series:Đakrông" in by_gid(body(fig).lines)
    empty = make_trend(series=[Series("Toàn tỉnh", [], True)])
    assert not has_data(empty)
    with pytest.raises(NoData):
        render_png(empty)


# ---------------------------------------------------------------- dashboard


def test_dashboard_rows(built):
    fig = built(dashboard.build_dashboard_figure, make_dashboard())
    ax = body(fig)
    bars = by_gid(ax.patches)
    assert set(bars) == {"bar:Tài khoản ASXH", "bar:Sổ sức khỏe điện tử", "bar:Đánh số nhà"}
    assert bars["bar:Tài khoản ASXH"].get_facecolor() == pytest.approx(to_rgba(style.WARN))
    assert bars["bar:Sổ sức khỏe điện tử"].get_facecolor() == pytest.approx(to_rgba(style.GOOD))
    assert bars["bar:Đánh số nhà"].get_facecolor() == pytest.approx(to_rgba(style.BAR))
    lines = by_gid(ax.lines)
    assert lines["province:Tài khoản ASXH"].get_xdata()[0] == pytest.approx(0.248)
    assert lines["target:Đánh số nhà"].get_xdata()[0] == pytest.approx(1.0)
    assert "province:Chữ ký số" in lines  # the province tick even without the unit's figure
    texts = by_gid(ax.texts)
    assert texts["chip:Kế hoạch năm"].get_text().strip() == "Đã xong"
    assert texts["chip:Tổ công tác"].get_text().strip() == "Chưa"
    assert texts["nodata:Chữ ký số"].get_text() == "Chưa có số liệu"
    assert texts["value:Tài khoản ASXH"].get_text() == "18,0%"
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[0] == "Tài khoản ASXH" and len(labels) == 6
    assert style.one_line(fig._suptitle.get_text()) == "Xã Đakrông — 23/04/2026"


def test_dashboard_value_label_steps_over_markers(built):
    rows = [DashRow("Gần chỉ tiêu", 0.96, 1.0, 0.5), DashRow("Gần toàn tỉnh", 0.3, 1.0, 0.33)]
    ax = body(built(dashboard.build_dashboard_figure, make_dashboard(rows=rows)))
    texts = by_gid(ax.texts)
    assert texts["value:Gần chỉ tiêu"].xy[0] == pytest.approx(1.0)  # past the target diamond
    assert texts["value:Gần toàn tỉnh"].xy[0] == pytest.approx(0.33)  # past the province tick
    assert texts["value:Gần chỉ tiêu"].xyann[0] > texts["value:Gần toàn tỉnh"].xyann[0]


def test_dashboard_no_data():
    spec = make_dashboard(rows=[DashRow("Tài khoản ASXH", None, 1.0, 0.2)])
    assert not has_data(spec)
    with pytest.raises(NoData):
        render_png(spec)


# ---------------------------------------------------------------- tasks


def test_tasks_timeline(built):
    fig = built(tasks.build_tasks_figure, make_tasks())
    ax = body(fig)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    # groups by earliest due date: Công an xã (31/03), Văn phòng (10/04), Trạm Y tế (15/05)
    assert labels == [
        "Công an xã",
        "Rà soát dữ liệu dân cư",
        "Cấp định danh mức 2",
        "Văn phòng",
        "Báo cáo quý I",
        "Trạm Y tế",
        "Sổ sức khỏe điện tử",
    ]
    bold = [t.get_text() for t in ax.get_yticklabels() if t.get_fontweight() == "bold"]
    assert bold == ["Công an xã", "Văn phòng", "Trạm Y tế"]
    lines = by_gid(ax.lines)
    overdue = lines["task:Rà soát dữ liệu dân cư"]
    assert to_rgb(overdue.get_markerfacecolor()) == to_rgb(style.WARN)
    assert to_rgb(lines["task:Báo cáo quý I"].get_markerfacecolor()) == to_rgb(style.GOOD)
    assert to_rgb(lines["task:Cấp định danh mức 2"].get_markerfacecolor()) == to_rgb("white")
    assert "today" in lines
    texts = by_gid(ax.texts)
    assert texts["today_label"].get_text() == "Hôm nay"
    assert texts["due:Cấp định danh mức 2"].get_text() == "30/06"
    note = style.one_line(fig._supxlabel.get_text())
    assert "Việc thường xuyên" in note and "Họp tổ công tác hằng tháng (Văn phòng)" in note


def test_tasks_long_labels_shortened(built):
    long = "Rà soát, làm sạch dữ liệu dân cư " * 5
    fig = built(
        tasks.build_tasks_figure, make_tasks(tasks=[TaskRow(long, "Công an xã", date(2026, 5, 1))])
    )
    label = body(fig).get_yticklabels()[1].get_text()
    assert label.endswith("…") and label.count("\n") <= 1


def test_tasks_only_recurring_is_no_data():
    spec = make_tasks(tasks=[TaskRow("Họp hằng tháng", "Văn phòng", None)])
    assert not has_data(spec)
    with pytest.raises(NoData):
        render_png(spec)


@pytest.mark.parametrize("make", [make_trend, make_dashboard, make_tasks])
def test_pngs_decode(make):
    width, height = png_size(render_png(make()))
    assert 0 < width <= 1280 and 0 < height <= style.PHOTO_MAX_SIDE_PX
