"""The string matcher: text the team annotated, found again elsewhere in the corpus.

When an accepted annotation labels a text X, every other occurrence of the same
text in the corpus is suggested as X, with the source annotation as its reason
(``same text as claim in doc-3 120–134``). Matching is on whole words (the
match neither starts nor ends inside a word), ignores case (Unicode case
folding, so offsets stay those of the document) and treats any run of
whitespace as one space. A text the team labelled with two labels is suggested
with each. It is built from the store's accepted annotations each time
suggestions are made, so it follows every saved annotation.

This module never imports textual.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from reader.suggest.base import Suggestion

__all__ = ["MATCH_SOURCE", "StringMatcher", "normalise"]

MATCH_SOURCE = "suggest:match"  # the source of the matcher's suggestions in the store
MIN_CHARS = 2  # shorter texts (one letter, one digit) are not matched
MAX_PHRASES_PER_PATTERN = 400  # alternations per compiled pattern
MATCH_SCORE = 0.9

_SPACE = re.compile(r"\s+")
_WORD = re.compile(r"\w")


def normalise(text: str) -> str:
    """Case-folded, with each run of whitespace one space, edges trimmed."""
    spaced: str = _SPACE.sub(" ", text)
    return spaced.strip().casefold()


@dataclass(frozen=True)
class _Source:
    label: str
    doc_id: str
    start: int
    end: int


class StringMatcher:
    """Suggests the texts of accepted annotations wherever else they occur."""

    def __init__(self) -> None:
        self._sources: dict[str, list[_Source]] = {}  # normalised text -> where it was annotated
        self._patterns: list[re.Pattern[str]] | None = None

    @classmethod
    def from_annotations(cls, annotations: Iterable[tuple[str, int, int, str, str]]) -> StringMatcher:
        """From (doc_id, start, end, label, text) of accepted annotations."""
        m = cls()
        for doc_id, start, end, label, text in annotations:
            m.add(doc_id, start, end, label, text)
        return m

    def add(self, doc_id: str, start: int, end: int, label: str, text: str) -> None:
        key = normalise(text)
        if len(key) < MIN_CHARS or not _WORD.search(key):
            return
        sources = self._sources.setdefault(key, [])
        if all(s.label != label for s in sources):
            sources.append(_Source(label, doc_id, start, end))
            self._patterns = None

    def __len__(self) -> int:
        return len(self._sources)

    @property
    def labels(self) -> set[str]:
        return {s.label for sources in self._sources.values() for s in sources}

    def _compiled(self) -> list[re.Pattern[str]]:
        if self._patterns is None:
            # longest first, so that a longer annotated text wins over its prefix at one position
            keys = sorted(self._sources, key=len, reverse=True)
            self._patterns = []
            for k in range(0, len(keys), MAX_PHRASES_PER_PATTERN):
                alts = "|".join(r"\s+".join(re.escape(w) for w in key.split(" ")) for key in keys[k:k + MAX_PHRASES_PER_PATTERN])
                # the standard library's re: case-insensitive (simple case folding) and quick to compile
                self._patterns.append(re.compile(rf"(?<!\w)(?:{alts})(?!\w)", re.IGNORECASE))
        return self._patterns

    def find(self, doc_id: str, text: str, labels: Iterable[str] | None = None) -> list[Suggestion]:
        """Every occurrence in ``text`` of an annotated text (not the annotation itself)."""
        if not self._sources:
            return []
        wanted = set(labels) if labels is not None else None
        out: list[Suggestion] = []
        seen: set[tuple[int, int, str]] = set()
        for pattern in self._compiled():
            pos = 0
            while (m := pattern.search(text, pos)) is not None:
                pos = m.start() + 1  # and on from the next character: annotated texts inside this one too
                for src in self._sources.get(normalise(m.group()), ()):
                    if wanted is not None and src.label not in wanted:
                        continue
                    if src.doc_id == doc_id and src.start == m.start() and src.end == m.end():
                        continue
                    key = (m.start(), m.end(), src.label)
                    if key in seen:
                        continue
                    seen.add(key)
                    out.append(Suggestion(m.start(), m.end(), src.label, m.group(), rule="match", score=MATCH_SCORE,
                                          reason=f"same text as {src.label} in {src.doc_id} {src.start}–{src.end}"))
        out.sort(key=lambda s: (s.start, s.end, s.label))
        return out
