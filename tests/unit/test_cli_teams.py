"""`reader agree` and `reader merge` through the command line (in-process main())."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.cli import main
from reader.corpus import load_corpus
from reader.store import AnnotationStore

from conftest import copy_seeds

ROOT = Path(__file__).resolve().parents[2]
DOC = "000_9d99caadc18c77c5"


@pytest.fixture
def seeds(tmp_path):
    return copy_seeds(tmp_path)


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def words(text: str, n: int) -> list[tuple[int, int]]:
    """(start, end) of the first n words of ``text`` longer than 3 letters."""
    import re

    return [m.span() for m in re.finditer(r"\w{4,}", text)][:n]


def tag(store_path, corpus, who, spans, label="claim", doc=DOC):
    with AnnotationStore(store_path, corpus=corpus, annotator=who) as s:
        for start, end in spans:
            s.add(doc, start, end, label)


def test_agree_prints_pairwise_and_all_annotator_figures(seeds, tmp_path, capsys):
    corpus = load_corpus(seeds, detect=False)
    text = corpus.get(DOC).text
    w = words(text, 6)
    store = tmp_path / "store"
    tag(store, corpus, "alice", [w[0], w[2], w[4]])
    tag(store, corpus, "bob", [(w[0][0], w[1][1]), w[3]])  # overlaps alice's first span, one of its own
    code, out, err = run(capsys, "agree", seeds, "--store", store)
    assert code == 0, err
    assert "token-level" in out
    assert "alice / bob" in out and "Cohen" in out and "Krippendorff" in out and "Fleiss" in out
    assert DOC in out  # the lowest-agreement list

    code, out, err = run(capsys, "agree", seeds, "--store", store, "--json", "--unit", "char")
    assert code == 0, err
    data = json.loads(out)
    assert data["unit"] == "char" and data["annotators"] == ["alice", "bob"]
    pair = data["overall"]["pairs"][0]
    assert pair["spans_a"] == 3 and pair["spans_b"] == 2
    assert pair["exact_f1"] == 0.0
    # overlap: alice 1 of 3 found, bob 1 of 2 found -> P .5, R 1/3 -> F1 .4
    assert pair["overlap_f1"] == pytest.approx(0.4)
    assert data["documents_by_agreement"][0]["doc_id"] == DOC


def test_agree_filters_and_clear_errors(seeds, tmp_path, capsys):
    corpus = load_corpus(seeds, detect=False)
    w = words(corpus.get(DOC).text, 4)
    store = tmp_path / "store"
    tag(store, corpus, "alice", [w[0]])
    tag(store, corpus, "bob", [w[1]])
    code, out, err = run(capsys, "agree", seeds, "--store", store, "--annotators", "alice,carol")
    assert code == 1 and "carol" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    code, out, err = run(capsys, "agree", seeds, "--store", store, "--annotators", "alice")
    assert code == 1 and "at least two" in err
    code, out, err = run(capsys, "agree", seeds, "--store", store, "--labels", "quote", "--json")
    assert code == 0
    assert json.loads(out)["labels"] == ["quote"]


def test_agree_with_one_annotator_says_there_is_nothing_to_compare(seeds, tmp_path, capsys):
    corpus = load_corpus(seeds, detect=False)
    store = tmp_path / "store"
    tag(store, corpus, "alice", words(corpus.get(DOC).text, 2))
    code, out, err = run(capsys, "agree", seeds, "--store", store)
    assert code == 0 and "nothing to compare" in out


def test_annotator_option_on_every_command_and_from_the_environment(seeds, tmp_path, capsys, monkeypatch):
    from reader.cli import parse_args

    monkeypatch.delenv("READER_ANNOTATOR", raising=False)
    from reader.model import default_annotator

    assert parse_args(["docs"]).annotator == default_annotator()
    assert parse_args(["--annotator", "bob", "seeds"]).annotator == "bob"
    assert parse_args(["--annotator", "bob", "seeds"]).corpus == "seeds"
    assert parse_args(["export", "--format", "jsonl", "--annotator", "carol"]).annotator == "carol"
    monkeypatch.setenv("READER_ANNOTATOR", "dora")
    assert parse_args(["stats"]).annotator == "dora"
    assert parse_args(["stats", "--annotator", "eve"]).annotator == "eve"
    code, out, err = run(capsys, "docs", "--annotator", "bad\x1bname")
    assert code == 2 and "--annotator" in err and "Traceback" not in err


def test_annotator_is_recorded_by_cli_writes(seeds, tmp_path, capsys):
    store = tmp_path / "store"
    code, out, err = run(capsys, "suggest", seeds, "--store", store, "--annotator", "robot")
    assert code == 0, err
    with AnnotationStore(store, readonly=True) as s:
        anns = s.all(statuses=("suggested",))
    assert anns and {a.annotator for a in anns} == {"robot"}


def test_store_url_is_kept_and_read_from_the_environment(monkeypatch):
    from reader.cli import parse_args

    monkeypatch.setenv("READER_STORE", "postgresql://alice@db.example/team")
    assert parse_args(["docs"]).store == "postgresql://alice@db.example/team"
    assert parse_args(["docs", "--store", "mine"]).store == "mine"
    monkeypatch.delenv("READER_STORE")
    assert parse_args(["docs"]).store == "annotations"


def test_export_one_layer_or_all(seeds, tmp_path, capsys):
    corpus = load_corpus(seeds, detect=False)
    w = words(corpus.get(DOC).text, 4)
    store = tmp_path / "store"
    tag(store, corpus, "alice", [w[0], w[1]])
    tag(store, corpus, "gold", [w[2]])

    def exported(*extra):
        code, out, err = run(capsys, "export", seeds, "--store", store, "--format", "jsonl", *extra)
        assert code == 0, err
        return sorted(s["annotator"] for line in out.splitlines() for s in json.loads(line)["spans"])

    assert exported("--layer", "gold") == ["gold"]
    assert exported("--annotator", "gold") == ["gold"]
    assert exported("--layer", "alice") == ["alice", "alice"]
    assert exported("--layer", "all") == ["alice", "alice", "gold"]
    assert exported() == ["alice", "alice", "gold"]
    code, out, err = run(capsys, "export", seeds, "--store", store, "--format", "jsonl", "--layer", "zed")
    assert code == 1 and "zed" in err and "alice, gold" in err


def test_merge_keeps_each_layer_is_idempotent_and_reports_conflicts(seeds, tmp_path, capsys):
    corpus = load_corpus(seeds, detect=False)
    w = words(corpus.get(DOC).text, 4)
    other = "001_228d26dd8dd40e62"
    alice, bob, team = tmp_path / "alice", tmp_path / "bob", tmp_path / "team"
    tag(alice, corpus, "alice", [w[0], w[1]])
    tag(bob, corpus, "bob", [w[0], w[2]])  # the same first span as alice: kept in both layers
    with AnnotationStore(alice, corpus=corpus, annotator="alice") as s:
        s.set_done(DOC, True)
        s.set_language_override(other, "fr")
        s.cache_languages({"sha-a": {"lang": "it", "confidence": 0.9, "paragraphs": []}})
    with AnnotationStore(bob, corpus=corpus, annotator="bob") as s:
        s.set_language_override(other, "en")
    code, out, err = run(capsys, "merge", alice, bob, "--into", team)
    assert code == 0, err
    assert "4 annotation(s) added (alice 2, bob 2)" in out
    assert "marked done in" in out and DOC in out  # alice says done, bob worked on it and did not
    assert "language overrides differ" in out and other in out
    with AnnotationStore(team, readonly=True) as s:
        layers = sorted((a.annotator, a.start) for a in s.all())
        assert layers == sorted([("alice", w[0][0]), ("alice", w[1][0]), ("bob", w[0][0]), ("bob", w[2][0])])
        assert s.doc_status(DOC) == "done" and s.cached_language("sha-a")["lang"] == "it"
        assert s.language_overrides()[other] == "fr"
        ids = sorted(a.id for a in s.all())
    code, out, err = run(capsys, "merge", alice, bob, "--into", team)
    assert code == 0 and "0 annotation(s) added" in out and "nothing changed" in out
    with AnnotationStore(team, readonly=True) as s:
        assert sorted(a.id for a in s.all()) == ids
    # the merged store is what agree compares
    code, out, err = run(capsys, "agree", seeds, "--store", team, "--json")
    assert json.loads(out)["overall"]["pairs"][0]["exact_f1"] == pytest.approx(0.5)


def test_merge_errors_are_one_line(tmp_path, capsys):
    code, out, err = run(capsys, "merge", tmp_path / "nope", "--into", tmp_path / "team")
    assert code == 1 and "not a reader store" in err and len(err.strip().splitlines()) == 1
