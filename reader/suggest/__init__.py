"""Rule-based recognisers that pre-annotate documents with *suggested* spans.

Every recogniser module exposes ``LABEL`` and
``find(text, lang=None) -> list[Suggestion]`` working on canonical text:
offsets are code-point indices, end-exclusive, and
``text[s.start:s.end] == s.text`` for every suggestion.

:func:`suggest_corpus` runs the recognisers over a corpus and stores their
output with status ``"suggested"`` and source ``"suggest:<label>"``. Running it
again adds nothing new, and a suggestion the user rejected never comes back.

This package never imports textual.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from reader.suggest.base import Suggestion

if TYPE_CHECKING:
    from reader.model import Annotation, Document
    from reader.protocols import JSON, AnnotationItem, RejectedKey
    from reader.suggest.learn import Rescorer

__all__ = [
    "RECOGNISERS",
    "Recogniser",
    "SuggestReport",
    "Suggestion",
    "available_labels",
    "find_all",
    "suggest_corpus",
    "suggest_document",
]


class Recogniser(Protocol):
    """A recogniser's ``find``: the suggested spans of one label in ``text``."""

    def __call__(self, text: str, lang: str | None = None) -> list[Suggestion]: ...


def _recognisers() -> dict[str, Recogniser]:
    from reader.suggest import quote, salary

    return {salary.LABEL: salary.find, quote.LABEL: quote.find}


RECOGNISERS: dict[str, Recogniser] = _recognisers()

SOURCE_PREFIX = "suggest:"
SOURCE_NAMES = {"rules": "rules", "match": "string matcher", "model": "trained models"}


def available_labels() -> list[str]:
    return list(RECOGNISERS)


def _check_labels(labels: Iterable[str] | None) -> list[str]:
    from reader.errors import ReaderError

    if labels is None:
        return available_labels()
    if isinstance(labels, str):
        labels = [p for p in labels.split(",")]
    wanted = [lab.strip() for lab in labels if lab and lab.strip()]
    unknown = [lab for lab in wanted if lab not in RECOGNISERS]
    if unknown:
        raise ReaderError(
            f"no recogniser for label(s) {', '.join(sorted(set(unknown)))}; "
            f"available: {', '.join(available_labels())}"
        )
    if not wanted:
        raise ReaderError(f"no labels given; available: {', '.join(available_labels())}")
    return list(dict.fromkeys(wanted))


DEFAULT_MIN_SCORE = 0.5  # below this a candidate is not suggested (``--min-score`` changes it)


def find_all(text: str, lang: str | None = None, labels: Iterable[str] | None = None,
             min_score: float = 0.0) -> list[Suggestion]:
    """Run the recognisers for ``labels`` (default: all) over ``text``, sorted by position.

    Every candidate comes with its ``score``; those below ``min_score`` are left out.
    """
    out: list[Suggestion] = []
    for label in _check_labels(labels):
        out.extend(s for s in RECOGNISERS[label](text, lang=lang) if s.score >= min_score)
    out.sort(key=lambda s: (s.start, s.end, s.label))
    return out


@dataclass
class SuggestReport:
    """What one :func:`suggest_corpus` run did."""

    added: int = 0
    skipped_existing: int = 0
    skipped_rejected: int = 0
    skipped_overlap: int = 0  # overlaps an accepted annotation of the same label
    skipped_low: int = 0  # scored below min_score
    min_score: float = DEFAULT_MIN_SCORE
    model_note: str = ""  # whether the learned re-scoring was used, and why (not)
    by_label: Counter[str] = field(default_factory=Counter)  # label -> added
    by_source: Counter[str] = field(default_factory=Counter)  # "rules" | "match" | "model" -> added
    documents: int = 0
    quality: list[str] = field(default_factory=list)  # each recommender's measured quality, one line each
    notes: list[str] = field(default_factory=list)

    def headline(self) -> str:
        """One short sentence: what was added."""
        parts = ", ".join(f"{n} {label}" for label, n in sorted(self.by_label.items())) or "none"
        return f"{self.added} suggestion(s) added ({parts}) in {self.documents} document(s)."

    def summary(self) -> str:
        """Sentences, one per line: what was added, what was skipped and why, learning."""
        skipped = [f"{self.skipped_existing} already present", f"{self.skipped_rejected} previously rejected"]
        if self.skipped_overlap:
            skipped.append(f"{self.skipped_overlap} overlapping an accepted annotation")
        if self.skipped_low:
            skipped.append(f"{self.skipped_low} scored below {self.min_score:g}")
        lines = [self.headline()]
        if self.by_source:
            lines.append("From: " + ", ".join(f"{SOURCE_NAMES.get(k, k)} {n}" for k, n in sorted(self.by_source.items())) + ".")
        lines.append("Skipped: " + ", ".join(skipped) + ".")
        if self.model_note:
            note = self.model_note[0].upper() + self.model_note[1:]
            lines.append(note if note.endswith(".") else note + ".")
        lines.extend(self.notes)
        return "\n".join(lines)


class RejectedLookup(Protocol):
    """What suggesting needs of a store to keep rejected spans away (a StoreAPI has it)."""

    def rejected_keys(self, doc_id: str) -> set[RejectedKey]: ...
    def for_document(self, doc_id: str, *, statuses: Iterable[str] = ...) -> list[Annotation]: ...


class SuggestStore(RejectedLookup, Protocol):
    """What suggesting needs of a store: the annotations and rejected spans, and adding (a StoreAPI has it)."""

    def add_many(self, items: Iterable[AnnotationItem], *, source: str = "") -> list[Annotation]: ...


def _existing(store: RejectedLookup, doc_id: str) -> tuple[set[tuple[int, int, str]], dict[str, list[tuple[int, int]]]]:
    """Keys of accepted and suggested annotations, and accepted ranges by label."""
    anns = store.for_document(doc_id, statuses=("accepted", "suggested"))
    accepted: dict[str, list[tuple[int, int]]] = {}
    for a in anns:
        if a.status == "accepted":
            accepted.setdefault(a.label, []).append((a.start, a.end))
    return {(a.start, a.end, a.label) for a in anns}, accepted


def _rejected_keys(store: RejectedLookup, doc_id: str) -> set[RejectedKey]:
    keys: set[RejectedKey] = set()
    for key in store.rejected_keys(doc_id):
        keys.add(_norm_key(key))
    try:
        rejected = store.for_document(doc_id, statuses=("rejected",))
    except TypeError:  # a store without a statuses filter
        rejected = []
    for a in rejected:
        keys.add((a.start, a.end, a.label))
    return keys


def _norm_key(key: Iterable[str | int]) -> RejectedKey:
    """Accept (doc_id, start, end, label) or (start, end, label)."""
    key = tuple(key)
    if len(key) == 4:
        return (key[1], key[2], key[3])
    return key


def suggest_document(doc: Document, store: SuggestStore, labels: Iterable[str] | None = None,
                     report: SuggestReport | None = None, min_score: float | None = None,
                     rescorer: Rescorer | None = None, extra: Iterable[Suggestion] = ()) -> SuggestReport:
    """Suggest spans for one document; see :func:`suggest_corpus`.

    ``extra`` are suggestions of other recommenders (the string matcher, the trained
    models: ``rule`` "match" or "model"), filtered like the rules' own; with
    ``labels`` an empty list, only they are used.
    """
    report = report if report is not None else SuggestReport()
    if min_score is not None:
        report.min_score = min_score
    lang = doc.known_lang
    existing, accepted = _existing(store, doc.id)
    rejected = _rejected_keys(store, doc.id)
    from reader.amounts import value_json

    items: list[dict[str, JSON]] = []
    pending: Counter[str] = Counter()
    sources: Counter[str] = Counter()
    found: list[Suggestion] = []
    if labels is not None and not isinstance(labels, str):
        labels = list(labels)
    if labels is None or labels:
        found = find_all(doc.text, lang=lang, labels=_check_labels(labels))
        if rescorer is not None:
            found = rescorer.rescore(doc.text, found)
    found.extend(extra)
    for s in found:
        if s.score < report.min_score:
            report.skipped_low += 1
            continue
        key = (s.start, s.end, s.label)
        if key in rejected:
            report.skipped_rejected += 1
            continue
        if key in existing:
            report.skipped_existing += 1
            continue
        if any(a < s.end and s.start < b for a, b in accepted.get(s.label, ())):
            # the user already labelled this stretch (perhaps with other bounds)
            report.skipped_overlap += 1
            continue
        existing.add(key)
        items.append(
            {
                "doc_id": doc.id,
                "start": s.start,
                "end": s.end,
                "label": s.label,
                "text": s.text,
                "status": "suggested",
                "source": SOURCE_PREFIX + (s.rule if s.rule in ("match", "model") else s.label),
                "note": "",
                "value": value_json(s.value) if s.value is not None else None,
                "score": s.score,
                "reason": s.reason,
            }
        )
        pending[s.label] += 1
        sources[s.rule if s.rule in ("match", "model") else "rules"] += 1
    if items:
        store.add_many(items, source="suggest")
        report.added += len(items)
        report.by_label.update(pending)
        report.by_source.update(sources)
    report.documents += 1
    return report


def suggest_corpus(corpus: Iterable[Document], store: SuggestStore, labels: Iterable[str] | None = None,
                   doc_ids: Iterable[str] | None = None, progress: Callable[[int, int], None] | None = None,
                   min_score: float = DEFAULT_MIN_SCORE, rescorer: Rescorer | None = None) -> SuggestReport:
    """Run the recognisers over ``corpus`` and store their output as suggestions.

    ``labels`` selects recognisers (default: all, i.e. salary and quote);
    ``doc_ids`` limits the run to some documents. Each document is searched
    with its detected language (``doc.lang``; unknown -> every language table).
    A span already present as accepted or suggested (same doc, start, end,
    label) is skipped, and so is one the user rejected (``store.rejected_keys``
    and annotations with status ``"rejected"``) and one that overlaps an
    accepted annotation of the same label (the user already labelled it, maybe
    with other bounds). One batched ``store.add_many`` call per document;
    ``progress(done, total)`` is called after each document. Candidates
    scored below ``min_score`` are not stored (``report.skipped_low``);
    ``rescorer`` (a :class:`reader.suggest.learn.Rescorer`) re-scores them
    from the user's past decisions first.
    """
    from reader.errors import ReaderError

    wanted = _check_labels(labels)
    docs = list(corpus)
    if doc_ids is not None:
        ids = list(dict.fromkeys(doc_ids))
        by_id = {d.id: d for d in docs}
        missing = [i for i in ids if i not in by_id]
        if missing:
            raise ReaderError(f"unknown document(s): {', '.join(missing)}")
        docs = [by_id[i] for i in ids]
    report = SuggestReport(min_score=min_score)
    for n, doc in enumerate(docs, 1):
        suggest_document(doc, store, wanted, report, rescorer=rescorer)
        if progress is not None:
            progress(n, len(docs))
    return report
