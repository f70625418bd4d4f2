"""User-facing texts: one dictionary per language per capability module in this package.

Every module here defines `VI` and `EN` dicts; keys are unique across modules. `t()` looks a key
up in the user's language, falls back to Vietnamese, and formats it with the keyword arguments.
Values are HTML templates: callers pass already-escaped strings (see handlers/common.py).
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache


@cache
def _catalogues() -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {"vi": {}, "en": {}}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        for lang, table in (("vi", getattr(module, "VI", {})), ("en", getattr(module, "EN", {}))):
            clash = set(table) & set(merged[lang])
            if clash:
                raise RuntimeError(f"texts.{info.name}: keys defined twice: {sorted(clash)}")
            merged[lang].update(table)
    return merged


def t(key: str, lang: str = "vi", /, **values: object) -> str:
    tables = _catalogues()
    template = tables.get(lang, {}).get(key) or tables["vi"][key]
    return template.format(**values) if values else template


def has(key: str) -> bool:
    return key in _catalogues()["vi"]
