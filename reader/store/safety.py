"""Guards of the file engine against a hostile or changing file system.

* **Symlinks.** A store file replaced by a symbolic link (``.lock.info ->
  victim``, ``journal.jsonl -> victim``) would make every writable open write
  through the link. :func:`refuse_symlinks` refuses such a store with a clear
  message before anything is opened, and the engine opens what it writes with
  :data:`O_NOFOLLOW`. A store *folder* that is itself a symlink stays allowed.
* **A store deleted or moved while open.** :class:`JournalIdentity` remembers
  the journal file the engine holds; :meth:`JournalIdentity.problem` says so
  when that file is no longer at its path, so a save fails loudly (and the
  change stays unsaved) instead of going into a deleted file.
* **A torn journal tail.** After a crash the last journal line may be cut or
  damaged; the save never returned, so it is not replayed. :func:`keep_torn_tail`
  keeps its bytes in ``journal.torn-<time>.jsonl`` before the journal is cut,
  and :func:`torn_tails` lists those files for ``reader store check``.
"""
from __future__ import annotations

import os
import stat
from datetime import datetime, timezone
from pathlib import Path

from reader import fsutil
from reader.errors import StoreError

#: add to os.open flags for every file the engine writes (0 where unsupported)
O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
TORN_PREFIX = "journal.torn-"
_TOP_FILES = (
    ".lock", ".lock.info", ".lock.soft", "journal.jsonl", "journal.prev.jsonl", "meta.json", "meta.json.bak", "labels.toml",
)
_BLANK = b"\x00\n\r\t "


class SymlinkInStoreError(StoreError):
    def __init__(self, path: Path, target: str):
        self.path = str(path)
        super().__init__(
            f"{path}: is a symbolic link (to {target}); a store file must be a regular file, or saving would "
            "write through the link. Nothing was opened: remove the link (and restore the file from a backup) "
            "and open the store again"
        )


def _link_target(path: Path) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "?"


def refuse_symlinks(store: Path) -> None:
    """Raise :class:`SymlinkInStoreError` when a file of the store at ``store`` is a symlink."""
    for name in _TOP_FILES:
        path = store / name
        if path.is_symlink():
            raise SymlinkInStoreError(path, _link_target(path))
    kept = store / "journals"  # reader.store.archive.ARCHIVE_DIR: the journals kept for recovery
    if kept.is_symlink():
        raise SymlinkInStoreError(kept, _link_target(kept))
    for folder in ("docs", "texts"):  # the shards, the imported texts (reader.store.engine DOCS_DIR, TEXTS_DIR)
        docs = store / folder
        if docs.is_symlink():
            raise SymlinkInStoreError(docs, _link_target(docs))
        if not docs.is_dir():
            continue
        with os.scandir(docs) as entries:
            for entry in entries:
                if entry.is_symlink():
                    path = Path(entry.path)
                    raise SymlinkInStoreError(path, _link_target(path))


def open_nofollow(path: Path | str, flags: int, mode: int = fsutil.FILE_MODE) -> int:
    """``os.open`` that refuses a symlink at ``path`` (``ELOOP``) instead of following it."""
    try:
        return os.open(path, flags | O_NOFOLLOW, mode)
    except OSError as exc:
        if O_NOFOLLOW and Path(path).is_symlink():
            raise SymlinkInStoreError(Path(path), _link_target(Path(path))) from None
        raise exc


class JournalIdentity:
    """Which file the engine's journal descriptor is, to notice the store vanishing."""

    def __init__(self, path: Path, fd: int):
        self.path = path
        st = os.fstat(fd)
        self.ident = (st.st_dev, st.st_ino)

    def problem(self, fd: int) -> str | None:
        """None while ``path`` is still the file behind ``fd``, else what happened."""
        try:
            held = os.fstat(fd)
        except OSError as exc:  # pragma: no cover - the descriptor itself went bad
            return f"the journal cannot be checked ({fsutil.os_reason(exc)})"
        try:
            st = os.stat(self.path, follow_symlinks=False)
        except FileNotFoundError:
            if not self.path.parent.exists():
                return "the store folder was deleted or moved while the store was open"
            return "journal.jsonl was deleted while the store was open"
        except OSError as exc:
            return f"the store folder cannot be reached ({fsutil.os_reason(exc)})"
        if (st.st_dev, st.st_ino) != self.ident or held.st_nlink == 0 or not stat.S_ISREG(st.st_mode):
            return "journal.jsonl was replaced by another file while the store was open (the store was deleted, moved or restored)"
        return None


def torn_tail(raw: bytes, good: int) -> bytes:
    """The bytes after the last good journal line when they hold anything but padding."""
    if good < 0 or good >= len(raw):
        return b""
    tail = raw[good:]
    return tail if tail.strip(_BLANK) else b""


def keep_torn_tail(store: Path, tail: bytes) -> Path:
    """Write a torn journal tail to ``journal.torn-<UTC time>.jsonl`` (durably) and return its path."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    path = store / f"{TORN_PREFIX}{stamp}.jsonl"
    n = 1
    while path.exists() or path.is_symlink():
        n += 1
        path = store / f"{TORN_PREFIX}{stamp}-{n}.jsonl"
    fsutil.atomic_write(path, tail)
    return path


def torn_tails(store: Path) -> list[Path]:
    """The torn journal tails kept so far, oldest first."""
    if not store.is_dir():
        return []
    return sorted(p for p in store.iterdir() if p.name.startswith(TORN_PREFIX) and p.name.endswith(".jsonl"))
