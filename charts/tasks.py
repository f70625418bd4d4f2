"""Plan tasks on a time line: grouped by lead unit, one row per task at its due date,
overdue in the warning colour, a vertical "Hôm nay" line; recurring tasks (no due date)
are listed in the note under the chart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from matplotlib import dates as mdates
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from charts import style
from domain.chartspec import TaskRow, TaskTimelineChart
from domain.text import fold

ROW_IN = 0.36
LABEL_WRAP = 30
LABEL_MAX = 58  # longer labels are shortened with "…"


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

    def order(task: TaskRow) -> tuple[date, str]:
        return (task.due_date or date.max, fold(task.label))

    for lead, group in sorted(groups.items(), key=lambda kv: (min(map(order, kv[1])), fold(kv[0]))):
        out.append(GroupHeader(lead))
        ordered: list[TaskRow] = sorted(group, key=order)
        out.extend(ordered)
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


@style.guarded
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
    today = style.day(spec.as_of)
    first, last = min(dates), max(dates)
    span = max((last - first).days, 14)
    left = 0.16 if first < spec.as_of else 0.06  # room for dates written left of the marker
    ax.set_xlim(style.day(first) - span * left, style.day(last) + span * 0.18)

    labels: list[str] = []
    for y, row in enumerate(rows):
        if isinstance(row, GroupHeader):
            labels.append(row.lead_name)
            if y:
                ax.axhline(y - 0.5, color=style.GRID, linewidth=0.8)
            continue
        labels.append(_short(row.label))
        face, edge = _status(row)
        assert row.due_date is not None
        due = style.day(row.due_date)
        ax.plot(
            due,
            y,
            marker="o",
            markersize=7,
            markerfacecolor=face,
            markeredgecolor=edge,
            markeredgewidth=1.6,
            zorder=4,
            gid=f"task:{row.label}",
        )
        if not row.done:  # a thin bar from today to the due date
            ax.plot(
                [today, due],
                [y, y],
                color=edge,
                linewidth=1.0,
                alpha=0.6,
                zorder=3,
            )
        past = row.due_date < spec.as_of
        ax.annotate(  # the date beside the marker, away from today's line
            row.due_date.strftime("%d/%m"),
            xy=(due, y),
            xytext=(-7 if past else 7, 0),
            textcoords="offset points",
            ha="right" if past else "left",
            va="center",
            gid=f"due:{row.label}",
            **style.text_kw(style.VALUE_SIZE, "bold" if row.overdue else "normal", edge),
        )

    ax.set_yticks(range(n), labels)
    for label, row in zip(ax.get_yticklabels(), rows, strict=True):
        if isinstance(row, GroupHeader):
            label.set_fontweight("bold")
    ax.set_ylim(n - 0.5, -0.7)

    ax.axvline(today, color=style.TODAY, linewidth=1.3, gid="today", zorder=2)
    ax.annotate(
        w["today"],
        xy=(today, 1.0),
        xycoords=("data", "axes fraction"),
        xytext=(3, -2),
        textcoords="offset points",
        ha="left",
        va="top",
        gid="today_label",
        **style.text_kw(style.VALUE_SIZE, "bold", style.TODAY),
    )
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(minticks=3, maxticks=6))
    ax.xaxis.set_major_formatter(style.date_axis_formatter(first, last))

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
