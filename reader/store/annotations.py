"""AnnotationStore: the store's public API, validation and the in-memory indexes.

Every change is validated, applied to the in-memory image, recorded in the
session's :class:`~reader.store.history.History`, and handed to the engine
(:class:`~reader.store.base.StorageEngine`; by default the
:class:`~reader.store.engine.FileEngine`), which makes it durable before the
call returns. A change the engine cannot save stays in memory as *unsaved*
(:attr:`AnnotationStore.unsaved`) and is retried, in order, before the next
one (or by :meth:`AnnotationStore.retry_unsaved`).
"""
from __future__ import annotations

import os
import sys
import threading
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Mapping, ParamSpec, Self, Sequence, TypeVar

from reader.errors import (
    AnnotationError,
    StoreConflictError,
    StoreError,
    StoreReadOnlyError,
    StoreWriteError,
    UnstorableValueError,
)
from reader.labels import LabelSet
from reader.model import STATUS_ACCEPTED, STATUS_REJECTED, STATUS_SUGGESTED, Annotation, Document, default_annotator, now_iso
from reader.protocols import JSON, AnnotationItem, CountKey, DocumentLookup, RejectedKey
from reader.store.base import (
    SCHEMA_VERSION, CommitConflict, CommitError, Op, Reachability, StorageEngine, Versioned, StoreImage, ann_record, copy_annotation,
    op_key,
)
from reader.store.bulk import BulkWriter
from reader.store.validate import AnnotationValidator
from reader.store.decisions import decision, is_shared, shown
from reader.store.engine import FileEngine, no_gc
from reader.store.history import Change, History, change_ops
from reader.model import ClusterDecision, Link, ReanchorReport
from reader.store.gold import GoldWriter
from reader.store.inspect import Inspector
from reader.store.part import StoreCore
from reader.store.links import LinkTable
from reader.store.undo import UndoMethods
from reader.store.reanchor import reanchor_documents
from reader.store.location import LabelSource, is_database_url, safe_location
from reader.store.state import WorkspaceTables
from reader.store.storable import check_fields, check_storable

if TYPE_CHECKING:
    from reader.store.postgres import PostgresEngine

P = ParamSpec("P")
R = TypeVar("R")
Key = tuple[str, int, int, str]


def _storable(moves: Iterable[tuple[Annotation, Annotation]]) -> Iterator[tuple[Annotation, Annotation]]:
    """The re-anchored annotations the store can keep (a corpus text with a lone surrogate: that span
    stays where it was rather than block every later save)."""
    for old, new in moves:
        try:
            check_fields(new)
        except UnstorableValueError:
            continue
        yield old, new


def _locked(method: Callable[P, R]) -> Callable[P, R]:
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with args[0]._lock:  # type: ignore[attr-defined]
            return method(*args, **kwargs)

    wrapper.__name__ = method.__name__
    wrapper.__doc__ = method.__doc__
    wrapper.__wrapped__ = method  # type: ignore[attr-defined]
    return wrapper


class PendingSaves:
    """Hands transactions to the engine in order. One the engine could not save
    is kept (in memory) and retried before any later one, so the saved order
    is always the order of the changes. On an engine with optimistic concurrency
    (:class:`~reader.store.base.Versioned`) each transaction keeps the record
    versions it was based on when it was made, so a retry is as stale as the
    change was; one refused as a conflict is dropped (never retried blindly) and
    handed to the store (:meth:`take_refused`) to reload."""

    def __init__(self, engine: StorageEngine) -> None:
        self._engine = engine
        self.last_error: str | None = None
        self._ops: list[list[Op]] = []
        self._bases: list[list[int] | None] = []
        self._refusing: list[tuple[CommitConflict, list[Op], set[tuple[str, ...]]]] = []

    def take_refused(self) -> list[tuple[CommitConflict, list[Op], set[tuple[str, ...]]]]:
        """The transactions refused as conflicts since the store last looked: (the error, their
        operations, the rows of the transactions after them, saved or still kept, whose
        values the image must keep rather than the refusal's reload)."""
        out, self._refusing = self._refusing, []
        for _exc, _ops, later in out:
            later.update(op_key(op) for ops in self._ops for op in ops)
        return out

    def __len__(self) -> int:
        return len(self._ops)

    def commit(self, ops: list[Op]) -> int:
        self._ops.append(ops)
        self._bases.append(self._engine.based_on(ops) if isinstance(self._engine, Versioned) else None)
        return self.flush()

    def flush(self) -> int:
        """Save every kept transaction; how many were saved. Raises StoreWriteError. One refused
        as a conflict is dropped and kept (see :meth:`take_refused`) for the
        store to reload; the ones after it are still saved."""
        saved = 0
        while self._ops:
            ops, bases = self._ops[0], self._bases[0]
            for _exc, _tx, later in self._refusing:  # written after a refused one: its reload must not undo them
                later.update(op_key(op) for op in ops)
            try:
                if bases is not None and isinstance(self._engine, Versioned):
                    self._engine.commit_based(ops, bases)
                else:
                    self._engine.commit(ops)
            except CommitConflict as exc:
                self._refusing.append((exc, ops, set()))
            except UnstorableValueError:
                # refused for good (a value slipped past the checks where it entered): retrying cannot
                # help, so it is dropped rather than kept first among the unsaved, blocking the rest
                self._ops.pop(0)
                self._bases.pop(0)
                raise
            except CommitError as exc:
                self.last_error = exc.reason
                raise StoreWriteError(exc.location, exc.reason, len(self._ops)) from None
            else:
                saved += 1
            self._ops.pop(0)
            self._bases.pop(0)
        if self._engine.last_error:
            self.last_error = self._engine.last_error
        return saved

    def transactions(self) -> list[list[Op]]:
        """The kept transactions, oldest first (copies of the lists)."""
        return [list(ops) for ops in self._ops]

    def discard(self) -> int:
        n = len(self._ops)
        self._ops = []
        self._bases = []
        return n

    def compact(self) -> None:
        """Compact, keeping a failure as ``last_error`` (it loses nothing)."""
        try:
            self._engine.compact()
        except CommitError as exc:
            self.last_error = f"{exc.location}: compaction failed ({exc.reason}); the journal keeps the changes"


class AnnotationStore(UndoMethods):
    """Annotations of a corpus, saved durably under ``path`` (see :mod:`reader.store`).

    Thread-safe (one ``RLock`` around every public method). Annotations that
    it returns are copies: change them through :meth:`update`.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] = "annotations",
        *,
        corpus: DocumentLookup | None = None,
        readonly: bool = False,
        annotator: str | None = None,
        engine: StorageEngine | None = None,
    ):
        self.annotator = annotator or default_annotator()
        check_storable("annotator", self.annotator)  # refused before anything is opened or written
        database = engine is None and is_database_url(path)
        pg: PostgresEngine | None = None
        if database:  # postgresql://...: many writers (imported only then: a folder store's start never loads it)
            from reader.store.postgres import PostgresEngine

            engine = pg = PostgresEngine(str(path), readonly=bool(readonly), annotator=self.annotator, login_default=annotator is None)
        #: the store folder; for a database, its URL without the password (for messages)
        self.path: Path | str = safe_location(str(path)) if database else Path(path)
        self._engine: StorageEngine = engine or FileEngine(Path(path), readonly=bool(readonly), annotator=self.annotator)
        self.location = self._engine.location
        self.reanchor_report: ReanchorReport | None = None
        self._lock = threading.RLock()
        self._closed = False
        self._history = History()
        self._corpus: DocumentLookup | None = None
        self._image: StoreImage = self._engine.load()
        if pg is not None:
            self.annotator = pg.annotator  # the login role, on a store with one login per person
        self._pending = PendingSaves(self._engine)
        self.readonly = self._engine.readonly
        self.readonly_reason = self._engine.readonly_reason
        self.schema_version = self._image.schema_version
        #: (old schema, backup folder) when opening upgraded an older file store in place
        self.upgraded: tuple[int, Path] | None = self._engine.upgraded if isinstance(self._engine, FileEngine) else None
        #: files of a folder store that meta.json lists and that are gone, with nothing to rebuild them
        self.lost_files: list[str] = list(self._engine.lost_files) if isinstance(self._engine, FileEngine) else []
        core = StoreCore(self._lock, self._image, self._history, self._commit, self._check_writable,
                         lambda: self.annotator, lambda: self.readonly)
        self._tables, self._links = WorkspaceTables(core), LinkTable(core)
        try:
            labels = self._engine.label_set() if isinstance(self._engine, LabelSource) else LabelSet.load(self.path)
        except BaseException:
            self._engine.close()
            raise
        self._validator = AnnotationValidator(labels, self.annotator, self._document)
        self._validator.index(self._image.anns.values())
        self._bulk = BulkWriter(self._image, self._validator, self._history, self._replace, self._commit, self._existing)
        self._gold = GoldWriter(core, self._replace, self._validator)
        self._inspector = Inspector(core, self._engine)
        if corpus is not None:
            self.reanchor_report = self.attach_corpus(corpus)

    @property
    def shared(self) -> bool:
        """Other writers may change this store while it is open (a database engine):
        call :meth:`refresh` now and then to see their changes."""
        return not isinstance(self._engine, FileEngine)

    @property
    def offline_since(self) -> float | None:
        """Since when (``time.time()``) a shared store's server has not been reached by a
        save or a :meth:`refresh`; None while it answers (always for a folder)."""
        return self._engine.offline_since if isinstance(self._engine, Reachability) else None

    @property
    def labels(self) -> LabelSet:
        """The label set (``labels.toml`` of the store folder, or the default one)."""
        return self._validator.labels

    # ----------------------------------------------------------------- context / closing

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        mode = "read-only" if self.readonly else "writable"
        return f"<AnnotationStore {str(self.path)!r} {mode}, {len(self._image.anns)} annotations>"

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Save pending changes, compact, release the engine (the lock). Idempotent. Unsaved changes
        that still cannot be written raise :class:`StoreWriteError`, the store staying open. Safe
        from a SIGTERM/SIGHUP handler: the lock is re-entrant and every returned save is durable."""
        with self._lock:
            if self._closed:
                return
            if not self.readonly:
                while True:
                    try:
                        self._flush()  # raises StoreWriteError, store stays open
                        break
                    except StoreConflictError:
                        continue  # that change lost to another session's: the others are still saved
                self._pending.compact()
            self._engine.close()
            self._closed = True

    @property
    def last_error(self) -> str | None:
        """The last background problem (a failed save or compaction), or None."""
        return self._pending.last_error

    # ----------------------------------------------------------------- saving

    def _check_writable(self) -> None:
        if self._closed:
            raise StoreError(f"{self.path}: the store is closed")
        if self.readonly:
            raise StoreReadOnlyError(self.path, self.readonly_reason or "the store is open read-only")

    def _commit(self, ops: list[Op]) -> None:
        """Make ``ops`` (already applied in memory) durable, in order after any unsaved ones.
        A change refused as a conflict is undone in memory (the records reloaded), dropped
        from the undo history, and raises :class:`StoreConflictError` with one line."""
        self._flush(ops)

    def _flush(self, ops: list[Op] | None = None) -> int:
        try:
            return self._pending.commit(ops) if ops is not None else self._pending.flush()
        finally:
            refused = self._pending.take_refused()
            for exc, tx, later in refused:
                for op in exc.fresh:
                    if op_key(op) not in later:
                        self._image.apply(op)
                if tx is ops:
                    self._history.drop_last()  # this very change: nothing of it to undo
            if refused:
                self._validator.index(self._image.anns.values())
                if sys.exc_info()[0] is None:
                    raise StoreConflictError(refused[0][0].reason)

    @_locked
    def compact(self) -> None:
        """Fold the saved changes into the engine's compact form now (also done
        automatically and on close). Raises :class:`CommitError` when it fails."""
        self._check_writable()
        if not len(self._pending):
            self._engine.compact()

    @property
    def unsaved(self) -> int:
        """Number of changes kept in memory because their save failed."""
        return len(self._pending)

    @_locked
    def retry_unsaved(self) -> int:
        """Try again to save the unsaved changes. Returns how many were saved; raises
        StoreWriteError (or StoreConflictError when one lost to another session's change)."""
        self._check_writable()
        return self._flush()

    @_locked
    def unsaved_changes(self) -> list[list[Op]]:
        """The unsaved transactions (operations), oldest first: what a rescue file keeps."""
        return self._pending.transactions()

    @_locked
    def discard_unsaved(self) -> int:
        """Forget the unsaved transactions (after they were written to a rescue file, or the
        user chose to lose them), so that :meth:`close` can finish. Returns how many."""
        return self._pending.discard()

    @_locked
    def apply_changes(self, ops: list[Op]) -> None:
        """Apply and save one transaction of raw operations (a rescue file's). Every
        operation is checked first; a bad one raises ``ValueError`` and nothing is applied."""
        self._check_writable()
        check_storable("the change", ops)
        scratch = StoreImage()
        for op in ops:
            scratch.apply(op)  # validates (raises ValueError/TypeError/KeyError)
        for op in ops:
            self._image.apply(op)
        self._validator.index(self._image.anns.values())
        self._commit(list(ops))

    @_locked
    def refresh(self) -> int:
        """Take in the changes other writers saved since the last call (an engine
        with one writer has none). Returns how many operations were applied."""
        ops = self._engine.poll()
        for op in ops:
            self._image.apply(op)
        if ops:
            self._validator.index(self._image.anns.values())
        return len(ops)

    # ----------------------------------------------------------------- documents

    @_locked
    def attach_corpus(self, corpus: DocumentLookup) -> ReanchorReport:
        """Validate later adds against ``corpus`` and re-anchor annotations of changed documents."""
        self._corpus = corpus
        self._validator.corpus_attached = True
        report = ReanchorReport(saved=not self.readonly)
        ops: list[Op] = []
        for old, new in _storable(reanchor_documents(self._image.by_doc, self._document, report, now_iso())):
            self._replace(old, new)
            ops.append(["put", ann_record(new)])
        if ops and not self.readonly:
            try:
                self._commit(ops)
            except StoreWriteError:
                report.saved = False
        self.reanchor_report = report
        return report

    def _document(self, doc_id: str) -> Document | None:
        if self._corpus is not None:
            doc = self._corpus.get(doc_id)
            if doc is not None:
                return doc
        return self._tables.imported(doc_id)

    @_locked
    def document(self, doc_id: str) -> Document | None:
        """The document the store validates ``doc_id``'s spans against (corpus first, then imported)."""
        return self._document(doc_id)

    def _replace(self, old: Annotation | None, new: Annotation | None) -> None:
        if old is not None:
            self._image.remove(old.id)
        if new is not None:
            self._image.put(new)
        self._validator.replaced(old, new)

    # ----------------------------------------------------------------- changing annotations

    @_locked
    def add(
        self, doc_id: str, start: int, end: int, label: str, note: str = "", *,
        annotator: str | None = None, status: str = STATUS_ACCEPTED, source: str = "", text: str | None = None,
    ) -> Annotation:
        """Add one annotation; durable when it returns (or StoreWriteError, kept as unsaved)."""
        self._check_writable()
        ann = self._validator.make({
            "doc_id": doc_id, "start": start, "end": end, "label": label, "note": note,
            "annotator": annotator, "status": status, "source": source, "text": text,
        })
        return self._add_one(ann)

    @_locked
    def add_many(
        self, items: Iterable[AnnotationItem], *, source: str = "", skip_duplicates: bool = True
    ) -> list[Annotation]:
        """Add many annotations with one durable save (imports, suggestions). ``items`` are
        :class:`Annotation` objects, dicts with the same fields (``doc_id``, ``start``, ``end``,
        ``label``; optional ``note``, ``text``, ``annotator``, ``status``, ``source``, ``id``,
        ``created``, ``updated``) or tuples ``(doc_id, start, end, label[, note])``. Everything
        is validated first: a bad item raises and nothing is added. Exact duplicates (of the
        store or within ``items``) are skipped unless ``skip_duplicates=False``. Returns the
        annotations added; undo removes them all at once."""
        self._check_writable()
        with no_gc():
            return self._bulk.add_many(items, source, skip_duplicates)

    def _add_one(self, new: Annotation) -> Annotation:
        if new.status != STATUS_REJECTED:
            self._validator.not_duplicate(new)
        self._replace(None, new)
        self._history.record(Change("add", None, new))
        self._commit([["put", ann_record(new)]])
        return copy_annotation(new)

    def _existing(self, ann_id: str) -> Annotation:
        old = self._image.anns.get(ann_id)
        if old is None:
            raise AnnotationError(f"{self.path}: no annotation with id {ann_id!r}")
        return old

    @_locked
    def update(
        self, ann_id: str, *, label: str | None = None, note: str | None = None, status: str | None = None,
        start: int | None = None, end: int | None = None,
    ) -> Annotation:
        """Change label, note, status or span. Durable when it returns. Deciding someone else's
        suggestion adds the decision to this annotator's layer instead (reader.store.decisions)."""
        self._check_writable()
        for name, value in (("label", label), ("note", note), ("status", status)):
            check_storable(name, value)
        old = self._existing(ann_id)
        if status not in (None, STATUS_SUGGESTED) and is_shared(old, self.annotator) and start is end is None:
            return self._add_one(decision(old, self.annotator, status, now_iso(), label=label, note=note))
        new = self._validator.changed(old, label, note, status, start, end, self.annotator)
        if new == old:
            return copy_annotation(old)
        new.updated = now_iso()
        if new.status != STATUS_REJECTED:
            self._validator.not_duplicate(new, own_id=old.id)
        self._replace(old, new)
        self._history.record(Change("update", old, new))
        self._commit([["put", ann_record(new)]])
        return copy_annotation(new)

    @_locked
    def update_many(self, ann_ids: Iterable[str], *, label: str | None = None, status: str | None = None) -> list[Annotation]:
        """Change the label or status of many annotations with one durable save.

        Used for "accept all suggestions": everything is checked first (a bad
        id, label or a resulting duplicate raises and nothing changes), and one
        undo restores them all. Returns the annotations that changed.
        """
        self._check_writable()
        return self._bulk.update_many(ann_ids, label, status)

    @_locked
    def set_scores(self, scores: Mapping[str, tuple[float, str]]) -> int:
        """Replace the score and reason of suggestions (re-scoring from learned decisions).

        One durable save; not an undo step (it is not the user's edit, and the
        next re-scoring would redo it anyway). Ids that are gone or not
        suggestions are skipped. Returns how many changed.
        """
        self._check_writable()
        return self._bulk.set_scores(scores)

    @_locked
    def delete(self, ann_id: str) -> Annotation:
        """Remove an annotation (a deleted suggestion is remembered as rejected). Durable. Someone
        else's suggestion stays for the others: this annotator's rejection is added instead."""
        self._check_writable()
        old = self._existing(ann_id)
        if is_shared(old, self.annotator):
            self._add_one(decision(old, self.annotator, STATUS_REJECTED, now_iso()))
            return copy_annotation(old)
        self._replace(old, None)
        self._history.record(Change("delete", old, None))
        ops: list[Op] = [["del", old.doc_id, old.id]]
        if old.status == STATUS_SUGGESTED:
            ops.append(self._tables.reject_op(old))
        self._commit(ops)
        return copy_annotation(old)

    # ----------------------------------------------------------------- reading annotations

    @_locked
    def get(self, ann_id: str) -> Annotation | None:
        ann = self._image.anns.get(ann_id)
        return copy_annotation(ann) if ann is not None else None

    @_locked
    def for_document(
        self, doc_id: str, *, statuses: Iterable[str] = (STATUS_ACCEPTED, STATUS_SUGGESTED)
    ) -> list[Annotation]:
        """The document's annotations (orphaned ones included), sorted by (start, end, label)."""
        anns = [copy_annotation(a) for a in shown(self._image.by_doc.get(doc_id, {}).values(), self.annotator, statuses)]
        anns.sort(key=lambda a: (a.start, a.end, a.label, a.id))
        return anns

    @_locked
    def all(self, *, statuses: Iterable[str] = (STATUS_ACCEPTED,)) -> list[Annotation]:
        """Every annotation with one of ``statuses``, sorted by (doc_id, start, end, label)."""
        anns = [copy_annotation(a) for a in shown(self._image.anns.values(), self.annotator, statuses)]
        anns.sort(key=lambda a: (a.doc_id, a.start, a.end, a.label, a.id))
        return anns

    @_locked
    def count_by_document(
        self, *, statuses: Iterable[str] = (STATUS_ACCEPTED,), by: CountKey = "label"
    ) -> dict[str, Counter[str]]:
        """Per document, how many annotations with one of ``statuses`` there are per label
        (or per annotator, ``by="annotator"``), as this session sees them (not the shared
        suggestions it has decided). No copies: cheap at 100k."""
        result: dict[str, Counter[str]] = {}
        for doc_id, anns in self._image.by_doc.items():
            visible = shown(anns.values(), self.annotator, statuses)
            counter = Counter(a.annotator if by == "annotator" else a.label for a in visible)
            if counter:
                result[doc_id] = counter
        return result

    def __len__(self) -> int:
        return len(self._image.anns)

    @_locked
    def doc_ids(self) -> list[str]:
        """Ids of documents that have annotations (any status)."""
        return sorted(d for d, anns in self._image.by_doc.items() if anns)

    # ----------------------------------------------------------------- workspace tables (reader.store.state.WorkspaceTables)
    def imported_documents(self) -> list[Document]:
        return self._tables.imported_documents()
    def add_documents(self, docs: Iterable[Document]) -> int:
        return self._tables.add_documents(docs)
    def cached_language(self, sha256: str) -> dict[str, JSON] | None:
        return self._tables.cached_language(sha256)
    def cache_languages(self, results: dict[str, dict[str, JSON]]) -> None:
        self._tables.cache_languages(results)
    def language_overrides(self) -> dict[str, str]:
        return self._tables.language_overrides()
    def set_language_override(self, doc_id: str, lang: str | None) -> None:
        self._tables.set_language_override(doc_id, lang)
    def doc_status(self, doc_id: str) -> str:
        return self._tables.doc_status(doc_id)
    def set_done(self, doc_id: str, done: bool) -> None:
        self._tables.set_done(doc_id, done)
    def get_state(self, key: str, default: JSON = None) -> JSON:
        return self._tables.get_state(key, default)
    def set_state(self, key: str, value: JSON) -> None:
        self._tables.set_state(key, value)
    def rejected_keys(self, doc_id: str) -> set[RejectedKey]:
        return self._tables.rejected_keys(doc_id)

    # ----------------------------------------------------------------- links (reader.store.links.LinkTable)
    def links(self, *, statuses: Iterable[str] = (STATUS_ACCEPTED,)) -> list[Link]:
        return self._links.links(statuses=statuses)
    def links_of(self, ann_id: str, *, statuses: Iterable[str] = (STATUS_ACCEPTED, STATUS_SUGGESTED)) -> list[Link]:
        return self._links.links_of(ann_id, statuses=statuses)
    def get_link(self, link_id: str) -> Link | None:
        return self._links.get_link(link_id)
    def link_between(self, a: str, b: str) -> Link | None:
        return self._links.link_between(a, b)
    def link_groups(self, *, statuses: Iterable[str] = (STATUS_ACCEPTED,)) -> list[list[Annotation]]:
        return self._links.link_groups(statuses=statuses)
    def link(self, a: str, b: str, *, status: str = STATUS_ACCEPTED, source: str = "", annotator: str | None = None) -> Link:
        return self._links.link(a, b, status=status, source=source, annotator=annotator)
    def link_many(self, pairs: Iterable[tuple[str, str]], *, status: str = STATUS_ACCEPTED, source: str = "",
                  annotator: str | None = None) -> list[Link]:
        return self._links.link_many(pairs, status=status, source=source, annotator=annotator)
    def restore_links(self, links: Iterable[Link]) -> int:
        return self._links.restore_links(links)
    def update_link(self, link_id: str, *, status: str) -> Link:
        return self._links.update_link(link_id, status=status)
    def unlink(self, link_id: str) -> Link:
        return self._links.unlink(link_id)

    # ----------------------------------------------------------------- gold decisions (reader.store.gold.GoldWriter), diagnostics
    def decisions(self, doc_id: str) -> dict[tuple[int, int], JSON]:
        return self._gold.decisions(doc_id)
    def decide_clusters(self, decisions: Sequence[ClusterDecision], *, layer: str, source: str = "") -> list[Annotation]:
        return self._gold.decide_clusters(decisions, layer=layer, source=source)
    def table(self, name: str) -> dict[str, JSON]:
        return self._inspector.table(name)
    def inspect(self, key: tuple[str, ...] | None = None) -> dict[str, JSON]:
        return self._inspector.inspect(key)


__all__ = ["AnnotationStore", "AnnotationItem", "SCHEMA_VERSION"]
