"""Reading an officer's message into typed figure drafts, or typed reasons it could not be read.

A message is cut into lines, and lines into segments at ';' and ', '. A segment without a figure
is context: its unit and date apply to the segments after it ("Báo cáo xã Vĩnh Thủy ngày
20/4/2026" above a list). A segment with a figure is read as: unit (optional), indicator, the
figure (a/b, a of b, a trên b, a rate, or a yes/no step) and a date (optional). Nothing is guessed:
an ambiguous indicator or a unit read only approximately becomes a choice to ask about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from domain.catalogue import Catalogue, Indicator
from domain.dates import find_dates
from domain.matching import Found, NameIndex
from domain.numbers import parse_int, parse_percent
from domain.text import fold, fold_same_length

MAX_LENGTH = 4096  # Telegram's own limit for one message
MAX_DRAFTS = 100
MAX_VALUE = 10**9  # no count in a province of two million reaches this; SQLite ints stay safe
FUZZY_UNIT_SURE = 90.0  # at or above: taken without asking (e.g. 'vinh thuyy')
FUZZY_UNIT_ASK = 75.0  # between ASK and SURE: buttons to choose
FUZZY_MAX_WORDS = 4  # more leftover words than this is prose, not a misspelt unit


@dataclass(frozen=True)
class Draft:
    """One figure as read from the message, before validation and before it is stored."""

    indicator: str | None  # indicator code; None while it must still be chosen
    unit: str | None  # unit code; None means the sender's own unit
    as_of: date
    numerator: int | None = None
    denominator: int | None = None
    done: bool | None = None  # yes/no steps
    rate: Decimal | None = None  # a rate typed instead of a count ('đạt 83,2%')
    derived: bool = False  # numerator computed from the rate and a known total
    indicator_choices: tuple[str, ...] = ()  # ask: ambiguous ('ĐDDT') or unknown (closest 3)
    indicator_unknown: bool = False  # the choices are suggestions, not an ambiguity
    unit_choices: tuple[str, ...] = ()  # ask: the unit was read only approximately
    fragment: str = ""  # the text the draft came from, for messages

    def needs_choice(self) -> bool:
        return self.indicator is None or bool(self.unit_choices)


@dataclass(frozen=True)
class Problem:
    """Why (part of) a message cannot be read. `code` selects the message shown to the officer."""

    code: str  # see PROBLEM_CODES
    fragment: str = ""
    detail: str = ""


PROBLEM_CODES = (
    "empty",  # nothing that looks like a figure
    "too_long",  # longer than one Telegram message
    "too_many",  # more than MAX_DRAFTS figures
    "bad_number",  # '1.2.3/4', '12.34/56'
    "negative",  # '-5/10'
    "no_indicator",  # a figure with no words at all: '1234/5678'
    "several_indicators",  # 'ASXH BTXH 1/2'
    "several_units",  # 'Vĩnh Thủy Cam Lộ ASXH 1/2'
    "missing_total",  # 'ASXH 1234' for a ratio indicator
    "several_figures",  # 'ASXH 1/2 3/4'
    "rate_over_100",  # 'ASXH đạt 120%'
    "yesno_unclear",  # 'đánh số nhà' with neither 'đã' nor 'chưa'
    "figure_for_yesno",  # 'đánh số nhà 3/4'
    "yesno_for_ratio",  # 'đã ASXH'
    "no_unit",  # no unit named and the sender has none (services)
    "unknown_unit",  # 'xã Vĩnh Xuân ASXH 1/2': a place named that is not in the catalogue
    "unknown_indicator",  # shown above the closest indicators (services)
)


@dataclass(frozen=True)
class Parsed:
    """Everything read from one message: drafts if it all made sense, problems otherwise."""

    drafts: tuple[Draft, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return bool(self.drafts) and not self.problems


# --- telling a submission from a question ---------------------------------------------------

_QUESTION_WORDS = re.compile(  # 'ai' (who) but not the commune Ái Tử
    r"(?<![a-z0-9])(?:nao|bao nhieu|ai(?! tu\b)|the nao|ra sao|sao|chua nhi|khong nhi|hay khong|"
    r"co khong|"
    r"which|what|how|who|top|thap nhat|cao nhat|xep hang|so sanh|bieu do|duoi muc|tren muc|"
    r"trung binh|liet ke|danh sach|cho xem|xem|tinh hinh|show|list|chart|rank|lowest|highest|"
    r"below|above|average|compare|trend|xu huong|tong hop|lich su|history|"
    r"vi sao|tai sao|why|when|khi nao|o dau|where)(?![a-z0-9])"
)
_FIGURE_SHAPE = re.compile(
    r"(?<![\w.,])\d[\d.,]*\s*(?:/|\bof\b|\btren\b(?:\s+tong(?:\s+so)?)?)\s*\d|\d\s*%|"
    r"\d\s*(?:phan tram|percent)\b"
)
_YESNO_SHAPE = re.compile(r"(?<![a-z])(?:da|chua|xong|hoan thanh|done|not yet|completed)(?![a-z])")
_STEP_SHAPE = re.compile(
    r"(?<![a-z])(?:ban hanh|thanh lap|lap du toan|du toan|ke hoach|bcd|ban chi dao|"
    r"danh so nha|dinh danh dia diem|house numbering)(?![a-z])"
)


def looks_like_submission(text: str) -> bool:
    """True when a message reads as figures being reported rather than a question asked.

    Figures: 'a/b', 'a of b', 'a trên b', a percent, or a yes/no step phrase ('đã ban hành kế
    hoạch đánh số nhà'). A question mark or a question word ('nào', 'bao nhiêu', 'which', 'top',
    'thấp nhất'…) makes it a question, whatever numbers it holds.
    """
    if not text or not text.strip():
        return False
    folded = fold(text[: MAX_LENGTH * 2])
    if "?" in folded or _QUESTION_WORDS.search(folded):
        return False
    if _FIGURE_SHAPE.search(folded):
        return True
    return bool(_YESNO_SHAPE.search(folded) and _STEP_SHAPE.search(folded))


# --- the grammar ------------------------------------------------------------------------------

_NUM = r"-?\d(?:[\d.,]*\d)?"
_LEFT = r"(?<![\w.,/])"
_RIGHT = r"(?![\w/]|[.,]\d)"
_FRACTION = re.compile(
    rf"{_LEFT}(?P<num>{_NUM})\s*(?:/|(?<![a-z])(?:of|tren(?:\s+tong(?:\s+so)?)?)(?![a-z]))\s*"
    rf"(?P<den>{_NUM}){_RIGHT}"
)
_PERCENT = re.compile(rf"{_LEFT}(?P<pct>-?\d+(?:[.,]\d+)?)\s*(?:%|phan tram\b|percent\b)")
_SINGLE = re.compile(rf"{_LEFT}(?P<one>{_NUM}){_RIGHT}")
# A number that names a period or a document is not a figure: 'tháng 4/2026', 'số 1199'.
_NOT_FIGURE_BEFORE = re.compile(
    r"(?:thang|quy|nam|so|ke hoach|cong van|quyet dinh|de an|project|nhom|group)\s*$"
)
# '3/4/5': slashes that are neither a date nor a figure.
_SLASHED = re.compile(r"(?<![\w.,])\d[\d.,]*(?:\s*/\s*\d[\d.,]*){2,}")
# ', đạt tỷ lệ 58%' after a fraction restates it: the piece joins the one before it.
_RESTATED_RATE = re.compile(
    r"^\s*(?:(?:dat|chiem|dat ty le|ty le|bang)?\s*\(?\d+(?:[.,]\d+)?\s*%\)?\s*$|(?:tang|giam)\s)"
)
# 'tăng 5,7% so với đầu năm 2026': a change the officer quotes, not a figure to store.
_CHANGE = re.compile(
    r"(?<![a-z])(?:tang|giam)\s+(?:them\s+)?\d+(?:[.,]\d+)?\s*(?:%|diem)(?:\s*so voi[^;\n]*)?"
)
# 'xã Vĩnh Xuân', 'TP Hà Nội': a place word before a name the catalogue does not know.
_PLACE_WORD = re.compile(
    r"(?<![a-z])(?:xa|phuong|dac khu|huyen|thi xa|thi tran|thanh pho|tp)\s+"
    r"(?P<name>[a-z]+(?: [a-z]+)?)"
)
_NOT_PLACE_NAMES = frozenset({"hoi", "nay", "minh", "em", "toi", "ta", "do", "dang", "co", "da"})
_SEGMENT_SPLIT = re.compile(r";|,\s+|\s+(?:va|and)\s+|\s+[-–•]\s+|\t")
_BULLET = re.compile(r"^\s*(?:[-–•*+]|\d{1,2}[.)])\s+")
_YES = re.compile(r"(?<![a-z])(?:da|xong|roi|hoan thanh|done|completed|yes|co)(?![a-z])")
_NO = re.compile(r"(?<![a-z])(?:chua|not yet|not|no|khong)(?![a-z])")
_NOISE_WORDS = frozenset(
    "bao cao so lieu xa phuong dac khu ubnd ngay thang nam dat tinh den toi het tai khoan tk "
    "da chua voi la cua tren of the as on report figures figure ket qua dat duoc hien nay "
    "kinh gui gui cap nhat update muc tong so dong chi em anh chi a oi nhe nha ah "
    "thuong tru cong dan dan so thua doi tuong nguoi".split()
)
_UNIT_HEADER = re.compile(r"(?<![a-z])(?:xa|phuong|dac khu|bao cao|don vi|ubnd)(?![a-z])")
_GENERIC_STEP_PHRASES = frozenset({"ke hoach", "quyet dinh", "van ban", "cong van", "kh"})


@dataclass
class _Context:
    unit: str | None = None
    unit_choices: tuple[str, ...] = ()
    as_of: date | None = None
    group: str | None = None  # 'đánh số nhà: đã …; chưa …': the grouped task named earlier
    unknown_place: str = ""  # 'xã Vĩnh Xuân' was named: no figure may fall back to the sender's


@dataclass(frozen=True)
class Vocabulary:
    """Name indexes and the catalogue facts the parser needs, built once per catalogue."""

    catalogue: Catalogue
    units: NameIndex
    indicators: NameIndex
    names_of: dict[str, frozenset[str]] = field(default_factory=dict)
    steps: tuple[tuple[str, str], ...] = ()  # (folded step phrase, indicator code), longest first

    @classmethod
    def build(cls, catalogue: Catalogue, units: NameIndex, indicators: NameIndex) -> Vocabulary:
        names_of = {i.code: frozenset(_folded_names(i)) for i in catalogue.indicators}
        return cls(catalogue, units, indicators, names_of, _step_phrases(catalogue))


def _folded_names(ind: Indicator) -> list[str]:
    return [fold(n) for n in (ind.name, ind.short, ind.code, ind.en, *ind.aliases) if n]


def _step_phrases(catalogue: Catalogue) -> tuple[tuple[str, str], ...]:
    """'bcđ', 'dự toán', 'hoàn thành'…: what tells the steps of one grouped yes/no task apart."""
    groups: dict[str, list[Indicator]] = {}
    for ind in catalogue.indicators:
        if ind.group and ind.kind == "yesno":
            groups.setdefault(ind.group, []).append(ind)
    phrases: list[tuple[str, str]] = []
    for members in groups.values():
        shared = set.intersection(*(set(_words(fold(m.name))) for m in members))
        for m in members:
            for name in {fold(m.name), *(fold(a) for a in m.aliases)}:
                rest = " ".join(w for w in _words(name) if w not in shared)
                if rest and rest != fold(m.group or ""):
                    phrases.append((rest, m.code))
    phrases.sort(key=lambda p: -len(p[0]))
    return tuple(dict.fromkeys(phrases))


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text)


# --- parsing ----------------------------------------------------------------------------------


def parse(text: str, vocab: Vocabulary, today: date) -> Parsed:
    """Read a whole message. Units default to None (the sender's own); dates to today."""
    if len(text) > MAX_LENGTH:
        return Parsed(problems=(Problem("too_long", detail=str(len(text))),))
    ctx = _Context()
    drafts: list[Draft] = []
    problems: list[Problem] = []
    for raw_line in text.splitlines():
        line = _BULLET.sub("", raw_line)
        for segment in _segments(line, vocab):
            _read_segment(segment, vocab, today, ctx, drafts, problems)
    if len(drafts) > MAX_DRAFTS:
        return Parsed(problems=(Problem("too_many", detail=str(len(drafts))),))
    if not drafts and not problems:
        problems.append(Problem("empty", text[:80]))
    return Parsed(tuple(drafts), tuple(problems))


def _segments(line: str, vocab: Vocabulary) -> list[str]:
    """Cut a line at ';' and ', '; a piece naming an indicator but no figure joins the next one.

    That keeps 'lương hưu, chế độ BHXH 98/100' whole while splitting 'NCC 45/60, BTXH 120/300'.
    """
    folded = fold_same_length(line)
    spans, start = [], 0
    for m in _SEGMENT_SPLIT.finditer(folded):
        if _inside_number(folded, m.start(), m.end()):
            continue
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(line)))
    merged: list[list[int]] = []
    first: int | None = None
    for begin, end in spans:
        piece = folded[begin:end]
        first = begin if first is None else first
        if not _stands_alone(piece, vocab):
            continue  # no figure: joins the next piece, separator and all
        if merged and _RESTATED_RATE.match(piece) and "/" in folded[slice(*merged[-1])]:
            merged[-1][1] = end  # ', đạt tỷ lệ 58%' only restates the fraction before it
        else:
            merged.append([first, end])
        first = None
    if first is not None:
        merged.append([first, len(line)])
    return [line[b:e] for b, e in merged if line[b:e].strip()]


def _inside_number(folded: str, start: int, end: int) -> bool:
    before, after = folded[:start], folded[end:]
    return bool(re.search(r"\d$", before) and re.match(r"\d", after) and end - start <= 2)


def _stands_alone(folded: str, vocab: Vocabulary) -> bool:
    """A figure or a yes/no outside unit and indicator names: 'ĐDDT mức 2', 'Người có công' and
    'Cồn Cỏ' alone are names waiting for their figure, not figures."""
    if not (re.search(r"\d", folded) or _YES.search(folded) or _NO.search(folded)):
        return False
    mask = list(folded)
    for f in (*vocab.indicators.find_all(folded), *vocab.units.find_all(folded)):
        _blank(mask, f.start, f.end)
    rest = "".join(mask)
    return bool(re.search(r"\d", rest) or _YES.search(rest) or _NO.search(rest))


def _read_segment(
    segment: str,
    vocab: Vocabulary,
    today: date,
    ctx: _Context,
    drafts: list[Draft],
    problems: list[Problem],
) -> None:
    mask = list(fold_same_length(segment))
    seg_date = _take_dates(segment, today, mask, vocab)
    indicators = _take_indicators(segment, vocab, mask)
    ctx.group = next((g for g in _groups(indicators, vocab)), ctx.group)
    step = None if indicators else _step_alone("".join(mask), vocab, ctx.group)
    unit_problem = _take_unit(segment, vocab, mask, ctx, had_figure=_has_digits(mask))
    masked = "".join(mask)
    figures = _figures(masked)
    yesno = _yesno(masked)
    fragment = " ".join(segment.split())[:120]
    if not figures and not ((indicators or step) and yesno is not None):
        if seg_date is not None:
            ctx.as_of = seg_date  # a header line: its date applies to what follows
        if indicators and yesno is None and _is_yesno_group(indicators, vocab):
            problems.append(Problem("yesno_unclear", fragment))
        return
    if unit_problem or (ctx.unknown_place and ctx.unit is None and not ctx.unit_choices):
        problems.append(Problem(unit_problem or "unknown_unit", fragment, ctx.unknown_place))
        return
    as_of = seg_date or ctx.as_of or today
    draft = _draft(fragment, figures, yesno, indicators, masked, vocab, ctx, as_of)
    if isinstance(draft, Problem):
        problems.append(draft)
    else:
        drafts.append(draft)


def _has_digits(mask: list[str]) -> bool:
    return any(ch.isdigit() for ch in mask)


def _blank(mask: list[str], start: int, end: int) -> None:
    for i in range(start, min(end, len(mask))):
        mask[i] = " "


def _take_dates(segment: str, today: date, mask: list[str], vocab: Vocabulary) -> date | None:
    """Dates in the segment; the digits of indicator names ('mức 2 1/2') are no figure before
    a 'd/m', so they are hidden from the date reader."""
    probe = list(segment)
    for f in vocab.indicators.find_all("".join(mask)):
        probe[f.start : f.end] = "x" * (f.end - f.start)
    found = find_dates("".join(probe), today)
    for m in found:
        _blank(mask, *m.span)
    return found[0].date if found else None


def _take_indicators(segment: str, vocab: Vocabulary, mask: list[str]) -> list[Found]:
    """Indicator names in the segment, bare 'đạt' (the DAT code) dropped when another is there."""
    found = vocab.indicators.find_all("".join(mask))
    if len(found) > 1:
        found = [f for f in found if fold(f.matched) != "dat"] or found
    elif found and fold(found[0].matched) == "dat" and re.search(r"\d", "".join(mask)):
        found = [f for f in found if not _reads_as_reached(mask, f)]
    for f in found:
        _blank(mask, f.start, f.end)
    return found


def _reads_as_reached(mask: list[str], f: Found) -> bool:
    """'… đạt 83,2%': the verb 'đạt' (reached), not the land-data code DAT."""
    after = "".join(mask[f.end :]).lstrip()
    return bool(re.match(r"\d", after)) and "%" in after


def _take_unit(
    segment: str, vocab: Vocabulary, mask: list[str], ctx: _Context, *, had_figure: bool
) -> str | None:
    """Update the context unit from this segment; return a problem code when it is unclear."""
    found = [f for f in vocab.units.find_all("".join(mask)) if fold(f.matched) != "tinh"]
    keys = list(dict.fromkeys(f.key for f in found))
    for f in found:
        _blank(mask, f.start, f.end)
    if len(keys) > 1:
        return "several_units"
    if keys:
        ctx.unit, ctx.unit_choices, ctx.unknown_place = keys[0], (), ""
        return None
    masked = "".join(mask)
    if not had_figure and not _UNIT_HEADER.search(masked):
        return None  # a stray line ('Kính gửi Tổ công tác') never names a unit by accident
    leftover = _leftover_words(masked)
    fuzzy = vocab.units.fuzzy_find(leftover, min_score=FUZZY_UNIT_ASK) if _short(leftover) else []
    if not fuzzy:
        place = _unknown_place(masked)
        if place:
            ctx.unit, ctx.unit_choices, ctx.unknown_place = None, (), place
            return "unknown_unit"
        return None
    ctx.unknown_place = ""
    best = fuzzy[0]
    at = masked.find(fold_same_length(best.matched))
    if at >= 0:
        _blank(mask, at, at + len(best.matched))
    if best.score >= FUZZY_UNIT_SURE:
        ctx.unit, ctx.unit_choices = best.key, ()
    else:
        close = vocab.units.suggest(best.matched, 3, cutoff=FUZZY_UNIT_ASK)
        choices = tuple(dict.fromkeys([best.key, *(s.key for s in close)]))
        ctx.unit, ctx.unit_choices = None, choices
    return None


def _short(leftover: str) -> bool:
    """Typos are looked for in a few leftover words, never in prose ('… có công dân có …')."""
    return 0 < len(leftover.split()) <= FUZZY_MAX_WORDS


def _unknown_place(masked: str) -> str:
    """'xã Vĩnh Xuân', 'TP Hà Nội': a place word followed by a name that is not a unit's."""
    for m in _PLACE_WORD.finditer(masked):
        words = [w for w in m["name"].split() if w not in _NOISE_WORDS]
        if words and words[0] not in _NOT_PLACE_NAMES:
            return m.group()
    return ""


def _leftover_words(masked: str) -> str:
    words = [w for w in re.findall(r"[a-z]+", masked) if w not in _NOISE_WORDS]
    return " ".join(words)


def _figures(masked: str) -> list[tuple[str, object]]:
    """Figures left in the masked text: ('fraction', (num, den)), ('percent', ...), ('single', ...).

    Values are raw strings here; bad ones are reported by _draft.
    """
    out: list[tuple[str, object]] = []
    taken = list(masked)
    for m in _CHANGE.finditer(masked):
        _blank(taken, m.start(), m.end())
    masked = "".join(taken)
    for m in _SLASHED.finditer(masked):
        out.append(("bad", m.group()))
        _blank(taken, m.start(), m.end())
    masked = "".join(taken)
    for m in _FRACTION.finditer(masked):
        if _NOT_FIGURE_BEFORE.search(masked[: m.start()]):
            continue
        out.append(("fraction", (m["num"], m["den"])))
        _blank(taken, m.start(), m.end())
    rest = "".join(taken)
    for m in _PERCENT.finditer(rest):
        _blank(taken, m.start(), m.end())
        if not _restates(out, m["pct"]):
            out.append(("percent", m["pct"]))
    rest = "".join(taken)
    for m in _SINGLE.finditer(rest):
        if not _NOT_FIGURE_BEFORE.search(rest[: m.start()]):
            out.append(("single", m["one"]))
    if any(kind != "single" for kind, _ in out):
        stray = [v for kind, v in out if kind == "single"]
        out = [(k, v) for k, v in out if k != "single"] + [("stray", s) for s in stray]
    return out


def _restates(out: list[tuple[str, object]], pct_text: str) -> bool:
    """'1.234/5.678 (21,7%)': a percent that only repeats the fraction is not a second figure."""
    fractions = [v for k, v in out if k == "fraction"]
    pct = parse_percent(f"{pct_text}%")
    if len(fractions) != 1 or pct is None:
        return False
    num, den = (parse_int(str(x)) for x in fractions[0])  # type: ignore[attr-defined]
    if num is None or not den:
        return False
    return abs(Decimal(num) / Decimal(den) - pct) <= Decimal("0.0015")


def _yesno(masked: str) -> bool | None:
    if _NO.search(masked):
        return False
    if _YES.search(masked):
        return True
    return None


def _is_yesno_group(found: list[Found], vocab: Vocabulary) -> bool:
    return any(vocab.catalogue.indicator(f.key).kind == "yesno" for f in found)


def _draft(
    fragment: str,
    figures: list[tuple[str, object]],
    yesno: bool | None,
    found: list[Found],
    masked: str,
    vocab: Vocabulary,
    ctx: _Context,
    as_of: date,
) -> Draft | Problem:
    if any(kind == "bad" for kind, _ in figures):
        return Problem("bad_number", fragment)
    base = Draft(
        indicator=None, unit=ctx.unit, as_of=as_of, unit_choices=ctx.unit_choices,
        fragment=fragment,
    )  # fmt: skip
    chosen = _choose_indicator(found, masked, vocab, fragment, ctx.group)
    if isinstance(chosen, Problem):
        return chosen
    base = replace(base, indicator=chosen[0], indicator_choices=chosen[1],
                   indicator_unknown=chosen[2])  # fmt: skip
    kinds = {vocab.catalogue.indicator(c).kind for c in (chosen[0], *chosen[1]) if c}
    real = [f for f in figures if f[0] != "stray"]
    if "yesno" in kinds and kinds == {"yesno"}:
        if real:
            return Problem("figure_for_yesno", fragment)
        if yesno is None:
            return Problem("yesno_unclear", fragment)
        return replace(base, done=yesno)
    if not real:
        return Problem("yesno_for_ratio" if yesno is not None else "missing_total", fragment)
    if len(real) > 1 or any(f[0] == "stray" for f in figures):
        return Problem("several_figures", fragment)
    return _with_figure(base, real[0], kinds, fragment)


def _choose_indicator(
    found: list[Found], masked: str, vocab: Vocabulary, fragment: str, group: str | None = None
) -> tuple[str | None, tuple[str, ...], bool] | Problem:
    """(code, choices, unknown): one code, or None with the codes to ask about."""
    codes = list(dict.fromkeys(f.key for f in found))
    if not codes:
        step = _step_alone(masked, vocab, group)
        if step:
            return step, (), False
        words = _leftover_words(re.sub(r"[\d.,/%]+", " ", masked))
        if not words:
            return Problem("no_indicator", fragment)
        suggestions = tuple(s.key for s in vocab.indicators.suggest(words, 3))
        return None, suggestions, True
    if len(codes) > 1:
        codes = _one_step(found, codes, vocab)
    if len(codes) > 1:
        return Problem("several_indicators", fragment)
    code = _refine_step(codes[0], masked, vocab)
    ambiguous = _ambiguous(found, code, vocab)
    if ambiguous:
        order = [i.code for i in vocab.catalogue.indicators]
        return None, tuple(sorted((code, *ambiguous), key=order.index)), False
    return code, (), False


def _one_step(found: list[Found], codes: list[str], vocab: Vocabulary) -> list[str]:
    """'đã thành lập BCĐ đánh số nhà': the task's own name ('đánh số nhà') gives way to the step.

    Only when every name found belongs to one grouped yes/no task and exactly one of them is
    more than the words all its steps share.
    """
    inds = [vocab.catalogue.indicator(c) for c in codes]
    group = inds[0].group
    if not group or any(i.group != group or i.kind != "yesno" for i in inds):
        return codes
    members = [i for i in vocab.catalogue.indicators if i.group == group]
    shared = set.intersection(*(set(_words(fold(m.name))) for m in members))
    specific = {f.key for f in found if not set(_words(fold(f.matched))) <= shared}
    return list(specific) if len(specific) == 1 else codes


def _refine_step(code: str, masked: str, vocab: Vocabulary) -> str:
    """'đánh số nhà: đã thành lập BCĐ' names the group; the step phrase picks the step."""
    ind = vocab.catalogue.indicator(code)
    if not ind.group or ind.kind != "yesno":
        return code
    for phrase, step_code in vocab.steps:
        if vocab.catalogue.indicator(step_code).group != ind.group:
            continue
        if re.search(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])", masked):
            return step_code
    return code


def _groups(found: list[Found], vocab: Vocabulary) -> list[str]:
    inds = (vocab.catalogue.indicator(f.key) for f in found)
    return [i.group for i in inds if i.group and i.kind == "yesno"]


def _step_alone(masked: str, vocab: Vocabulary, group: str | None = None) -> str | None:
    """'chưa lập dự toán': a step phrase of two words or more that only one step uses.

    After the task was named ('đánh số nhà: đã thành lập BCĐ; đã ban hành KH'), any phrase of
    one of its steps will do.
    """
    if _yesno(masked) is None:
        return None
    for phrase, step_code in vocab.steps:
        in_group = group is not None and vocab.catalogue.indicator(step_code).group == group
        if not in_group and (len(phrase.split()) < 2 or phrase in _GENERIC_STEP_PHRASES):
            continue
        if re.search(rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])", masked):
            return step_code
    return None


def _ambiguous(found: list[Found], code: str, vocab: Vocabulary) -> tuple[str, ...]:
    """Indicators this name also names ('ĐDDT' is both DDDT and DDDT_M2)."""
    ind = vocab.catalogue.indicator(code)
    matched = {fold(f.matched) for f in found if f.key == code}
    others = []
    for other in ind.ambiguous_with:
        if any(m in vocab.names_of.get(other, frozenset()) for m in matched):
            others.append(other)
    return tuple(others)


def _with_figure(
    base: Draft, figure: tuple[str, object], kinds: set[str], fragment: str
) -> Draft | Problem:
    kind, value = figure
    if kind == "fraction":
        num_text, den_text = (str(x) for x in value)  # type: ignore[attr-defined]
        if str(num_text).startswith("-") or str(den_text).startswith("-"):
            return Problem("negative", fragment)
        num, den = _bounded(str(num_text)), _bounded(str(den_text))
        if num is None or den is None:
            return Problem("bad_number", fragment)
        return replace(base, numerator=num, denominator=den)
    if kind == "percent":
        text = str(value)
        if text.startswith("-"):
            return Problem("negative", fragment)
        pct = parse_percent(f"{text}%")
        if pct is None:
            return Problem("bad_number", fragment)
        if pct > 1:
            return Problem("rate_over_100", fragment)
        return replace(base, rate=pct)
    text = str(value)
    if text.startswith("-"):
        return Problem("negative", fragment)
    if "count" in kinds and kinds == {"count"}:
        n = _bounded(text)
        return Problem("bad_number", fragment) if n is None else replace(base, numerator=n)
    return Problem("missing_total" if parse_int(text) is not None else "bad_number", fragment)


def _bounded(text: str) -> int | None:
    """A whole number in Vietnamese or plain format, no larger than MAX_VALUE."""
    n = parse_int(text)
    return n if n is not None and n <= MAX_VALUE else None


# --- choices made afterwards ------------------------------------------------------------------


def choose_unit(drafts: tuple[Draft, ...], code: str) -> tuple[Draft, ...]:
    """The officer picked a unit: it applies to every draft still without one."""
    return tuple(
        replace(d, unit=code, unit_choices=()) if d.unit is None or d.unit_choices else d
        for d in drafts
    )


def choose_indicator(drafts: tuple[Draft, ...], index: int, code: str) -> tuple[Draft, ...]:
    """The officer picked the indicator of draft `index`."""
    return tuple(
        replace(d, indicator=code, indicator_choices=(), indicator_unknown=False)
        if i == index
        else d
        for i, d in enumerate(drafts)
    )


def draft_to_dict(d: Draft) -> dict[str, object]:
    """A JSON-safe form for a pending confirmation (pending_actions.payload)."""
    return {
        "indicator": d.indicator, "unit": d.unit, "as_of": d.as_of.isoformat(),
        "numerator": d.numerator, "denominator": d.denominator, "done": d.done,
        "rate": str(d.rate) if d.rate is not None else None, "derived": d.derived,
        "indicator_choices": list(d.indicator_choices), "indicator_unknown": d.indicator_unknown,
        "unit_choices": list(d.unit_choices), "fragment": d.fragment,
    }  # fmt: skip


def draft_from_dict(raw: dict[str, object]) -> Draft:
    rate = raw.get("rate")
    return Draft(
        indicator=_opt_str(raw.get("indicator")),
        unit=_opt_str(raw.get("unit")),
        as_of=date.fromisoformat(str(raw["as_of"])),
        numerator=_opt_int(raw.get("numerator")),
        denominator=_opt_int(raw.get("denominator")),
        done=None if raw.get("done") is None else bool(raw.get("done")),
        rate=Decimal(str(rate)) if rate is not None else None,
        derived=bool(raw.get("derived", False)),
        indicator_choices=tuple(str(c) for c in _list(raw.get("indicator_choices"))),
        indicator_unknown=bool(raw.get("indicator_unknown", False)),
        unit_choices=tuple(str(c) for c in _list(raw.get("unit_choices"))),
        fragment=str(raw.get("fragment", "")),
    )


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)


def _opt_int(value: object) -> int | None:
    return None if value is None else int(str(value))


def _list(value: object) -> list[object]:
    return list(value) if isinstance(value, list | tuple) else []
