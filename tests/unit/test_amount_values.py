"""Normalised values on salary annotations: suggestions, hand-made ones, edits, old stores."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from reader.corpus import load_corpus
from reader.model import Annotation
from reader.store import AnnotationStore
from reader.suggest import suggest_corpus

ROOT = Path(__file__).resolve().parents[2]
AR_DOC = "003_744b85a45d014b40"
FR_DOC = "002_26ccd676af571225"


@pytest.fixture()
def corpus():
    return load_corpus(ROOT / "seeds", detect=True)


@pytest.fixture()
def store(tmp_path, corpus):
    s = AnnotationStore(tmp_path / "ann", corpus=corpus)
    yield s
    s.close()


def test_suggestions_carry_value_score_and_reason_and_survive_reopening(tmp_path, corpus, store):
    suggest_corpus(corpus, store, labels=["salary"], doc_ids=[AR_DOC])
    (ar,) = [a for a in store.for_document(AR_DOC) if a.text == "300 و900 ألف دولار"]
    assert ar.value == {"min": 300000, "max": 900000, "currency": "USD", "period": "year"}
    assert 0.5 <= ar.score <= 1 and ar.reason.startswith("cue ")
    store.close()
    with AnnotationStore(tmp_path / "ann", corpus=corpus) as again:
        (back,) = [a for a in again.for_document(AR_DOC) if a.text == "300 و900 ألف دولار"]
        assert (back.value, back.score, back.reason) == (ar.value, ar.score, ar.reason)


def test_hand_made_salary_gets_its_value_where_it_parses(corpus, store):
    doc = corpus.get(FR_DOC)
    start = doc.text.index("200 $ par jour")
    a = store.add(FR_DOC, start, start + len("200 $ par jour"), "salary")  # the old convention: period inside
    assert a.value == {"min": 200, "max": 200, "currency": "USD", "period": "day"}
    assert a.score is None and a.reason == ""
    q = store.add(FR_DOC, start, start + 5, "quote")
    assert q.value is None  # only salaries carry amounts
    word = doc.text.index("Netflix")
    n = store.add(FR_DOC, word, word + len("Netflix"), "salary")
    assert n.value is None  # does not parse


def test_value_follows_relabel_and_resize(corpus, store):
    doc = corpus.get(FR_DOC)
    start = doc.text.index("200 $ par jour")
    a = store.add(FR_DOC, start, start + 5, "claim")
    assert a.value is None
    a = store.update(a.id, label="salary")
    assert a.value == {"min": 200, "max": 200, "currency": "USD", "period": None}
    a = store.update(a.id, end=start + len("200 $ par jour"))
    assert a.value["period"] == "day"
    a = store.update(a.id, label="opinion")
    assert a.value is None
    store.undo()
    assert store.get(a.id).value["period"] == "day"


def test_imported_values_are_checked(corpus, store):
    doc = corpus.get(FR_DOC)
    start = doc.text.index("200 $ par jour")
    good = {"min": 150, "max": 250, "currency": "EUR", "period": "week"}  # the importer's word wins when valid
    bad = {"min": "lots", "max": 1, "currency": "dollars", "period": "fortnight"}
    a, b = store.add_many([
        {"doc_id": FR_DOC, "start": start, "end": start + 5, "label": "salary", "value": good, "score": 0.7,
         "reason": "imported"},
        {"doc_id": FR_DOC, "start": start, "end": start + 14, "label": "salary", "value": bad, "score": 7},
    ])
    assert a.value == good and a.score == 0.7 and a.reason == "imported"
    assert b.value == {"min": 200, "max": 200, "currency": "USD", "period": "day"} and b.score is None


def test_records_of_an_older_store_read_with_defaults():
    old = {"id": "x", "doc_id": "d", "start": 0, "end": 2, "label": "salary", "text": "$5", "note": "",
           "annotator": "a", "created": "2024-01-01T00:00:00+00:00", "updated": "", "doc_sha256": "",
           "status": "accepted", "source": "", "orphaned": False}
    a = Annotation.from_dict(old)
    assert (a.value, a.score, a.reason) == (None, None, "")
    assert Annotation.from_dict(json.loads(json.dumps(a.to_dict()))) == a
