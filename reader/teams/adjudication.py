"""Adjudication: building a gold layer from several annotators' layers.

On the model of Prodigy's ``review`` and INCEpTION's curation. For one
document, the spans of the annotators under review are grouped into
**clusters** (maximal runs of overlapping spans, whoever made them). A cluster
is *agreed* when every annotator who worked on the document has exactly the
same spans there (same offsets and labels), else it is a *disagreement*.

The adjudicator's decisions go into the **gold layer**: annotations whose
``annotator`` is :data:`GOLD` (or another name given), with
``source = "adjudicated:<annotator>"``. Each decision is one atomic write
keyed per cluster (:meth:`~reader.store.gold.GoldWriter.decide_clusters`):
the cluster's gold spans and its decision row (who decided what, when) change
together, and only if nobody decided that cluster since this review was built,
so two reviewers deciding the same cluster never leave two decisions. The
cluster's key is the extent of the annotators' spans (:attr:`Cluster.anchor`),
not of the gold ones, so a reviewer who moved a gold edge and one who did not
still name the same cluster. The decision rows also remember "no span here",
so review progress survives restarts and, on PostgreSQL, is shared by the team.

Only the store API is used, so this works on every engine.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from dataclasses import dataclass, field
from typing import Iterable, Protocol, Sequence

from reader.model import STATUS_ACCEPTED, Annotation, ClusterDecision, Document, Link
from reader.protocols import JSON, AnnotationItem, CountKey
from reader.store.gold import claim_key, decision_key
from reader.text import is_word_char, next_word, prev_word, snap_left, word_bounds

GOLD = "gold"
STATE_PREFIX = "adjudication:"


class AdjudicationStore(Protocol):
    """The part of :class:`~reader.store.AnnotationStore` adjudication uses."""

    path: Path | str  # a folder, or a database URL without its password

    def for_document(self, doc_id: str, *, statuses: Iterable[str] = ...) -> list[Annotation]: ...

    def add_many(self, items: Iterable[AnnotationItem], *, source: str = "", skip_duplicates: bool = True) -> list[Annotation]: ...

    def delete(self, ann_id: str) -> Annotation: ...

    def all(self, *, statuses: Iterable[str] = ...) -> list[Annotation]: ...

    def count_by_document(self, *, statuses: Iterable[str] = ..., by: CountKey = ...) -> dict[str, Counter[str]]: ...

    def imported_documents(self) -> list[Document]: ...

    def links(self, *, statuses: Iterable[str] = ...) -> list[Link]: ...

    def get_state(self, key: str, default: JSON = None) -> JSON: ...

    def set_state(self, key: str, value: JSON) -> None: ...

    def decide_clusters(self, decisions: Sequence[ClusterDecision], *, layer: str, source: str = "") -> list[Annotation]: ...


@dataclass
class Cluster:
    start: int
    end: int
    spans: dict[str, list[Annotation]] = field(default_factory=dict)  # annotator -> their spans here
    gold: list[Annotation] = field(default_factory=list)
    annotators: tuple[str, ...] = ()  # who worked on the document
    decided_empty: bool = False  # the adjudicator decided: no gold span here
    decision: JSON = None  # the cluster's decision row as this review saw it (None: undecided)
    claims: dict[str, JSON] = field(default_factory=dict)  # annotators' span id -> its claim row seen

    def version(self, who: str) -> tuple[tuple[int, int, str], ...]:
        return tuple(sorted((a.start, a.end, a.label) for a in self.spans.get(who, ())))

    @property
    def agreed(self) -> bool:
        versions = {self.version(w) for w in self.annotators}
        return len(versions) == 1 and bool(self.annotators)

    @property
    def resolved(self) -> bool:
        return bool(self.gold) or self.decided_empty

    @property
    def key(self) -> list[int]:
        return [self.start, self.end]

    @property
    def anchor(self) -> tuple[int, int]:
        """The cluster's key for its decision: the extent of the annotators' spans (the gold
        spans' extent only when no annotator's span is left), so moving a gold edge keeps it."""
        spans = [a for anns in self.spans.values() for a in anns] or self.gold
        if not spans:
            return (self.start, self.end)
        return (min(a.start for a in spans), max(a.end for a in spans))


@dataclass
class Review:
    doc_id: str
    annotators: list[str]
    gold: str
    clusters: list[Cluster]

    @property
    def resolved(self) -> int:
        return sum(1 for c in self.clusters if c.resolved)

    @property
    def disagreements(self) -> int:
        return sum(1 for c in self.clusters if not c.agreed)

    @property
    def progress(self) -> str:
        return f"{self.resolved}/{len(self.clusters)}"

    @property
    def done(self) -> bool:
        return bool(self.clusters) and self.resolved == len(self.clusters)


def build_review(store: AdjudicationStore, doc_id: str, *, annotators: Sequence[str] | None = None,
                 gold: str = GOLD) -> Review:
    """The clusters of ``doc_id`` for the annotators (default: everyone but ``gold``)."""
    anns = [a for a in store.for_document(doc_id, statuses=(STATUS_ACCEPTED,)) if not a.orphaned]
    gold_spans = [a for a in anns if a.annotator == gold]
    others = [a for a in anns if a.annotator != gold and (annotators is None or a.annotator in annotators)]
    who = sorted({a.annotator for a in others}) if annotators is None else [w for w in annotators if w != gold]
    worked = tuple(w for w in who if any(a.annotator == w for a in others))
    clusters: list[Cluster] = []
    for ann in sorted(others + gold_spans, key=lambda a: (a.start, a.end)):
        if clusters and ann.start < clusters[-1].end:
            cluster = clusters[-1]
            cluster.end = max(cluster.end, ann.end)
        else:
            cluster = Cluster(ann.start, ann.end, annotators=worked)
            clusters.append(cluster)
        if ann.annotator == gold:
            cluster.gold.append(ann)
        else:
            cluster.spans.setdefault(ann.annotator, []).append(ann)
    legacy = _decided(store, doc_id)
    for cluster in clusters:
        cluster.decision = store.get_state(decision_key(doc_id, *cluster.anchor))  # a lookup, no scan
        cluster.claims = {a.id: store.get_state(claim_key(a.id)) for anns in cluster.spans.values() for a in anns}
        chose_none = isinstance(cluster.decision, dict) and not cluster.decision.get("gold")
        cluster.decided_empty = (chose_none or cluster.key in legacy) and not cluster.gold
    # a cluster made only of gold spans (an edit that moved away) is resolved by itself
    return Review(doc_id, list(who), gold, clusters)


def layers_by_document(store: AdjudicationStore, *, gold: str = GOLD) -> dict[str, set[str]]:
    """The annotators (not ``gold``) with accepted spans, per document (counted, nothing copied)."""
    counts = store.count_by_document(statuses=(STATUS_ACCEPTED,), by="annotator")
    return {doc_id: set(c) - {gold} for doc_id, c in counts.items() if set(c) - {gold}}


def reviews(store: AdjudicationStore, *, gold: str = GOLD) -> dict[str, Review]:
    """The review of every document that two or more annotators worked on."""
    return {doc_id: build_review(store, doc_id, gold=gold)
            for doc_id, who in layers_by_document(store, gold=gold).items() if len(who) >= 2}


#: The edges of a gold span that :func:`move_edge` moves, and which way.
EDGES = ("start-", "start+", "end-", "end+")


def move_edge(text: str, start: int, end: int, edge: str) -> tuple[int, int] | None:
    """``(start, end)`` with one edge moved by a word, or None when it cannot move.

    ``start-``/``start+`` move the start to the previous/next word start,
    ``end-``/``end+`` move the end to the previous/next word end. The span
    never becomes empty and its edges stay on grapheme boundaries.
    """
    n = len(text)
    if edge == "start-":
        s = prev_word(text, start)
        return (s, end) if s < start else None
    if edge == "start+":
        s = next_word(text, start)
        return (s, end) if start < s < end else None
    if edge == "end+":
        i = end
        while i < n and not is_word_char(text[i]):
            i += 1
        if i >= n:
            return None
        e = word_bounds(text, i)[1]
        return (start, e) if e > end else None
    if edge == "end-":
        e = prev_word(text, end) if end > 0 and is_word_char(text[end - 1]) else end
        while e > start and not is_word_char(text[e - 1]):  # back over the spaces and punctuation
            e -= 1
        e = snap_left(text, e)
        return (start, e) if start < e < end else None
    raise ValueError(f"unknown edge {edge!r} (one of {', '.join(EDGES)})")


def _decided(store: AdjudicationStore, doc_id: str) -> list[list[int]]:
    value = store.get_state(STATE_PREFIX + doc_id, None)
    if isinstance(value, dict) and isinstance(empty := value.get("empty"), list):
        return [[x[0], x[1]] for x in empty
                if isinstance(x, list) and len(x) == 2 and isinstance(x[0], int) and isinstance(x[1], int)]
    return []


def _decide(store: AdjudicationStore, review: Review, decisions: list[tuple[Cluster, str, list[Annotation]]],
            source: str = "") -> list[Annotation]:
    """One atomic write of ``(cluster, whose version, its spans)`` decisions (see the module docstring)."""
    return store.decide_clusters([
        ClusterDecision(review.doc_id, *c.anchor, seen=c.decision, chose=who, remove=[g.id for g in c.gold],
                        claims=dict(c.claims),
                        add=[{"doc_id": a.doc_id, "start": a.start, "end": a.end, "label": a.label, "note": a.note,
                              "annotator": review.gold} for a in chosen])
        for c, who, chosen in decisions
    ], layer=review.gold, source=source)


def accept(store: AdjudicationStore, review: Review, cluster: Cluster, who: str) -> list[Annotation]:
    """Make ``who``'s version of ``cluster`` the gold one (replacing any gold spans there), as one
    write refused (:class:`~reader.errors.StoreConflictError`) when another reviewer decided this
    cluster since ``review`` was built. When ``who`` has no span there, the decision is "no span here"."""
    chosen = cluster.spans.get(who, [])
    added = _decide(store, review, [(cluster, who, chosen)])
    cluster.gold = list(added)
    cluster.decided_empty = not chosen
    cluster.decision = store.get_state(decision_key(review.doc_id, *cluster.anchor))
    cluster.claims = {i: store.get_state(claim_key(i)) for i in cluster.claims}
    return added


def accept_agreed(store: AdjudicationStore, review: Review) -> int:
    """Copy every agreed, undecided cluster into the gold layer (one write, all or nothing). Returns spans added."""
    todo = [(c, "agreed", c.spans.get(c.annotators[0], [])) for c in review.clusters
            if c.agreed and not c.resolved and c.annotators]
    if not todo:
        return 0
    added = _decide(store, review, todo, source="adjudicated:agreed")
    by_span = {(a.start, a.end, a.label): a for a in added}
    for cluster, _who, _chosen in todo:
        cluster.gold = [by_span[v] for v in cluster.version(cluster.annotators[0]) if v in by_span]
        cluster.decision = store.get_state(decision_key(review.doc_id, *cluster.anchor))
        cluster.claims = {i: store.get_state(claim_key(i)) for i in cluster.claims}
    return len(added)


class LayerView:
    """A read-only view of a store showing only some annotators' layers (for export)."""

    def __init__(self, store: AdjudicationStore, layers: Sequence[str]) -> None:
        self._store = store
        self.layers = set(layers)

    @property
    def path(self) -> Path | str:
        """The store's folder or URL (an export must never overwrite it)."""
        return self._store.path

    def for_document(self, doc_id: str, *, statuses: Iterable[str] = (STATUS_ACCEPTED, "suggested")) -> list[Annotation]:
        return [a for a in self._store.for_document(doc_id, statuses=statuses) if a.annotator in self.layers]

    def count_by_document(
        self, *, statuses: Iterable[str] = (STATUS_ACCEPTED,), by: CountKey = "label"
    ) -> dict[str, Counter[str]]:
        result: dict[str, Counter[str]] = {}
        for a in self._store.all(statuses=statuses):
            if a.annotator in self.layers:
                result.setdefault(a.doc_id, Counter())[a.annotator if by == "annotator" else a.label] += 1
        return result

    def imported_documents(self) -> list[Document]:
        return self._store.imported_documents()

    def links(self, *, statuses: Iterable[str] = (STATUS_ACCEPTED,)) -> list[Link]:
        """Links between two annotations of the shown layers."""
        shown = {a.id for a in self._store.all(statuses=("accepted", "suggested", "rejected")) if a.annotator in self.layers}
        return [k for k in self._store.links(statuses=statuses) if k.a in shown and k.b in shown]
