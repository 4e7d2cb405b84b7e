"""The store the app runs with when the real one could not be opened.

:class:`UnavailableStore` is an ordinary :class:`~reader.store.annotations.AnnotationStore`
over an :class:`UnavailableEngine`: a :class:`~reader.store.base.StorageEngine`
that loads an empty image and is read-only, saying why. So the stand-in has
exactly the store's interface and behaviour (reads answer "nothing", every
change raises :class:`~reader.errors.StoreReadOnlyError` with that one-line
reason, the language cache is skipped as on any read-only store) with no
second copy of the interface to keep in step. Two differences: UI state
(:meth:`UnavailableStore.set_state`) is kept in memory for the session (so
``table("state")`` shows it; every other table is empty), and
:meth:`UnavailableStore.inspect` says the store is unavailable and why.
"""
from __future__ import annotations

import os
from typing import Sequence

from reader.labels import LabelSet
from reader.store.annotations import AnnotationStore
from reader.store.base import JSON, CommitError, Op, StoreImage

__all__ = ["UnavailableEngine", "UnavailableStore"]


class UnavailableEngine:
    """A :class:`~reader.store.base.StorageEngine` with nothing in it that refuses every write.

    ``reason`` is the one line every refused change names (the store says it
    before the engine is reached; :meth:`commit` says it too). ``labels``: the
    label set to show (the store folder's ``labels.toml`` when it could be read)."""

    def __init__(self, location: str, reason: str, labels: LabelSet | None = None) -> None:
        self.location = location
        self.readonly = True
        self.readonly_reason: str | None = reason
        self.last_error: str | None = None
        self._labels = labels or LabelSet()

    def load(self) -> StoreImage:
        return StoreImage()

    def commit(self, ops: Sequence[Op]) -> None:
        raise CommitError(self.location, self.readonly_reason or "the store could not be opened")

    def poll(self) -> list[Op]:
        return []

    def compact(self) -> None:
        return None

    def close(self) -> None:
        return None

    def label_set(self) -> LabelSet:
        """The label set to show (a :class:`~reader.store.location.LabelSource`: no folder is read)."""
        return self._labels


class UnavailableStore(AnnotationStore):
    """An empty, read-only store standing in for one that could not be opened
    (``reason``: why, in one line). Nothing is read from or written to ``path``;
    only the constructor, :meth:`set_state` and :meth:`inspect` differ from :class:`AnnotationStore`."""

    def __init__(self, path: str | os.PathLike[str], reason: str, labels: LabelSet | None = None) -> None:
        super().__init__(path, engine=UnavailableEngine(str(path), f"the store could not be opened ({reason})", labels))

    def set_state(self, key: str, value: JSON) -> None:
        """Remember a UI value for this session only (in memory; None removes it): there is
        nowhere to save it, and a preference is no user work to refuse."""
        with self._lock:
            rows = self._image.meta["state"]
            if value is None:
                rows.pop(key, None)
            else:
                rows[key] = value

    def inspect(self, key: tuple[str, ...] | None = None) -> dict[str, JSON]:
        """``{"engine": "unavailable", "reason": ...}``: no session to describe, and why."""
        return {"engine": "unavailable", "reason": self.readonly_reason}
