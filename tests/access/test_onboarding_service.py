"""Onboarding use cases on a real store: invites, join requests, people, group chats, roles."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from services import access, onboarding
from services.access import Actor, resolve_actor
from services.context import Env
from services.onboarding import ChatInfo
from store import people
from store.schema import audit, invites
from tests.access.conftest import A, B

STRANGER = Actor(900, "Nguyễn Văn Lạ", "none")


async def _audit_actions(env: Env) -> list[tuple[str, int | None]]:
    async with env.db.read() as conn:
        rows = await conn.execute(select(audit.c.action, audit.c.actor_user_id))
        return [(r.action, r.actor_user_id) for r in rows]


async def test_invite_binds_once_and_is_stored_hashed(env: Env, admin: Actor) -> None:
    batch = await onboarding.create_invites(env, admin, "Vinh Thuy")
    [link] = batch.links
    assert link.unit_code == A
    assert link.link == f"https://t.me/dean06_test_bot?start={link.code}"
    async with env.db.read() as conn:
        stored = [r.code for r in await conn.execute(select(invites.c.code))]
    assert stored == [onboarding.code_digest(link.code)] and link.code not in stored

    first = await onboarding.redeem(env, STRANGER, link.code)
    assert (first.status, first.unit_code, first.role) == ("ok", A, "officer")
    actor = await resolve_actor(env, STRANGER.user_id)
    assert (actor.role, actor.unit_codes) == ("officer", (A,))

    again = await onboarding.redeem(env, actor, link.code)
    assert again.status == "already"
    other = await onboarding.redeem(env, Actor(901, "Khác", "none"), link.code)
    assert other.status == "used"
    assert (await resolve_actor(env, 901)).role == "none"
    assert ("invite.redeem", STRANGER.user_id) in await _audit_actions(env)


async def test_invite_expires_after_fourteen_days(env: Env, admin: Actor) -> None:
    [link] = (await onboarding.create_invites(env, admin, "Cam Lộ")).links
    env.clock.advance(days=14, minutes=1)  # type: ignore[attr-defined]
    assert (await onboarding.redeem(env, STRANGER, link.code)).status == "expired"


async def test_unknown_code_and_redelivered_update(env: Env, admin: Actor) -> None:
    assert (await onboarding.redeem(env, STRANGER, "nope-nope-nope")).status == "unknown"
    [link] = (await onboarding.create_invites(env, admin, A)).links
    assert (await onboarding.redeem(env, STRANGER, link.code, update_id=77)).status == "ok"
    assert (await onboarding.redeem(env, STRANGER, link.code, update_id=77)).status == "duplicate"


async def test_revoke_by_code_and_by_unit(env: Env, admin: Actor) -> None:
    [one] = (await onboarding.create_invites(env, admin, "Vĩnh Thủy")).links
    [two] = (await onboarding.create_invites(env, admin, "Vĩnh Thủy")).links
    assert (await onboarding.revoke_invites(env, admin, one.code)).count == 1
    by_unit = await onboarding.revoke_invites(env, admin, "vinh thuy")
    assert (by_unit.count, by_unit.unit_code) == (1, A)
    assert (await onboarding.redeem(env, STRANGER, two.code)).status == "revoked"
    assert await onboarding.list_invites(env, admin) == []


async def test_invites_for_every_commune_as_a_workbook(env: Env, admin: Actor) -> None:
    batch = await onboarding.create_invites(env, admin, "tatca")
    assert batch.all_communes and len(batch.links) == 78
    assert len({x.code for x in batch.links}) == 78
    listed = await onboarding.list_invites(env, admin)
    assert isinstance(listed, list) and len(listed) == 78
    sheet = load_workbook(io.BytesIO(onboarding.invites_workbook(batch))).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Đơn vị", "Mã mời", "Đường dẫn đăng ký", "Hết hạn")
    assert len(rows) == 79
    assert any(r[0] == "xã Vĩnh Thủy" and str(r[2]).endswith(str(r[1])) for r in rows[1:])
    assert rows[1][3] == "18/05/2026 09:00"


async def test_only_admins_manage_invites(env: Env) -> None:
    leader = Actor(903, "Lãnh đạo", "leader")
    assert (await onboarding.create_invites(env, leader, A)).denied is not None
    assert isinstance(await onboarding.list_invites(env, leader), access.Denied)
    assert (await onboarding.revoke_invites(env, leader, A)).denied is not None


async def test_unit_names_diacritics_typos_offices(env: Env) -> None:
    def code(text: str) -> str | None:
        unit = onboarding.resolve_unit(env, text).unit
        return unit.code if unit else None

    assert code("Vĩnh Thủy") == code("vinh thuy") == code("xã Vĩnh Thủy") == A
    assert code("Vinh Thuyy") == A
    assert code("Sở Y tế") == "so-y-te"
    assert code("Phòng Kinh tế Vĩnh Thủy") == "vinh-thuy/phong-kinh-te"
    assert code("vinh-thuy/cong-an-xa") == "vinh-thuy/cong-an-xa"
    assert code("Nam Đông Hà") == "nam-dong-ha"
    assert code("qwxzv") is None


async def test_join_request_approved_by_admin(env: Env, admin: Actor) -> None:
    result = await onboarding.register(env, STRANGER, "vinh thuy", username="la")
    assert isinstance(result, onboarding.JoinResult)
    assert (result.status, result.unit_code, result.admins) == ("created", A, (1,))
    again = await onboarding.request_join(env, STRANGER, "Vĩnh Thủy")
    assert (again.status, again.request_id) == ("exists", result.request_id)
    assert (await onboarding.whoami(env, STRANGER)).pending == (A,)
    assert (await resolve_actor(env, STRANGER.user_id)).role == "none"  # not yet

    rid = result.request_id
    assert rid is not None
    officer = Actor(902, "B", "officer", (B,))
    assert (await onboarding.decide(env, officer, rid, True)).status == "denied"
    decision = await onboarding.decide(env, admin, rid, True)
    assert (decision.status, decision.user_id, decision.unit_code) == ("approved", 900, A)
    late = await onboarding.decide(env, admin, rid, False)
    assert (late.status, late.decided) == ("already_decided", "approved")
    actor = await resolve_actor(env, STRANGER.user_id)
    assert (actor.role, actor.unit_codes) == ("officer", (A,))
    member = await onboarding.request_join(env, actor, "Vĩnh Thủy")
    assert member.status == "already_member"


async def test_join_request_rejected_and_unknown_unit(env: Env, admin: Actor) -> None:
    result = await onboarding.request_join(env, STRANGER, "Cam Lo")
    assert result.request_id is not None
    assert (await onboarding.decide(env, admin, result.request_id, False)).status == "rejected"
    assert (await resolve_actor(env, STRANGER.user_id)).role == "none"
    unknown = await onboarding.request_join(env, STRANGER, "Xã Không Có Thật")
    assert unknown.status == "unknown_unit"


async def test_promoted_admins_get_join_requests(env: Env, admin: Actor) -> None:
    assert (await access.promote(env, admin, 905, "admin")).ok
    result = await onboarding.request_join(env, STRANGER, "Cam Lộ")
    assert result.admins == (1, 905)


async def test_rebind_and_remove(env: Env, admin: Actor) -> None:
    change = await onboarding.rebind(env, admin, 910, "Vĩnh Thủy; Sở Y tế")
    assert (change.status, change.unit_codes, change.role) == ("ok", (A, "so-y-te"), "officer")
    assert (await resolve_actor(env, 910)).unit_codes == (A, "so-y-te")
    moved = await onboarding.rebind(env, admin, 910, "Cam Lộ")
    assert moved.unit_codes == (B,)
    assert (await resolve_actor(env, 910)).unit_codes == (B,)
    assert (await onboarding.rebind(env, admin, 910, "khong co")).status == "unknown_unit"

    removed = await onboarding.remove(env, admin, 910)
    assert (removed.status, removed.unit_codes) == ("ok", (B,))
    assert (await resolve_actor(env, 910)).role == "none"
    assert (await onboarding.remove(env, admin, 999)).status == "unknown_user"
    assert (await onboarding.remove(env, admin, 1)).status == "env_admin"
    leader = Actor(903, "Lãnh đạo", "leader")
    assert (await onboarding.rebind(env, leader, 910, A)).status == "denied"


async def test_roles_promote_demote_and_audit(env: Env, admin: Actor) -> None:
    up = await access.set_role(env, admin, 920, "leader")
    assert (up.ok, up.previous, up.role) == (True, "none", "leader")
    assert (await resolve_actor(env, 920)).is_leader
    assert (await access.promote(env, admin, 920, "admin")).ok
    promoted = await resolve_actor(env, 920)
    assert promoted.is_admin
    # A promoted admin may promote and demote others, but not an ADMIN_IDS admin.
    assert (await access.demote(env, promoted, 1, "officer")).reason == "env_admin"
    assert (await access.set_role(env, promoted, 920, "boss")).reason == "bad_role"
    officer = Actor(921, "B", "officer", (B,))
    assert (await access.set_role(env, officer, 921, "admin")).reason == "denied"
    assert (await access.demote(env, admin, 920, "leader")).previous == "admin"
    async with env.db.read() as conn:
        assert await people.audit_count(conn, "user.role") == 3


async def test_group_binding_and_migration(env: Env, admin: Actor) -> None:
    group = ChatInfo(-500, "group", "Tổ CT Vĩnh Thủy")
    joined = await onboarding.chat_member_changed(env, group, "member", 1)
    assert joined.joined and joined.status == "member"
    officer = Actor(901, "A", "officer", (A,))
    assert (await onboarding.bind_group(env, officer, group, A)).status == "denied"
    assert (await onboarding.bind_group(env, admin, group, "")).status == "shown"
    bound = await onboarding.bind_group(env, admin, group, "Vĩnh Thủy")
    assert (bound.status, bound.unit_code) == ("bound", A)
    assert (await onboarding.whoami(env, officer)).groups == ((-500, "Tổ CT Vĩnh Thủy", A),)

    assert await onboarding.migrate_chat(env, -500, -100500)
    assert not await onboarding.migrate_chat(env, -500, -100500)  # told twice, moved once
    async with env.db.read() as conn:
        new = await people.get_chat(conn, -100500)
        old = await people.get_chat(conn, -500)
    assert new is not None and old is not None
    assert (new.type, new.scope_unit_id, new.status) == ("supergroup", env.ids.unit_id[A], "member")
    assert (old.status, old.migrated_to) == ("migrated", -100500)

    province = await onboarding.bind_group(env, admin, ChatInfo(-100500, "supergroup"), "tinh")
    assert province.unit_code == "quang-tri"
    private = await onboarding.bind_group(env, admin, ChatInfo(1, "private"), "tinh")
    assert private.status == "private"
    left = await onboarding.chat_member_changed(env, ChatInfo(-100500, "supergroup"), "kicked", 3)
    assert (left.status, left.previous, left.joined) == ("kicked", "member", False)
    blocked = await onboarding.chat_member_changed(env, ChatInfo(900, "private"), "kicked", 900)
    assert blocked.status == "blocked"
    actions = [a for a, _ in await _audit_actions(env)]
    assert {"chat.status", "chat.bind", "chat.migrate"} <= set(actions)


async def test_resync_catalogue(env: Env, admin: Actor) -> None:
    from tests.envs import BUNDLED as folder

    report = await onboarding.resync_catalogue(env, admin, folder)
    assert not isinstance(report, access.Denied)
    assert report.units_added == 0
    denied = await onboarding.resync_catalogue(env, Actor(903, "L", "leader"), folder)
    assert isinstance(denied, access.Denied)
