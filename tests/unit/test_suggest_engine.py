"""Suggestions for every label (issue 24): the string matcher, the trained sentence models,
their quality by leave-documents-out cross-validation, the 0.5 precision floor, ``reader
suggest --report``; and learning that starts within the first decisions (issue 22 item 3)."""
from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.cli import main
from reader.corpus import load_corpus
from reader.store import AnnotationStore
from reader.suggest.engine import matcher_quality, measure, read_quality, suggest_all, uncertainty
from reader.suggest.evaluation import load_labelled, parse_labelled
from reader.suggest.matcher import StringMatcher

DATA = Path(__file__).resolve().parent.parent / "data" / "annotator"


def test_matcher_whole_words_case_and_spacing():
    m = StringMatcher.from_annotations([("a", 0, 12, "org", "Acme  Widgets")])
    text = "ACME widgets sold.\nacme\n  widgets again; AcmeWidgets and xAcme Widgets are not."
    found = m.find("b", text)
    assert [(text[s.start:s.end], s.label) for s in found] == [("ACME widgets", "org"), ("acme\n  widgets", "org")]
    assert all(text[s.start:s.end] == s.text for s in found)
    assert "same text as org in a 0–12" in found[0].reason
    # the source annotation itself is not suggested again
    assert StringMatcher.from_annotations([("a", 0, 4, "org", "Acme")]).find("a", "Acme Acme")[0].start == 5


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="ab É\n.", min_size=0, max_size=40), st.sampled_from(["ab", "É a", "b.b"]))
def test_matcher_offsets_hold(text, phrase):
    for s in StringMatcher.from_annotations([("x", 0, 0, "l", phrase)]).find("y", text):
        assert text[s.start:s.end] == s.text
        assert s.start == 0 or not text[s.start - 1].isalnum() or not s.text[0].isalnum()


def test_labelled_corpus_parses_nested_marks():
    text, spans = parse_labelled("A {claim|pay is {salary|€5} now.} {quote|“x”}")
    assert text == "A pay is €5 now. “x”"
    assert [(text[s:e], lab) for s, e, lab in spans] == [("pay is €5 now.", "claim"), ("€5", "salary"), ("“x”", "quote")]
    docs = load_labelled(DATA)
    assert len(docs) >= 40 and len({d.lang for d in docs}) >= 4
    assert {lab for d in docs for *_, lab in d.spans} == {"claim", "opinion", "quote", "salary"}


@pytest.fixture
def annotated(tmp_path):
    """The learning corpus in a real folder and store; the first 30 documents annotated by hand."""
    docs = load_labelled(DATA)
    random.Random(3).shuffle(docs)
    root = tmp_path / "corpus"
    root.mkdir()
    for d in docs:
        (root / f"{d.id}.txt").write_text(d.text, encoding="utf-8")
    corpus = load_corpus(root, detect=False)
    store = AnnotationStore(tmp_path / "store", corpus=corpus, annotator="ann")
    for d in docs:
        corpus.set_language_override(d.id, d.lang, store)
    store.add_many([{"doc_id": d.id, "start": s, "end": e, "label": lab} for d in docs[:30] for s, e, lab in d.spans])
    yield root, corpus, store, docs
    store.close()


def test_trained_models_and_matcher_suggest_and_report_quality(annotated):
    pytest.importorskip("sklearn")
    _, corpus, store, docs = annotated
    rest = [d.id for d in docs[30:]]
    report = suggest_all(corpus, store, doc_ids=rest)
    made = store.all(statuses=("suggested",))
    sources = {a.source for a in made}
    assert "suggest:model" in sources  # claim / opinion sentences
    assert {a.label for a in made if a.source == "suggest:model"} <= {"claim", "opinion"}
    for a in made:
        assert corpus.get(a.doc_id).text[a.start:a.end] == a.text
        assert a.reason
    # the figures are measured and kept for the stats screen
    quality = {(q.label, q.kind): q for q in read_quality(store)}
    claim = quality[("claim", "sentence model")]
    assert claim.precision is not None and 0 <= claim.precision <= 1 and claim.annotations >= 20
    assert quality[("salary", "string matcher")].kind == "string matcher"
    assert any("claim sentence model: P" in line for line in report.quality)


def test_a_recommender_below_half_precision_is_hidden(annotated):
    pytest.importorskip("sklearn")
    _, corpus, store, docs = annotated
    # a label given to random sentences: nothing to learn, cross-validated precision is low
    rng = random.Random(5)
    from reader.suggest.recommender import sentences

    items = []
    for d in docs[:30]:
        for s, e in sentences(corpus.get(d.id)):
            if rng.random() < 0.35:
                items.append({"doc_id": d.id, "start": s, "end": e, "label": "claim", "note": "noise"})
    store.add_many(items, skip_duplicates=True)
    plan = measure(list(corpus), [a for a in store.all() if a.label == "claim" and a.note == "noise"], ["claim"])
    q = next(q for q in plan.quality if q.kind == "sentence model")
    if q.precision is not None and q.precision < 0.5:
        assert q.hidden and "claim" not in plan.models
        assert "Hidden" in q.describe()
    from reader.suggest.recommender import Quality

    assert Quality("claim", "sentence model", 20, 5, 0.49, 0.9).hidden
    assert not Quality("claim", "sentence model", 20, 5, 0.5, 0.1).hidden
    assert not Quality("claim", "sentence model", 3, 1, None, None, "not trained yet").hidden


def test_matcher_quality_leaves_documents_out(annotated):
    _, corpus, store, docs = annotated
    q = matcher_quality(list(corpus), store.all(), ["quote"])["quote"]
    # quotes are not repeated across documents: a leave-documents-out matcher finds none of them
    assert q.precision is None or q.recall is not None


def test_uncertainty():
    assert uncertainty([0.5, 0.5]) == 1.0
    assert uncertainty([1.0, 0.0]) == 0.0
    assert uncertainty([None]) is None


def test_cli_report_and_any_label(annotated, capsys):
    pytest.importorskip("sklearn")
    root, _, store, docs = annotated
    store.close()
    path = str(store.path)
    assert main(["suggest", str(root), "--store", path, "--report", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    kinds = {(r["label"], r["kind"]) for r in rows}
    assert ("claim", "sentence model") in kinds and ("opinion", "string matcher") in kinds
    assert all("hidden" in r for r in rows)
    assert main(["suggest", str(root), "--store", path, "--labels", "claim"]) == 0
    out = capsys.readouterr().out
    assert "suggestion(s) added" in out and "claim sentence model: P" in out
    with AnnotationStore(path, readonly=True) as s:
        assert {a.label for a in s.all(statuses=("suggested",))} == {"claim"}


def test_learning_starts_within_the_first_decisions(tmp_path):
    pytest.importorskip("sklearn")
    from reader.suggest import suggest_corpus
    from reader.suggest.learn import MIN_DECISIONS, load_or_train

    assert MIN_DECISIONS <= 10
    root = tmp_path / "c"
    root.mkdir()
    for k in range(4):
        (root / f"d{k}.txt").write_text(f"Nurses earn €{2000 + k * 100} a month. The app costs €0,99 a month.\n", encoding="utf-8")
    corpus = load_corpus(root, detect=False)
    with AnnotationStore(tmp_path / "s", corpus=corpus) as store:
        for d in corpus:
            corpus.set_language_override(d.id, "en", store)
        suggest_corpus(corpus, store, labels=["salary"], min_score=0.0)
        pending = store.all(statuses=("suggested",))
        # an honest user: accepts the pay, only two rejections in all
        for a in pending:
            store.update(a.id, status="accepted" if "0,99" not in a.text else "rejected")
        decided = len(pending)
        assert decided <= 10
        result = load_or_train(store, corpus, labels=["salary"])
        assert result.rescorer is not None, result.note
        assert "learned re-scoring used for salary" in result.note
