"""Finding unit and indicator names in free text: folded, longest name first, typo-tolerant."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from domain.text import fold_same_length

_WORD = r"[a-z0-9]"


@dataclass(frozen=True)
class Found:
    """A name found in a text: which entry, where, and how sure."""

    key: str
    start: int
    end: int
    matched: str
    score: float = 100.0  # 100 for an exact folded match; the rapidfuzz score otherwise


@dataclass(frozen=True)
class Suggestion:
    key: str
    name: str
    score: float


class NameIndex:
    """Names and aliases of catalogue entries (units or indicators) for matching."""

    def __init__(self, entries: Iterable[tuple[str, str, Iterable[str]]]) -> None:
        # entries: (key, display name, other names)
        self.display: dict[str, str] = {}
        self._names: list[tuple[str, str]] = []  # (folded name, key)
        for key, name, others in entries:
            self.display[key] = name
            for n in {name, *others}:
                folded = " ".join(fold_same_length(n).split())
                if folded:
                    self._names.append((folded, key))
        # Longest first: at one position the alternation then prefers "nam dong ha" to "dong ha".
        self._names.sort(key=lambda item: (-len(item[0]), item[0]))
        self._key_of = dict(self._names)
        pattern = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n, _ in self._names)
        self._regex = re.compile(rf"(?<!{_WORD})(?:{pattern})(?!{_WORD})") if pattern else None
        self._choices = [n for n, _ in self._names]

    def find_all(self, text: str) -> list[Found]:
        """Every exact (folded) occurrence, left to right, never overlapping."""
        if self._regex is None:
            return []
        folded = fold_same_length(text)
        found = []
        for m in self._regex.finditer(folded):
            key = self._key_of[" ".join(m.group(0).split())]
            found.append(Found(key, m.start(), m.end(), text[m.start() : m.end()]))
        return found

    def lookup(self, name: str) -> str | None:
        """The key whose name or alias is exactly this (after folding)."""
        return self._key_of.get(" ".join(fold_same_length(name).split()))

    def suggest(self, query: str, limit: int = 3, cutoff: float = 0.0) -> list[Suggestion]:
        """Closest entries to a name typed with typos; one suggestion per key."""
        folded = " ".join(fold_same_length(query).split())
        if not folded:
            return []
        results = process.extract(
            folded, self._choices, scorer=fuzz.WRatio, limit=limit * 6, score_cutoff=cutoff
        )
        seen: dict[str, Suggestion] = {}
        for choice, score, _ in results:
            key = self._key_of[choice]
            if key not in seen:
                seen[key] = Suggestion(key, self.display[key], float(score))
        return sorted(seen.values(), key=lambda s: -s.score)[:limit]

    def fuzzy_find(self, text: str, *, min_score: float = 88.0) -> list[Found]:
        """Typo-tolerant search in a short text: word n-grams compared with names of equal size.

        Used only when no exact name was found, so a stray word never outranks a real name.
        """
        folded = fold_same_length(text)
        words = [(m.start(), m.end()) for m in re.finditer(r"[a-z0-9]+", folded)]
        best: Found | None = None
        for size in (4, 3, 2, 1):
            for i in range(len(words) - size + 1):
                start, end = words[i][0], words[i + size - 1][1]
                gram = " ".join(folded[s:e] for s, e in words[i : i + size])
                if len(gram) < 4:
                    continue
                hit = process.extractOne(
                    gram, self._choices, scorer=fuzz.ratio, score_cutoff=min_score
                )
                if hit and (best is None or hit[1] > best.score):
                    choice, score, _ = hit
                    if abs(len(choice.split()) - size) == 0:
                        best = Found(self._key_of[choice], start, end, text[start:end], score)
        return [best] if best else []
