"""ShownAnnotations: one document's shown annotations, kept up to date by store changes (no Textual).

The store returns what it did (an :class:`~reader.model.Change`: ``add``,
``update``, ``delete`` or a ``batch`` of them). Instead of reading every
annotation of the document again after each edit, the controller applies that
change here, and gets back a :class:`Delta` (which shown annotations went and
which came) that the screen applies to its span index and its list, as
Textual's ``TextArea.edit`` returns an ``EditResult``. Cost: O(log n) to find
the place, plus the list insert, instead of a copy and a sort of all n.
"""
from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from typing import Iterable, Protocol

from reader.model import STATUS_ACCEPTED, STATUS_SUGGESTED, Annotation

#: the statuses a document shows (those ``store.for_document`` returns by default)
SHOWN_STATUSES = frozenset((STATUS_ACCEPTED, STATUS_SUGGESTED))

SortKey = tuple[int, int, str, str]


def sort_key(ann: Annotation) -> SortKey:
    """The order of ``store.for_document``: (start, end, label, id)."""
    return (ann.start, ann.end, ann.label, ann.id)


class ChangeLike(Protocol):
    """A store change (:class:`reader.model.Change`), read-only."""

    @property
    def kind(self) -> str: ...

    @property
    def before(self) -> Annotation | None: ...

    @property
    def after(self) -> Annotation | None: ...

    @property
    def items(self) -> tuple["ChangeLike", ...]: ...


@dataclass(frozen=True)
class Delta:
    """What one change did to the shown annotations: ``removed`` went, ``added`` came.

    An updated annotation is in both (its old and its new version).
    """

    removed: tuple[Annotation, ...] = ()
    added: tuple[Annotation, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.removed or self.added)


class Tally:
    """Per-label counts of accepted and of suggested annotations, and the orphaned ones, kept as they change."""

    def __init__(self, anns: Iterable[Annotation] = ()) -> None:
        self.accepted: Counter[str] = Counter()
        self.suggested: Counter[str] = Counter()
        self.orphaned = 0
        for a in anns:
            self.count(a, 1)

    def count(self, a: Annotation, sign: int) -> None:
        if a.orphaned:
            self.orphaned += sign
        elif a.status == STATUS_ACCEPTED:
            self.accepted[a.label] += sign
        elif a.status == STATUS_SUGGESTED:
            self.suggested[a.label] += sign

    def update(self, removed: Iterable[Annotation], added: Iterable[Annotation]) -> None:
        for a in removed:
            self.count(a, -1)
        for a in added:
            self.count(a, 1)


def singles(change: ChangeLike) -> tuple[ChangeLike, ...]:
    return change.items if change.kind == "batch" else (change,)


class ShownAnnotations:
    """The annotations of one document in one layer (None: every layer), sorted by :func:`sort_key`."""

    def __init__(self) -> None:
        self.items: list[Annotation] = []
        self._by_id: dict[str, Annotation] = {}
        self._keys: list[SortKey] = []
        self._annotators: Counter[str] = Counter()  # every layer's, for the layer names
        self.tally = Tally()
        self.layer: str | None = None

    def reset(self, anns: list[Annotation], layer: str | None) -> None:
        """Everything again (on open, a layer switch, a reload from disk). ``anns``: every layer's."""
        self.layer = layer
        self._annotators = Counter(a.annotator for a in anns)
        shown = [a for a in anns if layer is None or a.annotator == layer]
        shown.sort(key=sort_key)
        self.items = shown
        self._keys = [sort_key(a) for a in shown]
        self._by_id = {a.id: a for a in shown}
        self.tally = Tally(shown)

    @property
    def layer_names(self) -> list[str]:
        return sorted(name for name, n in self._annotators.items() if n > 0)

    def get(self, ann_id: str) -> Annotation | None:
        return self._by_id.get(ann_id)

    def __len__(self) -> int:
        return len(self.items)

    def with_bounds(self, start: int, end: int) -> list[Annotation]:
        """The shown annotations spanning exactly ``start``-``end``, in order (a binary search:
        a tag asks on every key press, and a pass over 10,000 annotations cost about 2 ms)."""
        i = bisect_left(self._keys, (start, end, "", ""))
        out = []
        while i < len(self.items) and self._keys[i][:2] == (start, end):
            out.append(self.items[i])
            i += 1
        return out

    def apply(self, changes: Iterable[ChangeLike]) -> Delta:
        """Apply store changes (``before`` → ``after`` each; batches are opened)."""
        removed: list[Annotation] = []
        added: list[Annotation] = []
        for change in changes:
            for single in singles(change):
                self._replace(single.before, single.after, removed, added)
        return Delta(tuple(removed), tuple(added))

    def _replace(self, old: Annotation | None, new: Annotation | None, removed: list[Annotation], added: list[Annotation]) -> None:
        if old is not None and old.status in SHOWN_STATUSES:
            self._annotators[old.annotator] -= 1
        if new is not None and new.status in SHOWN_STATUSES:
            self._annotators[new.annotator] += 1
        gone = self._remove(old.id) if old is not None else None
        if gone is not None:
            removed.append(gone)
        if new is not None and new.status in SHOWN_STATUSES and (self.layer is None or new.annotator == self.layer):
            if new.id in self._by_id:  # already there (should not happen): keep one copy
                again = self._remove(new.id)
                if again is not None:
                    removed.append(again)
            key = sort_key(new)
            i = bisect_left(self._keys, key)
            self._keys.insert(i, key)
            self.items.insert(i, new)
            self._by_id[new.id] = new
            self.tally.count(new, 1)
            added.append(new)

    def _remove(self, ann_id: str) -> Annotation | None:
        ann = self._by_id.pop(ann_id, None)
        if ann is None:
            return None
        key = sort_key(ann)
        i = bisect_left(self._keys, key)
        if i < len(self._keys) and self._keys[i] == key:
            del self._keys[i]
            del self.items[i]
        self.tally.count(ann, -1)
        return ann


__all__ = ["ChangeLike", "Delta", "ShownAnnotations", "SHOWN_STATUSES", "Tally", "sort_key"]
