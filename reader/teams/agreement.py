"""Inter-annotator agreement: span F1, Cohen's kappa, Fleiss' kappa, Krippendorff's alpha.

Input is a list of :class:`~reader.model.Annotation` (any store, any engine)
and the documents' canonical texts. Each annotator is a *layer*
(``Annotation.annotator``).

* **Span F1** (pairwise, per label and overall): *exact* counts spans with the
  same (start, end, label) in both layers; *overlap* counts a span as found
  when the other layer has a span of the same label that shares at least one
  character with it. ``F1 = 2PR / (P + R)``; it does not matter which annotator
  is taken as the reference.
* **Kappa and alpha** are computed on *units*: tokens (default) or characters.
  A token is a run of word characters or one other non-space character; a span
  marks every token it overlaps. Each annotator gives each unit a category: the
  label covering it, ``"O"`` for none, and the sorted labels joined by ``+``
  when several of their spans overlap there. Per label, the category is
  binary (the label or not).
  Cohen's kappa is per pair; Fleiss' kappa uses the documents every selected
  annotator worked on; Krippendorff's alpha (nominal; checked against the ``krippendorff``
  package in the tests) uses every unit that at least two annotators rated.
* A document counts for an annotator once they have at least one accepted
  annotation in it. A document an annotator did not work on is missing data,
  never a run of "O"s.

* **Who is compared.** By default the *human* annotators
  (:func:`human_annotators`): not the gold layer of adjudication (``gold``, or
  spans whose source is ``adjudicated:...``), and not whoever ran ``reader
  suggest`` (a layer made only of suggestions accepted before credit went to
  the one who accepts). Comparing with gold is its own report
  (``against="gold"``): each annotator against the gold layer, pairwise only.

Undefined figures (nothing to compare, or a single category everywhere, which
makes the expected disagreement zero) are ``None``.
"""
from __future__ import annotations

import bisect
import itertools
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np
import regex

from reader.model import STATUS_ACCEPTED, Annotation
from reader.protocols import JSON

UNITS = ("token", "char")
ALL_LABELS = "(all)"
_TOKEN = regex.compile(r"[\p{L}\p{M}\p{N}_'’\-]+|\S")

#: A span as the F1 measures compare it: ``(doc_id, start, end, label)``.
SpanKey = tuple[str, int, int, str]

UNIT_DESCRIPTION = {
    "token": "token-level (a token is a word or one punctuation mark; a span marks every token it overlaps)",
    "char": "character-level (every code point of the document is one unit)",
}


# --------------------------------------------------------------------------- the measures


def cohen_kappa(a: Sequence[int] | np.ndarray, b: Sequence[int] | np.ndarray) -> float | None:
    """Cohen's kappa of two raters' category codes over the same units (None when undefined)."""
    a = np.asarray(a)
    b = np.asarray(b)
    n = len(a)
    if n == 0 or len(b) != n:
        return None
    observed = float(np.count_nonzero(a == b)) / n
    both = np.concatenate([a, b])
    if both.min() >= 0 and both.max() < 1 << 20:  # small codes (label masks): count directly
        size = int(both.max()) + 1
        pa = np.bincount(a, minlength=size) / n
        pb = np.bincount(b, minlength=size) / n
    else:
        cats, inverse = np.unique(both, return_inverse=True)
        pa = np.bincount(inverse[:n], minlength=len(cats)) / n
        pb = np.bincount(inverse[n:], minlength=len(cats)) / n
    expected = float(np.dot(pa, pb))
    if expected >= 1.0 - 1e-12:
        return None
    return (observed - expected) / (1.0 - expected)


def fleiss_kappa(counts: np.ndarray) -> float | None:
    """Fleiss' kappa from a units x categories matrix of rater counts (same raters per unit)."""
    counts = np.asarray(counts, dtype=np.float64)
    if counts.ndim != 2 or counts.shape[0] == 0:
        return None
    raters = counts.sum(axis=1)
    n = raters[0]
    if n < 2 or not np.all(raters == n):
        return None
    units = counts.shape[0]
    p_unit = (np.sum(counts * counts, axis=1) - n) / (n * (n - 1))
    p_bar = float(p_unit.mean())
    p_cat = counts.sum(axis=0) / (units * n)
    p_e = float(np.dot(p_cat, p_cat))
    if p_e >= 1.0 - 1e-12:
        return None
    return (p_bar - p_e) / (1.0 - p_e)


def krippendorff_alpha(counts: np.ndarray) -> float | None:
    """Krippendorff's alpha (nominal) from a units x values matrix of counts.

    Units rated by fewer than two raters are not pairable and drop out. None
    when undefined (no pairable unit, or one value everywhere).

    The coincidence matrix is summed with one matrix product, O(units x values):
    ``o = (counts / (m_u - 1))^T counts - diag(...)``. The ``krippendorff``
    package builds a units x values x values array instead, which made it 66% of
    ``reader agree`` (400 MB for 200k tokens and 16 label combinations). The
    package stays the reference: ``tests/unit/test_agreement.py`` checks that both
    agree on random count matrices and on Krippendorff's published example.
    """
    counts = np.asarray(counts, dtype=np.float64)
    if counts.ndim != 2 or counts.shape[0] == 0:
        return None
    m = counts.sum(axis=1)
    counts, m = counts[m >= 2], m[m >= 2]
    if counts.shape[0] == 0 or np.count_nonzero(counts.sum(axis=0)) < 2:
        return None  # one value everywhere: no expected disagreement
    weighted = counts / (m - 1)[:, None]
    coincidences = weighted.T @ counts - np.diag(weighted.sum(axis=0))
    n_c = counts.sum(axis=0)  # = the coincidences' row sums, without their rounding
    n = float(n_c.sum())
    observed = n - float(np.trace(coincidences))  # sum of the off-diagonal coincidences
    expected = (n * n - float((n_c * n_c).sum())) / (n - 1)  # > 0: two values at least, n >= 2
    return 1.0 - observed / expected


def f1(found_a: int, total_a: int, found_b: int, total_b: int) -> float | None:
    """F1 from recall (a's spans found in b) and precision (b's spans found in a)."""
    if total_a == 0 and total_b == 0:
        return None
    if total_a == 0 or total_b == 0:
        return 0.0
    recall = found_a / total_a
    precision = found_b / total_b
    if recall + precision == 0:
        return 0.0
    return 2 * precision * recall / (precision + recall)


def _found(spans: list[tuple[int, int]], other: list[tuple[int, int]]) -> int:
    """How many of ``spans`` overlap at least one of ``other`` (both lists of (start, end))."""
    if not spans or not other:
        return 0
    other = sorted(other)
    starts = [s for s, _ in other]
    prefix_max_end = list(itertools.accumulate((e for _, e in other), max))
    count = 0
    for s, e in spans:
        i = bisect.bisect_left(starts, e)  # other spans starting before e
        if i and prefix_max_end[i - 1] > s:
            count += 1
    return count


def span_f1(a: Iterable[SpanKey], b: Iterable[SpanKey], *, overlap: bool = False) -> float | None:
    """F1 between two sets of spans ``(doc_id, start, end, label)``."""
    set_a = set(a)
    set_b = set(b)
    if not overlap:
        both = len(set_a & set_b)
        return f1(both, len(set_a), both, len(set_b))
    # (doc_id, label) -> the (start, end) of its spans
    groups_a: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    groups_b: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for doc, s, e, label in set_a:
        groups_a[(doc, label)].append((s, e))
    for doc, s, e, label in set_b:
        groups_b[(doc, label)].append((s, e))
    found_a = sum(_found(spans, groups_b.get(key, [])) for key, spans in groups_a.items())
    found_b = sum(_found(spans, groups_a.get(key, [])) for key, spans in groups_b.items())
    return f1(found_a, len(set_a), found_b, len(set_b))


# --------------------------------------------------------------------------- units


def unit_bounds(text: str, unit: str = "token") -> tuple[np.ndarray, np.ndarray]:
    """Start and end offsets (code points) of the units of ``text``."""
    if unit == "char":
        starts = np.arange(len(text), dtype=np.int64)
        return starts, starts + 1
    if unit != "token":
        raise ValueError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
    spans = [m.span() for m in _TOKEN.finditer(text)]
    if not spans:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    arr = np.asarray(spans, dtype=np.int64)
    return arr[:, 0].copy(), arr[:, 1].copy()


#: label bits per int64 word of a unit's mask (bit 63 is the sign: left unused)
WORD_BITS = 63


def _layer_masks(starts: np.ndarray, ends: np.ndarray, anns: Iterable[Annotation], bit: Mapping[str, int],
                 words: int = 1) -> np.ndarray:
    """A units x ``words`` int64 array: label ``i`` is bit ``i % 63`` of word ``i // 63``, set when a span
    of that label overlaps the unit. Past 63 labels one int64 cannot hold the set (bit 64 would wrap
    onto bit 0), hence the words."""
    mask = np.zeros((len(starts), words), dtype=np.int64)
    for ann in anns:
        lo = int(np.searchsorted(ends, ann.start, side="right"))  # first unit ending after start
        hi = int(np.searchsorted(starts, ann.end, side="left"))  # units starting before end
        if hi > lo:
            word, b = divmod(bit[ann.label], WORD_BITS)
            mask[lo:hi, word] |= np.int64(1) << np.int64(b)
    return mask


def _codes(masks: Mapping[str, Mapping[str, np.ndarray]]) -> dict[str, dict[str, np.ndarray]]:
    """One category code per unit from the label masks: the mask itself when it fits one word, else
    the index of its label set among every set seen (the same code for the same set everywhere)."""
    arrays = [m for per_doc in masks.values() for m in per_doc.values()]
    if not arrays or arrays[0].shape[1] == 1:
        return {d: {w: m[:, 0] for w, m in per_doc.items()} for d, per_doc in masks.items()}
    _, inverse = np.unique(np.concatenate(arrays, axis=0), axis=0, return_inverse=True)
    inverse = inverse.reshape(-1).astype(np.int64)
    out: dict[str, dict[str, np.ndarray]] = {}
    pos = 0
    for d, per_doc in masks.items():
        out[d] = {}
        for w, m in per_doc.items():
            out[d][w] = inverse[pos:pos + len(m)]
            pos += len(m)
    return out


# --------------------------------------------------------------------------- the report


@dataclass
class PairScore:
    a: str
    b: str
    spans_a: int
    spans_b: int
    exact_f1: float | None
    overlap_f1: float | None
    cohen_kappa: float | None
    units: int


@dataclass
class LabelScore:
    label: str
    pairs: list[PairScore] = field(default_factory=list)
    fleiss_kappa: float | None = None
    fleiss_units: int = 0
    krippendorff_alpha: float | None = None
    alpha_units: int = 0


@dataclass
class DocScore:
    doc_id: str
    annotators: list[str]
    krippendorff_alpha: float | None
    exact_f1: float | None  # mean over the pairs that worked on the document
    spans: int

    @property
    def sort_key(self) -> tuple[float, float, str]:
        # undefined alpha (a single category everywhere) is full agreement, not the worst
        alpha = 1.0 if self.krippendorff_alpha is None else self.krippendorff_alpha
        f = 1.0 if self.exact_f1 is None else self.exact_f1
        return (alpha, f, self.doc_id)


@dataclass
class AgreementReport:
    unit: str
    against: str | None
    annotators: list[str]
    labels: list[str]
    documents: int  # documents at least two selected annotators worked on
    units: int  # units in those documents
    overall: LabelScore
    per_label: dict[str, LabelScore]
    by_document: list[DocScore]  # lowest agreement first

    @property
    def unit_description(self) -> str:
        return UNIT_DESCRIPTION[self.unit]

    def to_json(self) -> dict[str, JSON]:
        return {
            "unit": self.unit,
            "against": self.against,
            "unit_description": self.unit_description,
            "annotators": list[JSON](self.annotators),
            "labels": list[JSON](self.labels),
            "documents": self.documents,
            "units": self.units,
            "overall": asdict(self.overall),
            "per_label": {k: asdict(v) for k, v in self.per_label.items()},
            "documents_by_agreement": [asdict(d) for d in self.by_document],
        }


GOLD_LAYER = "gold"  # reader.teams.adjudication.GOLD (the team tools do not import each other)


def human_annotators(annotations: Iterable[Annotation]) -> list[str]:
    """The annotators of accepted annotations who are people: not the gold layer (named
    ``gold``, or made only of adjudicated spans), and not a suggester (a layer made only of
    suggestions accepted without credit, as ``root`` from ``reader suggest``)."""
    machine: dict[str, bool] = {}
    for ann in annotations:
        if ann.status != STATUS_ACCEPTED or ann.orphaned:
            continue
        derived = ann.source.startswith("adjudicated:") or (ann.source.startswith("suggest") and not ann.suggested_by)
        machine[ann.annotator] = machine.get(ann.annotator, True) and derived
    return sorted(who for who, derived in machine.items() if not derived and who != GOLD_LAYER)


class _Layers:
    """The annotations of the selected annotators, indexed by document and annotator."""

    def __init__(self, annotations: Iterable[Annotation], annotators: Sequence[str] | None,
                 labels: Sequence[str] | None, doc_ids: Sequence[str] | None):
        wanted_ann = set(annotators) if annotators is not None else None
        wanted_labels = set(labels) if labels else None
        wanted_docs = set(doc_ids) if doc_ids else None
        self.by_doc: dict[str, dict[str, list[Annotation]]] = defaultdict(lambda: defaultdict(list))
        self.covered: dict[str, set[str]] = defaultdict(set)  # doc -> annotators who worked on it
        seen_annotators: set[str] = set()
        seen_labels: set[str] = set()
        for ann in annotations:
            if ann.status != STATUS_ACCEPTED or ann.orphaned:
                continue
            if wanted_ann is not None and ann.annotator not in wanted_ann:
                continue
            if wanted_docs is not None and ann.doc_id not in wanted_docs:
                continue
            seen_annotators.add(ann.annotator)
            self.covered[ann.doc_id].add(ann.annotator)  # worked on it, whatever the label
            if wanted_labels is not None and ann.label not in wanted_labels:
                continue
            seen_labels.add(ann.label)
            self.by_doc[ann.doc_id][ann.annotator].append(ann)
        self.annotators = list(annotators) if annotators is not None else sorted(seen_annotators)
        self.labels = sorted(set(labels) if labels else seen_labels)
        self.docs = sorted(d for d, who in self.covered.items() if len(who) >= 2)


def compute_agreement(
    annotations: Iterable[Annotation],
    texts: Mapping[str, str],
    *,
    annotators: Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
    doc_ids: Sequence[str] | None = None,
    unit: str = "token",
    against: str | None = None,
) -> AgreementReport:
    """Agreement between the annotators' layers in ``annotations``.

    ``texts`` maps document ids to canonical texts (documents missing from it
    are skipped). ``annotators`` defaults to the human annotators
    (:func:`human_annotators`), ``labels`` to every label found. ``against``
    (a layer, e.g. ``"gold"``) compares each annotator with that layer only:
    the pairs are (annotator, ``against``) and the all-annotator figures
    (Fleiss, alpha) are left undefined."""
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {', '.join(UNITS)}, not {unit!r}")
    annotations = list(annotations)
    if not annotators:
        annotators = human_annotators(annotations)
    if against is not None:
        annotators = [w for w in annotators if w != against] + [against]
    layers = _Layers(annotations, annotators, labels, doc_ids)
    names = layers.annotators
    label_list = layers.labels
    bit = {label: i for i, label in enumerate(label_list)}
    words = max(1, -(-len(label_list) // WORD_BITS))
    docs = [d for d in layers.docs if d in texts]
    pairs = [(w, against) for w in names if w != against] if against is not None else list(itertools.combinations(names, 2))

    # per document: the unit masks of each annotator who worked on it
    label_masks: dict[str, dict[str, np.ndarray]] = {}
    total_units = 0
    for doc_id in docs:
        starts, ends = unit_bounds(texts[doc_id], unit)
        total_units += len(starts)
        label_masks[doc_id] = {
            who: _layer_masks(starts, ends, layers.by_doc[doc_id].get(who, ()), bit, words)
            for who in names if who in layers.covered[doc_id]
        }
    masks = _codes(label_masks)  # doc -> annotator -> one category code per unit

    def spans(who: str, label: str | None, doc_set: Iterable[str]) -> set[SpanKey]:
        return {
            (a.doc_id, a.start, a.end, a.label)
            for d in doc_set for a in layers.by_doc[d].get(who, ())
            if label is None or a.label == label
        }

    def score(label: str | None) -> LabelScore:
        result = LabelScore(ALL_LABELS if label is None else label)
        # the unit codes compared: the label sets' codes, or this label's bit (0 or 1)
        if label is None:
            select: Callable[[str, str], np.ndarray] = lambda d, w: masks[d][w]
        else:
            word, shift = divmod(bit[label], WORD_BITS)
            select = lambda d, w: (label_masks[d][w][:, word] >> shift) & 1  # noqa: E731
        for a, b in pairs:
            shared = [d for d in docs if a in masks[d] and b in masks[d]]
            sa, sb = spans(a, label, shared), spans(b, label, shared)
            if shared:
                ca = np.concatenate([select(d, a) for d in shared])
                cb = np.concatenate([select(d, b) for d in shared])
            else:
                ca = cb = np.zeros(0, dtype=np.int64)
            result.pairs.append(PairScore(
                a, b, len(sa), len(sb), span_f1(sa, sb), span_f1(sa, sb, overlap=True), cohen_kappa(ca, cb), len(ca),
            ))
        complete = [d for d in docs if all(w in masks[d] for w in names)]
        counts_all = _counts([[select(d, w) for w in masks[d]] for d in docs])
        counts_complete = _counts([[select(d, w) for w in names] for d in complete])
        if against is None:  # an annotator-vs-gold report has pairs only
            result.fleiss_kappa = fleiss_kappa(counts_complete) if len(names) >= 2 else None
            result.fleiss_units = int(counts_complete.shape[0])
            result.krippendorff_alpha = krippendorff_alpha(counts_all)
            result.alpha_units = int(counts_all.shape[0])
        return result

    overall = score(None)
    per_label = {label: score(label) for label in label_list}

    by_document = []
    for doc_id in docs:
        who = [w for w in names if w in masks[doc_id]]
        counts = _counts([list(masks[doc_id].values())])
        f1s = [span_f1(spans(a, None, [doc_id]), spans(b, None, [doc_id])) for a, b in pairs if a in who and b in who]
        scores = [x for x in f1s if x is not None]
        by_document.append(DocScore(
            doc_id, who, krippendorff_alpha(counts), (sum(scores) / len(scores)) if scores else None,
            sum(len(v) for v in layers.by_doc[doc_id].values()),
        ))
    by_document.sort(key=lambda d: d.sort_key)
    return AgreementReport(unit, against, names, label_list, len(docs), total_units, overall, per_label, by_document)


def _counts(groups: list[list[np.ndarray]]) -> np.ndarray:
    """Units x categories counts; ``groups`` holds, per document, one code array per rater."""
    rows = []
    codes_seen: list[np.ndarray] = []
    for layers in groups:
        if len(layers) == 0:
            continue
        stacked = np.vstack(layers)  # raters x units
        rows.append(stacked)
        if stacked.size and stacked.min() >= 0 and stacked.max() < 1 << 20:
            codes_seen.append(np.flatnonzero(np.bincount(stacked.ravel())))
        else:
            codes_seen.append(np.unique(stacked))
    if not rows:
        return np.zeros((0, 0), dtype=np.int64)
    cats = np.unique(np.concatenate(codes_seen))
    parts = []
    for stacked in rows:
        idx = np.searchsorted(cats, stacked)  # raters x units -> category index
        n_units = stacked.shape[1]
        flat = (np.arange(n_units)[None, :] * len(cats) + idx).ravel()
        parts.append(np.bincount(flat, minlength=n_units * len(cats)).reshape(n_units, len(cats)))
    return np.concatenate(parts, axis=0)
