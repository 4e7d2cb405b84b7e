"""Validation of new and changed annotations (:class:`AnnotationValidator`).

Its own module so that :mod:`reader.store.annotations` and :mod:`reader.store.bulk`
both import it and neither imports the other (an import-linter contract in
pyproject.toml keeps it so).
"""
from __future__ import annotations

import dataclasses
import os
from typing import Callable, Iterable, Mapping

from reader.errors import AnnotationError, DuplicateAnnotationError, OffsetError, UnknownDocumentError
from reader.labels import LabelSet, annotation_value
from reader.model import STATUS_ACCEPTED, STATUS_REJECTED, STATUSES, Annotation, Document, now_iso
from reader.protocols import JSON, AnnotationItem
from reader.store.base import LayerKey, ann_record, credited, layer_key
from reader.store.engine import no_gc
from reader.store.storable import check_fields


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


class AnnotationValidator:
    """Checks new and changed annotations: label and status against the label set,
    offsets and span text against the document, and duplicates against the
    annotations present (it keeps the index of their keys)."""

    def __init__(self, labels: LabelSet, annotator: str, document: Callable[[str], Document | None]) -> None:
        self.labels = labels
        self.annotator = annotator
        self.corpus_attached = False  # then an unknown document id is an error
        self._document = document
        self._keys: dict[LayerKey, str] = {}

    def index(self, anns: Iterable[Annotation]) -> None:
        """Start the duplicate index again from ``anns`` (first one of a key wins)."""
        self._keys = {}
        with no_gc():  # 100k new tuples: the cyclic GC would rescan the whole image again and again
            for ann in anns:
                if ann.status != STATUS_REJECTED:
                    self._keys.setdefault(layer_key(ann), ann.id)

    def replaced(self, old: Annotation | None, new: Annotation | None) -> None:
        """``old`` was replaced by ``new`` (either may be None): keep the index in step."""
        if old is not None and self._keys.get(layer_key(old)) == old.id:
            del self._keys[layer_key(old)]
        if new is not None and new.status != STATUS_REJECTED:
            self._keys.setdefault(layer_key(new), new.id)

    def is_duplicate(self, ann: Annotation) -> bool:
        """Its annotator already has this span with this label."""
        return layer_key(ann) in self._keys

    def span(self, doc_id: str, start: object, end: object, text: str | None) -> tuple[int, int, str, str]:
        """Validated (start, end, span text, document sha256 or "" when the document is unknown)."""
        if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or isinstance(end, bool):
            raise OffsetError(f"{doc_id}: offsets must be integers, got {start!r}..{end!r}")
        if start < 0 or end <= start:
            raise OffsetError(f"{doc_id}: bad span {start}..{end} (need 0 <= start < end)")
        doc = self._document(doc_id)
        if doc is None:
            if self.corpus_attached:
                raise UnknownDocumentError(f"{doc_id}: no such document in the corpus or the store")
            if text is not None and len(text) != end - start:
                raise OffsetError(f"{doc_id}: span {start}..{end} is {end - start} characters but its text has {len(text)}")
            return start, end, (text or ""), ""
        if end > len(doc.text):
            raise OffsetError(f"{doc_id}: span {start}..{end} is outside the document ({len(doc.text)} characters)")
        actual = doc.text[start:end]
        if text is not None and text != actual:
            raise OffsetError(
                f"{doc_id}: text {text[:40]!r} does not match the document at {start}..{end} ({actual[:40]!r})"
            )
        return start, end, actual, doc.sha256

    def label(self, label: object, status: object) -> None:
        if status not in STATUSES:
            raise AnnotationError(f"unknown status {status!r} (expected one of {', '.join(STATUSES)})")
        if not isinstance(label, str) or not label:
            raise AnnotationError(f"label must be a non-empty string, got {label!r}")
        if status == STATUS_ACCEPTED and label not in self.labels:
            raise AnnotationError(
                f"unknown label {label!r} (labels from {self.labels.source}: {', '.join(self.labels.names)})"
            )

    def not_duplicate(self, ann: Annotation, own_id: str | None = None) -> None:
        other = self._keys.get(layer_key(ann))
        if other is not None and other != own_id:
            doc_id, start, end, label = ann.key
            raise DuplicateAnnotationError(f"{doc_id}: a {label!r} annotation already covers {start}..{end}")

    def changed(
        self, old: Annotation, label: str | None, note: str | None, status: str | None, start: int | None,
        end: int | None, annotator: str,
    ) -> Annotation:
        """``old`` with the given fields changed (None: unchanged), checked, credited to
        ``annotator`` (see :meth:`AnnotationStore.update`); equal to ``old`` when nothing changed."""
        new_status = status if status is not None else old.status
        new_label = label if label is not None else old.label
        if label is not None or status is not None:
            self.label(new_label, new_status)
        s = start if start is not None else old.start
        e = end if end is not None else old.end
        span, orphaned, sha = old.text, old.orphaned, old.doc_sha256
        if (s, e) != (old.start, old.end):
            if self._document(old.doc_id) is None:
                raise OffsetError(f"{old.doc_id}: cannot move the span: the document's text is not known to the store")
            s, e, span, sha = self.span(old.doc_id, s, e, None)
            orphaned = False
        changed = dataclasses.replace(old, label=new_label, status=new_status, note=old.note if note is None else note,
                                      start=s, end=e, text=span, orphaned=orphaned, doc_sha256=sha)
        new = credited(old, _revalue(old, changed), annotator)
        check_fields(new)
        return new

    @staticmethod
    def revalue(old: Annotation, new: Annotation) -> Annotation:
        """``new`` with its normalised value in step with its label and span."""
        return _revalue(old, new)

    @staticmethod
    def score(obj: JSON) -> float | None:
        """A suggestion's score in [0, 1], or None."""
        return _score(obj)

    @staticmethod
    def fields(item: AnnotationItem, n: int) -> Mapping[str, JSON]:
        """The fields of item number ``n`` of :meth:`AnnotationStore.add_many`."""
        fields: Mapping[str, JSON]
        if isinstance(item, Annotation):
            fields = ann_record(item)
        elif isinstance(item, Mapping):
            fields = item
        elif isinstance(item, (tuple, list)):
            fields = dict(zip(("doc_id", "start", "end", "label", "note"), item))
        else:
            raise AnnotationError(f"item {n}: expected an annotation, a dict or a tuple, got {type(item).__name__}")
        return fields

    def make(
        self, fields: Mapping[str, JSON], *, ann_id: str | None = None, stamp: str | None = None, source: str = ""
    ) -> Annotation:
        """A validated new annotation from its fields (see :meth:`AnnotationStore.add_many`)."""
        doc_id = fields.get("doc_id")
        if not isinstance(doc_id, str) or not doc_id:
            raise UnknownDocumentError(f"document id must be a non-empty string, got {doc_id!r}")
        label, status = fields.get("label"), fields.get("status") or STATUS_ACCEPTED
        self.label(label, status)
        assert isinstance(label, str) and isinstance(status, str)
        given_text = fields.get("text")  # "" too is checked against the span (it never matches one)
        if given_text is not None and not isinstance(given_text, str):
            raise AnnotationError(f"field 'text' must be a string, got {str(given_text)[:40]!r}")
        start, end, span, sha = self.span(doc_id, fields.get("start"), fields.get("end"), given_text)
        stamp = stamp or now_iso()
        created = _given(fields, "created", stamp)
        doc_sha256 = fields.get("doc_sha256")
        ann = Annotation(
            id=ann_id or os.urandom(8).hex(),  # same form as model.new_id(), ~15x faster
            doc_id=doc_id,
            start=start,
            end=end,
            label=label,
            text=span,
            note=_given(fields, "note", ""),
            annotator=_given(fields, "annotator", self.annotator),
            created=created,
            updated=_given(fields, "updated", created),
            doc_sha256=sha or (doc_sha256 if isinstance(doc_sha256, str) else ""),
            status=status,
            source=_given(fields, "source", source),  # the batch's source when the item has none
            value=annotation_value(label, span, fields.get("value")),
            score=_score(fields.get("score")),
            reason=_text(fields.get("reason")),
            suggested_by=_text(fields.get("suggested_by")),
        )
        check_fields(ann)  # a lone surrogate in a note, an annotator...: refused before anything changes
        return ann


def _given(fields: Mapping[str, JSON], name: str, default: str) -> str:
    """The string field ``name`` of an annotation's ``fields``; ``default`` when it is missing or empty.
    Another kind of value is refused (a note of 5 was kept as a number, which no reader of the store expects)."""
    value = fields.get(name)
    if value is None or value == "":
        return default
    if not isinstance(value, str):
        raise AnnotationError(f"field {name!r} must be a string, got {str(value)[:40]!r}")
    return value


def _score(obj: JSON) -> float | None:
    """A suggestion's score in [0, 1], or None (hand-made, or not a number)."""
    if isinstance(obj, bool) or not isinstance(obj, (int, float)) or not 0.0 <= obj <= 1.0:
        return None
    return float(obj)


def _revalue(old: Annotation, new: Annotation) -> Annotation:
    """Keep a salary's normalised value in step with its label and span."""
    if (new.label, new.start, new.end, new.text) == (old.label, old.start, old.end, old.text):
        return new
    return dataclasses.replace(new, value=annotation_value(new.label, new.text))
