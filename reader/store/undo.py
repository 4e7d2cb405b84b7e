"""The store's undo and redo (mixed into AnnotationStore, which provides these attributes).

Each session has its own :class:`~reader.store.history.History`; undoing a
change commits its inverse through the engine like any other write, so an undo
is as durable (and, on a shared store, as checked for conflicts) as the change.
"""
from __future__ import annotations

import threading
from typing import Callable

from reader.model import Annotation
from reader.store.base import Op, StoreImage
from reader.store.history import Change, History, change_ops
from reader.store.links import LinkTable


class UndoMethods:
    """Undo and redo of this session's changes."""

    _lock: threading.RLock
    _image: StoreImage
    _history: History
    _commit: Callable[[list[Op]], None]
    _check_writable: Callable[[], None]
    _replace: Callable[[Annotation | None, Annotation | None], None]
    _links: LinkTable

    @property
    def can_undo(self) -> bool:
        return self._history.can_undo

    @property
    def can_redo(self) -> bool:
        return self._history.can_redo

    def _apply_change(self, change: Change) -> None:
        """Make the store go from ``change.before`` to ``change.after`` (durably)."""
        ops = change_ops(change, self._image.anns, self._replace, self._links.apply_change)
        if ops:
            self._commit(ops)

    def undo(self) -> Change | None:
        """Undo the last change of this session; returns it (None when there is none)."""
        with self._lock:
            self._check_writable()
            change = self._history.pop_undo()
            if change is not None:
                self._apply_change(change.inverse())
            return change

    def redo(self) -> Change | None:
        """Redo the last undone change; returns it (None when there is none)."""
        with self._lock:
            self._check_writable()
            change = self._history.pop_redo()
            if change is not None:
                self._apply_change(change)
            return change
