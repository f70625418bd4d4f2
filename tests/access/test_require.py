"""The rule book, cell by cell: every role × every action × own unit / other unit / none."""

from __future__ import annotations

import pytest

from services.access import ACTIONS, Actor, allowed, require
from tests.access.conftest import A, B

ROLES = {
    "stranger": Actor(900, "Người lạ", "none"),
    "officer_a": Actor(901, "Cán bộ A", "officer", (A,)),
    "officer_b": Actor(902, "Cán bộ B", "officer", (B,)),
    "leader": Actor(903, "Lãnh đạo", "leader"),
    "admin": Actor(1, "Quản trị", "admin"),
}

# (action, unit) -> the roles allowed; every other role is refused with the reason below.
ALLOWED: dict[tuple[str, str | None], set[str]] = {
    ("submit", A): {"officer_a", "leader", "admin"},
    ("submit", B): {"officer_b", "leader", "admin"},
    ("submit", None): {"officer_a", "officer_b", "leader", "admin"},
    ("import", A): {"officer_a", "leader", "admin"},
    ("import", B): {"officer_b", "leader", "admin"},
    ("import", None): {"officer_a", "officer_b", "leader", "admin"},
    ("close_task", A): {"officer_a", "leader", "admin"},
    ("close_task", B): {"officer_b", "leader", "admin"},
    ("close_task", None): {"officer_a", "officer_b", "leader", "admin"},
    ("export", A): {"officer_a", "leader", "admin"},
    ("export", B): {"officer_b", "leader", "admin"},
    ("export", None): {"leader", "admin"},
    ("ask", None): {"officer_a", "officer_b", "leader", "admin"},
    ("ask", A): {"officer_a", "officer_b", "leader", "admin"},
    ("chart", None): {"officer_a", "officer_b", "leader", "admin"},
    ("chart", B): {"officer_a", "officer_b", "leader", "admin"},
    ("admin", None): {"admin"},
    ("bind_group", None): {"admin"},
    ("bind_group", A): {"admin"},
}

CELLS = [
    pytest.param(role, action, unit, id=f"{role}-{action}-{unit}")
    for (action, unit) in ALLOWED
    for role in ROLES
]


def expected_reason(role: str, action: str, unit: str | None) -> str | None:
    if role in ALLOWED[(action, unit)]:
        return None
    if role == "stranger":
        return "stranger"
    if action in ("admin", "bind_group"):
        return "admin_only"
    return "not_your_unit"


def test_every_action_is_in_the_table() -> None:
    assert {action for action, _ in ALLOWED} == set(ACTIONS)


@pytest.mark.parametrize(("role", "action", "unit"), CELLS)
def test_require_cell(role: str, action: str, unit: str | None) -> None:
    denied = require(ROLES[role], action, unit)
    reason = expected_reason(role, action, unit)
    assert (denied.reason if denied else None) == reason
    assert allowed(ROLES[role], action, unit) is (reason is None)
    if denied:
        assert denied.action == action
        assert denied.message("vi")  # every refusal has a Vietnamese line


def test_refusal_names_the_unit() -> None:
    denied = require(ROLES["officer_b"], "submit", A)
    assert denied is not None
    assert "xã Vĩnh Thủy" in denied.message("vi", "xã Vĩnh Thủy")


def test_officer_without_units_may_not_submit() -> None:
    denied = require(Actor(5, "x", "officer"), "submit")
    assert denied is not None and denied.reason == "no_unit"


def test_unknown_action_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        require(ROLES["admin"], "delete_everything")


def test_officer_of_several_units() -> None:
    both = Actor(904, "Hai xã", "officer", (A, B))
    assert require(both, "submit", A) is None
    assert require(both, "close_task", B) is None
    assert require(both, "submit", "dong-ha") is not None
