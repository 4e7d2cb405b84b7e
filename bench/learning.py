"""The learning simulation shared by ``make bench`` and tests/test_learn.py.

A simulated user works through the first half of each language's passages of
our money corpus (``tests/data/money``): ``reader suggest --min-score 0``
puts every amount of money up as a salary suggestion, and the user accepts
the ones the gold marks as pay and rejects the others, in a real store. Then
the second half is scored four ways, at the 0.5 threshold: every candidate
(no scoring at all, what the recogniser gave before it told pay from other
money), the rules alone, the learned model alone, and rules + model (what
``reader suggest`` does once there are enough decisions).
"""
from __future__ import annotations

import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MONEY = ROOT / "tests" / "data" / "money"


def _split(docs):
    by_lang: dict[str, list] = {}
    for d in docs:
        by_lang.setdefault(d.lang, []).append(d)
    first, second = [], []
    for lang, ds in sorted(by_lang.items()):
        half = (len(ds) + 1) // 2
        first += ds[:half]
        second += ds[half:]
    return first, second


def simulate(folder: Path = MONEY, min_each: int = 20) -> dict:
    """Run the simulation; returns precision/recall per way of scoring and the decision counts."""
    from reader.corpus import load_corpus
    from reader.store import AnnotationStore
    from reader.suggest import salary, suggest_corpus
    from reader.suggest.evaluation import PR, load_marked
    from reader.suggest.learn import load_or_train, window

    docs = load_marked(folder)
    train_docs, test_docs = _split(docs)
    with tempfile.TemporaryDirectory(prefix="reader-learn-") as tmp:
        root = Path(tmp) / "corpus"
        root.mkdir()
        for d in docs:
            (root / f"{d.id}.txt").write_text(d.text, encoding="utf-8")
        corpus = load_corpus(root, detect=False)
        with AnnotationStore(Path(tmp) / "store", corpus=corpus, annotator="simulated") as store:
            for d in docs:
                corpus.set_language_override(d.id, d.lang, store)
            suggest_corpus(corpus, store, labels=["salary"], doc_ids=[d.id for d in train_docs], min_score=0.0)
            gold = {d.id: d.of("salary") for d in docs}
            accept, reject = [], []
            for a in store.all(statuses=("suggested",)):
                (accept if (a.start, a.end) in gold[a.doc_id] else reject).append(a.id)
            store.update_many(accept, status="accepted")
            store.update_many(reject, status="rejected")
            result = load_or_train(store, corpus, labels=["salary"], min_each=min_each)
        model = result.rescorer.models.get("salary") if result.rescorer else None
        ways = {"every candidate": PR(), "rules": PR(), "learned model": PR(), "rules + learned": PR()}
        for d in test_docs:
            cands = salary.find(d.text, d.lang)
            probs = model.probabilities([window(d.text, s.start, s.end) for s in cands]) if model else [0.0] * len(cands)
            mixed = result.rescorer.rescore(d.text, cands) if result.rescorer else cands
            g = d.of("salary")
            ways["every candidate"].add(d.text, g, {(s.start, s.end) for s in cands})
            ways["rules"].add(d.text, g, {(s.start, s.end) for s in cands if s.score >= 0.5})
            ways["learned model"].add(d.text, g, {(s.start, s.end) for s, p in zip(cands, probs) if p >= 0.5})
            ways["rules + learned"].add(d.text, g, {(s.start, s.end) for s in mixed if s.score >= 0.5})
    return {"ways": ways, "counts": result.counts.get("salary", {}), "note": result.note,
            "train": len(train_docs), "test": len(test_docs)}
