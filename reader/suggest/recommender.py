"""Trained recommenders: one per label, learned from the team's accepted annotations.

A label whose annotations are clause- or sentence-long (claim, opinion, any such
label of ``labels.toml``) is learned as **sentence classification**: every
sentence (pysbd, per paragraph, in the paragraph's language) of a document the
team annotated is an example, positive when an accepted annotation of the label
covers at least half of it. The model is scikit-learn's ``LogisticRegression``
(balanced classes) on hashed character n-grams (2-4, within words) and word
unigrams and bigrams: character n-grams carry across the corpus's languages
(shared names, numbers, cognates, quotation marks) without a tokeniser or a
model download per language, train in well under a second on thousands of
sentences on a CPU, and give a probability that orders suggestions by
uncertainty. A predicted sentence is suggested as the label with that
probability as its score.

Short-span labels (salary, quote: the labels with rules, or a median annotation under half its sentence)
get no sentence model; the rules (:mod:`reader.suggest.salary`,
:mod:`reader.suggest.quote`) and the string matcher serve them, and their
quality is measured the same way.

A model is trained once the label has :data:`MIN_ANNOTATIONS` accepted
annotations. Its **quality** is measured by leave-documents-out
cross-validation (``GroupKFold`` over documents: a document's sentences are
never both trained on and scored) on the store's own annotations, sentence by
sentence. A recommender whose cross-validated precision is below
:data:`PRECISION_FLOOR` is *hidden*: its suggestions are not made.

Models live in memory, keyed by a fingerprint of the annotations and texts they
were trained on, so suggesting again after a new annotation retrains only the
labels that changed. This module never imports textual.
"""
from __future__ import annotations

import hashlib
import statistics
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from reader.protocols import JSON
from reader.suggest.base import Suggestion

if TYPE_CHECKING:
    from sklearn.pipeline import Pipeline

    from reader.model import Annotation, Document

__all__ = ["MIN_ANNOTATIONS", "MODEL_SOURCE", "PRECISION_FLOOR", "Quality", "Recommender", "sentences", "train_recommenders"]

MIN_ANNOTATIONS = 20  # accepted annotations of a label before its model is trained
PRECISION_FLOOR = 0.5  # cross-validated precision below this: the recommender's suggestions are hidden
SENTENCE_SHARE = 0.5  # a label is sentence-level when its median annotation covers this much of its sentence
FOLDS = 5
MODEL_SOURCE = "suggest:model"
THRESHOLD = 0.5  # the default threshold (and the one where cross-validation finds no better)
#: the thresholds cross-validation chooses from (see :func:`cross_validate`)
THRESHOLDS = tuple(round(0.2 + 0.05 * k, 2) for k in range(13))  # 0.2 .. 0.8


@dataclass(frozen=True)
class Quality:
    """How good a recommender of ``label`` is, by leave-documents-out cross-validation."""

    label: str
    kind: str  # "sentence model" | "string matcher" | "rules"
    annotations: int
    documents: int
    precision: float | None  # None: not measured (see note)
    recall: float | None
    note: str = ""
    threshold: float = THRESHOLD  # a sentence model suggests at this probability or above (calibrated)

    @property
    def hidden(self) -> bool:
        return self.precision is not None and self.precision < PRECISION_FLOOR

    def describe(self) -> str:
        if self.precision is None or self.recall is None:
            return f"{self.label} {self.kind}: {self.note or 'not measured'}"
        at = f" at threshold {self.threshold:.2f}" if self.threshold != THRESHOLD else ""
        text = (f"{self.label} {self.kind}: P {self.precision:.2f} R {self.recall:.2f}{at} "
                f"({self.annotations} annotations, {self.documents} documents)")
        if self.hidden:
            text += f". Hidden: precision below {PRECISION_FLOOR:g}"
        return text

    def to_state(self) -> dict[str, JSON]:
        return {"label": self.label, "kind": self.kind, "annotations": self.annotations, "documents": self.documents,
                "precision": self.precision, "recall": self.recall, "note": self.note, "threshold": self.threshold}

    @classmethod
    def from_state(cls, obj: object) -> Quality | None:
        if not isinstance(obj, dict):
            return None
        try:
            p, r = obj.get("precision"), obj.get("recall")
            return cls(str(obj["label"]), str(obj["kind"]), int(obj["annotations"]), int(obj["documents"]),
                       None if p is None else float(p), None if r is None else float(r), str(obj.get("note", "")),
                       float(obj.get("threshold", THRESHOLD)))
        except (KeyError, TypeError, ValueError):
            return None


_SENT_CACHE: dict[tuple[str, str, int, str | None], list[tuple[int, int]]] = {}
_SENT_LOCK = threading.Lock()


def sentences(doc: Document) -> list[tuple[int, int]]:
    """The sentences of ``doc`` as (start, end), paragraph by paragraph, in its language."""
    from reader.lang.sentences import sentence_spans
    from reader.text import paragraph_bounds

    key = (doc.id, doc.sha256, len(doc.text), doc.known_lang)
    with _SENT_LOCK:
        hit = _SENT_CACHE.get(key)
    if hit is not None:
        return hit
    text = doc.text
    out: list[tuple[int, int]] = []
    pos = 0
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        ps, pe = paragraph_bounds(text, pos)
        if pe <= pos:
            pos += 1
            continue
        out.extend((s, e) for s, e in sentence_spans(text, ps, pe, doc.known_lang) if e > s)
        pos = pe + 1
    with _SENT_LOCK:
        if len(_SENT_CACHE) > 20_000:
            _SENT_CACHE.clear()
        _SENT_CACHE[key] = out
    return out


def _covered(span: tuple[int, int], anns: Sequence[tuple[int, int]]) -> float:
    s, e = span
    hit = sum(max(0, min(e, b) - max(s, a)) for a, b in anns)
    return min(1.0, hit / max(1, e - s))


def is_sentence_label(docs: Mapping[str, Document], anns: Sequence[Annotation]) -> bool:
    """Is the median annotation at least half of the sentence it sits in?"""
    shares = []
    for a in anns:
        doc = docs.get(a.doc_id)
        if doc is None:
            continue
        sent = next(((s, e) for s, e in sentences(doc) if s <= a.start < e), None)
        if sent is not None:
            shares.append((a.end - a.start) / max(1, sent[1] - sent[0]))
    return bool(shares) and statistics.median(shares) >= SENTENCE_SHARE


def _pipeline() -> Pipeline:
    from sklearn.feature_extraction.text import HashingVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, make_pipeline

    chars = HashingVectorizer(analyzer="char_wb", ngram_range=(2, 4), n_features=2 ** 16, alternate_sign=False)
    words = HashingVectorizer(analyzer="word", ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b",
                              n_features=2 ** 16, alternate_sign=False)
    return make_pipeline(FeatureUnion([("chars", chars), ("words", words)]),
                         LogisticRegression(class_weight="balanced", solver="liblinear", C=4.0))


@dataclass
class _Examples:
    texts: list[str]
    ys: list[int]
    groups: list[str]


def _examples(label: str, docs: Mapping[str, Document], by_doc: Mapping[str, Sequence[Annotation]]) -> _Examples:
    ex = _Examples([], [], [])
    for doc_id, anns in sorted(by_doc.items()):
        doc = docs.get(doc_id)
        if doc is None:
            continue
        mine = [(a.start, a.end) for a in anns if a.label == label]
        for s, e in sentences(doc):
            ex.texts.append(doc.text[s:e].lower())
            ex.ys.append(1 if _covered((s, e), mine) >= 0.5 else 0)
            ex.groups.append(doc_id)
    return ex


def cross_validate(ex: _Examples, folds: int = FOLDS) -> tuple[float | None, float | None, str, float]:
    """Sentence-level precision and recall, leaving whole documents out, at a calibrated threshold.

    Every sentence gets an out-of-fold probability (its document left out of training).
    The threshold is then chosen on those: the one of :data:`THRESHOLDS` with the best F1
    among those whose precision reaches :data:`PRECISION_FLOOR` (ties: the higher
    threshold); when none does, :data:`THRESHOLD`. With balanced class weights and a few
    dozen positives in several languages, the probabilities of a minority label rarely
    reach 0.5 on unseen text (opinion was suggested nowhere), while a lower threshold,
    chosen on documents the model did not see, still keeps the precision. Returns
    (precision, recall, note, threshold); the precision and recall are those at the
    chosen threshold, measured on the same out-of-fold probabilities.
    """
    from sklearn.model_selection import GroupKFold

    groups = sorted(set(ex.groups))
    if len(groups) < 2:
        return None, None, "needs annotations in 2 documents or more to measure", THRESHOLD
    k = min(folds, len(groups))
    scored: list[tuple[float, int]] = []  # (out-of-fold probability, gold)
    for train_idx, test_idx in GroupKFold(n_splits=k).split(ex.texts, ex.ys, ex.groups):
        ys = [ex.ys[i] for i in train_idx]
        gold = [ex.ys[i] for i in test_idx]
        if len(set(ys)) < 2:
            scored.extend((0.0, g) for g in gold)  # no model for this fold: predicts nothing
            continue
        model = _pipeline().fit([ex.texts[i] for i in train_idx], ys)
        probs = model.predict_proba([ex.texts[i] for i in test_idx])[:, 1]
        scored.extend((float(p), g) for p, g in zip(probs, gold))

    def at(t: float) -> tuple[int, int, int]:
        tp = sum(1 for p, g in scored if p >= t and g == 1)
        fp = sum(1 for p, g in scored if p >= t and g == 0)
        return tp, fp, sum(1 for p, g in scored if p < t and g == 1)

    best, best_f = THRESHOLD, -1.0
    for t in THRESHOLDS:
        tp, fp, fn = at(t)
        if tp == 0 or tp / (tp + fp) < PRECISION_FLOOR:
            continue
        f1 = 2 * tp / (2 * tp + fp + fn)
        if f1 >= best_f:
            best, best_f = t, f1
    tp, fp, fn = at(best)
    if tp + fp == 0:
        return 0.0, 0.0, "predicted nothing in cross-validation", best
    return tp / (tp + fp), (tp / (tp + fn) if tp + fn else 0.0), f"{k}-fold, documents left out", best


@dataclass
class Recommender:
    """A trained sentence model of one label."""

    label: str
    model: Pipeline
    quality: Quality

    def find(self, doc: Document) -> list[Suggestion]:
        spans = sentences(doc)
        if not spans:
            return []
        probs = self.model.predict_proba([doc.text[s:e].lower() for s, e in spans])[:, 1]
        out = []
        q = self.quality
        for (s, e), p in zip(spans, probs):
            if p >= q.threshold:
                cv = f"; cross-validated P {q.precision:.2f} R {q.recall:.2f}" if q.precision is not None and q.recall is not None else ""
                at = f" (threshold {q.threshold:.2f})" if q.threshold != THRESHOLD else ""
                out.append(Suggestion(s, e, self.label, doc.text[s:e], rule="model",
                                      score=round(rescaled(float(p), q.threshold), 3),
                                      reason=f"{self.label} model {float(p):.2f}{at} (sentence){cv}"))
        return out


def rescaled(p: float, threshold: float) -> float:
    """The model's probability as a suggestion score: shifted in log-odds so that the
    calibrated ``threshold`` scores 0.5 (suggestions below 0.5 are hidden everywhere),
    the order of the sentences kept, 0 and 1 fixed."""
    import math

    if p <= 0.0 or p >= 1.0:
        return p
    t = min(max(threshold, 1e-6), 1 - 1e-6)
    z = math.log(p / (1 - p)) - math.log(t / (1 - t))
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


_MODELS: dict[str, tuple[Recommender | None, Quality]] = {}
_MODELS_LOCK = threading.Lock()


def _fingerprint(label: str, docs: Mapping[str, Document], by_doc: Mapping[str, Sequence[Annotation]]) -> str:
    h = hashlib.sha256(label.encode())
    for doc_id, anns in sorted(by_doc.items()):
        doc = docs.get(doc_id)
        h.update(f"{doc_id}\x1f{doc.sha256 if doc else ''}\x1f{len(doc.text) if doc else 0}\n".encode())
        for a in sorted(anns, key=lambda a: (a.start, a.end, a.label)):
            if a.label == label:
                h.update(f"{a.start},{a.end};".encode())
    return h.hexdigest()


def train_recommenders(docs: Iterable[Document], accepted: Iterable[Annotation],
                       labels: Iterable[str] | None = None,
                       min_annotations: int = MIN_ANNOTATIONS,
                       rule_labels: Iterable[str] = ()) -> tuple[dict[str, Recommender], dict[str, Quality]]:
    """Train (or reuse) a model per sentence-level label with enough accepted annotations.

    Returns the usable recommenders (not hidden) and the quality of every label
    considered (including those not trained, with the reason in ``note``).
    Needs scikit-learn (the ``learn`` extra); raises ImportError without it.
    """
    import sklearn  # noqa: F401 - fail early and clearly without the extra

    by_id = {d.id: d for d in docs}
    by_doc: dict[str, list[Annotation]] = {}
    by_label: dict[str, list[Annotation]] = {}
    for a in accepted:
        if a.orphaned or a.doc_id not in by_id:
            continue
        by_doc.setdefault(a.doc_id, []).append(a)
        by_label.setdefault(a.label, []).append(a)
    wanted = list(labels) if labels is not None else sorted(by_label)
    rules_served = set(rule_labels)
    usable: dict[str, Recommender] = {}
    quality: dict[str, Quality] = {}
    for label in wanted:
        anns = by_label.get(label, [])
        n_docs = len({a.doc_id for a in anns})
        if len(anns) < min_annotations:
            quality[label] = Quality(label, "sentence model", len(anns), n_docs, None, None,
                                     f"not trained yet ({len(anns)} of {min_annotations} annotations)")
            continue
        if label in rules_served:
            # a label with rules (salary, quote) is a span label by definition: a sentence model would
            # suggest whole sentences where the gold is the span inside (a quote and its "she said"),
            # below the rules' precision; the rules (re-scored by learning) and the matcher serve it
            quality[label] = Quality(label, "sentence model", len(anns), n_docs, None, None,
                                     "span label: served by the rules and the string matcher")
            continue
        if not is_sentence_label(by_id, anns):
            quality[label] = Quality(label, "sentence model", len(anns), n_docs, None, None,
                                     "span label: served by the rules and the string matcher")
            continue
        fp = _fingerprint(label, by_id, by_doc)
        with _MODELS_LOCK:
            hit = _MODELS.get(fp)
        if hit is None:
            ex = _examples(label, by_id, by_doc)
            p, r, note, threshold = cross_validate(ex)
            q = Quality(label, "sentence model", len(anns), n_docs, p, r, note, threshold)
            rec = Recommender(label, _pipeline().fit(ex.texts, ex.ys), q) if len(set(ex.ys)) == 2 else None
            hit = (rec, q)
            with _MODELS_LOCK:
                if len(_MODELS) > 64:
                    _MODELS.clear()
                _MODELS[fp] = hit
        rec, q = hit
        quality[label] = q
        if rec is not None and not q.hidden:
            usable[label] = rec
    return usable, quality
