"""Who is acting: role and units of a Telegram user, and what that role may do."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from services.context import Env
from store.schema import user_units, users

ROLES = ("admin", "leader", "officer", "none")


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


async def resolve_actor(env: Env, user_id: int, name: str = "") -> Actor:
    """One read: the user's role and units. Unknown users are strangers and are not stored."""
    async with env.db.read() as conn:
        rows = (
            await conn.execute(
                select(users.c.role, users.c.full_name, user_units.c.unit_id)
                .select_from(users.outerjoin(user_units, user_units.c.user_id == users.c.id))
                .where(users.c.id == user_id)
            )
        ).all()
    role = rows[0].role if rows else "none"
    if user_id in env.admin_ids:
        role = "admin"
    codes = tuple(
        env.ids.unit_code[r.unit_id]
        for r in rows
        if r.unit_id is not None and r.unit_id in env.ids.unit_code
    )
    return Actor(user_id=user_id, name=name or (rows[0].full_name if rows else ""), role=role,
                 unit_codes=codes)  # fmt: skip
