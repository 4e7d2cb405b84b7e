"""`reader agree` compares people by default; gold is a report of its own (issue 18, item 8).

On both engines: a store with alice, bob, ``root`` (suggestions accepted before credit went to
the one who accepts, as in an older store) and an adjudicated ``gold`` layer.
"""
from __future__ import annotations

import json
import re

import pytest

from reader.cli import main
from reader.corpus import load_corpus
from reader.store import AnnotationStore

from conftest import copy_seeds

DOC = "000_9d99caadc18c77c5"


@pytest.fixture
def seeds(tmp_path):
    return copy_seeds(tmp_path)


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def team(seeds, store_location):
    corpus = load_corpus(seeds, detect=False)
    w = [m.span() for m in re.finditer(r"\w{4,}", corpus.get(DOC).text)][:6]
    with AnnotationStore(store_location, corpus=corpus, annotator="root") as s:
        for span in (w[0], w[5]):  # accepted suggestions that kept the suggester's name
            s.add(DOC, *span, "salary", source="suggest:salary")
    with AnnotationStore(store_location, corpus=corpus, annotator="alice") as s:
        for span in (w[0], w[1], w[2]):
            s.add(DOC, *span, "salary")
    with AnnotationStore(store_location, corpus=corpus, annotator="bob") as s:
        for span in (w[0], w[1], w[3]):
            s.add(DOC, *span, "salary")
    with AnnotationStore(store_location, corpus=corpus, annotator="carol") as s:
        for span in (w[0], w[1], w[2]):
            s.add(DOC, *span, "salary", annotator="gold", source="adjudicated:alice")
    return store_location


def test_agree_compares_the_human_annotators_by_default(seeds, team, capsys):
    code, out, err = run(capsys, "agree", seeds, "--store", team, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["annotators"] == ["alice", "bob"] and data["against"] is None
    pair = data["overall"]["pairs"]
    assert [(p["a"], p["b"]) for p in pair] == [("alice", "bob")]
    assert pair[0]["exact_f1"] == pytest.approx(2 / 3)
    code, out, err = run(capsys, "agree", seeds, "--store", team)
    assert code == 0 and "alice / bob" in out and "gold" not in out and "root" not in out


def test_against_gold_is_each_annotator_against_the_gold_layer(seeds, team, capsys):
    code, out, err = run(capsys, "agree", seeds, "--store", team, "--against", "gold", "--json")
    assert code == 0, err
    data = json.loads(out)
    pairs = {(p["a"], p["b"]): p for p in data["overall"]["pairs"]}
    assert set(pairs) == {("alice", "gold"), ("bob", "gold")}
    assert pairs[("alice", "gold")]["exact_f1"] == 1.0
    assert pairs[("bob", "gold")]["exact_f1"] == pytest.approx(2 / 3)
    assert data["overall"]["krippendorff_alpha"] is None  # no all-annotator figure in this report
    code, out, err = run(capsys, "agree", seeds, "--store", team, "--against", "gold")
    assert code == 0 and "each annotator against gold" in out and "alice / gold" in out and "Fleiss" not in out


def test_named_annotators_still_win_and_a_missing_gold_is_one_line(seeds, team, capsys):
    code, out, err = run(capsys, "agree", seeds, "--store", team, "--annotators", "alice,root", "--json")
    assert code == 0 and json.loads(out)["annotators"] == ["alice", "root"]
    code, out, err = run(capsys, "agree", seeds, "--store", team, "--against", "nobody")
    assert code == 1 and "--against" in err and "nobody" in err and len(err.strip().splitlines()) == 1
