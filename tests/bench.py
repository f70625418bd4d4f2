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
import itertools
import os
import platform
import sqlite3
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tests.benchlib import national as data
from tests.benchlib import pgnational
from tests.benchlib.botrig import Rig, Timing, echo_bot, real_bot
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
        uid, iid = ids.unit_id[unit.code], ids.indicator_id[ind.code]
        num, den = data.figure_value(uid, iid, 11, 12)
        before, _ = data.figure_value(uid, iid, 10, 12)
        num = min(den, num + max(1, num - before))  # the usual monthly step: saved, no warning
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


ROUND = 10  # messages of each kind in a row, per round


async def per_message(work: Path, runs: int) -> None:
    """The echo bot and the real bot run side by side, and the three kinds of message take
    turns in rounds of ROUND: a slow minute of this shared machine then weighs on all three
    alike, where series run one after another compared different minutes (the figure row
    moved 3.6 → 5.0 ms between two runs of one commit). The real bot's send quota is lifted,
    as the echo bot has none: this row is processing cost; the quota is the sustained row's."""
    log("1. per-message cost through the rig …")
    figures_on, questions_on = capability("handlers.figures"), capability("handlers.questions")
    seeded = await data.quang_tri(work) if figures_on or questions_on else None
    async with AsyncExitStack() as stack:
        echo = await stack.enter_async_context(echo_bot())
        numbers = itertools.count(1)
        kinds: list[tuple[str, Rig, Callable[[], str], int]] = [
            ("echo", echo, lambda: f"Cam Lộ ASXH {next(numbers)}/100", FIG_USER)
        ]
        if seeded is not None:
            rig = await stack.enter_async_context(
                real_bot(seeded.db_path, seeded.catalogue, seeded.today, [FIG_USER, Q_USER],
                         quota=False)
            )  # fmt: skip
            msgs = Messages(rig.env)
            if figures_on:
                kinds.append(("figure submission", rig, msgs.figure, FIG_USER))
            if questions_on:
                kinds.append(("below-average question", rig, lambda: BELOW_AVERAGE, Q_USER))
        times: dict[str, list[float]] = {name: [] for name, *_ in kinds}
        counts: dict[str, list[int]] = {name: [] for name, *_ in kinds}
        # after a warm-up, five messages count the statements; the timed rounds do not (the
        # counter's listener would be timed with them)
        for name, bot, make, user in kinds:
            await _sequential(bot, [make() for _ in range(5)], user, False)
            counted = [make() for _ in range(5)]
            counts[name] = (await _sequential(bot, counted, user, name != "echo"))[1]
        for _ in range(max(1, runs // ROUND)):
            for name, bot, make, user in kinds:
                sample, _ = await _sequential(bot, [make() for _ in range(ROUND)], user, False)
                times[name] += sample.values
        if seeded is not None:
            log("   last replies: " + " | ".join(t[:70] for t in rig.api.texts(Q_USER)[-1:]))
    echo_ms = Sample(tuple(times["echo"])).median
    add(Row("echo bot (baseline), per message", "—", ms(echo_ms), None, f"median of {runs}"))
    for name in ("figure submission", "below-average question"):
        if name not in times:
            add(Row(f"{name}, per message vs echo", "≤ 2 × echo", NA))
            continue
        median = Sample(tuple(times[name])).median
        ratio = median / echo_ms
        sql = sorted(counts[name])[len(counts[name]) // 2]
        add(
            Row(
                f"{name}, per message vs echo",
                "≤ 2 × echo",
                f"{ms(median)} = {ratio:.1f} × echo; {sql} SQL statement"
                + ("" if sql == 1 else "s"),
                ratio <= 2,
                f"median of {runs}, in rounds of {ROUND} beside the echo bot's {ms(echo_ms)}",
            )
        )


# --- 2, 3. load ---------------------------------------------------------------------------------
#
# Row 2, bot-side reply latency: 50 chats × 20 mixed messages (figures, questions, every 10th a
# chart) injected at once into the real bot, its send limiter as in production. Per update: from
# the moment the bot takes it up (Application.process_update begins, i.e. after the chat's
# earlier messages are done) to its reply request reaching the fake Bot API server, minus the
# time its requests waited in the send limiter for Telegram's 30 messages/s quota, measured at
# the limiter (tests/benchlib/botrig.py). What is left is the bot's own work under the burst:
# handlers, database, chart rendering, the HTTP request, and waiting for the CPU, the event loop
# and the executor that the other chats' updates share. The end-to-end figure (from hand-over,
# adding the per-chat queue and the quota) is printed beside it: under this burst it is mostly
# Telegram's quota (1000 replies at 30/s take ≥ 33 s).
#
# Row 3, sustained messages/s: one burst of figures and questions (50 × 20, at once) drained
# (first injection to the last update done) on two fresh bots: with the limiter (what is sent:
# ≈ Telegram's 30/s) and with its quota lifted (the bot's own processing capacity). The bot must
# never be the bottleneck: ok when it processes ≥ 30/s.

FIRST_CHAT = 700_000
QUOTA = 30  # messages/s: Telegram's overall limit, which the bot's limiter keeps to


@dataclass(frozen=True)
class Burst:
    timings: list[tuple[str, Timing]]  # (kind of message, timing) of the updates with a reply
    messages: int
    drained: float  # seconds from the first injection to the last update processed

    @property
    def lost(self) -> int:
        return self.messages - len(self.timings)

    @property
    def rate(self) -> float:
        return self.messages / self.drained

    def p(self, what: str, pct: float, kind: str | tuple[str, ...] | None = None) -> float:
        kinds = (kind,) if isinstance(kind, str) else kind
        return percentile(
            [getattr(t, what) for k, t in self.timings if kinds is None or k in kinds], pct
        )

    def kinds(self) -> list[str]:
        return sorted({k for k, _ in self.timings})


async def _burst(rig: Rig, plan: list[list[str]], timeout: float) -> Burst:
    """Inject every chat's messages at once (chat by chat, round-robin) and wait them out."""
    uids, kind = [], {}
    start = time.time()
    for k in range(max(len(p) for p in plan)):
        for c, texts in enumerate(plan):
            if k < len(texts):
                chat = FIRST_CHAT + c
                msg = rig.api.user_text(chat_id=chat, user_id=chat, text=texts[k])
                uids.append(rig.api._message_updates[(chat, msg["message_id"])])
                kind[uids[-1]] = _kind(texts[k])
    await rig.hooks.wait_processed(uids, timeout)
    drained = max(rig.hooks.end[u] for u in uids) - start
    got = rig.hooks.timings(rig.api, uids)
    return Burst([(kind[u], t) for u, t in got.items() if t is not None], len(uids), drained)


CHART = "biểu đồ ASXH"


def _kind(text: str) -> str:
    if text == CHART:
        return "charts"
    return "figures" if "/" in text else "questions"


def _mixed(msgs: Messages, chat: int, per_chat: int, charts: bool) -> list[str]:
    """Figures and questions alternating; with `charts`, every 10th a chart request."""
    out = []
    for k in range(per_chat):
        if charts and k % 10 == 9:
            out.append(CHART)
        elif k % 2:
            out.append(msgs.questions[(chat + k) % len(msgs.questions)])
        else:
            out.append(msgs.figure())
    return out


async def _load_run(
    work: Path, chats: int, per_chat: int, quota: bool, latency: bool
) -> tuple[Burst | None, Burst]:
    """A fresh database and bot (`quota`: the send limiter as in production, else lifted):
    the latency burst (with charts) if asked, then the sustained burst (figures, questions)."""
    work.mkdir()
    seeded = await data.quang_tri(work, 12)
    admins = [*range(FIRST_CHAT, FIRST_CHAT + chats), FIG_USER]
    async with real_bot(seeded.db_path, seeded.catalogue, seeded.today, admins, quota) as rig:
        msgs = Messages(rig.env)
        await _sequential(rig, [msgs.figure(), BELOW_AVERAGE, CHART], FIG_USER, False)
        lat = None
        if latency:
            plan = [_mixed(msgs, c, per_chat, True) for c in range(chats)]
            lat = await _burst(rig, plan, 300)
            await asyncio.sleep(LIMITER_DRAIN)  # the next burst starts with the limiter empty
        plan = [_mixed(msgs, c, per_chat, False) for c in range(chats)]
        return lat, await _burst(rig, plan, 300)


async def load(work: Path, chats: int, per_chat: int) -> None:
    log(f"2, 3. {chats} chats × {per_chat} messages at once, with and without the send quota …")
    what = (
        f"bot-side reply latency, {chats} chats × {per_chat} mixed: figures and questions "
        f"(10% charts, timed apart)"
    )
    figures_on, questions_on = capability("handlers.figures"), capability("handlers.questions")
    if not (figures_on and questions_on):
        add(Row(what, "p99 ≤ 100 ms", NA))
        add(Row("sustained messages/s, figures and questions mixed", "report it", NA))
        return
    lat, sent = await _load_run(work / "load", chats, per_chat, True, True)
    assert lat is not None
    _, processed = await _load_run(work / "load-lifted", chats, per_chat, False, False)
    # Judged on the text replies: a chart is ~250 ms of drawing by itself (its own row,
    # "ranking chart"), queued in the chart worker behind the other charts of the burst.
    text = ("figures", "questions")
    p99 = lat.p("bot_side", 99, text)
    kinds = ", ".join(f"{k} {ms(lat.p('bot_side', 99, k))}" for k in lat.kinds())
    add(
        Row(
            what,
            "p99 ≤ 100 ms",
            f"figures and questions p99 {ms(p99)}, median {ms(lat.p('bot_side', 50, text))}; "
            f"charts p99 {ms(lat.p('bot_side', 99, 'charts'))}",
            p99 <= 0.1,
            f"bot-side = taken up → reply at the Bot API, minus its wait in the send limiter for "
            f"Telegram's quota (p99 {lat.p('limiter_wait', 99):.1f} s); {len(lat.timings)} replies"
            + (f" ({lat.lost} without reply)" if lat.lost else "")
            + f"; p99 by kind: {kinds}; from hand-over incl. the per-chat queue and Telegram's "
            f"{QUOTA}/s quota: p99 {lat.p('end_to_end', 99):.1f} s, all in {lat.drained:.1f} s",
        )
    )
    lost = sent.lost + processed.lost
    add(
        Row(
            "sustained messages/s, figures and questions mixed",
            f"report it (≥ {QUOTA}/s)",
            f"{processed.rate:.0f} msg/s processed (quota lifted); "
            f"{sent.rate:.0f} msg/s sent under Telegram's quota",
            processed.rate >= QUOTA,
            f"{processed.messages} messages ({chats} chats × {per_chat}, at once) each way: "
            f"quota lifted {processed.drained:.1f} s (bot-side p99 "
            f"{ms(processed.p('bot_side', 99))} with {chats} chats sending at once), under the "
            f"quota {sent.drained:.1f} s" + (f"; {lost} without reply" if lost else ""),
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
    big = await measure_start(
        seeded.db_path, seeded.catalogue, work, warm_question=True, warm_chart=True
    )
    # The chart worker's memory is the bot's too. Summed VmRSS counts the pages the processes
    # share (Python, numpy's and matplotlib's libraries) once per process; PSS counts them once.
    total = big.total_pss_mb
    add(
        Row(
            "resident memory, national-scale database loaded",
            "≤ 250 MB",
            f"{total:.0f} MB (PSS, bot and chart worker); bot alone {big.rss_mb:.0f} MB",
            total <= 250,
            f"start to first getUpdates {ms(big.to_first_poll)}; after {big.warmed}; PSS of the "
            f"bot process and its children (the chart worker of services/chart_worker.py, started "
            f"by the first chart, and multiprocessing's resource tracker), whose VmRSS is "
            f"{big.worker_mb:.0f} MB more (VmRSS summed: {big.rss_mb + big.worker_mb:.0f} MB)",
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
    import matplotlib
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
        ("matplotlib", matplotlib.__version__),  # 3.11 draws text ~25% slower (pyproject.toml)
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
        # The latency rows first: with the national database copied and PostgreSQL loading
        # it (autovacuum, analyze) the machine's two cores were not the bot's alone.
        if "messages" in run:
            await per_message(work, 30 if quick else 200)
        if "load" in run:
            await load(work, 50, 20)
        if run & set(ON_NATIONAL):
            seeded_cache = await data.national(log)
            seeded = data.working_copy(seeded_cache, work)
            pg, extra = await postgres_for(stack, args, seeded_cache)
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
