"""One unit, all its indicators: a bar per rate indicator with the province rate as a tick
and the target as a diamond; yes/no indicators as "Đã xong" / "Chưa" chips."""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import blended_transform_factory

from charts import style
from domain.chartspec import DashboardChart, DashRow

ROW_IN = 0.42
LABEL_WRAP = 22  # characters per indicator label line


def has_data(spec: DashboardChart) -> bool:
    return any(r.rate is not None or r.done is not None for r in spec.rows)


def dashboard_title(spec: DashboardChart) -> str:
    return spec.title or f"{spec.unit_name} — {style.fmt_date(spec.as_of)}"


def _label_position(row: DashRow, xmax: float) -> tuple[float, float]:
    """(x, offset in points) of a value label: past the bar end, stepping over a province tick
    or a target diamond that sits just beyond it (so the number never covers a marker)."""
    assert row.rate is not None
    x, offset = row.rate, 3.0
    window = 0.09 * xmax
    for marker, pad in ((row.province_rate, 3.0), (row.target, 7.0)):
        if marker is not None and x - 0.01 * xmax <= marker <= x + window:
            x, offset = max(x, marker), max(offset, pad)
    return x, offset


@style.guarded
def build_dashboard_figure(spec: DashboardChart) -> Figure:
    if not has_data(spec):
        raise style.NoData(spec)
    w = style.words(spec.lang)
    fmt = style.rate_formatter(spec.lang, spec.fmt_rate)
    rows = list(spec.rows)
    n = len(rows)
    fig = style.new_figure(1.9 + n * ROW_IN)
    legend_ax, ax = style.legend_and_body(fig, n * ROW_IN)
    style.quiet_axes(ax, grid_axis="x")
    trans = blended_transform_factory(ax.transAxes, ax.transData)

    values = [
        v
        for r in rows
        if not r.is_yesno
        for v in (r.rate, r.target, r.province_rate)
        if v is not None
    ]
    ax.set_xlim(0, max([*values, 1.0]) * 1.18)
    ax.xaxis.set_major_formatter(style.pct_axis_formatter(spec.lang))

    used: set[str] = set()
    for y, row in enumerate(rows):
        if row.is_yesno:
            done = bool(row.done)
            ax.text(
                0.012,
                y,
                f" {w['done'] if done else w['not_done']} ",
                transform=trans,
                ha="left",
                va="center",
                gid=f"chip:{row.indicator_short}",
                bbox={
                    "boxstyle": "round,pad=0.35",
                    "facecolor": style.GOOD if done else style.WARN,
                    "edgecolor": "none",
                },
                **style.text_kw(style.LABEL_SIZE, "bold", style.CHIP_TEXT),
            )
            continue
        if row.rate is None:
            ax.text(
                0.0,
                y,
                w["no_data"],
                transform=trans,
                ha="left",
                va="center",
                fontstyle="italic",
                gid=f"nodata:{row.indicator_short}",
                **style.text_kw(style.LABEL_SIZE, color=style.MUTED),
            )
        else:
            colour = style.bar_colour(row.rate, row.province_rate, row.target)
            used.add(colour)
            (bar,) = ax.barh(y, row.rate, height=0.55, color=colour, linewidth=0)
            bar.set_gid(f"bar:{row.indicator_short}")
            label_x, offset = _label_position(row, ax.get_xlim()[1])
            ax.annotate(
                fmt(row.rate),
                xy=(label_x, y),
                xytext=(offset, 0),
                textcoords="offset points",
                va="center",
                gid=f"value:{row.indicator_short}",
                bbox=style.LABEL_BOX,
                **style.text_kw(style.VALUE_SIZE, "bold"),
            )
        if row.province_rate is not None:
            ax.plot(
                [row.province_rate] * 2,
                [y - 0.38, y + 0.38],
                color=style.PROVINCE,
                linewidth=2.0,
                solid_capstyle="butt",
                zorder=4,
                gid=f"province:{row.indicator_short}",
            )
        if row.target is not None:
            ax.plot(
                row.target,
                y,
                marker="D",
                markersize=6,
                markerfacecolor="white",
                markeredgecolor=style.TARGET,
                markeredgewidth=1.6,
                zorder=5,
                gid=f"target:{row.indicator_short}",
            )

    ax.set_yticks(range(n), [style.wrap(r.indicator_short, LABEL_WRAP) for r in rows])
    ax.set_ylim(n - 0.5, -0.5)

    handles: list = [
        Line2D([], [], color=style.PROVINCE, linewidth=2.0, label=w["province"]),
        Line2D(
            [],
            [],
            linestyle="none",
            marker="D",
            markerfacecolor="white",
            markeredgecolor=style.TARGET,
            markeredgewidth=1.6,
            markersize=6,
            label=w["target"],
        ),
    ]
    if style.WARN in used:
        handles.append(Patch(color=style.WARN, label=w["below_province"]))
    if style.GOOD in used:
        handles.append(Patch(color=style.GOOD, label=w["reached"]))
    style.set_title(fig, dashboard_title(spec))
    style.put_legend(legend_ax, handles)
    return fig


def render_dashboard(spec: DashboardChart) -> bytes:
    return style.figure_to_png(build_dashboard_figure(spec))
