"""A public read path into a store session, for diagnostics and tests (no private attributes).

:meth:`Inspector.table` is a copy of one workspace table as this session
holds it (what a test compares with the database after a poll), and
:meth:`Inspector.inspect` says what the session is: its engine, and on
PostgreSQL its session id, its poll horizon, whether its live connection is
encrypted (TLS) and, for one record, the version it has seen of it.
:class:`Inspector` is a part the store owns (composed, not mixed in): the
store's ``table`` and ``inspect`` hand over to it.
"""
from __future__ import annotations

import copy
from typing import Protocol, runtime_checkable

from reader.protocols import JSON
from reader.store.base import META_TABLES, StorageEngine
from reader.store.part import StoreCore, StorePart


@runtime_checkable
class Inspectable(Protocol):
    """An engine that can describe its session (the PostgreSQL engine)."""

    def inspect(self, key: tuple[str, ...] | None = None) -> dict[str, JSON]: ...


class Inspector(StorePart):
    """``table`` and ``inspect`` of one store (its image and engine); each holds the store's ``lock``."""

    def __init__(self, core: StoreCore, engine: StorageEngine) -> None:
        super().__init__(core)
        self._engine = engine

    def table(self, name: str) -> dict[str, JSON]:
        """A copy of the workspace table ``name`` (one of META_TABLES) as this session holds it."""
        if name not in META_TABLES:
            raise ValueError(f"no workspace table {name!r} (one of {', '.join(META_TABLES)})")
        with self._lock:
            return copy.deepcopy(dict(self._image.meta[name]))

    def inspect(self, key: tuple[str, ...] | None = None) -> dict[str, JSON]:
        """``{"engine": "folder" | "postgresql", ...}``; on PostgreSQL also ``session``, ``horizon``,
        ``tls`` and, for ``key`` (``("a", ann_id)`` or ``("m", table, key)``), ``seen``: the
        version of that record this session has seen (None: never)."""
        with self._lock:
            if isinstance(self._engine, Inspectable):
                return {"engine": "postgresql", **self._engine.inspect(key)}
            return {"engine": "folder"}
