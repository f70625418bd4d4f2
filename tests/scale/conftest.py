"""Fixtures of the tasks tests (a small province, a fixed clock) reused on both databases."""

from tests.tasks.conftest import clock, env

__all__ = ["clock", "env"]
