"""The file store's one-writer lock: ``flock(2)`` on the store folder and its ``.lock``; a soft lock where
the file system has no ``flock``.

A store folder has one writer at a time; it holds two exclusive ``flock`` locks for as long as it is
open (the kernel drops them when the process dies, so a killed writer never leaves a stale lock):

* on the **folder itself**. Nothing that happens to a file inside it (``.lock`` deleted by hand, by a
  cleanup tool or a sync client, or replaced) can make a second writer lock something else: a folder
  that holds the store's files cannot be deleted or replaced by removing one file;
* on its **``.lock`` file**, as before, so that older versions of reader and other ``filelock`` users
  (which lock only that file) are kept out, and keep us out, both ways. A ``.lock`` deleted or replaced
  between our open and our ``flock`` is opened again.

Where a folder cannot be ``flock``-ed although its files can (NFS emulates ``flock`` with byte-range
locks, which need a file open for writing: ``EBADF``), only the ``.lock`` lock is taken, as before.

The ``filelock`` library is what locks on Windows and on file systems without ``flock`` (some network
mounts answer ``ENOSYS``). There the lock is filelock's :class:`~filelock.SoftFileLock` on its own
name, ``.lock.soft``: a file that exists only while a writer holds it (it is removed on release) and
names the holder (pid, host, process start), so a holder that was killed on this host does not block.
The empty ``.lock`` that every writer on a ``flock`` file system leaves behind is never taken for a
holder (it used to lock such a store for ever: filelock's soft lock on ``.lock`` took that file's
existence for a live holder). An older version's soft lock on ``.lock`` (a file with its pid) is
respected: that name is soft-locked too unless it is the empty file, which keeps older versions out.
filelock is imported only on those paths, because its import would cost every start of the app a few
milliseconds for one system call (issue 22: the first screen).
"""
from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path
from typing import TYPE_CHECKING

from reader import fsutil
from reader.store import safety

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from filelock import BaseFileLock

#: errors of a file system that cannot ``flock``: filelock's soft lock takes over
NO_FLOCK = {errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOLCK}
#: a folder that cannot be ``flock``-ed where files can (NFS: an exclusive lock needs write access)
NO_FOLDER_FLOCK = {errno.EBADF}
#: the soft lock's own file, beside ``.lock``: it exists only while a writer holds it
SOFT_SUFFIX = ".soft"
#: times a ``.lock`` deleted or replaced between our open and our ``flock`` is opened again
_REOPENS = 5
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)


class _NoFlock(Exception):
    """The file system answered that it cannot ``flock``."""


def _flock(fd: int, *, folder: bool = False) -> bool | None:
    """Lock ``fd``: ``True``; ``False`` when another holds it; ``None`` for a folder that cannot be locked."""
    assert fcntl is not None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as exc:
        if exc.errno in NO_FLOCK:
            raise _NoFlock from None
        if folder and exc.errno in NO_FOLDER_FLOCK:
            return None
        raise
    return True


def in_the_way(path: Path, thing: str) -> str:
    """What to do when ``thing`` ("a folder", "a symbolic link") took the name of ``.lock`` (``path``):
    made by hand, a sync client, a restore."""
    return (f"{path} is {thing}, not the lock file, so the store cannot be locked for writing: remove it "
            "(the next writer makes the file again)")


class WriterLock:
    """An exclusive, non-blocking lock on one store folder (``path`` is its ``.lock``), held until
    :meth:`release`."""

    def __init__(self, path: Path):
        self.path = path
        self._fd: int | None = None
        self._folder: int | None = None
        self._fallback: list[BaseFileLock] = []
        self._lost: str | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None or bool(self._fallback)

    @property
    def soft_path(self) -> Path:
        return self.path.with_name(self.path.name + SOFT_SUFFIX)

    def acquire(self) -> bool:
        """Take the lock: ``True``; ``False`` when another writer holds it. Raises ``OSError``
        when the folder or the file cannot be opened or locked at all."""
        if fcntl is None:  # pragma: no cover - Windows
            return self._acquire_with_filelock()
        folder = os.open(self.path.parent, os.O_RDONLY | _O_DIRECTORY)  # follows a symlinked store folder
        try:
            taken = _flock(folder, folder=True)
            if taken is False:
                os.close(folder)
                return False
            fd = self._lock_file()
        except _NoFlock:
            os.close(folder)
            return self._acquire_soft()
        except BaseException:
            os.close(folder)
            raise
        if fd is None:
            os.close(folder)
            return False
        if taken:
            self._folder = folder
        else:
            os.close(folder)
        self._fd = fd
        return True

    def _lock_file(self) -> int | None:
        """``.lock`` opened and locked, or ``None`` when another writer holds it (or it keeps vanishing)."""
        for _attempt in range(_REOPENS):
            try:
                fd, created = safety.open_nofollow(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL), True
            except FileExistsError:
                try:
                    fd, created = safety.open_nofollow(self.path, os.O_RDWR), False
                except FileNotFoundError:  # deleted between the two opens
                    continue
            try:
                taken = _flock(fd)
            except _NoFlock:
                os.close(fd)
                if created:  # an older soft lock is this file's existence: not one made here
                    os.unlink(self.path)
                raise
            except BaseException:
                os.close(fd)
                raise
            if not taken:
                os.close(fd)
                return None
            if self._still_at_path(fd):
                return fd
            os.close(fd)  # deleted or replaced between the open and the lock: lock the file that has the name
        return None

    def _still_at_path(self, fd: int) -> bool:
        held = os.fstat(fd)
        try:
            now = os.stat(self.path, follow_symlinks=False)
        except FileNotFoundError:
            return False
        return held.st_nlink > 0 and (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino)

    def reassert(self) -> str | None:
        """Before a save: ``None`` while ``.lock`` is still the file held. One deleted or replaced since
        is locked again (so older versions, which lock only ``.lock``, stay out); the problem when another
        writer holds it now, and from then on."""
        fd = self._fd
        if self._lost or fd is None or self._still_at_path(fd):
            return self._lost
        try:
            fresh = self._lock_file()
        except safety.SymlinkInStoreError:
            return in_the_way(self.path, "a symbolic link")
        except OSError as exc:
            if exc.errno == errno.EISDIR:
                return in_the_way(self.path, "a folder")
            return f"{self.path.name} was deleted or replaced and cannot be locked again ({fsutil.os_reason(exc)})"
        except _NoFlock:
            return f"{self.path.name} was deleted or replaced and cannot be locked again (no flock)"
        if fresh is None:  # for good: that writer may have written since, our image is no longer the store
            self._lost = f"{self.path.name} was deleted or replaced, and another writer holds the new one"
            return self._lost
        self._fd = fresh
        os.close(fd)
        return None

    def _acquire_with_filelock(self) -> bool:  # pragma: no cover - Windows
        from filelock import FileLock

        return self._take_soft(FileLock(str(self.path), timeout=0, thread_local=False))

    def _acquire_soft(self) -> bool:
        """No ``flock`` here: filelock's soft lock on ``.lock.soft``, and on ``.lock`` unless that is the
        empty file a ``flock`` writer leaves (an older version's soft lock there holds a pid)."""
        from filelock import SoftFileLock

        if not self._take_soft(SoftFileLock(str(self.soft_path), timeout=0, thread_local=False)):
            return False
        try:
            empty = os.lstat(self.path).st_size == 0
        except FileNotFoundError:
            empty = False
        except BaseException:
            self.release()
            raise
        if empty:
            return True
        try:
            if self._take_soft(SoftFileLock(str(self.path), timeout=0, thread_local=False)):
                return True
        except BaseException:
            self.release()
            raise
        self.release()  # a live older writer holds .lock
        return False

    def _take_soft(self, lock: BaseFileLock) -> bool:
        from filelock import Timeout

        try:
            lock.acquire()
        except Timeout:
            return False
        self._fallback.append(lock)
        return True

    def release(self) -> None:
        """Let the lock go (``.lock`` stays, so the next writer locks the same one; ``.lock.soft`` goes)."""
        fd, self._fd = self._fd, None
        folder, self._folder = self._folder, None
        try:
            for held in (fd, folder):
                if held is not None:
                    with contextlib.suppress(OSError):  # closing lets it go in any case
                        if fcntl is not None:
                            fcntl.flock(held, fcntl.LOCK_UN)
                    os.close(held)
        finally:
            fallback, self._fallback = self._fallback, []
            for lock in reversed(fallback):
                lock.release(force=True)


__all__ = ["WriterLock", "NO_FLOCK", "SOFT_SUFFIX"]
