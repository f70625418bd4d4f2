"""Files out: `/xuat ASXH` → an .xlsx of one indicator; `/baocao [tháng 4]` → a .docx draft.

The numbers come from the questions capability's facts (pooled rates, ranks, change since the
start of the year: services.answers.indicator_facts over domain.stats), so a report and an
answer never disagree. Workbooks and documents are built in an executor thread; the report's
charts are drawn by the chart worker (`env.chart_worker`: another process in the bot).
"""

from __future__ import annotations

import asyncio
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from domain.catalogue import Indicator
from domain.chartspec import NoData, RankingChart, RankRow
from domain.numbers import format_change_points, format_date, format_int, format_rate
from domain.numbers import format_ratio_count as _ratio_count
from domain.periods import parse_period
from domain.stats import UnitFigure, below
from services.access import EXPORT, Actor, aware, require
from services.answers import IndicatorFacts, UnitLine, indicator_facts
from services.context import Env
from store.stats import history
from texts import t

MAIN_CHARTS = 3  # ranking charts in the report: the commune indicators with most figures
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class FileResult:
    """status: ok | denied | usage | empty. `content` is the file when ok."""

    status: str
    filename: str = ""
    content: bytes = b""
    caption: str = ""
    reason: str = ""  # the Denied text key
    choices: tuple[tuple[str, str], ...] = ()


# --- /xuat ---------------------------------------------------------------------------------


def find_indicator(env: Env, text: str) -> str | None:
    """The indicator a command or question names ('ASXH', 'sổ sức khỏe'), typos tolerated."""
    found = env.indicators.find_all(text) or env.indicators.fuzzy_find(text)
    return found[0].key if found else None


async def export_xlsx(env: Env, actor: Actor, text: str) -> FileResult:
    """One row per assigned unit with its latest figure, rate, target, gap, rank and day; a
    second sheet with the history. Officers get their own units only."""
    code = find_indicator(env, text)
    if code is None:
        examples = ", ".join(i.code for i in env.catalogue.indicators[:6])
        return FileResult("usage", caption=t("sh_export_usage", actor.lang, examples=examples))
    denied = require(actor, EXPORT, None if actor.is_leader else _first_unit(actor))
    if denied:
        return FileResult("denied", reason=denied.text_key)
    today = env.clock.today()
    facts = (await indicator_facts(env, [code], today))[0]
    units = None if actor.is_leader else set(actor.unit_codes)
    lines = [x for x in facts.lines if units is None or x.code in units]
    ind = env.catalogue.indicator(code)
    if not lines:
        return FileResult("empty", caption=t("sh_export_empty", actor.lang, indicator=ind.short))
    past = await _history(env, code, today, units)
    content = await asyncio.get_running_loop().run_in_executor(
        None, build_xlsx, env, ind, facts, lines, past, units is None
    )
    as_of = max(x.as_of for x in lines if x.as_of) if lines else today
    return FileResult(
        "ok",
        filename=f"{code}_{as_of:%d-%m-%Y}.xlsx",
        content=content,
        caption=t("sh_export_caption", actor.lang, indicator=ind.short,
                  as_of=format_date(as_of, actor.lang)),
    )  # fmt: skip


def _first_unit(actor: Actor) -> str | None:
    return actor.unit_codes[0] if actor.unit_codes else None


@dataclass(frozen=True)
class HistoryLine:
    unit: str
    as_of: date
    numerator: int | None
    denominator: int | None
    source: str
    created: Any


async def _history(env: Env, code: str, until: date, units: set[str] | None) -> list[HistoryLine]:
    ids = env.ids
    unit_ids = None if units is None else [ids.unit_id[u] for u in units if u in ids.unit_id]
    async with env.db.read() as conn:
        rows = await history(conn, [ids.indicator_id[code]], until, unit_ids)
    return [
        HistoryLine(
            ids.unit_code.get(r.unit_id, "?"),
            r.as_of,
            r.numerator,
            r.denominator,
            r.source,
            r.created_at,
        )
        for r in rows
    ]


def _gap(line: UnitLine, target: float | None) -> int | None:
    """How many more are needed to reach the target (0 once reached)."""
    if target is None or line.numerator is None or not line.denominator:
        return None
    return max(0, math.ceil(target * line.denominator - 1e-9) - line.numerator)


def build_xlsx(
    env: Env,
    ind: Indicator,
    facts: IndicatorFacts,
    lines: Sequence[UnitLine],
    past: Sequence[HistoryLine],
    with_total: bool,
) -> bytes:
    """The workbook: a frozen, bold header row, #,##0 and 0.0% formats, dates as dates."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = t("sh_sheet_data", "vi", code=ind.code)[:31]
    keys = ("stt", "unit", "num", "den", "rate", "target", "gap", "rank", "as_of", "code")
    ws.append([t(f"sh_col_{k}", "vi") for k in keys])
    target = facts.target.rate if facts.target else None
    ordered = sorted(lines, key=lambda x: (x.rank or 10**6, x.name))
    for n, line in enumerate(ordered, start=1):
        unit = env.catalogue.unit(line.code)
        ws.append([n, unit.full_name, line.numerator, line.denominator,
                   float(line.rate) if line.rate is not None else None, target,
                   _gap(line, target), line.rank, line.as_of, line.code])  # fmt: skip
    if with_total and facts.pooled.denominator:
        p = facts.pooled
        ws.append([None, t("sh_total_row", "vi"), p.numerator, p.denominator,
                   float(p.rate) if p.rate is not None else None, target])  # fmt: skip
    _format(ws, counts="CDG", rates="EF", dates="I", widths=(6, 28, 14, 14, 10, 10, 14, 10, 14, 18))
    hs = book.create_sheet(t("sh_sheet_history", "vi", code=ind.code)[:31])
    hkeys = ("unit", "as_of", "num", "den", "rate", "source", "created")
    hs.append([t(f"sh_col_{k}", "vi") for k in hkeys])
    for h in past:
        known = env.catalogue.find_unit(h.unit)
        rate = h.numerator / h.denominator if h.numerator is not None and h.denominator else None
        # Excel has no time zones: write the province's local time (PostgreSQL returns UTC).
        created = aware(h.created, env).replace(tzinfo=None) if h.created is not None else None
        hs.append([known.full_name if known else h.unit, h.as_of, h.numerator, h.denominator,
                   rate, h.source, created])  # fmt: skip
    _format(hs, counts="CD", rates="E", dates="B", widths=(28, 14, 14, 14, 10, 10, 20))
    for sheet in (ws, hs):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _format(ws: Any, *, counts: str, rates: str, dates: str, widths: Sequence[int]) -> None:
    ws.freeze_panes = "A2"
    for col in counts:
        for cell in ws[col][1:]:
            cell.number_format = "#,##0"
    for col in rates:
        for cell in ws[col][1:]:
            cell.number_format = "0.0%"
    for col in dates:
        for cell in ws[col][1:]:
            cell.number_format = "dd/mm/yyyy"
    for i, width in enumerate(widths):
        ws.column_dimensions[chr(ord("A") + i)].width = width


# --- /baocao ---------------------------------------------------------------------------------


@dataclass
class _Notes:
    """Footnotes of a section: superscript numbers in the text, the list under the section."""

    start: int
    items: list[str] = field(default_factory=list)

    def add(self, names: Sequence[str]) -> int:
        self.items.append(", ".join(names) + ".")
        return self.start + len(self.items) - 1


@dataclass(frozen=True)
class Paragraph:
    """Text with **bold** runs and ^n^ superscript footnote marks."""

    text: str
    bullet: str = "- "


@dataclass(frozen=True)
class ReportDraft:
    """The report as plain data: built by the service, laid out by build_docx."""

    province: str
    label: str
    today: date
    results: list[Paragraph]
    results_notes: list[str]
    charts: list[tuple[str, bytes]]
    issues: list[Paragraph]
    issues_notes: list[str]
    notes_start_issues: int


def _bold(value: str) -> str:
    return f"**{value}**"


def _mark(n: int) -> str:
    return f"^{n}^"


def _names(env: Env, figures: Sequence[UnitFigure]) -> list[str]:
    return [env.catalogue.unit(f.unit).name for f in figures]


def _figures(facts: IndicatorFacts) -> list[UnitFigure]:
    """The facts' own figures (built once with the lines); rebuilt only if they were dropped."""
    if len(facts.figures) == len(facts.lines):
        return list(facts.figures)
    return [
        UnitFigure(x.code, x.numerator, x.denominator, x.as_of or date.min) for x in facts.lines
    ]


def _baseline_change(ind: Indicator, facts: IndicatorFacts) -> Fraction | None:
    """Stored figures at 1 January first; the catalogue's derived baseline otherwise."""
    if facts.change is not None:
        return facts.change
    if ind.baseline_rate is None or facts.rate is None:
        return None
    return facts.rate - Fraction(str(ind.baseline_rate))


def result_sentence(env: Env, facts: IndicatorFacts, notes: _Notes, day: date) -> str:
    """'Toàn tỉnh đã có X/Y …, đạt tỷ lệ Z%, tăng W% so với đầu năm 2026. Trong đó, có
    N/78 địa phương¹ đạt tỷ lệ 100%; … thấp hơn mức trung bình toàn tỉnh.'"""
    ind = env.catalogue.indicator(facts.code)
    p = facts.pooled
    assert p.rate is not None
    text = f"{ind.short}"
    if ind.target:
        text += t("sh_doc_target", "vi", year=ind.target.due.year,
                  rate=format_rate(ind.target.rate, "vi"))  # fmt: skip
    text += ": " + t("sh_doc_sentence", "vi", count=_bold(f"{format_int(p.numerator)}/"
                     f"{format_int(p.denominator)}"), noun=facts.report_vi,
                     rate=_bold(format_rate(p.rate)))  # fmt: skip
    delta = _baseline_change(ind, facts)
    if delta is not None:
        change = format_change_points(delta)
        words = change.split(" ", 1)
        change = f"{words[0]} {_bold(words[1])}" if len(words) == 2 else change
        text += t("sh_doc_change", "vi", change=change, year=day.year)
    text += "."
    if facts.province_level or not facts.lines:
        return text
    figures = _figures(facts)
    full = [f for f in figures if f.numerator is not None and f.denominator
            and f.numerator >= f.denominator]  # fmt: skip
    if full:
        ref = _mark(notes.add(_names(env, full)))
        count = _bold(_ratio_count(len(full), facts.assigned))
        text += " " + t("sh_doc_full", "vi", count=count, ref=ref)
    else:
        text += " " + t("sh_doc_full_none", "vi")
    lows = below(figures, p.rate)  # below the pooled rate already in the facts
    if lows:
        ref = _mark(notes.add(_names(env, lows)))
        text += t("sh_doc_below", "vi", count=_bold(_ratio_count(len(lows), facts.assigned)),
                  ref=ref)  # fmt: skip
    return text + "."


def off_track_sentence(env: Env, facts: IndicatorFacts, notes: _Notes, day: date) -> str | None:
    """An indicator below its target: the pooled rate, the target, who has not met it."""
    ind = env.catalogue.indicator(facts.code)
    target = ind.milestone_due_by(day) or ind.target
    p = facts.pooled
    if target is None or p.rate is None or p.rate >= Fraction(str(target.rate)):
        return None
    as_of = facts.newest or day  # the day of the newest figure, not the day of writing
    text = t("sh_doc_off_track", "vi", short=ind.short, as_of=format_date(as_of),
             rate=_bold(format_rate(p.rate)), count=_bold(f"{format_int(p.numerator)}/"
             f"{format_int(p.denominator)}"), target=_bold(format_rate(target.rate)))  # fmt: skip
    if target.due <= day:
        text += t("sh_doc_off_track_due", "vi", due=format_date(target.due))
    if not facts.province_level:
        lows = below(_figures(facts), Fraction(str(target.rate)))
        if lows:
            ref = _mark(notes.add(_names(env, lows)))
            text += t("sh_doc_not_meeting", "vi",
                      count=_bold(_ratio_count(len(lows), facts.assigned)), ref=ref)  # fmt: skip
    return text + "."


async def _overdue(env: Env, day: date) -> list[Paragraph]:
    from services import tasks as task_service

    listing = await task_service.list_tasks(env, status="overdue", today=day)
    items = list(getattr(listing, "items", []) or [])
    if not items:
        return []
    out = [Paragraph(t("sh_doc_overdue_head", "vi", count=_bold(f"{len(items):02d}")))]
    for v in items:
        due = format_date(v.due_date) if getattr(v, "due_date", None) else ""
        out.append(Paragraph(t("sh_doc_overdue_line", "vi", label=getattr(v, "label", ""),
                               title=v.title, lead=getattr(v, "lead_name", ""), due=due,
                               days=getattr(v, "days", "") or ""), bullet="+ "))  # fmt: skip
    return out


def _chart(env: Env, facts: IndicatorFacts, day: date) -> RankingChart:
    rows = [
        RankRow(
            env.catalogue.unit(x.code).name,
            float(x.rate) if x.rate is not None else None,
            x.numerator,
            x.denominator,
            x.stale,
        )
        for x in facts.lines
    ]
    return RankingChart(
        indicator_name=facts.short,
        scope_name=f"{facts.assigned} địa phương",
        as_of=day,
        rows=rows,
        province_rate=float(facts.rate) if facts.rate is not None else None,
        target_rate=facts.target.rate if facts.target else None,
    )


async def report_docx(env: Env, actor: Actor, text: str = "") -> FileResult:
    """The draft report for a month or quarter ('/baocao tháng 4'), or up to today."""
    denied = require(actor, EXPORT)
    if denied:
        return FileResult("denied", reason=denied.text_key)
    draft = await build_draft(env, text)
    if draft is None:
        return FileResult("empty", caption=t("sh_report_empty", actor.lang))
    content = await asyncio.get_running_loop().run_in_executor(None, build_docx, draft)
    slug = draft.label.replace("/", "-").replace(" ", "_")
    return FileResult("ok", filename=f"BaoCao_DA06_{slug}.docx", content=content,
                      caption=t("sh_report_caption", actor.lang, label=draft.label))  # fmt: skip


async def build_draft(env: Env, text: str = "") -> ReportDraft | None:
    today = env.clock.today()
    period = parse_period(text, today) if text.strip() else None
    day = min(period.end, today) if period else today
    label = period.label if period else t("sh_doc_until", "vi", date=format_date(day))
    codes = [i.code for i in env.catalogue.indicators if i.kind == "ratio"]
    facts = [
        f
        for f in await indicator_facts(env, codes, day, date(day.year, 1, 1))
        if f.pooled.denominator
    ]
    if not facts:
        return None
    drawing = _draw_charts(env, facts, day)  # by the chart worker, while the sentences are written
    notes = _Notes(1)
    results = [Paragraph(result_sentence(env, f, notes, day)) for f in facts]
    issue_notes = _Notes(notes.start + len(notes.items))
    issues = [Paragraph(s) for f in facts if (s := off_track_sentence(env, f, issue_notes, day))]
    issues += await _overdue(env, day)
    # The drawings run in tasks of their own, which hold no update slot: this task lends its
    # own while it waits on the worker process.
    async with env.chart_worker.waiting():
        drawn = await drawing
    charts = [(title, png) for title, png in drawn if png is not None]
    return ReportDraft(env.catalogue.name, label, today, results, notes.items, charts, issues,
                       issue_notes.items, issue_notes.start)  # fmt: skip


def _draw_charts(
    env: Env, facts: Sequence[IndicatorFacts], day: date
) -> asyncio.Future[list[tuple[str, bytes | None]]]:
    """The main ranking charts (title, PNG), being drawn by the chart worker from now. An
    indicator no unit has a rate for has nothing to draw and is not sent to the worker (None
    should one come back empty all the same: the report leaves it out)."""
    commune = [f for f in facts if not f.province_level and f.rated]
    main = sorted(commune, key=lambda f: -len(f.lines))[:MAIN_CHARTS]
    order = {x.code: i for i, x in enumerate(env.catalogue.indicators)}
    specs = [(f.short, _chart(env, f, day)) for f in sorted(main, key=lambda f: order[f.code])]
    return asyncio.gather(*(_draw_one(env, title, spec) for title, spec in specs))


async def _draw_one(env: Env, title: str, spec: RankingChart) -> tuple[str, bytes | None]:
    try:
        return title, await env.chart_worker.render(spec)
    except NoData:
        return title, None


def codes_order(env: Env, code: str) -> int:
    return next(i for i, x in enumerate(env.catalogue.indicators) if x.code == code)


def build_docx(draft: ReportDraft) -> bytes:
    """The .docx laid out like the provincial report: ready to edit in Word."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Inches, Pt

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(13)
    doc.add_paragraph(t("sh_doc_number", "vi"))
    d = draft.today
    dated = doc.add_paragraph()
    dated.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    dated.add_run(t("sh_doc_date", "vi", place=draft.province, day=f"{d.day:02d}",
                    month=d.month, year=d.year)).italic = True  # fmt: skip
    for key, size in (("sh_doc_title", 14), ("sh_doc_subtitle", 13)):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(t(key, "vi", province=draft.province, label=draft.label))
        run.bold, run.font.size = True, Pt(size)
    doc.add_paragraph(t("sh_doc_intro", "vi", province=draft.province, label=draft.label))
    doc.add_heading(t("sh_doc_section_results", "vi"), level=2)
    for para in draft.results:
        _rich(doc.add_paragraph(), para.bullet + para.text)
    for title, png in draft.charts:
        doc.add_picture(io.BytesIO(png), width=Inches(6.3))
        cap = doc.add_paragraph(t("sh_doc_chart", "vi", indicator=title))
        cap.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _notes(doc, draft.results_notes, 1)
    doc.add_heading(t("sh_doc_section_issues", "vi"), level=2)
    for para in draft.issues or [Paragraph(t("sh_doc_no_issues", "vi"))]:
        _rich(doc.add_paragraph(), para.bullet + para.text)
    _notes(doc, draft.issues_notes, draft.notes_start_issues)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _notes(doc: Any, items: Sequence[str], start: int) -> None:
    if not items:
        return
    doc.add_paragraph().add_run(t("sh_doc_notes", "vi")).italic = True
    for n, item in enumerate(items, start=start):
        _rich(doc.add_paragraph(), f"^{n}^ {item}")


_MARKS = re.compile(r"(\*\*[^*]+\*\*|\^\d+\^)")


def _rich(paragraph: Any, text: str) -> None:
    """**bold** and ^superscript^ marks become runs."""
    for part in _MARKS.split(text):
        if not part:
            continue
        if part.startswith("**"):
            _run(paragraph, part[2:-2]).bold = True
        elif part.startswith("^"):
            _run(paragraph, part[1:-1]).font.superscript = True
        else:
            _run(paragraph, part)


def _run(paragraph: Any, text: str) -> Any:
    """paragraph.add_run(text), the same XML: python-docx appends a run's text one character at
    a time (to turn tabs and line breaks into their elements), ~0.2 s for the footnotes' ~1M
    characters of commune names at national scale. Without those characters the text is one
    <w:t>, which the run's element adds at once."""
    if not text or "\t" in text or "\n" in text or "\r" in text:
        return paragraph.add_run(text)
    run = paragraph.add_run()
    run._r.add_t(text)
    return run
