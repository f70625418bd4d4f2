"""What every use case needs: the store, the catalogue with its ids and name indexes, a clock,
the chart worker."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time
from typing import Any

from domain.catalogue import Catalogue
from domain.clock import Clock
from domain.matching import NameIndex
from services.chart_worker import ChartWorker
from store.catalogue import CatalogueIds
from store.db import Database


def unit_index(catalogue: Catalogue) -> NameIndex:
    """Unit names and aliases; the province also answers to 'toàn tỉnh', 'tỉnh <name>'."""
    entries = []
    for u in catalogue.units:
        if u.kind == "office":
            continue  # offices are named only within their commune's plan
        names = list(u.aliases) if u.kind == "province" else [u.name, *u.aliases]
        if u.kind == "province":
            names += ["toàn tỉnh", f"tỉnh {u.name}", f"toàn tỉnh {u.name}", "province"]
        elif u.is_commune:
            names += [f"{u.kind_label} {n}" for n in (u.name, *u.aliases)]
        display = u.full_name if u.is_commune else u.name
        if u.kind == "province":
            display = f"tỉnh {u.name}"  # the bare name belongs to the ward of the same name
        entries.append((u.code, display, names))
    return NameIndex(entries)


def indicator_index(catalogue: Catalogue) -> NameIndex:
    entries = [
        (i.code, i.short, [i.name, i.code, *(i.aliases), *([i.en] if i.en else [])])
        for i in catalogue.indicators
    ]
    return NameIndex(entries)


@dataclass
class Env:
    """Shared, read-mostly dependencies, built once at start by the composition root."""

    db: Database
    catalogue: Catalogue
    ids: CatalogueIds
    clock: Clock
    admin_ids: frozenset[int] = frozenset()
    alert_time: time = time(7, 0)
    bot_username: str = ""
    max_upload_bytes: int = 5_000_000
    # Where charts are drawn. bot/app.py gives the bot CHART_PROCESSES worker processes (and
    # closes them); this default draws in a thread and needs no closing, for an Env built
    # by a tool or a test.
    chart_worker: ChartWorker = field(default_factory=lambda: ChartWorker(0), repr=False)
    units: NameIndex = field(init=False)
    indicators: NameIndex = field(init=False)
    # user id -> (expires, people.generation(), store.people.ActorRow | None): services.access
    actors: dict[int, tuple[float, int, Any]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.units = unit_index(self.catalogue)
        self.indicators = indicator_index(self.catalogue)

    def reload(self, catalogue: Catalogue, ids: CatalogueIds) -> None:
        """After an admin re-sync: swap in the new catalogue and its indexes."""
        self.catalogue, self.ids = catalogue, ids
        self.__post_init__()
