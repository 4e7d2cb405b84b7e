"""Error types of the domain. Every message names the file and the problem.

The CLI and the UI catch :class:`ReaderError` and show its message; anything
else is a bug. Messages are plain text (never markup).
"""
from __future__ import annotations

import os
from pathlib import Path


class ReaderError(Exception):
    """Base class of every error the user is meant to read."""


class NotTextError(ReaderError):
    """A file is not text we can load (binary, bad encoding, too large...)."""

    def __init__(self, path: str | os.PathLike[str], reason: str):
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{path}: {reason}")


class LabelsError(ReaderError):
    def __init__(self, path: Path | str, reason: str, line: int | None = None):
        self.path = str(path)
        self.reason = reason
        self.line = line
        where = f"{path}, line {line}" if line else f"{path}"
        super().__init__(f"{where}: {reason}")


class StoreError(ReaderError):
    """Base class of annotation-store errors."""


class StoreLockedError(StoreError):
    def __init__(self, lock_path: Path | str, holder: str = ""):
        self.lock_path = str(lock_path)
        self.holder = holder
        who = f" (held by {holder})" if holder else ""
        super().__init__(
            f"store is locked by another writer{who}: {lock_path}. "
            "Close the other reader, or open this store read-only."
        )


class StoreCorruptError(StoreError):
    def __init__(self, path: Path | str, reason: str, backup: Path | str | None = None):
        self.path = str(path)
        self.reason = reason
        self.backup = str(backup) if backup else None
        hint = (
            f" The last good copy is {backup}; run `reader store recover` to rebuild from it."
            if backup
            else " Run `reader store check` for details; the file was left untouched."
        )
        super().__init__(f"{path}: cannot read the store: {reason}.{hint}")


class StoreMetaMissingError(StoreCorruptError):
    """``meta.json`` is gone from a folder that holds a store (shards, journals, backups): not a new
    store. Nothing was written; ``reader store recover`` rebuilds it from its backup and the journals."""

    def __init__(self, path: Path | str, found: str, backup: Path | str | None = None):
        self.path = str(path)
        self.found = found
        self.reason = f"missing, but the folder holds a store ({found})"
        self.backup = str(backup) if backup else None
        source = f"{Path(backup).name} and the journals" if backup else "the journals"
        StoreError.__init__(self, f"{path}: {self.reason}; not opened and nothing was written. Run "
                            f"`reader store recover --store {Path(path).parent}` to rebuild it from {source}.")


class StoreVersionError(StoreError):
    def __init__(self, path: Path | str, found: int, supported: int):
        self.path = str(path)
        super().__init__(
            f"{path}: store schema version {found} is newer than this reader "
            f"supports ({supported}); upgrade the reader. The store was not changed."
        )


class StoreReadOnlyError(StoreError):
    def __init__(self, path: Path | str, reason: str = "the store is open read-only"):
        self.path = str(path)
        super().__init__(f"{path}: {reason}; nothing was saved")


class StoreWriteError(StoreError):
    """A save failed (disk full, I/O error). The change is kept as unsaved."""

    def __init__(self, path: Path | str, reason: str, pending: int = 0):
        self.path = str(path)
        self.reason = reason
        self.pending = pending
        super().__init__(
            f"{path}: could not save ({reason}); {pending} change(s) kept in memory "
            "as unsaved and will be retried"
        )


class StoreConflictError(StoreError):
    """A change was based on a version another session has changed since (a shared store):
    it was refused, not applied, and the records it touched were reloaded from the store.
    ``line`` is the one line to show ("bob changed this span 3 s ago; reloaded; ctrl+z is unchanged")."""

    def __init__(self, line: str):
        self.line = line
        super().__init__(line)


class UnstorableValueError(StoreError):
    """A value handed to the store holds text that no UTF-8 file can carry (a lone surrogate):
    refused before anything changed, so it never blocks the saves after it (reader.store.storable)."""

    def __init__(self, field: str, reason: str):
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}; nothing was saved")


class AnnotationError(ReaderError):
    """A bad annotation request: duplicate, offsets out of range, unknown label..."""


class DuplicateAnnotationError(AnnotationError):
    pass


class OffsetError(AnnotationError):
    pass


class UnknownDocumentError(AnnotationError):
    pass


class FormatError(ReaderError):
    """An import or export problem (unknown format, existing output file...)."""
