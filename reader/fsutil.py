"""Crash-safe file writing shared by the store and the export pipeline.

* :func:`atomic_write` replaces a file atomically and durably: a temp file in
  the same folder, ``fsync``, ``os.replace``, ``fsync`` of the folder. With
  ``backup=True`` the previous version is kept as ``<name>.bak`` (a hard link,
  so the live file never disappears, even for an instant).
* :func:`write_temp` / :func:`commit_temp` are its two halves, for callers
  that stage several files before moving any into place (store compaction).
* :func:`atomic_text_file` streams a text file into place (text exports);
  :func:`make_temp_dir` / :func:`replace_dir` do the same for a whole folder
  (the brat export) and :func:`replace_file` for a file a library wrote.

Files and folders get the mode a plain ``open()`` / ``mkdir()`` would give
them (``0o666`` / ``0o777`` minus the umask), never the ``0600``/``0700`` of
:mod:`tempfile`.

Every byte written goes through :func:`write_and_sync`, so the tests can
inject ``ENOSPC`` / ``EIO`` by monkeypatching that one function.
"""
from __future__ import annotations

import errno
import itertools
import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator, TextIO

TMP_PREFIX = ".tmp-"
_serial = itertools.count(1)
FILE_MODE = 0o666  # what open() asks for; the umask takes its bits off
DIR_MODE = 0o777  # what mkdir() asks for


def os_reason(exc: OSError, reading: str | None = None) -> str:
    """A short, plain reason for an ``OSError`` ("disk full", "permission denied", ...).

    ``reading`` names what was being read ("file", "folder"): the reason then
    says so ("permission denied: the file cannot be read").
    """
    code = exc.errno
    if code in (errno.EACCES, errno.EPERM):
        return f"permission denied: the {reading} cannot be read" if reading else "permission denied"
    if not reading:
        short = {errno.ENOSPC: "disk full", errno.EIO: "input/output error", errno.EROFS: "read-only file system"}
        if code in short:
            return short[code]
    if code == errno.ELOOP:
        return "symlink loop: the link points (through other links) back to itself"
    if code == errno.ENOENT:
        return "file not found: it was deleted, moved, or is a broken symlink"
    if code == errno.EISDIR:
        return "is a folder, not a file"
    if code == errno.ENAMETOOLONG:
        return "file name too long"
    detail = exc.strerror or exc.__class__.__name__
    return f"cannot read the {reading}: {detail}" if reading else detail


def write_and_sync(fd: int, data: bytes | bytearray) -> None:
    """Write all of ``data`` to ``fd`` and fsync it. The single fault-injection seam (every durable
    write ends with it; a file written in pieces by :func:`write_temp` makes its last one here)."""
    _write_all(fd, data)
    os.fsync(fd)


def fsync_dir(path: Path | str) -> None:
    """fsync a folder, so that a rename or a new file in it survives a crash."""
    try:
        fd = os.open(str(path), os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse fsync on dirs
        pass
    finally:
        os.close(fd)


def fsync_tree(root: Path) -> None:
    """fsync every file and folder under ``root`` (children first)."""
    for folder, _dirs, files in os.walk(root):
        for name in files:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(folder)


def unlink_quietly(path: Path | str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def temp_path(path: Path, tag: str = "") -> Path:
    """A temp name beside ``path``: hidden, recognisable by :data:`TMP_PREFIX`, unique in the process."""
    return path.parent / f"{TMP_PREFIX}{path.name}{tag}.{os.getpid()}.{next(_serial)}"


#: bytes gathered before one ``os.write`` when a file is written piece by piece
WRITE_CHUNK = 1 << 20


def _write_all(fd: int, data: bytes | bytearray | memoryview) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:  # pragma: no cover - os.write raises instead
            raise OSError(errno.EIO, "short write")
        view = view[written:]


def write_pieces_and_sync(fd: int, pieces: Iterable[bytes]) -> None:
    """Write ``pieces`` in order to ``fd`` (a megabyte at a time) and fsync it; the last write goes
    through :func:`write_and_sync`."""
    buf = bytearray()
    for piece in pieces:
        buf += piece
        if len(buf) >= WRITE_CHUNK:
            _write_all(fd, buf)
            buf.clear()
    write_and_sync(fd, buf)


def write_temp(path: Path, data: bytes | bytearray | Iterable[bytes]) -> Path:
    """Write ``data`` durably to a temp file beside ``path``; returns the temp path.

    ``data`` is the file's bytes, or its pieces in order (written a megabyte at a time, so that a
    large file is never whole in memory); the last write goes through :func:`write_and_sync`."""
    path = Path(path)
    tmp = temp_path(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), FILE_MODE)
    try:
        try:
            if isinstance(data, (bytes, bytearray)):
                write_and_sync(fd, data)
            else:
                write_pieces_and_sync(fd, data)
        finally:
            os.close(fd)
    except BaseException:
        unlink_quietly(tmp)
        raise
    return tmp


def link_or_copy(src: Path | str, dst: Path | str) -> bool:
    """Make ``dst`` a hard link of ``src`` (False), or on a file system without hard links (EPERM,
    EXDEV, ...) a copy whose bytes are fsynced (True: the caller fsyncs the folder once the copy has
    its final name, before anything relies on it). Raises OSError."""
    try:
        os.link(src, dst)
        return False
    except OSError:
        if not os.path.lexists(src):
            raise
    try:
        shutil.copyfile(src, dst)
        fd = os.open(dst, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        unlink_quietly(dst)
        raise
    return True


def commit_temp(tmp: Path, path: Path, *, backup: bool = False) -> None:
    """Move a temp file from :func:`write_temp` over ``path`` (the caller fsyncs the folder).

    With ``backup`` the current file (if any) becomes ``<path>.bak`` first, by
    hard link (a durable copy when links are unsupported: :func:`link_or_copy`, and
    the folder fsynced before the live file is replaced), so there is always a live file.
    """
    path = Path(path)
    try:
        if backup and path.exists():
            bak = path.with_name(path.name + ".bak")
            btmp = temp_path(bak)
            unlink_quietly(btmp)
            copied = link_or_copy(path, btmp)
            os.replace(btmp, bak)
            if copied:  # a copy's name on disk before the live file it backs up is replaced
                fsync_dir(path.parent)
        os.replace(tmp, path)
    except BaseException:
        unlink_quietly(tmp)
        raise


def atomic_write(path: Path | str, data: bytes | bytearray | Iterable[bytes], *, backup: bool = False) -> None:
    """Replace ``path`` with ``data`` atomically and durably (temp file, fsync,
    ``os.replace``, fsync of the folder); ``backup`` keeps the old file as ``.bak``."""
    path = Path(path)
    tmp = write_temp(path, data)
    commit_temp(tmp, path, backup=backup)
    fsync_dir(path.parent)


@contextmanager
def atomic_text_file(path: Path) -> Iterator[TextIO]:
    """Write a UTF-8 text file (``\\n`` newlines) that appears at ``path`` only when
    complete and durable; on an error nothing is left behind and ``path`` is untouched."""
    tmp = temp_path(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        unlink_quietly(tmp)
        raise
    fsync_dir(path.parent)


def replace_file(src: Path, path: Path) -> None:
    """fsync ``src`` (written by someone else, e.g. a library) and move it over ``path`` durably."""
    fd = os.open(src, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(src, path)
    fsync_dir(path.parent)


def make_temp_dir(path: Path) -> Path:
    """A new, empty folder beside ``path`` with the mode ``mkdir`` would give it."""
    while True:
        tmp = temp_path(path)
        try:
            os.mkdir(tmp, DIR_MODE)
            return tmp
        except FileExistsError:  # pragma: no cover - a leftover of an earlier process
            continue


def replace_dir(tmp_dir: Path, path: Path) -> None:
    """Swap a finished folder from :func:`make_temp_dir` into place, durably.

    An existing ``path`` is moved aside first and put back if the swap fails;
    it is deleted once the new folder is in place.
    """
    fsync_tree(tmp_dir)
    old = None
    try:
        if path.exists():
            old = temp_path(path, ".old")
            if old.exists():
                shutil.rmtree(old)
            os.replace(path, old)
        os.replace(tmp_dir, path)
        fsync_dir(path.parent)
    except OSError:
        if old is not None and not path.exists():  # put the previous folder back
            try:
                os.replace(old, path)
                old = None
            except OSError:
                pass
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
