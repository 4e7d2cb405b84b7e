"""Each annotator decides a shared suggestion for themselves (issue 18, item 7).

A suggestion made by someone else (``root`` ran ``reader suggest`` on the
team's store, or pre-annotated the stores handed out) is *shared*. Accepting
or rejecting it does not change it: the decision goes into the decider's own
layer, as a copy with a new id, the decider as its annotator, status
``accepted`` or ``rejected`` and ``suggested_by`` naming the suggester. The
suggestion stays for everyone else, so bob's reject does not remove it for
alice; the decider no longer sees it (:class:`Decided`). Undo removes the
decision and the suggestion shows again.

A suggestion of one's own (one person who ran ``reader suggest`` and reviews)
is decided in place, credited by :func:`reader.store.base.credited`.
"""
from __future__ import annotations

import dataclasses
from typing import Collection, Iterable, Iterator

from reader.model import STATUS_SUGGESTED, Annotation, new_id

#: what a decision and the suggestion it decides share: (doc_id, start, end, label, suggester)
DecisionKey = tuple[str, int, int, str, str]


def is_shared(ann: Annotation, who: str) -> bool:
    """Whether ``ann`` is a suggestion someone other than ``who`` made."""
    return ann.status == STATUS_SUGGESTED and bool(who) and ann.annotator != who


def decision(old: Annotation, who: str, status: str, stamp: str, *, label: str | None = None,
             note: str | None = None) -> Annotation:
    """``who``'s decision on the shared suggestion ``old``: a new annotation in their layer."""
    return dataclasses.replace(
        old, id=new_id(), annotator=who, status=status, suggested_by=old.suggested_by or old.annotator,
        created=stamp, updated=stamp, label=old.label if label is None else label,
        note=old.note if note is None else note,
    )


class Decided:
    """The shared suggestions ``who`` has decided (hidden from them), from the annotations."""

    def __init__(self, anns: Iterable[Annotation], who: str) -> None:
        self.who = who
        self.keys: set[DecisionKey] = {
            (a.doc_id, a.start, a.end, a.label, a.suggested_by)
            for a in anns if a.suggested_by and a.annotator == who and a.status != STATUS_SUGGESTED
        }

    def hides(self, ann: Annotation) -> bool:
        return (bool(self.keys) and ann.status == STATUS_SUGGESTED and ann.annotator != self.who
                and (ann.doc_id, ann.start, ann.end, ann.label, ann.annotator) in self.keys)


def shown(anns: Collection[Annotation], who: str, statuses: Iterable[str]) -> Iterator[Annotation]:
    """The annotations with one of ``statuses`` that ``who`` sees: a shared suggestion they have
    decided (accepted or rejected into their own layer) is hidden from them."""
    wanted = set(statuses)
    decided = Decided(anns, who) if STATUS_SUGGESTED in wanted else None
    return (a for a in anns if a.status in wanted and not (decided and decided.hides(a)))
