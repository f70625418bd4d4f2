"""Clocks: the only way code learns the time, so tests can fix it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    tz: tzinfo

    def now(self) -> datetime: ...

    def today(self) -> date: ...


@dataclass
class SystemClock:
    """Wall-clock time in the province's time zone."""

    tz: tzinfo = field(default_factory=lambda: ZoneInfo("Asia/Ho_Chi_Minh"))

    def now(self) -> datetime:
        return datetime.now(self.tz)

    def today(self) -> date:
        return self.now().date()


@dataclass
class FixedClock:
    """A clock tests set and move by hand."""

    current: datetime
    tz: tzinfo = field(default_factory=lambda: ZoneInfo("Asia/Ho_Chi_Minh"))

    def __post_init__(self) -> None:
        if self.current.tzinfo is None:
            self.current = self.current.replace(tzinfo=self.tz)

    def now(self) -> datetime:
        return self.current

    def today(self) -> date:
        return self.current.astimezone(self.tz).date()

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)
