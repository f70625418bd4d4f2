"""Answering a leader's question: parse it, read the latest figures once, compute as the reports do.

`answer(env, actor, text_or_query)` returns an `Answer` (plain values, no Telegram, no HTML);
`handlers/questions.py` renders it; an answer's chart is named by a `ChartRef` and drawn by
services/charts.py. Each answer costs one or two store reads.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from fractions import Fraction
from typing import Any, NamedTuple

from rapidfuzz import fuzz, process

from domain.catalogue import Catalogue, Indicator, Milestone, Unit
from domain.periods import Period
from domain.questions import Lexicon, Query, parse
from domain.stats import (
    Pooled,
    UnitFigure,
    above_average,
    at_or_above,
    below,
    below_average,
    is_full,
    pooled_done,
    pooled_rate,
    ranks,
    rate_of,
    sort_by_rate,
    stale_before,
)
from domain.text import fold
from services.access import Actor
from services.context import Env
from store.figures import (
    AT_AS_OF,
    AT_DENOMINATOR,
    AT_DONE,
    AT_INDICATOR,
    AT_NUMERATOR,
    AT_UNIT,
    AsOfRow,
    FigureRow,
    latest_as_of,
)
from store.stats import Pooled as StorePooled
from store.stats import (
    Summaries,
    Summary,
    Version,
    consistent,
    data_version,
    latest_rows_at,
    pooled_at,
    present_units,
    reported_between,
    summaries,
)

NEEDS_INDICATOR = frozenset(
    {"below_average", "above_average", "not_meeting_target", "reached_100", "done", "ranking"}
)
TASK_INTENTS = frozenset({"tasks_overdue", "tasks_due_soon", "tasks_of_unit"})


class UnitLine(NamedTuple):
    """One unit's figure in an answer (a tuple, as UnitFigure: one per unit)."""

    code: str
    name: str
    numerator: int | None
    denominator: int | None
    as_of: date | None
    stale: bool = False
    done: bool | None = None
    rank: int | None = None

    @property
    def rate(self) -> Fraction | None:
        return rate_of(self.numerator, self.denominator)


@dataclass(frozen=True)
class IndicatorFacts:
    """An indicator as of a day: the pooled figure and who is in, out, late or missing."""

    code: str
    kind: str
    short: str
    en: str
    report_vi: str
    report_en: str
    denominator: str  # named when another indicator shares the numerator (e-health book)
    pooled: Pooled
    assigned: int
    lines: tuple[UnitLine, ...]  # assigned units with a figure
    unassigned: tuple[str, ...] = ()  # 'riêng đặc khu Cồn Cỏ không được giao chỉ tiêu'
    missing: tuple[str, ...] = ()  # assigned, no figure at all
    stale: tuple[str, ...] = ()  # latest figure older than the reporting cycle
    stale_cutoff: date | None = None
    newest: date | None = None
    target: Milestone | None = None  # the target or the milestone due by the day
    final_target: Milestone | None = None
    full: int = 0  # units at 100%
    change: Fraction | None = None
    base_day: date | None = None
    base_rate: Fraction | None = None
    province_level: bool = False  # assigned to the province itself
    rated: int = 0  # assigned units with a rate (numerator set, denominator non-zero)
    # The lines as domain.stats values, built once with them (not part of equality or repr).
    figures: tuple[UnitFigure, ...] = field(default=(), compare=False, repr=False)

    @property
    def rate(self) -> Fraction | None:
        return self.pooled.rate


@dataclass(frozen=True)
class ChartRef:
    """Enough to draw an answer's chart again from a button: kind, indicator, unit, day."""

    kind: str  # ranking | trend | dashboard | tasks
    indicator: str = ""
    unit: str = ""
    as_of: date | None = None

    def data(self, prefix: str = "qc") -> str:
        day = self.as_of.strftime("%Y%m%d") if self.as_of else ""
        return f"{prefix}|{self.kind[0]}|{self.indicator}|{self.unit}|{day}"[:64]

    @classmethod
    def parse(cls, data: str) -> ChartRef | None:
        parts = data.split("|")
        kinds = {"r": "ranking", "t": "trend", "d": "dashboard", "k": "tasks"}
        if len(parts) != 5 or parts[1] not in kinds:
            return None
        day = None
        if parts[4]:
            try:
                day = date(int(parts[4][:4]), int(parts[4][4:6]), int(parts[4][6:8]))
            except ValueError:
                return None
        return cls(kinds[parts[1]], parts[2], parts[3], day)


@dataclass
class Answer:
    """The result of a question; `kind` is the intent or unknown | need_indicator | not_ready."""

    kind: str
    query: Query
    lang: str
    as_of: date
    facts: list[IndicatorFacts] = field(default_factory=list)
    rows: list[UnitLine] = field(default_factory=list)
    count: int = 0
    of: int = 0
    threshold: Fraction | None = None
    unit: Unit | None = None
    focus: UnitLine | None = None
    window: Period | None = None
    partial: list[str] = field(default_factory=list)  # not_reported: reported only some
    tasks: Any = None
    examples: list[str] = field(default_factory=list)
    choices: list[str] = field(default_factory=list)  # indicator codes to pick from
    chart: ChartRef | None = None
    note: str = ""
    alternatives: list[str] = field(default_factory=list)  # [taken, other…] display names
    ambiguous_word: str = ""


# --- entry points -----------------------------------------------------------------------------

_LEXICONS: dict[int, tuple[Catalogue, Lexicon]] = {}


def lexicon_of(env: Env) -> Lexicon:
    """The question vocabulary for the env's current catalogue (rebuilt after a re-sync)."""
    cached = _LEXICONS.get(id(env.catalogue))
    if cached is None or cached[0] is not env.catalogue:
        cached = (env.catalogue, Lexicon(env.catalogue, env.units, env.indicators))
        _LEXICONS[id(env.catalogue)] = cached
    return cached[1]


def understand(env: Env, text: str) -> Query:
    return parse(text, lexicon_of(env), env.clock.today())


async def answer(env: Env, actor: Actor, question: str | Query) -> Answer:
    """Answer one question in the asker's language."""
    query = understand(env, question) if isinstance(question, str) else question
    today = env.clock.today()
    day = min(query.as_of or today, today)
    result = Answer(kind=query.intent, query=query, lang=query.lang, as_of=day)
    if query.ambiguous and query.indicators:
        _explain_ambiguity(env, result)
    if query.intent == "unknown":
        return _unknown(env, result)
    if query.intent in TASK_INTENTS:
        return await _tasks(env, result, today)
    if query.intent == "chart":
        return _chart_answer(env, result)
    if query.intent in NEEDS_INDICATOR and not query.indicators:
        query = _indicator_by_threshold(env, query)
        result.query = query
        if not query.indicators:
            return _need_indicator(env, result)
    handler = _HANDLERS[query.intent]
    return await handler(env, result)


def _explain_ambiguity(env: Env, result: Answer) -> None:
    q, cat = result.query, env.catalogue
    codes = [q.indicators[0], *q.ambiguous]
    inds = [cat.indicator(c) for c in codes if cat.find_indicator(c)]
    result.alternatives = [(i.en or i.short) if q.lang == "en" else i.short for i in inds]
    found = env.indicators.find_all(q.text)
    result.ambiguous_word = found[0].matched if found else q.indicators[0]


# --- facts ------------------------------------------------------------------------------------


def _cycle_of(cat: Catalogue, code: str) -> tuple[int, int]:
    """(due day, months per cycle) of the reporting cycle an indicator is reported in."""
    for cycle in cat.cycles:
        if code in cycle.indicators:
            return cycle.day, 3 if cycle.every == "quarter" else 1
    for cycle in cat.cycles:
        if not cycle.indicators and cycle.every == "month":
            return cycle.day, 1
    return 12, 1


def _report_noun(ind: Indicator, lang: str) -> str:
    raw = ind.report
    if isinstance(raw, dict):  # catalogue entries may carry {vi, en}
        return str(raw.get(lang) or raw.get("vi") or ind.numerator)
    if lang == "en":
        return ind.report_en or ind.en or ind.short
    return raw if raw and not raw.startswith("{") else (ind.numerator or ind.short)


def _shares_numerator(cat: Catalogue, ind: Indicator) -> bool:
    return any(
        o.code != ind.code and o.numerator and o.numerator == ind.numerator for o in cat.indicators
    )


def _target_for(ind: Indicator, day: date) -> Milestone | None:
    due = ind.milestone_due_by(day)
    return due if due is not None else ind.target


@dataclass(frozen=True)
class _Static:
    """What facts_for needs of the catalogue for one indicator, computed once per catalogue."""

    assigned: tuple[tuple[str, str], ...]  # (code, name) in catalogue order
    assigned_codes: frozenset[str]
    unassigned: tuple[str, ...]
    due_day: int
    months: int
    denominator: str
    report_vi: str
    report_en: str
    province_level: bool


_STATIC: dict[int, tuple[Catalogue, dict[str, _Static]]] = {}


def _static(env: Env, code: str) -> _Static:
    cat = env.catalogue
    cached = _STATIC.get(id(cat))
    if cached is None or cached[0] is not cat:
        if len(_STATIC) > 4:  # catalogues replaced by a re-sync: keep memory flat
            _STATIC.clear()
        cached = (cat, {})
        _STATIC[id(cat)] = cached
    found = cached[1].get(code)
    if found is None:
        ind = cat.indicator(code)
        assigned = tuple((u.code, u.name) for u in cat.assigned_units(ind))
        due_day, months = _cycle_of(cat, code)
        found = _Static(
            assigned=assigned, assigned_codes=frozenset(c for c, _ in assigned),
            unassigned=tuple(u.full_name for u in cat.unassigned_communes(ind)),
            due_day=due_day, months=months,
            denominator=ind.denominator if _shares_numerator(cat, ind) else "",
            report_vi=_report_noun(ind, "vi"), report_en=_report_noun(ind, "en"),
            province_level=not cat.is_commune_indicator(ind),
        )  # fmt: skip
        cached[1][code] = found
    return found


@dataclass
class _Present:
    """An indicator's assigned units with a figure, in catalogue order (parallel lists: no
    object per unit beyond its UnitFigure), and the counts facts_for needs of them."""

    figures: list[UnitFigure] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    old: list[bool] = field(default_factory=list)  # dated before the cut-off
    missing: list[str] = field(default_factory=list)  # names of the units without a figure
    stale: list[str] = field(default_factory=list)
    full: int = 0  # of 100% or more


def _with_figures(env: Env, code: str, rows: Sequence[AsOfRow], cutoff: date) -> _Present:
    """One pass over the assigned units. A report runs it over ~86,000 rows, where each further
    pass (or a Fraction per unit to count those at 100%) cost ~0.1 s."""
    by_unit: dict[int | None, AsOfRow] = {r[AT_UNIT]: r for r in rows}
    out = _Present()
    for uid, ucode, name in _assigned_units(env, code):
        row = by_unit.get(uid)
        if row is None:
            out.missing.append(name)
            continue
        num, den, as_of = row[AT_NUMERATOR], row[AT_DENOMINATOR], row[AT_AS_OF]
        old = as_of < cutoff
        if old:
            out.stale.append(name)
        out.figures.append(UnitFigure(ucode, num, den, as_of, row[AT_DONE]))
        out.names.append(name)
        out.old.append(old)
        out.full += is_full(num, den)
    return out


def facts_for(
    env: Env, code: str, rows: Sequence[AsOfRow], day: date,
    base_rate: Fraction | None = None, base_day: date | None = None,
) -> IndicatorFacts:  # fmt: skip
    """Pool one indicator's latest figures over its assigned units (pure given the rows)."""
    ind = env.catalogue.indicator(code)
    static = _static(env, code)
    cutoff = stale_before(day, static.due_day, static.months)
    p = _with_figures(env, code, rows, cutoff)
    figures = p.figures
    pooled = pooled_done(figures) if ind.kind == "yesno" else pooled_rate(figures)
    rank_of = ranks(figures)
    lines = tuple(
        UnitLine(f.unit, n, f.numerator, f.denominator, f.as_of, old, f.done, rank_of.get(f.unit))
        for f, n, old in zip(figures, p.names, p.old, strict=True)
    )
    return IndicatorFacts(
        code=code, kind=ind.kind, short=ind.short, en=ind.en or ind.short,
        report_vi=static.report_vi, report_en=static.report_en,
        denominator=static.denominator,
        pooled=pooled, assigned=len(static.assigned), lines=lines,
        unassigned=static.unassigned, missing=tuple(p.missing), stale=tuple(p.stale),
        stale_cutoff=cutoff, newest=max((f.as_of for f in figures), default=None),
        target=_target_for(ind, day), final_target=ind.target,
        full=pooled.numerator if ind.kind == "yesno" else p.full,
        change=None if base_rate is None or pooled.rate is None else pooled.rate - base_rate,
        base_day=base_day, base_rate=base_rate, province_level=static.province_level,
        rated=len(rank_of), figures=tuple(figures),  # ranks: the units with a rate
    )  # fmt: skip


async def _read(
    env: Env, codes: Sequence[str], days: Sequence[date]
) -> dict[date, dict[str, list[AsOfRow]]]:
    """One statement: latest figures of the indicators as of each day, grouped by indicator."""
    ids = [env.ids.indicator_id[c] for c in codes if c in env.ids.indicator_id]
    async with env.db.read(snapshot=False) as conn:  # one statement is its own snapshot
        found = await latest_rows_at(conn, ids, list(days))
    out: dict[date, dict[str, list[AsOfRow]]] = {}
    for day, rows in found.items():
        grouped: dict[str, list[AsOfRow]] = {c: [] for c in codes}
        for r in rows:
            grouped.setdefault(env.ids.indicator_code[r[AT_INDICATOR]], []).append(r)
        out[day] = grouped
    return out


async def indicator_facts(
    env: Env, codes: Sequence[str], day: date, base_day: date | None = None
) -> list[IndicatorFacts]:
    data = await _read(env, codes, [day])
    bases = await _base_rates(env, codes, base_day) if base_day is not None else {}
    return [
        facts_for(env, code, data[day][code], day, bases.get(code), base_day)
        for code in codes
    ]  # fmt: skip


async def _base_rates(env: Env, codes: Sequence[str], day: date) -> dict[str, Fraction | None]:
    """The pooled rate of each indicator at the baseline: summed in SQL, no per-unit rows, and
    cached as the summaries' baselines are (the data version first: one cheap statement in
    place of a national report's 0.2-0.6 s of sums at 1 January)."""
    known = env.ids.indicator_id
    assigned = {known[c]: _assigned_ids(env, c) for c in codes if c in known}
    async with env.db.read() as conn:
        conn = await consistent(conn)  # the version and the sums from one snapshot
        version, _ = await data_version(conn)
        found = await _bases(env, conn, assigned, day, version)
    rates = found or {}
    return {c: rates.get(known[c]) for c in codes if c in known}


# --- summaries in SQL: a unit's status and the overview without every unit's row (issue 13) ---

_ASSIGNED_IDS: dict[int, tuple[object, object, dict[str, _Assigned]]] = {}
# (what, db, catalogue, indicator id, day) -> (db, catalogue, data version, value)
_CACHE: dict[tuple[str, int, int, int, date], tuple[object, object, Version, Any]] = {}
CACHE_SIZE = 4096  # entries: cleared when full


def _cached(env: Env, what: str, indicator_id: int, day: date, version: Version | None) -> Any:
    """A value computed at this data version, else `_MISS`. Every figure write, in any process,
    appends a row and so changes the version read from the database."""
    hit = _CACHE.get((what, id(env.db), id(env.catalogue), indicator_id, day))
    if hit and hit[0] is env.db and hit[1] is env.catalogue and hit[2] == version:
        return hit[3]
    return _MISS


def _remember(
    env: Env, what: str, indicator_id: int, day: date, version: Version, value: Any
) -> None:
    if len(_CACHE) > CACHE_SIZE:
        _CACHE.clear()
    _CACHE[(what, id(env.db), id(env.catalogue), indicator_id, day)] = (
        env.db, env.catalogue, version, value)  # fmt: skip


_MISS = object()


@dataclass(frozen=True)
class _Assigned:
    """An indicator's assigned units as the database knows them."""

    ids: frozenset[int]
    units: tuple[tuple[int | None, str, str], ...]  # (unit id, code, name), catalogue order


def _assigned(env: Env, code: str) -> _Assigned:
    """Once per catalogue and ids."""
    cached = _ASSIGNED_IDS.get(id(env.ids))
    if cached is None or cached[0] is not env.ids or cached[1] is not env.catalogue:
        if len(_ASSIGNED_IDS) > 4:
            _ASSIGNED_IDS.clear()
        cached = (env.ids, env.catalogue, {})
        _ASSIGNED_IDS[id(env.ids)] = cached
    found = cached[2].get(code)
    if found is None:
        units = tuple((env.ids.unit_id.get(c), c, name) for c, name in _static(env, code).assigned)
        found = _Assigned(frozenset(u for u, _, _ in units if u is not None), units)
        cached[2][code] = found
    return found


def _assigned_ids(env: Env, code: str) -> frozenset[int]:
    """The database ids of an indicator's assigned units."""
    return _assigned(env, code).ids


def _assigned_units(env: Env, code: str) -> tuple[tuple[int | None, str, str], ...]:
    """(unit id, code, name) of an indicator's assigned units, in catalogue order."""
    return _assigned(env, code).units


def own_line_only(facts: IndicatorFacts, unit: str | None) -> IndicatorFacts:
    """What a unit's status or an overview keeps of full facts: the unit's own line only."""
    lines = tuple(x for x in facts.lines if x.code == unit)
    return replace(facts, lines=lines, figures=())


async def summary_facts(
    env: Env, codes: Sequence[str], day: date, base_day: date | None = None,
    unit: str | None = None,
) -> list[IndicatorFacts]:  # fmt: skip
    """`indicator_facts` projected to the unit's own line (`own_line_only`), aggregated in SQL over
    current_figures when that is exact, from every unit's row otherwise."""
    found = await _summary_facts(env, codes, day, base_day, unit)
    if found is not None:
        return found
    return [own_line_only(f, unit) for f in await indicator_facts(env, codes, day, base_day)]


async def _summary_facts(
    env: Env, codes: Sequence[str], day: date, base_day: date | None, unit: str | None
) -> list[IndicatorFacts] | None:
    known = env.ids.indicator_id
    if not codes or any(c not in known for c in codes) or len(set(codes)) != len(codes):
        return None
    ids = {c: known[c] for c in codes}
    assigned = {ids[c]: _assigned_ids(env, c) for c in codes}
    cutoffs = {c: _cutoff(env, c, day) for c in codes}
    uid = env.ids.unit_id.get(unit) if unit else None
    async with env.db.read() as conn:
        conn = await consistent(conn)
        own = await latest_as_of(conn, assigned, day, [uid]) if uid is not None else []
        focus = {r.indicator_id: (r.numerator, r.denominator) for r in own
                 if r.numerator is not None and r.denominator}  # fmt: skip
        stale = {ids[c]: cutoffs[c] for c in codes}
        got = await _live(env, conn, assigned, day, stale, uid, focus)
        if got is None or not got.exact:
            return None
        mine = {r.indicator_id: r for r in own if r.unit_id in assigned[r.indicator_id]}
        for i in assigned:
            s = got.by_indicator.get(i)
            if (s.focus_figure if s else None) != (mine[i].id if i in mine else None):
                return None  # a write came between the two reads
        bases = await _bases(env, conn, assigned, base_day, got.version) if base_day else {}
        if bases is None:
            return None
        short = [ids[c] for c in codes if _present(got, ids[c]) < len(assigned[ids[c]])]
        present: set[tuple[int, int]] = set()
        if short:
            version, present = await present_units(conn, short, day)
            if version != got.version:
                return None
    return [
        _facts_from_summary(env, c, day, cutoffs[c], got.by_indicator.get(ids[c]),
                            mine.get(ids[c]), unit, present, base_day, bases.get(ids[c]))
        for c in codes
    ]  # fmt: skip


def _cutoff(env: Env, code: str, day: date) -> date:
    static = _static(env, code)
    return stale_before(day, static.due_day, static.months)


def _present(got: Summaries, indicator_id: int) -> int:
    s = got.by_indicator.get(indicator_id)
    return s.present if s else 0


async def _live(
    env: Env, conn: Any, assigned: dict[int, frozenset[int]], day: date,
    stale: dict[int, date], uid: int | None, focus: dict[int, tuple[int, int]],
) -> Summaries | None:  # fmt: skip
    """The per-indicator sums as of the day, cached under the data version like the baseline;
    a unit's ranks are counted in SQL each time (one statement, no sums)."""
    version, _ = await data_version(conn)
    cached = {i: _cached(env, "now", i, day, version) for i in assigned}
    if version is None or any(v is _MISS for v in cached.values()):
        got = await summaries(conn, assigned, day, stale, uid, focus)
        if got is not None and got.exact and got.complete and got.version is not None:
            for i in assigned:
                s = got.by_indicator.get(i)
                kept = None if s is None else replace(s, above=0, focus_figure=None)
                _remember(env, "now", i, day, got.version, kept)
        return got
    known = {i: s for i, s in cached.items() if s is not None}
    if uid is None:
        return Summaries(version, True, True, known)
    ranks = await summaries(conn, assigned, day, stale, uid, focus, with_sums=False)
    if ranks is None or ranks.version != version:
        return None
    for i, r in ranks.by_indicator.items():
        if i in known:
            known[i] = replace(known[i], above=r.above, focus_figure=r.focus_figure)
    return Summaries(version, True, True, known)


async def _bases(
    env: Env, conn: Any, assigned: dict[int, frozenset[int]], day: date,
    version: Version | None,
) -> dict[int, Fraction | None] | None:  # fmt: skip
    """The pooled rates at the baseline, cached per (indicator, day) under the data version:
    a figure written anywhere (any process) changes the version, so the entry is not used.
    Computed in SQL on a miss; cached only from a snapshot no writer was inside. None when the
    sums cannot be made, or when a write came after `version` was read (not one snapshot)."""
    out: dict[int, Fraction | None] = {}
    misses = {}
    for i, units in assigned.items():
        hit = _cached(env, "base", i, day, version)
        if hit is _MISS:
            misses[i] = units
        else:
            out[i] = hit
    if not misses:
        return out
    found = await pooled_at(conn, misses, day)
    if found is None or found[0] != version:
        return None
    summed_at, idle, pooled = found
    for i in misses:
        out[i] = _base_rate(env, i, pooled.get(i))
        if idle and summed_at is not None:
            _remember(env, "base", i, day, summed_at, out[i])
    return out


def _base_rate(env: Env, indicator_id: int, p: StorePooled | None) -> Fraction | None:
    """The pooled rate from Σ numerator / Σ denominator (yes/no: done / told)."""
    if p is None:
        return None
    ind = env.catalogue.indicator(env.ids.indicator_code[indicator_id])
    if ind.kind == "yesno":
        return Fraction(p.done, p.told) if p.told else None
    return Fraction(p.numerator, p.denominator) if p.denominator else None


def _facts_from_summary(
    env: Env, code: str, day: date, cutoff: date, s: Summary | None, own: FigureRow | None,
    unit: str | None, present: set[tuple[int, int]], base_day: date | None,
    base_rate: Fraction | None,
) -> IndicatorFacts:  # fmt: skip
    """What `facts_for` builds from the rows, from the sums (then `own_line_only`)."""
    ind = env.catalogue.indicator(code)
    static = _static(env, code)
    s = s or Summary(0, 0, 0, 0, 0, 0, 0, 0, None, frozenset(), 0, None)
    yesno = ind.kind == "yesno"
    pooled = (
        Pooled(s.done, s.told, s.told) if yesno else Pooled(s.numerator, s.denominator, s.rated)
    )
    iid, code_of = env.ids.indicator_id[code], env.ids.unit_code
    stale_codes = {code_of.get(u) for u in s.stale}
    missing: tuple[str, ...] = ()
    if s.present < len(static.assigned):
        have = {code_of.get(u) for i, u in present if i == iid}
        missing = tuple(n for c, n in static.assigned if c not in have)
    stale = tuple(n for c, n in static.assigned if c in stale_codes) if stale_codes else ()
    lines: tuple[UnitLine, ...] = ()
    if own is not None and unit in static.assigned_codes:
        rated = own.numerator is not None and bool(own.denominator)
        lines = (UnitLine(unit, env.catalogue.unit(unit).name, own.numerator, own.denominator,
                          own.as_of, own.as_of < cutoff, own.done,
                          s.above + 1 if rated else None),)  # fmt: skip
    return IndicatorFacts(
        code=code, kind=ind.kind, short=ind.short, en=ind.en or ind.short,
        report_vi=static.report_vi, report_en=static.report_en, denominator=static.denominator,
        pooled=pooled, assigned=len(static.assigned), lines=lines,
        unassigned=static.unassigned, missing=missing, stale=stale, stale_cutoff=cutoff,
        newest=s.newest if s.present else None, target=_target_for(ind, day),
        final_target=ind.target, full=s.done if yesno else s.full,
        change=None if base_rate is None or pooled.rate is None else pooled.rate - base_rate,
        base_day=base_day, base_rate=base_rate, province_level=static.province_level,
        rated=s.rated,
    )  # fmt: skip


def commune_indicators(cat: Catalogue, *, monthly_only: bool = False) -> list[str]:
    """Indicators assigned to communes, catalogue order; monthly_only drops quarterly steps."""
    quarterly = {c for cycle in cat.cycles if cycle.every != "month" for c in cycle.indicators}
    return [
        i.code
        for i in cat.indicators
        if cat.is_commune_indicator(i) and not (monthly_only and i.code in quarterly)
    ]


# --- one intent each --------------------------------------------------------------------------


def _first(result: Answer) -> str:
    return result.query.indicators[0]


async def _below_above(env: Env, result: Answer) -> Answer:
    [facts] = await indicator_facts(env, [_first(result)], result.as_of)
    figures = _figures(facts)
    if result.kind == "below_average":
        _, rows = below_average(figures)
    else:
        _, rows = above_average(figures)
    return _listed(result, facts, rows, ranking=result.kind == "above_average")


def _figures(facts: IndicatorFacts) -> list[UnitFigure]:
    if len(facts.figures) == len(facts.lines):
        return list(facts.figures)
    return [UnitFigure(x.code, x.numerator, x.denominator, x.as_of or date.min, x.done)
            for x in facts.lines]  # fmt: skip


def _listed(
    result: Answer, facts: IndicatorFacts, rows: Sequence[UnitFigure], *, ranking: bool = True
) -> Answer:
    line_of = {x.code: x for x in facts.lines}
    result.facts = [facts]
    result.rows = [line_of[f.unit] for f in rows]
    result.count, result.of = len(result.rows), facts.assigned
    result.chart = ChartRef("ranking", facts.code, "", result.as_of)
    return result


async def _not_meeting(env: Env, result: Answer) -> Answer:
    [facts] = await indicator_facts(env, [_first(result)], result.as_of)
    q = result.query
    if q.threshold is not None:
        level = Fraction(q.threshold)
    elif facts.target is not None:
        level = Fraction(facts.target.rate).limit_denominator(10_000)
    else:
        result.kind = "no_target"
        result.facts = [facts]
        return result
    result.threshold = level
    return _listed(result, facts, below(_figures(facts), level))


async def _reached(env: Env, result: Answer) -> Answer:
    [facts] = await indicator_facts(env, [_first(result)], result.as_of)
    level = Fraction(result.query.threshold or 1)
    figures = _figures(facts)
    if facts.kind == "yesno":
        done = [f for f in figures if bool(f.done) != result.query.negated]
        rows = sorted(done, key=lambda f: f.unit)
        result.kind = "done"
    else:
        rows = below(figures, level) if result.query.negated else at_or_above(figures, level)
    result.threshold = level
    return _listed(result, facts, rows)


async def _ranking(env: Env, result: Answer) -> Answer:
    [facts] = await indicator_facts(env, [_first(result)], result.as_of)
    q = result.query
    ordered = sort_by_rate(_figures(facts), descending=True)
    if not q.descending:
        ordered.reverse()
    _listed(result, facts, ordered[: q.n or len(ordered)])
    result.count = len(ordered)
    if q.unit is not None:
        result.unit = env.catalogue.find_unit(q.unit)
        result.focus = next((x for x in facts.lines if x.code == q.unit), None)
        result.rows = []
    return result


async def _unit_status(env: Env, result: Answer) -> Answer:
    unit = env.catalogue.find_unit(result.query.unit or "")
    result.unit = unit
    if unit is None:
        return result
    cat = env.catalogue
    codes = list(result.query.indicators) or [
        i.code for i in cat.indicators if unit.code in _static(env, i.code).assigned_codes
    ]
    result.facts = await summary_facts(env, codes, result.as_of, unit=unit.code) if codes else []
    result.rows = [
        next((x for x in f.lines if x.code == unit.code), UnitLine(unit.code, unit.name, None,
                                                                   None, None))
        for f in result.facts
    ]  # fmt: skip
    result.tasks = await _open_tasks(env, unit, env.clock.today())
    result.chart = ChartRef("dashboard", "", unit.code, result.as_of)
    return result


async def _overview(env: Env, result: Answer) -> Answer:
    codes = list(result.query.indicators) or [i.code for i in env.catalogue.indicators]
    base_day = date(result.as_of.year, 1, 1)
    result.facts = await summary_facts(env, codes, result.as_of, base_day)
    if len(codes) == 1:
        result.chart = ChartRef("trend", codes[0], "", result.as_of)
    return result


async def _change(env: Env, result: Answer) -> Answer:
    q = result.query
    codes = list(q.indicators) or commune_indicators(env.catalogue, monthly_only=True)
    day = result.as_of
    if q.baseline == "last_month":
        first = date(day.year, day.month, 1)
        base_day = first - timedelta(days=1)
    elif q.baseline == "period" and q.period is not None:
        base_day = q.period.start - timedelta(days=1)
        day = min(q.period.end, env.clock.today())
        result.as_of = day
    else:
        base_day = date(day.year, 1, 1)
    result.facts = await _change_facts(env, codes, day, base_day, q.unit)
    result.unit = env.catalogue.find_unit(q.unit) if q.unit else None
    if len(codes) == 1:
        result.chart = ChartRef("trend", codes[0], q.unit or "", day)
    return result


async def _change_facts(
    env: Env, codes: list[str], day: date, base_day: date, unit: str | None
) -> list[IndicatorFacts]:
    facts = await indicator_facts(env, codes, day, base_day)
    if unit is None:
        return facts
    # One unit: its own change, read from the same two snapshots.
    data = await _read(env, codes, [base_day])
    uid = env.ids.unit_id.get(unit)
    out = []
    for f in facts:
        now = next((x for x in f.lines if x.code == unit), None)
        base = next((r for r in data[base_day][f.code] if r[AT_UNIT] == uid), None)
        base_rate = None if base is None or not base[AT_DENOMINATOR] else Fraction(
            base[AT_NUMERATOR] or 0, base[AT_DENOMINATOR])  # fmt: skip
        delta = None if now is None or now.rate is None or base_rate is None else (
            now.rate - base_rate)  # fmt: skip
        lines = (now,) if now else ()
        pooled = Pooled(now.numerator or 0, now.denominator or 0, 1) if now else Pooled(0, 0, 0)
        out.append(replace(f, lines=lines, pooled=pooled, change=delta, base_rate=base_rate,
                           figures=()))  # fmt: skip
    return out


async def _not_reported(env: Env, result: Answer) -> Answer:
    q = result.query
    window = q.period
    assert window is not None  # the parser always sets a window for this intent
    today = env.clock.today()
    end = min(window.end, today)
    codes = list(q.indicators) or commune_indicators(env.catalogue, monthly_only=True)
    ids = [env.ids.indicator_id[c] for c in codes if c in env.ids.indicator_id]
    async with env.db.read() as conn:
        pairs = await reported_between(conn, ids, window.start, end)
    result.window, result.as_of = window, end
    cat = env.catalogue
    expected: dict[str, set[int]] = {}
    for code in codes:
        for ucode, _ in _static(env, code).assigned:
            expected.setdefault(ucode, set()).add(env.ids.indicator_id[code])
    nothing, partial = [], []
    for unit_code, wanted in expected.items():
        uid = env.ids.unit_id[unit_code]
        got = {i for i in wanted if (uid, i) in pairs}
        name = cat.unit(unit_code).name
        if not got:
            nothing.append(UnitLine(unit_code, name, None, None, None))
        elif got != wanted:
            partial.append(name)
    result.rows, result.partial = nothing, partial
    result.count, result.of = len(nothing), len(expected)
    result.facts = []
    result.choices = codes
    return result


# --- tasks, unknown, charts -------------------------------------------------------------------


def _tasks_service() -> Any:
    try:
        return importlib.import_module("services.tasks")
    except ModuleNotFoundError:
        return None


async def _tasks(env: Env, result: Answer, today: date) -> Answer:
    service = _tasks_service()
    if service is None or not hasattr(service, "list_tasks"):
        result.kind = "not_ready"
        result.note = "tasks"
        return result
    q = result.query
    status = {"tasks_overdue": "overdue", "tasks_due_soon": "due_soon"}.get(q.intent, "open")
    unit = env.catalogue.find_unit(q.unit) if q.unit else None
    lead = unit.code if unit is not None and unit.kind in ("office", "agency") else None
    scope = unit.code if unit is not None and lead is None else None
    result.unit = unit
    result.tasks = await service.list_tasks(
        env, status=status, lead_unit_code=lead, scope_unit_code=scope,
        within_days=q.within_days, today=today,
    )  # fmt: skip
    result.chart = ChartRef("tasks", "", unit.code if unit else "", today)
    return result


async def _open_tasks(env: Env, unit: Unit, today: date) -> Any:
    service = _tasks_service()
    if service is None or not hasattr(service, "list_tasks"):
        return None
    return await service.list_tasks(
        env, status="open", scope_unit_code=unit.code, within_days=7, today=today
    )


EXAMPLES_VI = (
    "xã nào dưới mức trung bình về {ind}?",
    "5 xã thấp nhất {ind}",
    "xã nào chưa đạt chỉ tiêu {ind}?",
    "{ind} tăng bao nhiêu so với đầu năm?",
    "biểu đồ {ind}",
    "{unit} thế nào?",
    "{unit} đứng thứ mấy về {ind}?",
    "tình hình toàn tỉnh",
    "xã nào chưa báo cáo tháng này?",
    "nhiệm vụ nào quá hạn?",
)
EXAMPLES_EN = (
    "which communes are below average on {ind}?",
    "5 lowest communes on {ind}",
    "which communes are not meeting the {ind} target?",
    "how much did {ind} change since the start of the year?",
    "chart of {ind}",
    "how is {unit} doing?",
    "where does {unit} rank on {ind}?",
    "province overview",
    "which communes have not reported this month?",
    "which tasks are overdue?",
)


def _unknown(env: Env, result: Answer) -> Answer:
    """Three example questions close to what was asked, with its names filled in."""
    q = result.query
    ind = env.catalogue.find_indicator(q.indicators[0]) if q.indicators else None
    unit = env.catalogue.find_unit(q.unit) if q.unit else None
    ind_name = (ind.aliases[0].upper() if ind and ind.aliases else ind.short) if ind else "ASXH"
    if ind and result.lang == "en":
        ind_name = ind.en or ind.short
    unit_name = unit.name if unit else "Vĩnh Thủy"
    templates = EXAMPLES_EN if result.lang == "en" else EXAMPLES_VI
    filled = [t.format(ind=ind_name, unit=unit_name) for t in templates]
    if unit is not None:
        preferred = [f for t, f in zip(templates, filled, strict=True) if "{unit}" in t]
    elif ind is not None:
        preferred = [f for t, f in zip(templates, filled, strict=True) if "{ind}" in t]
    else:
        preferred = []
    ranked = process.extract(fold(q.text), [fold(f) for f in filled], scorer=fuzz.WRatio,
                             limit=len(filled))  # fmt: skip
    order = preferred + [filled[i] for _, _, i in ranked]
    result.examples = list(dict.fromkeys(order))[:3]
    return result


def _need_indicator(env: Env, result: Answer) -> Answer:
    result.kind = "need_indicator"
    cat, en = env.catalogue, result.lang == "en"
    codes = commune_indicators(cat, monthly_only=True)
    result.choices = [(cat.indicator(c).en or c) if en else cat.indicator(c).short for c in codes]
    return result


def _indicator_by_threshold(env: Env, query: Query) -> Query:
    """'ai chưa đạt 70%': the one commune indicator whose target is 70% (người có công)."""
    if query.threshold is None:
        return query
    codes = [
        i.code
        for i in env.catalogue.indicators
        if i.target
        and env.catalogue.is_commune_indicator(i)
        and abs(Fraction(i.target.rate) - Fraction(query.threshold)) < Fraction(1, 10_000)
    ]
    return replace(query, indicators=(codes[0],)) if len(codes) == 1 else query


def _chart_answer(env: Env, result: Answer) -> Answer:
    q = result.query
    kind = q.chart or "ranking"
    code = q.indicators[0] if q.indicators else ""
    if kind in ("ranking", "trend") and not code:
        return _need_indicator(env, result)
    result.chart = ChartRef(kind, code, q.unit or "", result.as_of)
    return result


_HANDLERS = {
    "below_average": _below_above,
    "above_average": _below_above,
    "not_meeting_target": _not_meeting,
    "reached_100": _reached,
    "done": _reached,
    "ranking": _ranking,
    "unit_status": _unit_status,
    "province_overview": _overview,
    "change": _change,
    "not_reported": _not_reported,
}
