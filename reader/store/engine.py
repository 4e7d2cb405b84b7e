"""The file engine: one writer, an fsynced journal, compaction into shards.

On-disk layout (``annotations/`` by default), schema version 3::

    annotations/
      labels.toml             optional label set (see reader.labels)
      meta.json               tables "_meta" (schema_version, created, files: every
                              docs/ and texts/ file written, StoreImage.files) and the
                              workspace tables of reader.store.base.META_TABLES
                              but "documents", each record {"k": key, "v": value}
      meta.json.bak           the previous generation of meta.json
      docs/<name>.json        one file per document: table "annotations" (one
                              record per annotation, fields of
                              reader.model.Annotation) and table "_shard"
                              (doc_id, schema_version); <name> is the document
                              id made file-safe plus a short hash of the id
      docs/<name>.json.bak    the previous generation of that shard
      texts/<name>.json       one file per imported document (``reader import``):
                              table "documents" with its one record
                              {"k": doc_id, "v": the document with its text} (no
                              record once it is gone) and table "_text" (doc_id,
                              schema_version); <name> as its shard's
      texts/<name>.json.bak   the previous generation of that file
      journal.jsonl           changes since the last compaction, one transaction
                              per line: "<crc32 hex> {"v": 1, "ops": [...]}"
      journal.prev.jsonl      the journal before the last compaction (the newest of journals/)
      journals/<n>.jsonl      compaction n's journal and the files it rewrote (<n>.files.json),
                              kept until each of them is rewritten again: a file's .bak plus the
                              journal of its last rewrite rebuild it (reader.store.archive)
      backup-schema-<n>/      the files as they were before an upgrade from schema n
                              (reader.store.migrate; 2 added the "links" table, 3 moved
                              the imported documents out of meta.json into texts/)
      .lock                   held (flock: reader.store.lockfile) by the one writer, with the
                              folder itself; locked again at a save if it was deleted
      .lock.soft              the soft lock instead, on a file system without flock
      .lock.info              pid, host and time of the current writer

The JSON files are in TinyDB's layout (``{table: {doc_id: record}}``), so any
TinyDB can open them; see "Store" in the README for why the store itself does
not go through TinyDB.

Why ``texts/`` (schema 3): a compaction rewrites each file it changed whole. With the
imported texts in ``meta.json`` (schema 2), K imports one after another rewrote every
text imported so far each time (about K²/2 texts written), and one move of the reading
position rewrote them all at close. A text changes only when it is imported again, so it
gets a file of its own, written then and only then; ``meta.json`` keeps the small tables.
Not in the document's shard: that one is rewritten at every annotation. One file per
document rather than one for all texts, so that an import of one document writes one
text. Each is a store file like a shard (``.bak``, kept journal lists, recover, check, a
missing one refused at open); the journal's operations did not change (``["meta",
"documents", id, record]``): compaction writes them to ``texts/`` and open reads them back
into the image's table "documents", so the store, the PostgreSQL engine (a row of
``reader_meta``), copy and merge see the same table as before.

:meth:`FileEngine.commit` appends one line to ``journal.jsonl`` and ``fsync``\\ s
it before returning (about 0.1-1 ms). Every few thousand changes, and on
close, the journal is compacted: each changed shard (and ``meta.json``) is
rewritten atomically (old file kept as ``.bak``), the journal is kept in
``journals/`` for recovery, and then it is reset. Replaying is idempotent, so a crash at any point between those steps
loses nothing. A torn last journal line (the save never returned) is ignored;
a bad line in the middle is corruption.

:func:`iter_shards` is the one loop over shard files (and ``texts/`` files), used by opening,
:func:`~reader.store.recovery.check_store` and
:func:`~reader.store.recovery.recover_store`.
"""
from __future__ import annotations

import errno
import gc
import hashlib
import json
import os
import re
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Iterable, Iterator, Sequence

from reader import fsutil
from reader.errors import (StoreCorruptError, StoreError, StoreLockedError, StoreMetaMissingError, StoreVersionError,
                           UnstorableValueError)
from reader.model import Annotation, now_iso
from reader.store import safety
from reader.jsonvalue import as_str
from reader.protocols import JSON
from reader.store.base import (META_TABLES, SCHEMA_VERSION, TEXTS_SCHEMA, TEXTS_TABLE, CommitError, Op, StoreImage, op_doc,
                               ann_from_record, ann_record)
from reader.store.archive import ARCHIVE_DIR, JournalArchive, listed_names, missing_shards, present_files
from reader.store.lockfile import WriterLock, in_the_way
from reader.store.migrate import BACKUP_PREFIX, backup_for_upgrade
from reader.store.journal import (Journal, JournalCorrupt, Table, dumps, dumps_tables, encode_line, read_journal,
                                  read_json_file, record_ops)

META_FILE = "meta.json"
DOCS_DIR = "docs"
TEXTS_DIR = "texts"
JOURNAL_FILE = "journal.jsonl"
JOURNAL_PREV_FILE = "journal.prev.jsonl"
LOCK_FILE = ".lock"
LOCK_INFO_FILE = ".lock.info"

# Compact the journal into the shards after this many transactions or bytes.
COMPACT_RECORDS = 4000
COMPACT_BYTES = 8 * 1024 * 1024


#: the table "_text" of a ``texts/`` file: which imported document it holds, and its schema version
TEXT_INFO = "_text"


#: present in a folder that ``reader store copy`` is still filling (reader.store.transfer): every
#: command refuses to open it, in one line, instead of taking a part of a store for a whole one
PARTIAL_COPY_FILE = "COPY-UNFINISHED"


def refuse_partial_copy(path: Path) -> None:
    if (path / PARTIAL_COPY_FILE).exists():
        raise StoreError(f"{path}: an unfinished `reader store copy` (killed before the end): not a usable store; "
                         "delete this folder and copy again")


def store_files(path: Path) -> list[str]:
    """The files of ``path`` that only a store that has been written holds (shards, journals, backups):
    a folder with any of them and no ``meta.json`` lost it, it is not a new store. Empty when none."""
    found: list[str] = []
    for folder in (DOCS_DIR, TEXTS_DIR):
        if (path / folder).is_dir():
            with os.scandir(path / folder) as entries:
                shards = [e.name for e in entries
                          if e.name.endswith((".json", ".json.bak")) and not e.name.startswith(fsutil.TMP_PREFIX)]
            if shards:
                found.append(f"{len(shards)} file(s) in {folder}/")
    try:
        if (path / JOURNAL_FILE).stat().st_size > 0:
            found.append(JOURNAL_FILE)
    except OSError:
        pass
    for name in (META_FILE + ".bak", JOURNAL_PREV_FILE):
        if (path / name).exists():
            found.append(name)
    kept = path / ARCHIVE_DIR
    if kept.is_dir():
        with os.scandir(kept) as entries:
            if any(e.name.endswith(".jsonl") for e in entries):
                found.append(f"{ARCHIVE_DIR}/")  # the kept journals: a new store's compactions would prune them
    if path.is_dir():
        found += sorted(e.name for e in os.scandir(path)
                        if e.name.startswith((safety.TORN_PREFIX, BACKUP_PREFIX)))[:3]
    return found


def refuse_missing_meta(path: Path) -> None:
    """Raise :class:`~reader.errors.StoreMetaMissingError` when ``path`` lost its ``meta.json``."""
    if (path / META_FILE).exists():
        return
    found = store_files(path)
    if found:
        raise StoreMetaMissingError(path / META_FILE, ", ".join(found), backup_of(path / META_FILE))


def refuse_missing_shards(path: Path) -> None:
    """Raise :class:`StoreError` when a shard the store has is gone (deleted by hand or by a sync client)
    and `reader store recover` can bring it back: opened without it, the store would show its document
    without annotations, and a compaction of that document would prune the journal that rebuilds it.
    When ``journals/`` cannot be read (another user's folder, an I/O error) nothing is refused: the store
    opens as it did before the kept lists were read (`reader store check` names the folder)."""
    try:
        gone = missing_shards(path, listed=False)  # what only meta.json's list names is never rebuildable
    except OSError:
        return
    for missing in gone:
        if missing.rebuildable:
            source = f"{missing.path.name}.bak and the kept journals" if missing.backup else "the kept journals"
            raise StoreError(f"{missing.path}: {missing.reason}; not opened and nothing was written. Run "
                             f"`reader store recover --store {path}` to rebuild it from {source}.")


def shard_name(doc_id: str) -> str:
    safe = re.sub(r"[^\w.\-]", "_", doc_id, flags=re.ASCII).strip("._")[:60] or "doc"
    digest = hashlib.sha1(doc_id.encode("utf-8")).hexdigest()[:10]
    return f"{safe}-{digest}.json"


def backup_of(path: Path) -> Path | None:
    bak = path.with_name(path.name + ".bak")
    return bak if bak.exists() else None


def _unencodable(exc: UnicodeEncodeError) -> str:
    return f"holds a lone surrogate \\u{ord(exc.object[exc.start]):04x}, which cannot be saved as UTF-8"


def _check_version(path: Path, found: JSON) -> int:
    """``found``, a file's schema version; ValueError when it is no number, StoreVersionError when newer."""
    if not isinstance(found, int) or isinstance(found, bool):
        raise ValueError(f"schema_version is {found!r}, not a number")
    if found > SCHEMA_VERSION:
        raise StoreVersionError(path, found, SCHEMA_VERSION)
    return found


# --------------------------------------------------------------------------- reading files


def read_meta(path: Path, image: StoreImage) -> bool:
    """Load meta.json into ``image``. False when absent. Raises StoreCorruptError/StoreVersionError."""
    try:
        data = read_json_file(path)
    except ValueError as exc:
        raise StoreCorruptError(path, str(exc), backup_of(path)) from None
    except OSError as exc:
        raise StoreCorruptError(path, f"cannot read ({fsutil.os_reason(exc)})", backup_of(path)) from None
    if data is None:
        return False
    try:
        meta_rows = data.get("_meta") or {}
        if not isinstance(meta_rows, dict) or not meta_rows:
            raise ValueError('no "_meta" table with the schema version')
        row = next(iter(meta_rows.values()))
        if not isinstance(row, dict) or "schema_version" not in row:
            raise ValueError("no schema_version in the _meta table")
        image.schema_version = _check_version(path, row["schema_version"])
        image.created = str(row.get("created", ""))
        image.files = listed_names(row["files"]) if "files" in row else None
        for table in META_TABLES:
            rows = data.get(table) or {}
            if not isinstance(rows, dict):
                raise ValueError(f"table {table!r} is not an object")
            for rec in rows.values():
                if not isinstance(rec, dict) or "k" not in rec:
                    raise ValueError(f"table {table!r} has a record without a key")
                image.meta[table][as_str(rec["k"], f"a key of table {table!r}")] = rec.get("v")
    except ValueError as exc:
        raise StoreCorruptError(path, str(exc), backup_of(path)) from None
    return True


def read_shard(path: Path) -> tuple[str, list[Annotation]]:
    """(doc_id, annotations) of one shard file. Raises ValueError/OSError/StoreVersionError."""
    data = read_json_file(path)
    if data is None:
        raise ValueError("the file is missing")
    info = data.get("_shard") or {}
    if not isinstance(info, dict) or not info:
        raise ValueError('no "_shard" table naming the document')
    row = next(iter(info.values()))
    if not isinstance(row, dict) or not isinstance(row.get("doc_id"), str):
        raise ValueError("the _shard table has no doc_id")
    _check_version(path, row.get("schema_version", SCHEMA_VERSION))
    doc_id = as_str(row["doc_id"], "the _shard table's doc_id")
    rows = data.get("annotations") or {}
    if not isinstance(rows, dict):
        raise ValueError('table "annotations" is not an object')
    anns = []
    for rec in rows.values():
        ann = ann_from_record(rec)
        if ann.doc_id != doc_id:
            raise ValueError(f"annotation {ann.id} belongs to {ann.doc_id!r}, not {doc_id!r}")
        anns.append(ann)
    return doc_id, anns


def read_text(path: Path) -> tuple[str, JSON]:
    """(doc_id, its record in the table "documents", None when it has none) of one ``texts/`` file.
    Raises ValueError/OSError/StoreVersionError."""
    data = read_json_file(path)
    if data is None:
        raise ValueError("the file is missing")
    info = data.get(TEXT_INFO) or {}
    if not isinstance(info, dict) or not info:
        raise ValueError(f'no "{TEXT_INFO}" table naming the document')
    row = next(iter(info.values()))
    if not isinstance(row, dict) or not isinstance(row.get("doc_id"), str):
        raise ValueError(f"the {TEXT_INFO} table has no doc_id")
    _check_version(path, row.get("schema_version", SCHEMA_VERSION))
    doc_id = as_str(row["doc_id"], f"the {TEXT_INFO} table's doc_id")
    rows = data.get(TEXTS_TABLE) or {}
    if not isinstance(rows, dict):
        raise ValueError(f'table "{TEXTS_TABLE}" is not an object')
    value: JSON = None
    for rec in rows.values():
        if not isinstance(rec, dict) or rec.get("k") != doc_id:
            raise ValueError(f'table "{TEXTS_TABLE}" has a record that is not {doc_id!r}\'s')
        value = rec.get("v")
    return doc_id, value


@dataclass
class ShardRead:
    """One shard file (or ``texts/`` file) as :func:`iter_shards` found it: its content, or why not."""

    path: Path
    doc_id: str = ""
    anns: list[Annotation] = field(default_factory=list)
    text: JSON = None  # a texts/ file's record of its imported document (None: it has none)
    reason: str | None = None  # why it could not be read (None: it was)
    version_error: StoreVersionError | None = None  # written by a newer reader

    @property
    def ok(self) -> bool:
        return self.reason is None and self.version_error is None

    def error(self) -> StoreError:
        """The error to raise or report for a shard that is not ``ok``."""
        if self.version_error is not None:
            return self.version_error
        return StoreCorruptError(self.path, self.reason or "unreadable", backup_of(self.path))


def iter_shards(docs_dir: Path, *, texts: bool = False) -> Iterator[ShardRead]:
    """Every shard file of ``docs_dir`` (``texts``: every file of ``texts/``) in name order, read
    (never raises for one file)."""
    if not docs_dir.is_dir():
        return
    with os.scandir(docs_dir) as listing:
        entries = sorted(listing, key=lambda e: e.name)
    for entry in entries:
        if not entry.name.endswith(".json") or entry.name.startswith(fsutil.TMP_PREFIX):
            continue
        path = Path(entry.path)
        try:
            if texts:
                doc_id, text = read_text(path)
                read = ShardRead(path, doc_id, text=text)
            else:
                doc_id, anns = read_shard(path)
                read = ShardRead(path, doc_id, anns)
        except StoreVersionError as exc:
            yield ShardRead(path, version_error=exc)
        except (ValueError, OSError) as exc:
            yield ShardRead(path, reason=fsutil.os_reason(exc) if isinstance(exc, OSError) else str(exc))
        else:
            yield read


def load_shards(docs_dir: Path, image: StoreImage) -> None:
    """Every shard into ``image``; the first unreadable one raises its error."""
    for shard in iter_shards(docs_dir):
        if not shard.ok:
            raise shard.error()
        image.add_loaded(shard.doc_id, shard.anns)


def load_texts(texts_dir: Path, image: StoreImage) -> None:
    """Every ``texts/`` file into ``image``'s table "documents"; the first unreadable one raises its error."""
    rows = image.meta[TEXTS_TABLE]
    for text in iter_shards(texts_dir, texts=True):
        if not text.ok:
            raise text.error()
        if text.text is not None:
            rows[text.doc_id] = text.text


def text_key(op: Op) -> str | None:
    """The imported document whose ``texts/`` file the table operation ``op`` changes (None: another table)."""
    return str(op[2]) if op[0] in ("meta", "unmeta") and op[1] == TEXTS_TABLE else None


@dataclass
class Dirty:
    """What replayed operations changed: documents' shards, imported texts (their ``texts/`` files), meta.json."""

    docs: set[str] = field(default_factory=set)
    texts: set[str] = field(default_factory=set)
    meta: bool = False


def apply_records(records: Iterable[dict[str, JSON]], image: StoreImage, journal_path: Path) -> Dirty:
    """Replay journal records into ``image``: what they changed."""
    dirty = Dirty()
    for n, record in enumerate(records, 1):
        version = record.get("v", SCHEMA_VERSION)
        if isinstance(version, int) and version > SCHEMA_VERSION:
            raise StoreVersionError(journal_path, version, SCHEMA_VERSION)
        for op in record_ops(record):
            try:
                touched = image.apply(op)
            except (ValueError, TypeError, KeyError) as exc:
                raise StoreCorruptError(journal_path, f"record {n}: {exc}", None) from None
            if touched:
                dirty.docs.update(touched)
            elif isinstance(op, list) and (key := text_key(op)) is not None:
                dirty.texts.add(key)
            else:
                dirty.meta = True
    return dirty


# --------------------------------------------------------------------------- writing files


def shard_tables(doc_id: str, anns: Iterable[Annotation]) -> list[Table]:
    """A shard's tables, for :func:`~reader.store.journal.dumps_tables` (records made as they are written)."""
    ordered = sorted(anns, key=lambda a: (a.start, a.end, a.label, a.id))
    info: dict[str, JSON] = {"doc_id": doc_id, "schema_version": SCHEMA_VERSION}
    return [("_shard", [("1", info)]),
            ("annotations", ((str(i), ann_record(a)) for i, a in enumerate(ordered, 1)))]


def text_tables(doc_id: str, value: JSON) -> list[Table]:
    """A ``texts/`` file's tables: "_text" (doc_id, schema_version) and "documents", the document's one
    record ``{"k": doc_id, "v": value}`` (none once the document is gone: the file is kept, as a shard is)."""
    info: dict[str, JSON] = {"doc_id": doc_id, "schema_version": SCHEMA_VERSION}
    return [(TEXT_INFO, [("1", info)]), (TEXTS_TABLE, [] if value is None else [("1", {"k": doc_id, "v": value})])]


def meta_tables(image: StoreImage, version: int = SCHEMA_VERSION) -> list[Table]:
    """``meta.json``'s tables as schema ``version`` writes them, for :func:`~reader.store.journal.dumps_tables`.
    Since schema 3 the imported documents are not among them (each is in its ``texts/`` file); before,
    their texts are written one record at a time, never as one string of them all (issue 19)."""
    meta: dict[str, JSON] = {"schema_version": version, "created": image.created or now_iso()}
    if image.files is not None:  # the store's files, for a check to find one that is gone (StoreImage.files)
        meta["files"] = list[JSON](sorted(image.files))
    tables: list[Table] = [("_meta", [("1", meta)])]
    for table in META_TABLES:
        if table == TEXTS_TABLE and version >= TEXTS_SCHEMA:
            continue
        rows = image.meta.get(table, {})
        tables.append((table, ((str(i), {"k": k, "v": v}) for i, (k, v) in enumerate(rows.items(), 1))))
    return tables


def probe_writable(folder: Path) -> str | None:
    """None when ``folder`` accepts new files, else the reason (a real write probe, works as root)."""
    probe = folder / f".probe-{os.getpid()}-{threading.get_ident()}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, fsutil.FILE_MODE)
    except OSError as exc:
        return f"the store folder is not writable ({fsutil.os_reason(exc)})"
    os.close(fd)
    fsutil.unlink_quietly(probe)
    return None


class no_gc:
    """Pause the cyclic GC while creating many objects (loading, batches): it would
    rescan them all repeatedly. Nothing created there is cyclic."""

    def __enter__(self) -> None:
        self.was = gc.isenabled()
        gc.disable()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self.was:
            gc.enable()


# --------------------------------------------------------------------------- the engine


class FileEngine:
    """:class:`~reader.store.base.StorageEngine` on a local folder (see the module docstring).

    One writer at a time (an exclusive ``flock``); any number of read-only
    readers. ``annotator`` only goes into ``.lock.info`` for "locked by" messages.
    """

    def __init__(self, path: Path, *, readonly: bool = False, annotator: str = "") -> None:
        self.path = Path(path)
        self.location = str(self.path)
        self.readonly = readonly
        self.readonly_reason: str | None = "opened read-only" if readonly else None
        self.last_error: str | None = None
        self.annotator = annotator
        self._filelock: WriterLock | None = None
        self._journal: Journal | None = None
        self._image = StoreImage()
        self._dirty_docs: set[str] = set()
        self._dirty_texts: set[str] = set()  # imported documents whose texts/ file is to be rewritten
        self._dirty_meta = False
        self._files_grew = False  # files on disk that meta.json's list does not name yet: written at the next compaction
        #: files meta.json's list names that are gone, with nothing to rebuild them (``docs/x.json``): found at opening
        self.lost_files: list[str] = []
        self.upgraded: tuple[int, Path] | None = None  # (old schema, backup folder) after an upgrade
        self._identity: safety.JournalIdentity | None = None
        self.torn_kept: Path | None = None  # where a torn journal tail was kept on this open
        self._archive: JournalArchive | None = None  # the journals kept for recovery (made on first compaction)

    @property
    def meta_path(self) -> Path:
        return self.path / META_FILE

    @property
    def docs_dir(self) -> Path:
        return self.path / DOCS_DIR

    @property
    def texts_dir(self) -> Path:
        return self.path / TEXTS_DIR

    @property
    def journal_path(self) -> Path:
        return self.path / JOURNAL_FILE

    @property
    def lock_path(self) -> Path:
        return self.path / LOCK_FILE

    # ----------------------------------------------------------------- opening

    def load(self) -> StoreImage:
        if not self.readonly:
            try:
                self.path.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                if not self.path.is_dir():
                    if self.path.exists():
                        raise StoreError(f"{self.path}: the store path is not a folder") from None
                    self._fall_back_to_readonly(f"cannot create the store folder ({fsutil.os_reason(exc)})")
            if not self.readonly:
                reason = probe_writable(self.path)
                if reason:
                    self._fall_back_to_readonly(reason)
        elif self.path.exists() and not self.path.is_dir():
            raise StoreError(f"{self.path}: the store path is not a folder")
        safety.refuse_symlinks(self.path)  # before anything is opened (the folder itself may be a link)
        refuse_partial_copy(self.path)
        if not self.readonly:
            self._acquire()
        try:
            with no_gc():
                self._load()
        except BaseException:
            self.close()
            raise
        return self._image

    def _fall_back_to_readonly(self, reason: str) -> None:
        self.readonly = True
        self.readonly_reason = reason

    def _acquire(self) -> None:
        lock = WriterLock(self.lock_path)
        try:
            taken = lock.acquire()
        except OSError as exc:
            self._fall_back_to_readonly(in_the_way(self.lock_path, "a folder") if exc.errno == errno.EISDIR
                                        else f"cannot take the lock {self.lock_path} ({fsutil.os_reason(exc)})")
            return
        if not taken:
            raise StoreLockedError(self.lock_path, self._holder())
        self._filelock = lock
        info = {"pid": os.getpid(), "host": socket.gethostname(), "since": now_iso(), "user": self.annotator}
        try:
            fd = safety.open_nofollow(self.path / LOCK_INFO_FILE, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            try:
                os.write(fd, json.dumps(info).encode("utf-8"))
            finally:
                os.close(fd)
        except StoreError:
            self.close()
            raise
        except OSError:
            pass

    def _holder(self) -> str:
        try:
            info = json.loads((self.path / LOCK_INFO_FILE).read_text(encoding="utf-8"))
            who = f"{info['user']}, " if isinstance(info.get("user"), str) and info["user"] else ""
            return f"{who}pid {info.get('pid')} on {info.get('host')} since {info.get('since')}"
        except (OSError, ValueError, AttributeError):
            return ""

    def _load(self) -> None:
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
        image = StoreImage()
        has_meta = read_meta(self.meta_path, image)
        if not has_meta:
            refuse_missing_meta(self.path)  # never taken for a new store, never written over
        for folder in (self.docs_dir, self.texts_dir):  # a file there read as "no documents": exports lost them
            if os.path.lexists(folder) and not folder.is_dir():
                raise StoreError(f"{folder}: not a folder (a file is in the way): its documents cannot be read; move "
                                 f"it away, then run `reader store recover --store {self.path}`")
        load_shards(self.docs_dir, image)
        load_texts(self.texts_dir, image)  # none in a store of schema 2 (its texts are in meta.json)
        refuse_missing_shards(self.path)
        records: list[dict[str, JSON]] = []
        good = 0
        try:
            raw = self.journal_path.read_bytes()
        except FileNotFoundError:
            raw = b""
        except OSError as exc:
            raise StoreCorruptError(self.journal_path, f"cannot read ({fsutil.os_reason(exc)})") from None
        if raw:
            try:
                records, good, _ = read_journal(raw, strict=True)
            except JournalCorrupt as exc:
                raise StoreCorruptError(
                    self.journal_path,
                    f"{exc} (the changes before it are intact; `reader store recover` keeps every "
                    "readable change and moves the damaged journal aside)",
                    None,
                ) from None
        dirty = apply_records(records, image, self.journal_path)
        self._dirty_docs, self._dirty_texts, self._dirty_meta = dirty.docs, dirty.texts, dirty.meta
        self._image = image
        present = present_files(self.path)
        # what meta.json's list names and is gone (one that can be rebuilt was refused above): said at opening
        self.lost_files = sorted(image.files - present) if image.files is not None else []
        if self.readonly:
            return
        self._cleanup_tmp()
        self.docs_dir.mkdir(exist_ok=True)
        self.texts_dir.mkdir(exist_ok=True)
        # meta.json's list of the store's files: every file here is on it (a store written before the list, or
        # a meta.json rebuilt from its .bak, is missing some); it is written at the next compaction, not now
        if image.files is None or not present <= image.files:
            image.files = present | (image.files or set())
            self._files_grew = True
        if not has_meta:
            image.created = now_iso()
            fsutil.atomic_write(self.meta_path, dumps_tables(meta_tables(image)), backup=True)
        tail = safety.torn_tail(raw, good)
        if tail:
            # the last save was cut by a crash (it never returned): keep its bytes before cutting them off
            try:
                self.torn_kept = safety.keep_torn_tail(self.path, tail)
            except OSError as exc:
                self._fall_back_to_readonly(
                    f"the journal ends with a torn line that cannot be kept aside ({fsutil.os_reason(exc)})"
                )
                return
        self._journal = Journal(self.journal_path)
        self._journal.open(good, len(records))
        self._identity = safety.JournalIdentity(self.journal_path, self._journal.handle)
        if has_meta and image.schema_version < SCHEMA_VERSION:
            self._upgrade(image)

    def _upgrade(self, image: StoreImage) -> None:
        """An older schema: back the files up, then rewrite them all with this version.

        From schema 2 (or 1) each imported document moves out of meta.json into its own ``texts/`` file:
        its record is first appended to the journal (a line per document, a long text a piece at a
        time), so that the compaction that writes the file for the first time keeps in ``journals/``
        every change of it, as for a file an import wrote (`reader store recover` rebuilds it from there)."""
        old = image.schema_version
        try:
            backup = backup_for_upgrade(self.path, old)
        except OSError as exc:
            raise StoreError(
                f"{self.path}: store schema {old} needs an upgrade to {SCHEMA_VERSION}, but its backup "
                f"could not be made ({fsutil.os_reason(exc)}); nothing was changed") from None
        try:
            if old < TEXTS_SCHEMA and self._journal is not None:
                for doc_id, value in image.meta[TEXTS_TABLE].items():
                    self._journal.append(encode_line({"v": SCHEMA_VERSION, "ops": [["meta", TEXTS_TABLE, doc_id, value]]}))
                self._dirty_texts |= set(image.meta[TEXTS_TABLE])
            image.schema_version = SCHEMA_VERSION
            self._dirty_docs |= set(image.by_doc)
            self._dirty_meta = True
            self._compact()
        except (OSError, UnicodeEncodeError) as exc:
            why = fsutil.os_reason(exc) if isinstance(exc, OSError) else _unencodable(exc)
            raise StoreError(
                f"{self.path}: the upgrade of store schema {old} to {SCHEMA_VERSION} could not be written ({why}); "
                f"its files before it are in {backup.name}/ and the journal keeps every change: opening the "
                "store again tries again") from None
        self.upgraded = (old, backup)

    def _cleanup_tmp(self) -> None:
        for folder in (self.path, self.docs_dir, self.texts_dir):
            if not folder.is_dir():
                continue
            for entry in os.scandir(folder):
                if entry.name.startswith(fsutil.TMP_PREFIX) or entry.name.startswith(".probe-"):
                    fsutil.unlink_quietly(entry.path)

    # ----------------------------------------------------------------- saving

    def commit(self, ops: Sequence[Op]) -> None:
        if self._journal is None:
            raise CommitError(self.location, self.readonly_reason or "the store is not open for writing")
        try:
            line = encode_line({"v": SCHEMA_VERSION, "ops": list(ops)})
        except UnicodeEncodeError as exc:  # the store's checks refuse such values first (reader.store.storable)
            raise UnstorableValueError(f"a change to {self.path}", _unencodable(exc)) from None
        for op in ops:
            if op[0] in ("put", "del"):
                self._dirty_docs.add(op_doc(op))
            elif (key := text_key(op)) is not None:
                self._dirty_texts.add(key)
            else:
                self._dirty_meta = True
        gone = self._identity.problem(self._journal.handle) if self._identity is not None else None
        if not gone and self._filelock is not None:
            gone = self._filelock.reassert()  # a .lock deleted under us: locked again before anyone else
        if gone:
            raise CommitError(str(self.path), gone)
        try:
            self._journal.append(line)
        except OSError as exc:
            raise CommitError(str(self.journal_path), fsutil.os_reason(exc)) from None
        del line  # the journal has it: not kept through a compaction (1x an imported book's size; issue 19)
        j = self._journal
        if j.records >= COMPACT_RECORDS or j.size >= COMPACT_BYTES:
            try:
                self._compact()
            except (OSError, UnicodeEncodeError) as exc:
                # Not a lost save: the journal still holds every change. Try again later.
                why = fsutil.os_reason(exc) if isinstance(exc, OSError) else _unencodable(exc)
                self.last_error = f"{self.path}: compaction failed ({why}); the journal keeps the changes"

    def poll(self) -> list[Op]:
        return []  # one writer: nobody else changes the files while we hold the lock

    def compact(self) -> None:
        """Fold the journal into the shards. Raises CommitError (the journal keeps everything)."""
        try:
            self._compact()
        except OSError as exc:
            raise CommitError(self.location, fsutil.os_reason(exc)) from None
        except UnicodeEncodeError as exc:  # a value that slipped past the checks, in memory only
            raise CommitError(self.location, _unencodable(exc)) from None

    def _compact(self) -> None:
        if self._journal is None:
            return
        if not self._dirty_docs and not self._dirty_texts and not self._dirty_meta and self._journal.size == 0:
            return
        # 1) every changed file to a fsynced temp file, 2) all renamed into place
        # (old ones kept as .bak), 3) one fsync per folder, 4) the journal archived, 5) reset.
        # A crash anywhere before 5 replays the journal over whatever is in place.
        staged: list[tuple[Path, Path]] = []
        try:
            for doc_id in sorted(self._dirty_docs):
                anns = self._image.by_doc.get(doc_id, {})
                path = self.docs_dir / shard_name(doc_id)
                if not anns and not path.exists():
                    continue
                staged.append((fsutil.write_temp(path, dumps_tables(shard_tables(doc_id, anns.values()))), path))
            for doc_id in sorted(self._dirty_texts):  # an imported text: written when it changed, only then
                value = self._image.meta[TEXTS_TABLE].get(doc_id)
                path = self.texts_dir / shard_name(doc_id)
                if value is None and not path.exists():
                    continue
                staged.append((fsutil.write_temp(path, dumps_tables(text_tables(doc_id, value))), path))
            if self._list_files(path for _tmp, path in staged) or self._dirty_meta:
                # last: meta.json's list never names a file before it is in place
                staged.append((fsutil.write_temp(self.meta_path, dumps_tables(meta_tables(self._image))), self.meta_path))
            if self._archive is None:
                self._archive = JournalArchive(self.path, shard_name)
            # the list of the files about to be rewritten, before any is: a full journals/ fails the
            # compaction here, with no file rewritten and no .bak rotated (reader.store.archive)
            self._archive.announce((path for _tmp, path in staged), self.journal_path)
        except BaseException:
            for tmp, _path in staged:
                fsutil.unlink_quietly(tmp)
            raise
        for i, (tmp, path) in enumerate(staged):
            try:
                fsutil.commit_temp(tmp, path, backup=True)
            except BaseException:
                for later, _path in staged[i + 1:]:
                    fsutil.unlink_quietly(later)
                raise
        if staged:
            fsutil.fsync_dir(self.docs_dir)
            if any(path.parent == self.texts_dir for _tmp, path in staged):  # an import: not at every close
                fsutil.fsync_dir(self.texts_dir)
            fsutil.fsync_dir(self.path)
        # 4) the journal kept with the names of the files it rewrote: with each file's .bak it
        # rebuilds that file for `reader store recover` (reader.store.archive); never reset without it
        self._archive.keep(self.journal_path)
        self._dirty_docs = set()
        self._dirty_texts = set()
        self._dirty_meta = False
        self._files_grew = False
        self._journal.reset(keep_previous=self.path / JOURNAL_PREV_FILE)
        self._identity = safety.JournalIdentity(self.journal_path, self._journal.handle)
        self._archive.prune()

    def _list_files(self, written: Iterable[Path]) -> bool:
        """Add the shards and ``texts/`` files a compaction writes to meta.json's list of the store's files
        (:attr:`StoreImage.files`): True when the list changed, or grew at opening, and meta.json is to be
        written with it."""
        listed = self._image.files if self._image.files is not None else set()
        new = {f"{path.parent.name}/{path.name}" for path in written} - listed
        self._image.files = listed | new
        return bool(new) or self._files_grew

    def close(self) -> None:
        if self._journal is not None:
            self._journal.close()
            self._journal = None
        if self._filelock is not None:
            fsutil.unlink_quietly(self.path / LOCK_INFO_FILE)
            try:
                self._filelock.release()
            except Exception:
                pass
            self._filelock = None
