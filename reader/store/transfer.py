"""Copying a store between engines: ``reader store copy SRC DST`` (JSON <-> PostgreSQL).

Lossless: every annotation record as it is (ids, annotators, times, statuses,
orphan flags), every workspace table (language cache, overrides, done flags,
imported documents with their text, UI state, rejected suggestions, links)
and the label set (``labels.toml``; kept in the database for PostgreSQL). The
target must be empty (a new folder or database): copying never merges (see
``reader merge`` for that).
"""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from reader import fsutil
from reader.errors import ReaderError
from reader.labels import LABELS_FILE, LabelSet
from reader.store.base import META_TABLES, Op, StorageEngine, StoreImage, ann_record
from reader.store.engine import PARTIAL_COPY_FILE, FileEngine
from reader.store.postgres import PostgresEngine, is_database_url, safe_location

BATCH = 5000  # operations per transaction


def open_engine(location: str | Path, *, readonly: bool, annotator: str = "copy") -> StorageEngine:
    """The engine for a store folder or a ``postgresql://`` URL (not loaded yet)."""
    if is_database_url(location):
        return PostgresEngine(str(location), readonly=readonly, annotator=annotator)
    return FileEngine(Path(location), readonly=readonly, annotator=annotator)


def labels_text(engine: StorageEngine, location: str | Path) -> str | None:
    """The source's labels.toml text, checked first: a label set that cannot be read is
    never carried into another store (where every user of it would meet the error)."""
    if isinstance(engine, PostgresEngine):
        value = engine.get_info(LABELS_FILE)
        if not isinstance(value, str):
            return None
        engine.label_set()  # raises LabelsError
        return value
    path = Path(location) / LABELS_FILE
    if not path.is_file():
        return None
    LabelSet.from_file(path)  # raises LabelsError naming the file
    return path.read_text(encoding="utf-8")


@dataclass
class CopyReport:
    source: str
    target: str
    annotations: int
    entries: int
    labels: bool

    def summary(self) -> str:
        labels = "; labels.toml copied" if self.labels else ""
        return (f"{self.source} -> {self.target}: {self.annotations} annotation(s) and "
                f"{self.entries} workspace entr{'y' if self.entries == 1 else 'ies'} copied{labels}")


def copy_store(source: str | Path, target: str | Path) -> CopyReport:
    """Copy ``source`` into the empty store ``target``, atomically: into a database in one
    transaction; into a folder through a temporary folder beside it, renamed into place at the
    end. A copy killed half-way leaves the target as it was (a rerun works); the temporary
    folder it leaves is refused by every command and removed by the next copy."""
    src_name = display_name(source)
    dst_name = display_name(target)
    if not is_database_url(source) and not (Path(source) / "meta.json").is_file():
        raise ReaderError(f"{src_name}: not a reader store (no meta.json)")
    if same_store(source, target):
        raise ReaderError(f"{src_name}: source and target are the same store")
    src = open_engine(source, readonly=True)
    try:
        image = src.load()
        labels = labels_text(src, source)
    finally:
        src.close()
    ops: list[Op] = [["put", ann_record(a)] for a in sorted(image.anns.values(), key=lambda a: (a.doc_id, a.id))]
    entries = 0
    for table in META_TABLES:
        for key, value in image.meta.get(table, {}).items():
            ops.append(["meta", table, key, value])
            entries += 1
    if is_database_url(target):
        _copy_into_database(str(target), dst_name, ops, labels)
    else:
        _copy_into_folder(Path(target), dst_name, ops, labels)
    return CopyReport(src_name, dst_name, len(image.anns), entries, labels is not None)


def _refuse_non_empty(into: StoreImage, dst_name: str) -> None:
    if into.anns or any(into.meta.get(t) for t in META_TABLES):
        raise ReaderError(f"{dst_name}: the target store is not empty; copy into a new folder or an empty "
                          "database (use `reader merge` to combine stores)")


def _copy_into_database(url: str, dst_name: str, ops: list[Op], labels: str | None) -> None:
    dst = PostgresEngine(url, readonly=False, annotator="copy")
    try:
        into = dst.load()
        if dst.readonly:
            raise ReaderError(f"{dst_name}: cannot write ({dst.readonly_reason})")
        _refuse_non_empty(into, dst_name)
        dst.set_labels_toml(labels)  # first: a copy killed after it leaves an empty store, which a rerun fills
        if ops:
            dst.commit(ops)  # one transaction: all of it or nothing
    finally:
        dst.close()


def partial_folder(target: Path) -> Path:
    """Where a copy into the folder ``target`` is built before it is renamed into place."""
    return target.parent / f".{target.name}.copy-unfinished"


def _copy_into_folder(target: Path, dst_name: str, ops: list[Op], labels: str | None) -> None:
    if target.exists():
        if not target.is_dir():
            raise ReaderError(f"{dst_name}: the target exists and is not a folder")
        if any(target.iterdir()):
            existing = FileEngine(target, readonly=True, annotator="copy")
            try:
                _refuse_non_empty(existing.load(), dst_name)
            finally:
                existing.close()
    work = partial_folder(target)
    if work.exists():  # left by a copy that was killed: never a store anyone uses (it is refused)
        shutil.rmtree(work)
    dst = FileEngine(work, readonly=False, annotator="copy")
    into = dst.load()
    try:
        if dst.readonly:
            raise ReaderError(f"{dst_name}: cannot write ({dst.readonly_reason})")
        fsutil.atomic_write(work / PARTIAL_COPY_FILE, b"reader store copy: not finished\n")
        for i in range(0, len(ops), BATCH):
            batch = ops[i:i + BATCH]
            for op in batch:  # the file engine compacts from its image
                into.apply(op)
            dst.commit(batch)
        if labels is not None:
            fsutil.atomic_write(work / LABELS_FILE, labels.encode("utf-8"))
        dst.compact()
    finally:
        dst.close()
    (work / PARTIAL_COPY_FILE).unlink()
    fsutil.replace_dir(work, target)  # an empty folder or empty store there is set aside, then removed


def label_set_of(engine: StorageEngine, location: str | Path) -> LabelSet:
    """The store's label set: kept in the database, or the folder's ``labels.toml`` (or the defaults)."""
    if isinstance(engine, PostgresEngine):
        return engine.label_set()
    return LabelSet.load(Path(location))


def same_store(a: str | Path, b: str | Path) -> bool:
    """Whether two locations name the same store (a folder resolved, a URL without its password)."""
    if is_database_url(a) or is_database_url(b):
        return is_database_url(a) and is_database_url(b) and safe_location(str(a)) == safe_location(str(b))
    return Path(a).resolve() == Path(b).resolve()


def display_name(location: str | Path) -> str:
    """A store's name for messages: a folder as given, a URL without its password."""
    return safe_location(str(location)) if is_database_url(location) else str(location)
