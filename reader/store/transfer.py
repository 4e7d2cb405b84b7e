"""Copying a store between engines: ``reader store copy SRC DST`` (JSON <-> PostgreSQL).

Lossless: every annotation record as it is (ids, annotators, times, statuses,
orphan flags), every workspace table (language cache, overrides, done flags,
imported documents with their text, UI state, rejected suggestions, links)
and the label set (``labels.toml``; kept in the database for PostgreSQL). The
target must be empty (a new folder or database): copying never merges (see
``reader merge`` for that).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reader import fsutil
from reader.errors import ReaderError
from reader.labels import LABELS_FILE, LabelSet
from reader.store.base import META_TABLES, Op, StorageEngine, ann_record
from reader.store.engine import FileEngine
from reader.store.postgres import PostgresEngine, is_database_url, safe_location

BATCH = 5000  # operations per transaction


def open_engine(location: str | Path, *, readonly: bool, annotator: str = "copy") -> StorageEngine:
    """The engine for a store folder or a ``postgresql://`` URL (not loaded yet)."""
    if is_database_url(location):
        return PostgresEngine(str(location), readonly=readonly, annotator=annotator)
    return FileEngine(Path(location), readonly=readonly, annotator=annotator)


def _labels_text(engine: StorageEngine, location: str | Path) -> str | None:
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
    src_name = safe_location(str(source)) if is_database_url(source) else str(source)
    dst_name = safe_location(str(target)) if is_database_url(target) else str(target)
    if not is_database_url(source) and not (Path(source) / "meta.json").is_file():
        raise ReaderError(f"{src_name}: not a reader store (no meta.json)")
    if str(source) == str(target):
        raise ReaderError(f"{src_name}: source and target are the same store")
    src = open_engine(source, readonly=True)
    try:
        image = src.load()
        labels = _labels_text(src, source)
    finally:
        src.close()
    dst = open_engine(target, readonly=False)
    into = dst.load()
    try:
        if dst.readonly:
            raise ReaderError(f"{dst_name}: cannot write ({dst.readonly_reason})")
        if into.anns or any(into.meta.get(t) for t in META_TABLES):
            raise ReaderError(f"{dst_name}: the target store is not empty; copy into a new folder or an empty "
                              "database (use `reader merge` to combine stores)")
        ops: list[Op] = [["put", ann_record(a)] for a in sorted(image.anns.values(), key=lambda a: (a.doc_id, a.id))]
        entries = 0
        for table in META_TABLES:
            for key, value in image.meta.get(table, {}).items():
                ops.append(["meta", table, key, value])
                entries += 1
        for i in range(0, len(ops), BATCH):
            batch = ops[i:i + BATCH]
            for op in batch:  # the file engine compacts from its image
                into.apply(op)
            dst.commit(batch)
        if labels is not None:
            if isinstance(dst, PostgresEngine):
                dst.set_labels_toml(labels)
            else:
                fsutil.atomic_write(Path(target) / LABELS_FILE, labels.encode("utf-8"))
        dst.compact()
    finally:
        dst.close()
    return CopyReport(src_name, dst_name, len(image.anns), entries, labels is not None)
