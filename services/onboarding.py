"""Onboarding (đăng ký): invite codes, join requests, binding people and group chats to units.

Invite codes are `secrets.token_urlsafe(9)` (12 characters, 72 random bits: short enough to type
after /dangky, far beyond guessing with single use and a 14-day expiry). The database keeps only
a SHA-256 digest, so a copied database file or backup cannot be used to join as an officer; the
price is that a code is shown once (in the /moi answer or its .xlsx) — a lost link is replaced by
a fresh `/moi <unit>`, and `/moi huy <unit>` revokes every live code of that unit.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncConnection

from domain.catalogue import Unit
from domain.text import fold
from services.access import (
    ADMIN,
    BIND_GROUP,
    Actor,
    Denied,
    admin_ids,
    aware,
    require,
)
from services.catalogue import load_catalogue
from services.context import Env
from store import people
from store.catalogue import SyncReport, sync_catalogue
from store.updates import claim_update

INVITE_DAYS = 14
ALL_COMMUNES = frozenset({"tatca", "tat ca", "all", "*", "toan bo", "cac xa"})
PROVINCE_WORDS = frozenset({"tinh", "toan tinh", "province"})
UNBIND_WORDS = frozenset({"huy", "bo", "go", "off"})
_CODE_SHAPE = re.compile(r"[A-Za-z0-9_-]{8,64}")


def new_code() -> str:
    return secrets.token_urlsafe(9)


def code_digest(code: str) -> str:
    """What the invites table stores (40 hex characters fit its column)."""
    return hashlib.sha256(code.strip().encode()).hexdigest()[:40]


def looks_like_code(text: str) -> bool:
    return bool(_CODE_SHAPE.fullmatch(text.strip()))


def deep_link(env: Env, code: str) -> str:
    return f"https://t.me/{env.bot_username or 'bot'}?start={code}"


def _now(env: Env) -> datetime:
    return env.clock.now().astimezone(env.clock.tz)


# --- finding a unit by name ------------------------------------------------------------------


@dataclass(frozen=True)
class UnitMatch:
    unit: Unit | None
    suggestions: tuple[str, ...] = ()  # display names, when nothing matched well enough


def resolve_unit(env: Env, text: str) -> UnitMatch:
    """A unit from what an admin or officer typed: code, name/alias (diacritics optional),
    'Phòng Kinh tế Vĩnh Thủy' for a commune office, or a close typo."""
    query = " ".join(text.split())
    if not query:
        return UnitMatch(None)
    by_code = env.catalogue.find_unit(query)
    if by_code is not None:
        return UnitMatch(by_code)
    key = env.units.lookup(query)
    if key is not None:
        return UnitMatch(env.catalogue.unit(key))
    found = env.units.find_all(query) or env.units.fuzzy_find(query)
    if found:
        unit = env.catalogue.unit(found[0].key)
        rest = (query[: found[0].start] + " " + query[found[0].end :]).strip()
        return UnitMatch(_office_of(env, unit, rest) or unit)
    names = tuple(s.name for s in env.units.suggest(query, limit=3, cutoff=60))
    return UnitMatch(None, names)


def _office_of(env: Env, commune: Unit, rest: str) -> Unit | None:
    wanted = fold(rest)
    if not wanted:
        return None
    for office in env.catalogue.children(commune.code):
        if office.kind == "office" and (fold(office.name) in wanted or wanted in fold(office.name)):
            return office
    return None


def unit_name(env: Env, code: str | None) -> str:
    """'xã Vĩnh Thủy', 'Sở Y tế', 'Phòng Kinh tế (xã Vĩnh Thủy)'."""
    unit = env.catalogue.find_unit(code or "")
    if unit is None:
        return code or ""
    if unit.kind == "office" and unit.parent:
        return f"{unit.name} ({unit_name(env, unit.parent)})"
    return unit.full_name


def _unit_of_id(env: Env, unit_id: int) -> str:
    return env.ids.unit_code.get(unit_id, "")


# --- invites ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class InviteLink:
    unit_code: str
    unit_name: str
    code: str
    link: str
    expires_at: datetime


@dataclass(frozen=True)
class InviteBatch:
    """Result of /moi: the new links, or why none were made."""

    links: tuple[InviteLink, ...] = ()
    denied: Denied | None = None
    suggestions: tuple[str, ...] = ()
    all_communes: bool = False
    duplicate: bool = False  # a redelivered /moi: the first delivery already answered

    @property
    def ok(self) -> bool:
        return bool(self.links)


async def create_invites(
    env: Env, by: Actor, target: str, *, days: int = INVITE_DAYS, update_id: int | None = None
) -> InviteBatch:
    """One code for a unit, or one per commune for `tatca`; each expires after `days`."""
    denied = require(by, ADMIN)
    if denied:
        return InviteBatch(denied=denied)
    everyone = fold(target) in ALL_COMMUNES
    if everyone:
        targets = env.catalogue.communes()
    else:
        match = resolve_unit(env, target)
        if match.unit is None:
            return InviteBatch(suggestions=match.suggestions)
        targets = [match.unit]
    now = _now(env)
    expires = now + timedelta(days=days)
    links = [
        InviteLink(u.code, unit_name(env, u.code), code, deep_link(env, code), expires)
        for u, code in ((u, new_code()) for u in targets)
    ]
    rows: list[dict[str, object]] = [
        {"code": code_digest(x.code), "unit_id": env.ids.unit_id[x.unit_code], "role": "officer",
         "created_by": by.user_id, "created_at": now, "expires_at": expires}
        for x in links
    ]  # fmt: skip
    async with env.db.write() as conn:
        if not await claim_update(conn, update_id, now):
            return InviteBatch(duplicate=True)
        await people.insert_invites(conn, rows)
        await people.record_audit(
            conn, "invite.create", at=now, actor=by.user_id,
            detail={"units": [x.unit_code for x in links], "expires_at": expires.isoformat()},
        )  # fmt: skip
    return InviteBatch(links=tuple(links), all_communes=everyone)


def invites_workbook(batch: InviteBatch) -> bytes:
    """The .xlsx an admin forwards to the communes: unit, code, link, expiry."""
    from openpyxl import Workbook  # imported here: only /moi tatca needs it

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Ma moi"
    sheet.append(["Đơn vị", "Mã mời", "Đường dẫn đăng ký", "Hết hạn"])
    for x in batch.links:
        expiry = x.expires_at.strftime("%d/%m/%Y %H:%M")
        sheet.append([x.unit_name, x.code, x.link, expiry])
    for column, width in zip("ABCD", (28, 16, 60, 18), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class InviteInfo:
    unit_code: str
    unit_name: str
    created_at: datetime
    expires_at: datetime
    created_by: int | None


async def list_invites(env: Env, by: Actor) -> list[InviteInfo] | Denied:
    denied = require(by, ADMIN)
    if denied:
        return denied
    async with env.db.read() as conn:
        rows = await people.active_invites(conn, _now(env))
    return [
        InviteInfo(_unit_of_id(env, r.unit_id), unit_name(env, _unit_of_id(env, r.unit_id)),
                   aware(r.created_at, env), aware(r.expires_at, env), r.created_by)
        for r in rows
    ]  # fmt: skip


@dataclass(frozen=True)
class Revoked:
    count: int = 0
    unit_code: str | None = None
    denied: Denied | None = None
    suggestions: tuple[str, ...] = ()


async def revoke_invites(env: Env, by: Actor, target: str) -> Revoked:
    """`target` is a code (revokes it) or a unit name (revokes every live code of the unit)."""
    denied = require(by, ADMIN)
    if denied:
        return Revoked(denied=denied)
    now = _now(env)
    async with env.db.write() as conn:
        count, unit_code = 0, None
        suggestions: tuple[str, ...] = ()
        if looks_like_code(target):
            count = await people.revoke_invites(conn, now=now, code=code_digest(target))
        if not count:
            match = resolve_unit(env, target)
            if match.unit is not None:
                unit_code = match.unit.code
                uid = env.ids.unit_id[unit_code]
                count = await people.revoke_invites(conn, now=now, unit_id=uid)
            suggestions = match.suggestions
        if count:
            await people.record_audit(
                conn, "invite.revoke", at=now, actor=by.user_id,
                detail={"count": count, "unit": unit_code},
            )  # fmt: skip
    return Revoked(count, unit_code, suggestions=suggestions)


@dataclass(frozen=True)
class Redeemed:
    """status: ok | already | unknown | used | expired | revoked | duplicate."""

    status: str
    unit_code: str | None = None
    role: str = "none"


async def redeem(
    env: Env, actor: Actor, code: str, *, username: str | None = None, update_id: int | None = None
) -> Redeemed:
    """Bind the sender to the invite's unit; the code is then spent."""
    digest, now = code_digest(code), _now(env)
    async with env.db.write() as conn:
        if not await claim_update(conn, update_id, now):
            return Redeemed("duplicate")
        invite = await people.get_invite(conn, digest)
        if invite is None:
            return Redeemed("unknown")
        unit_code = _unit_of_id(env, invite.unit_id)
        if invite.used_by == actor.user_id:
            return Redeemed("already", unit_code, actor.role)
        if not await people.use_invite(conn, digest, actor.user_id, now=now):
            status = "revoked" if invite.revoked_at else "used" if invite.used_by else "expired"
            return Redeemed(status, unit_code)
        role = await _bind(conn, actor.user_id, invite.unit_id, actor.name, username, now, None)
        await people.record_audit(
            conn, "invite.redeem", at=now, actor=actor.user_id,
            detail={"unit": unit_code, "invite": digest[:8], "by_admin": invite.created_by},
        )  # fmt: skip
    return Redeemed("ok", unit_code, role)


async def _bind(
    conn: AsyncConnection,
    user_id: int,
    unit_id: int,
    name: str,
    username: str | None,
    now: datetime,
    by: int | None,
) -> str:
    """Add a unit to a user; a stranger becomes an officer, leaders and admins keep their role."""
    current = await people.get_user(conn, user_id)
    role = current.role if current and current.role in ("admin", "leader") else "officer"
    await people.upsert_user(conn, user_id, now=now, full_name=name, username=username, role=role)
    await people.add_unit(conn, user_id, unit_id, now=now, by=by)
    return role


# --- join requests (/dangky Vĩnh Thủy) -------------------------------------------------------


@dataclass(frozen=True)
class JoinResult:
    """status: created | exists | already_member | unknown_unit | duplicate."""

    status: str
    unit_code: str | None = None
    request_id: int | None = None
    admins: tuple[int, ...] = ()
    suggestions: tuple[str, ...] = ()


async def request_join(
    env: Env, actor: Actor, text: str, *, username: str | None = None,
    update_id: int | None = None,
) -> JoinResult:  # fmt: skip
    match = resolve_unit(env, text)
    if match.unit is None:
        return JoinResult("unknown_unit", suggestions=match.suggestions)
    unit = match.unit
    if unit.code in actor.unit_codes:
        return JoinResult("already_member", unit.code)
    now, unit_id = _now(env), env.ids.unit_id[unit.code]
    async with env.db.write() as conn:
        if not await claim_update(conn, update_id, now):
            return JoinResult("duplicate", unit.code)
        await people.upsert_user(
            conn, actor.user_id, now=now, full_name=actor.name, username=username
        )
        pending = await people.pending_request(conn, actor.user_id, unit_id)
        if pending is not None:
            return JoinResult("exists", unit.code, pending.id)
        request = await people.insert_request(conn, actor.user_id, unit_id, now=now)
        await people.record_audit(
            conn, "join.request", at=now, actor=actor.user_id,
            detail={"unit": unit.code, "request": request.id},
        )  # fmt: skip
    return JoinResult("created", unit.code, request.id, tuple(await admin_ids(env)))


async def register(
    env: Env, actor: Actor, text: str, *, username: str | None = None,
    update_id: int | None = None,
) -> Redeemed | JoinResult:  # fmt: skip
    """/dangky <code> redeems an invite; /dangky <unit name> asks the admins."""
    if looks_like_code(text) and env.units.lookup(text) is None:
        async with env.db.read() as conn:
            known = await people.get_invite(conn, code_digest(text)) is not None
        if known:
            return await redeem(env, actor, text, username=username, update_id=update_id)
    return await request_join(env, actor, text, username=username, update_id=update_id)


@dataclass(frozen=True)
class Decision:
    """status: approved | rejected | already_decided | not_found | denied."""

    status: str
    request_id: int
    user_id: int | None = None
    unit_code: str | None = None
    decided: str = ""  # the status the request already had, for already_decided
    denied: Denied | None = None


async def decide(env: Env, by: Actor, request_id: int, approve: bool) -> Decision:
    """An admin's [Duyệt] or [Từ chối]; the first click wins."""
    denied = require(by, ADMIN)
    if denied:
        return Decision("denied", request_id, denied=denied)
    now = _now(env)
    status = "approved" if approve else "rejected"
    async with env.db.write() as conn:
        request = await people.get_request(conn, request_id)
        if request is None:
            return Decision("not_found", request_id)
        unit_code = _unit_of_id(env, request.unit_id)
        if not await people.decide_request(conn, request_id, status, by=by.user_id, now=now):
            return Decision("already_decided", request_id, request.user_id, unit_code,
                            decided=request.status)  # fmt: skip
        if approve:
            await _bind(conn, request.user_id, request.unit_id, "", None, now, by.user_id)
        await people.record_audit(
            conn, f"join.{'approve' if approve else 'reject'}", at=now, actor=by.user_id,
            detail={"request": request_id, "user_id": request.user_id, "unit": unit_code},
        )  # fmt: skip
    return Decision(status, request_id, request.user_id, unit_code)


# --- admin: rebind, remove -------------------------------------------------------------------


@dataclass(frozen=True)
class PersonChange:
    """status: ok | denied | unknown_unit | unknown_user | env_admin."""

    status: str
    user_id: int
    unit_codes: tuple[str, ...] = ()
    role: str = ""
    denied: Denied | None = None
    suggestions: tuple[str, ...] = ()


async def rebind(env: Env, by: Actor, user_id: int, units_text: str) -> PersonChange:
    """/gan: replace the user's units (several separated by ',' or ';')."""
    denied = require(by, ADMIN)
    if denied:
        return PersonChange("denied", user_id, denied=denied)
    chosen: list[Unit] = []
    for part in re.split(r"[;,]", units_text):
        if not part.strip():
            continue
        match = resolve_unit(env, part)
        if match.unit is None:
            return PersonChange("unknown_unit", user_id, suggestions=match.suggestions)
        chosen.append(match.unit)
    if not chosen:
        return PersonChange("unknown_unit", user_id)
    now, codes = _now(env), tuple(dict.fromkeys(u.code for u in chosen))
    async with env.db.write() as conn:
        current = await people.get_user(conn, user_id)
        role = current.role if current and current.role in ("admin", "leader") else "officer"
        await people.upsert_user(conn, user_id, now=now, role=role)
        ids = [env.ids.unit_id[c] for c in codes]
        await people.bind_units(conn, user_id, ids, now=now, by=by.user_id)
        await people.record_audit(
            conn, "user.bind", at=now, actor=by.user_id,
            detail={"user_id": user_id, "units": list(codes)},
        )  # fmt: skip
    return PersonChange("ok", user_id, codes, role)


async def remove(env: Env, by: Actor, user_id: int) -> PersonChange:
    """/xoa: the user loses role and units (the row stays for the record)."""
    denied = require(by, ADMIN)
    if denied:
        return PersonChange("denied", user_id, denied=denied)
    if user_id in env.admin_ids:
        return PersonChange("env_admin", user_id)
    now = _now(env)
    async with env.db.write() as conn:
        current = await people.get_user(conn, user_id)
        if current is None:
            return PersonChange("unknown_user", user_id)
        await people.bind_units(conn, user_id, [], now=now, by=by.user_id)
        await people.set_role(conn, user_id, "none", now=now)
        await people.reject_pending_of_user(conn, user_id, by=by.user_id, now=now)
        previous = [_unit_of_id(env, u) for u in current.unit_ids]
        await people.record_audit(
            conn, "user.remove", at=now, actor=by.user_id,
            detail={"user_id": user_id, "role": current.role, "units": previous},
        )  # fmt: skip
    return PersonChange("ok", user_id, tuple(previous), "none")


# --- group chats -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ChatInfo:
    id: int
    type: str  # private | group | supergroup | channel
    title: str = ""


@dataclass(frozen=True)
class GroupBinding:
    """status: bound | unbound | shown | private | unknown_unit | denied."""

    status: str
    unit_code: str | None = None
    denied: Denied | None = None
    suggestions: tuple[str, ...] = ()


async def bind_group(env: Env, by: Actor, chat: ChatInfo, target: str) -> GroupBinding:
    """/nhom <unit> | /nhom tinh | /nhom huy | /nhom (show): the group's scope for alerts."""
    denied = require(by, BIND_GROUP)
    if denied:
        return GroupBinding("denied", denied=denied)
    if chat.type not in ("group", "supergroup"):
        return GroupBinding("private")
    wanted, now = fold(target), _now(env)
    unit: Unit | None = None
    if wanted in PROVINCE_WORDS:
        unit = env.catalogue.province
    elif wanted and wanted not in UNBIND_WORDS:
        match = resolve_unit(env, target)
        if match.unit is None:
            return GroupBinding("unknown_unit", suggestions=match.suggestions)
        unit = match.unit
    async with env.db.write() as conn:
        row = await people.upsert_chat(conn, chat.id, now=now, chat_type=chat.type,
                                       title=chat.title, status="member")  # fmt: skip
        if not wanted:
            code = _unit_of_id(env, row.scope_unit_id) if row.scope_unit_id else None
            return GroupBinding("shown", code)
        unit_id = env.ids.unit_id[unit.code] if unit else None
        await people.set_chat_scope(conn, chat.id, unit_id, now=now)
        await people.record_audit(
            conn, "chat.bind", at=now, actor=by.user_id,
            detail={"chat_id": chat.id, "unit": unit.code if unit else None},
        )  # fmt: skip
    return GroupBinding("bound" if unit else "unbound", unit.code if unit else None)


_MEMBER = frozenset({"member", "administrator", "creator", "restricted"})


@dataclass(frozen=True)
class ChatChange:
    status: str  # member | left | kicked | blocked
    previous: str | None
    joined: bool  # the bot has just arrived in a group


async def chat_member_changed(
    env: Env, chat: ChatInfo, new_status: str, by_user_id: int | None
) -> ChatChange:
    """my_chat_member: the bot was added, removed, kicked or blocked."""
    if new_status in _MEMBER:
        status = "member"
    elif new_status == "kicked":
        status = "blocked" if chat.type == "private" else "kicked"
    else:
        status = "left"
    now = _now(env)
    async with env.db.write() as conn:
        before = await people.get_chat(conn, chat.id)
        await people.upsert_chat(conn, chat.id, now=now, chat_type=chat.type,
                                 title=chat.title, status=status)  # fmt: skip
        await people.record_audit(
            conn, "chat.status", at=now, actor=by_user_id,
            detail={"chat_id": chat.id, "status": status, "type": chat.type},
        )  # fmt: skip
    previous = before.status if before else None
    joined = status == "member" and previous != "member" and chat.type != "private"
    return ChatChange(status, previous, joined)


async def migrate_chat(env: Env, old_id: int, new_id: int) -> bool:
    """Group → supergroup: scope and alert settings follow the new id (once)."""
    now = _now(env)
    async with env.db.write() as conn:
        moved = await people.migrate_chat(conn, old_id, new_id, now=now)
        if moved:
            await people.record_audit(
                conn, "chat.migrate", at=now, actor=None,
                detail={"from": old_id, "to": new_id},
            )  # fmt: skip
    return moved


# --- /toi ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Profile:
    user_id: int
    role: str
    unit_codes: tuple[str, ...]
    groups: tuple[tuple[int, str, str], ...]  # (chat id, title, unit code) bound to my units
    pending: tuple[str, ...]  # unit codes of pending join requests
    names: dict[str, str] = field(default_factory=dict)  # unit code -> display name


async def whoami(env: Env, actor: Actor) -> Profile:
    ids = [env.ids.unit_id[c] for c in actor.unit_codes if c in env.ids.unit_id]
    async with env.db.read() as conn:
        chats = await people.chats_with_scope(conn, ids)
        pending = await people.requests_of_user(conn, actor.user_id)
    groups = tuple(
        (c.id, c.title, _unit_of_id(env, c.scope_unit_id or 0))
        for c in chats
        if c.type != "private"
    )
    pending_codes = tuple(_unit_of_id(env, r.unit_id) for r in pending)
    codes = {*actor.unit_codes, *pending_codes, *(g[2] for g in groups)}
    return Profile(
        actor.user_id, actor.role, actor.unit_codes, groups, pending_codes,
        {c: unit_name(env, c) for c in codes},
    )  # fmt: skip


# --- /dongbo ---------------------------------------------------------------------------------


async def resync_catalogue(env: Env, by: Actor, folder: Path) -> SyncReport | Denied:
    """Re-read the catalogue files, sync them into the store, swap them into `env`."""
    denied = require(by, ADMIN)
    if denied:
        return denied
    catalogue = load_catalogue(folder)
    async with env.db.write() as conn:
        ids, report = await sync_catalogue(conn, catalogue, _now(env), by.user_id)
    env.reload(catalogue, ids)
    return report
