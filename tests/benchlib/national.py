"""The national-scale data set: a synthetic catalogue of 3,321 commune-level units and 30
indicators, and a database with 24 monthly figures each (~2.4M rows), cached under data/bench/.

The same filler seeds the small Quảng Trị database the per-message benchmarks run on.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from domain.clock import FixedClock
from domain.text import fold
from services.catalogue import load_catalogue
from store.catalogue import sync_catalogue
from store.db import MIGRATIONS, Database
from store.figures import rebuild_current

REPO = Path(__file__).resolve().parents[2]
CACHE = REPO / "data" / "bench"
QUANG_TRI = REPO / "catalogues" / "quang-tri"
VERSION = "v1"  # bump when the generator changes
COMMUNES = 3321
PROVINCES = 34
MONTHS = 24
TODAY = date(2026, 5, 4)  # a Monday, after the April figures are in
ROOT_CODE = "toan-quoc"

# Place-name syllables (none of them a question word: no "trung", "bình", "an", "nào", ...).
_SYLLABLES = (
    "Vĩnh Hải Cam Triệu Gio Hướng Linh Phong Lộc Thủy Lâm Hòa Thạch Sơn Xuân Hạ Kim Ngọc Phú Quý "
    "Thượng Đức Hưng Long Mỹ Nghĩa Phước Thắng Tiến Trạch Trường Uyên Vân Yên Bắc Đông Tây Cửa Lệ "
    "Ninh Quảng Hiếu Giang Tuyên Minh Dân Lao Bảo Khe Sanh Cồn Tiên Lìa Ba Đồn Kỳ Hoa Gianh Liên "
    "Châu Thành Lạc Diên Sen Ngư Thái Hương Lương Mai Điền Chánh Cương Khánh Hồng Lam Nhơn Ơn Sa "
    "Tịnh Tùng Vạn Xá Dương Đạt"
).split()


@dataclass(frozen=True)
class Seeded:
    """A seeded database: where it is, its catalogue folder, and the clock to run it at."""

    db_path: Path
    catalogue: Path
    today: date


def _unit_names(n: int) -> Iterator[str]:
    rnd = random.Random(6)
    folded: dict[str, str] = {}
    for a in _SYLLABLES:
        for b in _SYLLABLES:
            if fold(a) != fold(b):
                folded.setdefault(fold(f"{a} {b}"), f"{a} {b}")
    pairs = sorted(folded.values())
    rnd.shuffle(pairs)
    if len(pairs) < n:
        raise RuntimeError("not enough syllable pairs for the unit names")
    yield from pairs[:n]


def write_national_catalogue(folder: Path) -> Path:
    """province.yaml, units.csv (one root, 3,321 communes in 34 blocks), 30 indicators."""
    folder.mkdir(parents=True, exist_ok=True)
    province = {
        "code": ROOT_CODE,
        "name": "Toàn quốc",
        "year": 2026,
        "en": "national benchmark",
        "reporting": [
            {
                "code": "monthly",
                "name": "Báo cáo tháng",
                "every": "month",
                "day": 12,
                "scope": "communes",
            },
        ],
        "holidays": ["2026-01-01", "2026-04-30", "2026-05-01", "2026-09-02"],
    }
    (folder / "province.yaml").write_text(yaml.safe_dump(province, allow_unicode=True), "utf-8")
    lines = ["code,name,kind,parent,aliases,note", f"{ROOT_CODE},Toàn quốc,province,,toàn tỉnh,"]
    for i, name in enumerate(_unit_names(COMMUNES)):
        kind = "phuong" if i % 7 == 0 else "xa"
        lines.append(f"u{i:04d},{name},{kind},{ROOT_CODE},,block {i % PROVINCES}")
    (folder / "units.csv").write_text("\n".join(lines) + "\n", "utf-8")
    (folder / "indicators.yaml").write_text(
        yaml.safe_dump(_national_indicators(), allow_unicode=True, sort_keys=False), "utf-8"
    )
    (folder / "tasks.yaml").write_text("[]\n", "utf-8")
    return folder


_DROP = ("report_lists", "report_counts", "report_unit_rates", "report_figure", "owner")
_EXTRA = ("Alpha", "Bravo", "Charlie", "Delta", "Echo", "Foxtrot", "Golf")


def _national_indicators() -> list[dict[str, Any]]:
    """The Quảng Trị indicators, all assigned to every commune, topped up to 30."""
    text = (QUANG_TRI / "indicators.yaml").read_text("utf-8")
    entries = [
        {k: v for k, v in e.items() if k not in _DROP} | {"assigned": "communes"}
        for e in yaml.safe_load(text)
    ]
    for word in _EXTRA[: max(0, 30 - len(entries))]:
        entries.append(
            {
                "code": f"MP_{word.upper()}",
                "name": f"Chỉ tiêu mô phỏng {word}",
                "short": f"Mô phỏng {word}",
                "en": f"simulated {word}",
                "aliases": [f"mp {word}"],
                "kind": "ratio",
                "numerator": "đã làm",
                "denominator": "tổng số",
                "assigned": "communes",
                "target": {"rate": 1.0, "due": "2026-12-31"},
                "milestones": [{"due": "2026-06-30", "rate": 0.5}],
            }
        )
    return entries[:30]


def month_ends(last: date, months: int) -> list[date]:
    out, day = [], last
    for _ in range(months):
        out.append(day)
        day = day.replace(day=1) - timedelta(days=1)
    return out[::-1]


def figure_value(unit_id: int, ind_id: int, step: int, steps: int) -> tuple[int, int]:
    """(numerator, denominator) of a unit's figure at month `step`: rising, deterministic."""
    rnd = random.Random(unit_id * 1009 + ind_id)
    den = rnd.randint(400, 20_000)
    start, end = rnd.uniform(0.02, 0.4), rnd.uniform(0.3, 0.99)
    rate = start + (end - start) * (step + 1) / steps
    return int(den * rate), den


def _figure_rows(cat: Any, ids: Any, days: list[date]) -> Iterator[tuple[Any, ...]]:
    """Each assigned unit's monthly figures, in index order (indicator, unit, day)."""
    created = "2026-05-01 08:00:00.000000"
    for ind in sorted(cat.indicators, key=lambda i: ids.indicator_id[i.code]):
        ind_id, kind = ids.indicator_id[ind.code], ind.kind
        for unit_id in sorted(ids.unit_id[u.code] for u in cat.assigned_units(ind)):
            for step, day in enumerate(days):
                num, den = figure_value(unit_id, ind_id, step, len(days))
                if kind == "yesno":
                    row = (None, None, int(step * 3 > len(days) * (unit_id % 3)))
                elif kind == "count":
                    row = (num, None, None)
                else:
                    row = (num, den, None)
                yield (unit_id, ind_id, *row, day.isoformat(), created)


async def _migrate_and_sync(db_path: Path, catalogue: Path, today: date) -> Any:
    clock = FixedClock(datetime(today.year, today.month, today.day, 8, 0))
    db = Database(f"sqlite+aiosqlite:///{db_path}")
    try:
        await db.migrate()
        cat = load_catalogue(catalogue)
        async with db.write() as conn:
            ids, _ = await sync_catalogue(conn, cat, clock.now())
        return cat, ids
    finally:
        await db.close()


async def fill(db_path: Path, catalogue: Path, months: int, today: date, chats: bool) -> None:
    """Migrate, sync the catalogue, bulk-insert monthly figures (and alert chats)."""
    cat, ids = await _migrate_and_sync(db_path, catalogue, today)
    last = today.replace(day=1) - timedelta(days=1)
    days = month_ends(last, months)
    con = sqlite3.connect(db_path, isolation_level=None)
    try:
        con.execute("PRAGMA synchronous=OFF")
        con.execute("BEGIN")
        rows = _figure_rows(cat, ids, days)
        con.executemany(
            "INSERT INTO figures (unit_id, indicator_id, numerator, denominator, done, as_of,"
            " created_at, derived, source, voided) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 'seed', 0)",
            rows,
        )
        if chats:
            _insert_chats(con, ids, cat.province.code)
        con.execute("COMMIT")
    finally:
        con.close()
    await _rebuild_current(db_path)


async def _rebuild_current(db_path: Path) -> None:
    """The figures went in behind the store's back: current_figures from them, once."""
    db = Database(f"sqlite+aiosqlite:///{db_path}")
    try:
        async with db.write() as conn:
            await rebuild_current(conn)
    finally:
        await db.close()
    con = sqlite3.connect(db_path, isolation_level=None)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        con.close()


def _insert_chats(con: sqlite3.Connection, ids: Any, root: str) -> None:
    """34 province-level groups and one group per commune, all with alerts on."""
    now = "2026-05-01 08:00:00.000000"
    rows = [
        (-1_001_000_000_000 - i, ids.unit_id[root], f"Tổ Đề án 06 tỉnh {i + 1}")
        for i in range(PROVINCES)
    ]
    communes = sorted(c for c in ids.unit_id if c != root)
    rows += [
        (-1_002_000_000_000 - i, ids.unit_id[c], f"Tổ Đề án 06 {c}") for i, c in enumerate(communes)
    ]
    con.executemany(
        "INSERT INTO chats (id, type, title, scope_unit_id, status, alerts_enabled, all_clear,"
        " created_at, updated_at) VALUES (?, 'supergroup', ?, ?, 'member', 1, 0, ?, ?)",
        [(cid, title, uid, now, now) for cid, uid, title in rows],
    )


def _schema_key() -> str:
    names = sorted(p.name for p in (MIGRATIONS / "versions").glob("*.py"))
    return hashlib.sha1("|".join(names).encode()).hexdigest()[:8]


async def national(log: Any = print) -> Seeded:
    """The cached national database (generated on first use, ~1 min), and its catalogue."""
    key = f"national-{VERSION}-{_schema_key()}"
    folder = write_national_catalogue(CACHE / f"{key}-catalogue")
    db_path = CACHE / f"{key}.db"
    if not db_path.exists():
        for old in CACHE.glob("national-*.db*"):
            old.unlink()
        log(f"generating the national-scale database {db_path.name} (once; cached) …")
        start = time.perf_counter()
        partial = db_path.with_suffix(".partial")
        for leftover in CACHE.glob(f"{partial.name}*"):
            leftover.unlink()
        await fill(partial, folder, MONTHS, TODAY, chats=True)
        partial.rename(db_path)
        log(f"  done in {time.perf_counter() - start:.0f} s, {db_path.stat().st_size >> 20} MB")
    return Seeded(db_path, folder, TODAY)


def working_copy(seeded: Seeded, folder: Path) -> Seeded:
    """A throw-away copy (alerts and the bot write to it; the cache stays clean)."""
    target = folder / seeded.db_path.name
    shutil.copyfile(seeded.db_path, target)
    return Seeded(target, seeded.catalogue, seeded.today)


async def quang_tri(folder: Path, months: int = 12) -> Seeded:
    """A fresh Quảng Trị database with `months` of figures for every assigned unit."""
    db_path = folder / "quang-tri.db"
    await fill(db_path, QUANG_TRI, months, TODAY, chats=False)
    return Seeded(db_path, QUANG_TRI, TODAY)
