"""Who is acting: role and units of a Telegram user, and what that role may do.

The one authorisation rule book (quyền hạn). Every capability asks `require(actor, action,
unit_code)` before it acts and renders the `Denied` it gets back:

| action       | stranger | officer                     | leader | admin |
|--------------|----------|-----------------------------|--------|-------|
| submit       | no       | own units only              | any    | any   |
| import       | no       | own units only              | any    | any   |
| close_task   | no       | tasks led by own units only | any    | any   |
| export       | no       | own units only (no province)| any    | any   |
| ask, chart   | no       | yes                         | yes    | yes   |
| bind_group   | no       | no                          | no     | yes   |
| admin        | no       | no                          | no     | yes   |

Leaders and admins acting for a unit that is not theirs are allowed; the record (figures,
task events, audit) carries their user id, so "who did it" is always answered.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime

from services.context import Env
from store import people
from texts import t

ROLES = ("admin", "leader", "officer", "none")
ASSIGNABLE_ROLES = ("admin", "leader", "officer")

# The action vocabulary shared by every capability.
SUBMIT = "submit"
ASK = "ask"
CHART = "chart"
EXPORT = "export"
IMPORT = "import"
CLOSE_TASK = "close_task"
ADMIN = "admin"
BIND_GROUP = "bind_group"
ACTIONS = (SUBMIT, ASK, CHART, EXPORT, IMPORT, CLOSE_TASK, ADMIN, BIND_GROUP)

_UNIT_SCOPED = frozenset({SUBMIT, IMPORT, CLOSE_TASK, EXPORT})
_READ = frozenset({ASK, CHART})
_ADMIN_ONLY = frozenset({ADMIN, BIND_GROUP})


@dataclass(frozen=True)
class Actor:
    """The person behind an update (người thao tác)."""

    user_id: int
    name: str
    role: str  # admin | leader | officer | none
    unit_codes: tuple[str, ...] = ()
    lang: str = "vi"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_leader(self) -> bool:
        """Leaders and admins may ask anything and act for any unit."""
        return self.role in ("admin", "leader")

    @property
    def is_registered(self) -> bool:
        return self.role != "none"

    def may_write_for(self, unit_code: str) -> bool:
        return self.is_leader or (self.role == "officer" and unit_code in self.unit_codes)


@dataclass(frozen=True)
class Denied:
    """Why an action is refused; `reason` is stranger | admin_only | not_your_unit | no_unit."""

    action: str
    reason: str
    unit_code: str | None = None

    @property
    def text_key(self) -> str:
        return f"on_denied_{self.reason}"

    def message(self, lang: str = "vi", unit_name: str = "") -> str:
        """The user-facing line (HTML); `unit_name` must already be escaped."""
        return t(self.text_key, lang, unit=unit_name or (self.unit_code or ""))


def require(actor: Actor, action: str, unit_code: str | None = None) -> Denied | None:
    """None when `actor` may do `action` (for `unit_code`, when the action is unit-scoped)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown action {action!r}; one of {ACTIONS}")
    if not actor.is_registered:
        return Denied(action, "stranger", unit_code)
    if action in _ADMIN_ONLY:
        return None if actor.is_admin else Denied(action, "admin_only", unit_code)
    if action in _READ or actor.is_leader:
        return None
    # An officer: unit-scoped actions only for their own units.
    if unit_code is None:
        if action == EXPORT:  # a province-wide report is leadership material
            return Denied(action, "not_your_unit", None)
        return None if actor.unit_codes else Denied(action, "no_unit", None)
    if unit_code in actor.unit_codes:
        return None
    return Denied(action, "not_your_unit", unit_code)


def allowed(actor: Actor, action: str, unit_code: str | None = None) -> bool:
    return require(actor, action, unit_code) is None


ACTOR_TTL = 10.0  # seconds a resolved actor is reused; see resolve_actor
_monotonic = time.monotonic  # the cache's clock (a test moves it without touching asyncio's)
_ACTOR_CACHE_MAX = 10_000


async def resolve_actor(env: Env, user_id: int, name: str = "") -> Actor:
    """The user's role and units (one read). Unknown users are strangers and are not stored.

    Every message needs this, and it rarely changes: it is reused for ACTOR_TTL seconds, and
    dropped when this process writes any user or binding and when that write commits
    (people.generation). A change made by another process (a second webhook worker) is seen
    within ACTOR_TTL."""
    now, gen = _monotonic(), people.generation()
    hit = env.actors.get(user_id)
    if hit is not None and hit[0] > now and hit[1] == gen:
        row = hit[2]
    else:
        async with env.db.read(snapshot=False) as conn:
            row = await people.actor_row(conn, user_id)
        if len(env.actors) >= _ACTOR_CACHE_MAX:
            env.actors.clear()
        env.actors[user_id] = (now + ACTOR_TTL, gen, row)
    return _actor(env, user_id, name, row)


def _actor(env: Env, user_id: int, name: str, row: people.ActorRow | None) -> Actor:
    role = row.role if row else "none"
    if user_id in env.admin_ids:
        role = "admin"
    units = row.unit_ids if row else ()
    codes = tuple(env.ids.unit_code[u] for u in units if u in env.ids.unit_code)
    if role == "officer" and not codes:
        role = "none"  # an officer whose units were all removed has no rights left
    return Actor(user_id=user_id, name=name or (row.full_name if row else ""), role=role,
                 unit_codes=codes)  # fmt: skip


# --- promote / demote ------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleChange:
    """Outcome of /quyen: ok, or a refusal reason (denied | bad_role | env_admin)."""

    ok: bool
    user_id: int
    role: str
    previous: str = "none"
    reason: str = ""
    denied: Denied | None = None


async def set_role(env: Env, by: Actor, user_id: int, role: str) -> RoleChange:
    """Promote or demote; admins only. ADMIN_IDS stay admins whatever the table says."""
    denied = require(by, ADMIN)
    if denied:
        return RoleChange(False, user_id, role, reason="denied", denied=denied)
    if role not in ASSIGNABLE_ROLES:
        return RoleChange(False, user_id, role, reason="bad_role")
    if user_id in env.admin_ids and role != "admin":
        return RoleChange(False, user_id, role, previous="admin", reason="env_admin")
    now = env.clock.now()
    async with env.db.write() as conn:
        current = await people.get_user(conn, user_id)
        previous = current.role if current else "none"
        await people.upsert_user(conn, user_id, now=now, role=role)
        await people.record_audit(
            conn, "user.role", at=now, actor=by.user_id,
            detail={"user_id": user_id, "role": role, "previous": previous},
        )  # fmt: skip
    return RoleChange(True, user_id, role, previous=previous)


async def promote(env: Env, by: Actor, user_id: int, role: str = "admin") -> RoleChange:
    return await set_role(env, by, user_id, role)


async def demote(env: Env, by: Actor, user_id: int, role: str = "officer") -> RoleChange:
    return await set_role(env, by, user_id, role)


async def admin_ids(env: Env) -> list[int]:
    """Everyone who is an admin now: ADMIN_IDS plus promoted users."""
    async with env.db.read() as conn:
        promoted = await people.user_ids_with_role(conn, "admin")
    return sorted(set(env.admin_ids) | set(promoted))


def aware(value: datetime, env: Env) -> datetime:
    """In the clock's zone. SQLite returns naive datetimes (written in the clock's zone);
    PostgreSQL returns aware ones in UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=env.clock.tz)
    return value.astimezone(env.clock.tz)
