"""A plan's task table (TT | Nhiệm vụ | … | Thời gian thực hiện | Kết quả/sản phẩm) as rows.

Pure: cells in (strings read from a .docx or .xlsx), typed rows out. Roman-numeral rows open a
section; rows with an empty TT continue the task above (a row split by a page break); header
rows repeated on every page are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from domain.text import fold_words

FIELDS = ("number", "title", "directive", "lead", "coordinating", "due_text", "product")
# Folded header words of each column; the first header row fixes the column order.
_HEADER_WORDS = {
    "number": ("tt", "stt"),
    "title": ("nhiem vu", "noi dung"),
    "directive": ("van ban chi dao", "can cu"),
    "lead": ("co quan chu tri", "don vi chu tri", "chu tri"),
    "coordinating": ("co quan phoi hop", "don vi phoi hop", "phoi hop"),
    "due_text": ("thoi gian thuc hien", "thoi gian hoan thanh", "thoi han"),
    "product": ("ket qua/san pham", "ket qua / san pham", "san pham", "ket qua"),
}
_REQUIRED = ("number", "title", "lead", "due_text")
_ROMAN = re.compile(r"^(?=[IVXL])(L?X{0,3})(IX|IV|V?I{0,3})\.?$")
_NUMBER = re.compile(r"^(\d{1,3})\.?$")


@dataclass
class PlanRow:
    section: str
    section_title: str
    number: int
    title: str = ""
    directive: str = ""
    lead: str = ""
    coordinating: str = ""
    due_text: str = ""
    product: str = ""

    @property
    def label(self) -> str:
        return f"{self.section}.{self.number}" if self.section else str(self.number)


@dataclass
class PlanTable:
    rows: list[PlanRow] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # rows neither task, section nor header


def _clean(cell: object) -> str:
    return " ".join(str(cell or "").split())


def header_columns(cells: Sequence[object]) -> dict[str, int] | None:
    """Column index of each field when this row is the task table's header, else None."""
    found: dict[str, int] = {}
    for index, cell in enumerate(cells):
        folded = fold_words(_clean(cell))
        for name, words in _HEADER_WORDS.items():
            if name not in found and any(folded == w or folded.startswith(w) for w in words):
                found[name] = index
                break
    return found if all(name in found for name in _REQUIRED) else None


def _join(old: str, new: str) -> str:
    return f"{old} {new}".strip() if new else old


def _is_section(first: str) -> bool:
    return bool(first) and bool(_ROMAN.match(first.upper())) and first.upper() == first


def parse_table(rows: Sequence[Sequence[object]]) -> PlanTable:
    """Read every task row after the first header row."""
    table = PlanTable()
    columns: dict[str, int] | None = None
    section = section_title = ""
    current: PlanRow | None = None
    for raw in rows:
        cells = [_clean(c) for c in raw]
        header = header_columns(cells)
        if header is not None:
            columns = columns or header
            continue
        if columns is None or not any(cells):
            continue
        values = {n: cells[i] if i < len(cells) else "" for n, i in columns.items()}
        first = values["number"]
        if _is_section(first):
            section, section_title, current = first.rstrip("."), _section_title(values, cells), None
        elif _NUMBER.match(first):
            current = PlanRow(section, section_title, int(_NUMBER.match(first)[1]))  # type: ignore[index]
            table.rows.append(current)
            _merge(current, values)
        elif not first and current is not None:
            _merge(current, values)  # the task continues across a page break
        else:
            table.skipped.append(" | ".join(c for c in cells if c)[:120])
    return table


def _section_title(values: dict[str, str], cells: list[str]) -> str:
    """A section row's title sits in the task column (merged cells repeat it)."""
    return values.get("title") or next((c for c in cells[1:] if c), "")


def _merge(row: PlanRow, values: dict[str, str]) -> None:
    for name in FIELDS[1:]:
        if name in values:
            setattr(row, name, _join(getattr(row, name), values[name]))
