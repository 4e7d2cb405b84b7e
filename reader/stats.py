"""Corpus and annotation statistics: the figures behind `reader stats` and the
stats screen. Pure computation over a corpus and a store; no I/O, no Textual.

``compute_stats(corpus, store, labels)`` returns a :class:`Stats` whose
``to_dict()`` is what `reader stats --json` prints. The charts (`reader stats
--plot` and the stats screen) draw the same series:

* ``per_label``: accepted annotations per label (every label of the label set,
  zeros included, then any other label found in the store);
* ``per_language``: documents, accepted annotations and pending suggestions per
  document language;
* ``progress``: documents that are new, in progress or done;
* ``decisions``: per label, suggestions accepted and rejected (a deleted
  suggestion counts as rejected, as the store remembers it so);
* ``per_annotator_day``: accepted annotations per annotator per day (UTC, from
  each annotation's creation time).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Protocol

from reader.model import STATUS_ACCEPTED, STATUS_REJECTED, STATUS_SUGGESTED, Annotation, Document
from reader.protocols import RejectedKey

PROGRESS_STATES = ("new", "in progress", "done")


class _Corpus(Protocol):
    def __iter__(self) -> "Iterator[Document]": ...


class _Store(Protocol):
    def all(self, *, statuses: Iterable[str] = ...) -> list[Annotation]: ...

    def doc_status(self, doc_id: str) -> str: ...

    def rejected_keys(self, doc_id: str) -> set[RejectedKey]: ...


@dataclass
class LanguageRow:
    documents: int = 0
    annotations: int = 0
    suggested: int = 0


@dataclass
class Stats:
    documents: int = 0
    annotations: int = 0
    suggested: int = 0
    per_label: dict[str, int] = field(default_factory=dict)
    suggested_labels: dict[str, int] = field(default_factory=dict)
    per_document: dict[str, dict[str, object]] = field(default_factory=dict)
    per_language: dict[str, LanguageRow] = field(default_factory=dict)
    progress: dict[str, int] = field(default_factory=lambda: {s: 0 for s in PROGRESS_STATES})
    decisions: dict[str, dict[str, int]] = field(default_factory=dict)
    per_annotator_day: dict[str, dict[str, int]] = field(default_factory=dict)
    missing_documents: dict[str, int] = field(default_factory=dict)
    orphaned: int = 0

    @property
    def days(self) -> list[str]:
        """Every day on which someone annotated, in order."""
        return sorted({d for per_day in self.per_annotator_day.values() for d in per_day})

    def to_dict(self) -> dict[str, object]:
        return {
            "documents": self.documents,
            "annotations": self.annotations,
            "suggested": self.suggested,
            "labels": dict(self.per_label),
            "suggested_labels": dict(self.suggested_labels),
            "per_document": dict(self.per_document),
            "per_language": {
                lang: {"documents": r.documents, "annotations": r.annotations, "suggested": r.suggested}
                for lang, r in self.per_language.items()
            },
            "progress": dict(self.progress),
            "decisions": {k: dict(v) for k, v in self.decisions.items()},
            "per_annotator_day": {k: dict(v) for k, v in self.per_annotator_day.items()},
            "missing_documents": dict(self.missing_documents),
            "orphaned": self.orphaned,
        }


def _is_suggestion(ann: Annotation) -> bool:
    return ann.source.startswith("suggest")


def compute_stats(corpus: _Corpus, store: _Store, label_names: Iterable[str] = ()) -> Stats:
    """All the figures, in one pass over the store's annotations."""
    stats = Stats()
    docs = {doc.id: doc for doc in corpus}
    stats.documents = len(docs)
    accepted: dict[str, Counter[str]] = {}
    suggested: dict[str, Counter[str]] = {}
    decisions: dict[str, Counter[str]] = {}
    per_annotator_day: dict[str, Counter[str]] = {}
    for ann in store.all(statuses=(STATUS_ACCEPTED, STATUS_SUGGESTED, STATUS_REJECTED)):
        if ann.orphaned and ann.status != STATUS_REJECTED:
            stats.orphaned += 1
        if ann.status == STATUS_ACCEPTED:
            accepted.setdefault(ann.doc_id, Counter())[ann.label] += 1
            day = (ann.created or "")[:10] or "unknown"
            per_annotator_day.setdefault(ann.annotator or "unknown", Counter())[day] += 1
            if _is_suggestion(ann):
                decisions.setdefault(ann.label, Counter())["accepted"] += 1
        elif ann.status == STATUS_SUGGESTED:
            suggested.setdefault(ann.doc_id, Counter())[ann.label] += 1
    for doc_id in docs:
        for key in store.rejected_keys(doc_id):
            if len(key) == 3:  # the set holds each key twice: (start, end, label) and with doc_id
                decisions.setdefault(str(key[2]), Counter())["rejected"] += 1

    per_label: Counter[str] = Counter()
    per_label_suggested: Counter[str] = Counter()
    for doc in docs.values():
        c = accepted.get(doc.id, Counter())
        s = suggested.get(doc.id, Counter())
        per_label.update(c)
        per_label_suggested.update(s)
        row = stats.per_language.setdefault(doc.lang, LanguageRow())
        row.documents += 1
        row.annotations += sum(c.values())
        row.suggested += sum(s.values())
        stats.per_document[doc.id] = {
            "lang": doc.lang,
            "total": sum(c.values()),
            "labels": dict(sorted(c.items())),
            "suggested": sum(s.values()),
        }
        status = store.doc_status(doc.id)
        stats.progress[status if status in stats.progress else "new"] += 1
    stats.per_language = dict(sorted(stats.per_language.items()))
    stats.missing_documents = {k: sum(v.values()) for k, v in accepted.items() if k not in docs}
    stats.per_label = {name: per_label.get(name, 0) for name in label_names}
    for name, n in sorted(per_label.items()):
        stats.per_label.setdefault(name, n)
    stats.suggested_labels = dict(sorted(per_label_suggested.items()))
    stats.annotations = sum(per_label.values())
    stats.suggested = sum(per_label_suggested.values())
    stats.decisions = {
        label: {"accepted": c.get("accepted", 0), "rejected": c.get("rejected", 0)}
        for label, c in sorted(decisions.items())
    }
    stats.per_annotator_day = {who: dict(sorted(c.items())) for who, c in sorted(per_annotator_day.items())}
    return stats
