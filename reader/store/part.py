"""What the store's parts share (links, workspace tables, gold decisions, inspection).

The parts are composed into :class:`~reader.store.annotations.AnnotationStore`
(not mixed in): each works on the store's image under the store's lock,
records in its history and saves through its ``commit``. :class:`StoreCore`
is that shared state, handed to every part once; :class:`StorePart` unpacks it.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable

from reader.store.base import Op, StoreImage
from reader.store.history import History


@dataclass(frozen=True)
class StoreCore:
    """The store's lock, image and history; how it saves; who annotates; whether it is read-only."""

    lock: threading.RLock
    image: StoreImage
    history: History
    commit: Callable[[list[Op]], None]
    check_writable: Callable[[], None]
    annotator: Callable[[], str]
    readonly: Callable[[], bool]


class StorePart:
    """A part of the store: holds the store's :class:`StoreCore` as its own attributes."""

    def __init__(self, core: StoreCore) -> None:
        self._lock = core.lock
        self._image = core.image
        self._history = core.history
        self._commit = core.commit
        self._check_writable = core.check_writable
        self._annotator = core.annotator
        self._readonly = core.readonly
