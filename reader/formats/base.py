"""Format registry and the shared data that format modules produce and consume.

A format module only converts between ``(Document, [Annotation])`` pairs and
its own file layout. Matching documents, validating spans, saving in batches
and reporting problems live in :mod:`reader.formats.export` and :mod:`reader.formats.importer`
(format guessing in :mod:`reader.formats.guess`).
"""
from __future__ import annotations

import io
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from collections.abc import Mapping
from typing import IO, TYPE_CHECKING, Any, Iterable, Iterator

from reader.errors import FormatError
from reader.model import Annotation, Document

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

# An import line longer than this is rejected with its line number (memory stays bounded).
MAX_LINE_BYTES = 64 * 1024 * 1024


@dataclass
class SpanRecord:
    start: int
    end: int
    label: str
    text: str | None = None
    note: str = ""
    annotator: str | None = None
    status: str = "accepted"
    id: str | None = None
    created: str | None = None
    updated: str | None = None
    #: links of this span as exported by jsonl: {"id", "to" (annotation id), "status", "annotator", "created", "source"}
    links: list[dict[str, Any]] = field(default_factory=list)
    value: dict[str, Any] | None = None  # a salary's normalised amount (checked again by the store)
    score: float | None = None  # a suggestion's score
    reason: str = ""  # why it was suggested
    suggested_by: str = ""  # who suggested an accepted span (its annotator accepted it)


@dataclass
class ImportItem:
    line: int  # 1-based line (or record number for non-line formats)
    text: str
    doc_id: str | None = None
    sha256: str | None = None
    title: str = ""
    lang: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    spans: list[SpanRecord] = field(default_factory=list)
    source: str = ""  # file name the item came from, for messages


@dataclass
class ImportProblem:
    line: int
    reason: str
    source: str = ""

    def __str__(self) -> str:
        where = f"{self.source}, " if self.source else ""
        return f"{where}line {self.line}: {self.reason}"


@dataclass
class ImportNote:
    """Something a reader says about a file that is not a problem: nothing was skipped
    because of it, and the import still succeeds (e.g. doccano spans with no
    ``span_info`` entry, imported without a note). Shown under the import summary."""

    reason: str
    source: str = ""

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}" if self.source else self.reason


@dataclass
class ExportContext:
    """The state of one export, handed to ``Format.write()``.

    ``links``: annotation id -> its links, as jsonl writes them ({"id", "to",
    "status", "annotator", "created", "source"}); formats that keep links read it.
    ``notes``: what the format says about this export (e.g. spans left out); it appends them.
    """

    links: Mapping[str, list[dict[str, Any]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


class Format:
    """Base class. Subclasses set the class attributes and implement write/read."""

    name: str = ""
    description: str = ""
    extension: str = ".jsonl"
    kind: str = "jsonl"  # jsonl | json | dir | binary
    can_import: bool = True
    #: a ``dir`` format whose import also takes one file of the folder (brat: a single .ann)
    accepts_file: bool = False
    #: the offset unit written, for formats with a choice (``"codepoint"`` or ``"utf16"``); None: fixed
    offsets: str | None = None

    def write(self, items: Iterable[tuple[Document, list[Annotation]]], out: IO[str] | Path,
              ctx: ExportContext | None = None) -> int:
        """Write every document with its spans; return the number of spans written.

        Text formats receive an open text stream; ``dir`` and ``binary``
        formats receive a path (a temporary one that the pipeline moves into place).
        ``ctx`` carries this export's state in (the links) and out (the notes);
        a format instance is shared by every export and keeps none of it.
        """
        raise NotImplementedError

    def read(self, path: Path) -> Iterator[ImportItem | ImportProblem | ImportNote]:
        raise FormatError(f"{self.name}: import is not supported for this format")

    def with_options(self, *, offsets: str | None = None) -> Format:
        """This format with another offset unit (``"codepoint"`` or ``"utf16"``).

        Formats with a fixed unit refuse any other: their files say nothing about it.
        """
        if offsets is None:
            return self
        raise FormatError(f"--offsets: the {self.name} format has no offset option (it always uses its own unit)")


def text_stream(fmt: Format, out: IO[str] | Path) -> IO[str]:
    """``out`` for a text format: the stream; a path is a caller's mistake, said plainly."""
    if isinstance(out, Path):
        raise FormatError(f"{fmt.name}: this format writes to a text stream, not to the path {out}")
    return out


def text_or_empty(value: object) -> str:
    """A record's optional text field: the string, or "" for anything else."""
    return value if isinstance(value, str) else ""


FORMATS: dict[str, Format] = {}


def register(fmt_cls: type[Format]) -> type[Format]:
    FORMATS[fmt_cls.name] = fmt_cls()
    return fmt_cls


def get_format(name: str) -> Format:
    from reader import formats as _  # noqa: F401  (imports every format module)

    try:
        return FORMATS[name]
    except KeyError:
        raise FormatError(f"unknown format {name!r}; choose one of: {', '.join(sorted(FORMATS))}") from None


def resolve_format(fmt: str | Format) -> Format:
    """A format instance, or the registered one of that name."""
    return fmt if isinstance(fmt, Format) else get_format(fmt)


_NOTHING = memoryview(b"")


class Pushback(io.RawIOBase):
    """A stream read once (a pipe: standard input, a FIFO) that takes bytes back: :meth:`unread` puts
    them before what it has not given yet, as seeking back does in a file. ``read(size)`` gives what was
    given back first (as much of it as ``size`` takes, alone), else the stream's ``read(size)``; under an
    ``io.BufferedReader`` (:func:`read_again`), ``readinto`` gives what was given back, else what the
    stream has without waiting to fill the buffer. The stream stays its opener's to close."""

    def __init__(self, stream: IO[bytes], back: bytes | bytearray = b"") -> None:
        super().__init__()
        self._stream = stream
        self._back = memoryview(back) if back else _NOTHING

    def unread(self, data: bytes | bytearray) -> None:
        """Read ``data`` next, then what was given back before it, then the stream's bytes."""
        if data:
            self._back = memoryview(data + self._back if self._back else data)

    def _given_back(self, size: int) -> memoryview:
        taken, self._back = self._back[:size], self._back[size:] or _NOTHING  # an empty view would still hold them
        return taken

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if not self._back:
            return self._stream.read(-1 if size is None else size)
        return bytes(self._given_back(len(self._back) if size is None or size < 0 else size))

    def readinto(self, buffer: WriteableBuffer) -> int:
        out = memoryview(buffer).cast("B")
        if self._back:
            taken = self._given_back(len(out))
            out[:len(taken)] = taken
            return len(taken)
        if isinstance(self._stream, io.BufferedIOBase):
            return self._stream.readinto1(out)  # what the pipe has, without waiting to fill ``out``
        data = self._stream.read(len(out))
        out[:len(data)] = data
        return len(data)


def is_pipe(path: Path) -> bool:
    """``path`` is there but is neither a file nor a folder: standard input, a FIFO, a device, read once."""
    return path.exists() and not path.is_file() and not path.is_dir()


def read_again(fh: io.BufferedReader, head: bytes) -> io.BufferedReader:
    """``fh`` (just opened) from its start again, after ``head`` was read from it: a file seeks back; a pipe
    (standard input, a FIFO), which cannot, gets ``head`` put back in front of what it has not given yet.
    The path of a pipe is never opened twice: a second open reads nothing, or waits for a writer forever."""
    if fh.seekable():
        fh.seek(0)
        return fh
    return io.BufferedReader(Pushback(fh, head), 1 << 16)


def iter_raw_lines(path: Path | IO[bytes], limit: int = MAX_LINE_BYTES) -> Iterator[tuple[int, bytes | None, str | None]]:
    """Stream ``(line_no, bytes, problem)`` from a file without loading it whole: each line's bytes
    (the first one's UTF-8 BOM removed), or a problem instead for an over-long line. The caller
    holds the line, not this generator (a line may be a whole book: issue 19's memory bound).
    ``path`` may be a file already open (the caller closes it)."""
    with open(path, "rb") if isinstance(path, Path) else nullcontext(path) as fh:
        line_no = 0
        while True:
            raw = fh.readline(limit + 1)
            if not raw:
                return
            line_no += 1
            if len(raw) > limit and not raw.endswith(b"\n"):
                # skip the rest of this line without holding it in memory
                while True:
                    chunk = fh.readline(limit)
                    if not chunk or chunk.endswith(b"\n"):
                        break
                yield line_no, None, f"line longer than the {limit // (1024 * 1024)} MiB limit; skipped"
                continue
            if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            box = [raw]
            del raw
            yield line_no, box.pop(), None


def decode_text_line(raw: bytes) -> tuple[str | None, str | None]:
    """``(text, problem)`` of a line's bytes: its text, or None for a blank line, or the problem."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, f"not valid UTF-8 (byte {exc.start})"
    return (text if text and not text.isspace() else None), None  # isspace does not copy as strip does


def iter_lines(path: Path, limit: int = MAX_LINE_BYTES) -> Iterator[tuple[int, str | None, str | None]]:
    """Stream ``(line_no, text, problem)`` from a UTF-8 file without loading it whole.

    Over-long or undecodable lines yield a problem instead of text; blank lines are skipped.
    """
    for line_no, raw, problem in iter_raw_lines(path, limit):
        if raw is None:
            yield line_no, None, problem
            continue
        text, problem = decode_text_line(raw)
        del raw
        if problem is not None:
            yield line_no, None, problem
        elif text is not None:
            box = [text]
            del text
            yield line_no, box.pop(), None  # the caller holds the line, not this frame
