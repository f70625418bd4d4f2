"""The province catalogue as typed values: units, indicators, targets, tasks, reporting cycles.

Parsed from the text of the files in catalogues/<province>/ (format: docs/catalogue.md).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import yaml

from domain.text import fold

COMMUNE_KINDS = frozenset({"phuong", "xa", "dac_khu"})
UNIT_KINDS = COMMUNE_KINDS | {"province", "agency", "office"}
INDICATOR_KINDS = frozenset({"ratio", "count", "yesno"})


class CatalogueError(ValueError):
    """A catalogue file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str
    parent: str | None = None
    aliases: tuple[str, ...] = ()
    note: str = ""

    @property
    def is_commune(self) -> bool:
        """Commune level: xã, phường, đặc khu."""
        return self.kind in COMMUNE_KINDS

    @property
    def kind_label(self) -> str:
        return {"phuong": "phường", "xa": "xã", "dac_khu": "đặc khu"}.get(self.kind, "")

    @property
    def full_name(self) -> str:
        """'xã Vĩnh Thủy', 'phường Quảng Trị', 'Sở Y tế'."""
        return f"{self.kind_label} {self.name}".strip() if self.is_commune else self.name


@dataclass(frozen=True)
class Milestone:
    due: date
    rate: float  # a fraction: 0.5 is 50%
    text: str = ""


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    short: str
    kind: str  # ratio | count | yesno
    en: str = ""
    aliases: tuple[str, ...] = ()
    numerator: str = ""
    denominator: str = ""
    cumulative: bool = True
    owner: str | None = None
    owner_text: str = ""
    assigned: str | tuple[str, ...] = "communes"  # communes | province | explicit unit codes
    assigned_except: tuple[str, ...] = ()
    target: Milestone | None = None
    milestones: tuple[Milestone, ...] = ()
    baseline_rate: float | None = None
    group: str | None = None
    step: int | None = None
    ambiguous_with: tuple[str, ...] = ()
    report: str = ""
    report_en: str = ""
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def milestone_due_by(self, day: date) -> Milestone | None:
        """The latest milestone (or the target) whose date has passed by `day`."""
        passed = [m for m in self.all_milestones() if m.due <= day]
        return passed[-1] if passed else None

    def next_milestone(self, day: date) -> Milestone | None:
        upcoming = [m for m in self.all_milestones() if m.due >= day]
        return upcoming[0] if upcoming else None

    def all_milestones(self) -> list[Milestone]:
        items = list(self.milestones)
        if self.target and all(m.due != self.target.due for m in items):
            items.append(self.target)
        return sorted(items, key=lambda m: m.due)


@dataclass(frozen=True)
class PlanTask:
    plan: str
    number: int
    title: str
    lead: str
    due_text: str
    section: str = ""
    section_title: str = ""
    plan_title: str = ""
    directive: str = ""
    coordinating: str = ""
    product: str = ""
    reminders_sent: int = 0

    @property
    def code(self) -> str:
        return f"{self.plan}:{self.section}.{self.number}"


@dataclass(frozen=True)
class ReportingCycle:
    code: str
    name: str
    every: str  # month | quarter
    day: int  # due before this day of the month
    scope: str = "communes"
    indicators: tuple[str, ...] = ()


@dataclass
class Catalogue:
    code: str
    name: str
    units: list[Unit]
    indicators: list[Indicator]
    tasks: list[PlanTask]
    cycles: list[ReportingCycle]
    holidays: frozenset[date]
    note: str = ""
    _by_code: dict[str, Unit] = field(default_factory=dict, repr=False)
    _ind_by_code: dict[str, Indicator] = field(default_factory=dict, repr=False)
    _assigned_codes: dict[str, frozenset[str]] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        self._by_code = {u.code: u for u in self.units}
        self._ind_by_code = {i.code: i for i in self.indicators}

    @property
    def province(self) -> Unit:
        return next(u for u in self.units if u.kind == "province")

    def unit(self, code: str) -> Unit:
        return self._by_code[code]

    def find_unit(self, code: str) -> Unit | None:
        return self._by_code.get(code)

    def indicator(self, code: str) -> Indicator:
        return self._ind_by_code[code]

    def find_indicator(self, code: str) -> Indicator | None:
        return self._ind_by_code.get(code)

    def communes(self) -> list[Unit]:
        return [u for u in self.units if u.is_commune]

    def assigned_units(self, indicator: Indicator) -> list[Unit]:
        """Units that have the indicator assigned (giao chỉ tiêu), in catalogue order."""
        if indicator.assigned == "communes":
            chosen = self.communes()
        elif indicator.assigned == "province":
            chosen = [self.province]
        else:
            chosen = [self._by_code[c] for c in indicator.assigned]
        return [u for u in chosen if u.code not in indicator.assigned_except]

    def is_assigned(self, unit_code: str, indicator: Indicator) -> bool:
        """Whether the unit has the indicator assigned: every figure is checked, so the codes
        are gathered once per indicator (a catalogue is not changed once loaded)."""
        codes = self._assigned_codes.get(indicator.code)
        if codes is None:
            codes = frozenset(u.code for u in self.assigned_units(indicator))
            self._assigned_codes[indicator.code] = codes
        return unit_code in codes

    def unassigned_communes(self, indicator: Indicator) -> list[Unit]:
        """Communes left out of the pooled rate: 'không được giao chỉ tiêu'."""
        assigned = {u.code for u in self.assigned_units(indicator)}
        if indicator.assigned == "province":
            return []
        return [u for u in self.communes() if u.code not in assigned]

    def is_commune_indicator(self, indicator: Indicator) -> bool:
        return indicator.assigned != "province"

    def children(self, parent_code: str) -> list[Unit]:
        return [u for u in self.units if u.parent == parent_code]


# --- parsing ---------------------------------------------------------------------------------


def parse_catalogue(
    *, province_yaml: str, units_csv: str, indicators_yaml: str, tasks_yaml: str
) -> Catalogue:
    province = yaml.safe_load(province_yaml) or {}
    units = parse_units(units_csv)
    codes = {u.code for u in units}
    # A target without a date is due at the end of the plan year (province.yaml `year`).
    year = province.get("year")
    year_end = date(int(year), 12, 31) if year else None
    indicators = [_indicator(e, codes, year_end) for e in (yaml.safe_load(indicators_yaml) or [])]
    tasks = [_task(e, codes) for e in (yaml.safe_load(tasks_yaml) or [])]
    cycles = [_cycle(e) for e in province.get("reporting", [])]
    raw_holidays = province.get("holidays", []) or []
    holidays = frozenset(_as_date(d, "province.yaml holidays") for d in raw_holidays)
    _check_unique_names(units)
    return Catalogue(
        code=str(province.get("code", "")),
        name=str(province.get("name", "")),
        units=units,
        indicators=indicators,
        tasks=tasks,
        cycles=cycles,
        holidays=holidays,
        note=str(province.get("unit_count_note", "")),
    )


def parse_units(text: str) -> list[Unit]:
    units: list[Unit] = []
    for line_no, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        kind = (row.get("kind") or "").strip()
        if kind not in UNIT_KINDS:
            raise CatalogueError(f"units.csv line {line_no}: unknown kind {kind!r}")
        aliases = tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip())
        units.append(
            Unit(
                code=row["code"].strip(),
                name=row["name"].strip(),
                kind=kind,
                parent=(row.get("parent") or "").strip() or None,
                aliases=aliases,
                note=(row.get("note") or "").strip(),
            )
        )
    codes = {u.code for u in units}
    for u in units:
        if u.parent and u.parent not in codes:
            raise CatalogueError(f"units.csv: {u.code} has unknown parent {u.parent}")
    if sum(u.kind == "province" for u in units) != 1:
        raise CatalogueError("units.csv: exactly one row of kind 'province' is needed")
    return units


def _check_unique_names(units: list[Unit]) -> None:
    """Never two units for one place: names and aliases fold to distinct keys per kind group."""
    seen: dict[str, str] = {}
    for u in units:
        if u.kind == "office":
            continue  # 'Công an xã' repeats under every commune by design
        # The province's bare name may also be a ward's ("phường Quảng Trị"); the province is
        # matched as "tỉnh …"/"toàn tỉnh", so only its aliases must be unique.
        names = u.aliases if u.kind == "province" else (u.name, *u.aliases)
        for name in names:
            key = fold(name)
            if key in seen and seen[key] != u.code:
                raise CatalogueError(f"units.csv: {name!r} names both {seen[key]} and {u.code}")
            seen[key] = u.code


def _indicator(entry: dict[str, Any], unit_codes: set[str], year_end: date | None) -> Indicator:
    code = str(entry.get("code", "")).strip()
    where = f"indicators.yaml {code or '?'}"
    kind = entry.get("kind", "ratio")
    if not code or kind not in INDICATOR_KINDS:
        raise CatalogueError(f"{where}: needs a code and kind in {sorted(INDICATOR_KINDS)}")
    assigned_raw = entry.get("assigned", "communes")
    assigned: str | tuple[str, ...]
    excluded: tuple[str, ...] = ()
    if isinstance(assigned_raw, dict) and "communes_except" in assigned_raw:
        assigned, excluded = "communes", tuple(assigned_raw["communes_except"])
    elif isinstance(assigned_raw, list):
        assigned = tuple(str(c) for c in assigned_raw)
    elif assigned_raw in ("communes", "province"):
        assigned = str(assigned_raw)
    else:
        raise CatalogueError(f"{where}: assigned must be communes, province or a list")
    for c in (*excluded, *(assigned if isinstance(assigned, tuple) else ())):
        if c not in unit_codes:
            raise CatalogueError(f"{where}: unknown unit {c}")
    target = _milestone(entry["target"], where, year_end) if entry.get("target") else None
    known = {
        "code", "name", "short", "kind", "en", "aliases", "numerator", "denominator",
        "cumulative", "owner", "owner_text", "assigned", "target", "milestones",
        "baseline_rate", "group", "step", "ask_when_ambiguous_with", "report", "report_en",
    }  # fmt: skip
    return Indicator(
        code=code,
        name=str(entry.get("name", code)),
        short=str(entry.get("short") or entry.get("name") or code),
        kind=kind,
        en=str(entry.get("en", "")),
        aliases=tuple(str(a) for a in entry.get("aliases", [])),
        numerator=str(entry.get("numerator", "")),
        denominator=str(entry.get("denominator", "")),
        cumulative=bool(entry.get("cumulative", True)),
        owner=entry.get("owner") if entry.get("owner") in unit_codes else None,
        owner_text=str(entry.get("owner_text", entry.get("owner", "")) or ""),
        assigned=assigned,
        assigned_except=excluded,
        target=target,
        milestones=tuple(_milestone(m, where, year_end) for m in entry.get("milestones", []) or []),
        baseline_rate=_float_or_none(entry.get("baseline_rate")),
        group=entry.get("group"),
        step=entry.get("step"),
        ambiguous_with=tuple(entry.get("ask_when_ambiguous_with", []) or []),
        report=str(entry.get("report", "")),
        report_en=str(entry.get("report_en", "")),
        extra={k: v for k, v in entry.items() if k not in known},
    )


def _milestone(raw: dict[str, Any], where: str, default_due: date | None) -> Milestone:
    if "rate" not in raw:
        raise CatalogueError(f"{where}: a target or milestone needs a rate")
    if not raw.get("due") and default_due is None:
        raise CatalogueError(f"{where}: a target without `due` needs `year` in province.yaml")
    due = _as_date(raw["due"], where) if raw.get("due") else default_due
    assert due is not None
    return Milestone(due=due, rate=float(raw["rate"]), text=str(raw.get("text", "")))


def _task(entry: dict[str, Any], unit_codes: set[str]) -> PlanTask:
    where = f"tasks.yaml {entry.get('plan')}:{entry.get('section')}.{entry.get('number')}"
    for key in ("plan", "lead"):
        if entry.get(key) not in unit_codes:
            raise CatalogueError(f"{where}: {key} must be a unit code, got {entry.get(key)!r}")
    if not str(entry.get("title", "")).strip():
        raise CatalogueError(f"{where}: a task needs a title")
    return PlanTask(
        plan=entry["plan"],
        number=int(entry.get("number", 0)),
        title=str(entry["title"]).strip(),
        lead=entry["lead"],
        due_text=str(entry.get("due_text", "")).strip(),
        section=str(entry.get("section", "")),
        section_title=str(entry.get("section_title", "")),
        plan_title=str(entry.get("plan_title", "")),
        directive=str(entry.get("directive", "")),
        coordinating=str(entry.get("coordinating", "") or ""),
        product=str(entry.get("product", "") or ""),
        reminders_sent=int(entry.get("reminders_sent", 0) or 0),
    )


def _cycle(entry: dict[str, Any]) -> ReportingCycle:
    if entry.get("every") not in ("month", "quarter"):
        raise CatalogueError(f"province.yaml reporting {entry.get('code')}: every month|quarter")
    return ReportingCycle(
        code=str(entry["code"]),
        name=str(entry.get("name", entry["code"])),
        every=entry["every"],
        day=int(entry.get("day", 12)),
        scope=str(entry.get("scope", "communes")),
        indicators=tuple(entry.get("indicators", []) or []),
    )


def _as_date(value: object, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise CatalogueError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from exc


def _float_or_none(value: object) -> float | None:
    """A number, or the `rate` of a mapping such as {date, rate, derived, note}."""
    if isinstance(value, dict):
        value = value.get("rate")
    return None if value is None else float(value)  # type: ignore[arg-type]
