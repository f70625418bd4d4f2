"""Reading per-unit tables from spreadsheets: headers by name, rows validated, a preview.

Pure: a grid of cell values (str, int, float, None; dates already ISO strings) comes in, typed
rows and reasons come out. The service reads the file, the store supplies the stored figures.

Headers vary between exports ("Đơn vị" / "Tên đơn vị" / "Địa phương" / "Xã, phường";
"Số đã tích hợp" / "Tổng số" / "Tỷ lệ"), may span two rows (an indicator name over its columns,
merged in the original and forward-filled here) and are matched folded, without diacritics.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

from domain.dates import find_dates
from domain.matching import NameIndex, Suggestion
from domain.numbers import parse_int, parse_percent
from domain.text import fold

Cell = str | int | float | None
Grid = Sequence[Sequence[Cell]]

HEADER_SCAN_ROWS = 12  # a header sits within the first rows, under the title lines
RATE_TOLERANCE = Fraction(6, 1000)  # 0,6 point: reports round 57,99% to 58%

# Column roles, recognised by words in the folded header text (most specific first).
_UNIT_WORDS = (
    "ten don vi", "don vi", "dia phuong", "ten dia phuong", "xa, phuong", "xa/phuong",
    "xa phuong", "ten xa", "ubnd cap xa", "unit", "commune",
)  # fmt: skip
_STT_WORDS = ("stt", "tt", "so thu tu", "no", "#")
_RATE_WORDS = ("ty le", "%", "rate", "ti le")
_DEN_WORDS = (
    "tong so", "tong", "mau so", "so phai", "phai tich hop", "du dieu kien", "so doi tuong",
    "denominator", "total",
)  # fmt: skip
_NUM_WORDS = (
    "so da", "da tich hop", "da dang ky", "da co", "da thuc hien", "da cap", "ket qua", "tu so",
    "so dat", "dat duoc", "dat", "hoan thanh", "numerator", "done",
)  # fmt: skip
_DATE_WORDS = ("ngay so lieu", "tinh den", "ngay cap nhat", "ngay bao cao", "ngay", "as of")
_TOTAL_WORDS = ("tong cong", "tong so", "cong", "toan tinh", "tong", "total")
_PLAN_WORDS = ("nhiem vu", "thoi gian hoan thanh", "thoi han", "don vi chu tri", "san pham")
_GENERIC = frozenset(
    "so da dat duoc tong ty ti le tich hop dang ky thuc hien ket qua tu mau phai du dieu kien "
    "hoan thanh cap chi tieu luong doi tuong".split()
)
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")


# --- header ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorColumns:
    """Where one indicator's figures sit; `code` None when the header does not name it."""

    code: str | None
    numerator: int | None = None
    denominator: int | None = None
    rate: int | None = None


@dataclass(frozen=True)
class Header:
    """A recognised header: the unit column, one group of columns per indicator."""

    row: int  # index of the last header row; data starts below it
    unit: int
    groups: tuple[IndicatorColumns, ...]
    date: int | None = None
    title_lines: tuple[str, ...] = ()  # text above the header: "BẢNG TỔNG HỢP … ASXH …"


def _text(cell: Cell) -> str:
    return "" if cell is None else str(cell).strip()


def _has_word(folded: str, words: Iterable[str]) -> bool:
    return any(re.search(rf"(?<![a-z0-9]){re.escape(w)}(?![a-z0-9])", folded) for w in words)


def role_of(header_text: str) -> str | None:
    """'unit' | 'stt' | 'rate' | 'denominator' | 'numerator' | 'date' | None for a header cell."""
    folded = " ".join(fold(header_text).replace("_", " ").split())
    if not folded or folded.startswith(("ma ", "code")):
        return None  # "Mã đơn vị" is a code column, not the name
    for role, words in (
        ("rate", _RATE_WORDS),
        ("date", _DATE_WORDS[:4]),
        ("unit", _UNIT_WORDS),
        ("stt", _STT_WORDS),
        ("numerator", _NUM_WORDS),
        ("denominator", _DEN_WORDS),
        ("date", _DATE_WORDS[4:]),
    ):
        if _has_word(folded, words):
            return role
    return None


def _forward_fill(row: Sequence[Cell], below: Sequence[Cell]) -> list[str]:
    """A merged group label repeats over the columns that have a sub-header under them."""
    out, last = [], ""
    for i, cell in enumerate(row):
        text = _text(cell)
        if text:
            last = text
        has_sub = i < len(below) and bool(_text(below[i]))
        out.append(text or (last if has_sub else ""))
    return out


def _unit_column(row: Sequence[Cell]) -> int | None:
    for i, cell in enumerate(row):
        if role_of(_text(cell)) == "unit":
            return i
    return None


def find_header(grid: Grid, indicators: NameIndex) -> Header | None:
    """The header row (the first with a unit column and a figure column), merged with the row
    above or below when that row labels groups of columns (a two-row header)."""
    for r, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        unit = _unit_column(row)
        if unit is None:
            continue
        roles = [role_of(_text(c)) for c in row]
        if r + 1 < len(grid) and _is_sub_header(grid[r + 1]):
            # "Đơn vị | ASXH (merged) …" over "| Số đã tích hợp | Tổng số | Tỷ lệ"
            groups_row, labels_row, first, last = list(row), grid[r + 1], r, r + 1
        elif any(x in ("numerator", "denominator", "rate") for x in roles):
            above = list(grid[r - 1]) if r else []
            grouped = r > 0 and _is_group_row(above, roles)
            groups_row, labels_row = (above if grouped else []), row
            first, last = (r - 1 if grouped else r), r
        else:
            continue
        filled = _forward_fill(groups_row, labels_row) if groups_row else []
        return _header(filled, labels_row, unit, last, indicators, grid[:first])
    return None


def _is_group_row(row: Sequence[Cell], roles: Sequence[str | None]) -> bool:
    """Labels over the figure columns, not a title line that sits in the first cell."""
    figure_cols = [i for i, x in enumerate(roles) if x in ("numerator", "denominator", "rate")]
    start = min(figure_cols) if figure_cols else len(row)
    return any(_text(c) for c in row[start:])


def _is_sub_header(row: Sequence[Cell]) -> bool:
    roles = [role_of(_text(c)) for c in row]
    figures = sum(x in ("numerator", "denominator", "rate") for x in roles)
    numbers = sum(isinstance(c, int | float) for c in row)
    return figures >= 2 and numbers == 0


def _header(
    groups_row: list[str],
    labels_row: Sequence[Cell],
    unit: int,
    last: int,
    indicators: NameIndex,
    above: Grid,
) -> Header:
    groups: list[IndicatorColumns] = []
    current: dict[str, int | str | None] = {}
    date_col: int | None = None
    for i, cell in enumerate(labels_row):
        label, group_label = _text(cell), (groups_row[i] if i < len(groups_row) else "")
        if not label:  # merged over two rows: the label sits in the upper row
            label, group_label = group_label, ""
        role = role_of(label)
        if role == "date" and not group_label.strip():
            date_col = i
            continue
        if role not in ("numerator", "denominator", "rate") or i == unit:
            continue
        code = _indicator_in(group_label, indicators) or _indicator_in(
            _specific_words(label), indicators
        )
        if current and (current.get(role) is not None or current.get("code") != code):
            groups.append(_group(current))
            current = {}
        current["code"] = code
        current[role] = i
    if current:
        groups.append(_group(current))
    title = tuple(" ".join(_text(c) for c in row if _text(c)) for row in above)
    return Header(last, unit, tuple(groups), date_col, tuple(t for t in title if t))


def _group(parts: Mapping[str, int | str | None]) -> IndicatorColumns:
    def col(key: str) -> int | None:
        value = parts.get(key)
        return value if isinstance(value, int) else None

    code = parts.get("code")
    return IndicatorColumns(
        code if isinstance(code, str) else None,
        col("numerator"),
        col("denominator"),
        col("rate"),
    )


def _specific_words(label: str) -> str:
    """A column label without the words every export uses ('Số đã đạt' must not read as 'đất')."""
    return " ".join(w for w in fold(label).split() if w.strip("()%") not in _GENERIC)


def _indicator_in(text: str, indicators: NameIndex) -> str | None:
    """The one indicator a text names; None when it names none or several."""
    keys = {f.key for f in indicators.find_all(text)}
    return keys.pop() if len(keys) == 1 else None


def looks_like_plan_table(grid: Grid) -> bool:
    """A plan's task table (the deadlines capability reads it), not a table of figures."""
    for row in grid[:HEADER_SCAN_ROWS]:
        folded = [fold(_text(c)) for c in row]
        hits = sum(any(w in f for w in _PLAN_WORDS) for f in folded)
        if hits >= 2 and not any(role_of(_text(c)) in ("denominator", "rate") for c in row):
            return True
    return False


# --- context: which indicator, which day --------------------------------------------------------


def clean_filename(filename: str) -> str:
    """'ASXH_20-4-2026.xlsx' -> 'ASXH 20-4-2026' (words the matchers can read)."""
    stem = filename.rsplit(".", 1)[0] if "." in filename else filename
    return " ".join(re.sub(r"[_+]+", " ", stem).split())


def date_in(texts: Iterable[str], today: date) -> date | None:
    """The first date named in the caption, file name or title lines ('tính đến 20/4/2026')."""
    for text in texts:
        iso = _ISO_DATE.search(text)
        if iso:
            try:
                return date(int(iso[1]), int(iso[2]), int(iso[3]))
            except ValueError:
                pass
        found = [d for d in find_dates(text, today) if d.has_year or not d.relative]
        if found:
            return found[0].date
    return None


def indicators_in(texts: Iterable[str], indicators: NameIndex) -> list[str]:
    """Indicators named in the context texts, in order of first mention, without repeats."""
    seen: list[str] = []
    for text in texts:
        for f in indicators.find_all(text):
            if f.key not in seen:
                seen.append(f.key)
        if seen:
            return seen  # the most specific source that names one wins
    return seen


# --- rows ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowFigure:
    """A valid row: one unit's figure for one indicator."""

    line: int  # 1-based row number in the sheet, as the user sees it
    unit: str
    indicator: str
    numerator: int
    denominator: int
    as_of: date
    derived: bool = False  # numerator computed from the rate

    @property
    def rate(self) -> Fraction | None:
        return Fraction(self.numerator, self.denominator) if self.denominator else None


@dataclass(frozen=True)
class Unmatched:
    line: int
    name: str
    suggestions: tuple[Suggestion, ...] = ()


@dataclass(frozen=True)
class RowError:
    """reason: number | missing | over | zero | rate_mismatch | duplicate | future | no_date"""

    line: int
    name: str
    reason: str
    indicator: str | None = None


@dataclass(frozen=True)
class Forbidden:
    line: int
    unit: str


@dataclass
class Parsed:
    """Everything read from one sheet, before any comparison with the store."""

    header: Header
    indicators: tuple[str, ...]
    as_of: date | None
    rows: list[RowFigure] = field(default_factory=list)
    unmatched: list[Unmatched] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    forbidden: list[Forbidden] = field(default_factory=list)
    skipped: int = 0  # blank and total rows
    needs: tuple[str, ...] = ()  # "indicator" | "as_of": ask before a preview


def cell_int(cell: Cell) -> int | None:
    """A count from a cell: 1234, 1234.0, '1.234', '1 234'; None when blank or not a count."""
    if cell is None or isinstance(cell, bool):
        return None
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float):
        return int(cell) if cell.is_integer() else None
    return parse_int(cell)


def cell_rate(cell: Cell) -> Fraction | None:
    """A rate from a cell: 0.248 (a % formatted cell), 24.8, '24,8%', '24,8'."""
    if cell is None or isinstance(cell, bool):
        return None
    if isinstance(cell, int | float):
        value = Fraction(str(cell))
        return value / 100 if value > Fraction(3, 2) else value
    text = cell.strip()
    parsed = parse_percent(text if "%" in text else f"{text}%")
    return None if parsed is None else Fraction(Decimal(parsed))


def _blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def _cell(row: Sequence[Cell], col: int | None) -> Cell:
    return row[col] if col is not None and col < len(row) else None


def _is_total(name: str) -> bool:
    folded = fold(name)
    return any(folded == w or folded.startswith(w + " ") for w in _TOTAL_WORDS)


def resolve_unit(name: str, units: NameIndex) -> str | None:
    """'Vĩnh Thủy', 'xã Vĩnh Thủy', 'UBND xã Vĩnh Thủy', 'P. Đông Hà' -> the unit code."""
    code = units.lookup(name)
    if code:
        return code
    keys = {f.key for f in units.find_all(name)}
    return keys.pop() if len(keys) == 1 else None


@dataclass(frozen=True)
class Context:
    """What the sheet is read against: the catalogue's names and what the user has told."""

    units: NameIndex
    indicators: NameIndex
    today: date
    indicator_hint: str | None = None  # chosen by the user, or from caption/file name
    as_of_hint: date | None = None
    allowed: frozenset[str] | None = None  # unit codes the actor may write for; None = any
    skip_units: frozenset[str] = frozenset()  # the province row is a total, not a unit
    suggest_limit: int = 3


def parse_sheet(grid: Grid, header: Header, ctx: Context) -> Parsed:
    """Validate every data row under the header."""
    groups = tuple(
        IndicatorColumns(g.code or ctx.indicator_hint, g.numerator, g.denominator, g.rate)
        for g in header.groups
    )
    codes = tuple(dict.fromkeys(g.code for g in groups if g.code))
    needs: list[str] = []
    if any(g.code is None for g in groups) or not groups:
        needs.append("indicator")
    dated_rows = header.date is not None
    if ctx.as_of_hint is None and not dated_rows:
        needs.append("as_of")
    parsed = Parsed(header, codes, ctx.as_of_hint, needs=tuple(needs))
    if needs:
        return parsed
    seen: set[tuple[str, str]] = set()
    for index in range(header.row + 1, len(grid)):
        _read_row(grid[index], index + 1, groups, ctx, parsed, seen)
    return parsed


def _read_row(
    row: Sequence[Cell],
    line: int,
    groups: Sequence[IndicatorColumns],
    ctx: Context,
    parsed: Parsed,
    seen: set[tuple[str, str]],
) -> None:
    name = _text(_cell(row, parsed.header.unit))
    figures_blank = all(
        _blank(_cell(row, c)) for g in groups for c in (g.numerator, g.denominator, g.rate)
    )
    if not name or figures_blank or _is_total(name):
        parsed.skipped += 1
        return
    unit = resolve_unit(name, ctx.units)
    if unit is None:
        found = ctx.units.suggest(name, ctx.suggest_limit, cutoff=60.0)
        parsed.unmatched.append(Unmatched(line, name, tuple(found)))
        return
    if unit in ctx.skip_units:
        parsed.skipped += 1
        return
    if ctx.allowed is not None and unit not in ctx.allowed:
        parsed.forbidden.append(Forbidden(line, unit))
        return
    as_of = _row_date(row, parsed, ctx)
    if isinstance(as_of, str):
        parsed.errors.append(RowError(line, name, as_of))
        return
    for g in groups:
        assert g.code is not None
        result = read_figure(row, g)
        if result == "blank":
            continue
        if (unit, g.code) in seen:
            parsed.errors.append(RowError(line, name, "duplicate", g.code))
            continue
        seen.add((unit, g.code))
        if isinstance(result, str):
            parsed.errors.append(RowError(line, name, result, g.code))
            continue
        num, den, derived = result
        parsed.rows.append(RowFigure(line, unit, g.code, num, den, as_of, derived))


def _row_date(row: Sequence[Cell], parsed: Parsed, ctx: Context) -> date | str:
    cell = _cell(row, parsed.header.date)
    day: date | None = None
    if not _blank(cell):
        day = date_in([_text(cell)], ctx.today) if not isinstance(cell, int | float) else None
        if day is None:
            return "bad_date"
    day = day or ctx.as_of_hint
    if day is None:
        return "no_date"
    if day > ctx.today:
        return "future"
    return day


def read_figure(row: Sequence[Cell], g: IndicatorColumns) -> tuple[int, int, bool] | str:
    """(numerator, denominator, derived) or a reason: blank | number | missing | zero | over |
    rate_mismatch."""
    raw_num, raw_den, raw_rate = (_cell(row, g.numerator), _cell(row, g.denominator),
                                  _cell(row, g.rate))  # fmt: skip
    if all(_blank(c) for c in (raw_num, raw_den, raw_rate)):
        return "blank"
    num, den, rate = cell_int(raw_num), cell_int(raw_den), cell_rate(raw_rate)
    for raw, value in ((raw_num, num), (raw_den, den), (raw_rate, rate)):
        if not _blank(raw) and value is None:
            return "number"
    if den is None:
        return "missing"
    if den <= 0:
        return "zero"
    derived = False
    if num is None:
        if rate is None:
            return "missing"
        num, derived = round(rate * den), True
    if num < 0 or num > den:
        return "over"
    if rate is not None and not derived and abs(Fraction(num, den) - rate) > RATE_TOLERANCE:
        return "rate_mismatch"
    return num, den, derived


# --- changes against the store -----------------------------------------------------------------


@dataclass(frozen=True)
class Stored:
    """The latest stored figure of a unit for an indicator, as of the imported day."""

    unit: str
    indicator: str
    numerator: int | None
    denominator: int | None
    as_of: date


@dataclass(frozen=True)
class RowChange:
    """kind: new | changed | same."""

    row: RowFigure
    kind: str
    before: Stored | None = None

    @property
    def delta(self) -> Fraction | None:
        """Change of the rate, as a fraction (0.05 = 5 points)."""
        b = self.before
        if b is None or b.numerator is None or not b.denominator or self.row.rate is None:
            return None
        return self.row.rate - Fraction(b.numerator, b.denominator)


def compare(rows: Iterable[RowFigure], stored: Iterable[Stored]) -> list[RowChange]:
    """Each row against what is stored: same figures on the same day are not stored again."""
    latest = {(s.unit, s.indicator): s for s in stored}
    out = []
    for r in rows:
        before = latest.get((r.unit, r.indicator))
        if before is None:
            out.append(RowChange(r, "new"))
        elif (before.numerator, before.denominator, before.as_of) == (
            r.numerator,
            r.denominator,
            r.as_of,
        ):
            out.append(RowChange(r, "same", before))
        else:
            out.append(RowChange(r, "changed", before))
    return out


@dataclass(frozen=True)
class Preview:
    """What the user sees before [Nhập]: counts and the lines worth reading."""

    parsed: Parsed
    changes: tuple[RowChange, ...]

    @property
    def to_import(self) -> list[RowFigure]:
        return [c.row for c in self.changes if c.kind != "same"]

    @property
    def unchanged(self) -> int:
        return sum(c.kind == "same" for c in self.changes)


def preview(parsed: Parsed, stored: Iterable[Stored]) -> Preview:
    return Preview(parsed, tuple(compare(parsed.rows, stored)))
