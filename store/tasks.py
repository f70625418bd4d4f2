"""Plan tasks repository: reading, closing and importing tasks (pending previews: store/pending)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from store.schema import audit, task_events, tasks


@dataclass(frozen=True)
class TaskRow:
    id: int
    code: str
    plan_unit_id: int
    plan_title: str
    section: str
    section_title: str
    number: int
    title: str
    lead_unit_id: int
    coordinating: str
    due_text: str
    due_kind: str
    due_date: date | None
    product: str
    status: str
    result: str | None
    reminders_base: int
    source: str
    closed_at: datetime | None = None


def _row(r: Any) -> TaskRow:
    return TaskRow(
        id=r.id,
        code=r.code,
        plan_unit_id=r.plan_unit_id,
        plan_title=r.plan_title,
        section=r.section,
        section_title=r.section_title,
        number=r.number,
        title=r.title,
        lead_unit_id=r.lead_unit_id,
        coordinating=r.coordinating,
        due_text=r.due_text,
        due_kind=r.due_kind,
        due_date=r.due_date,
        product=r.product,
        status=r.status,
        result=r.result,
        reminders_base=r.reminders_base,
        source=r.source,
        closed_at=r.closed_at,
    )


async def all_tasks(conn: AsyncConnection) -> list[TaskRow]:
    """Every live task, in plan order."""
    rows = await conn.execute(
        select(tasks).where(tasks.c.retired.is_(False)).order_by(tasks.c.plan_unit_id, tasks.c.id)
    )
    return [_row(r) for r in rows]


async def get_task(conn: AsyncConnection, task_id: int) -> TaskRow | None:
    row = (await conn.execute(select(tasks).where(tasks.c.id == task_id))).first()
    return _row(row) if row else None


async def close_task(
    conn: AsyncConnection, task_id: int, *, now: datetime, by: int | None, result: str
) -> bool:
    """Open → done with the officer's result; False when it was already closed."""
    done = await conn.execute(
        update(tasks)
        .where(tasks.c.id == task_id, tasks.c.status == "open")
        .values(status="done", closed_at=now, closed_by=by, result=result)
    )
    if not done.rowcount:
        return False
    await conn.execute(
        insert(task_events).values(
            task_id=task_id, at=now, actor_user_id=by, kind="closed", detail={"result": result}
        )
    )
    await conn.execute(
        insert(audit).values(
            at=now, actor_user_id=by, action="task.close", detail={"task_id": task_id}
        )
    )
    return True


async def upsert_imported(
    conn: AsyncConnection, rows: list[dict[str, Any]], *, now: datetime, by: int | None
) -> tuple[int, int]:
    """Insert tasks of an imported plan by code; a known code is updated but keeps its status."""
    codes = [r["code"] for r in rows]
    existing = {
        r.code: r.id
        for r in await conn.execute(select(tasks.c.code, tasks.c.id).where(tasks.c.code.in_(codes)))
    }
    added = updated = 0
    for row in rows:
        values = {k: v for k, v in row.items() if k != "code"}
        if row["code"] in existing:
            task_id = existing[row["code"]]
            await conn.execute(
                update(tasks).where(tasks.c.id == task_id).values(retired=False, **values)
            )
            kind = "changed"
            updated += 1
        else:
            result = await conn.execute(
                insert(tasks).values(code=row["code"], source="import", **values)
            )
            task_id = int(result.inserted_primary_key[0])  # type: ignore[index]
            kind = "created"
            added += 1
        await conn.execute(
            insert(task_events).values(
                task_id=task_id, at=now, actor_user_id=by, kind=kind, detail={"source": "import"}
            )
        )
    await conn.execute(
        insert(audit).values(
            at=now,
            actor_user_id=by,
            action="task.import",
            detail={"added": added, "updated": updated},
        )
    )
    return added, updated
