"""Many annotators in separate processes tag the same documents at once on PostgreSQL:
nothing is lost, nobody is blocked, each one's undo touches only their own changes."""
from __future__ import annotations

import multiprocessing
import re

import pytest

from reader.corpus import load_corpus
from reader.store import AnnotationStore

from conftest import SEEDS

pytest.importorskip("psycopg", reason="the postgres extra is not installed (pip install -e '.[postgres]')")

LABELS = ("claim", "quote", "opinion")


def _spans(corpus, per_doc: int):
    out = []
    for doc in corpus.documents:
        for m in list(re.finditer(r"\w{5,}", doc.text))[:per_doc]:
            out.append((doc.id, m.start(), m.end()))
    return out


def _annotator(url: str, who: str, per_doc: int, seed: int, results) -> None:
    """One annotator: tag every span (in a shuffled order), undo every fifth change."""
    import random

    rng = random.Random(seed)
    corpus = load_corpus(SEEDS, detect=False)
    spans = _spans(corpus, per_doc)
    rng.shuffle(spans)
    kept: dict[str, tuple] = {}
    with AnnotationStore(url, corpus=corpus, annotator=who) as store:
        for n, (doc_id, start, end) in enumerate(spans, 1):
            label = LABELS[(start + seed) % len(LABELS)]
            ann = store.add(doc_id, start, end, label)  # returns after the commit
            kept[ann.id] = (doc_id, start, end, label)
            if n % 5 == 0:
                change = store.undo()
                kept.pop(change.after.id)
            store.refresh()  # take in the others' changes, as the app does every second
    results.put((who, sorted(kept.values())))


def _run(url: str, count: int, per_doc: int) -> dict[str, list]:
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    procs = [ctx.Process(target=_annotator, args=(url, f"ann{i}", per_doc, i, results)) for i in range(count)]
    for p in procs:
        p.start()
    got = dict(results.get(timeout=300) for _ in procs)
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    return got


@pytest.mark.parametrize("count, per_doc", [(2, 12), (8, 4)])
def test_annotators_tag_the_seeds_concurrently(pg_url, count, per_doc):
    expected = _run(pg_url, count, per_doc)
    assert len(expected) == count
    with AnnotationStore(pg_url, readonly=True) as store:
        stored: dict[str, list] = {}
        for a in store.all():
            stored.setdefault(a.annotator, []).append((a.doc_id, a.start, a.end, a.label))
            assert a.text  # span text taken from the document
    for who, spans in expected.items():
        assert sorted(stored.get(who, [])) == spans, who  # nothing lost, nothing of anyone else's undone


def test_two_annotators_then_agreement_and_gold_export(pg_url, tmp_path, capsys):
    from reader.cli import main

    _run(pg_url, 2, 10)
    code = main(["agree", str(SEEDS), "--store", pg_url, "--json"])
    out = capsys.readouterr().out
    assert code == 0
    import json

    report = json.loads(out)
    assert report["annotators"] == ["ann0", "ann1"] and report["documents"] == 5
    assert report["overall"]["pairs"][0]["overlap_f1"] is not None
