"""Bulk writes of :class:`~reader.store.annotations.AnnotationStore`: many
annotations validated together and saved with one durable transaction
(imports, suggestions, "accept all", re-scoring).

:class:`BulkWriter` works on the store's in-memory image through the store's
own callables (``replace``, ``commit``, ``existing``), so the store's indexes,
history and pending saves stay the single place where a change happens. The
store holds its lock around every call.
"""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Callable, Iterable, Mapping

from reader.errors import AnnotationError, DuplicateAnnotationError, UnstorableValueError
from reader.model import STATUS_REJECTED, STATUS_SUGGESTED, Annotation, now_iso
from reader.protocols import AnnotationItem
from reader.store.decisions import decision, is_shared
from reader.store.base import LayerKey, Op, StoreImage, ann_record, copy_annotation, credited, layer_key
from reader.store.history import Change, History
from reader.store.storable import check_storable

if TYPE_CHECKING:
    from reader.store.validate import AnnotationValidator

__all__ = ["BulkWriter"]


class BulkWriter:
    """``add_many``, ``update_many`` and ``set_scores``: check every item first
    (a bad one raises and nothing changes), then apply all and save once."""

    def __init__(
        self,
        image: StoreImage,
        validator: AnnotationValidator,
        history: History,
        replace: Callable[[Annotation | None, Annotation | None], None],
        commit: Callable[[list[Op]], None],
        existing: Callable[[str], Annotation],
    ) -> None:
        self._image = image
        self._validator = validator
        self._history = history
        self._replace = replace
        self._commit = commit
        self._existing = existing

    def add_many(self, items: Iterable[AnnotationItem], source: str, skip_duplicates: bool) -> list[Annotation]:
        """See :meth:`AnnotationStore.add_many`."""
        new: list[Annotation] = []
        stamp = now_iso()
        keys: set[LayerKey] = set()
        ids: set[str] = set()
        for n, item in enumerate(items, 1):
            fields = self._validator.fields(item, n)
            ann_id = fields.get("id")
            if not isinstance(ann_id, str) or not ann_id or ann_id in self._image.anns or ann_id in ids:
                ann_id = None
            try:
                ann = self._validator.make(fields, ann_id=ann_id, stamp=stamp, source=source)
            except AnnotationError as exc:
                raise type(exc)(f"item {n}: {exc}") from None
            except UnstorableValueError as exc:
                raise UnstorableValueError(f"item {n}: {exc.field}", exc.reason) from None
            if ann.status != STATUS_REJECTED:
                if layer_key(ann) in keys or self._validator.is_duplicate(ann):
                    if skip_duplicates:
                        continue
                    raise DuplicateAnnotationError(
                        f"item {n}: {ann.doc_id}: a {ann.label!r} annotation already covers {ann.start}..{ann.end}"
                    )
                keys.add(layer_key(ann))
            ids.add(ann.id)
            new.append(ann)
        if not new:
            return []
        for ann in new:
            self._replace(None, ann)
        self._history.record(Change("batch", None, None, tuple(Change("add", None, a) for a in new)))
        self._commit([["put", ann_record(a)] for a in new])
        return [copy_annotation(a) for a in new]

    def update_many(self, ann_ids: Iterable[str], label: str | None, status: str | None) -> list[Annotation]:
        """See :meth:`AnnotationStore.update_many`."""
        check_storable("label", label)
        check_storable("status", status)
        stamp = now_iso()
        changes: list[Change] = []
        keys: set[LayerKey] = set()
        for ann_id in ann_ids:
            old = self._existing(ann_id)
            new_status = status if status is not None else old.status
            new_label = label if label is not None else old.label
            self._validator.label(new_label, new_status)
            if new_status != STATUS_SUGGESTED and is_shared(old, self._validator.annotator):
                # someone else's suggestion: the decision goes into this annotator's layer
                mine = decision(old, self._validator.annotator, new_status, stamp, label=new_label)
                if mine.status != STATUS_REJECTED:
                    self._validator.not_duplicate(mine)
                    if layer_key(mine) in keys:
                        raise DuplicateAnnotationError(f"{mine.doc_id}: a {mine.label!r} annotation already covers "
                                                       f"{mine.start}..{mine.end}")
                    keys.add(layer_key(mine))
                changes.append(Change("add", None, mine))
                continue
            new = credited(old, self._validator.revalue(old, dataclasses.replace(old, label=new_label, status=new_status)),
                           self._validator.annotator)
            if new == old:
                continue
            new.updated = stamp
            if new.status != STATUS_REJECTED:
                self._validator.not_duplicate(new, own_id=old.id)
                if layer_key(new) in keys:
                    doc_id, start, end, name = new.key
                    raise DuplicateAnnotationError(f"{doc_id}: a {name!r} annotation already covers {start}..{end}")
                keys.add(layer_key(new))
            changes.append(Change("update", old, new))
        if not changes:
            return []
        for change in changes:
            self._replace(change.before, change.after)
        self._history.record(Change("batch", None, None, tuple(changes)))
        self._commit([["put", ann_record(c.after)] for c in changes if c.after is not None])
        return [copy_annotation(c.after) for c in changes if c.after is not None]

    def set_scores(self, scores: Mapping[str, tuple[float, str]]) -> int:
        """See :meth:`AnnotationStore.set_scores`."""
        for ann_id, (_score, reason) in scores.items():
            check_storable(f"the reason of {ann_id!r}", reason)  # every one first: all or nothing
        changed: list[Annotation] = []
        for ann_id, (score, reason) in scores.items():
            old = self._image.anns.get(ann_id)
            if old is None or old.status != STATUS_SUGGESTED:
                continue
            new = dataclasses.replace(
                old, score=self._validator.score(score), reason=reason if isinstance(reason, str) else ""
            )
            if new != old:
                self._replace(old, new)
                changed.append(new)
        if changed:
            self._commit([["put", ann_record(a)] for a in changed])
        return len(changed)
