"""Plan tasks on a time line: grouped by lead unit, one row per task at its due date,
overdue in the warning colour, a vertical "Hôm nay" line; recurring tasks (no due date)
are listed in the note under the chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from matplotlib import dates as mdates
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from charts import style
from domain.chartspec import TaskRow, TaskTimelineChart
from domain.text import fold

ROW_IN = 0.36
LABEL_WRAP = 26
LABEL_MAX = 60  # longer labels are shortened with "…"


@dataclass(frozen=True)
class GroupHeader:
    lead_name: str


def has_data(spec: TaskTimelineChart) -> bool:
    """A chart needs at least one dated task; recurring-only lists read better as words."""
    return any(t.due_date is not None for t in spec.tasks)


def task_rows(spec: TaskTimelineChart) -> list[GroupHeader | TaskRow]:
    """Top to bottom: each lead unit (by its earliest due date), then its tasks by due date."""
    groups: dict[str, list[TaskRow]] = {}
    for task in spec.tasks:
        if task.due_date is not None:
            groups.setdefault(task.lead_name, []).append(task)
    out: list[GroupHeader | TaskRow] = []
    for lead, tasks in sorted(
        groups.items(), key=lambda kv: (min(t.due_date for t in kv[1]), fold(kv[0]))
    ):
        out.append(GroupHeader(lead))
        out += sorted(tasks, key=lambda t: (t.due_date, fold(t.label)))
    return out


def tasks_title(spec: TaskTimelineChart) -> str:
    if spec.title:
        return spec.title
    w = style.words(spec.lang)
    parts = [w["tasks"], *([spec.scope_name] if spec.scope_name else [])]
    return " — ".join([*parts, style.fmt_date(spec.as_of)])


def _short(label: str) -> str:
    label = " ".join(label.split())
    if len(label) > LABEL_MAX:
        label = label[: LABEL_MAX - 1].rstrip() + "…"
    return style.wrap(label, LABEL_WRAP)


def _status(task: TaskRow) -> tuple[str, str]:
    """(face colour, edge colour) of a task's marker."""
    if task.done:
        return style.GOOD, style.GOOD
    if task.overdue:
        return style.WARN, style.WARN
    return "white", style.BAR


def build_tasks_figure(spec: TaskTimelineChart) -> Figure:
    if not has_data(spec):
        raise style.NoData(spec)
    w = style.words(spec.lang)
    rows = task_rows(spec)
    recurring = [t for t in spec.tasks if t.due_date is None]
    note = ""
    if recurring:
        items = "; ".join(f"{t.label} ({t.lead_name})" for t in recurring)
        note = style.note_lines(f"{w['recurring']}: {items}.")
    n = len(rows)
    extra = (note.count("\n") + 1) * 0.15 if note else 0.0
    fig = style.new_figure(1.9 + n * ROW_IN + extra)
    legend_ax, ax = style.legend_and_body(fig, n * ROW_IN)
    style.quiet_axes(ax, grid_axis="x")

    dates = [t.due_date for t in rows if isinstance(t, TaskRow) and t.due_date] + [spec.as_of]
    first, last = min(dates), max(dates)
    span = max((last - first).days, 14)
    ax.set_xlim(first - timedelta(days=span * 0.06), last + timedelta(days=span * 0.18))

    labels: list[str] = []
    for y, row in enumerate(rows):
        if isinstance(row, GroupHeader):
            labels.append(row.lead_name)
            ax.axhline(y + 0.5, color=style.GRID, linewidth=0.8)
            continue
        labels.append(_short(row.label))
        face, edge = _status(row)
        ax.plot(
            row.due_date,
            y,
            marker="o",
            markersize=7,
            markerfacecolor=face,
            markeredgecolor=edge,
            markeredgewidth=1.6,
            zorder=4,
            gid=f"task:{row.label}",
        )
        if not row.done and row.due_date is not None:  # a thin bar from today to the due date
            ax.plot(
                [spec.as_of, row.due_date],
                [y, y],
                color=edge,
                linewidth=1.0,
                alpha=0.6,
                zorder=3,
            )
        ax.annotate(
            row.due_date.strftime("%d/%m") if row.due_date else "",
            xy=(row.due_date, y),
            xytext=(7, 0),
            textcoords="offset points",
            va="center",
            gid=f"due:{row.label}",
            **style.text_kw(style.VALUE_SIZE, "bold" if row.overdue else "normal", edge),
        )

    ax.set_yticks(range(n), labels)
    for label, row in zip(ax.get_yticklabels(), rows, strict=True):
        if isinstance(row, GroupHeader):
            label.set_fontweight("bold")
    ax.set_ylim(n - 0.5, -0.7)

    ax.axvline(spec.as_of, color=style.TODAY, linewidth=1.3, gid="today", zorder=2)
    ax.annotate(
        w["today"],
        xy=(spec.as_of, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(3, -2),
        textcoords="offset points",
        ha="left",
        va="top",
        gid="today_label",
        **style.text_kw(style.VALUE_SIZE, "bold", style.TODAY),
    )
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=6))
    pattern = "%m/%Y" if span > 120 else "%d/%m"
    ax.xaxis.set_major_formatter(
        FuncFormatter(lambda x, _pos: mdates.num2date(x).strftime(pattern))
    )

    def marker(face: str, edge: str, label: str) -> Line2D:
        return Line2D(
            [],
            [],
            linestyle="none",
            marker="o",
            markersize=7,
            markerfacecolor=face,
            markeredgecolor=edge,
            markeredgewidth=1.6,
            label=label,
        )

    handles = [
        marker(style.GOOD, style.GOOD, w["done"]),
        marker(style.WARN, style.WARN, w["overdue"]),
        marker("white", style.BAR, w["open"]),
        Line2D([], [], color=style.TODAY, linewidth=1.3, label=w["today"]),
    ]
    style.set_title(fig, tasks_title(spec))
    style.put_legend(legend_ax, handles)
    style.set_note(fig, note)
    return fig


def render_tasks(spec: TaskTimelineChart) -> bytes:
    return style.figure_to_png(build_tasks_figure(spec))
