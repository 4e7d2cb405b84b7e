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

import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Literal, ParamSpec, Protocol, TypeVar

from reader.annset import ChangeLike, Delta, ShownAnnotations
from reader.errors import ReaderError, StoreConflictError, StoreWriteError
from reader.model import STATUS_ACCEPTED, STATUS_REJECTED, STATUS_SUGGESTED, Annotation, Document

_P = ParamSpec("_P")
_T = TypeVar("_T")


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

    def language_overrides(self) -> dict[str, str]: ...


class ControllerCorpus(Protocol):
    def get(self, doc_id: str) -> Document | None: ...

    def set_language_override(self, doc_id: str, lang: str | None, store: ControllerStore | None = None) -> Document: ...


Action = Literal["note", "delete", "accept", "reject", "relabel"]


@dataclass(frozen=True)
class _Single:
    """One annotation change as the controller saw it (``before`` → ``after``)."""

    kind: str
    before: Annotation | None
    after: Annotation | None
    items: tuple[ChangeLike, ...] = ()


def _copy(ann: Annotation | None) -> Annotation | None:
    if ann is None:
        return None
    clone = object.__new__(Annotation)  # as the store's copy_annotation: no __init__ checks, a plain copy
    clone.__dict__.update(ann.__dict__)
    return clone


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """``start``-``end`` without the white space at its edges (issue 22: "Day " saved with its space)."""
    while start < end and text[start].isspace() and not (start + 1 < end and unicodedata.category(text[start + 1]).startswith("M")):
        start += 1  # (a space carrying a combining mark is a grapheme of its own: kept whole)
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def span_label(start: int, end: int) -> str:
    return f"{start}–{end}"


@dataclass
class Outcome:
    """What an action did, for the screen: a status line, and whether annotations changed.

    ``error``: a message for a notification (the action failed or did nothing
    useful). ``unsaved``: the change is in memory only; the caller should
    schedule :meth:`AnnotationController.retry`. ``delta``: what the change did
    to the shown annotations, for the screen to apply (None with ``changed``:
    everything was read again, show it all again).
    """

    message: str = ""
    changed: bool = False
    error: str = ""
    warning: bool = False
    unsaved: bool = False
    annotation: Annotation | None = None
    extra: dict[str, object] = field(default_factory=dict)
    delta: Delta | None = None

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
        self._shown = ShownAnnotations()
        # Layers (issue 11): on a shared store each annotator sees their own layer, and may
        # look at another's, or at all of them, read-only. A single-person store shows all.
        self.own = store.annotator
        # A local store shared by merging (issue 22) opens on the own layer too, when the
        # document holds two or more annotators' spans (decided at the first reload).
        self.layer: str | None = self.own if store.shared else None  # None: every layer
        self._layer_chosen = store.shared

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
        if not self._layer_chosen and not error:
            self._layer_chosen = True
            if len({a.annotator for a in anns}) >= 2:  # a team's document; one layer (an import, an old name) shows as is
                self.layer = self.own
        self._shown.reset(anns, self.layer)
        return error

    @property
    def annotations(self) -> list[Annotation]:
        """The shown annotations, sorted by (start, end, label, id)."""
        return self._shown.items

    @property
    def layer_names(self) -> list[str]:
        """Annotators with spans in this document."""
        return self._shown.layer_names

    def get(self, ann_id: str) -> Annotation | None:
        return self._shown.get(ann_id)

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
        """Kept as changes are applied: no pass over the annotations."""
        tally = self._shown.tally
        return Counts(+tally.accepted, +tally.suggested, tally.orphaned)

    def at(self, offset: int, ids: Iterable[str] = ()) -> Annotation | None:
        """The innermost shown annotation covering ``offset`` (or ending at it).

        ``ids``: the ids the view found there, innermost first (fast path);
        without them the annotations are scanned.
        """
        for ann_id in ids:
            ann = self._shown.get(ann_id)
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
        except StoreConflictError as exc:  # another session's change won: the store reloaded that record
            self.reload()
            return None, Outcome(exc.line, changed=True, warning=True)
        except StoreWriteError as exc:
            self.reload()
            return None, Outcome(f"UNSAVED — retrying: {exc.reason}", changed=True, error=str(exc), warning=True, unsaved=True)
        except ReaderError as exc:
            return None, Outcome(error=str(exc))

    def _done(self, message: str, changes: Iterable[ChangeLike] | None = None, ann: Annotation | None = None) -> Outcome:
        """What a change did: applied to the shown annotations as a delta (``changes``), or read again (None)."""
        delta: Delta | None = None
        if changes is None:
            self.reload()
        else:
            delta = self._shown.apply(changes)
        if self.store.unsaved:
            return Outcome(f"UNSAVED — retrying ({self.store.unsaved} change(s) in memory)", changed=True, warning=True,
                           unsaved=True, annotation=ann, delta=delta)
        return Outcome(message, changed=True, annotation=ann, delta=delta)

    def tag(self, label: str, selection: tuple[int, int] | None, under_cursor: Annotation | None) -> Outcome:
        """Tag the selection with ``label``; without one, re-label the annotation the cursor is in.

        The selection loses the white space at its edges first (a word selection
        with ctrl+shift+→ takes the space after the word).
        """
        if (refused := self._read_only()) is not None:
            return refused
        if selection:
            start, end = trim_span(self.document.text, *selection)
            if start >= end:
                return Outcome(error="The selection is only white space: select some text, then press a label key", warning=True)
            pending = self._suggestion_at(start, end, label)
            if pending is not None:  # tagging a suggestion accepts it (with this label)
                return self.tag(label, None, pending)
            ann, failed = self._call(self.store.add, self.doc_id, start, end, label)
            if failed:
                return failed
            assert isinstance(ann, Annotation)
            return self._done(f"saved {label} {span_label(ann.start, ann.end)}", [_Single("add", None, ann)], ann)
        if under_cursor is None:
            return Outcome(error="Nothing selected and no annotation under the cursor: select some text first "
                                 "(shift+arrows, v, s, p or the mouse), then press a label key", warning=True)
        if under_cursor.label == label and under_cursor.status == STATUS_ACCEPTED:
            return Outcome(f"already {label} {span_label(under_cursor.start, under_cursor.end)}")
        if under_cursor.status == STATUS_SUGGESTED and under_cursor.label == label:
            return self.act("accept", under_cursor)  # tagging a suggestion with its own label accepts it
        return self.act("relabel", under_cursor, label=label)

    def _suggestion_at(self, start: int, end: int, label: str) -> Annotation | None:
        """The pending suggestion with these bounds (edge whitespace aside), this label's first."""
        text = self.document.text
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        same = [a for a in self._shown.with_bounds(start, end) if a.status == STATUS_SUGGESTED and not a.orphaned]
        return next((a for a in same if a.label == label), same[0] if same else None)

    def act(self, action: Action, ann: Annotation, *, note: str = "", label: str = "") -> Outcome:
        """One change to one annotation: ``note`` (set it), ``delete``, ``accept`` or ``reject`` a
        suggestion, ``relabel`` (to ``label``, accepted). The store's answer is applied as a delta."""
        if (refused := self._read_only()) is not None:
            return refused
        if action == "note" and note == ann.note:
            return Outcome("note unchanged")
        old = self._shown.get(ann.id) or ann
        result: Annotation | None
        if action in ("delete", "reject"):
            result, failed = self._call(self.store.delete, ann.id)
            change = _Single("delete", old, None)
        else:
            fields: dict[str, str] = {"note": note} if action == "note" else {"status": STATUS_ACCEPTED}
            if action == "relabel":
                fields["label"] = label
            result, failed = self._call(self.store.update, ann.id, **fields)
            change = _Single("update", old, result)
        if failed:
            return failed
        assert isinstance(result, Annotation)
        what = f"{result.label} {span_label(result.start, result.end)}"
        message = {
            "note": f"saved note on {what}", "delete": f"deleted {what}", "accept": f"accepted {what}",
            "reject": f"rejected {what}",
            "relabel": f"re-labelled {old.label} {span_label(old.start, old.end)} as {result.label} (ctrl+z undoes it)",
        }[action]
        return self._done(message, [change], result)

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
        changes = [_Single("update", self._shown.get(a.id), a) for a in accepted]
        return self._done(f"accepted {len(accepted)} suggestion(s)", changes)

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
        return self._done(self.describe_change(change, "undo"), self._undone(change, undo=True))

    def redo(self) -> Outcome:
        change, failed = self._call(self.store.redo)
        if failed:
            return failed
        return self._done(self.describe_change(change, "redo"), self._undone(change, undo=False))

    def _undone(self, change: ChangeLike | None, *, undo: bool) -> list[ChangeLike] | None:
        """The effect of an undo (the change reversed) or a redo, on this document's annotations.

        Copies: the store's history keeps its own objects. A change the store could
        not have applied as recorded (another document's, or none) reads everything again.
        """
        if change is None:
            return []
        out: list[ChangeLike] = []
        for single in (change.items if change.kind == "batch" else (change,)):
            before, after = (single.after, single.before) if undo else (single.before, single.after)
            if before is None and after is None:
                continue  # a link change: no annotation moves
            if any(a is not None and a.doc_id != self.doc_id for a in (before, after)):
                continue
            out.append(_Single("change", _copy(before), _copy(after)))
        return out

    def retry(self) -> Outcome:
        """Try to save the changes kept in memory; ``unsaved`` stays true while it fails."""
        if not self.store.unsaved:
            return Outcome("")
        try:
            n = self.store.retry_unsaved()
        except StoreConflictError as exc:
            self.reload()
            return Outcome(exc.line, changed=True, warning=True)
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
        except StoreConflictError as exc:  # a teammate set it first: show theirs
            self.corpus.set_language_override(self.doc_id, self.store.language_overrides().get(self.doc_id))
            return Outcome(exc.line, changed=True, warning=True)
        except StoreWriteError as exc:
            return Outcome(f"UNSAVED — retrying: {exc.reason}", error=str(exc), warning=True, unsaved=True)
        except ReaderError as exc:
            return Outcome(error=str(exc))
        if lang:
            return Outcome(f"language set to {lang}", changed=True)
        return Outcome(f"language override cleared: {doc.lang} ({doc.lang_source})", changed=True)

