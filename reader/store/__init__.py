"""The annotation store: annotations and workspace tables, saved durably, with undo/redo.

One job per module:

* :mod:`reader.store.base`: operations, the in-memory image, the
  :class:`StorageEngine` Protocol that every engine implements;
* :mod:`reader.store.engine`: :class:`FileEngine`, the default engine (the
  lock, the fsynced CRC journal, compaction into TinyDB-layout shards, the one
  shard iterator shared by open, check and recover); the on-disk layout is in
  its docstring;
* :mod:`reader.store.journal`: the engine's byte formats (JSON files, journal lines);
* :mod:`reader.store.annotations`: :class:`AnnotationStore`, the public API;
* :mod:`reader.store.validate`: :class:`~reader.store.validate.AnnotationValidator`
  (labels, offsets, span text, duplicates), shared by the store and its bulk writer;
* :mod:`reader.store.history`: undo/redo (:class:`Change`, :class:`History`);
* :mod:`reader.store.reanchor`: re-anchoring spans in changed documents (pure functions);
* :mod:`reader.store.state`: the workspace tables (language cache, overrides,
  done flags, imported documents, UI state, rejected spans), and
  :mod:`reader.store.links` the links: parts the store owns (composed);
* :mod:`reader.store.unavailable`: the empty read-only store the app runs with
  when the real one cannot be opened;
* :mod:`reader.store.recovery`: :func:`check_store` and :func:`recover_store`.

A file that cannot be parsed is never written: opening fails with
:class:`~reader.errors.StoreCorruptError` naming the file and its backup;
:func:`check_store` lists problems and :func:`recover_store` rebuilds the
store from the backups and the journals.
"""
from reader.store.annotations import AnnotationItem, AnnotationStore
from reader.store.archive import lost_files_line
from reader.store.base import SCHEMA_VERSION, CommitError, Op, StorageEngine, StoreImage
from reader.store.engine import FileEngine, shard_name
from reader.store.history import Change, History
from reader.model import ReanchorReport
from reader.store.recovery import check_store, recover_store

__all__ = [
    "SCHEMA_VERSION",
    "AnnotationItem",
    "AnnotationStore",
    "Change",
    "CommitError",
    "FileEngine",
    "History",
    "Op",
    "ReanchorReport",
    "StorageEngine",
    "StoreImage",
    "check_store",
    "lost_files_line",
    "recover_store",
    "shard_name",
]
