import pytest
from matplotlib.patches import Rectangle

from charts import ranking, style
from charts.render import NoData, has_data, render_png
from domain.chartspec import RankRow
from tests.charts import SPECIAL, png_size
from tests.charts import ranking as make_ranking


@pytest.fixture
def fig78():
    """The document layout: every one of the 78 units (2 without a figure)."""
    fig = ranking.build_ranking_figure(make_ranking(78, missing=2, full_list=True))
    yield fig
    style.release(fig)


def body(fig):
    return next(ax for ax in fig.axes if ax.get_gid() != "legend")


def bars(ax):
    found = [
        p for p in ax.patches if isinstance(p, Rectangle) and (p.get_gid() or "").startswith("bar:")
    ]
    return sorted(found, key=lambda p: p.get_y())  # top of the chart first (y axis inverted)


def texts(fig):
    return [t for t in fig.findobj(lambda a: hasattr(a, "get_text")) if t.get_text()]


def all_text(fig):
    return " ".join(style.one_line(t.get_text()) for t in texts(fig))


def test_one_bar_per_unit_with_a_figure(fig78):
    assert len(bars(body(fig78))) == 76


def test_lowest_at_the_top(fig78):
    widths = [b.get_width() for b in bars(body(fig78))]
    assert widths == sorted(widths)
    ax = body(fig78)
    ymin, ymax = ax.get_ylim()
    assert ymin > ymax  # inverted: row 0 (lowest) drawn at the top


def test_tick_labels_follow_the_bars(fig78):
    ax = body(fig78)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    names = [b.get_gid().removeprefix("bar:") for b in bars(ax)]
    assert labels == names


def test_bar_colours_by_rule(fig78):
    spec = make_ranking(78)
    for bar in bars(body(fig78)):
        rate = bar.get_width()
        expected = style.bar_colour(rate, spec.province_rate, spec.target_rate)
        assert bar.get_facecolor()[:3] == pytest.approx(_rgb(expected), abs=1e-3)
        if rate < spec.province_rate:
            assert expected == style.WARN


def test_target_reached_is_good_colour():
    spec = make_ranking(10, rows=[RankRow("Xã Cồn Cỏ", 1.0), RankRow("Xã Khác", 0.1)])
    fig = ranking.build_ranking_figure(spec)
    try:
        colours = {b.get_gid(): b.get_facecolor()[:3] for b in bars(body(fig))}
        assert colours["bar:Xã Cồn Cỏ"] == pytest.approx(_rgb(style.GOOD), abs=1e-3)
        assert colours["bar:Xã Khác"] == pytest.approx(_rgb(style.WARN), abs=1e-3)
    finally:
        style.release(fig)


def test_province_and_target_lines(fig78):
    lines = {ln.get_gid(): ln for ln in body(fig78).lines}
    assert lines["province"].get_label() == "Toàn tỉnh 24,8%"
    assert lines["province"].get_xdata()[0] == pytest.approx(0.248)
    assert lines["target"].get_label() == "Chỉ tiêu 100%"
    assert lines["target"].get_xdata()[0] == pytest.approx(1.0)
    legend = [t.get_text() for ax in fig78.axes if ax.get_legend() for t in ax.get_legend().texts]
    assert "Toàn tỉnh 24,8%" in legend and "Chỉ tiêu 100%" in legend


def test_value_labels_at_bar_ends(fig78):
    ax = body(fig78)
    values = {t.get_gid(): t for t in ax.texts if (t.get_gid() or "").startswith("value:")}
    assert len(values) == 76
    for bar in bars(ax):
        label = values["value:" + bar.get_gid().removeprefix("bar:")]
        assert label.get_text() == style.fmt_pct(bar.get_width())
        assert label.xy[0] == pytest.approx(bar.get_width())


def test_title_names_indicator_scope_and_date(fig78):
    title = style.one_line(fig78._suptitle.get_text())
    assert "Tài khoản ASXH" in title
    assert "78 xã, phường, đặc khu" in title
    assert "23/04/2026" in title


def test_vietnamese_names_intact(fig78):
    labels = {t.get_text() for t in body(fig78).get_yticklabels()}
    assert set(SPECIAL) <= labels
    assert all(t.get_fontname() == "DejaVu Sans" for t in body(fig78).get_yticklabels())


def test_units_without_figure_in_footnote_not_drawn(fig78):
    note = style.one_line(fig78._supxlabel.get_text())
    assert "Chưa có số liệu (2)" in note
    assert "Xã Thiếu 0" in note and "Xã Thiếu 1" in note
    drawn = {b.get_gid() for b in bars(body(fig78))}
    assert "bar:Xã Thiếu 0" not in drawn


def test_nothing_cut_off(fig78):
    fig78.canvas.draw()
    renderer = fig78.canvas.get_renderer()
    width, height = fig78.bbox.width, fig78.bbox.height
    tight = fig78.get_tightbbox(renderer)  # inches, every artist drawn
    assert tight.x0 >= 0 and tight.y0 >= 0
    assert tight.x1 <= fig78.get_figwidth() + 0.01 and tight.y1 <= fig78.get_figheight() + 0.01
    ax = body(fig78)
    ticks = set(ax.get_xticklabels()) | set(ax.xaxis.get_ticklabels(which="both"))
    others = [t for t in texts(fig78) if t not in ticks]
    for text in [*others, *ax.get_yticklabels()]:
        if not text.get_visible():
            continue
        box = text.get_window_extent(renderer)
        assert box.x0 >= -0.5 and box.x1 <= width + 0.5, text.get_text()
        assert box.y0 >= -0.5 and box.y1 <= height + 0.5, text.get_text()


def test_png_78_decodes_within_width():
    data = render_png(make_ranking(78))
    width, height = png_size(data)
    assert width <= style.MAX_WIDTH_PX
    assert max(width, height) <= style.PHOTO_MAX_SIDE_PX


def test_document_keeps_every_unit_at_full_width():
    spec = make_ranking(150, full_list=True)
    assert len(ranking.ranking_layout(spec).bars) == 150
    assert ranking.ranking_layout(spec).summary is None
    width, height = png_size(render_png(spec, original=True))
    assert width == style.MAX_WIDTH_PX and height > style.PHOTO_MAX_SIDE_PX


@pytest.mark.parametrize("n", [78, 150])
def test_phone_layout_lowest_summary_highest(n):
    spec = make_ranking(n)
    layout = ranking.ranking_layout(spec)
    keep = ranking.KEEP_LOW + ranking.KEEP_HIGH
    assert len(layout.bars) == keep
    assert layout.summary is not None and layout.summary.count == n - keep
    fig = ranking.build_ranking_figure(spec)
    try:
        ax = body(fig)
        assert len(bars(ax)) == keep
        summary = [t for t in ax.texts if t.get_gid() == "summary"]
        assert len(summary) == 1
        assert summary[0].get_text().startswith(f"… {n - keep} đơn vị khác, từ ")
        lo, hi = style.fmt_pct(layout.summary.low), style.fmt_pct(layout.summary.high)
        assert summary[0].get_text().endswith(f"từ {lo} đến {hi}")
        assert fig.get_figheight() <= style.MAX_HEIGHT_IN
        # the summary sits between the lowest and the highest
        widths = [b.get_width() for b in bars(ax)]
        assert widths == sorted(widths)
        assert widths[ranking.KEEP_LOW - 1] <= layout.summary.low
        assert widths[ranking.KEEP_LOW] >= layout.summary.high
        labels = [t.get_text() for t in ax.get_yticklabels()]
        assert labels[ranking.KEEP_LOW] == "" and len(labels) == keep + 1
    finally:
        style.release(fig)
    width, height = png_size(render_png(spec))
    assert width <= 1280 and max(width, height) <= style.PHOTO_MAX_SIDE_PX


def test_up_to_the_limit_everything_is_drawn():
    layout = ranking.ranking_layout(make_ranking(ranking.PHONE_LIMIT))
    assert len(layout.bars) == ranking.PHONE_LIMIT and layout.summary is None


def test_height_grows_with_rows():
    heights = []
    for n in (5, 30, 78):
        fig = ranking.build_ranking_figure(make_ranking(n, full_list=True))
        heights.append(fig.get_figheight())
        style.release(fig)
    assert heights == sorted(heights) and heights[0] < heights[-1]


def test_no_data():
    spec = make_ranking(5, rows=[RankRow("Xã A", None), RankRow("Xã B", None)])
    assert not has_data(spec)
    with pytest.raises(NoData):
        render_png(spec)
    assert not has_data(make_ranking(5, rows=[]))


def test_stale_rows_marked():
    spec = make_ranking(5, rows=[RankRow("Xã Cũ", 0.3, stale=True), RankRow("Xã Mới", 0.4)])
    fig = ranking.build_ranking_figure(spec)
    try:
        labels = [t.get_text() for t in body(fig).get_yticklabels()]
        assert labels == ["Xã Cũ *", "Xã Mới"]
        assert bars(body(fig))[0].get_hatch() == style.STALE_HATCH
        assert "số liệu chưa cập nhật" in fig._supxlabel.get_text()
    finally:
        style.release(fig)


def test_english_and_custom_formatter():
    fig = ranking.build_ranking_figure(make_ranking(10, lang="en"))
    try:
        lines = {ln.get_gid(): ln.get_label() for ln in body(fig).lines}
        assert lines == {"province": "Province 24.8%", "target": "Target 100%"}
    finally:
        style.release(fig)
    fig = ranking.build_ranking_figure(make_ranking(10, fmt_rate=lambda r: f"{r * 100:.0f} pc"))
    try:
        assert {ln.get_label() for ln in body(fig).lines} == {"Toàn tỉnh 25 pc", "Chỉ tiêu 100 pc"}
    finally:
        style.release(fig)


def test_title_override_and_no_reference_lines():
    spec = make_ranking(5, title="5 xã thấp nhất", province_rate=None, target_rate=None)
    fig = ranking.build_ranking_figure(spec)
    try:
        assert fig._suptitle.get_text() == "5 xã thấp nhất"
        assert not [ln for ln in body(fig).lines if ln.get_gid() in {"province", "target"}]
        for bar in bars(body(fig)):
            assert bar.get_facecolor()[:3] == pytest.approx(_rgb(style.BAR), abs=1e-3)
    finally:
        style.release(fig)


def _rgb(hex_colour):
    from matplotlib.colors import to_rgb

    return to_rgb(hex_colour)
