"""Learning from the user's decisions: re-score suggestions with a small classifier.

Every accept, reject, delete and re-label of a suggestion is a training
example (the store keeps them all: accepted annotations whose ``source`` is
``suggest:<label>``, rejected ones, and the rejected keys of deleted ones).
For each recogniser label (salary, quote) a linear model — scikit-learn's
``LogisticRegression`` on hashed character (2-4, within words) and word (1-2)
n-grams of the context window around the span, digits folded to ``0``, plus
the rule score (its logit, one more feature) — says how likely the user is to
accept a candidate. Trained on the decisions with the rule score as a feature,
the model learns how far to trust the rules and which context words they get
wrong, so its probability *is* the blended score.

**The rule score is the prior.** Each decided candidate also enters training as
:data:`PRIOR_WEIGHT` pseudo-decisions split by its rule score (a 0.8 candidate:
0.8 of them accepted, 0.2 rejected). With few decisions the model therefore
stays close to the rules, and it moves away from them only as the user's
decisions outweigh the pseudo-decisions. So learning needs no balance of
accepts and rejects and starts after :data:`MIN_DECISIONS` decisions on a label
(an honest user meets few wrong suggestions: 20 of each never came), and
:class:`Rescorer` combines the rule score with the model's probability from
then on (:func:`combine`): shrunk toward the rule score while the decisions are
few, and never lifting a candidate the rules hid until the user has accepted
such candidates, so learning's precision never falls below the rules'.
(Without the rule score, the same weights give the learned model alone.)

The model lives in the store's state table (``suggest.model.<label>``) as
plain JSON (the non-zero weights of the hashed features, the weight of the rule
score, the intercept, the fingerprint of the decisions and rule scores it was trained on, the store schema and the
scikit-learn version). It is never the only copy of anything: it is rebuilt
from the decisions whenever they, the store schema or the model format
change. scikit-learn is an optional extra (``pip install .[learn]``); without
it nothing is re-scored and :func:`load_or_train` says why.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import regex

from reader.jsonvalue import as_array, as_int, as_object
from reader.suggest.base import Suggestion

if TYPE_CHECKING:
    # numpy is typed; scipy and scikit-learn ship no types (mypy sees them as Any) but are
    # named here for the reader. All three are imported at run time only when learning.
    import numpy as np
    from numpy.typing import NDArray
    from scipy.sparse import csr_matrix
    from sklearn.feature_extraction.text import HashingVectorizer

    from reader.model import Annotation, Document
    from reader.protocols import JSON, Progress, RejectedKey

MODEL_FORMAT = 4  # 2: the rule score is a feature; 3: and the prior (pseudo-decisions from the rule score); 4: counts "rescued"
MIN_EACH = 0  # accepted and rejected decisions each needed per label (0: only MIN_DECISIONS counts)
MIN_DECISIONS = 5  # decisions on a label (any mix of accepts and rejects) before its model is used
PRIOR_WEIGHT = 2.0  # pseudo-decisions per decided candidate, split by its rule score
LABELS = ("salary", "quote")
SOURCE_PREFIX = "suggest:"
STATE_KEY = "suggest.model.{label}"
LEFT, RIGHT = 30, 20  # characters of context each side of the span
N_FEATURES = 2 ** 18  # per vectoriser (char and word): hashed, so nothing to store but weights
RULE_LOGIT_MAX = 6.0  # the rule score's logit is clipped to +-this (scores are rounded to 0.001)
C_REG = 1.0  # inverse regularisation of the logistic regression
THRESHOLD = 0.5  # a suggestion scored below this is hidden (reader suggest, the app)
SHRINK_UP = 20.0  # decisions at which the model's move above the rule score counts half (shrinkage)
SHRINK_DOWN = 5.0  # the same for a move below it: lowering a score costs recall at worst, so it trusts sooner
PROMOTE_MIN = 3  # accepted candidates the rules scored below THRESHOLD before the model may promote one

_DIGIT = regex.compile(r"\p{Nd}")


class DecisionStore(Protocol):
    """What learning needs from :class:`reader.store.AnnotationStore`."""

    readonly: bool

    def all(self, *, statuses: Iterable[str] = ...) -> list[Annotation]: ...
    def rejected_keys(self, doc_id: str) -> set[RejectedKey]: ...
    def get_state(self, key: str, default: JSON = None) -> JSON: ...
    def set_state(self, key: str, value: JSON) -> None: ...


class RescoreStore(Protocol):
    """What re-scoring pending suggestions needs from the store."""

    def for_document(self, doc_id: str, *, statuses: Iterable[str] = ...) -> list[Annotation]: ...
    def set_scores(self, scores: Mapping[str, tuple[float, str]]) -> int: ...


class LearningStore(DecisionStore, RescoreStore, Protocol):
    """What :meth:`Relearner.run` needs from the store: learning and re-scoring (a StoreAPI has it)."""


class TextLookup(Protocol):
    """The documents learning reads: by id, and all of them (a CorpusAPI has it)."""

    def get(self, doc_id: str) -> Document | None: ...
    def __iter__(self) -> Iterator[Document]: ...


@dataclass(frozen=True)
class Decision:
    """One decision about a suggestion: ``accepted`` for the recogniser's ``label``."""

    doc_id: str
    start: int
    end: int
    label: str
    accepted: bool
    kind: str  # "accept" | "reject" | "delete" | "relabel"


def decisions(store: DecisionStore, corpus: TextLookup, labels: Sequence[str] = LABELS) -> list[Decision]:
    """Every decision the store remembers about suggestions of ``labels``, in a stable order."""
    out: dict[tuple[str, int, int, str], Decision] = {}
    for a in store.all(statuses=("accepted", "rejected")):
        if not a.source.startswith(SOURCE_PREFIX):
            continue
        origin = a.source[len(SOURCE_PREFIX):]
        if origin not in labels:
            continue
        if a.status == "rejected":
            d = Decision(a.doc_id, a.start, a.end, origin, False, "reject")
        elif a.label == origin:
            d = Decision(a.doc_id, a.start, a.end, origin, True, "accept")
        else:
            d = Decision(a.doc_id, a.start, a.end, origin, False, "relabel")
        out[(d.doc_id, d.start, d.end, d.label)] = d
    for doc in corpus:
        for key in store.rejected_keys(doc.id):
            match key:
                case (int() as start, int() as end, str() as label):  # not the (doc_id, start, end, label) form
                    if label in labels and (doc.id, start, end, label) not in out:
                        out[(doc.id, start, end, label)] = Decision(doc.id, start, end, label, False, "delete")
    return [out[k] for k in sorted(out)]


def window(text: str, start: int, end: int) -> str:
    """The context the model reads: left context, the span, right context; digits folded."""
    left = text[max(0, start - LEFT):start]
    right = text[end:end + RIGHT]
    folded: str = _DIGIT.sub("0", f"{left} [[ {text[start:end]} ]] {right}".lower())
    return folded


def _vectorisers() -> tuple[HashingVectorizer, HashingVectorizer]:
    from sklearn.feature_extraction.text import HashingVectorizer

    # raw counts (char) and presence (word), not normalised: a context word the rules do not
    # know ("pension", "commission") then weighs enough against the rule score's feature
    char = HashingVectorizer(analyzer="char_wb", ngram_range=(2, 4), n_features=N_FEATURES,
                             alternate_sign=False, norm=None)
    word = HashingVectorizer(analyzer="word", ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b",
                             n_features=N_FEATURES, alternate_sign=False, norm=None, binary=True)
    return char, word


def features(windows: Sequence[str]) -> csr_matrix:
    """Sparse feature rows (char n-grams then word n-grams) of context windows."""
    from scipy.sparse import hstack

    char, word = _vectorisers()
    return hstack([char.transform(windows), word.transform(windows)]).tocsr()


def rule_logit(score: float | None) -> float:
    """The rule score as the model reads it: its logit, clipped; no score is neutral (0)."""
    if score is None:
        return 0.0
    p = min(max(float(score), 1e-6), 1 - 1e-6)
    return max(-RULE_LOGIT_MAX, min(RULE_LOGIT_MAX, math.log(p / (1 - p))))


def fingerprint(items: Sequence[Decision], rule_scores: Sequence[float | None] | None = None) -> str:
    """Of the decisions and (when given) the rule scores the model is trained on: a change of
    either (a new decision, rules that now score differently) rebuilds the model."""
    h = hashlib.sha256()
    for d in items:
        h.update(f"{d.doc_id}\x1f{d.start}\x1f{d.end}\x1f{d.label}\x1f{int(d.accepted)}\n".encode())
    for r in rule_scores or ():
        h.update(f"{r}\n".encode())
    return h.hexdigest()[:32]


@dataclass
class LinearModel:
    """A trained model as plain data: what the store keeps."""

    label: str
    intercept: float
    weights: dict[int, float]
    counts: dict[str, int]
    fingerprint: str
    schema: int
    sklearn: str
    rule_weight: float = 0.0
    fmt: int = MODEL_FORMAT
    _dense: NDArray[np.float64] | None = field(default=None, repr=False, compare=False)

    def to_state(self) -> dict[str, JSON]:
        return {
            "format": self.fmt, "label": self.label, "intercept": self.intercept,
            "weights": [[i, w] for i, w in sorted(self.weights.items())], "rule_weight": self.rule_weight,
            "counts": {k: n for k, n in self.counts.items()},
            "fingerprint": self.fingerprint, "schema": self.schema, "sklearn": self.sklearn,
        }

    @classmethod
    def from_state(cls, obj: JSON) -> LinearModel | None:
        """The model of a state value, or None when it is not one (then it is rebuilt): every
        weight, the intercept and the rule weight must be finite numbers within MAX_ABS_VALUE,
        every feature index in range (a model edited by hand is rebuilt, never trusted)."""
        try:
            state = as_object(obj, "a model")
            if state.get("format") != MODEL_FORMAT:
                return None
            weights = {}
            for pair in as_array(state["weights"], "its weights"):
                i, w = as_array(pair, "a weight")
                if isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < 2 * N_FEATURES:
                    return None
                weights[i] = _model_value(w)
            counts = {str(k): as_int(n, "a count") for k, n in as_object(state["counts"], "its counts").items()}
            return cls(str(state["label"]), _model_value(state["intercept"]), weights, counts,
                       str(state["fingerprint"]), as_int(state["schema"], "its schema"), str(state["sklearn"]),
                       _model_value(state["rule_weight"]))
        except (AttributeError, KeyError, TypeError, ValueError):
            return None

    def probabilities(self, windows: Sequence[str], rule_scores: Sequence[float | None] | None = None) -> list[float]:
        """P(accept) of each window; with ``rule_scores``, of the rules' score too (the blended
        score); without, the learned model alone (the rule score left neutral)."""
        import numpy as np

        if not windows:
            return []
        if self._dense is None:
            dense = np.zeros(2 * N_FEATURES)
            for i, w in self.weights.items():
                if 0 <= i < dense.size:
                    dense[i] = w
            self._dense = dense
        z = features(windows) @ self._dense + self.intercept
        if rule_scores is not None:
            z = z + self.rule_weight * np.array([rule_logit(r) for r in rule_scores])
        return [sigmoid(float(v)) for v in z]


def sigmoid(z: float) -> float:
    """1 / (1 + e^-z) without overflow for any z (a 160k-character quote sums to a huge z);
    NaN (never from a validated model) reads as undecided."""
    if math.isnan(z):
        return 0.5
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    if z < -745.0:  # e^z underflows to 0 here
        return 0.0
    e = math.exp(z)
    return e / (1.0 + e)


#: a stored weight, intercept or rule weight beyond this is not one a training run gives (then it is rebuilt)
MAX_ABS_VALUE = 100.0


def _model_value(value: object) -> float:
    """A model number as loaded from the store: finite and within MAX_ABS_VALUE, or ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"not a number: {value!r}")
    v = float(value)
    if not math.isfinite(v) or abs(v) > MAX_ABS_VALUE:
        raise ValueError(f"out of range: {v!r}")
    return v


def train(label: str, texts: Sequence[str], labels_: Sequence[bool], *, rule_scores: Sequence[float | None] | None = None,
          fp: str = "", schema: int = 0, prior: float = PRIOR_WEIGHT) -> LinearModel:
    """Fit the linear model on context windows ``texts`` and the rules' scores of the same
    candidates (``rule_scores``; None: no rule feature) with accept (True) / reject (False)."""
    import sklearn
    from scipy.sparse import csr_matrix, hstack
    from sklearn.linear_model import LogisticRegression

    from scipy.sparse import vstack

    rules = [rule_logit(r) for r in rule_scores] if rule_scores is not None else [0.0] * len(texts)
    X = hstack([features(texts), csr_matrix([[r] for r in rules])]).tocsr()
    y = [1 if v else 0 for v in labels_]
    sample_w = [1.0] * len(y)
    if prior > 0:
        # the prior: each candidate again, as accepted and as rejected, weighted by its rule score
        # clipped, so that both classes keep a weight (liblinear drops rows weighted 0)
        priors = [0.5 if r is None else min(max(float(r), 0.02), 0.98) for r in (rule_scores or [None] * len(texts))]
        X = vstack([X, X, X]).tocsr()
        y = y + [1] * len(priors) + [0] * len(priors)
        sample_w = sample_w + [prior * p for p in priors] + [prior * (1 - p) for p in priors]
    # liblinear: the same model, fitted in a fraction of lbfgs's time on these wide sparse rows
    clf = LogisticRegression(C=C_REG, class_weight=None if prior > 0 else "balanced", solver="liblinear", max_iter=2000)
    clf.fit(X, y, sample_weight=sample_w)
    coef = clf.coef_[0]
    n = 2 * N_FEATURES
    nz = coef[:n].nonzero()[0]
    weights = {int(i): round(float(coef[i]), 6) for i in nz if abs(coef[i]) > 1e-6}
    counts = {"accept": sum(1 for v in labels_ if v), "reject": sum(1 for v in labels_ if not v),
              # the evidence that the rules miss things: accepted candidates they scored below the threshold
              "rescued": sum(1 for v, r in zip(labels_, rule_scores or [None] * len(texts))
                             if v and r is not None and r < THRESHOLD)}
    return LinearModel(label, float(clf.intercept_[0]), weights, counts, fp, schema, sklearn.__version__,
                       rule_weight=round(float(coef[n]), 6))


def combine(rule: float | None, learned: float, decided: int, rescued: int) -> float:
    """The score of a candidate from its rule score (the prior) and the model's probability.

    Two guards keep learning from ever doing worse than the rules (issue 22 item 3):

    * **Shrinkage toward the prior.** In log-odds, the combined score moves from the
      rule score toward the model's by ``decided / (decided + k)``: with a few
      decisions the rules dominate, with many the model does. (A model fitted on eight
      decisions, seven of them accepts, says "accept" to almost anything.) ``k`` is
      :data:`SHRINK_UP` for a move up and the smaller :data:`SHRINK_DOWN` for a move
      down: a wrong suggestion shown costs precision, one hidden only recall.
    * **No promotion without evidence.** The model may lower any score (suppress) but
      may lift a candidate the rules hid (below :data:`THRESHOLD`) to shown only once
      the user has accepted :data:`PROMOTE_MIN` such candidates: before that, nothing
      says the rules miss anything, and the shown suggestions stay a subset of the rules'.
    Without a rule score (another recogniser's candidate) the model's probability stands.
    """
    if rule is None:
        return learned
    eps = 1e-6
    r = min(max(float(rule), eps), 1 - eps)
    p = min(max(float(learned), eps), 1 - eps)
    k = SHRINK_UP if p > r else SHRINK_DOWN
    w = decided / (decided + k) if decided > 0 else 0.0
    z = math.log(r / (1 - r)) + w * (math.log(p / (1 - p)) - math.log(r / (1 - r)))
    out = sigmoid(z)
    if r < THRESHOLD <= out and rescued < PROMOTE_MIN:
        return float(rule)
    return out


@dataclass
class Rescorer:
    """Re-scores suggestions of the labels it has a model for (see :func:`combine`)."""

    models: dict[str, LinearModel]

    def rescore(self, text: str, suggestions: Sequence[Suggestion]) -> list[Suggestion]:
        out = list(suggestions)
        for label, model in self.models.items():
            idx = [k for k, s in enumerate(out) if s.label == label]
            probs = model.probabilities([window(text, out[k].start, out[k].end) for k in idx],
                                        [out[k].score for k in idx])
            decided = model.counts.get("accept", 0) + model.counts.get("reject", 0)
            rescued = model.counts.get("rescued", 0)
            for k, p in zip(idx, probs):
                s = out[k]
                score = combine(s.score, p, decided, rescued)
                out[k] = dataclasses.replace(s, score=round(score, 3), reason=_with_learned(s.reason, score))
        return out


def _with_learned(reason: str, p: float) -> str:
    base = reason.split("; learned ")[0]
    return f"{base}; learned {p:.2f}" if base else f"learned {p:.2f}"


@dataclass
class LearnResult:
    rescorer: Rescorer | None
    note: str
    counts: dict[str, dict[str, int]]  # label -> {"accept": n, "reject": m}


def _schema() -> int:
    from reader.store.base import SCHEMA_VERSION

    return int(SCHEMA_VERSION)


def load_or_train(store: DecisionStore, corpus: TextLookup, labels: Sequence[str] = LABELS,
                  min_each: int = MIN_EACH, save: bool = True, min_decisions: int = MIN_DECISIONS) -> LearnResult:
    """The re-scorer for ``labels`` from the store's decisions (see the module docstring).

    A model saved in the store is reused when it was trained on exactly the
    current decisions, the same store schema and model format; otherwise it is
    trained again and saved (unless the store is read-only or ``save`` is
    False). Labels with fewer than ``min_each`` accepted or rejected decisions
    get no model; the note says which, and how many decisions there are.
    """
    try:
        import sklearn  # noqa: F401
    except ImportError:
        return LearnResult(None, "learned re-scoring unavailable: scikit-learn is not installed "
                                 "(pip install '.[learn]')", {})
    all_decisions = decisions(store, corpus, labels)
    models: dict[str, LinearModel] = {}
    counts: dict[str, dict[str, int]] = {}
    parts: list[str] = []
    for label in labels:
        mine = [d for d in all_decisions if d.label == label]
        c = {"accept": sum(d.accepted for d in mine), "reject": sum(not d.accepted for d in mine)}
        counts[label] = c
        if min_each and (c["accept"] < min_each or c["reject"] < min_each):
            parts.append(f"{label} not yet ({c['accept']} accepted, {c['reject']} rejected; needs {min_each} of each)")
            continue
        if c["accept"] + c["reject"] < min_decisions:
            parts.append(f"{label} not yet ({c['accept'] + c['reject']} of {min_decisions} decisions)")
            continue
        rules = _rule_scores(corpus, mine, label)
        fp = fingerprint(mine, rules)
        key = STATE_KEY.format(label=label)
        model = LinearModel.from_state(store.get_state(key))
        if model is None or model.fingerprint != fp or model.schema != _schema():
            texts, ys, rs = [], [], []
            for d, r in zip(mine, rules):
                doc = corpus.get(d.doc_id)
                if doc is None or d.end > len(doc.text):
                    continue
                texts.append(window(doc.text, d.start, d.end))
                ys.append(d.accepted)
                rs.append(r)
            if not ys:
                parts.append(f"{label} not yet (the decisions' documents are missing)")
                continue
            model = train(label, texts, ys, rule_scores=rs, fp=fp, schema=_schema())
            if save and not store.readonly:
                store.set_state(key, model.to_state())
        models[label] = model
        parts.append(f"{label} ({c['accept']} accepted, {c['reject']} rejected)")
    used = [p for lab, p in zip(labels, parts) if lab in models]
    waiting = [p for lab, p in zip(labels, parts) if lab not in models]
    if used:
        note = "learned re-scoring used for " + "; ".join(used) + (". Not yet: " + "; ".join(waiting) if waiting else "")
    else:
        note = "learned re-scoring not used: " + "; ".join(waiting)
    return LearnResult(Rescorer(models) if models else None, note + ".", counts)


#: (recogniser, label, sha256, length, language) -> the rules' suggestions there, oldest first out
_RULES_CACHE: OrderedDict[tuple[object, str, str, int, str | None], tuple[Suggestion, ...]] = OrderedDict()
#: Bounds: entries (documents x labels) and suggestions held. Large enough for the working set
#: of a 10,000-document corpus (learning scans the same documents in the same order each batch,
#: so a cache smaller than that set would never hit).
RULES_CACHE_ENTRIES = 50_000
RULES_CACHE_SUGGESTIONS = 250_000
_rules_held = 0
_rules_lock = threading.Lock()


def rules_for(doc: Document, label: str) -> tuple[Suggestion, ...]:
    """The rules' suggestions of ``label`` in ``doc``, run once per document content.

    Learning needs them each time the model's fingerprint is checked (after
    every batch of decisions) and for re-scoring; without the cache every
    decided document was scanned again each time. Keyed by the text's sha256
    and length, and the language, so an edited or re-tagged document is
    scanned again; a document without a sha256 is not cached.
    """
    global _rules_held
    from reader.suggest import RECOGNISERS

    find = RECOGNISERS.get(label)
    if find is None:
        return ()
    # the recogniser is part of the key: a replaced one (tests, plugins) is not confused
    key = (find, label, doc.sha256, len(doc.text), doc.known_lang)
    if doc.sha256:
        with _rules_lock:
            hit = _RULES_CACHE.get(key)
            if hit is not None:
                _RULES_CACHE.move_to_end(key)
                return hit
    found = tuple(find(doc.text, lang=doc.known_lang))
    if doc.sha256:
        with _rules_lock:
            if key not in _RULES_CACHE:
                _RULES_CACHE[key] = found
                _rules_held += len(found)
            while _RULES_CACHE and (len(_RULES_CACHE) > RULES_CACHE_ENTRIES or _rules_held > RULES_CACHE_SUGGESTIONS):
                _, gone = _RULES_CACHE.popitem(last=False)
                _rules_held -= len(gone)
    return found


def _rule_scores(corpus: TextLookup, items: Sequence[Decision], label: str) -> list[float | None]:
    """The rules' score of each decided candidate today (None where the rules no longer give it)."""
    by_doc: dict[str, dict[tuple[int, int], float]] = {}
    out: list[float | None] = []
    for d in items:
        if d.doc_id not in by_doc:
            doc = corpus.get(d.doc_id)
            by_doc[d.doc_id] = {(s.start, s.end): s.score for s in rules_for(doc, label)} if doc is not None else {}
        out.append(by_doc[d.doc_id].get((d.start, d.end)))
    return out


def state_size(model: LinearModel) -> int:
    """Bytes of the model's JSON in the store (for the bench)."""
    return len(json.dumps(model.to_state()))


def rescore_pending(store: RescoreStore, corpus: TextLookup, rescorer: Rescorer,
                    doc_ids: Iterable[str] | None = None, progress: Progress | None = None) -> int:
    """Re-score the suggestions still pending in the store (``store.set_scores``).

    The rule score is computed again from the document (so that re-scoring
    twice does not compound), then mixed with the learned probability.
    ``progress(done, total)`` is called per document. Returns how many changed.
    """
    found = [corpus.get(i) for i in doc_ids] if doc_ids is not None else list(corpus)
    docs = [d for d in found if d is not None]
    scores: dict[str, tuple[float, str]] = {}
    for n, doc in enumerate(docs, 1):
        pending = [a for a in store.for_document(doc.id, statuses=("suggested",))
                   if a.source.startswith(SOURCE_PREFIX) and a.label in rescorer.models]
        if pending:
            rules: dict[tuple[int, int, str], Suggestion] = {}
            for label in {a.label for a in pending}:
                for s in rules_for(doc, label):
                    rules[s.key] = s
            base = [rules.get((a.start, a.end, a.label))
                    or Suggestion(a.start, a.end, a.label, a.text, score=a.score if a.score is not None else 0.5,
                                  reason=(a.reason or "").split("; learned ")[0])
                    for a in pending]
            for a, s in zip(pending, rescorer.rescore(doc.text, base)):
                scores[a.id] = (s.score, s.reason)
        if progress is not None:
            progress(n, len(docs))
    return store.set_scores(scores) if scores else 0


@dataclass
class RelearnResult:
    used: bool  # a model was used (enough decisions)
    rescored: int  # pending suggestions whose score changed
    note: str


class Relearner:
    """The app's side of learning: after every ``batch`` accept/reject decisions,
    retrain (when the decisions changed) and re-score the pending suggestions.
    :meth:`run` is slow (training, every document) and belongs in a worker."""

    def __init__(self, batch: int = 5, min_each: int = MIN_EACH) -> None:
        self.batch = batch
        self.min_each = min_each
        self.pending = 0

    def decided(self, n: int = 1) -> bool:
        """Count ``n`` decisions; True when a batch is complete (time to :meth:`run`)."""
        self.pending += n
        return self.pending >= self.batch

    def run(self, store: LearningStore, corpus: TextLookup, doc_ids: Iterable[str] | None = None,
            progress: Progress | None = None) -> RelearnResult:
        self.pending = 0
        try:
            result = load_or_train(store, corpus, min_each=self.min_each)
        except ImportError as exc:  # scikit-learn half-installed
            return RelearnResult(False, 0, f"learned re-scoring unavailable ({exc})")
        if result.rescorer is None:
            return RelearnResult(False, 0, result.note)
        n = rescore_pending(store, corpus, result.rescorer, doc_ids, progress)
        return RelearnResult(True, n, f"{result.note} {n} pending suggestion(s) re-scored.")


def highest_first(anns: Iterable[Annotation]) -> list[Annotation]:
    """Suggestions ordered for review: highest score first, then by position."""
    return sorted(anns, key=lambda a: (-(a.score if a.score is not None else 0.5), a.start, a.end))
