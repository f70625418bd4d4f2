"""Catalogue in the database: sync from the files by code, never deleting what figures use."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from domain.catalogue import Catalogue
from domain.periods import parse_due
from store.schema import assignments, audit, indicators, targets, tasks, units


@dataclass
class CatalogueIds:
    """Database ids of the catalogue's codes, kept in memory for the whole run."""

    unit_id: dict[str, int]
    indicator_id: dict[str, int]

    def __post_init__(self) -> None:
        self.unit_code = {v: k for k, v in self.unit_id.items()}
        self.indicator_code = {v: k for k, v in self.indicator_id.items()}


@dataclass(frozen=True)
class SyncReport:
    units_added: int
    units_retired: int
    indicators_added: int
    indicators_retired: int
    tasks_added: int
    tasks_updated: int


async def sync_catalogue(
    conn: AsyncConnection, catalogue: Catalogue, now: datetime, actor: int | None = None
) -> tuple[CatalogueIds, SyncReport]:
    """Upsert units, indicators, targets, assignments and plan tasks in one transaction."""
    unit_ids, u_added, u_retired = await _sync_units(conn, catalogue)
    ind_ids, i_added, i_retired = await _sync_indicators(conn, catalogue, unit_ids)
    t_added, t_updated = await _sync_tasks(conn, catalogue, unit_ids, now)
    report = SyncReport(u_added, u_retired, i_added, i_retired, t_added, t_updated)
    await conn.execute(
        insert(audit).values(
            at=now, actor_user_id=actor, action="catalogue.sync", detail=report.__dict__
        )
    )
    return CatalogueIds(unit_ids, ind_ids), report


async def _sync_units(conn: AsyncConnection, cat: Catalogue) -> tuple[dict[str, int], int, int]:
    existing = {r.code: r.id for r in await conn.execute(select(units.c.code, units.c.id))}
    added = 0
    for u in cat.units:  # parents come before children in units.csv order; fixed below anyway
        values = {"name": u.name, "kind": u.kind, "aliases": list(u.aliases), "retired": False}
        if u.code in existing:
            await conn.execute(update(units).where(units.c.id == existing[u.code]).values(values))
        else:
            result = await conn.execute(insert(units).values(code=u.code, **values))
            existing[u.code] = int(result.inserted_primary_key[0])  # type: ignore[index]
            added += 1
    for u in cat.units:
        parent_id = existing[u.parent] if u.parent else None
        await conn.execute(
            update(units).where(units.c.id == existing[u.code]).values(parent_id=parent_id)
        )
    gone = set(existing) - {u.code for u in cat.units}
    if gone:
        await conn.execute(update(units).where(units.c.code.in_(gone)).values(retired=True))
    return {c: i for c, i in existing.items() if c not in gone}, added, len(gone)


async def _sync_indicators(
    conn: AsyncConnection, cat: Catalogue, unit_ids: dict[str, int]
) -> tuple[dict[str, int], int, int]:
    existing = {
        r.code: r.id for r in await conn.execute(select(indicators.c.code, indicators.c.id))
    }
    added = 0
    for ind in cat.indicators:
        values = {
            "name": ind.name,
            "short": ind.short,
            "kind": ind.kind,
            "numerator_label": ind.numerator,
            "denominator_label": ind.denominator,
            "aliases": list(ind.aliases),
            "owner_unit_id": unit_ids.get(ind.owner or ""),
            "spec": _jsonable({"en": ind.en, "group": ind.group, "step": ind.step, **ind.extra}),
            "retired": False,
        }
        if ind.code in existing:
            ind_id = existing[ind.code]
            await conn.execute(update(indicators).where(indicators.c.id == ind_id).values(values))
        else:
            result = await conn.execute(insert(indicators).values(code=ind.code, **values))
            ind_id = int(result.inserted_primary_key[0])  # type: ignore[index]
            existing[ind.code] = ind_id
            added += 1
        # Targets and assignments are catalogue facts with no history of their own: replace.
        await conn.execute(delete(targets).where(targets.c.indicator_id == ind_id))
        rows = [
            {"indicator_id": ind_id, "kind": "milestone", "rate": m.rate, "due_date": m.due,
             "text": m.text}
            for m in ind.milestones
        ]  # fmt: skip
        if ind.target:
            rows.append(
                {"indicator_id": ind_id, "kind": "target", "rate": ind.target.rate,
                 "due_date": ind.target.due, "text": ind.target.text}
            )  # fmt: skip
        if rows:
            await conn.execute(insert(targets), rows)
        await conn.execute(delete(assignments).where(assignments.c.indicator_id == ind_id))
        assigned = [
            {"indicator_id": ind_id, "unit_id": unit_ids[u.code]} for u in cat.assigned_units(ind)
        ]
        if assigned:
            await conn.execute(insert(assignments), assigned)
    gone = set(existing) - {i.code for i in cat.indicators}
    if gone:
        await conn.execute(
            update(indicators).where(indicators.c.code.in_(gone)).values(retired=True)
        )
    return {c: i for c, i in existing.items() if c not in gone}, added, len(gone)


async def _sync_tasks(
    conn: AsyncConnection, cat: Catalogue, unit_ids: dict[str, int], now: datetime
) -> tuple[int, int]:
    """Catalogue tasks are matched by code; a task closed in the bot stays closed."""
    existing = {
        r.code: r.id
        for r in await conn.execute(
            select(tasks.c.code, tasks.c.id).where(tasks.c.source == "catalogue")
        )
    }
    added = updated = 0
    for t in cat.tasks:
        due = parse_due(t.due_text)
        values = {
            "plan_unit_id": unit_ids[t.plan],
            "plan_title": t.plan_title,
            "section": t.section,
            "section_title": t.section_title,
            "number": t.number,
            "title": t.title,
            "directive": t.directive,
            "lead_unit_id": unit_ids[t.lead],
            "coordinating": t.coordinating,
            "due_text": t.due_text,
            "due_kind": due.kind,
            "due_date": due.due_date,
            "product": t.product,
            "reminders_base": t.reminders_sent,
            "retired": False,
        }
        if t.code in existing:
            await conn.execute(update(tasks).where(tasks.c.id == existing[t.code]).values(values))
            updated += 1
        else:
            await conn.execute(insert(tasks).values(code=t.code, source="catalogue", **values))
            added += 1
    gone = set(existing) - {t.code for t in cat.tasks}
    if gone:
        await conn.execute(update(tasks).where(tasks.c.code.in_(gone)).values(retired=True))
    return added, updated


def _jsonable(value: dict[str, Any]) -> dict[str, Any]:
    """Catalogue extras may hold dates (YAML parses them); JSON columns need strings."""
    result: dict[str, Any] = json.loads(json.dumps(value, default=str))
    return result
