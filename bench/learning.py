"""The learning simulation shared by ``make bench`` and tests/unit/test_learn.py.

The simulation corpus has two parts, both written for this project:
``tests/data/money`` (the own corpus the rules were tuned on) and
``tests/data/learn``, a held-out-style part whose context words (pensions,
benefits, jackpots, honoraria, commissions, tips...) the rule lexicon does not
know, so that the rules make mistakes there, as on text no one here wrote.

A simulated user works through the first half of each language's passages of
each part: ``reader suggest --min-score 0`` puts every amount of money up as a
salary suggestion, and the user accepts the ones the gold marks as pay and
rejects the others, in a real store. Then the second half is scored at the
0.5 threshold: the rules alone (what ``reader suggest`` gives without
decisions), rules + learned (what it gives once there are enough decisions)
and, for information, the learned model alone. The gain is
(rules + learned) - (rules).
"""
from __future__ import annotations

import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MONEY = ROOT / "tests" / "data" / "money"
LEARN = ROOT / "tests" / "data" / "learn"
LEARN_PREFIX = "learn-"


def _split(docs):
    """First and second half of each language of each part (the part is the id's prefix)."""
    by_lang: dict[str, list] = {}
    for d in docs:
        by_lang.setdefault(d.id.rsplit("-", 1)[0], []).append(d)
    first, second = [], []
    for lang, ds in sorted(by_lang.items()):
        half = (len(ds) + 1) // 2
        first += ds[:half]
        second += ds[half:]
    return first, second


def load_simulation(folders: tuple[Path, ...] = (MONEY, LEARN)) -> list:
    """The passages of every part; those of the held-out-style part get ids ``learn-<lang>-NN``."""
    import dataclasses

    from reader.suggest.evaluation import load_marked

    docs = []
    for folder in folders:
        prefix = LEARN_PREFIX if folder == LEARN else ""
        docs += [dataclasses.replace(d, id=prefix + d.id) for d in load_marked(folder)]
    return docs


def simulate(folders: tuple[Path, ...] = (MONEY, LEARN), min_each: int = 20) -> dict:
    """Run the simulation; returns precision/recall per way of scoring (overall and for the
    held-out-style part alone, ``ways_learn``) and the decision counts."""
    from reader.corpus import load_corpus
    from reader.store import AnnotationStore
    from reader.suggest import salary, suggest_corpus
    from reader.suggest.evaluation import PR
    from reader.suggest.learn import load_or_train, window

    docs = load_simulation(folders)
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
        names = ("rules", "rules + learned", "learned model")
        ways = {k: PR() for k in names}
        ways_learn = {k: PR() for k in names}
        for d in test_docs:
            cands = salary.find(d.text, d.lang)
            # the learned model alone: its probability with the rule score left neutral
            probs = model.probabilities([window(d.text, s.start, s.end) for s in cands]) if model else [0.0] * len(cands)
            mixed = result.rescorer.rescore(d.text, cands) if result.rescorer else cands
            g = d.of("salary")
            for w in (ways, ways_learn) if d.id.startswith(LEARN_PREFIX) else (ways,):
                w["rules"].add(d.text, g, {(s.start, s.end) for s in cands if s.score >= 0.5})
                w["learned model"].add(d.text, g, {(s.start, s.end) for s, p in zip(cands, probs) if p >= 0.5})
                w["rules + learned"].add(d.text, g, {(s.start, s.end) for s in mixed if s.score >= 0.5})
    return {"ways": ways, "ways_learn": ways_learn, "counts": result.counts.get("salary", {}),
            "note": result.note, "train": len(train_docs), "test": len(test_docs)}
