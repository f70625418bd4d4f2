"""Loading a province catalogue folder and syncing it into the store."""

from __future__ import annotations

from pathlib import Path

from domain.catalogue import Catalogue, parse_catalogue


def load_catalogue(folder: Path) -> Catalogue:
    """Read the four catalogue files (docs/catalogue.md) into typed values."""

    def read(name: str) -> str:
        path = folder / name
        return path.read_text(encoding="utf-8") if path.exists() else ""

    return parse_catalogue(
        province_yaml=read("province.yaml"),
        units_csv=read("units.csv"),
        indicators_yaml=read("indicators.yaml"),
        tasks_yaml=read("tasks.yaml"),
    )
