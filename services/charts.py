"""Charts from the store: the four chart specs with a caption (key number, as-of date) each.

`ranking_chart`, `trend_chart`, `dashboard_chart`, `tasks_chart` return a `ChartResult` (spec,
HTML caption, file name) or a `NoChart` (the reason, in words). `chart_for_ref` draws what a
button or a chart question names. The pixels are `charts.render.render_png`'s job, run by the
chart worker (`env.chart_worker`, services/chart_worker.py: another process); nothing here
imports matplotlib.

Callback data (agreed with the questions capability, defined there as
`services.answers.ChartRef`): "qc|<k>|<indicator>|<unit>|<yyyymmdd>" for [📊 Biểu đồ] and
"qo|…" for [Tải bản gốc]; <k> is r(anking) t(rend) d(ashboard) k (tasks). Use
`chart_callback_data(ref, original=…)` / `parse_chart_callback(data)` rather than the format.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from domain.catalogue import Indicator, Unit
from domain.chartspec import (
    ChartSpec,
    DashboardChart,
    DashRow,
    Lang,
    RankingChart,
    RankRow,
    Series,
    TaskRow,
    TaskTimelineChart,
    TrendChart,
)
from domain.numbers import format_date, format_int, format_rate
from domain.periods import month_end
from domain.stats import UnitFigure, pooled_rate, project
from domain.text import strip_diacritics
from services.answers import ChartRef, IndicatorFacts, indicator_facts
from services.context import Env
from store.figures import FigureRow
from store.stats import history
from texts import t

CHART_PREFIX, ORIGINAL_PREFIX = "qc", "qo"
RECURRING_LABEL = 60  # recurring tasks are listed under the chart: keep each one short
MAX_TASK_ROWS = 40  # more dated tasks than this: the chart keeps the unfinished ones


@dataclass(frozen=True)
class ChartResult:
    """A chart to draw: the spec, an HTML caption (≤ 1024 after truncation), a file name."""

    spec: ChartSpec
    caption: str
    filename: str


@dataclass(frozen=True)
class NoChart:
    """Nothing to draw: `reason` says so in words (HTML, escaped)."""

    reason: str


ChartOutcome = ChartResult | NoChart


# --- callback data ------------------------------------------------------------------------------


def chart_callback_data(ref: ChartRef, *, original: bool = False) -> str:
    """Button data for a chart ("qc|r|ASXH||20260423"); ≤ 64 bytes (Telegram's limit)."""
    return ref.data(ORIGINAL_PREFIX if original else CHART_PREFIX)


def parse_chart_callback(data: str) -> tuple[ChartRef, bool] | None:
    """(ref, original?) from button data, or None when it is not a chart button."""
    prefix = data.split("|", 1)[0]
    if prefix not in (CHART_PREFIX, ORIGINAL_PREFIX):
        return None
    ref = ChartRef.parse(data)
    return None if ref is None else (ref, prefix == ORIGINAL_PREFIX)


# --- helpers ------------------------------------------------------------------------------------


def _lang(lang: str) -> Lang:
    return "en" if lang == "en" else "vi"


def _esc(value: object) -> str:
    return html.escape(str(value), quote=False)


def _rate(value: float | Fraction | None, lang: str) -> str:
    return "—" if value is None else format_rate(Fraction(value).limit_denominator(10**7), lang)


def _day(env: Env, day: date | None) -> date:
    today = env.clock.today()
    return today if day is None else min(day, today)


def filename_for(kind: str, name: str, day: date) -> str:
    """ASCII file name: 'xep-hang-asxh-2026-04-23.png' (no diacritics, no spaces)."""
    slug = re.sub(r"[^a-z0-9]+", "-", strip_diacritics(f"{kind} {name}").lower()).strip("-")
    return f"{slug[:60].strip('-') or 'chart'}-{day.isoformat()}.png"


def _indicator_label(ind: Indicator, lang: str) -> str:
    return (ind.en or ind.short) if lang == "en" else ind.short


def _short(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _capital(name: str) -> str:
    """'xã Vĩnh Thủy' → 'Xã Vĩnh Thủy' at the start of a title or caption."""
    return name[:1].upper() + name[1:]


def _no(key: str, lang: str, **kw: object) -> NoChart:
    return NoChart(t(key, lang, **kw))


# --- 1. ranking -----------------------------------------------------------------------------------


async def ranking_chart(
    env: Env, indicator: str, day: date | None = None, lang: str = "vi"
) -> ChartOutcome:
    """One indicator across its assigned units as of a day, with the pooled province rate and
    the target (the milestone due by that day, else the final target)."""
    ind = env.catalogue.find_indicator(indicator)
    if ind is None:
        return _no("ch_unknown_indicator", lang)
    when = _day(env, day)
    name = _esc(_indicator_label(ind, lang))
    if ind.kind == "yesno":
        return _no("ch_yesno", lang, indicator=name)
    [facts] = await indicator_facts(env, [ind.code], when)
    rows = [
        RankRow(x.name, None if x.rate is None else float(x.rate), x.numerator, x.denominator,
                x.stale)
        for x in facts.lines
    ]  # fmt: skip
    if not any(r.rate is not None for r in rows):
        return _no("ch_no_data", lang, indicator=name, date=format_date(when, lang))
    rows += [RankRow(missing, None) for missing in facts.missing]
    spec = RankingChart(
        indicator_name=_indicator_label(ind, lang),
        scope_name=t("ch_scope_units", lang, n=facts.assigned),
        as_of=when,
        rows=rows,
        province_rate=None if facts.rate is None else float(facts.rate),
        target_rate=facts.target.rate if facts.target else None,
        lang=_lang(lang),
    )
    caption = _ranking_caption(facts, name, when, lang)
    return ChartResult(spec, caption, filename_for("xep hang", ind.code, when))


def _ranking_caption(facts: IndicatorFacts, name: str, when: date, lang: str) -> str:
    rate = facts.rate
    below = sum(1 for x in facts.lines if rate is not None and x.rate is not None and x.rate < rate)
    rated = sum(1 for x in facts.lines if x.rate is not None)
    lines = [
        t("ch_ranking_head", lang, indicator=name, date=format_date(when, lang)),
        t("ch_province_rate", lang, rate=_rate(rate, lang),
          num=format_int(facts.pooled.numerator, lang),
          den=format_int(facts.pooled.denominator, lang)),
        t("ch_below", lang, count=below, of=rated),
    ]  # fmt: skip
    if facts.target is not None:
        lines.append(
            t("ch_target", lang, rate=_rate(facts.target.rate, lang),
              due=format_date(facts.target.due, lang))
        )  # fmt: skip
    if facts.missing:
        lines.append(t("ch_missing", lang, count=len(facts.missing)))
    if rated > 36:
        lines.append(t("ch_ranking_more", lang))
    return "\n".join(lines)


# --- 2. trend -------------------------------------------------------------------------------------


def month_ends(first: date, last: date) -> list[date]:
    """Month ends from `first`'s month up to before `last`, then `last` itself."""
    days, current = [], month_end(first.year, first.month)
    while current < last:
        days.append(current)
        nxt = current + timedelta(days=1)
        current = month_end(nxt.year, nxt.month)
    return [*days, last]


def pooled_series(rows: Sequence[FigureRow], days: Sequence[date]) -> list[tuple[date, float]]:
    """Pooled rate at each day from date-sorted rows: each unit's latest figure so far."""
    latest: dict[int, FigureRow] = {}
    out: list[tuple[date, float]] = []
    i = 0
    for day in days:
        while i < len(rows) and rows[i].as_of <= day:
            latest[rows[i].unit_id] = rows[i]
            i += 1
        pooled = pooled_rate(
            UnitFigure(str(r.unit_id), r.numerator, r.denominator, r.as_of) for r in latest.values()
        )
        if pooled.rate is not None:
            out.append((day, float(pooled.rate)))
    return out


async def trend_chart(
    env: Env,
    indicator: str,
    units: Sequence[str] = (),
    day: date | None = None,
    lang: str = "vi",
) -> ChartOutcome:
    """An indicator's monthly history for the province (pooled over the assigned units) and the
    chosen units, with the target, the staged milestones and the projection at the current
    pace to the deadline."""
    cat = env.catalogue
    ind = cat.find_indicator(indicator)
    if ind is None:
        return _no("ch_unknown_indicator", lang)
    when = _day(env, day)
    name = _esc(_indicator_label(ind, lang))
    if ind.kind == "yesno":
        return _no("ch_yesno", lang, indicator=name)
    assigned = {
        env.ids.unit_id[u.code] for u in cat.assigned_units(ind) if u.code in env.ids.unit_id
    }
    async with env.db.read() as conn:
        rows = await history(conn, [env.ids.indicator_id[ind.code]], when)
    rows = [r for r in rows if r.unit_id in assigned]
    if not rows:
        return _no("ch_no_data", lang, indicator=name, date=format_date(when, lang))
    days = month_ends(rows[0].as_of, when)
    province = pooled_series(rows, days)
    series = [Series(_province_label(env, lang), province, is_province=True)]
    chosen = [u for code in units if (u := cat.find_unit(code)) is not None]
    for unit in chosen:
        uid = env.ids.unit_id.get(unit.code)
        mine = [r for r in rows if r.unit_id == uid]
        series.append(Series(unit.name, pooled_series(mine, days)))
    target = ind.target
    projection = project(province, target.due, target.rate) if target else None
    spec = TrendChart(
        indicator_name=_indicator_label(ind, lang),
        series=series,
        target_rate=target.rate if target else None,
        target_date=target.due if target else None,
        milestones=[(m.due, m.rate) for m in ind.milestones],
        projection=clip_projection(projection.points) if projection else None,
        as_of=when,
        scope_name=", ".join(u.name for u in chosen) or _province_label(env, lang),
        lang=_lang(lang),
    )
    caption = _trend_caption(env, ind, series, projection, when, lang)
    scope = chosen[0].code if chosen else ""
    return ChartResult(spec, caption, filename_for(f"xu huong {ind.code} {scope}", "", when))


def clip_projection(points: Sequence[tuple[date, float]]) -> list[tuple[date, float]]:
    """A straight projection stops at 100%: past it the line would only stretch the axis."""
    (d0, r0), (d1, r1) = points[0], points[-1]
    if r1 <= 1.0 or r1 <= r0 or r0 >= 1.0:
        return list(points)
    days = round((d1 - d0).days * (1.0 - r0) / (r1 - r0))
    return [(d0, r0), (d0 + timedelta(days=days), 1.0)]


def _province_label(env: Env, lang: str) -> str:
    return t("ch_province", lang)


def _trend_caption(
    env: Env, ind: Indicator, series: list[Series], projection: object, when: date, lang: str
) -> str:
    name = _esc(_indicator_label(ind, lang))
    lines = [t("ch_trend_head", lang, indicator=name, date=format_date(when, lang))]
    for s in series:
        if s.points:
            last = s.points[-1][1]
            lines.append(t("ch_series_last", lang, name=_esc(s.name), rate=_rate(last, lang)))
        else:
            lines.append(t("ch_series_none", lang, name=_esc(s.name)))
    target = ind.target
    at_deadline = getattr(projection, "at_deadline", None)
    reaches = getattr(projection, "reaches_target_on", None)
    if target is not None and reaches is not None and reaches <= target.due:
        day, due = format_date(reaches, lang), format_date(target.due, lang)
        lines.append(t("ch_projection_reach", lang, target=_rate(target.rate, lang), day=day,
                       due=due))  # fmt: skip
    elif target is not None and at_deadline is not None:
        rate = _rate(min(max(at_deadline, 0.0), 1.0), lang)
        lines.append(t("ch_projection", lang, rate=rate, due=format_date(target.due, lang),
                       target=_rate(target.rate, lang)))  # fmt: skip
    elif target is not None and target.due <= when:
        lines.append(t("ch_deadline_passed", lang, due=format_date(target.due, lang),
                       target=_rate(target.rate, lang)))  # fmt: skip
    elif target is not None:
        lines.append(t("ch_target", lang, rate=_rate(target.rate, lang),
                       due=format_date(target.due, lang)))  # fmt: skip
    return "\n".join(lines)


# --- 3. a unit's dashboard --------------------------------------------------------------------


async def dashboard_chart(
    env: Env, unit: str, day: date | None = None, lang: str = "vi"
) -> ChartOutcome:
    """Every indicator assigned to one unit: its rate against the target and the province."""
    cat = env.catalogue
    found = cat.find_unit(unit)
    if found is None:
        return _no("ch_unknown_unit", lang)
    when = _day(env, day)
    codes = [
        i.code for i in cat.indicators if found.code in {u.code for u in cat.assigned_units(i)}
    ]
    if not codes:
        return _no("ch_no_indicators", lang, unit=_esc(_capital(found.full_name)))
    facts = await indicator_facts(env, codes, when)
    rows = [_dash_row(f, found, lang) for f in facts]
    if not any(r.rate is not None or r.done is not None for r in rows):
        return _no("ch_unit_no_data", lang, unit=_esc(_capital(found.full_name)),
                   date=format_date(when, lang))  # fmt: skip
    spec = DashboardChart(_capital(found.full_name), when, rows, lang=_lang(lang))
    return ChartResult(
        spec, _dashboard_caption(found, rows, when, lang), filename_for("bang", found.code, when)
    )


def _dash_row(f: IndicatorFacts, unit: Unit, lang: str) -> DashRow:
    mine = next((x for x in f.lines if x.code == unit.code), None)
    label = f.en if lang == "en" else f.short
    if f.kind == "yesno":
        return DashRow(label, done=None if mine is None or mine.done is None else bool(mine.done))
    target = f.final_target.rate if f.final_target else None
    rate = None if mine is None or mine.rate is None else float(mine.rate)
    province = None if f.rate is None else float(f.rate)
    return DashRow(label, rate, target, province)


def _dashboard_caption(unit: Unit, rows: list[DashRow], when: date, lang: str) -> str:
    rated = [(r, r.rate) for r in rows if r.rate is not None]
    reached = sum(1 for r, v in rated if r.target is not None and v >= r.target - 1e-12)
    below = sum(1 for r, v in rated if r.province_rate is not None and v < r.province_rate - 1e-12)
    yesno = [r for r in rows if r.is_yesno]
    lines = [
        t("ch_dash_head", lang, unit=_esc(_capital(unit.full_name)), date=format_date(when, lang)),
        t("ch_dash_counts", lang, reached=reached, below=below, of=len(rated)),
    ]
    if yesno:
        done = sum(1 for r in yesno if r.done)
        lines.append(t("ch_dash_yesno", lang, done=done, of=len(yesno)))
    missing = sum(1 for r in rows if r.rate is None and r.done is None)
    if missing:
        lines.append(t("ch_dash_missing", lang, count=missing))
    return "\n".join(lines)


# --- 4. tasks ---------------------------------------------------------------------------------


async def tasks_chart(env: Env, unit: str = "", lang: str = "vi") -> ChartOutcome:
    """Plan tasks on a time line (services.tasks.list_tasks): of an office/agency as lead, of a
    commune's plan, or every task; overdue marked, grouped by lead unit."""
    from services.tasks import list_tasks  # the deadlines capability (imported late: optional)

    today = env.clock.today()
    found = env.catalogue.find_unit(unit) if unit else None
    lead = found.code if found is not None and found.kind in ("office", "agency") else None
    scope = found.code if found is not None and lead is None else None
    listed = await list_tasks(
        env, status="all", lead_unit_code=lead, scope_unit_code=scope, today=today
    )
    items = listed.items
    dated = [v for v in items if v.due_date is not None]
    if len(dated) > MAX_TASK_ROWS:
        items = [v for v in items if v.state != "done"]
    if not any(v.due_date is not None for v in items):
        return _no("ch_tasks_none", lang)
    rows = [
        TaskRow(
            label=_short(f"{v.label}. {v.title}", 200 if v.due_date else RECURRING_LABEL),
            lead_name=v.lead_name,
            due_date=v.due_date,
            done=v.state == "done",
            overdue=v.state == "overdue",
        )
        for v in items
    ]
    scope_name = _capital(found.full_name) if found is not None else None
    spec = TaskTimelineChart(as_of=today, tasks=rows, scope_name=scope_name, lang=_lang(lang))
    c = listed.counts
    caption = "\n".join([
        t("ch_tasks_head", lang, scope=_esc(scope_name or t("ch_province", lang)),
          date=format_date(today, lang)),
        t("ch_tasks_counts", lang, total=c.total, overdue=c.overdue, done=c.done,
          recurring=c.recurring),
    ])  # fmt: skip
    return ChartResult(spec, caption, filename_for("nhiem vu", unit or "tinh", today))


# --- dispatch ---------------------------------------------------------------------------------


async def chart_for_ref(env: Env, ref: ChartRef, lang: str = "vi") -> ChartOutcome:
    """The chart a button or a chart question names."""
    if ref.kind == "ranking":
        if not ref.indicator:
            return _no("ch_need_indicator", lang)
        return await ranking_chart(env, ref.indicator, ref.as_of, lang)
    if ref.kind == "trend":
        if not ref.indicator:
            return _no("ch_need_indicator", lang)
        units = [ref.unit] if ref.unit else []
        return await trend_chart(env, ref.indicator, units, ref.as_of, lang)
    if ref.kind == "dashboard":
        if not ref.unit:
            return _no("ch_unknown_unit", lang)
        return await dashboard_chart(env, ref.unit, ref.as_of, lang)
    if ref.kind == "tasks":
        return await tasks_chart(env, ref.unit, lang)
    return _no("ch_expired", lang)
