"""The annotation store: TinyDB shards behind an fsynced journal, one writer, undo/redo.

On-disk layout (``annotations/`` by default), schema version 1::

    annotations/
      labels.toml             optional label set (see reader.labels)
      meta.json               TinyDB file: tables "_meta" (schema_version, created),
                              "languages" (sha256 -> {lang, confidence, paragraphs}),
                              "overrides" (doc_id -> lang), "done" (doc_id -> true),
                              "documents" (imported documents, with their text),
                              "state" (UI state: last document, positions...),
                              "rejected" (doc_id -> [[start, end, label], ...])
      meta.json.bak           the previous generation of meta.json
      docs/<name>.json        one TinyDB file per document: table "annotations"
                              (one record per annotation, fields of
                              reader.model.Annotation) and table "_shard"
                              (doc_id, schema_version); <name> is the document
                              id made file-safe plus a short hash of the id
      docs/<name>.json.bak    the previous generation of that shard
      journal.jsonl           changes since the last compaction, one transaction
                              per line: "<crc32 hex> {"ops": [...]}"
      journal.prev.jsonl      the journal before the last compaction (for recovery)
      .lock                   held (flock, via filelock) by the one writer
      .lock.info              pid, host and time of the current writer

How a save works: ``add``/``update``/``delete`` (and every cache/state setter)
append one line to ``journal.jsonl`` and ``fsync`` it before returning (about
0.1-1 ms). Every few thousand changes, and on ``close()``, the journal is
compacted: each changed shard (and ``meta.json``) is rewritten atomically (temp
file, fsync, ``os.replace``, fsync of the folder; the old file is kept as
``.bak``) and then the journal is reset. Replaying the journal is idempotent
(upserts and deletes by id), so a crash at any point between those steps loses
nothing. A torn last journal line (the save never returned) is ignored; a bad
line in the middle is corruption.

Operations inside a journal line are JSON arrays: ``["put", annotation]``,
``["del", doc_id, ann_id]``, ``["meta", table, key, value]`` and
``["unmeta", table, key]``.

A file that cannot be parsed is never written: opening fails with
:class:`~reader.errors.StoreCorruptError` naming the file and its backup;
:func:`check_store` lists problems and :func:`recover_store` rebuilds the store
from the backups and the journals, moving each bad file aside as
``<name>.corrupt-<timestamp>`` (never deleting it).
"""
from __future__ import annotations

import dataclasses
import errno
import gc
import hashlib
import json
import os
import re
import socket
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from filelock import FileLock, Timeout

from reader import storage as _storage
from reader.errors import (
    DuplicateAnnotationError,
    OffsetError,
    ReaderError,
    StoreCorruptError,
    StoreError,
    StoreLockedError,
    StoreReadOnlyError,
    StoreVersionError,
    StoreWriteError,
    UnknownDocumentError,
    AnnotationError,
)
from reader.labels import LabelSet
from reader.model import (
    STATUS_ACCEPTED,
    STATUS_REJECTED,
    STATUS_SUGGESTED,
    STATUSES,
    Annotation,
    Document,
    Paragraph,
    default_annotator,
    now_iso,
)

SCHEMA_VERSION = 1

META_FILE = "meta.json"
DOCS_DIR = "docs"
JOURNAL_FILE = "journal.jsonl"
JOURNAL_PREV_FILE = "journal.prev.jsonl"
LOCK_FILE = ".lock"
LOCK_INFO_FILE = ".lock.info"

META_TABLES = ("languages", "overrides", "done", "documents", "state", "rejected")

# Compact the journal into the shards after this many transactions or bytes.
COMPACT_RECORDS = 4000
COMPACT_BYTES = 8 * 1024 * 1024
# How far (code points) around the old offset re-anchoring looks first.
REANCHOR_WINDOW = 2000
UNDO_LIMIT = 10_000

_ANN_FIELDS = {f.name for f in dataclasses.fields(Annotation)}


# --------------------------------------------------------------------------- public data


@dataclass(frozen=True)
class Change:
    """One undoable change. ``kind`` is "add", "update", "delete" or "batch"
    (``add_many``; its single changes are in ``items``)."""

    kind: str
    before: Annotation | None
    after: Annotation | None
    items: tuple["Change", ...] = ()

    def inverse(self) -> "Change":
        if self.kind == "batch":
            return Change("batch", None, None, tuple(c.inverse() for c in reversed(self.items)))
        kind = {"add": "delete", "delete": "add"}.get(self.kind, self.kind)
        return Change(kind, self.after, self.before)


@dataclass
class ReanchorReport:
    """What :meth:`AnnotationStore.attach_corpus` did to annotations of changed documents."""

    checked: int = 0  # annotations whose document changed (or that were orphaned)
    unchanged: int = 0  # document changed, span still at the same place
    moved: list[Annotation] = field(default_factory=list)
    orphaned: list[Annotation] = field(default_factory=list)
    restored: list[Annotation] = field(default_factory=list)  # orphans found again
    adopted: int = 0  # annotations saved without a document text, now filled in
    missing_documents: list[str] = field(default_factory=list)  # annotated ids not in the corpus
    saved: bool = True  # False when the store is read-only (changes kept in memory only)

    @property
    def changed(self) -> bool:
        return bool(self.moved or self.orphaned or self.restored or self.adopted)

    def summary(self) -> str:
        parts = []
        if self.moved:
            parts.append(f"{len(self.moved)} moved")
        if self.restored:
            parts.append(f"{len(self.restored)} found again")
        if self.orphaned:
            parts.append(f"{len(self.orphaned)} orphaned (text not found; kept)")
        if self.missing_documents:
            parts.append(f"{len(self.missing_documents)} annotated document(s) missing from the corpus")
        if not parts:
            return "all annotations are anchored"
        return "re-anchoring: " + ", ".join(parts)


# --------------------------------------------------------------------------- helpers


def shard_name(doc_id: str) -> str:
    safe = re.sub(r"[^\w.\-]", "_", doc_id, flags=re.ASCII).strip("._")[:60] or "doc"
    digest = hashlib.sha1(doc_id.encode("utf-8")).hexdigest()[:10]
    return f"{safe}-{digest}.json"


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")


def _corrupt_name(path: Path) -> Path:
    base = path.with_name(f"{path.name}.corrupt-{_stamp()}")
    candidate, n = base, 1
    while candidate.exists():
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate


_ANN_DEFAULTS: dict[str, Any] = {
    "note": "", "annotator": "unknown", "created": "", "updated": "", "doc_sha256": "",
    "status": STATUS_ACCEPTED, "source": "", "orphaned": False,
}
_REQUIRED = (("id", str), ("doc_id", str), ("start", int), ("end", int), ("label", str), ("text", str))


def _ann_from_record(rec: Any) -> Annotation:
    """A stored record -> Annotation (validated; fast path, no dataclass machinery)."""
    if (
        rec.__class__ is dict and rec.keys() == _ANN_FIELDS and rec["start"].__class__ is int
        and rec["end"].__class__ is int and rec["id"].__class__ is str and rec["doc_id"].__class__ is str
        and rec["label"].__class__ is str and rec["text"].__class__ is str
    ):  # the usual case: a complete record we wrote
        ann = object.__new__(Annotation)
        ann.__dict__.update(rec)
        return ann
    if not isinstance(rec, dict):
        raise ValueError(f"annotation record is a {type(rec).__name__}, not an object")
    for name, kind in _REQUIRED:
        value = rec.get(name)
        if value.__class__ is not kind and (not isinstance(value, kind) or isinstance(value, bool)):
            raise ValueError(f"annotation {rec.get('id')!r}: field {name!r} is missing or not a {kind.__name__}")
    if rec.keys() == _ANN_FIELDS:  # the usual case: a record we wrote
        data = rec
    else:
        data = {**_ANN_DEFAULTS, **rec}
        if len(data) != len(_ANN_FIELDS):
            data = {k: v for k, v in data.items() if k in _ANN_FIELDS}
        if not data["updated"]:
            data["updated"] = data["created"]
    ann = object.__new__(Annotation)
    ann.__dict__.update(data)
    return ann


def _ann_dict(ann: Annotation) -> dict[str, Any]:
    """Annotation -> plain dict (every field is a JSON scalar; much faster than asdict)."""
    return dict(ann.__dict__)


def _copy(ann: Annotation) -> Annotation:
    clone = object.__new__(Annotation)
    clone.__dict__.update(ann.__dict__)
    return clone


def _find_nearest(text: str, needle: str, near: int, window: int = REANCHOR_WINDOW) -> int | None:
    """Start of the occurrence of ``needle`` closest to ``near`` (window first, then anywhere)."""
    if not needle:
        return None

    def scan(lo: int, hi: int) -> int | None:
        best = None
        i = text.find(needle, lo, hi)
        while i >= 0:
            if best is None or abs(i - near) < abs(best - near):
                best = i
            elif i > near:
                break
            i = text.find(needle, i + 1, hi)
        return best

    lo = max(0, near - window)
    hi = min(len(text), near + len(needle) + window)
    found = scan(lo, hi)
    if found is None:
        found = scan(0, len(text))
    return found


def _doc_to_record(doc: Document) -> dict[str, Any]:
    return {
        "id": doc.id,
        "text": doc.text,
        "sha256": doc.sha256,
        "title": doc.title,
        "date": doc.date,
        "lang": doc.lang,
        "lang_confidence": doc.lang_confidence,
        "lang_source": doc.lang_source if doc.lang_source != "pending" else "import",
        "paragraphs": [[p.start, p.end, p.lang, p.confidence] for p in doc.paragraphs] if doc.paragraphs else None,
        "encoding": doc.encoding,
    }


def _doc_from_record(rec: dict[str, Any]) -> Document:
    paragraphs = rec.get("paragraphs")
    text = rec.get("text") or ""
    return Document(
        id=rec["id"],
        text=text,
        sha256=rec.get("sha256") or hashlib.sha256(text.encode("utf-8")).hexdigest(),
        path=None,
        title=rec.get("title") or "",
        date=rec.get("date"),
        size=len(text.encode("utf-8")),
        lang=rec.get("lang") or "unknown",
        lang_confidence=float(rec.get("lang_confidence") or 0.0),
        lang_source=rec.get("lang_source") or "import",
        paragraphs=[Paragraph(*p) for p in paragraphs] if paragraphs else None,
        imported=True,
        encoding=rec.get("encoding") or "utf-8",
    )


def _oserror_reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "disk full"
    if exc.errno == errno.EIO:
        return "input/output error"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.EROFS:
        return "read-only file system"
    return exc.strerror or str(exc)


def _probe_writable(folder: Path) -> str | None:
    """None when ``folder`` accepts new files, else the reason (a real write probe, works as root)."""
    try:
        fd = os.open(folder / f".probe-{os.getpid()}-{threading.get_ident()}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except OSError as exc:
        return f"the store folder is not writable ({_oserror_reason(exc)})"
    os.close(fd)
    try:
        os.unlink(folder / f".probe-{os.getpid()}-{threading.get_ident()}")
    except OSError:
        pass
    return None


# --------------------------------------------------------------------------- loading (shared by the store, check and recover)


class _State:
    """The in-memory image of a store: annotations with indexes, meta tables."""

    def __init__(self) -> None:
        self.anns: dict[str, Annotation] = {}
        self.by_doc: dict[str, dict[str, Annotation]] = {}
        self.meta: dict[str, dict[str, Any]] = {t: {} for t in META_TABLES}
        self.schema_version = SCHEMA_VERSION
        self.created = ""

    def put(self, ann: Annotation) -> None:
        old = self.anns.get(ann.id)
        if old is not None and old.doc_id != ann.doc_id:
            self.by_doc.get(old.doc_id, {}).pop(ann.id, None)
        self.anns[ann.id] = ann
        self.by_doc.setdefault(ann.doc_id, {})[ann.id] = ann

    def remove(self, ann_id: str) -> Annotation | None:
        old = self.anns.pop(ann_id, None)
        if old is not None:
            self.by_doc.get(old.doc_id, {}).pop(ann_id, None)
        return old

    def apply(self, op: Any, dirty_docs: set[str], dirty_meta: list[bool]) -> None:
        if not isinstance(op, list) or not op:
            raise ValueError(f"bad operation {op!r:.80}")
        kind = op[0]
        if kind == "put":
            ann = _ann_from_record(op[1])
            old = self.anns.get(ann.id)
            if old is not None and old.doc_id != ann.doc_id:
                dirty_docs.add(old.doc_id)
            self.put(ann)
            dirty_docs.add(ann.doc_id)
        elif kind == "del":
            _, doc_id, ann_id = op
            old = self.remove(ann_id)
            dirty_docs.add(old.doc_id if old else doc_id)
        elif kind == "meta":
            _, table, key, value = op
            self.meta.setdefault(table, {})[key] = value
            dirty_meta[0] = True
        elif kind == "unmeta":
            _, table, key = op
            self.meta.setdefault(table, {}).pop(key, None)
            dirty_meta[0] = True
        else:
            raise ValueError(f"unknown operation {kind!r}")


def _check_version(path: Path, found: Any) -> None:
    if not isinstance(found, int) or isinstance(found, bool):
        raise ValueError(f"schema_version is {found!r}, not a number")
    if found > SCHEMA_VERSION:
        raise StoreVersionError(path, found, SCHEMA_VERSION)


def _read_meta(path: Path, state: _State) -> bool:
    """Load meta.json into ``state``. False when absent. Raises StoreCorruptError/StoreVersionError."""
    storage = _storage.AtomicJSONStorage(path)
    try:
        data = storage.read()
    except ValueError as exc:
        raise StoreCorruptError(path, str(exc), _backup_of(path)) from None
    except OSError as exc:
        raise StoreCorruptError(path, f"cannot read ({_oserror_reason(exc)})", _backup_of(path)) from None
    if data is None:
        return False
    try:
        meta_rows = data.get("_meta") or {}
        if not isinstance(meta_rows, dict) or not meta_rows:
            raise ValueError('no "_meta" table with the schema version')
        row = next(iter(meta_rows.values()))
        if not isinstance(row, dict) or "schema_version" not in row:
            raise ValueError("no schema_version in the _meta table")
        _check_version(path, row["schema_version"])
        state.schema_version = row["schema_version"]
        state.created = str(row.get("created", ""))
        for table in META_TABLES:
            rows = data.get(table) or {}
            if not isinstance(rows, dict):
                raise ValueError(f"table {table!r} is not an object")
            for rec in rows.values():
                if not isinstance(rec, dict) or "k" not in rec:
                    raise ValueError(f"table {table!r} has a record without a key")
                state.meta[table][rec["k"]] = rec.get("v")
    except ValueError as exc:
        raise StoreCorruptError(path, str(exc), _backup_of(path)) from None
    return True


def _backup_of(path: Path) -> Path | None:
    bak = path.with_name(path.name + ".bak")
    return bak if bak.exists() else None


def _read_shard(path: Path) -> tuple[str, list[Annotation]]:
    """(doc_id, annotations) of one shard file. Raises ValueError/OSError/StoreVersionError."""
    data = _storage.AtomicJSONStorage(path).read()
    if data is None:
        raise ValueError("the file is missing")
    info = data.get("_shard") or {}
    if not isinstance(info, dict) or not info:
        raise ValueError('no "_shard" table naming the document')
    row = next(iter(info.values()))
    if not isinstance(row, dict) or not isinstance(row.get("doc_id"), str):
        raise ValueError("the _shard table has no doc_id")
    _check_version(path, row.get("schema_version", SCHEMA_VERSION))
    doc_id = row["doc_id"]
    rows = data.get("annotations") or {}
    if not isinstance(rows, dict):
        raise ValueError('table "annotations" is not an object')
    anns = []
    for rec in rows.values():
        ann = _ann_from_record(rec)
        if ann.doc_id != doc_id:
            raise ValueError(f"annotation {ann.id} belongs to {ann.doc_id!r}, not {doc_id!r}")
        anns.append(ann)
    return doc_id, anns


def _load_shards(docs_dir: Path, state: _State) -> None:
    if not docs_dir.is_dir():
        return
    for entry in sorted(os.scandir(docs_dir), key=lambda e: e.name):
        if not entry.name.endswith(".json") or entry.name.startswith(_storage.TMP_PREFIX):
            continue
        path = Path(entry.path)
        try:
            doc_id, anns = _read_shard(path)
        except StoreVersionError:
            raise
        except (ValueError, OSError) as exc:
            reason = _oserror_reason(exc) if isinstance(exc, OSError) else str(exc)
            raise StoreCorruptError(path, reason, _backup_of(path)) from None
        bucket = state.by_doc.setdefault(doc_id, {})
        all_anns = state.anns
        for ann in anns:
            if ann.id in all_anns:  # should not happen (check_store reports it): last one wins
                state.put(ann)
            else:
                all_anns[ann.id] = ann
                bucket[ann.id] = ann


def _apply_records(records: list[dict[str, Any]], state: _State, journal_path: Path) -> tuple[set[str], bool]:
    dirty_docs: set[str] = set()
    dirty_meta = [False]
    for n, record in enumerate(records, 1):
        version = record.get("v", SCHEMA_VERSION)
        if isinstance(version, int) and version > SCHEMA_VERSION:
            raise StoreVersionError(journal_path, version, SCHEMA_VERSION)
        for op in record["ops"]:
            try:
                state.apply(op, dirty_docs, dirty_meta)
            except (ValueError, TypeError, KeyError) as exc:
                raise StoreCorruptError(journal_path, f"record {n}: {exc}", None) from None
    return dirty_docs, dirty_meta[0]


def _shard_data(doc_id: str, anns: Iterable[Annotation]) -> dict[str, Any]:
    ordered = sorted(anns, key=lambda a: (a.start, a.end, a.label, a.id))
    return {
        "_shard": {"1": {"doc_id": doc_id, "schema_version": SCHEMA_VERSION}},
        "annotations": {str(i): _ann_dict(a) for i, a in enumerate(ordered, 1)},
    }


def _meta_data(state: _State) -> dict[str, Any]:
    data: dict[str, Any] = {
        "_meta": {"1": {"schema_version": SCHEMA_VERSION, "created": state.created or now_iso()}}
    }
    for table in META_TABLES:
        rows = state.meta.get(table, {})
        data[table] = {str(i): {"k": k, "v": v} for i, (k, v) in enumerate(rows.items(), 1)}
    return data


# --------------------------------------------------------------------------- the store


class _no_gc:
    """Pause the cyclic GC while creating many objects (loading, batches): it would
    rescan them all repeatedly. Nothing created there is cyclic."""

    def __enter__(self):
        self.was = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc):
        if self.was:
            gc.enable()


def _locked(method):
    def wrapper(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)

    wrapper.__name__ = method.__name__
    wrapper.__doc__ = method.__doc__
    wrapper.__wrapped__ = method
    return wrapper


class AnnotationStore:
    """Annotations of a corpus, saved durably under ``path``. See the module docstring.

    Thread-safe (one ``RLock`` around every public method). Annotations that
    it returns are copies: change them through :meth:`update`.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] = "annotations",
        *,
        corpus: Any = None,
        readonly: bool = False,
        annotator: str | None = None,
    ):
        self.path = Path(path)
        self.readonly = bool(readonly)
        self.readonly_reason: str | None = "opened read-only" if readonly else None
        self.annotator = annotator or default_annotator()
        self.schema_version = SCHEMA_VERSION
        self.last_error: str | None = None  # last background problem (compaction)
        self.reanchor_report: ReanchorReport | None = None
        self._lock = threading.RLock()
        self._closed = False
        self._filelock: FileLock | None = None
        self._journal: _storage.Journal | None = None
        self._state = _State()
        self._keys: dict[tuple[str, int, int, str], str] = {}
        self._dirty_docs: set[str] = set()
        self._dirty_meta = False
        self._unsaved: list[list[Any]] = []  # op lists of transactions not yet on disk
        self._undo: list[Change] = []
        self._redo: list[Change] = []
        self._corpus: Any = None
        self._imported: dict[str, Document] = {}

        self._open()
        try:
            self.labels = LabelSet.load(self.path)
        except BaseException:
            self._release()
            raise
        if corpus is not None:
            self.reanchor_report = self.attach_corpus(corpus)

    # ----------------------------------------------------------------- opening

    @property
    def meta_path(self) -> Path:
        return self.path / META_FILE

    @property
    def docs_dir(self) -> Path:
        return self.path / DOCS_DIR

    @property
    def journal_path(self) -> Path:
        return self.path / JOURNAL_FILE

    @property
    def lock_path(self) -> Path:
        return self.path / LOCK_FILE

    def _open(self) -> None:
        if not self.readonly:
            try:
                self.path.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                if not self.path.is_dir():
                    if self.path.exists():
                        raise StoreError(f"{self.path}: the store path is not a folder") from None
                    self.readonly = True
                    self.readonly_reason = f"cannot create the store folder ({_oserror_reason(exc)})"
            if not self.readonly:
                reason = _probe_writable(self.path)
                if reason:
                    self.readonly = True
                    self.readonly_reason = reason
        elif self.path.exists() and not self.path.is_dir():
            raise StoreError(f"{self.path}: the store path is not a folder")
        if not self.readonly:
            self._acquire()
        try:
            self._load()
        except BaseException:
            self._release()
            raise

    def _acquire(self) -> None:
        lock = FileLock(str(self.lock_path), timeout=0, thread_local=False)
        try:
            lock.acquire()
        except Timeout:
            raise StoreLockedError(self.lock_path, self._holder()) from None
        except OSError as exc:
            self.readonly = True
            self.readonly_reason = f"cannot take the lock {self.lock_path} ({_oserror_reason(exc)})"
            return
        self._filelock = lock
        info = {"pid": os.getpid(), "host": socket.gethostname(), "since": now_iso(), "user": self.annotator}
        try:
            (self.path / LOCK_INFO_FILE).write_text(json.dumps(info), encoding="utf-8")
        except OSError:
            pass

    def _holder(self) -> str:
        try:
            info = json.loads((self.path / LOCK_INFO_FILE).read_text(encoding="utf-8"))
            return f"pid {info.get('pid')} on {info.get('host')} since {info.get('since')}"
        except (OSError, ValueError, AttributeError):
            return ""

    def _load(self) -> None:
        with _no_gc():
            if not self.readonly:
                self._load_files()
                return
            # Read-only beside a live writer: if the writer compacted while we read
            # (the journal was replaced after we read the old shards), read again.
            for _attempt in range(5):
                before = self._journal_identity()
                self._load_files()
                if self._journal_identity() == before:
                    return

    def _journal_identity(self) -> tuple[int, int] | None:
        try:
            st = os.stat(self.journal_path)
        except OSError:
            return None
        return (st.st_ino, st.st_dev)

    def _load_files(self) -> None:
        state = _State()
        has_meta = _read_meta(self.meta_path, state)
        _load_shards(self.docs_dir, state)
        records: list[dict[str, Any]] = []
        good = 0
        try:
            raw = self.journal_path.read_bytes()
        except FileNotFoundError:
            raw = b""
        except OSError as exc:
            raise StoreCorruptError(self.journal_path, f"cannot read ({_oserror_reason(exc)})") from None
        if raw:
            try:
                records, good, _ = _storage.read_journal(raw, strict=True)
            except _storage.JournalCorrupt as exc:
                raise StoreCorruptError(
                    self.journal_path,
                    f"{exc} (the changes before it are intact; `reader store recover` keeps every "
                    "readable change and moves the damaged journal aside)",
                    None,
                ) from None
        dirty_docs, dirty_meta = _apply_records(records, state, self.journal_path)
        self._state = state
        self.schema_version = state.schema_version
        self._dirty_docs = dirty_docs
        self._dirty_meta = dirty_meta
        self._rebuild_indexes()
        if self.readonly:
            return
        self._cleanup_tmp()
        if not has_meta:
            state.created = now_iso()
            self.docs_dir.mkdir(exist_ok=True)
            _storage.AtomicJSONStorage(self.meta_path).write(_meta_data(state))
        self.docs_dir.mkdir(exist_ok=True)
        self._journal = _storage.Journal(self.journal_path)
        self._journal.open(good, len(records))

    def _rebuild_indexes(self) -> None:
        self._keys = {}
        for ann in self._state.anns.values():
            if ann.status != STATUS_REJECTED:
                self._keys.setdefault(ann.key, ann.id)
        self._imported = {}
        for doc_id, rec in self._state.meta["documents"].items():
            try:
                self._imported[doc_id] = _doc_from_record(rec)
            except (KeyError, TypeError, ValueError):
                continue

    def _cleanup_tmp(self) -> None:
        for folder in (self.path, self.docs_dir):
            if not folder.is_dir():
                continue
            for entry in os.scandir(folder):
                if entry.name.startswith(_storage.TMP_PREFIX) or entry.name.startswith(".probe-"):
                    try:
                        os.unlink(entry.path)
                    except OSError:
                        pass

    def _release(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        if self._filelock is not None:
            try:
                (self.path / LOCK_INFO_FILE).unlink()
            except OSError:
                pass
            try:
                self._filelock.release(force=True)
            except Exception:
                pass
            self._filelock = None

    # ----------------------------------------------------------------- context / closing

    def __enter__(self) -> "AnnotationStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        mode = "read-only" if self.readonly else "writable"
        return f"<AnnotationStore {str(self.path)!r} {mode}, {len(self._state.anns)} annotations>"

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Save pending changes, compact the journal and release the lock. Idempotent.

        If unsaved changes still cannot be written, raises :class:`StoreWriteError`
        and stays open (so that ``retry_unsaved`` or ``close`` can be tried again).
        Safe to call from a SIGTERM/SIGHUP handler: the lock is re-entrant, and every
        save that returned is already in the fsynced journal, so even an interrupted
        compaction loses nothing.
        """
        with self._lock:
            if self._closed:
                return
            if not self.readonly and self._journal is not None:
                if self._unsaved:
                    self._flush_unsaved()  # raises StoreWriteError, store stays open
                try:
                    self._compact()
                except OSError as exc:  # the journal still holds everything
                    self.last_error = f"{self.path}: compaction failed ({_oserror_reason(exc)}); the journal keeps the changes"
            self._release()
            self._closed = True

    # ----------------------------------------------------------------- saving

    def _check_writable(self) -> None:
        if self._closed:
            raise StoreError(f"{self.path}: the store is closed")
        if self.readonly:
            raise StoreReadOnlyError(self.path, self.readonly_reason or "the store is open read-only")

    def _save(self, ops: list[Any]) -> None:
        """Make ``ops`` (already applied in memory) durable, in order after any unsaved ones."""
        self._unsaved.append(ops)
        self._flush_unsaved()

    def _flush_unsaved(self) -> int:
        assert self._journal is not None
        saved = 0
        while self._unsaved:
            ops = self._unsaved[0]
            record = _storage.encode_record({"v": SCHEMA_VERSION, "ops": ops})
            try:
                self._journal.append(record)
            except OSError as exc:
                self.last_error = _oserror_reason(exc)
                raise StoreWriteError(self.journal_path, _oserror_reason(exc), len(self._unsaved)) from None
            self._unsaved.pop(0)
            saved += 1
        self._maybe_compact()
        return saved

    def _mark(self, ops: list[Any]) -> None:
        for op in ops:
            if op[0] == "put":
                self._dirty_docs.add(op[1]["doc_id"])
            elif op[0] == "del":
                self._dirty_docs.add(op[1])
            else:
                self._dirty_meta = True

    def _maybe_compact(self) -> None:
        j = self._journal
        if j is not None and (j.records >= COMPACT_RECORDS or j.size >= COMPACT_BYTES):
            try:
                self._compact()
            except OSError as exc:
                # Not a lost save: the journal still holds every change. Try again later.
                self.last_error = f"{self.path}: compaction failed ({_oserror_reason(exc)}); the journal keeps the changes"

    def _compact(self) -> None:
        if self._journal is None or self._unsaved:
            return
        if not self._dirty_docs and not self._dirty_meta and self._journal.size == 0:
            return
        # 1) every changed file to a fsynced temp file, 2) all renamed into place
        # (old ones kept as .bak), 3) one fsync per folder, 4) the journal reset.
        # A crash anywhere before 4 replays the journal over whatever is in place.
        staged: list[tuple[Path, Path]] = []
        try:
            for doc_id in sorted(self._dirty_docs):
                anns = self._state.by_doc.get(doc_id, {})
                path = self.docs_dir / shard_name(doc_id)
                if not anns and not path.exists():
                    continue
                data = _storage.dumps(_shard_data(doc_id, anns.values()))
                staged.append((_storage.write_temp(path, data), path))
            if self._dirty_meta:
                staged.append((_storage.write_temp(self.meta_path, _storage.dumps(_meta_data(self._state))), self.meta_path))
        except BaseException:
            for tmp, _path in staged:
                _storage._unlink_quietly(tmp)
            raise
        for i, (tmp, path) in enumerate(staged):
            try:
                _storage.commit_temp(tmp, path, backup=True)
            except BaseException:
                for later, _path in staged[i + 1:]:
                    _storage._unlink_quietly(later)
                raise
        if staged:
            _storage.fsync_dir(self.docs_dir)
            _storage.fsync_dir(self.path)
        self._dirty_docs = set()
        self._dirty_meta = False
        self._journal.reset(keep_previous=self.path / JOURNAL_PREV_FILE)

    @_locked
    def compact(self) -> None:
        """Write the journal into the shards now (also done automatically and on close)."""
        self._check_writable()
        self._compact()

    @property
    def unsaved(self) -> int:
        """Number of changes kept in memory because their save failed."""
        return len(self._unsaved)

    @_locked
    def retry_unsaved(self) -> int:
        """Try again to save the unsaved changes. Returns how many were saved; raises StoreWriteError."""
        self._check_writable()
        return self._flush_unsaved()

    def _commit(self, ops: list[Any]) -> None:
        self._mark(ops)
        self._save(ops)

    # ----------------------------------------------------------------- documents

    @_locked
    def attach_corpus(self, corpus: Any) -> ReanchorReport:
        """Validate later adds against ``corpus`` and re-anchor annotations of changed documents."""
        self._corpus = corpus
        report = ReanchorReport(saved=not self.readonly)
        ops: list[Any] = []
        for doc_id, anns in list(self._state.by_doc.items()):
            if not anns:
                continue
            doc = self._document(doc_id)
            if doc is None:
                report.missing_documents.append(doc_id)
                continue
            for ann in list(anns.values()):
                if ann.doc_sha256 == doc.sha256 and not ann.orphaned:
                    continue
                new = self._reanchor(ann, doc, report)
                if new is not None:
                    self._replace(ann, new)
                    ops.append(["put", _ann_dict(new)])
        if ops and not self.readonly:
            try:
                self._commit(ops)
            except StoreWriteError:
                report.saved = False
        self.reanchor_report = report
        return report

    def _reanchor(self, ann: Annotation, doc: Document, report: ReanchorReport) -> Annotation | None:
        text = doc.text
        report.checked += 1
        stamp = now_iso()
        if not ann.text:  # saved without a document text: adopt the document's
            if 0 <= ann.start < ann.end <= len(text):
                report.adopted += 1
                return dataclasses.replace(ann, text=text[ann.start:ann.end], doc_sha256=doc.sha256, orphaned=False)
            new = dataclasses.replace(ann, orphaned=True)
            report.orphaned.append(new)
            return new if not ann.orphaned else None
        if text[ann.start:ann.end] == ann.text:
            new = dataclasses.replace(ann, doc_sha256=doc.sha256, orphaned=False)
            if ann.orphaned:
                report.restored.append(new)
            else:
                report.unchanged += 1
            return new
        found = _find_nearest(text, ann.text, ann.start)
        if found is not None:
            new = dataclasses.replace(
                ann, start=found, end=found + len(ann.text), doc_sha256=doc.sha256, orphaned=False, updated=stamp
            )
            if new.key in self._keys and self._keys[new.key] != ann.id:
                pass  # an identical span already exists there; keep both rather than drop one
            (report.restored if ann.orphaned else report.moved).append(new)
            return new
        if ann.orphaned:
            report.orphaned.append(ann)
            return None
        new = dataclasses.replace(ann, orphaned=True, updated=stamp)
        report.orphaned.append(new)
        return new

    def _document(self, doc_id: str) -> Document | None:
        if self._corpus is not None:
            doc = self._corpus.get(doc_id)
            if doc is not None:
                return doc
        return self._imported.get(doc_id)

    @_locked
    def imported_documents(self) -> list[Document]:
        return [dataclasses.replace(d) for d in self._imported.values()]

    @_locked
    def add_documents(self, docs: Iterable[Document]) -> int:
        """Keep documents (with their text) in the store, e.g. from an import. Durable."""
        self._check_writable()
        ops = []
        for doc in docs:
            rec = _doc_to_record(doc)
            self._state.meta["documents"][doc.id] = rec
            self._imported[doc.id] = _doc_from_record(rec)
            ops.append(["meta", "documents", doc.id, rec])
        if ops:
            self._commit(ops)
        return len(ops)

    # ----------------------------------------------------------------- annotations

    def _replace(self, old: Annotation | None, new: Annotation | None) -> None:
        if old is not None:
            if self._keys.get(old.key) == old.id:
                del self._keys[old.key]
            self._state.remove(old.id)
        if new is not None:
            self._state.put(new)
            if new.status != STATUS_REJECTED:
                self._keys.setdefault(new.key, new.id)

    def _span_text(self, doc_id: str, start: Any, end: Any, text: str | None) -> tuple[str, str]:
        """Validated span text and the document's sha256 ("" when the document is unknown)."""
        if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or isinstance(end, bool):
            raise OffsetError(f"{doc_id}: offsets must be integers, got {start!r}..{end!r}")
        if start < 0 or end <= start:
            raise OffsetError(f"{doc_id}: bad span {start}..{end} (need 0 <= start < end)")
        doc = self._document(doc_id)
        if doc is None:
            if self._corpus is not None:
                raise UnknownDocumentError(f"{doc_id}: no such document in the corpus or the store")
            if text is not None and len(text) != end - start:
                raise OffsetError(f"{doc_id}: span {start}..{end} is {end - start} characters but its text has {len(text)}")
            return (text or ""), ""
        if end > len(doc.text):
            raise OffsetError(f"{doc_id}: span {start}..{end} is outside the document ({len(doc.text)} characters)")
        actual = doc.text[start:end]
        if text is not None and text != actual:
            raise OffsetError(
                f"{doc_id}: text {text[:40]!r} does not match the document at {start}..{end} ({actual[:40]!r})"
            )
        return actual, doc.sha256

    def _check_label(self, label: Any, status: str) -> None:
        if status not in STATUSES:
            raise AnnotationError(f"unknown status {status!r} (expected one of {', '.join(STATUSES)})")
        if not isinstance(label, str) or not label:
            raise AnnotationError(f"label must be a non-empty string, got {label!r}")
        if status == STATUS_ACCEPTED and label not in self.labels:
            raise AnnotationError(
                f"unknown label {label!r} (labels from {self.labels.source}: {', '.join(self.labels.names)})"
            )

    def _check_duplicate(self, key: tuple[str, int, int, str], own_id: str | None = None) -> None:
        other = self._keys.get(key)
        if other is not None and other != own_id:
            doc_id, start, end, label = key
            raise DuplicateAnnotationError(f"{doc_id}: a {label!r} annotation already covers {start}..{end}")

    def _make(
        self, doc_id: str, start: int, end: int, label: str, note: str, annotator: str | None,
        status: str, source: str, text: str | None, *, ann_id: str | None = None,
        created: str | None = None, updated: str | None = None, doc_sha256: str | None = None,
        stamp: str | None = None,
    ) -> Annotation:
        if not isinstance(doc_id, str) or not doc_id:
            raise UnknownDocumentError(f"document id must be a non-empty string, got {doc_id!r}")
        self._check_label(label, status)
        span, sha = self._span_text(doc_id, start, end, text)
        stamp = stamp or now_iso()
        return Annotation(
            id=ann_id or os.urandom(8).hex(),  # same form as model.new_id(), ~15x faster
            doc_id=doc_id,
            start=start,
            end=end,
            label=label,
            text=span,
            note=note or "",
            annotator=annotator or self.annotator,
            created=created or stamp,
            updated=updated or created or stamp,
            doc_sha256=sha or (doc_sha256 if isinstance(doc_sha256, str) else ""),
            status=status,
            source=source or "",
        )

    def _record(self, change: Change) -> None:
        self._undo.append(change)
        if len(self._undo) > UNDO_LIMIT:
            del self._undo[0]
        self._redo.clear()

    @_locked
    def add(
        self, doc_id: str, start: int, end: int, label: str, note: str = "", *,
        annotator: str | None = None, status: str = STATUS_ACCEPTED, source: str = "", text: str | None = None,
    ) -> Annotation:
        """Add one annotation; durable when it returns (or StoreWriteError, kept as unsaved)."""
        self._check_writable()
        ann = self._make(doc_id, start, end, label, note, annotator, status, source, text)
        if status != STATUS_REJECTED:
            self._check_duplicate(ann.key)
        self._replace(None, ann)
        self._record(Change("add", None, ann))
        self._commit([["put", _ann_dict(ann)]])
        return _copy(ann)

    @_locked
    def add_many(self, items: Iterable[Any], *, source: str = "", skip_duplicates: bool = True) -> list[Annotation]:
        """Add many annotations with one durable save (imports, suggestions).

        ``items`` are :class:`Annotation` objects, dicts with the same fields
        (``doc_id``, ``start``, ``end``, ``label``; optional ``note``, ``text``,
        ``annotator``, ``status``, ``source``, ``id``, ``created``, ``updated``)
        or tuples ``(doc_id, start, end, label[, note])``. Everything is
        validated first: a bad item raises and nothing is added. Exact
        duplicates (of the store or within ``items``) are skipped unless
        ``skip_duplicates=False``. Returns the annotations added; undo removes
        them all at once.
        """
        self._check_writable()
        with _no_gc():
            return self._add_many(items, source, skip_duplicates)

    def _add_many(self, items: Iterable[Any], source: str, skip_duplicates: bool) -> list[Annotation]:
        new: list[Annotation] = []
        stamp = now_iso()
        keys: set[tuple[str, int, int, str]] = set()
        ids: set[str] = set()
        for n, item in enumerate(items, 1):
            if isinstance(item, Annotation):
                item = _ann_dict(item)
            if isinstance(item, (tuple, list)):
                fields_ = dict(zip(("doc_id", "start", "end", "label", "note"), item))
            elif isinstance(item, dict):
                fields_ = item
            else:
                raise AnnotationError(f"item {n}: expected an annotation, a dict or a tuple, got {type(item).__name__}")
            try:
                ann_id = fields_.get("id")
                if not isinstance(ann_id, str) or not ann_id or ann_id in self._state.anns or ann_id in ids:
                    ann_id = None
                ann = self._make(
                    fields_.get("doc_id"), fields_.get("start"), fields_.get("end"), fields_.get("label"),
                    fields_.get("note") or "", fields_.get("annotator"), fields_.get("status") or STATUS_ACCEPTED,
                    fields_.get("source") or source, fields_.get("text"), ann_id=ann_id,
                    created=fields_.get("created"), updated=fields_.get("updated"),
                    doc_sha256=fields_.get("doc_sha256"), stamp=stamp,
                )
            except AnnotationError as exc:
                raise type(exc)(f"item {n}: {exc}") from None
            if ann.status != STATUS_REJECTED:
                if ann.key in keys or ann.key in self._keys:
                    if skip_duplicates:
                        continue
                    raise DuplicateAnnotationError(
                        f"item {n}: {ann.doc_id}: a {ann.label!r} annotation already covers {ann.start}..{ann.end}"
                    )
                keys.add(ann.key)
            ids.add(ann.id)
            new.append(ann)
        if not new:
            return []
        for ann in new:
            self._replace(None, ann)
        self._record(Change("batch", None, None, tuple(Change("add", None, a) for a in new)))
        self._commit([["put", _ann_dict(a)] for a in new])
        return [_copy(a) for a in new]

    @_locked
    def update(
        self, ann_id: str, *, label: str | None = None, note: str | None = None, status: str | None = None,
        start: int | None = None, end: int | None = None,
    ) -> Annotation:
        """Change label, note, status or span. Durable when it returns."""
        self._check_writable()
        old = self._state.anns.get(ann_id)
        if old is None:
            raise AnnotationError(f"{self.path}: no annotation with id {ann_id!r}")
        new_status = status if status is not None else old.status
        new_label = label if label is not None else old.label
        if label is not None or status is not None:
            self._check_label(new_label, new_status)
        changes: dict[str, Any] = {"label": new_label, "status": new_status}
        if note is not None:
            changes["note"] = note
        s = start if start is not None else old.start
        e = end if end is not None else old.end
        if (s, e) != (old.start, old.end):
            if self._document(old.doc_id) is None:
                raise OffsetError(f"{old.doc_id}: cannot move the span: the document's text is not known to the store")
            span, sha = self._span_text(old.doc_id, s, e, None)
            changes.update(start=s, end=e, text=span, orphaned=False, doc_sha256=sha)
        new = dataclasses.replace(old, **changes)
        if new == old:
            return _copy(old)
        new.updated = now_iso()
        if new.status != STATUS_REJECTED:
            self._check_duplicate(new.key, own_id=old.id)
        self._replace(old, new)
        self._record(Change("update", old, new))
        self._commit([["put", _ann_dict(new)]])
        return _copy(new)

    @_locked
    def update_many(self, ann_ids: Iterable[str], *, label: str | None = None, status: str | None = None) -> list[Annotation]:
        """Change the label or status of many annotations with one durable save.

        Used for "accept all suggestions": everything is checked first (a bad
        id, label or a resulting duplicate raises and nothing changes), and one
        undo restores them all. Returns the annotations that changed.
        """
        self._check_writable()
        stamp = now_iso()
        changes: list[Change] = []
        keys: set[tuple[str, int, int, str]] = set()
        for ann_id in ann_ids:
            old = self._state.anns.get(ann_id)
            if old is None:
                raise AnnotationError(f"{self.path}: no annotation with id {ann_id!r}")
            new_status = status if status is not None else old.status
            new_label = label if label is not None else old.label
            self._check_label(new_label, new_status)
            new = dataclasses.replace(old, label=new_label, status=new_status)
            if new == old:
                continue
            new.updated = stamp
            if new.status != STATUS_REJECTED:
                self._check_duplicate(new.key, own_id=old.id)
                if new.key in keys:
                    doc_id, start, end, name = new.key
                    raise DuplicateAnnotationError(f"{doc_id}: a {name!r} annotation already covers {start}..{end}")
                keys.add(new.key)
            changes.append(Change("update", old, new))
        if not changes:
            return []
        for change in changes:
            self._replace(change.before, change.after)
        self._record(Change("batch", None, None, tuple(changes)))
        self._commit([["put", _ann_dict(c.after)] for c in changes])
        return [_copy(c.after) for c in changes]

    @_locked
    def delete(self, ann_id: str) -> Annotation:
        """Remove an annotation (a deleted suggestion is remembered as rejected). Durable."""
        self._check_writable()
        old = self._state.anns.get(ann_id)
        if old is None:
            raise AnnotationError(f"{self.path}: no annotation with id {ann_id!r}")
        self._replace(old, None)
        self._record(Change("delete", old, None))
        ops: list[Any] = [["del", old.doc_id, old.id]]
        if old.status == STATUS_SUGGESTED:
            ops.append(self._reject_op(old))
        self._commit(ops)
        return _copy(old)

    def _reject_op(self, ann: Annotation) -> list[Any]:
        table = self._state.meta["rejected"]
        keys = list(table.get(ann.doc_id) or [])
        entry = [ann.start, ann.end, ann.label]
        if entry not in keys:
            keys.append(entry)
        table[ann.doc_id] = keys
        return ["meta", "rejected", ann.doc_id, keys]

    @_locked
    def get(self, ann_id: str) -> Annotation | None:
        ann = self._state.anns.get(ann_id)
        return _copy(ann) if ann is not None else None

    @_locked
    def for_document(self, doc_id: str, *, statuses: Iterable[str] = (STATUS_ACCEPTED, STATUS_SUGGESTED)) -> list[Annotation]:
        """The document's annotations (orphaned ones included), sorted by (start, end, label)."""
        wanted = set(statuses)
        anns = [_copy(a) for a in self._state.by_doc.get(doc_id, {}).values() if a.status in wanted]
        anns.sort(key=lambda a: (a.start, a.end, a.label, a.id))
        return anns

    @_locked
    def all(self, *, statuses: Iterable[str] = (STATUS_ACCEPTED,)) -> list[Annotation]:
        """Every annotation with one of ``statuses``, sorted by (doc_id, start, end, label)."""
        wanted = set(statuses)
        anns = [_copy(a) for a in self._state.anns.values() if a.status in wanted]
        anns.sort(key=lambda a: (a.doc_id, a.start, a.end, a.label, a.id))
        return anns

    @_locked
    def count_by_document(self, *, statuses: Iterable[str] = (STATUS_ACCEPTED,)) -> dict[str, Counter]:
        wanted = set(statuses)
        result: dict[str, Counter] = {}
        for doc_id, anns in self._state.by_doc.items():
            counter = Counter(a.label for a in anns.values() if a.status in wanted)
            if counter:
                result[doc_id] = counter
        return result

    def __len__(self) -> int:
        return len(self._state.anns)

    @_locked
    def doc_ids(self) -> list[str]:
        """Ids of documents that have annotations (any status)."""
        return sorted(d for d, anns in self._state.by_doc.items() if anns)

    # ----------------------------------------------------------------- undo / redo

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def _apply_change(self, change: Change) -> None:
        """Make the store go from ``change.before`` to ``change.after`` (durably)."""
        singles = change.items if change.kind == "batch" else (change,)
        ops: list[Any] = []
        for c in singles:
            current = self._state.anns.get((c.before or c.after).id)
            if c.after is None:
                if current is not None:
                    self._replace(current, None)
                    ops.append(["del", current.doc_id, current.id])
            else:
                self._replace(current, c.after)
                ops.append(["put", _ann_dict(c.after)])
        if ops:
            self._commit(ops)

    @_locked
    def undo(self) -> Change | None:
        """Undo the last change of this session; returns it (None when there is none)."""
        self._check_writable()
        if not self._undo:
            return None
        change = self._undo.pop()
        self._redo.append(change)
        self._apply_change(change.inverse())
        return change

    @_locked
    def redo(self) -> Change | None:
        self._check_writable()
        if not self._redo:
            return None
        change = self._redo.pop()
        self._undo.append(change)
        self._apply_change(change)
        return change

    # ----------------------------------------------------------------- caches and state

    def _set_meta(self, table: str, key: str, value: Any) -> None:
        self._check_writable()
        if value is None:
            if key not in self._state.meta[table]:
                return
            self._state.meta[table].pop(key, None)
            self._commit([["unmeta", table, key]])
        else:
            if self._state.meta[table].get(key) == value:
                return
            self._state.meta[table][key] = value
            self._commit([["meta", table, key, value]])

    @_locked
    def cached_language(self, sha256: str) -> dict | None:
        value = self._state.meta["languages"].get(sha256)
        return dict(value) if isinstance(value, dict) else None

    @_locked
    def cache_languages(self, results: dict[str, dict]) -> None:
        """Store language results by content hash: ``{sha256: {"lang", "confidence", "paragraphs"}}``."""
        if self.readonly:
            return  # a cache: skipping it loses nothing
        self._check_writable()
        ops = []
        for sha, value in results.items():
            value = json.loads(json.dumps(value))  # plain JSON (tuples -> lists)
            if self._state.meta["languages"].get(sha) != value:
                self._state.meta["languages"][sha] = value
                ops.append(["meta", "languages", sha, value])
        if ops:
            self._commit(ops)

    @_locked
    def language_overrides(self) -> dict[str, str]:
        return dict(self._state.meta["overrides"])

    @_locked
    def set_language_override(self, doc_id: str, lang: str | None) -> None:
        self._set_meta("overrides", doc_id, lang or None)

    @_locked
    def doc_status(self, doc_id: str) -> str:
        if self._state.meta["done"].get(doc_id):
            return "done"
        if any(a.status == STATUS_ACCEPTED for a in self._state.by_doc.get(doc_id, {}).values()):
            return "in progress"
        return "new"

    @_locked
    def set_done(self, doc_id: str, done: bool) -> None:
        self._set_meta("done", doc_id, True if done else None)

    @_locked
    def get_state(self, key: str, default: Any = None) -> Any:
        return self._state.meta["state"].get(key, default)

    @_locked
    def set_state(self, key: str, value: Any) -> None:
        """Durably remember a UI value (JSON-serialisable; None removes it)."""
        if value is not None:
            value = json.loads(json.dumps(value))
        self._set_meta("state", key, value)

    @_locked
    def rejected_keys(self, doc_id: str) -> set[tuple]:
        """Spans a user rejected in ``doc_id``: ``(start, end, label)`` tuples, and the
        same as ``(doc_id, start, end, label)`` (:attr:`Annotation.key`), so either
        form can be tested with ``in``. Covers suggestions updated to
        ``status="rejected"`` and suggestions that were deleted."""
        keys: set[tuple] = set()
        for entry in self._state.meta["rejected"].get(doc_id) or ():
            keys.add((entry[0], entry[1], entry[2]))
        for ann in self._state.by_doc.get(doc_id, {}).values():
            if ann.status == STATUS_REJECTED:
                keys.add((ann.start, ann.end, ann.label))
        return keys | {(doc_id, *k) for k in keys}


# --------------------------------------------------------------------------- check and recover


def check_store(path: str | os.PathLike[str]) -> list[str]:
    """Problems of the store at ``path`` (empty list when it is fine). Reads only."""
    path = Path(path)
    problems: list[str] = []
    if not path.exists():
        return [f"{path}: no such store folder"]
    if not path.is_dir():
        return [f"{path}: not a folder"]
    state = _State()
    try:
        _read_meta(path / META_FILE, state)
    except (StoreCorruptError, StoreVersionError) as exc:
        problems.append(str(exc))
    docs = path / DOCS_DIR
    seen: dict[str, str] = {}
    if docs.is_dir():
        for entry in sorted(os.scandir(docs), key=lambda e: e.name):
            if not entry.name.endswith(".json") or entry.name.startswith(_storage.TMP_PREFIX):
                continue
            shard = Path(entry.path)
            try:
                doc_id, anns = _read_shard(shard)
            except StoreVersionError as exc:
                problems.append(str(exc))
                continue
            except (ValueError, OSError) as exc:
                reason = _oserror_reason(exc) if isinstance(exc, OSError) else str(exc)
                problems.append(str(StoreCorruptError(shard, reason, _backup_of(shard))))
                continue
            if doc_id in seen:
                problems.append(f"{shard}: document {doc_id!r} is also stored in {seen[doc_id]}")
            seen[doc_id] = entry.name
            for ann in anns:
                if not (0 <= ann.start < ann.end):
                    problems.append(f"{shard}: annotation {ann.id} has a bad span {ann.start}..{ann.end}")
                elif ann.text and len(ann.text) != ann.end - ann.start:
                    problems.append(f"{shard}: annotation {ann.id}: its text does not have {ann.end - ann.start} characters")
                if ann.id in state.anns:
                    problems.append(f"{shard}: annotation id {ann.id} appears twice")
                state.put(ann)
    journal = path / JOURNAL_FILE
    if journal.exists():
        try:
            raw = journal.read_bytes()
            records, _good, bad = _storage.read_journal(raw, strict=False)
            for p in bad:
                problems.append(f"{journal}: {p}")
            try:
                _apply_records(records, state, journal)
            except (StoreCorruptError, StoreVersionError) as exc:
                problems.append(str(exc))
        except OSError as exc:
            problems.append(f"{journal}: cannot read ({_oserror_reason(exc)})")
    try:
        LabelSet.load(path)
    except ReaderError as exc:
        problems.append(str(exc))
    return problems


def recover_store(path: str | os.PathLike[str]) -> str:
    """Rebuild a damaged store from its backups and journals. Returns a summary.

    Each file that cannot be read is moved aside as ``<name>.corrupt-<timestamp>``
    (never deleted); a shard or meta.json is rebuilt from its ``.bak`` plus the
    previous and current journals; a journal keeps its readable lines. Raises
    :class:`StoreLockedError` when another writer has the store open.
    """
    path = Path(path)
    if not path.is_dir():
        raise StoreError(f"{path}: no such store folder")
    lock = FileLock(str(path / LOCK_FILE), timeout=0, thread_local=False)
    try:
        lock.acquire()
    except Timeout:
        raise StoreLockedError(path / LOCK_FILE) from None
    try:
        actions = _recover(path)
    finally:
        lock.release(force=True)
    # open normally (replays the journal) and compact, so the store is consistent again
    store = AnnotationStore(path)
    try:
        count = len(store)
        if not store.readonly:
            store.compact()
    finally:
        store.close()
    if not actions:
        return f"{path}: nothing to recover; the store is fine ({count} annotations)"
    return f"{path}: recovered ({count} annotations). " + " ".join(actions)


def _journal_records(journal: Path, actions: list[str]) -> list[dict[str, Any]]:
    """Readable records of a journal; a damaged one is moved aside and rewritten with them."""
    if not journal.exists():
        return []
    raw = journal.read_bytes()
    records, _good, bad = _storage.read_journal(raw, strict=False)
    if bad:
        aside = _corrupt_name(journal)
        os.replace(journal, aside)
        _storage.atomic_write(journal, b"".join(_storage.encode_record(r) for r in records), backup=False)
        actions.append(
            f"{journal.name}: {len(bad)} unreadable line(s) skipped ({', '.join(str(p) for p in bad[:3])}); "
            f"{len(records)} change(s) kept; the damaged file is {aside.name}"
        )
    return records


def _ops_for(records: list[dict[str, Any]], *, doc_id: str | None = None, meta: bool = False) -> list[dict[str, Any]]:
    picked = []
    for rec in records:
        ops = []
        for op in rec.get("ops", []):
            if not isinstance(op, list) or not op:
                continue
            if meta and op[0] in ("meta", "unmeta"):
                ops.append(op)
            elif doc_id is not None and (
                (op[0] == "put" and isinstance(op[1], dict) and op[1].get("doc_id") == doc_id)
                or (op[0] == "del" and len(op) == 3 and op[1] == doc_id)
            ):
                ops.append(op)
        if ops:
            picked.append({"ops": ops})
    return picked


def _recover(path: Path) -> list[str]:
    actions: list[str] = []
    journal = path / JOURNAL_FILE
    prev = path / JOURNAL_PREV_FILE
    records = _journal_records(journal, actions)
    prev_records = _journal_records(prev, actions)

    # meta.json
    meta = path / META_FILE
    state = _State()
    try:
        _read_meta(meta, state)
    except StoreCorruptError as exc:
        aside = _corrupt_name(meta)
        os.replace(meta, aside)
        rebuilt = _State()
        source = "an empty one"
        bak = meta.with_name(meta.name + ".bak")
        if bak.exists():
            try:
                _read_meta(bak, rebuilt)
                source = bak.name
            except StoreCorruptError:
                rebuilt = _State()
        try:
            _apply_records(_ops_for(prev_records, meta=True), rebuilt, prev)
        except StoreCorruptError:
            pass
        rebuilt.created = rebuilt.created or now_iso()
        _storage.atomic_write(meta, _storage.dumps(_meta_data(rebuilt)), backup=False)
        actions.append(f"{META_FILE}: {exc.reason}; rebuilt from {source} and the previous journal; the damaged file is {aside.name}")

    # shards
    docs = path / DOCS_DIR
    if docs.is_dir():
        for entry in sorted(os.scandir(docs), key=lambda e: e.name):
            if not entry.name.endswith(".json") or entry.name.startswith(_storage.TMP_PREFIX):
                continue
            shard = Path(entry.path)
            try:
                _read_shard(shard)
                continue
            except StoreVersionError:
                raise
            except (ValueError, OSError) as exc:
                reason = _oserror_reason(exc) if isinstance(exc, OSError) else str(exc)
            aside = _corrupt_name(shard)
            os.replace(shard, aside)
            bak = shard.with_name(shard.name + ".bak")
            rebuilt = _State()
            doc_id = None
            source = "nothing"
            if bak.exists():
                try:
                    doc_id, anns = _read_shard(bak)
                    for ann in anns:
                        rebuilt.put(ann)
                    source = bak.name
                except (ValueError, OSError):
                    doc_id = None
            if doc_id is None:
                # find the document id from the journals (shard names are derived from it)
                for rec in prev_records + records:
                    for op in rec.get("ops", []):
                        cand = op[1].get("doc_id") if op and op[0] == "put" and isinstance(op[1], dict) else (
                            op[1] if op and op[0] == "del" and len(op) == 3 else None)
                        if isinstance(cand, str) and shard_name(cand) == shard.name:
                            doc_id = cand
            if doc_id is None:
                actions.append(f"{DOCS_DIR}/{shard.name}: {reason}; no backup and no journal entry; the damaged file is {aside.name}")
                continue
            try:
                _apply_records(_ops_for(prev_records, doc_id=doc_id), rebuilt, prev)
            except StoreCorruptError:
                pass
            anns = list(rebuilt.by_doc.get(doc_id, {}).values())
            _storage.atomic_write(shard, _storage.dumps(_shard_data(doc_id, anns)), backup=False)
            actions.append(
                f"{DOCS_DIR}/{shard.name} ({doc_id}): {reason}; rebuilt from {source} and the previous journal "
                f"({len(anns)} annotation(s), plus the current journal on open); the damaged file is {aside.name}"
            )

    return actions
