"""The shared quiet look of every chart, Vietnamese number formats, figure life cycle.

Thread safety: nothing here touches pyplot or mutates `matplotlib.rcParams` while drawing (not
even through `rc_context`, which swaps the *global* rcParams and so races between executor
threads). Fonts and sizes are passed to each artist explicitly; each figure gets its own Agg
canvas. The one rcParams setting, text hinting, is made once at import, before any drawing.
"""

from __future__ import annotations

import functools
import io
import math
import textwrap
import threading
import weakref
from collections.abc import Callable
from datetime import date
from typing import Literal, TypeVar

import matplotlib
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.ticker import FuncFormatter
from PIL import Image

from domain.chartspec import NoData  # noqa: F401  (re-exported: charts.style.NoData)

S = TypeVar("S")

# Glyph hinting snaps outlines to the pixel grid, which matters for small type on a screen; at
# ~229 DPI (7.5 pt is ~24 px) it changes nothing visible and costs 15% of a ranking's render time
# (FreeType's auto-hinter runs for every glyph drawn and measured).
matplotlib.rcParams["text.hinting"] = "no_hinting"

# ---------------------------------------------------------------- sizes

MAX_WIDTH_PX = 1280
FIG_WIDTH_IN = 5.6  # narrow figure → big type relative to a phone screen
DPI = MAX_WIDTH_PX / FIG_WIDTH_IN  # ≈ 228.6 → exactly 1280 px wide
MAX_HEIGHT_IN = 17.5  # the tallest photo figure (ratio ≈ 3.1 : 1)
MAX_DOC_HEIGHT_IN = 40.0  # the tallest document (every unit of a ranking)
MIN_HEIGHT_IN = 3.2
PHOTO_MAX_SIDE_PX = 2560  # Telegram shows photos scaled to this: no point rendering more
PNG_KW: dict[str, int] = {
    "compress_level": 1
}  # zlib level 1: 3× faster than 6, a little larger, still lossless

FONT_FAMILY = "DejaVu Sans"  # ships with matplotlib; has every Vietnamese glyph
TITLE_SIZE = 11.0
LABEL_SIZE = 8.5
VALUE_SIZE = 7.5
NOTE_SIZE = 7.5

TITLE_WRAP = 58  # characters per title line at TITLE_SIZE on FIG_WIDTH_IN
NOTE_WRAP = 88  # characters per footnote line at NOTE_SIZE

# ---------------------------------------------------------------- palette

INK = "#202124"  # text
MUTED = "#6B7075"  # secondary text, summary row
GRID = "#E3E5E8"
BAR = "#A9AEB4"  # neutral grey bar
WARN = "#D0652B"  # below the province rate / overdue / not done
GOOD = "#2E8B57"  # target reached / done
PROVINCE = "#1F4E79"  # the province rate line
TARGET = "#2E7D32"  # the target line (dashed)
TODAY = "#1F4E79"
SERIES = ("#7A8B99", "#B08968", "#8E7DBE", "#5E9C8F", "#C2798A", "#9A9A5E")
CHIP_TEXT = "#FFFFFF"
STALE_HATCH = "////"


def bar_colour(rate: float, province: float | None, target: float | None) -> str:
    """Colour rule for a unit's bar: target reached → GOOD; below province → WARN; else BAR."""
    if target is not None and rate >= target - 1e-12:
        return GOOD
    if province is not None and rate < province - 1e-12:
        return WARN
    return BAR


# ---------------------------------------------------------------- words

WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "province": "Toàn tỉnh",
        "target": "Chỉ tiêu",
        "deadline": "Hạn",
        "projection": "Dự báo theo tốc độ hiện nay",
        "milestone": "Mốc",
        "below_province": "Dưới mức toàn tỉnh",
        "reached": "Đạt chỉ tiêu",
        "others": "… {n} đơn vị khác, từ {lo} đến {hi}",
        "no_data": "Chưa có số liệu",
        "stale": "* số liệu chưa cập nhật kỳ này",
        "done": "Đã xong",
        "not_done": "Chưa",
        "today": "Hôm nay",
        "recurring": "Việc thường xuyên",
        "overdue": "Quá hạn",
        "open": "Đang làm",
        "tasks": "Tiến độ nhiệm vụ",
        "dashboard": "Các chỉ tiêu",
    },
    "en": {
        "province": "Province",
        "target": "Target",
        "deadline": "Deadline",
        "projection": "Projection at current pace",
        "milestone": "Milestone",
        "below_province": "Below province",
        "reached": "Target reached",
        "others": "… {n} other units, from {lo} to {hi}",
        "no_data": "No figures yet",
        "stale": "* figure not updated this cycle",
        "done": "Done",
        "not_done": "Not yet",
        "today": "Today",
        "recurring": "Recurring tasks",
        "overdue": "Overdue",
        "open": "Open",
        "tasks": "Task progress",
        "dashboard": "Indicators",
    },
}


def words(lang: str) -> dict[str, str]:
    return WORDS.get(lang, WORDS["vi"])


# ---------------------------------------------------------------- number formats


def _seps(lang: str) -> tuple[str, str]:
    """(decimal, thousands) separators."""
    return (".", ",") if lang == "en" else (",", ".")


def fmt_int(value: float, lang: str = "vi") -> str:
    """12345 → '12.345' (vi) / '12,345' (en)."""
    _, thousands = _seps(lang)
    return f"{round(value):,}".replace(",", thousands)


def fmt_pct(rate: float, lang: str = "vi", decimals: int = 1, trim: bool = False) -> str:
    """0.248 → '24,8%'. `trim` drops a trailing ',0' ('100%'). Never shows 100 for < 100."""
    pct = rate * 100.0
    text = f"{pct:,.{decimals}f}"
    if pct < 100.0 and float(text.replace(",", "")) >= 100.0:  # 99.96 must not read as 100
        text = f"{math.floor(pct * 10**decimals) / 10**decimals:,.{decimals}f}"
    if trim and decimals > 0:
        text = text.rstrip("0").rstrip(".")
    decimal, thousands = _seps(lang)
    text = text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)
    return f"{text}%"


def rate_formatter(lang: str, custom: Callable[[float], str] | None) -> Callable[[float], str]:
    if custom is not None:
        return custom
    return lambda r: fmt_pct(r, lang)


def target_text(rate: float, lang: str, custom: Callable[[float], str] | None) -> str:
    """Targets read better trimmed: 'Chỉ tiêu 100%', 'Chỉ tiêu 72,5%'."""
    return custom(rate) if custom is not None else fmt_pct(rate, lang, trim=True)


def fmt_date(d: date) -> str:
    """dd/mm/yyyy, the Vietnamese administrative form."""
    return d.strftime("%d/%m/%Y")


def day(d: date) -> float:
    """A date as a matplotlib x coordinate (explicit: no reliance on the units registry)."""
    return float(mdates.date2num(d))


def date_axis_formatter(first: date, last: date) -> FuncFormatter:
    """Ticks as 'mm/yyyy' over long spans, 'dd/mm' over short ones (never English months)."""
    pattern = "%m/%Y" if (last - first).days > 120 else "%d/%m"
    return FuncFormatter(lambda x, _pos: mdates.num2date(x).strftime(pattern))


def pct_axis_formatter(lang: str) -> FuncFormatter:
    return FuncFormatter(lambda x, _pos: fmt_pct(x, lang, decimals=0))


def wrap(text: str, width: int) -> str:
    """Wrap to lines of about equal length (no lone last word), each at most `width`."""
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    lines = math.ceil(len(text) / width)
    for w in range(math.ceil(len(text) / lines), width + 1):
        out = textwrap.wrap(text, w, break_on_hyphens=False, break_long_words=False)
        if len(out) <= lines:
            return "\n".join(out)
    return "\n".join(textwrap.wrap(text, width, break_on_hyphens=False, break_long_words=False))


def one_line(text: str) -> str:
    """Undo wrap() for tests and captions."""
    return " ".join(text.split())


# ---------------------------------------------------------------- fonts and axes


def font(size: float = LABEL_SIZE, weight: str = "normal") -> FontProperties:
    return FontProperties(family=FONT_FAMILY, size=size, weight=weight)


def text_kw(size: float = LABEL_SIZE, weight: str = "normal", color: str = INK) -> dict:
    """Keyword arguments for ax.text / fig.suptitle with the shared font."""
    return {"fontfamily": FONT_FAMILY, "fontsize": size, "fontweight": weight, "color": color}


def quiet_axes(ax: Axes, grid_axis: Literal["x", "y", "both"] | None = "x") -> None:
    """No frame, light grid behind, small grey ticks in DejaVu Sans."""
    for spine in ax.spines.values():
        spine.set_visible(False)
    ax.set_axisbelow(True)
    if grid_axis:
        ax.grid(axis=grid_axis, color=GRID, linewidth=0.8)
    ax.tick_params(
        axis="both",
        length=0,
        labelsize=LABEL_SIZE,
        labelcolor=INK,
        labelfontfamily=FONT_FAMILY,
        pad=3,
    )
    ax.set_facecolor("white")


def set_title(fig: Figure, title: str) -> None:
    fig.suptitle(wrap(title, TITLE_WRAP), x=0.02, ha="left", **text_kw(TITLE_SIZE, "bold"))


LEGEND_IN = 0.42  # two legend lines
LABEL_BOX = {"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.85}


def legend_and_body(fig: Figure, body_in: float, legend_in: float = LEGEND_IN) -> tuple[Axes, Axes]:
    """Two stacked axes: a thin one for the legend (under the title), the chart below.

    `body_in` is the chart axes' wanted height; the layout keeps the two in that ratio.
    """
    grid = fig.add_gridspec(2, 1, height_ratios=[legend_in, max(body_in, 0.5)])
    legend_ax = fig.add_subplot(grid[0])
    legend_ax.set_axis_off()
    legend_ax.set_gid("legend")
    return legend_ax, fig.add_subplot(grid[1])


def put_legend(legend_ax: Axes, handles: list, ncols: int = 2) -> None:
    if not handles:
        return
    legend_ax.legend(
        handles=handles,
        loc="center left",
        ncols=ncols,
        frameon=False,
        prop=font(LABEL_SIZE),
        handlelength=1.8,
        columnspacing=1.4,
        borderaxespad=0.0,
        borderpad=0.0,
    )


def set_note(fig: Figure, note: str) -> None:
    """Footnote under the chart, counted by the constrained layout (never cut off)."""
    if note:
        fig.supxlabel(note, x=0.02, ha="left", ma="left", **text_kw(NOTE_SIZE, color=MUTED))


def note_lines(*paragraphs: str) -> str:
    return "\n".join(wrap(p, NOTE_WRAP) for p in paragraphs if p)


# ---------------------------------------------------------------- figure life cycle

_lock = threading.Lock()
_live = 0  # figures created by new_figure() and not yet released
_tracked: weakref.WeakSet[Figure] = weakref.WeakSet()
_local = threading.local()  # per thread: figures made by the builder now running


def guarded(builder: Callable[[S], Figure]) -> Callable[[S], Figure]:
    """Decorate a build_*_figure: if it raises, release the figures it had made."""

    @functools.wraps(builder)
    def wrapper(spec: S) -> Figure:
        stack: list[list[Figure]] = _local.__dict__.setdefault("stack", [])
        stack.append([])
        try:
            return builder(spec)
        except BaseException:
            for fig in stack[-1]:
                release(fig)
            raise
        finally:
            stack.pop()

    return wrapper


def new_figure(height_in: float, max_height_in: float = MAX_HEIGHT_IN) -> Figure:
    """A private Figure on its own Agg canvas (no pyplot), constrained layout, clamped height."""
    global _live
    height = min(max(height_in, MIN_HEIGHT_IN), max_height_in)
    layout = ConstrainedLayoutEngine(w_pad=0.06, h_pad=0.06, hspace=0.02, wspace=0.02)
    fig = Figure(figsize=(FIG_WIDTH_IN, height), dpi=DPI, layout=layout, facecolor="white")
    FigureCanvasAgg(fig)
    with _lock:
        _live += 1
        _tracked.add(fig)
    stack = getattr(_local, "stack", None)
    if stack:
        stack[-1].append(fig)
    return fig


def release(fig: Figure) -> None:
    """Drop everything the figure holds; safe to call twice."""
    global _live
    if getattr(fig, "_dean06_released", False):
        return
    fig._dean06_released = True  # type: ignore[attr-defined]
    fig.clear()
    with _lock:
        _live -= 1


def live_figures() -> int:
    """How many figures are built and not released (for leak tests and /health)."""
    return _live


def tracked_figures() -> int:
    """Figures still referenced anywhere (after gc.collect(), should fall back to zero)."""
    return len(_tracked)


def photo_dpi(fig: Figure, max_side_px: int | None = PHOTO_MAX_SIDE_PX) -> float:
    """DPI (≤ 1280 px wide) so that the longest side stays within `max_side_px` (None: DPI)."""
    if max_side_px is None:
        return DPI
    return min(DPI, max_side_px / max(fig.get_figwidth(), fig.get_figheight()))


def figure_to_png(fig: Figure, max_side_px: int | None = PHOTO_MAX_SIDE_PX) -> bytes:
    """Render (≤ 1280 px wide, longest side ≤ `max_side_px`) and release the figure, even on
    error.

    One draw on the figure's own Agg canvas (the layout engine runs inside it; savefig would
    add a second, draw-only pass for the layout), then a 256-colour palette (the background is
    opaque white; the alpha channel is dead weight) at zlib level 1: no metadata chunks.
    """
    try:
        fig.set_dpi(photo_dpi(fig, max_side_px))
        fig.set_facecolor("white")
        canvas = fig.canvas
        assert isinstance(canvas, FigureCanvasAgg)
        canvas.draw()
        width, height = canvas.get_width_height(physical=True)
        rgba = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        # A chart is a few flat colours and their anti-aliased edges (~60 in a ranking): a
        # 256-colour palette keeps them all, and the PNG is a third the size and 10 ms faster.
        palette = rgba.convert("RGB").quantize(256, method=Image.Quantize.FASTOCTREE)
        buf = io.BytesIO()
        palette.save(buf, format="png", **PNG_KW)
        return buf.getvalue()
    finally:
        release(fig)
