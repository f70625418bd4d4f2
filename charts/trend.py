"""Rates over time: one line per series (province thick), target, deadline, milestones,
projection at the current pace (dashed, computed by the caller)."""

from __future__ import annotations

from datetime import date

from matplotlib import dates as mdates
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from charts import style
from domain.chartspec import TrendChart

BODY_IN = 3.3
HEIGHT_IN = 5.0
DASH = (0, (4, 2))


def has_data(spec: TrendChart) -> bool:
    return any(s.points for s in spec.series)


def trend_title(spec: TrendChart) -> str:
    if spec.title:
        return spec.title
    parts = [spec.indicator_name]
    if spec.scope_name:
        parts.append(spec.scope_name)
    if spec.as_of:
        parts.append(style.fmt_date(spec.as_of))
    return " — ".join(parts)


@style.guarded
def build_trend_figure(spec: TrendChart) -> Figure:
    if not has_data(spec):
        raise style.NoData(spec)
    w = style.words(spec.lang)
    fmt = style.rate_formatter(spec.lang, spec.fmt_rate)
    fig = style.new_figure(HEIGHT_IN)
    legend_ax, ax = style.legend_and_body(fig, BODY_IN, legend_in=0.62)
    style.quiet_axes(ax, grid_axis="y")

    all_dates: list[date] = []
    all_rates: list[float] = []
    handles: list = []
    others = 0
    for series in sorted(spec.series, key=lambda s: s.is_province):  # province drawn last/on top
        if not series.points:
            continue
        pts = sorted(series.points)
        xs = [d for d, _ in pts]
        ys = [r for _, r in pts]
        all_dates += xs
        all_rates += ys
        if series.is_province:
            colour, width, z = style.PROVINCE, 2.2, 4
        else:
            colour, width, z = style.SERIES[others % len(style.SERIES)], 1.3, 3
            others += 1
        (line,) = ax.plot(
            [style.day(d) for d in xs],
            ys,
            color=colour,
            linewidth=width,
            marker="o",
            markersize=3 if series.is_province else 2,
            zorder=z,
            label=series.name,
            gid=f"series:{series.name}",
        )
        if series.is_province:  # first in the legend
            handles.insert(0, line)
        else:
            handles.append(line)
        ax.annotate(  # the latest value at the line's end
            fmt(ys[-1]),
            xy=(style.day(xs[-1]), ys[-1]),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            gid=f"last:{series.name}",
            bbox=style.LABEL_BOX,
            **style.text_kw(style.VALUE_SIZE, "bold" if series.is_province else "normal", colour),
        )

    if spec.projection:
        pts = sorted(spec.projection)
        xs = [d for d, _ in pts]
        ys = [r for _, r in pts]
        all_dates += xs
        all_rates += ys
        (line,) = ax.plot(
            [style.day(d) for d in xs],
            ys,
            color=style.PROVINCE,
            linewidth=1.4,
            linestyle=DASH,
            alpha=0.8,
            label=w["projection"],
            gid="projection",
        )
        handles.append(line)
        ax.annotate(
            fmt(ys[-1]),
            xy=(style.day(xs[-1]), ys[-1]),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            gid="projection_end",
            **style.text_kw(style.VALUE_SIZE, color=style.PROVINCE),
        )

    if spec.target_rate is not None:
        all_rates.append(spec.target_rate)
        label = f"{w['target']} {style.target_text(spec.target_rate, spec.lang, spec.fmt_rate)}"
        ax.axhline(
            spec.target_rate,
            color=style.TARGET,
            linewidth=1.3,
            linestyle=DASH,
            label=label,
            gid="target",
        )
        handles.append(
            Line2D([], [], color=style.TARGET, linewidth=1.3, linestyle=DASH, label=label)
        )

    if spec.target_date is not None:
        all_dates.append(spec.target_date)
        label = f"{w['deadline']} {style.fmt_date(spec.target_date)}"
        ax.axvline(
            style.day(spec.target_date),
            color=style.MUTED,
            linewidth=1.0,
            linestyle=":",
            gid="deadline",
        )
        ax.annotate(
            label,
            xy=(style.day(spec.target_date), 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(-3, -2),
            textcoords="offset points",
            ha="right",
            va="top",
            gid="deadline_label",
            **style.text_kw(style.VALUE_SIZE, color=style.MUTED),
        )

    if spec.milestones:
        pts = sorted(spec.milestones)
        all_dates += [d for d, _ in pts]
        all_rates += [r for _, r in pts]
        ax.plot(
            [style.day(d) for d, _ in pts],
            [r for _, r in pts],
            linestyle="none",
            marker="D",
            markersize=5,
            markerfacecolor="white",
            markeredgecolor=style.TARGET,
            markeredgewidth=1.4,
            zorder=5,
            gid="milestones",
        )
        for i, (d, r) in enumerate(pts):
            ax.annotate(
                f"{d.strftime('%d/%m')}: {style.target_text(r, spec.lang, spec.fmt_rate)}",
                xy=(style.day(d), r),
                xytext=(0, 7),
                textcoords="offset points",
                ha="center",
                va="bottom",
                gid=f"milestone:{i}",
                bbox=style.LABEL_BOX,
                **style.text_kw(style.VALUE_SIZE, color=style.TARGET),
            )
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="D",
                markersize=5,
                markerfacecolor="white",
                markeredgecolor=style.TARGET,
                label=w["milestone"],
            )
        )

    first, last = min(all_dates), max(all_dates)
    span = max((last - first).days, 14)
    ax.set_xlim(style.day(first) - span * 0.03, style.day(last) + span * 0.12)
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=6))
    ax.xaxis.set_major_formatter(style.date_axis_formatter(first, last))
    ax.set_ylim(0, max([*all_rates, 0.01]) * 1.15)
    ax.yaxis.set_major_formatter(style.pct_axis_formatter(spec.lang))

    style.set_title(fig, trend_title(spec))
    style.put_legend(legend_ax, handles)
    return fig


def render_trend(spec: TrendChart) -> bytes:
    return style.figure_to_png(build_trend_figure(spec))
