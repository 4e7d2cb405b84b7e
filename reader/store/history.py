"""Undo/redo of one store session, on the model of Textual's ``EditHistory``.

A :class:`Change` knows the annotation before and after (``None`` for "did
not exist"), so undoing is applying its :meth:`Change.inverse`. The
:class:`History` keeps two bounded stacks; recording a new change clears the
redo stack. It does no I/O and knows nothing of the store: the store asks it
which change to apply, and :func:`change_ops` applies it to the store's
in-memory image (through the store's callables) and gives the operations the
store then commits.

History is per store object, so per session and per annotator: with a shared
database engine, each annotator undoes only their own changes.
"""
from __future__ import annotations

from collections import deque
from typing import Callable, Mapping

from reader.model import Annotation, Change
from reader.store.base import Op, ann_record

__all__ = ["UNDO_LIMIT", "Change", "History", "change_ops"]

UNDO_LIMIT = 10_000


class History:
    """Two bounded stacks of :class:`Change` (oldest dropped past ``limit``)."""

    def __init__(self, limit: int = UNDO_LIMIT) -> None:
        self._undo: deque[Change] = deque(maxlen=limit)
        self._redo: deque[Change] = deque(maxlen=limit)
        self._last: deque[Change] | None = None  # the stack the last change went to

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def record(self, change: Change) -> None:
        """A new change was made: it can be undone; nothing can be redone any more."""
        self._undo.append(change)
        self._redo.clear()
        self._last = self._undo

    def pop_undo(self) -> Change | None:
        """The change to undo (moved to the redo stack), or None."""
        if not self._undo:
            return None
        change = self._undo.pop()
        self._redo.append(change)
        self._last = self._redo
        return change

    def pop_redo(self) -> Change | None:
        """The change to redo (moved back to the undo stack), or None."""
        if not self._redo:
            return None
        change = self._redo.pop()
        self._undo.append(change)
        self._last = self._undo
        return change

    def drop_last(self) -> None:
        """Forget the change just recorded, undone or redone: it was refused (another session's
        change won), so there is nothing of it to undo or redo."""
        if self._last:
            self._last.pop()
        self._last = None

    def clear(self) -> None:
        self._undo.clear()
        self._redo.clear()
        self._last = None


def change_ops(
    change: Change,
    anns: Mapping[str, Annotation],
    replace: Callable[[Annotation | None, Annotation | None], None],
    link_ops: Callable[[Change], list[Op]],
) -> list[Op]:
    """Apply ``change`` (an undo's inverse or a redo) to the in-memory image, one
    single change at a time: ``anns`` is the image's annotations by id, ``replace``
    swaps one annotation for another in the image and its indexes, ``link_ops``
    applies a link change. Returns the operations that make it durable (the
    caller commits them as one transaction)."""
    ops: list[Op] = []
    for c in change.singles():
        if c.is_link:
            ops += link_ops(c)
            continue
        target = c.before or c.after
        assert target is not None
        current = anns.get(target.id)
        if c.after is None:
            if current is not None:
                replace(current, None)
                ops.append(["del", current.doc_id, current.id])
        else:
            replace(current, c.after)
            ops.append(["put", ann_record(c.after)])
    return ops
