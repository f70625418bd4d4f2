"""The message corpus against the bundled Quảng Trị catalogue (the one the bot really loads)."""

from __future__ import annotations

from datetime import date

import pytest

from domain.submissions import Draft, Parsed, Vocabulary, looks_like_submission, parse
from domain.text import strip_diacritics
from domain.validation import Figure, check
from services.catalogue import load_catalogue
from services.context import indicator_index, unit_index
from tests.conftest import REPO_ROOT
from tests.figures.corpus import ROWS

TODAY = date(2026, 4, 22)
OWN_UNIT = "vinh-thuy"  # the sender's unit when the message names none
CAT = load_catalogue(REPO_ROOT / "catalogues" / "quang-tri")
VOCAB = Vocabulary.build(CAT, unit_index(CAT), indicator_index(CAT))


def _draft(d: Draft) -> str:
    unit = d.unit or ("?" + ",".join(d.unit_choices) if d.unit_choices else "-")
    ind = d.indicator or "?" + ",".join(d.indicator_choices)
    done = "-" if d.done is None else str(d.done)
    num = "-" if d.numerator is None else str(d.numerator)
    den = "-" if d.denominator is None else str(d.denominator)
    rate = "" if d.rate is None else f"|{d.rate}"
    return f"{unit}|{ind}|{num}|{den}|{done}|{d.as_of.isoformat()}{rate}"


def _checked(d: Draft) -> str | None:
    """The first error domain.validation finds in a draft that is fully decided."""
    if d.indicator is None or d.unit_choices or (d.rate is not None and d.numerator is None):
        return None  # still to be chosen, or derived from the known total by the service
    figure = Figure(d.as_of, d.numerator, d.denominator, d.done)
    errors = check(CAT, d.unit or OWN_UNIT, d.indicator, figure, TODAY)
    return errors[0].code if errors else None


def read(text: str) -> object:
    parsed: Parsed = parse(text, VOCAB, TODAY)
    if parsed.problems:
        return "!" + parsed.problems[0].code
    for d in parsed.drafts:
        error = _checked(d)
        if error:
            return "!!" + error
    return [_draft(d) for d in parsed.drafts]


def _id(row: tuple[str, str, object]) -> str:
    return f"{row[0]}:{row[1][:40]!r}"


@pytest.mark.parametrize(("kind", "text", "expected"), ROWS, ids=[_id(r) for r in ROWS])
def test_corpus_row(kind: str, text: str, expected: object) -> None:
    assert read(text) == expected


@pytest.mark.parametrize(
    ("kind", "text", "expected"),
    [r for r in ROWS if isinstance(r[2], list)],
    ids=[_id(r) for r in ROWS if isinstance(r[2], list)],
)
def test_readable_rows_are_taken_as_submissions(kind: str, text: str, expected: object) -> None:
    assert looks_like_submission(text)


def test_corpus_is_large_and_varied() -> None:
    kinds = [k for k, _, _ in ROWS]
    texts = [t for _, t, _ in ROWS]
    assert len(ROWS) >= 150
    assert len(set(texts)) == len(texts), "duplicate rows"
    assert kinds.count("en") >= 20
    assert kinds.count("bad") >= 40
    plain = [t for t in texts if t == strip_diacritics(t) and any(c.isalpha() for c in t)]
    assert len(plain) >= 40
    assert all(t == strip_diacritics(t) for k, t, _ in ROWS if k == "nd")
    refused = [e for e in (r[2] for r in ROWS) if isinstance(e, str)]
    assert len(refused) >= 40


def test_quang_tri_alone_is_the_ward_and_the_province_is_named_as_such() -> None:
    assert read("Quảng Trị ASXH 1/2") == ["phuong-quang-tri|ASXH|1|2|-|2026-04-22"]
    for name in ("toàn tỉnh", "tỉnh Quảng Trị", "toàn tỉnh Quảng Trị"):
        assert read(f"{name} ĐDDT tổ chức 7/9") == ["quang-tri|DDDT_TC|7|9|-|2026-04-22"], name
