"""SpanIndex: which annotation spans cover which offsets (no Textual).

Spans are bucketed by offset, so finding the spans of one visual row looks at
the few buckets the row touches, never at every span of the document.
"""
from __future__ import annotations

from bisect import bisect_left, insort
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


def _shown_span(a: Annotation | Span, text_len: int) -> Span | None:
    """The span drawn for ``a``; None when it is not shown (orphaned, rejected, outside the text)."""
    if isinstance(a, Span):
        sp = a
    else:
        if a.orphaned:
            return None
        sp = Span(a.start, a.end, a.label, a.status, a.id, is_low(a))
    return sp if sp.status != STATUS_REJECTED and 0 <= sp.start < sp.end <= text_len else None


SpanSet = set[Span]  # (the class below has a method named "set")


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
        new = [sp for a in annotations if (sp := _shown_span(a, text_len)) is not None]
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

    def update(self, removed: Iterable[Annotation], added: Iterable[Annotation], text_len: int) -> SpanSet:
        """Apply a delta (annotations that went, and came); returns the spans that appeared or went away.

        A removed annotation is the version that was shown, so its span is found
        by value: O(log n) per span plus the list insert, where :meth:`set` sorts
        everything again.
        """
        changed: SpanSet = SpanSet()
        for a in removed:
            sp = Span(a.start, a.end, a.label, a.status, a.id, is_low(a))
            if sp in self._keys:
                self._drop(sp)
                changed.add(sp)
        for a in added:
            new = _shown_span(a, text_len)
            if new is None:
                continue
            if new in self._keys:
                continue
            insort(self._spans, new)
            self._keys.add(new)
            for b in range(new.start // BUCKET, (new.end - 1) // BUCKET + 1):
                insort(self._buckets.setdefault(b, []), new)  # buckets stay sorted: spans_at breaks ties by it
            changed ^= {new}  # went and came back as it was: nothing to draw
        return changed

    def _drop(self, sp: Span) -> None:
        self._keys.discard(sp)
        i = bisect_left(self._spans, sp)
        if i < len(self._spans) and self._spans[i] == sp:
            del self._spans[i]
        for b in range(sp.start // BUCKET, (sp.end - 1) // BUCKET + 1):
            bucket = self._buckets.get(b)
            if bucket is not None and sp in bucket:
                bucket.remove(sp)

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
