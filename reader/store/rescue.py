"""Rescue files: unsaved changes written somewhere else when the store cannot take them.

When the app must end while changes are still unsaved (disk full, the store
folder deleted), they go to a rescue file instead of being lost:

    {"reader_rescue": 1, "store": "/abs/annotations", "created": "...", "transactions": 3}
    {"ops": [["put", {...annotation...}]]}
    {"ops": [["del", "doc", "id"]]}

one JSON line per transaction, the same operations the journal holds.
Only ``reader store restore RESCUE_FILE`` replays them into a store: it shows
what each change will do first (:func:`preview_rescue`) and asks, or takes
``--yes`` (:func:`restore_rescue`), reporting bad lines by number and applying
the rest. ``reader import`` never runs one (format guessing refuses it).

:func:`write_rescue` tries several folders in turn, because the reason the
store failed (a full disk) may stop the first ones too: beside the store (a
folder store only), then the rescue folder (:func:`rescue_dir`:
``$READER_RESCUE_DIR``, else ``$XDG_STATE_HOME/reader/rescue``, else
``~/.local/state/reader/rescue``), then the temporary folder; never the current
folder. The header's ``"store"`` names the store as messages do: a folder's
absolute path, a database URL without its password (:func:`reader.redact.redact`).
"""
from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

from reader import fsutil
from reader.errors import ReaderError
from reader.model import Annotation, now_iso
from reader.redact import redact
from reader.store.base import Op
from reader.text import UTF8_BOM, not_utf8, wide_encoding


class RescueTarget(Protocol):
    """What restoring a rescue file needs of a store (``AnnotationStore`` has it)."""

    def get(self, ann_id: str) -> Annotation | None: ...

    def apply_changes(self, ops: list[Op]) -> None: ...

MAGIC = "reader_rescue"
VERSION = 1


class RescueError(ReaderError):
    pass


def rescue_dir() -> Path:
    """The documented folder for rescue files (see the module docstring)."""
    if os.environ.get("READER_RESCUE_DIR"):
        return Path(os.environ["READER_RESCUE_DIR"]).expanduser()
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "reader" / "rescue"


def _is_url(location: str) -> bool:
    return "://" in location


def _candidates(location: str) -> list[Path]:
    folders = [] if _is_url(location) else [Path(location).parent]
    folders += [rescue_dir(), Path(tempfile.gettempdir())]
    out: list[Path] = []
    for folder in folders:
        try:
            folder = folder.resolve()
        except OSError:
            continue
        if folder not in out:
            out.append(folder)
    return out


def _location(store: Path | str) -> str:
    """The store as the header names it: a folder's absolute path, or the URL without its password."""
    text = str(store)
    return redact(text) if _is_url(text) else str(Path(text).absolute())


def rescue_bytes(store: Path | str, transactions: list[list[Op]]) -> bytes:
    header = {MAGIC: VERSION, "store": _location(store), "created": now_iso(), "transactions": len(transactions)}
    lines = [json.dumps(header, ensure_ascii=False)]
    lines += [json.dumps({"ops": ops}, ensure_ascii=False) for ops in transactions]
    return ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")


def write_rescue(store_path: Path | str, transactions: list[list[Op]], folders: list[Path] | None = None) -> Path:
    """Write ``transactions`` to a new rescue file; returns its path. Raises RescueError
    naming every folder tried when none would take it."""
    location = _location(store_path)
    data = rescue_bytes(store_path, transactions)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
    name = "database" if _is_url(location) else (Path(location).name or "store")
    tried: list[str] = []
    for folder in folders if folders is not None else _candidates(location):
        path = folder / f"{name}.rescue-{stamp}-{os.getpid()}.jsonl"
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            fsutil.atomic_write(path, data)
            return path
        except OSError as exc:
            tried.append(f"{folder} ({fsutil.os_reason(exc)})")
    raise RescueError(f"could not write a rescue file anywhere: {'; '.join(tried)}")


def _is_header(first: bytes) -> bool:
    """Is ``first`` (a file's first line) a rescue file's header?"""
    try:
        head = json.loads(first.decode("utf-8"))
    except (ValueError, RecursionError):
        return False
    return isinstance(head, dict) and head.get(MAGIC) is not None


@dataclass
class RestoreReport:
    path: Path
    applied: int = 0
    problems: list[str] = field(default_factory=list)
    total: int = 0

    @property
    def problem_count(self) -> int:
        return len(self.problems)

    def summary(self) -> str:
        msg = f"{self.path.name}: restored {self.applied} of {self.total} unsaved change(s) from a rescue file"
        if self.problems:
            msg += f", {len(self.problems)} problem(s)"
        return msg


def _read_lines(path: Path) -> list[bytes]:
    """The file's lines, read once (a pipe, standard input or a FIFO, cannot be read again):
    its first line checked before the rest is read. A UTF-8 BOM at its start (an editor on Windows
    adds one) is dropped, as the canonical text rule drops it (:func:`reader.text.decode`)."""
    try:
        with open(path, "rb") as fh:
            first = fh.readline(4096).removeprefix(UTF8_BOM)
            wide = wide_encoding(first)
            if wide is not None:
                raise RescueError(not_utf8(path, wide, "restore it"))
            if not _is_header(first):
                raise RescueError(f"{path}: not a rescue file (its first line is not a reader_rescue header)")
            return (first + fh.read()).split(b"\n")
    except OSError as exc:
        raise RescueError(f"{path}: cannot read ({fsutil.os_reason(exc)})") from None


def _describe(store: RescueTarget, op: object) -> str:
    """One line saying what ``op`` will do to ``store`` (compared with what it holds now)."""
    from reader.store.base import ann_from_record
    from reader.text import inert, one_line

    def show(value: object, limit: int = 40) -> str:
        return inert(one_line(repr(value), limit))

    if not isinstance(op, list) or not op:
        return f"a malformed operation {show(op)}"
    kind = op[0]
    if kind == "put" and len(op) == 2:
        try:
            new = ann_from_record(op[1])
        except (ValueError, KeyError, TypeError) as exc:
            return f"a malformed annotation ({one_line(str(exc), 80)})"
        old = store.get(new.id)
        if old is None:
            return f"add {new.label} {show(new.text)} in {show(new.doc_id)} ({new.start}-{new.end}, by {show(new.annotator)})"
        fields: tuple[tuple[str, object, object], ...] = (
            ("label", old.label, new.label), ("status", old.status, new.status), ("note", old.note, new.note),
            ("annotator", old.annotator, new.annotator), ("start", old.start, new.start), ("end", old.end, new.end),
            ("doc_id", old.doc_id, new.doc_id))
        changes = [f"{name} {show(was)} -> {show(now)}" for name, was, now in fields if was != now]
        return f"change {old.label} {show(old.text)} in {show(old.doc_id)}: " + ("; ".join(changes) or "no visible change")
    if kind == "del" and len(op) == 3:
        old = store.get(op[2]) if isinstance(op[2], str) else None
        if old is None:
            return f"delete annotation {show(op[2])} (not in the store: nothing to do)"
        return f"DELETE {old.label} {show(old.text)} in {show(old.doc_id)} (by {show(old.annotator)})"
    if kind in ("meta", "unmeta") and len(op) >= 3:
        return f"{'set' if kind == 'meta' else 'remove'} {show(op[1])} entry {show(op[2])}"
    return f"an unknown operation {show(kind)}"


@dataclass
class RescuePreview:
    path: Path
    store: str  # the store the header names (a redacted location)
    lines: list[str] = field(default_factory=list)  # one per operation
    problems: list[str] = field(default_factory=list)
    transactions: int = 0
    #: the file's lines as read for the preview: :func:`restore_rescue` of the preview replays them
    #: without reading the file again (a pipe is read once)
    raw: list[bytes] = field(default_factory=list, repr=False)


def preview_rescue(store: RescueTarget, path: Path | str) -> RescuePreview:
    """What restoring ``path`` into ``store`` would change, one line per operation; nothing is applied."""
    path = Path(path)
    lines = _read_lines(path)
    try:
        header = json.loads(lines[0].decode("utf-8"))
    except (ValueError, RecursionError):
        header = {}
    preview = RescuePreview(path, str(header.get("store", "")) if isinstance(header, dict) else "", raw=lines)
    for n, raw in enumerate(lines[1:], 2):
        if not raw.strip():
            continue
        preview.transactions += 1
        try:
            record = json.loads(raw.decode("utf-8"))
            ops = record["ops"] if isinstance(record, dict) else None
            if not isinstance(ops, list):
                raise ValueError("no list of operations")
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            preview.problems.append(f"{path.name}, line {n}: {exc}")
            continue
        preview.lines.extend(_describe(store, op) for op in ops)
    return preview


def restore_rescue(store: RescueTarget, source: Path | str | RescuePreview) -> RestoreReport:
    """Replay a rescue file into ``store`` (an open, writable AnnotationStore): the file at a path,
    or the one a :func:`preview_rescue` read (not read again)."""
    path = source.path if isinstance(source, RescuePreview) else Path(source)
    report = RestoreReport(path)
    lines = source.raw if isinstance(source, RescuePreview) else _read_lines(path)
    for n, raw in enumerate(lines[1:], 2):
        if not raw.strip():
            continue
        report.total += 1
        try:
            record = json.loads(raw.decode("utf-8"))
            ops = record["ops"] if isinstance(record, dict) else None
            if not isinstance(ops, list):
                raise ValueError("no list of operations")
            store.apply_changes(ops)
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            report.problems.append(f"{path.name}, line {n}: {exc}")
            continue
        report.applied += 1
    return report
