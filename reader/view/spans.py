"""SpanIndex: which annotation spans cover which offsets (no Textual).

Spans are bucketed by offset, so finding the spans of one visual row looks at
the few buckets the row touches, never at every span of the document.
"""
from __future__ import annotations

from typing import Iterable, NamedTuple

from reader.model import STATUS_REJECTED, STATUS_SUGGESTED, Annotation

BUCKET = 2048


class Span(NamedTuple):
    """The view's own copy of an annotation's geometry."""

    start: int
    end: int
    label: str
    status: str
    id: str
    low: bool = False  # a suggestion scored below LOW_SCORE: drawn dimmed


LOW_SCORE = 0.5  # suggestions scored below this are dimmed (reader.suggest.DEFAULT_MIN_SCORE)


def is_low(a: Annotation) -> bool:
    return a.status == STATUS_SUGGESTED and a.score is not None and a.score < LOW_SCORE


class SpanIndex:
    def __init__(self) -> None:
        self._spans: list[Span] = []
        self._keys: set[Span] = set()
        self._buckets: dict[int, list[Span]] = {}

    def set(self, annotations: Iterable[Annotation | Span], text_len: int) -> set[Span]:
        """Index the shown annotations; returns the spans that appeared or went away.

        Orphaned and rejected annotations and spans outside ``[0, text_len]``
        are not shown.
        """
        new: list[Span] = []
        for a in annotations:
            if isinstance(a, Span):
                sp = a
            else:
                if a.orphaned:
                    continue
                sp = Span(a.start, a.end, a.label, a.status, a.id, is_low(a))
            if sp.status != STATUS_REJECTED and 0 <= sp.start < sp.end <= text_len:
                new.append(sp)
        new.sort()
        keys = set(new)
        changed = self._keys ^ keys
        self._spans, self._keys = new, keys
        buckets: dict[int, list[Span]] = {}
        for sp in new:
            for b in range(sp.start // BUCKET, (sp.end - 1) // BUCKET + 1):
                buckets.setdefault(b, []).append(sp)
        self._buckets = buckets
        return changed

    def __len__(self) -> int:
        return len(self._spans)

    @property
    def spans(self) -> list[Span]:
        return list(self._spans)

    def spans_in(self, start: int, end: int) -> list[Span]:
        """Spans intersecting ``[start, end)`` (or touching ``start`` when empty), sorted."""
        found: dict[Span, None] = {}
        end = max(end, start + 1)
        for b in range(start // BUCKET, (end - 1) // BUCKET + 1):
            for sp in self._buckets.get(b, ()):
                if sp.start < end and start < sp.end:
                    found[sp] = None
        return sorted(found)

    def spans_at(self, offset: int) -> list[Span]:
        """Spans covering ``offset`` (innermost first)."""
        hits = [sp for sp in self._buckets.get(offset // BUCKET, ()) if sp.start <= offset < sp.end]
        return sorted(hits, key=lambda sp: (sp.end - sp.start, sp.start))

    @staticmethod
    def overlapping(spans: list[Span]) -> bool:
        """True when two of ``spans`` overlap."""
        ordered = sorted(spans, key=lambda sp: sp.start)
        end = -1
        for sp in ordered:
            if sp.start < end:
                return True
            end = max(end, sp.end)
        return False
