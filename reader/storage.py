"""Low-level, crash-safe file primitives for :mod:`reader.store` (private).

* :func:`atomic_write` writes a whole file atomically: temp file in the same
  folder, ``fsync``, ``os.replace``, ``fsync`` of the folder. The previous
  version is kept as ``<name>.bak`` (a hard link, so the live file never
  disappears, even for an instant).
* :class:`AtomicJSONStorage` is a :class:`tinydb.storages.Storage` that reads
  and writes a TinyDB JSON file through :func:`atomic_write` (UTF-8, non-ASCII
  kept as is). TinyDB's own ``JSONStorage`` rewrites the file in place, so a
  crash can leave it truncated; this one cannot.
* :class:`Journal` is the append-only change log: one line per transaction,
  ``<crc32 as 8 hex digits> <json>\\n``, written with one ``write`` and then
  ``fsync``\\ ed before the caller is told the change is saved.

Every byte that reaches the disk goes through :func:`_write_and_sync`, so the
tests can inject ``ENOSPC`` / ``EIO`` by monkeypatching that one function.
"""
from __future__ import annotations

import errno
import json
import os
import zlib
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

TMP_PREFIX = ".tmp-"


def _write_and_sync(fd: int, data: bytes) -> None:
    """Write all of ``data`` to ``fd`` and fsync it. The single fault-injection seam."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:  # pragma: no cover - os.write raises instead
            raise OSError(errno.EIO, "short write")
        view = view[written:]
    os.fsync(fd)


def fsync_dir(path: Path | str) -> None:
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


def write_temp(path: Path, data: bytes) -> Path:
    """Write ``data`` durably to a temp file beside ``path``; returns the temp path."""
    path = Path(path)
    tmp = path.parent / f"{TMP_PREFIX}{path.name}.{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        try:
            _write_and_sync(fd, data)
        finally:
            os.close(fd)
    except BaseException:
        _unlink_quietly(tmp)
        raise
    return tmp


def commit_temp(tmp: Path, path: Path, *, backup: bool = True) -> None:
    """Move a temp file from :func:`write_temp` over ``path`` (the caller fsyncs the folder).

    With ``backup`` the current file (if any) becomes ``<path>.bak`` first, by
    hard link (copy when links are unsupported), so there is always a live file.
    """
    path = Path(path)
    try:
        if backup and path.exists():
            bak = path.with_name(path.name + ".bak")
            btmp = path.parent / f"{TMP_PREFIX}{bak.name}.{os.getpid()}"
            _unlink_quietly(btmp)
            try:
                os.link(path, btmp)
            except OSError:
                import shutil

                shutil.copyfile(path, btmp)
            os.replace(btmp, bak)
        os.replace(tmp, path)
    except BaseException:
        _unlink_quietly(tmp)
        raise


def atomic_write(path: Path, data: bytes, *, backup: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically and durably (temp file, fsync,
    ``os.replace``, fsync of the folder), keeping the old file as ``.bak``."""
    path = Path(path)
    tmp = write_temp(path, data)
    commit_temp(tmp, path, backup=backup)
    fsync_dir(path.parent)


def _unlink_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), check_circular=False).encode("utf-8")


class AtomicJSONStorage(Storage):
    """TinyDB storage: whole-file JSON, saved atomically with a ``.bak`` generation.

    ``read`` raises :class:`ValueError` (with a reason) for a file that is not
    valid UTF-8 JSON holding an object; the store turns it into
    ``StoreCorruptError``. It never writes on its own.
    """

    def __init__(self, path: str | Path, backup: bool = True, **_: Any):
        super().__init__()
        self.path = Path(path)
        self.backup = backup

    def read(self) -> dict[str, Any] | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        return parse_json_file(raw)

    def write(self, data: dict[str, Any]) -> None:
        atomic_write(self.path, dumps(data), backup=self.backup)

    def close(self) -> None:
        pass


def parse_json_file(raw: bytes) -> dict[str, Any] | None:
    if not raw.strip():
        if raw:
            raise ValueError("the file holds only whitespace")
        raise ValueError("the file is empty")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not valid UTF-8 (byte {exc.start})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON object, found {type(data).__name__}")
    return data


# --------------------------------------------------------------------------- journal


def encode_record(record: dict[str, Any]) -> bytes:
    body = dumps(record)
    return b"%08x " % zlib.crc32(body) + body + b"\n"


class JournalCorrupt(ValueError):
    def __init__(self, line: int, reason: str):
        self.line = line
        self.reason = reason
        super().__init__(f"line {line}: {reason}")


def decode_line(line: bytes) -> dict[str, Any]:
    """One journal line (without its newline) -> record. Raises ValueError."""
    if len(line) < 10 or line[8:9] != b" ":
        raise ValueError("not a journal record")
    try:
        crc = int(line[:8], 16)
    except ValueError:
        raise ValueError("bad checksum field") from None
    body = line[9:]
    if zlib.crc32(body) != crc:
        raise ValueError("checksum mismatch")
    try:
        record = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"invalid JSON ({exc})") from None
    if not isinstance(record, dict) or not isinstance(record.get("ops"), list):
        raise ValueError("record has no list of operations")
    return record


def read_journal(raw: bytes, *, strict: bool = True) -> tuple[list[dict[str, Any]], int, list[JournalCorrupt]]:
    """Parse journal bytes.

    Returns ``(records, good_length, problems)``. A torn tail (an unterminated
    last line, or a bad last line) is ignored: ``good_length`` stops before it.
    A bad line followed by good ones is corruption: raised as
    :class:`JournalCorrupt` when ``strict``, else listed in ``problems`` and skipped.
    """
    records: list[dict[str, Any]] = []
    problems: list[JournalCorrupt] = []
    pos = 0
    good = 0
    lineno = 0
    n = len(raw)
    while pos < n:
        nl = raw.find(b"\n", pos)
        lineno += 1
        if nl < 0:  # unterminated: the write was torn, the save never returned
            break
        line = raw[pos:nl]
        try:
            records.append(decode_line(line))
        except ValueError as exc:
            rest = raw[nl + 1:]
            if not rest.strip(b"\x00\n\r\t "):  # the last line: torn write
                break
            problem = JournalCorrupt(lineno, str(exc))
            if strict:
                raise problem from None
            problems.append(problem)
        pos = nl + 1
        if not problems:
            good = pos
    if problems:
        good = -1  # not meaningful once something in the middle is bad
    return records, good, problems


class Journal:
    """Append-only, fsynced change log (one transaction per line)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.fd: int | None = None
        self.size = 0  # bytes known good on disk
        self.records = 0

    def open(self, good_size: int, records: int) -> None:
        created = not self.path.exists()
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        if created:
            fsync_dir(self.path.parent)
        actual = os.fstat(self.fd).st_size
        if actual != good_size:  # a torn tail from a crash: cut it off before appending
            os.ftruncate(self.fd, good_size)
            os.fsync(self.fd)
        self.size = good_size
        self.records = records

    def append(self, data: bytes) -> None:
        assert self.fd is not None
        if os.fstat(self.fd).st_size != self.size:  # a failed earlier write left bytes behind
            os.ftruncate(self.fd, self.size)
        os.lseek(self.fd, self.size, os.SEEK_SET)
        try:
            _write_and_sync(self.fd, data)
        except OSError:
            try:
                os.ftruncate(self.fd, self.size)
            except OSError:
                pass
            raise
        self.size += len(data)
        self.records += 1

    def reset(self, keep_previous: Path | None = None) -> None:
        """Start an empty journal; the old one becomes ``keep_previous`` when given."""
        folder = self.path.parent
        tmp = folder / f"{TMP_PREFIX}{self.path.name}.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        if keep_previous is not None and self.path.exists():
            prev_tmp = folder / f"{TMP_PREFIX}{keep_previous.name}.{os.getpid()}"
            try:
                if prev_tmp.exists():
                    prev_tmp.unlink()
                os.link(self.path, prev_tmp)
                os.replace(prev_tmp, keep_previous)
            except OSError:
                pass  # the previous journal is a convenience for recovery only
        os.replace(tmp, self.path)
        fsync_dir(folder)
        if self.fd is not None:
            os.close(self.fd)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        self.size = 0
        self.records = 0

    def close(self) -> None:
        if self.fd is not None:
            try:
                os.close(self.fd)
            except OSError:
                pass
            self.fd = None
