"""Service tests of figures by message on a real SQLite file and a small catalogue."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import pytest

from domain.clock import FixedClock
from services import figures as svc
from services.access import Actor
from services.context import Env
from tests.envs import make_env
from tests.figures.small_catalogue import small_catalogue

OFFICER = Actor(user_id=7, name="Cán bộ", role="officer", unit_codes=("vinh-thuy",))
LEADER = Actor(user_id=9, name="Lãnh đạo", role="leader")


@pytest.fixture
async def env(db_url: str) -> AsyncIterator[Env]:
    # SQLite and PostgreSQL (tests/conftest.py)
    made = await make_env(db_url, FixedClock(datetime(2026, 4, 22, 9, 0)), small_catalogue())
    yield made
    await made.db.close()


def src(mid: int, upd: int, kind: str = "message") -> svc.Source:
    return svc.Source(chat_id=7, message_id=mid, update_id=upd, kind=kind)


async def test_receipt_and_redelivery(env: Env) -> None:
    out = await svc.submit(env, OFFICER, "ASXH 1.234/5.678", src(1, 100))
    assert out.status == "saved", out
    [r] = out.receipts
    assert (r.unit, r.numerator, r.denominator, r.rank, r.ranked) == (
        "xã Vĩnh Thủy",
        1234,
        5678,
        1,
        1,
    )
    assert "Sổ SKĐT (trên người có BHYT)" in out.missing
    again = await svc.submit(env, OFFICER, "ASXH 1.234/5.678", src(1, 100))
    assert again.status == "duplicate"
    hist = await svc.history(env, OFFICER, "")
    assert len(hist.history) == 1


async def test_warning_then_save_and_undo(env: Env) -> None:
    assert (await svc.submit(env, OFFICER, "ASXH 1000/5000", src(1, 1))).status == "saved"
    out = await svc.submit(env, OFFICER, "ASXH 900/5000", src(2, 2))
    assert out.status == "confirm" and out.issues[0][1].code == "went_down"
    saved = await svc.answer_confirm(env, OFFICER, out.pending_id or "", True, 3)
    assert saved.status == "saved" and saved.receipts[0].change == -100
    again = await svc.answer_confirm(env, OFFICER, out.pending_id or "", True, 4)
    assert again.status == "expired"
    undone = await svc.undo(env, OFFICER, None, None, 5)
    assert undone.undone == 1
    later = await svc.submit(env, OFFICER, "ASXH đạt 50%", src(3, 6))
    assert later.status == "saved" and later.receipts[0].numerator == 2500
    assert later.receipts[0].derived


async def test_edit_supersedes(env: Env) -> None:
    await svc.submit(env, OFFICER, "ASXH 1000/5000", src(1, 1))
    out = await svc.edit(env, OFFICER, "ASXH 1100/5000", src(1, 2, "edit"))
    assert out.status == "saved" and out.corrected
    hist = await svc.history(env, OFFICER, "ASXH")
    assert [h.superseded for h in hist.history] == [False, True]


async def test_errors_store_nothing(env: Env) -> None:
    for text in ("ASXH 12/10", "ASXH 10/0", "Cam Lộ ASXH 1/2", "ASXH 1/2 ngày 30/4"):
        out = await svc.submit(env, OFFICER, text, src(9, 50))
        assert out.status in ("rejected", "denied"), (text, out)
    assert not (await svc.history(env, LEADER, "")).history


async def test_choices(env: Env) -> None:
    out = await svc.submit(env, OFFICER, "ĐDDT 1.191/1.432", src(1, 1))
    assert out.status == "choose" and [c for c, _ in out.options] == ["DDDT", "DDDT_M2"]
    done = await svc.answer_choice(env, OFFICER, out.pending_id or "", 1, 2)
    assert done.status == "saved" and done.receipts[0].indicator == "Tài khoản ĐDDT mức độ 2"
    lead = await svc.submit(env, LEADER, "ASXH 1/2", src(2, 3))
    assert lead.status == "rejected"
    lead = await svc.submit(env, LEADER, "Cam Lộ ASXH 1/2", src(2, 4))
    assert lead.status == "saved"


async def test_undo_after_an_edit_brings_back_the_value_before_it(env: Env) -> None:
    await svc.submit(env, OFFICER, "ASXH 1000/5000", src(1, 1))
    await svc.edit(env, OFFICER, "ASXH 1100/5000", src(1, 2, "edit"))
    undone = await svc.undo(env, OFFICER, None, None, 3)
    assert (undone.undone, undone.restored) == (1, 1)
    hist = await svc.history(env, OFFICER, "ASXH")
    live = [h.figure.numerator for h in hist.history if not (h.superseded or h.voided)]
    assert live == [1000]
    assert len(hist.history) == 3  # the original, the edit, the restored copy: nothing erased
    again = await svc.undo(env, OFFICER, None, None, 4)  # undo once more: the submission goes
    assert (again.undone, again.restored) == (1, 0)
    hist = await svc.history(env, OFFICER, "ASXH")
    assert not [h for h in hist.history if not (h.superseded or h.voided)]
    assert (await svc.undo(env, OFFICER, None, None, 5)).undone == 0


async def test_button_undo_of_an_edited_message_and_a_new_edit_after_it(env: Env) -> None:
    await svc.submit(env, OFFICER, "ASXH 1000/5000", src(1, 1))
    await svc.edit(env, OFFICER, "ASXH 1100/5000", src(1, 2, "edit"))
    undone = await svc.undo(env, OFFICER, 7, 1, 3)
    assert undone.restored == 1
    out = await svc.edit(env, OFFICER, "ASXH 1200/5000", src(1, 4, "edit"))
    assert out.status == "saved" and out.corrected and out.receipts[0].numerator == 1200
    undone = await svc.undo(env, OFFICER, 7, 1, 5)
    assert undone.restored == 1
    hist = await svc.history(env, OFFICER, "ASXH")
    live = [h.figure.numerator for h in hist.history if not (h.superseded or h.voided)]
    assert live == [1000]


async def test_huge_and_impossible_values_store_nothing(env: Env) -> None:
    for text in ("ASXH 99999999999999999999/99999999999999999999", "ASXH 1/2 3/4/5",
                 "TP Hà Nội ASXH 1/2", "ASXH 0/0"):  # fmt: skip
        out = await svc.submit(env, OFFICER, text, src(9, 60))
        assert out.status == "rejected", (text, out)
    assert not (await svc.history(env, LEADER, "")).history


async def test_history_times_are_in_the_provinces_zone_on_every_database(env: Env) -> None:
    """SQLite hands back naive local times, PostgreSQL aware UTC ones: /lichsu shows 09:00."""
    await svc.submit(env, OFFICER, "ASXH 1.234/5.678", src(1, 900))
    hist = await svc.history(env, OFFICER, "")
    [row] = hist.history
    when = row.figure.created_at
    assert when.tzinfo is not None
    assert (when.astimezone(env.clock.tz).hour, when.astimezone(env.clock.tz).minute) == (9, 0)


async def test_the_receipts_standing_is_what_a_read_after_the_commit_gives(env: Env) -> None:
    """The province's latest figures come with the first read and are updated in memory with
    the new figure; a back-dated figure must not displace a later one."""
    from decimal import Decimal

    from store.figures import latest_as_of

    async def province_rate() -> Decimal:
        async with env.db.read() as conn:
            rows = await latest_as_of(conn, [env.ids.indicator_id["ASXH"]], env.clock.today())
        return Decimal(sum(r.numerator or 0 for r in rows)) / Decimal(
            sum(r.denominator or 0 for r in rows)
        )

    steps = [
        (LEADER, "Cam Lộ ASXH 3.000/6.000", (1, 1)),
        (OFFICER, "ASXH 1.000/5.000", (2, 2)),
        (OFFICER, "ASXH 900/5.000 ngày 10/4/2026", (2, 2)),  # older than Vĩnh Thủy's 1.000
        (OFFICER, "ASXH 4.000/5.000", (1, 2)),
    ]
    for n, (actor, text, (rank, ranked)) in enumerate(steps, start=1):
        out = await svc.submit(env, actor, text, src(n, n))
        if out.status == "confirm":
            out = await svc.answer_confirm(env, actor, out.pending_id or "", True, 100 + n)
        assert out.status == "saved", (text, out)
        [r] = out.receipts
        assert r.province_rate == await province_rate(), text
        assert (r.rank, r.ranked) == (rank, ranked), text


async def test_missing_counts_only_figures_since_the_cycle_began(env: Env) -> None:
    # Today is 22/04; the monthly cycle (due before the 12th) began on 12/04.
    for i, text in enumerate(("NCC 10/20 ngày 11/04", "BTXH 5/10 ngày 12/04", "luong huu 98/100")):
        assert (await svc.submit(env, OFFICER, text, src(10 + i, 10 + i))).status == "saved"
    out = await svc.submit(env, OFFICER, "ASXH 1.234/5.678", src(20, 20))
    assert out.status == "saved", out
    shorts = {code: env.catalogue.indicator(code).short for code in ("NCC", "BTXH", "LUONG_HUU")}
    assert shorts["NCC"] in out.missing  # reported on 11/04: the previous cycle
    assert shorts["BTXH"] not in out.missing and shorts["LUONG_HUU"] not in out.missing
    assert env.catalogue.indicator("ASXH").short not in out.missing
    # the message's own indicator, back-dated: its whole history is read, and still only the
    # figures since 12/04 count
    out = await svc.submit(env, OFFICER, "NCC 9/20 ngày 10/04", src(21, 21))
    assert out.status == "saved", out
    assert shorts["NCC"] in out.missing
