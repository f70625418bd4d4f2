"""Reading a leader's question into a typed `Query`: intent, indicators, scope, date, n, threshold.

Vietnamese with or without diacritics, or English. Pure: the catalogue and its name indexes come
in as a `Lexicon`, today's date as an argument.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from domain.catalogue import Catalogue, Indicator
from domain.language import detect_lang
from domain.matching import NameIndex
from domain.periods import Period, parse_period
from domain.text import fold_same_length, fold_words

INTENTS = (
    "below_average",
    "above_average",
    "not_meeting_target",
    "reached_100",
    "done",
    "ranking",
    "unit_status",
    "province_overview",
    "change",
    "not_reported",
    "tasks_overdue",
    "tasks_due_soon",
    "tasks_of_unit",
    "chart",
    "unknown",
)
CHART_KINDS = ("ranking", "trend", "dashboard", "tasks")


@dataclass(frozen=True)
class Query:
    """What was asked (câu hỏi đã hiểu). Dates are resolved; codes are catalogue codes."""

    intent: str
    lang: str = "vi"
    indicators: tuple[str, ...] = ()
    unit: str | None = None  # scope unit code; None = the province
    as_of: date | None = None  # figures as of this day (None: today)
    period: Period | None = None  # the period named in the question, if any
    n: int | None = None
    threshold: Decimal | None = None  # a fraction: 0.7 is 70%
    descending: bool = False  # ranking: highest first
    negated: bool = False  # 'chưa …': list what is NOT reached / done
    baseline: str | None = None  # change: 'year_start' | 'last_month' | 'period'
    chart: str | None = None  # chart kind when intent == 'chart' or a chart is offered
    within_days: int = 7
    ambiguous: tuple[str, ...] = ()  # codes the words could also mean ('ĐDDT': DDDT_M2)
    text: str = ""


@dataclass
class Lexicon:
    """The names a question may use, built once per catalogue."""

    catalogue: Catalogue
    units: NameIndex
    indicators: NameIndex
    offices: NameIndex = field(init=False)
    _names_of: dict[str, set[str]] = field(init=False, default_factory=dict)
    codes_only: frozenset[str] = field(init=False, default=frozenset())
    not_name: frozenset[str] = field(init=False, default=frozenset())  # see _name_runs

    def __post_init__(self) -> None:
        self.offices = NameIndex(
            (u.code, u.name, u.aliases) for u in self.catalogue.units if u.kind == "office"
        )
        names: set[str] = set()
        for ind in self.catalogue.indicators:
            for name in (ind.code, ind.name, ind.short, ind.en, *ind.aliases):
                key = " ".join(fold_same_length(name).split())
                if key:
                    self._names_of.setdefault(key, set()).add(ind.code)
                    if name != ind.code:
                        names.add(key)
        codes = {" ".join(fold_same_length(i.code).split()) for i in self.catalogue.indicators}
        self.codes_only = frozenset(codes - names)
        in_names = {
            w for u in self.catalogue.units for n in (u.name, *u.aliases)
            for w in fold_same_length(n).split()
        }  # fmt: skip
        self.not_name = NOT_NAME - in_names

    def codes_named(self, matched: str) -> set[str]:
        return self._names_of.get(" ".join(fold_same_length(matched).split()), set())


def _rx(*alternatives: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w])(?:" + "|".join(alternatives) + r")(?![\w])")


CHART_WORDS = _rx(r"bieu do", r"do thi", r"ve (?:bieu do|xu huong|do thi|chart)", r"charts?",
                  r"graphs?", r"plot", r"draw", r"visuali[sz]e")  # fmt: skip
TREND_WORDS = _rx(r"xu huong", r"trends?", r"theo thoi gian", r"dien bien", r"over time",
                  r"theo thang", r"tien do")  # fmt: skip
TASK_WORDS = _rx(r"nhiem vu", r"viec", r"cong viec", r"tasks?", r"jobs?", r"deadlines?")
OVERDUE = _rx(r"qua han", r"tre han", r"tre", r"overdue", r"late", r"past due", r"cham tien do")
DUE_SOON = _rx(r"sap den han", r"den han", r"sap het han", r"sap toi han", r"due soon",
               r"due this week", r"upcoming", r"coming due", r"due", r"sap toi")  # fmt: skip
NOT_REPORTED = _rx(
    r"chua (?:bao cao|cap nhat|gui|nop|co so lieu|bao|update)",
    r"khong (?:bao cao|cap nhat|gui)",
    r"not (?:yet )?(?:reported|updated|submitted)",
    r"(?:have|has|did|do)(?:n't|n t| not) (?:yet )?(?:reported|report|updated|update|submitted)",
    r"missing reports?", r"no reports?", r"yet to (?:report|update)", r"not reporting",
)  # fmt: skip
BELOW_AVG = _rx(r"(?:duoi|thap hon|kem hon|nho hon) (?:muc )?(?:trung binh|tb)",
                r"(?:below|under|lower than|worse than) (?:the )?(?:provincial |province )?"
                r"(?:average|mean)")  # fmt: skip
ABOVE_AVG = _rx(r"(?:tren|cao hon|hon|vuot) (?:muc )?(?:trung binh|tb)",
                r"(?:above|over|higher than|better than) (?:the )?(?:provincial |province )?"
                r"(?:average|mean)")  # fmt: skip
NOT_MEETING = _rx(r"chua dat", r"khong dat", r"chua hoan thanh", r"chua xong",
                  r"not (?:yet )?(?:meeting|met|reached|reaching|achieved|on target)",
                  r"(?:have|has)(?:n't|n t| not) (?:yet )?(?:met|reached|achieved)",
                  r"below (?:the )?target", r"short of", r"behind (?:the )?target",
                  r"miss(?:ing|ed)? (?:the )?target", r"under (?:the )?target")  # fmt: skip
NEGATION = _rx(r"chua", r"khong", r"not", r"yet to", r"haven't", r"hasn't", r"without",
               r"missing")  # fmt: skip
RANK_WORDS = _rx(r"thap nhat", r"cao nhat", r"kem nhat", r"tot nhat", r"dan dau", r"xep hang",
                 r"xep thu", r"dung thu", r"thu may", r"thu hang", r"top", r"bottom", r"lowest",
                 r"highest", r"worst", r"best", r"ranks?", r"ranking", r"ranked", r"leading",
                 r"position", r"bang xep hang", r"cuoi bang")  # fmt: skip
ASCENDING = _rx(r"thap nhat", r"kem nhat", r"bottom", r"lowest", r"worst", r"cuoi bang",
                r"yeu nhat", r"cham nhat")  # fmt: skip
CHANGE_WORDS = _rx(r"tang bao nhieu", r"giam bao nhieu", r"tang them", r"tang", r"giam",
                   r"so voi", r"thay doi", r"bien dong", r"changes?", r"changed",
                   r"increased?", r"decreased?", r"grew", r"growth", r"compared", r"since",
                   r"progress")  # fmt: skip
BASE_YEAR = _rx(r"dau nam", r"(?:the )?start of (?:the )?year", r"beginning of (?:the )?year",
                r"january", r"ytd", r"year to date", r"this year")  # fmt: skip
BASE_MONTH = _rx(r"thang truoc", r"last month", r"previous month", r"a month ago")
STATUS_WORDS = _rx(r"the nao", r"ra sao", r"tinh hinh", r"how is", r"how's", r"how are",
                   r"status", r"doing", r"situation", r"bao cao ve", r"ket qua")  # fmt: skip
OVERVIEW_WORDS = _rx(r"toan tinh", r"tong hop", r"tong quan", r"tong the", r"overview",
                     r"summary", r"summari[sz]e", r"whole province", r"the province",
                     r"province", r"ca tinh")  # fmt: skip
PERCENT = re.compile(r"(?<![\w.,])(\d{1,3}(?:[.,]\d+)?)\s*(?:%|phan tram|percent)")
N_PATTERNS = (
    re.compile(r"(?<![\w.,/])(?:top|bottom)\s+(\d{1,3})(?![\w%.,/])"),
    re.compile(
        r"(?<![\w.,/])(\d{1,3})\s+(?:xa|phuong|don vi|dia phuong|communes?|units?|wards?)"
        r"(?![\w%])"
    ),
    re.compile(r"(?:thap nhat|cao nhat|lowest|highest|kem nhat|tot nhat)\s+(\d{1,3})(?![\w%.,/])"),
)
_WEEK = _rx(r"tuan nay", r"this week", r"trong tuan", r"7 ngay")


EN_HINTS = _rx(r"summary", r"overview", r"communes?", r"wards?", r"tasks?", r"chart",
               r"trend",
               r"pensions?", r"lowest", r"highest", r"bottom", r"top", r"who", r"which",
               r"reached", r"hasn'?t", r"haven'?t", r"hasn t", r"haven t", r"status",
               r"rank", r"compared", r"since")  # fmt: skip
VI_HINTS = _rx(r"xa", r"nao", r"chua", r"bao nhieu", r"tinh hinh", r"thap nhat", r"cao nhat",
               r"nhiem vu", r"viec", r"so voi", r"thang", r"tuan", r"ve", r"the nao")  # fmt: skip


def _lang(text: str, folded: str) -> str:
    lang = detect_lang(text)
    if lang == "vi" and text.isascii() and EN_HINTS.search(folded) and not VI_HINTS.search(folded):
        return "en"
    return lang


def parse(text: str, lexicon: Lexicon, today: date) -> Query:
    """Read one question. Never raises: what cannot be read is intent 'unknown'."""
    folded = fold_words(text)
    lang = _lang(text, folded)
    indicators, ambiguous = _find_indicators(text, lexicon)
    unit = _find_unit(text, lexicon)
    period = parse_period(text, today)
    as_of = _as_of(period, today)
    base = Query(
        intent="unknown", lang=lang, indicators=indicators, unit=unit, as_of=as_of,
        period=period, ambiguous=ambiguous, text=text,
    )  # fmt: skip
    query = _intent(text, folded, base, lexicon, today)
    if query.intent == "ranking" and query.n is None and query.unit is None:
        query = replace(query, n=5)
    return query


def _as_of(period: Period | None, today: date) -> date | None:
    if period is None:
        return None
    return min(period.end, today)


def _find_indicators(text: str, lexicon: Lexicon) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Indicator codes in order of mention; 'ĐDDT' alone takes the catalogue's first reading
    (the entry that declares ask_when_ambiguous_with) and reports the other as ambiguous."""
    found = lexicon.indicators.find_all(text) or lexicon.indicators.fuzzy_find(text)
    codes: list[str] = []
    ambiguous: list[str] = []
    for hit in found:
        if _bare_code(hit.matched, lexicon):
            continue
        named = lexicon.codes_named(hit.matched) or {hit.key}
        code = _preferred(named, lexicon.catalogue) if len(named) > 1 else hit.key
        if len(named) > 1:
            ambiguous.extend(sorted(named - {code}))
        if code not in codes:
            codes.append(code)
    return tuple(codes), tuple(a for a in ambiguous if a not in codes)


def _bare_code(matched: str, lexicon: Lexicon) -> bool:
    """A code that is no name ('DAT') counts only in capitals: 'đạt'/'dat' is the verb 'reach'."""
    key = " ".join(fold_same_length(matched).split())
    return key in lexicon.codes_only and matched != matched.upper()


def _preferred(codes: set[str], catalogue: Catalogue) -> str:
    for code in sorted(codes):
        ind = catalogue.find_indicator(code)
        if ind is not None and set(ind.ambiguous_with) & codes:
            return code
    return sorted(codes)[0]


def _find_unit(text: str, lexicon: Lexicon) -> str | None:
    """The first unit named other than the province (the province is the default scope)."""
    province = lexicon.catalogue.province.code
    hits = lexicon.units.find_all(text)
    for hit in hits:
        if hit.key != province:
            return hit.key
    offices = lexicon.offices.find_all(text)
    if offices:
        return offices[0].key
    if hits:
        return None
    for run in _name_runs(text, lexicon):  # typos: only where a name can plausibly stand
        fuzzy = lexicon.units.fuzzy_find(run, min_score=90.0)
        if fuzzy and fuzzy[0].key != province:
            return fuzzy[0].key
    return None


# Words after which a unit name follows ('xã Vinh Thuyy', 'tình hình của …') or before which one
# stands ('Vinh Thuyy thế nào?'), folded.
NAME_BEFORE = _rx(r"xa", r"phuong", r"thi tran", r"dac khu", r"tinh hinh", r"cua", r"tai",
                  r"o", r"don vi", r"dia phuong", r"of", r"in", r"for", r"commune", r"ward",
                  r"how is", r"how's")  # fmt: skip
NAME_AFTER = _rx(r"the nao", r"ra sao", r"dung thu", r"xep thu", r"xep hang", r"thu may",
                 r"doing", r"rank(?:s|ed)?")  # fmt: skip
_WORDS = re.compile(r"\w+")
RUN_WORDS = 4  # a unit name has at most four words
# Question words a stretch is cut at (less those the catalogue's unit names use: Lexicon.not_name).
NOT_NAME = frozenset(
    "xa phuong thi tran dac khu tinh hinh cua tai o don vi dia nao gi nay do co la da chua "
    "duoi tren thap cao nhat bao nhieu the sao ra dung xep thu hang may ve va voi so trong "
    "dat con ti le ty muc trung binh toan cac nhung which what how is are the of in for has "
    "have did not below above commune ward unit doing rank ranks ranked status".split()
)


def _name_runs(text: str, lexicon: Lexicon) -> list[str]:
    """Stretches of the question where a unit name can stand: capitalised words after the
    first, and up to four words after a cue ('xã', 'của') or before one ('thế nào'). Words of
    an indicator's name are never part of one. Fuzzy matching runs on these alone."""
    taken = [(f.start, f.end) for f in lexicon.indicators.find_all(text)]
    words = [m for m in _WORDS.finditer(text)
             if not any(s <= m.start() < e for s, e in taken)]  # fmt: skip
    if not words:
        return []
    folded = fold_same_length(text)
    spans: list[tuple[int, int]] = []
    capital = [i for i, m in enumerate(words) if i and m.group()[0].isupper()]
    for i in capital:
        if not spans or spans[-1][1] != i:
            spans.append((i, i + 1))
        else:
            spans[-1] = (spans[-1][0], i + 1)
    for cue in NAME_BEFORE.finditer(folded):
        after = [i for i, m in enumerate(words) if m.start() >= cue.end()]
        if after:
            spans.append((after[0], min(after[0] + RUN_WORDS, len(words))))
    for cue in NAME_AFTER.finditer(folded):
        before = [i for i, m in enumerate(words) if m.end() <= cue.start()]
        if before:
            spans.append((max(0, before[-1] + 1 - RUN_WORDS), before[-1] + 1))
    runs = [_trim(words[a:b], folded, lexicon.not_name) for a, b in spans]
    return [r for r in dict.fromkeys(runs) if len(r) >= 4]


def _trim(words: list[re.Match[str]], folded: str, not_name: frozenset[str]) -> str:
    """Drop cue and question words before the name, stop at the first one after it."""
    kept: list[re.Match[str]] = []
    for m in words:
        if folded[m.start() : m.end()] in not_name:
            if kept:
                break
            continue
        kept.append(m)
    return m.string[kept[0].start() : kept[-1].end()] if kept else ""


def _n(folded: str) -> int | None:
    for pattern in N_PATTERNS:
        match = pattern.search(folded)
        if match:
            value = int(match.group(1))
            return value if 0 < value <= 500 else None
    return None


def _threshold(folded: str) -> Decimal | None:
    match = PERCENT.search(folded)
    if match is None:
        return None
    return Decimal(match.group(1).replace(",", ".")) / 100


def _is_yesno(query: Query, lexicon: Lexicon) -> bool:
    inds = [lexicon.catalogue.find_indicator(c) for c in query.indicators]
    return bool(inds) and all(i is not None and i.kind == "yesno" for i in inds)


def _chart_words(text: str, folded: str) -> bool:
    # 'vẽ' (draw) and 'về' (about) both fold to 've': only the accented form or a chart noun counts.
    return bool(CHART_WORDS.search(folded) or re.search(r"(?<!\w)vẽ(?!\w)", text.lower()))


def _intent(text: str, folded: str, q: Query, lexicon: Lexicon, today: date) -> Query:
    for rule in _RULES:
        found = rule(text, folded, q, lexicon, today)
        if found is not None:
            return found
    return q


def _chart(text: str, folded: str, q: Query, lexicon: Lexicon, today: date) -> Query | None:
    if not _chart_words(text, folded):
        return None
    if TASK_WORDS.search(folded) and not q.indicators:
        kind = "tasks"
    elif TREND_WORDS.search(folded):
        kind = "trend"
    elif q.unit is not None and not q.indicators:
        kind = "dashboard"
    else:
        kind = "ranking"
    return replace(q, intent="chart", chart=kind)


def _tasks(text: str, folded: str, q: Query, lexicon: Lexicon, today: date) -> Query | None:
    if not TASK_WORDS.search(folded) or q.indicators:
        return None
    within = 7
    if q.period is not None and not _WEEK.search(folded):
        within = max(1, (q.period.end - today).days)
    if OVERDUE.search(folded):
        return replace(q, intent="tasks_overdue", as_of=None)
    if DUE_SOON.search(folded) and not re.search(r"(?<!\w)con (?:viec|nhiem vu)", folded):
        return replace(q, intent="tasks_due_soon", within_days=within, as_of=None)
    if q.unit is not None:
        return replace(q, intent="tasks_of_unit", as_of=None)
    return replace(q, intent="tasks_due_soon", within_days=within, as_of=None)


def _not_reported(text: str, folded: str, q: Query, lexicon: Lexicon, today: date) -> Query | None:
    if not NOT_REPORTED.search(folded):
        return None
    period = q.period or parse_period("tháng này", today)
    return replace(q, intent="not_reported", period=period, as_of=None)


def _average(text: str, folded: str, q: Query, lexicon: Lexicon, today: date) -> Query | None:
    if BELOW_AVG.search(folded):
        return replace(q, intent="below_average")
    if ABOVE_AVG.search(folded):
        return replace(q, intent="above_average", descending=True)
    return None


def _reached(text: str, folded: str, q: Query, lexicon: Lexicon, today: date) -> Query | None:
    negated = bool(NEGATION.search(folded) or NOT_MEETING.search(folded))
    if _is_yesno(q, lexicon):
        return replace(q, intent="done", negated=negated)
    threshold = _threshold(folded)
    if threshold is not None and threshold >= 1:
        return replace(q, intent="reached_100", negated=negated, threshold=Decimal(1))
    if NOT_MEETING.search(folded) or (threshold is not None and negated):
        return replace(q, intent="not_meeting_target", threshold=threshold, negated=True)
    if threshold is not None and re.search(r"(?<!\w)(?:duoi|below|under|less than)(?!\w)", folded):
        return replace(q, intent="not_meeting_target", threshold=threshold, negated=True)
    if threshold is not None:
        return replace(q, intent="reached_100", threshold=threshold)
    return None


def _ranking(text: str, folded: str, q: Query, lexicon: Lexicon, today: date) -> Query | None:
    if not RANK_WORDS.search(folded):
        return None
    return replace(q, intent="ranking", n=_n(folded), descending=not ASCENDING.search(folded))


def _change(text: str, folded: str, q: Query, lexicon: Lexicon, today: date) -> Query | None:
    if not CHANGE_WORDS.search(folded):
        return None
    if BASE_MONTH.search(folded):
        baseline = "last_month"
    elif BASE_YEAR.search(folded) or q.period is None:
        baseline = "year_start"
    else:
        baseline = "period"
    as_of = None if baseline != "period" else q.as_of
    return replace(q, intent="change", baseline=baseline, as_of=as_of)


def _status(text: str, folded: str, q: Query, lexicon: Lexicon, today: date) -> Query | None:
    if q.unit is not None:
        return replace(q, intent="unit_status")
    if OVERVIEW_WORDS.search(folded) or re.search(r"(?<!\w)tinh hinh(?!\w)", folded):
        return replace(q, intent="province_overview")
    if q.indicators:  # an indicator named alone, or 'ASXH thế nào?': its province figure
        return replace(q, intent="province_overview")
    return None


_RULES = (_chart, _tasks, _not_reported, _average, _reached, _ranking, _change, _status)


def indicator_label(ind: Indicator, lang: str) -> str:
    """Short display name in the user's language."""
    return (ind.en or ind.short) if lang == "en" else ind.short
