"""Ranking of units on one indicator: horizontal bars, lowest rate at the TOP.

Lowest first because the working group's question is almost always about the laggards
("5 xã thấp nhất…"): they are what a leader sees without scrolling.

Rows rule (see `ranking_layout`):
- units without a figure (rate None) are never drawn: they are named in the footnote;
- the photo (default): up to PHONE_LIMIT (36) units with a figure, every unit is drawn; more
  than that, the KEEP_LOW (25) lowest and the KEEP_HIGH (10) highest are drawn with one summary
  row between them: "… 43 đơn vị khác, từ 20,1% đến 35,2%". 36 rows fit a phone screen
  (≤ 2560 px tall, what Telegram shows) and render in well under half the time of 78 rows;
- `spec.full_list` (the [Tải bản gốc] document): every unit, the figure grows ROW_IN per row
  (up to style.MAX_DOC_HEIGHT_IN; beyond DOC_LIMIT units the summary rule applies again).
Ties are ordered by unit name (diacritics-insensitive) so the picture is stable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.transforms import blended_transform_factory

from charts import style
from domain.chartspec import RankingChart, RankRow
from domain.text import fold

PHONE_LIMIT = 36
KEEP_LOW = 25
KEEP_HIGH = 10
DOC_LIMIT = 200
DOC_KEEP_EACH_END = 95
ROW_IN = 0.19  # inches per drawn row
HEAD_IN = 1.05  # title (2 lines) + legend
AXIS_IN = 0.45  # x tick labels top and bottom
NOTE_LINE_IN = 0.15


@dataclass(frozen=True)
class SummaryRow:
    """The row standing for the units left out between the lowest and the highest."""

    count: int
    low: float
    high: float


@dataclass(frozen=True)
class RankingLayout:
    drawn: list[RankRow | SummaryRow]  # top to bottom
    missing: list[RankRow]  # no figure: footnote

    @property
    def bars(self) -> list[RankRow]:
        return [r for r in self.drawn if isinstance(r, RankRow)]

    @property
    def summary(self) -> SummaryRow | None:
        return next((r for r in self.drawn if isinstance(r, SummaryRow)), None)


def ranking_layout(spec: RankingChart) -> RankingLayout:
    with_rate = [r for r in spec.rows if r.rate is not None]
    missing = sorted((r for r in spec.rows if r.rate is None), key=lambda r: fold(r.unit_name))
    ordered = sorted(with_rate, key=lambda r: (r.rate, fold(r.unit_name)))
    limit, keep_low, keep_high = (
        (DOC_LIMIT, DOC_KEEP_EACH_END, DOC_KEEP_EACH_END)
        if spec.full_list
        else (PHONE_LIMIT, KEEP_LOW, KEEP_HIGH)
    )
    if len(ordered) <= limit:
        return RankingLayout(drawn=list(ordered), missing=missing)
    low, mid, high = ordered[:keep_low], ordered[keep_low:-keep_high], ordered[-keep_high:]
    summary = SummaryRow(count=len(mid), low=mid[0].rate or 0.0, high=mid[-1].rate or 0.0)
    return RankingLayout(drawn=[*low, summary, *high], missing=missing)


def has_data(spec: RankingChart) -> bool:
    return any(r.rate is not None for r in spec.rows)


def ranking_title(spec: RankingChart) -> str:
    if spec.title:
        return spec.title
    return f"{spec.indicator_name} — {spec.scope_name} — {style.fmt_date(spec.as_of)}"


def _notes(spec: RankingChart, layout: RankingLayout) -> str:
    w = style.words(spec.lang)
    parts = []
    if any(r.stale for r in layout.bars):
        parts.append(w["stale"])
    if layout.missing:
        names = ", ".join(r.unit_name for r in layout.missing)
        parts.append(f"{w['no_data']} ({len(layout.missing)}): {names}.")
    return style.note_lines(*parts)


def _draw_bars(
    ax: Axes, spec: RankingChart, rows: list[tuple[int, RankRow]], fmt: Callable[[float], str]
) -> set[str]:
    """All bars in one barh call (one call per bar costs ~1 ms each), then the value labels."""
    rates = [row.rate or 0.0 for _, row in rows]
    colours = [style.bar_colour(r, spec.province_rate, spec.target_rate) for r in rates]
    container = ax.barh(
        [y for y, _ in rows],
        rates,
        height=0.66,
        color=colours,
        edgecolor=["white" if row.stale else c for (_, row), c in zip(rows, colours, strict=True)],
        linewidth=0,
        hatch=[style.STALE_HATCH if row.stale else None for _, row in rows],
    )
    for bar, (y, row) in zip(container.patches, rows, strict=True):
        bar.set_gid(f"bar:{row.unit_name}")
        ax.annotate(
            fmt(bar.get_width()),
            xy=(bar.get_width(), y),
            xytext=(3, 0),
            textcoords="offset points",
            ha="left",
            va="center",
            gid=f"value:{row.unit_name}",
            bbox=style.LABEL_BOX,
            in_layout=False,  # inside the axes by construction (x limit has room): skip in layout
            **style.text_kw(style.VALUE_SIZE),
        )
    return set(colours)


@style.guarded
def build_ranking_figure(spec: RankingChart) -> Figure:
    """The ranking as a Figure (caller renders or inspects it, then style.release())."""
    layout = ranking_layout(spec)
    if not layout.bars:
        raise style.NoData(spec)
    w = style.words(spec.lang)
    fmt = style.rate_formatter(spec.lang, spec.fmt_rate)
    note = _notes(spec, layout)
    n = len(layout.drawn)
    height = HEAD_IN + AXIS_IN + n * ROW_IN + (note.count("\n") + 1) * NOTE_LINE_IN * bool(note)
    max_height = style.MAX_DOC_HEIGHT_IN if spec.full_list else style.MAX_HEIGHT_IN
    fig = style.new_figure(max(height, 2.4), max_height)
    legend_ax, ax = style.legend_and_body(fig, n * ROW_IN)
    style.quiet_axes(ax, grid_axis="x")

    values = [r.rate for r in layout.bars if r.rate is not None]
    refs = [v for v in (spec.province_rate, spec.target_rate) if v is not None]
    top = max([*values, *refs, 0.01])
    ax.set_xlim(0, top * 1.16)  # room for the value labels at the bar ends
    ax.xaxis.set_major_formatter(style.pct_axis_formatter(spec.lang))
    if n > 25:  # tall chart: repeat the scale on top
        ax.tick_params(axis="x", labeltop=True)

    ys = list(range(n))
    labels: list[str] = []
    trans = blended_transform_factory(ax.transAxes, ax.transData)
    bar_rows: list[tuple[int, RankRow]] = []
    for y, row in zip(ys, layout.drawn, strict=True):
        if isinstance(row, SummaryRow):
            labels.append("")
            text = w["others"].format(n=row.count, lo=fmt(row.low), hi=fmt(row.high))
            ax.text(
                0.5,
                y,
                text,
                transform=trans,
                ha="center",
                va="center",
                fontstyle="italic",
                gid="summary",
                bbox=style.LABEL_BOX,
                in_layout=False,
                **style.text_kw(style.LABEL_SIZE, color=style.MUTED),
            )
            continue
        assert row.rate is not None
        bar_rows.append((y, row))
        labels.append(f"{row.unit_name} *" if row.stale else row.unit_name)
    used = _draw_bars(ax, spec, bar_rows, fmt)
    ax.set_yticks(ys, labels)
    ax.set_ylim(n - 0.5, -0.5)  # first drawn row (lowest rate) at the top

    handles: list = []
    if spec.province_rate is not None:
        label = f"{w['province']} {fmt(spec.province_rate)}"
        ax.axvline(
            spec.province_rate, color=style.PROVINCE, linewidth=1.4, label=label, gid="province"
        )
        handles.append(Line2D([], [], color=style.PROVINCE, linewidth=1.4, label=label))
    if spec.target_rate is not None:
        label = f"{w['target']} {style.target_text(spec.target_rate, spec.lang, spec.fmt_rate)}"
        ax.axvline(
            spec.target_rate,
            color=style.TARGET,
            linewidth=1.4,
            linestyle=(0, (4, 2)),
            label=label,
            gid="target",
        )
        handles.append(
            Line2D([], [], color=style.TARGET, linewidth=1.4, linestyle=(0, (4, 2)), label=label)
        )
    if style.WARN in used:
        handles.append(Patch(color=style.WARN, label=w["below_province"]))
    if style.GOOD in used:
        handles.append(Patch(color=style.GOOD, label=w["reached"]))

    style.set_title(fig, ranking_title(spec))
    style.put_legend(legend_ax, handles)
    style.set_note(fig, note)
    return fig


def render_ranking(spec: RankingChart) -> bytes:
    return style.figure_to_png(build_ranking_figure(spec))
