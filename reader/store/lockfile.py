"""The file store's one-writer lock: ``flock(2)`` on ``.lock``, and filelock where that is not enough.

A store folder has one writer at a time; it holds an exclusive ``flock`` on the
folder's ``.lock`` file for as long as it is open (the kernel drops it when the
process dies, so a killed writer never leaves a stale lock). Taking it is one
system call. The ``filelock`` library is what does it on Windows and on file
systems without ``flock`` (some network mounts answer ``ENOSYS``), where it falls
back to a soft lock; it is imported only then, because its import (twenty modules
and ``secrets``) would cost every start of the app a few milliseconds for one
system call (issue 22: the first screen). Both take the same ``flock`` on Unix,
so a writer of either kind keeps the other out.
"""
from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import TYPE_CHECKING

from reader.store import safety

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

if TYPE_CHECKING:
    from filelock import FileLock

#: errors of a file system that cannot ``flock``: filelock's soft lock takes over
NO_FLOCK = {errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOLCK}


class WriterLock:
    """An exclusive, non-blocking lock on one file, held until :meth:`release`."""

    def __init__(self, path: Path):
        self.path = path
        self._fd: int | None = None
        self._fallback: FileLock | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None or self._fallback is not None

    def acquire(self) -> bool:
        """Take the lock: ``True``; ``False`` when another writer holds it. Raises ``OSError``
        when the file cannot be opened or locked at all."""
        if fcntl is None:  # pragma: no cover - Windows
            return self._acquire_with_filelock()
        try:
            fd, created = safety.open_nofollow(self.path, os.O_RDWR | os.O_CREAT | os.O_EXCL), True
        except FileExistsError:
            fd, created = safety.open_nofollow(self.path, os.O_RDWR), False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        except OSError as exc:
            os.close(fd)
            if exc.errno in NO_FLOCK:
                if created:  # filelock's soft lock is the file's existence: not one made here
                    os.unlink(self.path)
                return self._acquire_with_filelock()
            raise
        if not self._still_at_path(fd):  # deleted or replaced between the open and the lock
            os.close(fd)
            return False
        self._fd = fd
        return True

    def _still_at_path(self, fd: int) -> bool:
        held = os.fstat(fd)
        try:
            now = os.stat(self.path, follow_symlinks=False)
        except FileNotFoundError:
            return False
        return held.st_nlink > 0 and (held.st_dev, held.st_ino) == (now.st_dev, now.st_ino)

    def _acquire_with_filelock(self) -> bool:
        from filelock import FileLock, Timeout

        lock = FileLock(str(self.path), timeout=0, thread_local=False)
        try:
            lock.acquire()
        except Timeout:
            return False
        self._fallback = lock
        return True

    def release(self) -> None:
        """Let the lock go (the file stays, so the next writer locks the same one)."""
        fd, self._fd = self._fd, None
        if fd is not None:
            try:
                if fcntl is not None:
                    fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)
        fallback, self._fallback = self._fallback, None
        if fallback is not None:
            fallback.release(force=True)


__all__ = ["WriterLock", "NO_FLOCK"]
