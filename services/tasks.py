"""Plan tasks: list them with the counts reports use, close one, import a forwarded plan."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, Literal

from domain.deadlines import TaskState, days_left, days_overdue, task_state
from domain.matching import NameIndex
from domain.periods import parse_due
from domain.plan_table import PlanRow, header_columns, parse_table
from services.access import Actor
from services.context import Env
from store import pending as pending_store
from store import tasks as store
from store.alerts import chase_counts
from store.updates import claim_update

StatusFilter = Literal["overdue", "due_soon", "open", "all"]
PLAN_KIND = "plan_import"
CLOSE_KIND = "task_close"
PENDING_TTL = timedelta(days=2)


@dataclass(frozen=True)
class TaskView:
    id: int
    code: str
    label: str  # 'III.4'
    number: int
    section: str
    title: str
    plan: str
    plan_name: str
    lead: str
    lead_name: str
    due_kind: str
    due_text: str
    due_date: date | None
    state: TaskState
    days: int | None  # overdue by (state overdue) or left (due_soon/open)
    reminders: int  # reminders sent so far (before the bot and by the bot)
    result: str | None = None


@dataclass(frozen=True)
class TaskCounts:
    """The counts report 003 gives (tiến độ thực hiện các nhiệm vụ)."""

    total: int  # tổng số nhiệm vụ được giao
    dated: int  # có thời hạn
    recurring: int  # thực hiện thường xuyên
    unfinished: int  # chưa hoàn thành (dated tasks not done)
    overdue: int  # quá hạn
    done: int = 0
    unknown: int = 0  # due phrase not read: shown to the leader to fix


@dataclass(frozen=True)
class TaskList:
    status: StatusFilter
    today: date
    within_days: int
    items: list[TaskView]
    counts: TaskCounts
    scope: str | None = None
    lead: str | None = None
    scope_name: str = ""  # of the lead unit, else of the scope


def _in(unit: str, scope: str, env: Env) -> bool:
    seen = 0
    current: str | None = unit
    while current is not None and seen < 10:
        if current == scope:
            return True
        found = env.catalogue.find_unit(current)
        current, seen = (found.parent if found else None), seen + 1
    return False


def _name(env: Env, code: str) -> str:
    unit = env.catalogue.find_unit(code)
    return unit.full_name if unit else code


def _view(env: Env, row: store.TaskRow, today: date, within: int, chased: int) -> TaskView:
    plan = env.ids.unit_code.get(row.plan_unit_id, "")
    lead = env.ids.unit_code.get(row.lead_unit_id, "")
    state = task_state(row.due_kind, row.due_date, row.status == "done", today, within)
    days = None
    if row.due_date is not None and state == "overdue":
        days = days_overdue(row.due_date, today)
    elif row.due_date is not None and state in ("due_soon", "open"):
        days = days_left(row.due_date, today)
    return TaskView(
        id=row.id,
        code=row.code,
        label=f"{row.section}.{row.number}" if row.section else str(row.number),
        number=row.number,
        section=row.section,
        title=row.title,
        plan=plan,
        plan_name=_name(env, plan),
        lead=lead,
        lead_name=_name(env, lead),
        due_kind=row.due_kind,
        due_text=row.due_text,
        due_date=row.due_date,
        state=state,
        days=days,
        reminders=row.reminders_base + chased,
        result=row.result,
    )


def _counts(views: list[TaskView]) -> TaskCounts:
    dated = [v for v in views if v.due_kind == "date"]
    return TaskCounts(
        total=len(views),
        dated=len(dated),
        recurring=sum(v.due_kind == "recurring" for v in views),
        unfinished=sum(v.state != "done" for v in dated),
        overdue=sum(v.state == "overdue" for v in views),
        done=sum(v.state == "done" for v in views),
        unknown=sum(v.due_kind == "unknown" for v in views),
    )


def _wanted(view: TaskView, status: StatusFilter) -> bool:
    if status == "all":
        return True
    if status == "open":
        return view.state != "done"
    return view.state == status or (status == "due_soon" and view.state == "due_soon")


async def list_tasks(
    env: Env,
    *,
    status: StatusFilter = "all",
    lead_unit_code: str | None = None,
    scope_unit_code: str | None = None,
    within_days: int = 7,
    today: date | None = None,
) -> TaskList:
    """Tasks in a scope (plan or lead unit under it) or of one lead unit, with 003's counts.

    'due_soon' is due within `within_days` days (0 = today); 'overdue' is past its due date;
    'open' is every task not done. Counts cover the scope whatever the status filter.
    """
    day = today or env.clock.today()
    async with env.db.read() as conn:
        rows = await store.all_tasks(conn)
        chased = await chase_counts(conn, ("task",), day)
    views = [_view(env, r, day, within_days, chased.get(f"task:{r.id}", 0)) for r in rows]
    if scope_unit_code:
        views = [
            v
            for v in views
            if _in(v.plan, scope_unit_code, env) or _in(v.lead, scope_unit_code, env)
        ]
    if lead_unit_code:
        views = [v for v in views if _in(v.lead, lead_unit_code, env)]
    items = [v for v in views if _wanted(v, status)]
    if status == "overdue":
        items.sort(key=lambda v: -(v.days or 0))
    elif status == "due_soon":
        items.sort(key=lambda v: v.days or 0)
    named = lead_unit_code or scope_unit_code
    return TaskList(
        status,
        day,
        within_days,
        items,
        _counts(views),
        scope_unit_code,
        lead_unit_code,
        _name(env, named) if named else "",
    )


# -- closing a task: /xong 4 đã ban hành KH số 1199/KH-UBND -----------------------------------

CloseOutcome = Literal[
    "closed",
    "ambiguous",
    "not_found",
    "forbidden",
    "already_done",
    "no_result",
    "usage",
    "duplicate",
    "expired",
]
_REF = re.compile(
    r"^\s*(?:(?P<sec>[IVXLivxl]+)\s*[.\-/]\s*)?(?P<num>\d{1,3})\b[\s:,.\-–]*(?P<rest>.*)$", re.S
)


@dataclass(frozen=True)
class CloseResult:
    outcome: CloseOutcome
    task: TaskView | None = None
    candidates: list[TaskView] = field(default_factory=list)
    pending_id: str | None = None
    result_text: str = ""


def _may_close(actor: Actor, view: TaskView) -> bool:
    return actor.may_write_for(view.lead) or actor.may_write_for(view.plan)


async def close_task(
    env: Env, actor: Actor, args: str, *, chat_id: int, update_id: int | None = None
) -> CloseResult:
    """Close the task numbered as in the plan; several with that number → ask which."""
    match = _REF.match(args or "")
    if match is None:
        return CloseResult("usage")
    result_text = match["rest"].strip()
    number, section = int(match["num"]), (match["sec"] or "").upper()
    listing = await list_tasks(env, status="all")
    found = [
        v for v in listing.items if v.number == number and (not section or v.section == section)
    ]
    if not found:
        return CloseResult("not_found", result_text=result_text)
    mine = [v for v in found if _may_close(actor, v)]
    if not mine:
        return CloseResult("forbidden", candidates=found, result_text=result_text)
    if not result_text:
        return CloseResult("no_result", candidates=mine)
    open_mine = [v for v in mine if v.state != "done"] or mine
    if len(open_mine) == 1:
        return await _close(env, actor, open_mine[0], result_text, update_id)
    pending_id = await _remember(
        env, actor, chat_id, CLOSE_KIND, {"result": result_text, "ids": [v.id for v in open_mine]}
    )
    return CloseResult(
        "ambiguous", candidates=open_mine, pending_id=pending_id, result_text=result_text
    )


async def close_chosen(
    env: Env, actor: Actor, pending_id: str, task_id: int, *, update_id: int | None = None
) -> CloseResult:
    """The answer to 'which task number 4?': a button naming one of the candidates."""
    async with env.db.read() as conn:
        pending = await pending_store.get(
            conn, pending_id, now=env.clock.now(), kind=CLOSE_KIND, user_id=actor.user_id
        )
    if pending is None:
        return CloseResult("expired")
    if task_id not in pending.payload.get("ids", []):
        return CloseResult("not_found")
    listing = await list_tasks(env, status="all")
    view = next((v for v in listing.items if v.id == task_id), None)
    if view is None or not _may_close(actor, view):
        return CloseResult("forbidden")
    return await _close(env, actor, view, str(pending.payload["result"]), update_id, pending_id)


async def _close(
    env: Env,
    actor: Actor,
    view: TaskView,
    result_text: str,
    update_id: int | None,
    pending_id: str | None = None,
) -> CloseResult:
    now = env.clock.now()
    async with env.db.write() as conn:
        if not await claim_update(conn, update_id, now):
            return CloseResult("duplicate", task=view)
        if pending_id is not None:
            await pending_store.finish(conn, pending_id, "done")
        closed = await store.close_task(
            conn, view.id, now=now, by=actor.user_id, result=result_text
        )
    return CloseResult("closed" if closed else "already_done", task=view, result_text=result_text)


async def _remember(
    env: Env, actor: Actor, chat_id: int, kind: str, payload: dict[str, Any]
) -> str:
    async with env.db.write() as conn:
        return await pending_store.create(
            conn, kind=kind, user_id=actor.user_id, chat_id=chat_id, payload=payload,
            now=env.clock.now(), ttl=PENDING_TTL,
        )  # fmt: skip


# -- importing a plan forwarded as .docx or .xlsx ----------------------------------------------


class PlanFileError(ValueError):
    """The file is not a plan's task table (or cannot be opened)."""


@dataclass(frozen=True)
class PlanTaskDraft:
    label: str
    section: str
    section_title: str
    number: int
    title: str
    lead_text: str
    lead: str  # unit code (the plan unit itself when the lead cell names no known office)
    lead_known: bool
    due_text: str
    due_kind: str
    due_date: date | None
    due_problem: str | None  # a phrase that could not be read: for the leader to fix
    directive: str = ""
    coordinating: str = ""
    product: str = ""


@dataclass(frozen=True)
class PlanPreview:
    outcome: Literal["preview", "forbidden", "no_table", "no_unit"]
    plan: str = ""
    plan_name: str = ""
    drafts: list[PlanTaskDraft] = field(default_factory=list)
    pending_id: str | None = None
    skipped: list[str] = field(default_factory=list)

    @property
    def unreadable(self) -> list[PlanTaskDraft]:
        return [d for d in self.drafts if d.due_kind == "unknown"]


@dataclass(frozen=True)
class PlanImportResult:
    outcome: Literal["imported", "cancelled", "expired", "forbidden"]
    added: int = 0
    updated: int = 0
    plan_name: str = ""


def _docx_rows(data: bytes) -> tuple[list[list[str]], str]:
    """Every table row of the document (tables in order) and the text before the tables."""
    import docx  # python-docx; imported here so the bot starts without touching it

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises several kinds for a broken file
        raise PlanFileError(str(exc)) from exc
    rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    heading = "\n".join(p.text for p in document.paragraphs[:40])
    return rows, heading


def _xlsx_rows(data: bytes) -> tuple[list[list[str]], str]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # zip, xml and key errors alike
        raise PlanFileError(str(exc)) from exc
    rows: list[list[str]] = []
    for sheet in book.worksheets:
        for values in sheet.iter_rows(values_only=True):
            rows.append(["" if v is None else str(v) for v in values])
    book.close()
    return rows, ""


def read_rows(filename: str, data: bytes) -> tuple[list[list[str]], str]:
    name = filename.lower()
    if name.endswith(".docx"):
        return _docx_rows(data)
    if name.endswith(".xlsx"):
        return _xlsx_rows(data)
    raise PlanFileError(f"not a .docx or .xlsx file: {filename}")


def is_plan_file(filename: str, data: bytes, max_rows: int = 15) -> bool:
    """A quick sniff: does a header row of the task table appear near the top?"""
    try:
        rows, _ = read_rows(filename, data)
    except PlanFileError:
        return False
    return any(header_columns(r) is not None for r in rows[:max_rows])


def _office_index(env: Env, plan: str) -> NameIndex:
    entries = []
    for u in env.catalogue.units:
        if u.parent == plan or u.code == plan or u.kind == "agency":
            entries.append((u.code, u.name, [*u.aliases, u.full_name]))
    return NameIndex(entries)


def _plan_unit(env: Env, actor: Actor, caption: str, heading: str) -> str | None:
    for text in (caption, heading):
        for found in env.units.find_all(text or ""):
            unit = env.catalogue.find_unit(found.key)
            if unit and unit.kind != "province":
                return unit.code
    return next(iter(actor.unit_codes), None)


def _draft(row: PlanRow, plan: str, offices: NameIndex) -> PlanTaskDraft:
    due = parse_due(row.due_text)
    hits = offices.find_all(row.lead)
    lead = hits[0].key if hits else plan
    return PlanTaskDraft(
        label=row.label,
        section=row.section,
        section_title=row.section_title,
        number=row.number,
        title=row.title,
        lead_text=row.lead,
        lead=lead,
        lead_known=bool(hits),
        due_text=row.due_text,
        due_kind=due.kind,
        due_date=due.due_date,
        due_problem=due.reason if due.kind == "unknown" else None,
        directive=row.directive,
        coordinating=row.coordinating,
        product=row.product,
    )


async def read_plan(
    env: Env, actor: Actor, *, filename: str, data: bytes, caption: str = "", chat_id: int
) -> PlanPreview:
    """Show what was read; kept as a pending action until the leader confirms."""
    rows, heading = read_rows(filename, data)
    table = parse_table(rows)
    if not table.rows:
        return PlanPreview("no_table", skipped=table.skipped)
    plan = _plan_unit(env, actor, caption, heading)
    if plan is None:
        return PlanPreview("no_unit")
    if not actor.may_write_for(plan):
        return PlanPreview("forbidden", plan=plan, plan_name=_name(env, plan))
    offices = _office_index(env, plan)
    drafts = [_draft(r, plan, offices) for r in table.rows]
    payload = {
        "plan": plan,
        "filename": filename,
        "title": heading.strip()[:300],
        "rows": [_draft_payload(d) for d in drafts],
    }
    pending_id = await _remember(env, actor, chat_id, PLAN_KIND, payload)
    return PlanPreview("preview", plan, _name(env, plan), drafts, pending_id, table.skipped)


def _draft_payload(d: PlanTaskDraft) -> dict[str, Any]:
    return {
        "section": d.section,
        "section_title": d.section_title,
        "number": d.number,
        "title": d.title,
        "lead": d.lead,
        "due_text": d.due_text,
        "due_kind": d.due_kind,
        "due_date": d.due_date.isoformat() if d.due_date else None,
        "directive": d.directive,
        "coordinating": d.coordinating,
        "product": d.product,
    }


async def confirm_plan(
    env: Env, actor: Actor, pending_id: str, *, accept: bool = True
) -> PlanImportResult:
    """Import the previewed plan (or drop it); a second tap finds it already finished."""
    now = env.clock.now()
    async with env.db.write() as conn:
        pending = await pending_store.get(conn, pending_id, now=now, kind=PLAN_KIND)
        if pending is None:
            return PlanImportResult("expired")
        plan = str(pending.payload["plan"])
        if pending.user_id != actor.user_id or not actor.may_write_for(plan):
            return PlanImportResult("forbidden")
        if not accept:
            await pending_store.finish(conn, pending_id, "cancelled")
            return PlanImportResult("cancelled", plan_name=_name(env, plan))
        rows = [
            _task_values(env, plan, str(pending.payload.get("title", "")), r)
            for r in pending.payload["rows"]
        ]
        added, updated = await store.upsert_imported(conn, rows, now=now, by=actor.user_id)
        await pending_store.finish(conn, pending_id, "done")
    return PlanImportResult("imported", added, updated, _name(env, plan))


def _task_values(env: Env, plan: str, title: str, r: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": f"{plan}:{r['section']}.{r['number']}",
        "plan_unit_id": env.ids.unit_id[plan],
        "plan_title": title.split("\n")[0][:300],
        "section": r["section"],
        "section_title": r["section_title"],
        "number": r["number"],
        "title": r["title"],
        "directive": r["directive"],
        "lead_unit_id": env.ids.unit_id.get(r["lead"], env.ids.unit_id[plan]),
        "coordinating": r["coordinating"],
        "due_text": r["due_text"],
        "due_kind": r["due_kind"],
        "due_date": date.fromisoformat(r["due_date"]) if r["due_date"] else None,
        "product": r["product"],
    }
