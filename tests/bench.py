"""`make bench`: how fast, how big, how much memory (issue 13).

Runs every row it can, prints one table and writes it with the machine's details to
docs/benchmarks.md. A capability not built yet prints "n/a (not built yet)". Medians (and p99
where the target is a p99) over several runs; ratios are measured side by side in one run.
The national-scale database is generated once and cached under data/bench/; the rows on it
(answers, morning alert, .xlsx/.docx) also run on a throw-away PostgreSQL server holding a copy
of it (tests/benchlib/pgnational.py), printed in a PostgreSQL column beside SQLite.

`python -m tests.bench --help` lists the options: `--only national,alert` runs some sections,
`--quick` fewer runs, `--no-postgres` SQLite only. Only a full run rewrites docs/benchmarks.md
(unless `--write`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import importlib
import importlib.util
import os
import platform
import sqlite3
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tests.benchlib import national as data
from tests.benchlib import pgnational
from tests.benchlib.botrig import Rig, echo_bot, real_bot
from tests.benchlib.processes import measure_start
from tests.benchlib.timing import Sample, ms, percentile, sql_counter_for

REPO = Path(__file__).resolve().parent.parent
DOC = REPO / "docs" / "benchmarks.md"
NA = "n/a (not built yet)"
SECTIONS = ("messages", "load", "national", "charts", "alert", "office", "start")
ON_NATIONAL = ("national", "alert", "office", "start")  # need the national-scale database
ON_PG = ("national", "alert", "office")  # also run on PostgreSQL
FIG_USER, Q_USER = 9001, 9002


@dataclass
class Row:
    what: str
    target: str
    result: str  # on SQLite (or not on a database at all)
    ok: bool | None = None  # None: nothing to judge (n/a or "report it")
    note: str = ""
    pg: str = "—"  # the same measurement on PostgreSQL ("—": not measured there)
    pg_ok: bool | None = None

    @property
    def verdict(self) -> str:
        if self.ok is False and self.pg_ok is False:
            return "❌ missed (both)"
        if self.ok is False:
            return "❌ missed" + (" (SQLite)" if self.pg_ok else "")
        if self.pg_ok is False:
            return "❌ missed (PostgreSQL)"
        return "✅" if self.ok or self.pg_ok else "—"


ROWS: list[Row] = []


def add(row: Row) -> None:
    ROWS.append(row)
    pg = "" if row.pg == "—" else f" | PostgreSQL {row.pg}"
    print(f"  {row.what}: {row.result}{pg} [{row.verdict}] {row.note}", flush=True)


def log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def capability(module: str) -> bool:
    """The handler module exists and is registered in bot.app.HANDLER_MODULES."""
    if importlib.util.find_spec(module) is None:
        return False
    try:
        app = importlib.import_module("bot.app")
    except ImportError as exc:  # the tree is mid-edit: report the rows as n/a
        log(f"   bot.app does not import: {exc}")
        return False
    return any(m.__name__ == module for m in app.HANDLER_MODULES)


async def runs_within(
    fn: Callable[[], Awaitable[Any]], runs: int, budget: float, warmup: bool = True
) -> Sample:
    """Up to `runs` timed runs (after a warm-up), fewer when the budget (seconds) runs out:
    at least 3 unless one run alone takes more than a third of the budget."""
    if warmup:
        await fn()
    out: list[float] = []
    spent = 0.0
    while len(out) < runs and (spent < budget or (len(out) < 3 and out[0] < budget / 3)):
        start = time.perf_counter()
        await fn()
        out.append(time.perf_counter() - start)
        spent += out[-1]
    return Sample(tuple(out))


# --- messages ---------------------------------------------------------------------------------


class Messages:
    """Realistic texts for the seeded Quảng Trị database (figures that rise, never repeat)."""

    def __init__(self, env: Any) -> None:
        cat = env.catalogue
        self.env = env
        self.pairs = [
            (u, i)
            for i in cat.indicators
            if i.kind == "ratio" and cat.is_commune_indicator(i)
            for u in cat.assigned_units(i)
        ]
        self.next = 0
        self.questions = [
            "xã nào dưới mức trung bình về tài khoản an sinh?",
            "Cam Lộ thế nào?",
            "5 xã thấp nhất ASXH",
            "tình hình toàn tỉnh",
            "xã nào chưa đạt chỉ tiêu sổ sức khỏe điện tử?",
        ]

    def figure(self) -> str:
        unit, ind = self.pairs[self.next % len(self.pairs)]
        self.next += 1
        ids = self.env.ids
        num, den = data.figure_value(ids.unit_id[unit.code], ids.indicator_id[ind.code], 11, 12)
        num = min(den, num + max(1, (den - num) // 10))
        return f"{unit.name} {ind.code} {_vn(num)}/{_vn(den)}"


def _vn(n: int) -> str:
    return f"{n:,}".replace(",", ".")


BELOW_AVERAGE = "xã nào dưới mức trung bình về tài khoản an sinh?"
LIMITER_DRAIN = 1.2  # seconds: PTB's AIORateLimiter allows 30 sends per second overall


# --- 1. per-message cost ----------------------------------------------------------------------


async def _sequential(
    rig: Rig, texts: list[str], user: int, count_sql: bool
) -> tuple[Sample, list[int]]:
    counter = sql_counter_for(rig.env) if count_sql else None
    times, counts = [], []
    for text in texts:
        if counter is None:
            times.append(await rig.ask(user, user, text))
            continue
        with counter.attached():
            counter.reset()
            times.append(await rig.ask(user, user, text))
        counts.append(counter.count)
    return Sample(tuple(times)), counts


async def per_message(work: Path, runs: int) -> None:
    log("1. per-message cost through the rig …")
    async with echo_bot() as rig:
        await _sequential(rig, ["xin chào"] * 5, FIG_USER, False)
        echo, _ = await _sequential(
            rig, [f"Cam Lộ ASXH {i}/100" for i in range(runs)], FIG_USER, False
        )
    add(Row("echo bot (baseline), per message", "—", ms(echo.median), None, f"median of {runs}"))
    figures_on, questions_on = capability("handlers.figures"), capability("handlers.questions")
    if not (figures_on or questions_on):
        for what in ("figure submission", "below-average question"):
            add(Row(f"{what}, per message vs echo", "≤ 2 × echo", NA))
        return
    seeded = await data.quang_tri(work)
    admins = [FIG_USER, Q_USER]
    async with real_bot(seeded.db_path, seeded.catalogue, seeded.today, admins) as rig:
        msgs = Messages(rig.env)
        for name, on, make, user in (
            ("figure submission", figures_on, msgs.figure, FIG_USER),
            ("below-average question", questions_on, lambda: BELOW_AVERAGE, Q_USER),
        ):
            if not on:
                add(Row(f"{name}, per message vs echo", "≤ 2 × echo", NA))
                continue
            # The bot's own 30 messages/s send limiter (bot/retry.py) is shared by both series:
            # the 33 figure replies leave it full, and every question reply then waited ~33 ms in
            # it (the echo bot has none). Start each series with the limiter drained, so this row
            # is the per-message cost; the limiter is what the sustained row measures.
            await asyncio.sleep(LIMITER_DRAIN)
            await _sequential(rig, [make() for _ in range(3)], user, False)
            sample, counts = await _sequential(rig, [make() for _ in range(runs)], user, True)
            ratio = sample.median / echo.median
            sql = sorted(counts)[len(counts) // 2]
            add(
                Row(
                    f"{name}, per message vs echo",
                    "≤ 2 × echo",
                    f"{ms(sample.median)} = {ratio:.1f} × echo; {sql} SQL statements",
                    ratio <= 2,
                    f"median of {runs}; echo {ms(echo.median)} in the same run",
                )
            )
        log("   last replies: " + " | ".join(t[:70] for t in rig.api.texts(Q_USER)[-1:]))


# --- 2, 3. load ---------------------------------------------------------------------------------


async def _burst(rig: Rig, plan: list[list[str]], timeout: float) -> tuple[list[float], float, int]:
    """Inject every chat's messages at once; (bot-side latencies, seconds to drain, no reply)."""
    first_chat = 700_000
    uids = []
    start = time.time()
    for k in range(max(len(p) for p in plan)):
        for c, texts in enumerate(plan):
            if k < len(texts):
                msg = rig.api.user_text(
                    chat_id=first_chat + c, user_id=first_chat + c, text=texts[k]
                )
                uids.append(rig.api._message_updates[(first_chat + c, msg["message_id"])])
    await rig.hooks.wait_processed(uids, timeout)
    drained = max(rig.hooks.end[u] for u in uids) - start
    lat = rig.hooks.latencies(rig.api, uids)
    got = [v for v in lat.values() if v is not None]
    return got, drained, len(uids) - len(got)


async def load(work: Path, chats: int, per_chat: int) -> None:
    log(f"2, 3. {chats} chats × {per_chat} messages at once …")
    figures_on, questions_on = capability("handlers.figures"), capability("handlers.questions")
    if not (figures_on and questions_on):
        add(Row(f"bot-side reply latency, {chats} chats × {per_chat} mixed", "p99 ≤ 100 ms", NA))
        add(Row("sustained messages/s, figures and questions", "report it", NA))
        return
    (work / "load").mkdir()
    seeded = await data.quang_tri(work / "load", 12)
    admins = [*list(range(700000, 700000 + chats)), FIG_USER]
    async with real_bot(seeded.db_path, seeded.catalogue, seeded.today, admins) as rig:
        msgs = Messages(rig.env)

        def mixed(c: int, charts: bool) -> list[str]:
            out = []
            for k in range(per_chat):
                if charts and k % 10 == 9:
                    out.append("biểu đồ ASXH")
                elif k % 2:
                    out.append(msgs.questions[(c + k) % len(msgs.questions)])
                else:
                    out.append(msgs.figure())
            return out

        await _sequential(rig, [msgs.figure(), BELOW_AVERAGE, "biểu đồ ASXH"], FIG_USER, False)
        lat, drained, lost = await _burst(rig, [mixed(c, True) for c in range(chats)], 300)
        p99, med = percentile(lat, 99), percentile(lat, 50)
        add(
            Row(
                f"bot-side reply latency, {chats} chats × {per_chat} mixed (10% charts)",
                "p99 ≤ 100 ms",
                f"p99 {ms(p99)}, median {ms(med)}",
                p99 <= 0.1,
                f"{len(lat)} replies in {drained:.1f} s"
                + (f"; {lost} without reply" if lost else ""),
            )
        )
        small = [mixed(c, False)[: per_chat // 2] for c in range(chats // 2)]
        lat, drained, lost = await _burst(rig, small, 300)
        n = sum(len(p) for p in small)
        add(
            Row(
                "sustained messages/s, figures and questions mixed",
                "report it (≥ 30/s)",
                f"{n / drained:.0f} msg/s",
                n / drained >= 30,
                f"{n} messages drained in {drained:.1f} s; p99 {ms(percentile(lat, 99))}",
            )
        )


# --- 4. national-scale answers ----------------------------------------------------------------


@dataclass(frozen=True)
class Pg:
    """The PostgreSQL copy of the national database: its URL, or the cell to print without."""

    url: str | None
    absent: str = "—"


async def open_national(seeded: data.Seeded, url: str | None = None) -> Any:
    """An Env on the national database: the SQLite working copy, or `url` (PostgreSQL)."""
    from bot.app import open_env
    from tests.benchlib.botrig import bench_clock, bench_settings

    class _Api:
        url = "http://127.0.0.1:9"

    settings = bench_settings(_Api(), seeded.db_path, seeded.catalogue, [1], url)  # type: ignore[arg-type]
    return await open_env(settings, bench_clock(seeded.today))


async def on_pg(pg: Pg, measure: Callable[[str], Awaitable[Any]]) -> Any:
    """measure(url) on PostgreSQL; the absent cell, or an error cell when it raised."""
    if pg.url is None:
        return pg.absent
    return await attempt(lambda: measure(pg.url or ""), "PostgreSQL")


async def attempt(measure: Callable[[], Awaitable[Any]], where: str) -> Any:
    """measure(), or an error cell when it raised: the other rows and columns go on."""
    try:
        return await measure()
    except Exception as exc:
        log(f"   run on {where} failed: {exc!r}")
        return _error_cell(exc)


def _error_cell(exc: Exception) -> str:
    first = str(exc).splitlines()[0][:80] if str(exc) else ""
    return f"error: {type(exc).__name__}: {first}".replace("|", "/")


ANSWERS = ("below-average", "unit-status", "province-overview")


async def answer_samples(seeded: data.Seeded, url: str | None, runs: int) -> dict[str, Any]:
    """what → (Sample, the kind it was answered as, SQL statements), via services.answers."""
    from services import answers
    from services.access import Actor

    env = await open_national(seeded, url)
    actor = Actor(1, "bench", "admin")
    unit = env.catalogue.communes()[0].name
    out: dict[str, Any] = {}
    counter = sql_counter_for(env)
    gc.collect()
    gc.freeze()  # as bot.app does after start: no full GC pass over the startup objects
    try:
        for what, question in zip(
            ANSWERS, (BELOW_AVERAGE, f"{unit} thế nào?", "tình hình toàn tỉnh"), strict=True
        ):
            try:
                got = await answers.answer(env, actor, question)
                with counter.attached():
                    counter.reset()
                    await answers.answer(env, actor, question)
                sample = await runs_within(
                    lambda q=question: answers.answer(env, actor, q), runs, 20, warmup=False
                )
            except Exception as exc:  # one broken answer must not stop the other rows
                log(f"   {what} on {url or 'SQLite'} failed: {exc!r}")
                out[what] = _error_cell(exc)
                continue
            out[what] = (sample, got.kind, counter.count)
    finally:
        gc.unfreeze()
        await env.db.close()
    return out


def _answer_cell(what: str, got: Any) -> tuple[str, bool | None, str]:
    """(cell, ok, note) of one answer's timings on one database."""
    if isinstance(got, str):
        return got, None, ""
    if isinstance(got[what], str):
        return got[what], False, ""
    sample, kind, sql = got[what]
    wrong = "" if kind == what.replace("-", "_") else f"; answered as {kind}!"
    cell = f"p99 {ms(sample.p99)}, median {ms(sample.median)}"
    plural = "" if sql == 1 else "s"
    return (
        cell,
        sample.p99 <= 0.05 and not wrong,
        f"{sample.n} runs, {sql} SQL statement{plural}{wrong}",
    )


async def national_answers(seeded: data.Seeded, runs: int, pg: Pg) -> None:
    log("4. answers on the national-scale database …")
    if importlib.util.find_spec("services.answers") is None:
        for what in ANSWERS:
            add(Row(f"{what} answer, national scale", "p99 ≤ 50 ms", NA))
        return
    lite = await answer_samples(seeded, None, runs)
    post = await on_pg(pg, lambda url: answer_samples(seeded, url, runs))
    for what in ANSWERS:
        cell, ok, note = _answer_cell(what, lite)
        pg_cell, pg_ok, pg_note = _answer_cell(what, post)
        add(
            Row(
                f"{what} answer, national scale (3,321 × 30 × 24)",
                "p99 ≤ 50 ms",
                cell,
                ok,
                note + (f"; PostgreSQL {pg_note}" if pg_note and pg_note != note else ""),
                pg_cell,
                pg_ok,
            )
        )


# --- 5. charts --------------------------------------------------------------------------------


def charts(runs: int) -> None:
    log("5. ranking charts …")
    try:
        from charts.render import render_png
        from domain.chartspec import RankingChart, RankRow
    except ImportError:
        add(Row("ranking chart PNG", "median ≤ 250 ms", NA))
        return
    import random

    from tests.benchlib.timing import time_sync

    for n in (78, 150):
        rnd = random.Random(n)
        rows = [
            RankRow(f"Xã Vĩnh Thủy {i}", rnd.uniform(0.05, 0.7) if i % 37 else None, None, None)
            for i in range(n)
        ]
        spec = RankingChart("Tài khoản ASXH", f"{n} đơn vị", date(2026, 4, 23), rows, 0.248, 1.0)
        sample = time_sync(lambda s=spec: render_png(s), runs)
        add(
            Row(
                f"ranking chart, {n} units (PNG)",
                "median ≤ 250 ms",
                ms(sample.median),
                sample.median <= 0.25,
                f"median of {runs}",
            )
        )


# --- 6. morning alert -------------------------------------------------------------------------


async def _clear_alerts(env: Any) -> None:
    from sqlalchemy import text

    async with env.db.write() as conn:
        await conn.execute(text("DELETE FROM alerts_sent"))


@dataclass(frozen=True)
class AlertRun:
    plan: Sample
    full: Sample
    planned: int
    sent: int

    @property
    def cell(self) -> str:
        return f"{ms(self.full.median)} (plan {ms(self.plan.median)})"


async def alert_run(seeded: data.Seeded, url: str | None, runs: int) -> AlertRun:
    """Plan today's alerts, then the whole run_alerts with a counting sender (no Telegram)."""
    alerts = importlib.import_module("services.alerts")
    domain_alerts = importlib.import_module("domain.alerts")
    env = await open_national(seeded, url)
    sent: list[int] = []

    async def sender(alert: Any) -> None:
        sent.append(alert.chat_id)

    async def plan() -> Any:
        snap = await alerts.build_snapshot(env, env.clock.today())
        return domain_alerts.plan_today(snap)

    async def full() -> None:
        await _clear_alerts(env)
        sent.clear()
        await alerts.run_alerts(env, sender)

    try:
        planned = await plan()
        plan_sample = await runs_within(plan, runs, 15)
        full_sample = await runs_within(full, runs, 30)
        return AlertRun(plan_sample, full_sample, len(planned), len(sent))
    finally:
        with contextlib.suppress(Exception):
            await _clear_alerts(env)
        await env.db.close()


async def morning_alert(seeded: data.Seeded, runs: int, pg: Pg) -> None:
    log("6. morning alert for 34 + 3,321 chats …")
    what = "morning alert, 34 province + 3,321 commune chats"
    if not all(importlib.util.find_spec(m) for m in ("services.alerts", "domain.alerts")):
        add(Row(what, "≤ 2 s", NA))
        return
    lite = await attempt(lambda: alert_run(seeded, None, runs), "SQLite")
    post = await on_pg(pg, lambda url: alert_run(seeded, url, runs))
    pg_run = post if isinstance(post, AlertRun) else None
    if not isinstance(lite, AlertRun):
        add(Row(what, "≤ 2 s", lite, False, "", pg_run.cell if pg_run else post, None))
        return
    add(
        Row(
            what,
            "≤ 2 s",
            lite.cell,
            lite.full.median <= 2,
            f"{lite.planned} alerts planned, {lite.sent} recorded and handed to a counting "
            f"sender; median of {lite.full.n}"
            + (f" (PostgreSQL: {pg_run.sent} sent)" if pg_run and pg_run.sent != lite.sent else ""),
            pg_run.cell if pg_run else post,
            pg_run.full.median <= 2 if pg_run else None,
        )
    )


# --- 7. spreadsheets and reports --------------------------------------------------------------


async def _office_probe(probe: Any, seeded: data.Seeded, work: Path, url: str | None) -> Any:
    from tests.benchlib import office

    try:
        return await probe(seeded, work, lambda s: open_national(s, url))
    except office.NotBuilt as exc:
        return str(exc)


async def sheets_and_reports(seeded: data.Seeded, work: Path, pg: Pg) -> None:
    log("7. .xlsx import and .docx report …")
    from tests.benchlib import office

    for what, target, limit, probe in (
        ("import a 3,321-row .xlsx", "≤ 5 s", 5.0, office.import_xlsx),
        ("write the monthly .docx report", "≤ 3 s", 3.0, office.write_docx),
    ):
        lite = await attempt(lambda p=probe: _office_probe(p, seeded, work, None), "SQLite")
        if isinstance(lite, str):
            add(Row(what, target, lite if lite.startswith("error") else NA, None, lite))
            continue
        post = await on_pg(pg, lambda url, p=probe: _office_probe(p, seeded, work, url))
        done = isinstance(post, Sample)
        add(
            Row(
                what,
                target,
                ms(lite.median),
                lite.median <= limit,
                f"median of {lite.n}, national-scale database",
                ms(post.median) if done else post,
                post.median <= limit if done else None,
            )
        )


# --- 8, 9. start and memory -------------------------------------------------------------------


async def start_and_memory(seeded: data.Seeded, work: Path, runs: int) -> None:
    log("8, 9. start to first getUpdates, resident memory …")
    starts, rss = [], []
    for i in range(runs):
        db_path = work / f"fresh-{i}.db"
        result = await measure_start(db_path, data.QUANG_TRI, work)
        starts.append(result.to_first_poll)
        rss.append(result.rss_mb)
    start_s = Sample(tuple(starts))
    add(
        Row(
            "start to first getUpdates (fresh database, Quảng Trị)",
            "≤ 3 s",
            ms(start_s.median),
            start_s.median <= 3,
            f"median of {runs} starts of `python -m bot run`",
        )
    )
    rss_m = sorted(rss)[len(rss) // 2]
    add(
        Row(
            "resident memory after start (Quảng Trị)",
            "≤ 150 MB",
            f"{rss_m:.0f} MB",
            rss_m <= 150,
            "VmRSS of the bot process after its first getUpdates",
        )
    )
    big = await measure_start(seeded.db_path, seeded.catalogue, work, warm_question=True)
    add(
        Row(
            "resident memory, national-scale database loaded",
            "≤ 250 MB",
            f"{big.rss_mb:.0f} MB",
            big.rss_mb <= 250,
            f"start to first getUpdates {ms(big.to_first_poll)}; after {big.warmed}",
        )
    )


# --- report -----------------------------------------------------------------------------------


def machine() -> list[tuple[str, str]]:
    cpu = "?"
    mem = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    import sqlalchemy
    import telegram

    return [
        ("date", datetime.now().strftime("%Y-%m-%d %H:%M")),
        ("CPU", f"{cpu}, {os.cpu_count()} cores"),
        ("memory", mem),
        ("OS", platform.platform()),
        ("Python", platform.python_version()),
        ("SQLite", sqlite3.sqlite_version),
        ("python-telegram-bot / SQLAlchemy", f"{telegram.__version__} / {sqlalchemy.__version__}"),
    ]


def write_doc(elapsed: float, path: Path | None, extra: Sequence[tuple[str, str]]) -> str:
    """The table and the machine's details; written to `path` when given."""
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`python -m tests.bench`); do not edit "
        "by hand. Medians (p99 where the target is a p99) over several runs; the echo "
        "comparison is measured in the same run. The PostgreSQL column runs the same service "
        "calls on a local throw-away server holding a copy of the same national-scale database, "
        "in the same run (— where a row runs on SQLite only).",
        "",
        "| what | target | SQLite | PostgreSQL | verdict | how |",
        "|---|---|---|---|---|---|",
    ]
    for r in ROWS:
        lines.append(f"| {r.what} | {r.target} | {r.result} | {r.pg} | {r.verdict} | {r.note} |")
    lines += ["", "## Machine", ""]
    lines += [f"- {k}: {v}" for k, v in [*machine(), *extra]]
    lines += [f"- run: {elapsed:.0f} s", ""]
    text = "\n".join(lines)
    if path is not None:
        path.write_text(text, "utf-8")
    return text


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tests.bench",
        description="make bench: how fast, how big, how much memory (issue 13). Prints one "
        "table; a full run also writes it to docs/benchmarks.md.",
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="SECTION[,SECTION]",
        help=f"run only these sections (repeatable, comma-separated): {', '.join(SECTIONS)}",
    )
    parser.add_argument("--quick", action="store_true", help="fewer runs per measurement")
    parser.add_argument(
        "--no-postgres", action="store_true", help="skip the PostgreSQL column (SQLite only)"
    )
    parser.add_argument(
        "--write",
        action="store_true",
        help="write docs/benchmarks.md even when --only leaves sections out",
    )
    args = parser.parse_args(argv)
    chosen = [s.strip() for group in args.only or [] for s in group.split(",") if s.strip()]
    unknown = sorted(set(chosen) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    args.sections = [s for s in SECTIONS if s in chosen] if chosen else list(SECTIONS)
    return args


async def postgres_for(
    stack: contextlib.AsyncExitStack, args: argparse.Namespace, seeded: data.Seeded
) -> tuple[Pg, list[tuple[str, str]]]:
    """A PostgreSQL copy of the national database when a section wants it and it is wanted."""
    if not set(args.sections) & set(ON_PG):
        return Pg(None), []
    if args.no_postgres:
        return Pg(None, "— (--no-postgres)"), []
    from zoneinfo import ZoneInfo

    from bot.settings import Settings

    tz = ZoneInfo(Settings.model_fields["timezone"].default)
    got = await stack.enter_async_context(pgnational.national_pg(seeded, tz, log))
    if got is None:
        return Pg(None, pgnational.NO_PG), [("PostgreSQL", pgnational.NO_PG)]
    return Pg(got.url), [("PostgreSQL", f"{got.version}, local, fsync off; {got.how}")]


async def main(argv: Sequence[str] | None = None) -> None:
    args = parse_args(argv)
    quick, run = args.quick, set(args.sections)
    began = time.perf_counter()
    async with contextlib.AsyncExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-"))
        work = Path(tmp)
        seeded: data.Seeded | None = None
        pg: Pg = Pg(None)
        extra: list[tuple[str, str]] = []
        if run & set(ON_NATIONAL):
            seeded_cache = await data.national(log)
            seeded = data.working_copy(seeded_cache, work)
            pg, extra = await postgres_for(stack, args, seeded_cache)
        if "messages" in run:
            await per_message(work, 10 if quick else 30)
        if "load" in run:
            await load(work, 50, 20)
        if "national" in run and seeded:
            await national_answers(seeded, 5 if quick else 20, pg)
        if "charts" in run:
            charts(3 if quick else 7)
        if "alert" in run and seeded:
            await morning_alert(seeded, 2 if quick else 3, pg)
        if "office" in run and seeded:
            await sheets_and_reports(seeded, work, pg)
        if "start" in run and seeded:
            await start_and_memory(seeded, work, 1 if quick else 3)
    elapsed = time.perf_counter() - began
    full = len(run) == len(SECTIONS)
    path = DOC if full or args.write else None
    print()
    print(write_doc(elapsed, path, extra))
    if path is None:
        log(f"(--only {','.join(args.sections)}: docs/benchmarks.md left as it was; --write)")


if __name__ == "__main__":
    asyncio.run(main())
