"""Figures by message: submit, choose, confirm, correct by edit, undo, history, receipts."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection

from domain.catalogue import Indicator
from domain.stats import rank_and_pool
from domain.submissions import (
    Draft,
    Problem,
    Vocabulary,
    choose_indicator,
    choose_unit,
    draft_from_dict,
    draft_to_dict,
    looks_like_submission,
    parse,
)
from domain.validation import Figure, Issue, check, warnings
from services.access import Actor, aware
from services.context import Env
from store import figures as store
from store import people
from store.figures import (
    AT_AS_OF,
    AT_DENOMINATOR,
    AT_DONE,
    AT_ID,
    AT_INDICATOR,
    AT_NUMERATOR,
    AT_UNIT,
    AsOfRow,
)
from store.stats import latest_rows_at
from store.updates import claim_update

PENDING_TTL = timedelta(hours=24)


@dataclass(frozen=True)
class Source:
    """Where a submission came from: the chat, the message, the update that carried it."""

    chat_id: int
    message_id: int | None
    update_id: int | None
    kind: str = "message"  # message | edit


@dataclass(frozen=True)
class Receipt:
    """What was saved for one figure and how it stands (biên nhận)."""

    unit: str  # display name
    indicator: str  # short name
    kind: str  # ratio | count | yesno
    as_of: date
    numerator: int | None
    denominator: int | None
    done: bool | None
    rate: Decimal | None
    derived: bool
    change: int | None = None  # numerator change since the unit's previous figure
    change_rate: Decimal | None = None  # rate change (a fraction) since the previous figure
    year_change_rate: Decimal | None = None  # rate change since the start of the year
    rank: int | None = None  # in the province, among units that reported
    ranked: int = 0
    province_rate: Decimal | None = None  # pooled: tỷ lệ chung toàn tỉnh


@dataclass(frozen=True)
class Outcome:
    """The result of a figures use case; `status` tells the handler what to render."""

    status: str  # saved|rejected|choose|confirm|duplicate|ignored|denied|expired|cancelled|undone
    receipts: tuple[Receipt, ...] = ()
    missing: tuple[str, ...] = ()  # indicators this unit has not reported in the current cycle
    problems: tuple[Problem, ...] = ()
    issues: tuple[tuple[str, Issue], ...] = ()  # (fragment, issue)
    pending_id: str | None = None
    choice: str = ""  # unit | indicator
    options: tuple[tuple[str, str], ...] = ()  # (code, label)
    fragment: str = ""
    message_id: int | None = None  # the submission's message, for [Hoàn tác]
    corrected: bool = False
    undone: int = 0
    restored: int = 0  # of the undone, figures whose pre-edit value is back
    history: tuple[store.HistoryRow, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)  # codes -> names for history


def vocabulary(env: Env) -> Vocabulary:
    """The parser's vocabulary, cached on the Env until the catalogue is reloaded."""
    cached = getattr(env, "_fig_vocab", None)
    if cached is None or cached.catalogue is not env.catalogue:
        cached = Vocabulary.build(env.catalogue, env.units, env.indicators)
        env._fig_vocab = cached  # type: ignore[attr-defined]
    return cached


def is_submission(text: str) -> bool:
    return looks_like_submission(text)


# --- submit -----------------------------------------------------------------------------------


async def submit(env: Env, actor: Actor, text: str, source: Source) -> Outcome:
    """Read a message and save it, or say why not, or ask what it could not decide."""
    if not actor.is_registered:
        return Outcome("denied")
    parsed = parse(text, vocabulary(env), env.clock.today())
    if parsed.problems:
        return Outcome("rejected", problems=parsed.problems)
    return await _proceed(env, actor, parsed.drafts, source, confirmed=False)


async def edit(
    env: Env, actor: Actor, text: str, source: Source, *, addressed: bool = True
) -> Outcome:
    """An edited message: a correction of the figures it produced, or a new submission."""
    if source.message_id is None:
        return Outcome("ignored")
    async with env.db.read() as conn:
        had = await store.any_by_message(conn, source.chat_id, source.message_id)
    if not had and not (addressed and looks_like_submission(text)):
        return Outcome("ignored")
    return await submit(env, actor, text, replace(source, kind="edit" if had else "message"))


async def _proceed(
    env: Env, actor: Actor, drafts: tuple[Draft, ...], source: Source, *, confirmed: bool
) -> Outcome:
    drafts, outcome = _own_unit(actor, drafts)
    if outcome is not None:
        return outcome
    question = _next_question(env, drafts)
    if question is not None:
        return await _ask(env, actor, drafts, source, *question)
    denied = [d for d in drafts if d.unit and not actor.may_write_for(d.unit)]
    if denied:
        return Outcome("denied", fragment=denied[0].fragment)
    return await _check_and_save(env, actor, drafts, source, confirmed=confirmed)


async def _check_and_save(
    env: Env, actor: Actor, drafts: tuple[Draft, ...], source: Source, *, confirmed: bool
) -> Outcome:
    """Read, check and save in one write transaction: the checks see exactly the history the
    figure joins. For a new message the same first statement brings the province's latest
    figures for the receipt's standing, which the new figures then update in memory; an
    edit's is read after the commit (what it replaced may have been a latest). On PostgreSQL,
    with several writers, another unit's figure committed in between is not in that standing:
    the rank and province rate are a receipt's courtesy, the answers read afresh."""
    wanted = _cycle_indicators(env, drafts)
    async with env.db.write(quick=True) as conn:  # a read and a few single-row writes
        series, latest = await _series(env, conn, drafts, wanted, source.kind != "edit")
        drafts, issues = _derive_and_check(env, drafts, series)
        if any(i.is_error for _, i in issues):
            return Outcome("rejected", issues=tuple((f, i) for f, i in issues if i.is_error))
        if issues and not confirmed:
            saved = None
        else:
            saved = await _save(env, conn, actor, drafts, source, series)
    if saved is None:
        return await _ask_confirm(env, actor, drafts, source, issues)
    if isinstance(saved, Outcome):
        return saved
    after, new, corrected = saved
    standing = None if latest is None else _latest_after(latest, new, env)
    if standing is None:  # an edit: what it replaced may have been a pair's latest; read anew
        today = env.clock.today()
        async with env.db.read(snapshot=False) as conn:
            rows = await latest_rows_at(conn, {_ids(env, d)[1] for d in drafts}, [today])
        standing = _latest_of(rows[today])
    receipts, missing = _receipts(env, drafts, after, wanted, standing)
    return Outcome("saved", receipts=receipts, missing=missing, message_id=source.message_id,
                   corrected=corrected)  # fmt: skip


def _own_unit(actor: Actor, drafts: tuple[Draft, ...]) -> tuple[tuple[Draft, ...], Outcome | None]:
    """Drafts naming no unit take the sender's; a sender with several units chooses."""
    if all(d.unit or d.unit_choices for d in drafts):
        return drafts, None
    own = tuple(actor.unit_codes)
    if not own:
        return drafts, Outcome("rejected", problems=(Problem("no_unit"),))
    if len(own) == 1:
        fill: dict[str, Any] = {"unit": own[0]}
    else:
        fill = {"unit_choices": own}
    return tuple(replace(d, **fill) if not (d.unit or d.unit_choices) else d for d in drafts), None


def _next_question(env: Env, drafts: tuple[Draft, ...]) -> tuple[str, int, list[str]] | None:
    for i, d in enumerate(drafts):
        if d.unit_choices:
            return "unit", i, list(d.unit_choices)
    for i, d in enumerate(drafts):
        if d.indicator is None:
            return "indicator", i, list(d.indicator_choices)
    return None


def _label(env: Env, kind: str, code: str) -> str:
    if kind == "unit":
        return env.units.display.get(code, code)
    ind = env.catalogue.find_indicator(code)
    return ind.short if ind else code


async def _ask(
    env: Env, actor: Actor, drafts: tuple[Draft, ...], source: Source, kind: str, index: int,
    options: list[str],
) -> Outcome:  # fmt: skip
    if not options:
        return Outcome("rejected", problems=(Problem("no_indicator", drafts[index].fragment),))
    payload = {"step": kind, "index": index, "options": options}
    pid = await _put_pending(env, actor, "fig_choice", drafts, source, payload)
    labelled = tuple((c, _label(env, kind, c)) for c in options)
    return Outcome("choose", pending_id=pid, choice=kind, options=labelled,
                   fragment=drafts[index].fragment,
                   problems=(Problem("unknown_indicator"),) if drafts[index].indicator_unknown
                   else ())  # fmt: skip


async def _ask_confirm(
    env: Env, actor: Actor, drafts: tuple[Draft, ...], source: Source,
    issues: list[tuple[str, Issue]],
) -> Outcome:  # fmt: skip
    pid = await _put_pending(env, actor, "fig_confirm", drafts, source, {})
    return Outcome("confirm", pending_id=pid, issues=tuple(issues))


async def _put_pending(
    env: Env, actor: Actor, kind: str, drafts: tuple[Draft, ...], source: Source,
    extra: dict[str, Any],
) -> str:  # fmt: skip
    pid = secrets.token_urlsafe(9)
    now = env.clock.now()
    payload = {"drafts": [draft_to_dict(d) for d in drafts], "source": source.__dict__, **extra}
    async with env.db.write(quick=True) as conn:
        await store.put_pending(conn, pending_id=pid, kind=kind, user_id=actor.user_id,
                                chat_id=source.chat_id, payload=payload, now=now,
                                expires_at=now + PENDING_TTL)  # fmt: skip
    return pid


# --- answering buttons ------------------------------------------------------------------------


async def answer_choice(
    env: Env, actor: Actor, pending_id: str, option: int, update_id: int | None
) -> Outcome:
    """The officer pressed a unit or indicator button."""
    taken = await _take(env, actor, pending_id)
    if taken is None:
        return Outcome("expired")
    payload, drafts, source = taken
    options = [str(o) for o in payload.get("options", [])]
    if not 0 <= option < len(options):
        return Outcome("expired")
    code, index = options[option], int(payload.get("index", 0))
    if payload.get("step") == "unit":
        drafts = choose_unit(drafts, code)
    else:
        drafts = choose_indicator(drafts, index, code)
    return await _proceed(env, actor, drafts, replace(source, update_id=update_id), confirmed=False)


async def answer_confirm(
    env: Env, actor: Actor, pending_id: str, save: bool, update_id: int | None
) -> Outcome:
    """[Lưu] saves a warned submission as it is; [Hủy] drops it."""
    taken = await _take(env, actor, pending_id, status="done" if save else "cancelled")
    if taken is None:
        return Outcome("expired")
    _, drafts, source = taken
    if not save:
        return Outcome("cancelled")
    return await _proceed(env, actor, drafts, replace(source, update_id=update_id), confirmed=True)


async def _take(
    env: Env, actor: Actor, pending_id: str, status: str = "done"
) -> tuple[dict[str, Any], tuple[Draft, ...], Source] | None:
    async with env.db.write(quick=True) as conn:
        row = await store.take_pending(conn, pending_id, actor.user_id, env.clock.now(), status)
    if row is None or not str(row["kind"]).startswith("fig_"):
        return None
    payload: dict[str, Any] = dict(row["payload"])  # type: ignore[call-overload]
    drafts = tuple(draft_from_dict(d) for d in payload.get("drafts", []))
    src = payload.get("source", {})
    source = Source(int(src["chat_id"]), src.get("message_id"), src.get("update_id"),
                    str(src.get("kind", "message")))  # fmt: skip
    return payload, drafts, source


# --- checks -----------------------------------------------------------------------------------

Series = dict[tuple[int, int], list[store.FigureRow]]
# (indicator_id, unit_id) -> the pair's latest live figure as of today (for the receipt)
Latest = dict[tuple[int, int], AsOfRow]


async def _series(
    env: Env, conn: AsyncConnection, drafts: Sequence[Draft], wanted: Sequence[int] = (),
    standing: bool = True,
) -> tuple[Series, Latest | None]:  # fmt: skip
    """Each (unit, indicator) history, one statement per unit; with `wanted` (a single unit),
    also the cycle's other indicators' figures since the cycle began, for what is still
    missing. With `standing`, the first unit's statement also brings every unit's latest
    figures of the message's indicators as of today: the receipt's rank and province rate
    (`Latest`; None without)."""
    series: Series = {}
    by_unit: dict[int, set[int]] = {}
    for d in drafts:
        uid, iid = _ids(env, d)
        by_unit.setdefault(uid, set()).add(iid)
    latest_ids = list(dict.fromkeys(_ids(env, d)[1] for d in drafts)) if standing else []
    latest: Latest | None = None
    for n, (uid, iids) in enumerate(by_unit.items()):
        if n == 0:
            others = sorted(set(wanted) - iids)
            since = _cycle_began(env) if others else date.max
            got, rows = await store.unit_series_and_latest(
                conn, uid, sorted(iids), latest_ids, env.clock.today(), others, since
            )
            latest = _latest_of(rows) if standing else None
        else:
            got = await store.unit_series(conn, uid, sorted(iids))
        for iid, history in got.items():
            series[(uid, iid)] = history
    return series, latest


def _ids(env: Env, d: Draft) -> tuple[int, int]:
    return env.ids.unit_id[d.unit or ""], env.ids.indicator_id[d.indicator or ""]


def _derive_and_check(
    env: Env, drafts: tuple[Draft, ...], series: Series
) -> tuple[tuple[Draft, ...], list[tuple[str, Issue]]]:
    out: list[Draft] = []
    issues: list[tuple[str, Issue]] = []
    today = env.clock.today()
    for d in drafts:
        history = [_as_figure(r) for r in series.get(_ids(env, d), [])]
        if d.rate is not None and d.numerator is None:
            d = _derived(d, history)
            if d.denominator is None:
                issues.append((d.fragment, Issue("rate_needs_total", "error")))
                continue
        figure = Figure(d.as_of, d.numerator, d.denominator, d.done)
        ind = env.catalogue.indicator(d.indicator or "")
        found = check(env.catalogue, d.unit or "", ind.code, figure, today)
        if not found:
            found = warnings(figure, history, cumulative=ind.cumulative)
        issues += [(d.fragment or ind.short, i) for i in found]
        out.append(d)
    return tuple(out), issues


def _as_figure(r: store.FigureRow) -> Figure:
    return Figure(r.as_of, r.numerator, r.denominator, r.done)


def _derived(d: Draft, history: list[Figure]) -> Draft:
    """'đạt 83,2%': numerator = round(rate × the unit's last known total), flagged derived."""
    earlier = [h for h in history if h.as_of <= d.as_of and h.denominator]
    if not earlier or d.rate is None:
        return d
    total = earlier[-1].denominator or 0
    num = int((d.rate * total).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return replace(d, numerator=num, denominator=total, derived=True)


# --- saving -----------------------------------------------------------------------------------


async def _save(
    env: Env, conn: AsyncConnection, actor: Actor, drafts: tuple[Draft, ...], source: Source,
    series: Series,
) -> tuple[Series, list[store.FigureRow], bool] | Outcome:  # fmt: skip
    """Append the figures (an edit supersedes what its message said before): the unit's
    histories after the save, the new figures, and whether they corrected earlier ones;
    "duplicate" when this update was already applied."""
    now = env.clock.now()
    if not await claim_update(conn, source.update_id, now):
        return Outcome("duplicate")
    old = []
    if source.kind == "edit" and source.message_id is not None:
        old = await store.live_by_message(conn, source.chat_id, source.message_id)
    new_ids = [await store.insert_figure(conn, _row(env, actor, d, source, now)) for d in drafts]
    # No audit row: each figure records who, when, from which chat, message and update, and
    # what it supersedes; the audit table would repeat it at one more statement a message.
    await _supersede_old(conn, env, old, drafts, new_ids, now, actor, source)
    new = [_stored(env, actor, d, source, now, i) for d, i in zip(drafts, new_ids, strict=True)]
    return _series_after(series, old, new), new, bool(old)


def _series_after(
    series: Series, old: Sequence[store.FigureRow], new: Sequence[store.FigureRow]
) -> Series:
    """The live histories once the new figures are in and those they replace are out (what a
    read after the insert would return), without reading them again."""
    gone = {o.id for o in old}
    after: Series = {k: [r for r in v if r.id not in gone] for k, v in series.items()}
    for row in new:
        after.setdefault((row.unit_id, row.indicator_id), []).append(row)
    for history in after.values():
        history.sort(key=lambda r: (r.as_of, r.id))
    return after


def _stored(
    env: Env, actor: Actor, d: Draft, source: Source, now: datetime, new_id: int
) -> store.FigureRow:
    uid, iid = _ids(env, d)
    return store.FigureRow(
        id=new_id, unit_id=uid, indicator_id=iid, numerator=d.numerator,
        denominator=d.denominator, done=d.done, as_of=d.as_of, created_at=now,
        actor_user_id=actor.user_id, derived=d.derived, source=source.kind,
        chat_id=source.chat_id, message_id=source.message_id, note=d.fragment[:200] or None,
    )  # fmt: skip


def _row(env: Env, actor: Actor, d: Draft, source: Source, now: datetime) -> dict[str, object]:
    uid, iid = _ids(env, d)
    return {
        "unit_id": uid, "indicator_id": iid, "numerator": d.numerator,
        "denominator": d.denominator, "done": d.done, "as_of": d.as_of, "derived": d.derived,
        "source": source.kind, "actor_user_id": actor.user_id, "created_at": now,
        "chat_id": source.chat_id, "message_id": source.message_id,
        "update_id": source.update_id, "voided": False, "note": d.fragment[:200] or None,
    }  # fmt: skip


async def _supersede_old(
    conn: AsyncConnection, env: Env, old: list[store.FigureRow], drafts: tuple[Draft, ...],
    new_ids: list[int], now: datetime, actor: Actor, source: Source,
) -> None:  # fmt: skip
    """An edit: each old figure is replaced by the new one of its unit and indicator, or voided."""
    new_by_key = {_ids(env, d): nid for d, nid in zip(drafts, new_ids, strict=True)}
    for o in old:
        nid = new_by_key.get((o.unit_id, o.indicator_id))
        if nid is not None:
            await store.supersede(conn, o.id, nid, now)
        else:
            await store.void_figure(conn, o, now, actor.user_id, source.update_id, "edit")


# --- receipts ---------------------------------------------------------------------------------


def _latest_of(rows: Sequence[AsOfRow]) -> Latest:
    return {(r[AT_INDICATOR], r[AT_UNIT]): r for r in rows}


def _latest_after(latest: Latest, new: Sequence[store.FigureRow], env: Env) -> Latest:
    """The province's latest figures once the new ones are in, as a read after the commit
    would pick them: per pair the one dated latest (on or before today), then the highest id."""
    after, today = dict(latest), env.clock.today()
    for row in new:
        key = (row.indicator_id, row.unit_id)
        held = after.get(key)
        if row.as_of <= today and (
            held is None or (row.as_of, row.id) > (held[AT_AS_OF], held[AT_ID])
        ):
            after[key] = store.values_of(row)
    return after


def _receipts(
    env: Env, drafts: tuple[Draft, ...], series: Series, wanted: Sequence[int], latest: Latest
) -> tuple[tuple[Receipt, ...], tuple[str, ...]]:
    """Rank and pooled rate from the province's latest figures; the unit's own history and
    start-of-year figure from `series`."""
    today = env.clock.today()
    by_ind: dict[int, list[AsOfRow]] = {}
    for r in latest.values():
        by_ind.setdefault(r[AT_INDICATOR], []).append(r)
    year_start = date(today.year, 1, 1)
    receipts = tuple(_receipt(env, d, by_ind, series, year_start) for d in drafts)
    return receipts, _missing(env, drafts, series, wanted, today)


def _rate(num: int | None, den: int | None) -> Decimal | None:
    return Decimal(num) / Decimal(den) if num is not None and den else None


def _receipt(env: Env, d: Draft, latest: dict[int, list[AsOfRow]], series: Series,
             year_start: date) -> Receipt:  # fmt: skip
    uid, iid = _ids(env, d)
    ind = env.catalogue.indicator(d.indicator or "")
    rate = _rate(d.numerator, d.denominator)
    mine = series.get((uid, iid), [])
    history = [r for r in mine if r.as_of <= d.as_of]
    prev = history[-2] if len(history) >= 2 else None
    base = next((r for r in reversed(mine) if r.as_of <= year_start), None)
    rank, ranked, pooled = _standing(env, ind, uid, latest.get(iid, []))
    return Receipt(
        unit=env.units.display.get(d.unit or "", d.unit or ""), indicator=ind.short,
        kind=ind.kind, as_of=d.as_of, numerator=d.numerator, denominator=d.denominator,
        done=d.done, rate=rate, derived=d.derived,
        change=(d.numerator - prev.numerator) if prev and prev.numerator is not None
        and d.numerator is not None else None,
        change_rate=_diff(rate, _rate(prev.numerator, prev.denominator) if prev else None),
        year_change_rate=_diff(rate, _rate(base.numerator, base.denominator) if base else None),
        rank=rank, ranked=ranked, province_rate=pooled,
    )  # fmt: skip


def _diff(a: Decimal | None, b: Decimal | None) -> Decimal | None:
    return a - b if a is not None and b is not None else None


def _standing(
    env: Env, ind: Indicator, unit_id: int, rows: list[AsOfRow]
) -> tuple[int | None, int, Decimal | None]:
    """Rank among assigned units that reported, and the pooled province rate."""
    assigned = _assigned(env).get(ind.code, frozenset())
    rows = [r for r in rows if r[AT_UNIT] in assigned]
    if ind.kind == "yesno":
        done = sum(1 for r in rows if r[AT_DONE])
        return None, len(rows), Decimal(done) / Decimal(len(assigned)) if assigned else None
    # rates compared exactly in integers: a Decimal per unit cost the receipt ~0.1 ms
    rank, pooled = rank_and_pool(
        unit_id, ((r[AT_UNIT], r[AT_NUMERATOR], r[AT_DENOMINATOR]) for r in rows)
    )
    rate = Decimal(pooled.numerator) / Decimal(pooled.denominator) if pooled.denominator else None
    return rank, pooled.units, rate


def cycle_start(day_due: int, today: date) -> date:
    """The current monthly cycle began the day after the last due day (báo cáo trước ngày 12)."""
    if today.day >= day_due:
        return today.replace(day=day_due)
    first = today.replace(day=1)
    previous = first - timedelta(days=1)
    return previous.replace(day=min(day_due, previous.day))


def _assigned(env: Env) -> dict[str, frozenset[int]]:
    """Unit ids assigned each indicator, cached on the Env until the catalogue is reloaded."""
    cached = getattr(env, "_fig_assigned", None)
    if cached is None or cached[0] is not env.catalogue:
        ids = env.ids.unit_id
        sets = {i.code: frozenset(ids[u.code] for u in env.catalogue.assigned_units(i)
                                  if u.code in ids) for i in env.catalogue.indicators}  # fmt: skip
        cached = (env.catalogue, sets)
        env._fig_assigned = cached  # type: ignore[attr-defined]
    return cached[1]


def _cycle_indicators(env: Env, drafts: Sequence[Draft]) -> list[int]:
    """The monthly cycle's indicator ids assigned to the message's one unit (none for several
    units: the receipt lists what is missing only for a single unit)."""
    units = {d.unit for d in drafts}
    monthly = next((c for c in env.catalogue.cycles if c.every == "month"), None)
    if len(units) != 1 or monthly is None:
        return []
    uid = env.ids.unit_id.get(next(iter(units)) or "")
    elsewhere = {code for c in env.catalogue.cycles if c is not monthly for code in c.indicators}
    listed = set(monthly.indicators)
    assigned = _assigned(env)
    return [env.ids.indicator_id[i.code] for i in env.catalogue.indicators
            if (i.code in listed or (not listed and i.code not in elsewhere))
            and i.code in env.ids.indicator_id and uid in assigned.get(i.code, ())]  # fmt: skip


def _cycle_began(env: Env, today: date | None = None) -> date:
    """The first day of the monthly reporting cycle running today (date.max: no such cycle)."""
    monthly = next((c for c in env.catalogue.cycles if c.every == "month"), None)
    if monthly is None:
        return date.max
    return cycle_start(monthly.day, today or env.clock.today())


def _missing(
    env: Env, drafts: Sequence[Draft], series: Series, wanted: Sequence[int], today: date
) -> tuple[str, ...]:
    """The cycle's indicators the unit has no live figure for since the cycle began."""
    if not wanted:  # a message for several units, or no monthly cycle (_cycle_indicators)
        return ()
    uid = _ids(env, drafts[0])[0]
    since = _cycle_began(env, today)
    done = {i for i in wanted if any(r.as_of >= since for r in series.get((uid, i), ()))}
    code_of = env.ids.indicator_code
    return tuple(env.catalogue.indicator(code_of[i]).short for i in wanted if i not in done)


# --- undo and history -------------------------------------------------------------------------


async def undo(
    env: Env, actor: Actor, chat_id: int | None, message_id: int | None, update_id: int | None
) -> Outcome:
    """Undo the last change to the figures of one message ([Hoàn tác]) or, without one, of the
    actor's latest message (/hoantac): an edit is rolled back to the value before it, a first
    submission withdrawn. History keeps every version."""
    now = env.clock.now()
    async with env.db.write() as conn:
        if not await claim_update(conn, update_id, now):
            return Outcome("duplicate")
        if chat_id is None or message_id is None:
            last = await store.last_message_of_actor(conn, actor.user_id)
            if last is None:
                return Outcome("undone", undone=0)
            chat_id, message_id = last
        rows = await store.live_by_message(conn, chat_id, message_id)
        if any(r.actor_user_id != actor.user_id for r in rows) and not actor.is_leader:
            return Outcome("denied")
        restored = [await _undo_one(conn, r, now, actor, update_id) for r in rows]
        await people.record_audit(
            conn, "figures.undo", at=now, actor=actor.user_id,
            detail={"figures": [r.id for r in rows], "restored": [i for i in restored if i]},
        )  # fmt: skip
    return Outcome("undone", undone=len(rows), restored=sum(1 for i in restored if i))


async def _undo_one(
    conn: AsyncConnection, row: store.FigureRow, now: datetime, actor: Actor, update_id: int | None
) -> int | None:
    """The last change of one figure undone: an edit brings back the value before it; a first
    submission is withdrawn. Returns the id of the restored copy, if any."""
    earlier = await store.version_before(conn, row)
    if earlier is None:
        await store.void_figure(conn, row, now, actor.user_id, update_id)
        return None
    return await store.restore_figure(conn, row, earlier, now, actor.user_id, update_id)


async def history(env: Env, actor: Actor, args: str) -> Outcome:
    """/lichsu [unit] [indicator]: recent versions with who and when."""
    unit_codes = list(dict.fromkeys(f.key for f in env.units.find_all(args)))
    ind_codes = list(dict.fromkeys(f.key for f in env.indicators.find_all(args)))
    if not unit_codes and actor.unit_codes and not actor.is_leader:
        unit_codes = list(actor.unit_codes)
    async with env.db.read() as conn:
        rows = await store.history(
            conn,
            unit_ids=[env.ids.unit_id[c] for c in unit_codes] or None,
            indicator_ids=[env.ids.indicator_id[c] for c in ind_codes] or None,
        )
    labels = {f"u{v}": env.units.display.get(k, k) for k, v in env.ids.unit_id.items()}
    labels |= {f"i{v}": _label(env, "indicator", k) for k, v in env.ids.indicator_id.items()}
    # Times in the province's zone whatever the database returned (SQLite: naive local time).
    rows = [replace(r, figure=replace(r.figure, created_at=aware(r.figure.created_at, env)),
                    actor_name=r.actor_name or _SOURCE_NAMES.get(r.figure.source, ""))
            for r in rows]  # fmt: skip
    return Outcome("history", history=tuple(rows), labels=labels)


# Who entered a figure when no person did: shown in /lichsu.
_SOURCE_NAMES = {"demo": "dữ liệu mẫu", "import": "nhập từ tệp", "seed": "số liệu báo cáo"}
