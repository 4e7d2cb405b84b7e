"""AnnotationController: what the user does to one document's annotations (no Textual).

The reading pane (``reader.tui.widgets.pane``) turns keys into calls here and shows
the :class:`Outcome` it gets back; this class talks to the store and the
corpus and never to the screen, so it is unit-tested without an app.

Jobs: tagging a selection, re-labelling, notes, delete, undo/redo, accepting
and rejecting suggestions (one at a time or all at once), the document's
language (through the same path as the library and the CLI:
``corpus.set_language_override(..., store=)``), and the retry of changes a
failing disk left unsaved.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, ParamSpec, Protocol, TypeVar

from reader.errors import ReaderError, StoreWriteError
from reader.model import STATUS_ACCEPTED, STATUS_REJECTED, STATUS_SUGGESTED, Annotation, Document

_P = ParamSpec("_P")
_T = TypeVar("_T")


class ChangeLike(Protocol):
    kind: str
    before: Annotation | None
    after: Annotation | None
    items: tuple["ChangeLike", ...]


class ControllerStore(Protocol):
    """The part of the store API the controller uses."""

    @property
    def unsaved(self) -> int: ...

    @property
    def annotator(self) -> str: ...

    @property
    def shared(self) -> bool: ...

    def for_document(self, doc_id: str) -> list[Annotation]: ...

    def add(self, doc_id: str, start: int, end: int, label: str) -> Annotation: ...

    def update(self, ann_id: str, *, label: str | None = None, note: str | None = None, status: str | None = None) -> Annotation: ...

    def update_many(self, ann_ids: list[str], *, status: str | None = None) -> list[Annotation]: ...

    def delete(self, ann_id: str) -> Annotation: ...

    def undo(self) -> ChangeLike | None: ...

    def redo(self) -> ChangeLike | None: ...

    def retry_unsaved(self) -> int: ...

    def get_state(self, key: str, default: Any = None) -> Any: ...

    def set_state(self, key: str, value: Any) -> None: ...


class ControllerCorpus(Protocol):
    def get(self, doc_id: str) -> Document | None: ...

    def set_language_override(self, doc_id: str, lang: str | None, store: ControllerStore) -> Document: ...


def span_label(start: int, end: int) -> str:
    return f"{start}–{end}"


@dataclass
class Outcome:
    """What an action did, for the screen: a status line, and whether annotations changed.

    ``error``: a message for a notification (the action failed or did nothing
    useful). ``unsaved``: the change is in memory only; the caller should
    schedule :meth:`AnnotationController.retry`.
    """

    message: str = ""
    changed: bool = False
    error: str = ""
    warning: bool = False
    unsaved: bool = False
    annotation: Annotation | None = None
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass(frozen=True)
class Counts:
    """Per-label counts of one document's annotations."""

    accepted: Counter[str]
    suggested: Counter[str]
    orphaned: int

    @property
    def total_suggested(self) -> int:
        return sum(self.suggested.values())


class AnnotationController:
    """One document's annotations, and the user's actions on them."""

    def __init__(self, store: ControllerStore, corpus: ControllerCorpus, doc_id: str) -> None:
        self.store = store
        self.corpus = corpus
        self.doc_id = doc_id
        self.annotations: list[Annotation] = []
        self._by_id: dict[str, Annotation] = {}
        # Layers (issue 11): on a shared store each annotator sees their own layer, and may
        # look at another's, or at all of them, read-only. A single-person store shows all.
        self.own = store.annotator
        self.layer: str | None = self.own if store.shared else None  # None: every layer
        self.layer_names: list[str] = []  # annotators with spans in this document

    # ------------------------------------------------------------ reading
    @property
    def document(self) -> Document:
        doc = self.corpus.get(self.doc_id)
        if doc is None:
            raise ReaderError(f"{self.doc_id}: no such document")
        return doc

    def reload(self) -> str:
        """Read the document's annotations again; returns an error message or ''."""
        try:
            anns = self.store.for_document(self.doc_id)
            error = ""
        except ReaderError as exc:
            anns, error = [], str(exc)
        self.layer_names = sorted({a.annotator for a in anns})
        if self.layer is not None:
            anns = [a for a in anns if a.annotator == self.layer]
        self.annotations = anns
        self._by_id = {a.id: a for a in anns}
        return error

    def get(self, ann_id: str) -> Annotation | None:
        return self._by_id.get(ann_id)

    # ------------------------------------------------------------ layers
    @property
    def editable(self) -> bool:
        """Changes go to the own layer only: another's layer, or all of them on a shared store, is read-only."""
        return self.layer == self.own or (self.layer is None and not self.store.shared)

    @property
    def showing_all(self) -> bool:
        return self.layer is None

    def layer_description(self) -> str:
        if self.layer is None:
            return "all layers" + ("" if self.editable else " (read-only)")
        if self.layer == self.own:
            return f"your layer ({self.own})"
        return f"{self.layer}'s layer (read-only)"

    def next_layer(self) -> Outcome:
        """Cycle: own layer, each other annotator's layer, all layers, own again."""
        self.reload()
        order: list[str | None] = [self.own] + [n for n in self.layer_names if n != self.own] + [None]
        i = order.index(self.layer) if self.layer in order else -1
        self.layer = order[(i + 1) % len(order)]
        self.reload()
        return Outcome(f"showing {self.layer_description()}", changed=True)

    def _read_only(self) -> Outcome | None:
        if self.editable:
            return None
        return Outcome(error=f"Showing {self.layer_description()}: press ctrl+l until your layer is shown to make changes",
                       warning=True)

    def counts(self) -> Counts:
        accepted: Counter[str] = Counter()
        suggested: Counter[str] = Counter()
        orphaned = 0
        for a in self.annotations:
            if a.orphaned:
                orphaned += 1
            elif a.status == STATUS_ACCEPTED:
                accepted[a.label] += 1
            elif a.status == STATUS_SUGGESTED:
                suggested[a.label] += 1
        return Counts(accepted, suggested, orphaned)

    def at(self, offset: int, ids: Iterable[str] = ()) -> Annotation | None:
        """The innermost shown annotation covering ``offset`` (or ending at it).

        ``ids``: the ids the view found there, innermost first (fast path);
        without them the annotations are scanned.
        """
        for ann_id in ids:
            ann = self._by_id.get(ann_id)
            if ann is not None and not ann.orphaned:
                return ann
        shown = [a for a in self.annotations if not a.orphaned and a.status != STATUS_REJECTED]
        hits = [a for a in shown if a.start <= offset < a.end] or [a for a in shown if a.end == offset]
        return min(hits, key=lambda a: (a.end - a.start, a.start)) if hits else None

    def suggestions(self) -> list[Annotation]:
        return [a for a in self.annotations if a.status == STATUS_SUGGESTED and not a.orphaned]

    def jump_target(self, cursor: int, direction: int, *, suggestions_only: bool = False) -> Annotation | None:
        """The next (``direction`` > 0) or previous annotation from ``cursor``.

        With ``suggestions_only`` the order is the review order, highest score
        first (:func:`reader.suggest.learn.highest_first`): from the suggestion
        under the cursor to the next-best one; from elsewhere to the best.
        """
        if suggestions_only:
            return self._best_next(cursor, direction)
        anns = [a for a in self.annotations if not a.orphaned and a.status != STATUS_REJECTED]
        if direction > 0:
            return next((a for a in anns if a.start > cursor), None)
        return next((a for a in reversed(anns) if a.start < cursor), None)

    def _best_next(self, cursor: int, direction: int) -> Annotation | None:
        from reader.suggest.learn import highest_first

        order = highest_first(self.suggestions())
        here = [k for k, a in enumerate(order) if a.start <= cursor < a.end or a.start == cursor]
        if not here:
            return (order[0] if direction > 0 else order[-1]) if order else None
        k = here[0] + (1 if direction > 0 else -1)
        return order[k] if 0 <= k < len(order) else None

    # ------------------------------------------------------------ changes
    def _call(self, fn: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> tuple[_T | None, Outcome | None]:
        """Run a store call; a failure becomes an Outcome (never an exception), the result None."""
        try:
            return fn(*args, **kwargs), None
        except StoreWriteError as exc:
            self.reload()
            return None, Outcome(f"UNSAVED — retrying: {exc.reason}", changed=True, error=str(exc), warning=True, unsaved=True)
        except ReaderError as exc:
            return None, Outcome(error=str(exc))

    def _done(self, message: str, ann: Annotation | None = None) -> Outcome:
        self.reload()
        if self.store.unsaved:
            return Outcome(f"UNSAVED — retrying ({self.store.unsaved} change(s) in memory)", changed=True, warning=True, unsaved=True, annotation=ann)
        return Outcome(message, changed=True, annotation=ann)

    def tag(self, label: str, selection: tuple[int, int] | None, under_cursor: Annotation | None) -> Outcome:
        """Tag the selection with ``label``; without one, re-label the annotation under the cursor."""
        if (refused := self._read_only()) is not None:
            return refused
        if selection:
            start, end = selection
            pending = self._suggestion_at(start, end, label)
            if pending is not None:  # tagging a suggestion accepts it (with this label)
                return self.tag(label, None, pending)
            ann, failed = self._call(self.store.add, self.doc_id, start, end, label)
            if failed:
                return failed
            assert isinstance(ann, Annotation)
            return self._done(f"saved {label} {span_label(ann.start, ann.end)}", ann)
        if under_cursor is None:
            return Outcome(error="Select some text first (shift+arrows, v, s, p or the mouse), then press a label key", warning=True)
        if under_cursor.label == label and under_cursor.status == STATUS_ACCEPTED:
            return Outcome(f"already {label} {span_label(under_cursor.start, under_cursor.end)}")
        new, failed = self._call(self.store.update, under_cursor.id, label=label, status=STATUS_ACCEPTED)
        if failed:
            return failed
        assert isinstance(new, Annotation)
        if under_cursor.status == STATUS_SUGGESTED and under_cursor.label == label:
            return self._done(f"accepted suggested {label} {span_label(new.start, new.end)}", new)
        return self._done(f"saved {under_cursor.label} → {label} {span_label(new.start, new.end)}", new)

    def _suggestion_at(self, start: int, end: int, label: str) -> Annotation | None:
        """The pending suggestion with these bounds (edge whitespace aside), this label's first."""
        text = self.document.text
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        same = [a for a in self.suggestions() if a.start == start and a.end == end]
        return next((a for a in same if a.label == label), same[0] if same else None)

    def set_note(self, ann: Annotation, note: str) -> Outcome:
        if (refused := self._read_only()) is not None:
            return refused
        if note == ann.note:
            return Outcome("note unchanged")
        new, failed = self._call(self.store.update, ann.id, note=note)
        if failed:
            return failed
        assert isinstance(new, Annotation)
        return self._done(f"saved note on {new.label} {span_label(new.start, new.end)}", new)

    def delete(self, ann: Annotation) -> Outcome:
        if (refused := self._read_only()) is not None:
            return refused
        old, failed = self._call(self.store.delete, ann.id)
        if failed:
            return failed
        assert isinstance(old, Annotation)
        return self._done(f"deleted {old.label} {span_label(old.start, old.end)}", old)

    def accept(self, ann: Annotation) -> Outcome:
        if (refused := self._read_only()) is not None:
            return refused
        new, failed = self._call(self.store.update, ann.id, status=STATUS_ACCEPTED)
        if failed:
            return failed
        assert isinstance(new, Annotation)
        return self._done(f"accepted {new.label} {span_label(new.start, new.end)}", new)

    def reject(self, ann: Annotation) -> Outcome:
        if (refused := self._read_only()) is not None:
            return refused
        old, failed = self._call(self.store.delete, ann.id)
        if failed:
            return failed
        assert isinstance(old, Annotation)
        return self._done(f"rejected {old.label} {span_label(old.start, old.end)}", old)

    def accept_all_summary(self) -> tuple[int, str]:
        """(how many, "3 salary, 2 quote") of the suggestions accept-all would accept."""
        per_label = Counter(a.label for a in self.suggestions())
        text = ", ".join(f"{n} {label}" for label, n in sorted(per_label.items(), key=lambda kv: (-kv[1], kv[0])))
        return sum(per_label.values()), text

    def accept_all(self) -> Outcome:
        """Accept every suggestion of the document: one durable save and one undo step."""
        if (refused := self._read_only()) is not None:
            return refused
        ids = [a.id for a in self.suggestions()]
        if not ids:
            return Outcome(error="This document has no suggestions", warning=True)
        accepted, failed = self._call(self.store.update_many, ids, status=STATUS_ACCEPTED)
        if failed:
            return failed
        assert isinstance(accepted, list)
        return self._done(f"accepted {len(accepted)} suggestion(s)")

    @staticmethod
    def describe_change(change: ChangeLike | None, verb: str) -> str:
        """What an undo or redo did, in the user's words ("undo: restored suggestion salary 3–8")."""
        if change is None:
            return f"nothing to {verb}"
        if change.kind == "batch":
            return f"{verb}: {len(change.items)} change(s)"
        ann = change.after or change.before
        if ann is None:
            return f"{verb}: {change.kind}"
        what = f"{'suggestion ' if ann.status == STATUS_SUGGESTED else ''}{ann.label} {span_label(ann.start, ann.end)}"
        done = {
            ("undo", "add"): "removed", ("undo", "delete"): "restored", ("undo", "update"): "reverted",
            ("redo", "add"): "added", ("redo", "delete"): "deleted", ("redo", "update"): "re-applied",
        }.get((verb, change.kind), change.kind)
        return f"{verb}: {done} {what}"

    def undo(self) -> Outcome:
        change, failed = self._call(self.store.undo)
        if failed:
            return failed
        return self._done(self.describe_change(change, "undo"))

    def redo(self) -> Outcome:
        change, failed = self._call(self.store.redo)
        if failed:
            return failed
        return self._done(self.describe_change(change, "redo"))

    def retry(self) -> Outcome:
        """Try to save the changes kept in memory; ``unsaved`` stays true while it fails."""
        if not self.store.unsaved:
            return Outcome("")
        try:
            n = self.store.retry_unsaved()
        except StoreWriteError as exc:
            return Outcome(f"UNSAVED — retrying: {exc.reason} ({exc.pending} change(s) in memory)", warning=True, unsaved=True)
        except ReaderError as exc:
            return Outcome(f"UNSAVED — {exc}", warning=True, unsaved=True)
        return Outcome(f"saved {n} change(s) after retrying")

    # ------------------------------------------------------------ language
    def set_language(self, lang: str | None) -> Outcome:
        """Override the document's language (None or '' clears the override).

        Goes through ``corpus.set_language_override(..., store=)``, the one
        path the library and ``reader`` CLI use too, so paragraphs, the
        library and exports agree.
        """
        try:
            doc = self.corpus.set_language_override(self.doc_id, lang or None, store=self.store)
        except StoreWriteError as exc:
            return Outcome(f"UNSAVED — retrying: {exc.reason}", error=str(exc), warning=True, unsaved=True)
        except ReaderError as exc:
            return Outcome(error=str(exc))
        if lang:
            return Outcome(f"language set to {lang}", changed=True)
        return Outcome(f"language override cleared: {doc.lang} ({doc.lang_source})", changed=True)

