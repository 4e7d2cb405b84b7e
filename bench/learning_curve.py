"""The learning curve of the suggestions: a simulated annotator on a corpus of our own.

The corpus is ``tests/data/annotator``: 42 short news documents in English,
French, Italian and German, written for this project (not taken from the
rules' tuning corpora), with gold ``claim``, ``opinion``, ``quote`` and
``salary`` spans. The documents are dealt in a fixed shuffled order (seed 7),
so every five of them mix the languages.

The simulated annotator opens the documents one by one, in a real corpus
folder and a real store, as ``reader suggest`` and the app see them. For each
document it first asks for suggestions (``suggest_all`` for that document: the
rules, the string matcher, the trained models, the learned re-scoring of the
rules), then accepts those that are gold, rejects (deletes) the others, and
tags the gold spans still missing. After every five documents it scores the
suggestions the system would make on the documents not annotated yet, label by
label (exact spans), in two ways: rules only (what suggesting gave before any
annotation) and everything (rules re-scored by learning + matcher + models).

A second set, ``tests/data/annotator_heldout`` (3 documents per language, written
separately and never used to choose anything), sits in the same corpus but is
never annotated: each point also scores it, so that a gain that holds only on the
curve's own corpus shows.
"""
from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "annotator"
HELDOUT = ROOT / "tests" / "data" / "annotator_heldout"
HELDOUT_PREFIX = "heldout-"
LABELS = ("claim", "opinion", "quote", "salary")
STEP = 5
SEED = 7


@dataclass
class Point:
    """P and R per label on the documents not yet annotated, after ``done`` documents."""

    done: int
    remaining: int
    scores: dict[str, tuple[float, float, int]] = field(default_factory=dict)  # label -> (P, R, suggested)
    rules: dict[str, tuple[float, float, int]] = field(default_factory=dict)  # the rules alone
    heldout: dict[str, tuple[float, float, int]] = field(default_factory=dict)  # the same on the held-out set
    heldout_rules: dict[str, tuple[float, float, int]] = field(default_factory=dict)
    learning: str = ""


def _pr(pred: set[tuple[int, int]], gold: set[tuple[int, int]], acc: list[int]) -> None:
    acc[0] += len(pred & gold)
    acc[1] += len(pred - gold)
    acc[2] += len(gold - pred)


def _ratio(tp: int, fp: int, fn: int) -> tuple[float, float, int]:
    return (tp / (tp + fp) if tp + fp else 0.0, tp / (tp + fn) if tp + fn else 0.0, tp + fp)


def simulate(step: int = STEP, limit: int | None = None) -> list[Point]:
    from reader.corpus import load_corpus
    from reader.store import AnnotationStore
    from reader.suggest import find_all
    from reader.suggest.engine import measure, suggest_all
    from reader.suggest.evaluation import load_labelled
    from reader.suggest.learn import load_or_train

    import dataclasses

    docs = load_labelled(CORPUS)
    random.Random(SEED).shuffle(docs)
    if limit is not None:
        docs = docs[:limit]
    held = [dataclasses.replace(d, id=HELDOUT_PREFIX + d.id) for d in load_labelled(HELDOUT)]
    points: list[Point] = []
    with tempfile.TemporaryDirectory(prefix="reader-curve-") as tmp:
        root = Path(tmp) / "corpus"
        root.mkdir()
        for d in docs + held:
            (root / f"{d.id}.txt").write_text(d.text, encoding="utf-8")
        corpus = load_corpus(root, detect=False)
        with AnnotationStore(Path(tmp) / "store", corpus=corpus, annotator="simulated") as store:
            for d in docs + held:
                corpus.set_language_override(d.id, d.lang, store)

            def score(done: int) -> None:
                rest = docs[done:]
                learned = load_or_train(store, corpus, save=False)
                plan = measure(list(corpus), store.all(statuses=("accepted",)), list(LABELS))
                point = Point(done, len(rest), learning=learned.note)
                for part, learned_into, rules_into in ((rest, point.scores, point.rules),
                                                       (held, point.heldout, point.heldout_rules)):
                    acc = {lab: [0, 0, 0] for lab in LABELS}
                    acc_rules = {lab: [0, 0, 0] for lab in LABELS}
                    for g in part:
                        doc = corpus.get(g.id)
                        assert doc is not None
                        rules = find_all(doc.text, doc.known_lang)
                        mixed = learned.rescorer.rescore(doc.text, rules) if learned.rescorer else rules
                        found = [s for s in mixed if s.score >= 0.5] + [s for s in plan.find(doc, list(LABELS)) if s.score >= 0.5]
                        for lab in LABELS:
                            want = g.of(lab)
                            _pr({(s.start, s.end) for s in found if s.label == lab}, want, acc[lab])
                            _pr({(s.start, s.end) for s in rules if s.label == lab and s.score >= 0.5}, want, acc_rules[lab])
                    learned_into.update({lab: _ratio(*acc[lab]) for lab in LABELS})
                    rules_into.update({lab: _ratio(*acc_rules[lab]) for lab in LABELS})
                points.append(point)

            score(0)
            for n, g in enumerate(docs, 1):
                learned = load_or_train(store, corpus)
                suggest_all(corpus, store, doc_ids=[g.id], rescorer=learned.rescorer)
                truth = {(s, e, lab) for s, e, lab in g.spans}
                for a in store.for_document(g.id, statuses=("suggested",)):
                    if (a.start, a.end, a.label) in truth:
                        store.update(a.id, status="accepted")
                    else:
                        store.delete(a.id)
                have = {(a.start, a.end, a.label) for a in store.for_document(g.id, statuses=("accepted",))}
                missing = [{"doc_id": g.id, "start": s, "end": e, "label": lab}
                           for s, e, lab in sorted(truth - have)]
                if missing:
                    store.add_many(missing)
                if n % step == 0 or n == len(docs):
                    score(n)
    return points
