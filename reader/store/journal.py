"""The file engine's byte formats: JSON files and the CRC-checked journal.

* JSON files (``meta.json``, ``docs/*.json``, ``texts/*.json``) are UTF-8 JSON objects in
  TinyDB's layout (``{table: {id: record}}``), written compactly with
  non-ASCII kept as is; :func:`parse_json_file` gives a one-line reason for a
  file that is not one.
* :class:`Journal` is the append-only change log: one line per transaction,
  ``<crc32 as 8 hex digits> <json>\\n``, written and then ``fsync``\\ ed before
  the caller is told the change is saved (a line holding an imported book a
  megabyte at a time, :class:`LongLine`: a line cut short by a crash is a torn
  tail, as a torn single write is).
"""
from __future__ import annotations

import errno
import json
import os
import zlib
from pathlib import Path
from typing import Iterable, Iterator

from reader import fsutil
from reader.protocols import JSON

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # never write through a symlink planted in the store


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


def dumps(data: JSON) -> bytes:
    """Compact UTF-8 JSON, non-ASCII kept as is (one encoder: ``json.dumps`` with options makes a new
    one per call, which counts when a file is written a record at a time)."""
    return _ENCODER.encode(data).encode("utf-8")


#: strings longer than this many characters are encoded this many at a time (an imported book)
_LONG = 1 << 16
_encode_str = json.encoder.encode_basestring  # what _ENCODER uses for a str (ensure_ascii=False)


def _holds_long(data: JSON) -> bool:
    if isinstance(data, str):
        return len(data) > _LONG
    if isinstance(data, dict):
        return any(_holds_long(v) for v in data.values())
    if isinstance(data, (list, tuple)):
        return any(_holds_long(v) for v in data)
    return False


def dumps_pieces(data: JSON) -> Iterator[bytes]:
    """``dumps(data)`` in pieces, byte for byte the same: a long string (an imported document's
    text) is encoded a megabyte at a time, never as one ``str`` of its JSON (at up to 4 bytes a
    character) and then one ``bytes`` of it (issue 19's memory bound, docs/reliability.md)."""
    if isinstance(data, str) and len(data) > _LONG:
        yield b'"'
        for i in range(0, len(data), _LONG):
            yield _encode_str(data[i:i + _LONG])[1:-1].encode("utf-8")  # escapes are per character
        yield b'"'
    elif isinstance(data, dict) and all(isinstance(k, str) for k in data) and _holds_long(data):
        yield b"{"
        for i, (key, value) in enumerate(data.items()):
            yield b"%s%s:" % (b"," if i else b"", dumps(key))
            yield from dumps_pieces(value)
        yield b"}"
    elif isinstance(data, (list, tuple)) and _holds_long(data):
        yield b"["
        for i, value in enumerate(data):
            if i:
                yield b","
            yield from dumps_pieces(value)
        yield b"]"
    else:
        yield dumps(data)


#: one table of a JSON file in TinyDB's layout: its name and its rows (key, record)
Table = tuple[str, Iterable[tuple[str, JSON]]]


def dumps_tables(tables: Iterable[Table]) -> Iterator[bytes]:
    """``dumps({name: {key: row}})`` piece by piece (a row at a time), byte for byte the same.

    A file holding the imported documents is tens of megabytes: ``json.dumps`` of it whole makes one
    ``str`` of it all, at up to 4 bytes a character (a text with one emoji), and then its bytes
    (issue 19's memory bound, docs/reliability.md). The rows are made as they are written."""
    yield b"{"
    for t, (name, rows) in enumerate(tables):
        yield b"%s%s:{" % (b"," if t else b"", dumps(name))
        for i, (key, row) in enumerate(rows):
            yield b"%s%s:" % (b"," if i else b"", dumps(key))
            yield from dumps_pieces(row)
        yield b"}"
    yield b"}"


#: why JSON nested past the recursion limit cannot be read (the store never writes such a file)
TOO_DEEP = "JSON nested too deeply to be read"


def parse_json_file(raw: bytes) -> dict[str, JSON]:
    """Bytes of a JSON-object file -> dict. Raises ValueError with a one-line reason."""
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
    except RecursionError:
        raise ValueError(TOO_DEEP) from None
    if not isinstance(data, dict):
        raise ValueError(f"expected a JSON object, found {type(data).__name__}")
    return data


def read_json_file(path: Path) -> dict[str, JSON] | None:
    """A JSON-object file, or None when it does not exist. Raises ValueError/OSError."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    return parse_json_file(raw)


# --------------------------------------------------------------------------- journal records


def _body_pieces(record: dict[str, JSON], long: list[int] | None = None) -> Iterator[bytes]:
    """``dumps(record)`` in pieces: its operations (the last field) one at a time, a long string of
    one a piece at a time (:func:`dumps_pieces`); ``long`` is given the index of each operation that
    holds a long string before its pieces come."""
    ops = record.get("ops")
    if not isinstance(ops, list) or next(reversed(record)) != "ops":
        yield dumps(record)
        return
    head = dumps({k: v for k, v in record.items() if k != "ops"})  # b'{"v":2}'
    yield b'{"ops":[' if head == b"{}" else head[:-1] + b',"ops":['
    for i, op in enumerate(ops):
        if i:
            yield b","
        if _holds_long(op):
            if long is not None:
                long.append(i)
            yield from dumps_pieces(op)
        else:
            yield dumps(op)
    yield b"]}"


def encode_record(record: dict[str, JSON]) -> bytes | bytearray:
    """``<crc32> <json>\\n`` of one transaction. Its operations (the last field) are encoded one at
    a time into one buffer: the same bytes as ``dumps(record)``, without a ``str`` of the whole batch
    (a batch of imported documents is megabytes of text, up to 4 bytes a character in a ``str``)."""
    out = bytearray(b"00000000 ")
    for piece in _body_pieces(record):
        out += piece
    out[:8] = b"%08x" % zlib.crc32(memoryview(out)[9:])
    out += b"\n"
    return out


class LongLine:
    """The journal line of a record that holds a long string (an imported book), never whole in
    memory: :func:`encode_line` takes its checksum over its pieces, and it is written from its
    pieces made again (:meth:`pieces`, the same bytes as :func:`encode_record`). The text of a book
    is 4 bytes a character in a ``str`` once it holds an emoji; its line beside it, 1x its UTF-8
    more, was as high a moment of an import as the making of the text (issue 19, docs/reliability.md)."""

    def __init__(self, record: dict[str, JSON], crc: int, size: int) -> None:
        self.record = record
        self.crc = crc
        self.size = size

    def __len__(self) -> int:
        return self.size

    def pieces(self) -> Iterator[bytes]:
        yield b"%08x " % self.crc
        yield from _body_pieces(self.record)
        yield b"\n"


def encode_line(record: dict[str, JSON]) -> bytes | bytearray | LongLine:
    """:func:`encode_record`, or a :class:`LongLine` when ``record`` holds a long string: the line's
    pieces are made once for its checksum, and kept only until the first long string comes. A value
    that cannot be encoded raises here, before anything is written."""
    out: bytearray | None = bytearray(b"00000000 ")
    long: list[int] = []
    crc = size = 0
    for piece in _body_pieces(record, long):
        crc = zlib.crc32(piece, crc)
        size += len(piece)
        if out is not None:
            if long:
                out = None  # written from its pieces made again
            else:
                out += piece
    if out is None:
        return LongLine(record, crc, 9 + size + 1)  # "<crc> " and the newline
    out[:8] = b"%08x" % crc
    out += b"\n"
    return out


class JournalCorrupt(ValueError):
    def __init__(self, line: int, reason: str):
        self.line = line
        self.reason = reason
        super().__init__(f"line {line}: {reason}")


def decode_line(line: bytes) -> dict[str, JSON]:
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
    except RecursionError:
        raise ValueError(TOO_DEEP) from None
    if not isinstance(record, dict) or not isinstance(record.get("ops"), list):
        raise ValueError("record has no list of operations")
    return record


def record_ops(record: dict[str, JSON]) -> list[JSON]:
    """A journal record's operations (``read_journal`` keeps only records that have a list of them)."""
    ops = record.get("ops")
    return ops if isinstance(ops, list) else []


def read_journal(raw: bytes, *, strict: bool = True) -> tuple[list[dict[str, JSON]], int, list[JournalCorrupt]]:
    """Parse journal bytes.

    Returns ``(records, good_length, problems)``. A torn tail (an unterminated
    last line, or a bad last line) is ignored: ``good_length`` stops before it.
    A bad line followed by good ones is corruption: raised as
    :class:`JournalCorrupt` when ``strict``, else listed in ``problems`` and skipped.
    """
    records: list[dict[str, JSON]] = []
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

    @property
    def handle(self) -> int:
        """The open file descriptor (OSError when the journal is closed)."""
        if self.fd is None:
            raise OSError(errno.EBADF, f"{self.path}: the journal is closed")
        return self.fd

    def open(self, good_size: int, records: int) -> None:
        created = not self.path.exists()
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | _NOFOLLOW, fsutil.FILE_MODE)
        if created:
            fsutil.fsync_dir(self.path.parent)
        actual = os.fstat(self.fd).st_size
        if actual != good_size:  # a torn tail from a crash: cut it off before appending
            os.ftruncate(self.fd, good_size)
            os.fsync(self.fd)
        self.size = good_size
        self.records = records

    def append(self, data: bytes | bytearray | LongLine) -> None:
        assert self.fd is not None
        if os.fstat(self.fd).st_size != self.size:  # a failed earlier write left bytes behind
            os.ftruncate(self.fd, self.size)
        os.lseek(self.fd, self.size, os.SEEK_SET)
        try:
            if isinstance(data, LongLine):  # a torn line is cut off as a torn write is
                fsutil.write_pieces_and_sync(self.fd, data.pieces())
            else:
                fsutil.write_and_sync(self.fd, data)
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
        tmp = fsutil.temp_path(self.path)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | _NOFOLLOW, fsutil.FILE_MODE)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        if keep_previous is not None and self.path.exists():
            prev_tmp = fsutil.temp_path(keep_previous)
            try:
                if prev_tmp.exists():
                    prev_tmp.unlink()
                os.link(self.path, prev_tmp)
                os.replace(prev_tmp, keep_previous)
            except OSError:
                pass  # the previous journal is a convenience for recovery only
        os.replace(tmp, self.path)
        fsutil.fsync_dir(folder)
        if self.fd is not None:
            os.close(self.fd)
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | _NOFOLLOW, fsutil.FILE_MODE)
        self.size = 0
        self.records = 0

    def close(self) -> None:
        if self.fd is not None:
            try:
                os.close(self.fd)
            except OSError:
                pass
            self.fd = None
