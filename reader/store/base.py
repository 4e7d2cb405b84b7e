"""What every storage engine shares: operations, the in-memory image, the engine Protocol.

A store's content is an **image** (:class:`StoreImage`): every annotation,
indexed by id and by document, plus the workspace tables (language cache,
overrides, done flags, imported documents, UI state, rejected keys). Every
change is a list of **operations**, JSON arrays that an engine makes durable:

* ``["put", annotation-record]``: insert or replace an annotation by id;
* ``["del", doc_id, ann_id]``: remove an annotation;
* ``["meta", table, key, value]``: set a workspace-table entry;
* ``["unmeta", table, key]``: remove one.

Operations are idempotent (upserts and deletes by id), so replaying them
twice is harmless. :class:`~reader.store.annotations.AnnotationStore` applies
a change to its image first and then hands the operations to its engine's
:meth:`StorageEngine.commit`; an engine never decides *what* changes, only
*how* it is kept.
"""
from __future__ import annotations

import dataclasses
from typing import Protocol, Sequence, runtime_checkable

from reader.errors import StoreError
from reader.model import STATUS_ACCEPTED, STATUS_SUGGESTED, Annotation
from reader.jsonvalue import as_object, as_str
from reader.protocols import JSON as JSON  # re-exported: engines import it from here

#: 2 added the ``links`` table (reader.store.links); 3 moved each imported document (the table
#: "documents") out of meta.json into a file of its own (reader.store.engine, ``texts/``). An older
#: store is upgraded in place on opening for writing, with a backup (reader.store.migrate).
SCHEMA_VERSION = 3

#: the workspace table of the imported documents (their texts), and the file schema since which the file
#: engine keeps each of its records in a file of its own instead of meta.json
TEXTS_TABLE = "documents"
TEXTS_SCHEMA = 3

#: The workspace tables, in the order they are written.
META_TABLES = ("languages", "overrides", "done", "documents", "state", "rejected", "links")

#: One operation (see the module docstring): a JSON array.
Op = list[JSON]


def op_key(op: Op) -> tuple[str, ...]:
    """The row an operation writes: ("a", annotation id) or ("m", table, key)."""
    if op[0] == "put":
        return ("a", as_str(put_record(op)["id"], "an annotation's id"))
    if op[0] == "del":
        return ("a", as_str(op[2], "a deletion's annotation id"))
    return ("m", as_str(op[1], "a table's name"), str(op[2]))


def put_record(op: Op) -> dict[str, JSON]:
    """The annotation record of a ``put`` operation (ValueError when it holds none)."""
    return as_object(op[1], "a put operation's record")


def op_doc(op: Op) -> str:
    """The document of a ``put`` or ``del`` operation (ValueError when it names none)."""
    return as_str(put_record(op)["doc_id"] if op[0] == "put" else op[1], "an operation's document id")


ANN_FIELDS = frozenset(f.name for f in dataclasses.fields(Annotation))
_ANN_DEFAULTS: dict[str, JSON] = {
    "note": "", "annotator": "unknown", "created": "", "updated": "", "doc_sha256": "",
    "status": STATUS_ACCEPTED, "source": "", "orphaned": False,
    "suggested_by": "",
}
_REQUIRED: tuple[tuple[str, type], ...] = (
    ("id", str), ("doc_id", str), ("start", int), ("end", int), ("label", str), ("text", str),
)


class CommitError(StoreError):
    """An engine could not make operations durable; ``reason`` says why in a few words.

    Nothing of the failed commit is kept by the engine: the caller may retry
    the same operations later.
    """

    def __init__(self, location: str, reason: str):
        self.location = location
        self.reason = reason
        super().__init__(f"{location}: {reason}")


class CommitConflict(CommitError):
    """A commit refused because a record changed since this session read it (another
    session's write won). Nothing was written; ``fresh`` are operations that set the
    session's image to the records' current state, ``reason`` is the one line to show."""

    fresh: list["Op"]


# --------------------------------------------------------------------------- records


def ann_from_record(rec: JSON) -> Annotation:
    """A stored record -> Annotation (validated; fast path, no dataclass machinery).

    Raises :class:`ValueError` naming the bad field.
    """
    if (
        rec.__class__ is dict and rec.keys() == ANN_FIELDS and rec["start"].__class__ is int
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
    data: dict[str, JSON]
    if rec.keys() == ANN_FIELDS:
        data = rec
    else:
        data = {**_ANN_DEFAULTS, **rec}
        if len(data) != len(ANN_FIELDS):
            data = {k: v for k, v in data.items() if k in ANN_FIELDS}
        if not data["updated"]:
            data["updated"] = data["created"]
    ann = object.__new__(Annotation)
    ann.__dict__.update(data)
    return ann


def ann_record(ann: Annotation) -> dict[str, JSON]:
    """Annotation -> plain dict (every field is a JSON scalar; much faster than asdict)."""
    return dict(ann.__dict__)


def credited(old: Annotation, new: Annotation, who: str) -> Annotation:
    """``new``, credited to ``who`` when it decides the suggestion ``old``: the one who accepts (or
    rejects) a suggestion becomes its annotator, and whoever suggested it is kept in ``suggested_by``."""
    if old.status == STATUS_SUGGESTED and new.status != STATUS_SUGGESTED and who:  # accepted or rejected
        new.suggested_by = old.suggested_by or old.annotator
        new.annotator = who
    return new


def copy_annotation(ann: Annotation) -> Annotation:
    clone = object.__new__(Annotation)
    clone.__dict__.update(ann.__dict__)
    return clone


#: duplicates are refused within one annotator's layer: two annotators may tag the same span
LayerKey = tuple[str, str, int, int, str]


def layer_key(ann: Annotation) -> LayerKey:
    """(annotator, doc_id, start, end, label): what makes an annotation a duplicate."""
    return (ann.annotator, ann.doc_id, ann.start, ann.end, ann.label)


# --------------------------------------------------------------------------- the image


class StoreImage:
    """The in-memory image of a store: annotations with indexes, workspace tables."""

    def __init__(self) -> None:
        self.anns: dict[str, Annotation] = {}
        self.by_doc: dict[str, dict[str, Annotation]] = {}
        self.meta: dict[str, dict[str, JSON]] = {t: {} for t in META_TABLES}
        self.schema_version = SCHEMA_VERSION
        self.created = ""
        #: the file engine's list of its store files (``docs/<name>.json``, ``texts/<name>.json``), kept in
        #: meta.json so that a check finds one that is gone when nothing else names it (``journals/`` deleted
        #: with it); None where unknown: another engine, or a file store written before the list existed
        self.files: set[str] | None = None

    def put(self, ann: Annotation) -> None:
        old = self.anns.get(ann.id)
        if old is not None and old.doc_id != ann.doc_id:
            self.by_doc.get(old.doc_id, {}).pop(ann.id, None)
        self.anns[ann.id] = ann
        self.by_doc.setdefault(ann.doc_id, {})[ann.id] = ann

    def add_loaded(self, doc_id: str, anns: Sequence[Annotation]) -> None:
        """Bulk insert of a freshly read shard (ids are normally new)."""
        bucket = self.by_doc.setdefault(doc_id, {})
        all_anns = self.anns
        for ann in anns:
            if ann.id in all_anns:  # should not happen (check_store reports it): last one wins
                self.put(ann)
            else:
                all_anns[ann.id] = ann
                bucket[ann.id] = ann

    def remove(self, ann_id: str) -> Annotation | None:
        old = self.anns.pop(ann_id, None)
        if old is not None:
            self.by_doc.get(old.doc_id, {}).pop(ann_id, None)
        return old

    def apply(self, op: JSON) -> tuple[str, ...]:
        """Apply one operation. Returns the documents it touched (empty for a table op).

        Raises :class:`ValueError` (or ``TypeError``/``KeyError``) for a malformed one.
        """
        if not isinstance(op, list) or not op:
            raise ValueError(f"bad operation {op!r:.80}")
        kind = op[0]
        if kind == "put":
            ann = ann_from_record(op[1])
            old = self.anns.get(ann.id)
            self.put(ann)
            if old is not None and old.doc_id != ann.doc_id:
                return (old.doc_id, ann.doc_id)
            return (ann.doc_id,)
        if kind == "del":
            _, doc_id, ann_id = op
            gone = self.remove(as_str(ann_id, "a deletion's annotation id"))
            return (gone.doc_id if gone else as_str(doc_id, "a deletion's document id"),)
        if kind == "meta":
            _, table, key, value = op
            self.meta.setdefault(as_str(table, "a table's name"), {})[as_str(key, "a table's key")] = value
            return ()
        if kind == "unmeta":
            _, table, key = op
            self.meta.setdefault(as_str(table, "a table's name"), {}).pop(as_str(key, "a table's key"), None)
            return ()
        raise ValueError(f"unknown operation {kind!r}")


# --------------------------------------------------------------------------- the engine interface


@runtime_checkable
class Versioned(Protocol):
    """An engine with optimistic concurrency (many writers): a change's operations are
    based on the record versions the session had when it made them, taken at once by
    :meth:`based_on`; :meth:`commit_based` refuses them with :class:`CommitConflict` when a
    record has changed since. (One writer, the file engine, needs none of it.)"""

    def based_on(self, ops: Sequence[Op]) -> list[int]: ...

    def commit_based(self, ops: Sequence[Op], bases: Sequence[int]) -> None: ...


@runtime_checkable
class Reachability(Protocol):
    """An engine on a server that can be out of reach (a database engine): since when it
    has not been reached (``time.time()``), or None while it answers."""

    offline_since: float | None


@runtime_checkable
class StorageEngine(Protocol):
    """Where a store's changes are kept. :class:`~reader.store.engine.FileEngine`
    (journal + TinyDB-format shards, one writer) is the default; a database
    engine (many writers) implements the same methods in its own module.

    Life cycle: :meth:`load` once, then any number of :meth:`commit` and
    :meth:`poll`, then :meth:`close`. The store serialises calls (one lock
    per store object); an engine need not be thread-safe itself.

    * ``location``: what to name in messages (a folder, a database URL without
      its password).
    * ``readonly`` / ``readonly_reason``: known after :meth:`load`. An engine
      that cannot write (folder not writable, lock held elsewhere and the
      caller asked for read-only, a read-only database role) says why.
    * :meth:`load` returns the whole image. An engine that needs exclusive
      access (the file engine's lock) takes it here and raises
      :class:`~reader.errors.StoreLockedError` when another writer has it;
      engines built for concurrent writers take no lock. Unreadable data
      raises :class:`~reader.errors.StoreCorruptError` or
      :class:`~reader.errors.StoreVersionError` and nothing is written.
      The returned image is the live one: the store applies each change to it
      *before* :meth:`commit`, so the engine may read it (the file engine
      compacts from it).
    * :meth:`commit` makes one transaction of operations durable before it
      returns, or raises :class:`CommitError` having kept nothing of it (the
      store keeps the operations and retries them, in order).
    * :meth:`poll` returns the operations other writers committed since the
      last :meth:`load` or :meth:`poll`, in commit order, **not** yet applied
      to the image (the store applies them and updates its indexes). A
      single-writer engine returns ``[]``.
    * :meth:`compact` folds committed operations into the engine's compact
      form (shards, a vacuum); a no-op where that means nothing.
      ``last_error`` holds the last background problem of that kind (a
      failed compaction loses nothing: the operations stay committed).
    * :meth:`close` releases what :meth:`load` took. Idempotent.

    Per-annotator undo needs nothing from the engine: each store object keeps
    the history of its own session (see :mod:`reader.store.history`).
    """

    location: str
    readonly: bool
    readonly_reason: str | None
    last_error: str | None

    def load(self) -> StoreImage: ...

    def commit(self, ops: Sequence[Op]) -> None: ...

    def poll(self) -> list[Op]: ...

    def compact(self) -> None: ...

    def close(self) -> None: ...
