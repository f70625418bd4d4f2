"""Helpers for `make bench` (tests/bench.py): timing, SQL counting, the national-scale data set,
the real bot on the rig with bot-side latency hooks. Not collected by pytest (no test_ names)."""
