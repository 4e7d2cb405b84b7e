"""Suggest with everything there is: the rules, the string matcher and the trained recommenders.

:func:`suggest_all` is what ``reader suggest`` and the app's suggest command
run. It reads the store's accepted annotations once, builds the string matcher
from them (:mod:`reader.suggest.matcher`), trains or reuses a sentence model
per label (:mod:`reader.suggest.recommender`), measures every recommender by
leave-documents-out cross-validation (:func:`measure`), keeps the figures in
the store's state (``suggest.quality``, read by the stats screen and
``reader suggest --report``) and stores the suggestions of the recommenders
whose precision is at least 0.5. Suggestions carry their source:
``suggest:<label>`` (rules), ``suggest:match`` and ``suggest:model``.

This module never imports textual.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from reader.suggest import DEFAULT_MIN_SCORE, RECOGNISERS, SuggestReport, SuggestStore, suggest_document
from reader.suggest.base import Suggestion
from reader.suggest.matcher import StringMatcher
from reader.suggest.recommender import PRECISION_FLOOR, Quality, Recommender, train_recommenders

if TYPE_CHECKING:
    from reader.model import Annotation, Document
    from reader.protocols import JSON
    from reader.suggest.learn import Rescorer

__all__ = ["QUALITY_KEY", "EngineStore", "SuggestPlan", "measure", "read_quality", "suggest_all", "uncertainty"]

QUALITY_KEY = "suggest.quality"  # store state: the last measured quality of every recommender
MATCH_FOLDS = 10
MIN_MATCH_SUPPORT = 5  # matched predictions in cross-validation before a matcher can be hidden


class EngineStore(SuggestStore, Protocol):
    """What suggesting with every recommender needs of a store (a StoreAPI has it)."""

    @property
    def readonly(self) -> bool: ...
    def all(self, *, statuses: Iterable[str] = ...) -> list[Annotation]: ...
    def get_state(self, key: str, default: JSON = None) -> JSON: ...
    def set_state(self, key: str, value: JSON) -> None: ...


def _matcher(anns: Iterable[Annotation]) -> StringMatcher:
    return StringMatcher.from_annotations((a.doc_id, a.start, a.end, a.label, a.text) for a in anns if not a.orphaned)


def matcher_quality(docs: Sequence[Document], accepted: Sequence[Annotation],
                    labels: Iterable[str] | None = None) -> dict[str, Quality]:
    """Precision and recall of the string matcher per label, leaving documents out.

    The annotated documents are dealt into up to ten folds; each fold is matched
    with a matcher built from the other folds' annotations and scored against its
    own annotations (exact span and label).
    """
    by_id = {d.id: d for d in docs}
    by_doc: dict[str, list[Annotation]] = {}
    for a in accepted:
        if not a.orphaned and a.doc_id in by_id:
            by_doc.setdefault(a.doc_id, []).append(a)
    wanted = set(labels) if labels is not None else {a.label for anns in by_doc.values() for a in anns}
    ids = sorted(by_doc)
    k = min(MATCH_FOLDS, len(ids))
    counts = {label: [0, 0, 0] for label in wanted}  # tp, fp, fn
    for fold in range(k):
        held = ids[fold::k]
        held_set = set(held)
        m = _matcher(a for doc_id in ids if doc_id not in held_set for a in by_doc[doc_id])
        for doc_id in held:
            gold = {(a.start, a.end, a.label) for a in by_doc[doc_id] if a.label in wanted}
            pred = {s.key for s in m.find(doc_id, by_id[doc_id].text, wanted)}
            for s, e, label in pred:
                counts[label][0 if (s, e, label) in gold else 1] += 1
            for key in gold - pred:
                counts[key[2]][2] += 1
    n_anns = {label: sum(1 for anns in by_doc.values() for a in anns if a.label == label) for label in wanted}
    n_docs = {label: sum(1 for anns in by_doc.values() if any(a.label == label for a in anns)) for label in wanted}
    out: dict[str, Quality] = {}
    for label in sorted(wanted):
        tp, fp, fn = counts[label]
        if len(ids) < 2:
            out[label] = Quality(label, "string matcher", n_anns[label], n_docs[label], None, None,
                                 "needs annotations in 2 documents or more to measure")
        elif tp + fp == 0:
            out[label] = Quality(label, "string matcher", n_anns[label], n_docs[label], None, None,
                                 "no repeated text to measure on yet")
        else:
            out[label] = Quality(label, "string matcher", n_anns[label], n_docs[label], tp / (tp + fp),
                                 tp / (tp + fn) if tp + fn else 0.0, f"{k}-fold, documents left out")
    return out


@dataclass
class SuggestPlan:
    """The recommenders of one run and their measured quality."""

    matcher: StringMatcher
    models: dict[str, Recommender] = field(default_factory=dict)
    quality: list[Quality] = field(default_factory=list)
    hidden_match: set[str] = field(default_factory=set)  # labels whose matcher is below the floor
    notes: list[str] = field(default_factory=list)

    def find(self, doc: Document, labels: Sequence[str]) -> list[Suggestion]:
        wanted = [lab for lab in labels if lab not in self.hidden_match]
        found = self.matcher.find(doc.id, doc.text, wanted)
        for label in labels:
            model = self.models.get(label)
            if model is not None:
                found.extend(model.find(doc))
        return found


def measure(docs: Sequence[Document], accepted: Sequence[Annotation], labels: Iterable[str] | None = None,
            *, models: bool = True) -> SuggestPlan:
    """Build the matcher and the models from the accepted annotations, and measure them."""
    plan = SuggestPlan(_matcher(accepted))
    mq = matcher_quality(docs, accepted, labels)
    for label, q in mq.items():
        plan.quality.append(q)
        if q.hidden and (q.precision or 0) < PRECISION_FLOOR and q.annotations >= MIN_MATCH_SUPPORT:
            plan.hidden_match.add(label)
    if models:
        try:
            usable, quality = train_recommenders(docs, accepted, labels, rule_labels=tuple(RECOGNISERS))
        except ImportError:
            plan.notes.append("trained recommenders unavailable: scikit-learn is not installed (pip install '.[learn]')")
        else:
            plan.models = usable
            plan.quality.extend(quality.values())
    plan.quality.sort(key=lambda q: (q.label, q.kind))
    return plan


def quality_report(docs: Sequence[Document], store: EngineStore, labels: Iterable[str] | None = None
                   ) -> tuple[list[Quality], list[str]]:
    """The figures of `reader suggest --report` and the stats screen: each recommender measured now by
    leave-documents-out cross-validation on the store's accepted annotations (the last run's kept figures if
    nothing can be measured), and the notes (e.g. scikit-learn missing)."""
    plan = measure(docs, store.all(statuses=("accepted",)), labels)
    return plan.quality or read_quality(store), plan.notes


def read_quality(store: EngineStore) -> list[Quality]:
    """The figures of the last run, as kept in the store's state."""
    raw = store.get_state(QUALITY_KEY, [])
    out = []
    for item in raw if isinstance(raw, list) else []:
        q = Quality.from_state(item)
        if q is not None:
            out.append(q)
    return out


def _labels(labels: Iterable[str] | None, accepted: Sequence[Annotation]) -> list[str]:
    from reader.errors import ReaderError

    known = list(RECOGNISERS) + sorted({a.label for a in accepted} - set(RECOGNISERS))
    if labels is None:
        return known
    if isinstance(labels, str):
        labels = labels.split(",")
    wanted = list(dict.fromkeys(lab.strip() for lab in labels if lab and lab.strip()))
    unknown = [lab for lab in wanted if lab not in known]
    if unknown:
        raise ReaderError(f"nothing suggests label(s) {', '.join(sorted(unknown))}: no rules and no annotations "
                          f"to learn from yet; labels with help: {', '.join(known)}")
    if not wanted:
        raise ReaderError(f"no labels given; labels with help: {', '.join(known)}")
    return wanted


def suggest_all(corpus: Iterable[Document], store: EngineStore, labels: Iterable[str] | None = None,
                doc_ids: Iterable[str] | None = None, progress: Callable[[int, int], None] | None = None,
                min_score: float = DEFAULT_MIN_SCORE, rescorer: Rescorer | None = None,
                models: bool = True) -> SuggestReport:
    """Suggest with the rules, the string matcher and the trained models; see the module docstring.

    ``labels`` defaults to every label with rules or accepted annotations;
    ``doc_ids`` limits the run to some documents (the models still learn from
    all). ``progress(done, total)`` is called after each document.
    """
    from reader.errors import ReaderError

    docs = list(corpus)
    accepted = store.all(statuses=("accepted",))
    wanted = _labels(labels, accepted)
    targets = docs
    if doc_ids is not None:
        ids = list(dict.fromkeys(doc_ids))
        by_id = {d.id: d for d in docs}
        missing = [i for i in ids if i not in by_id]
        if missing:
            raise ReaderError(f"unknown document(s): {', '.join(missing)}")
        targets = [by_id[i] for i in ids]
    plan = measure(docs, accepted, wanted, models=models)
    if not store.readonly:
        store.set_state(QUALITY_KEY, [q.to_state() for q in plan.quality])
    report = SuggestReport(min_score=min_score)
    rule_labels = [lab for lab in wanted if lab in RECOGNISERS]
    for n, doc in enumerate(targets, 1):
        suggest_document(doc, store, rule_labels, report, rescorer=rescorer, extra=plan.find(doc, wanted))
        if progress is not None:
            progress(n, len(targets))
    report.quality = [q.describe() for q in plan.quality]
    report.notes = plan.notes
    return report


def uncertainty(scores: Iterable[float | None]) -> float | None:
    """How uncertain a document's suggestions are: the mean closeness of their scores to 0.5
    (1 = all at 0.5, 0 = all sure); None without scored suggestions."""
    vals = [1.0 - 2.0 * abs(float(s) - 0.5) for s in scores if s is not None]
    return sum(vals) / len(vals) if vals else None
