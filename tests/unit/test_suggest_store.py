"""suggest_corpus: storing suggestions, no duplicates on re-run, rejected ones stay away."""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from reader.corpus import load_corpus
from reader.errors import ReaderError
from reader.model import Annotation, Document
from reader.store import AnnotationStore
from reader.suggest import DEFAULT_MIN_SCORE, SuggestReport, find_all, suggest_corpus
from reader.text import decode

from conftest import SEEDS

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "tests" / "data" / "gold.jsonl"


# --- the gold set itself --------------------------------------------------------

def _gold() -> list[dict]:
    return [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_gold_offsets_index_the_canonical_seed_text():
    docs = _gold()
    assert [d["id"] for d in docs] == sorted(p.stem for p in SEEDS.glob("*.txt"))
    for d in docs:
        text, _ = decode((SEEDS / f"{d['id']}.txt").read_bytes())
        assert d["text"] == text, f"{d['id']}: gold text differs from the seed"
        assert d["spans"], d["id"]
        for s in d["spans"]:
            assert set(s) == {"start", "end", "label", "text"}
            assert s["label"] in ("salary", "quote")
            assert 0 <= s["start"] < s["end"] <= len(text)
            assert text[s["start"]:s["end"]] == s["text"], (d["id"], s)
        # spans of one label never overlap each other
        for label in ("salary", "quote"):
            own = sorted((s["start"], s["end"]) for s in d["spans"] if s["label"] == label)
            assert all(a[1] <= b[0] for a, b in zip(own, own[1:])), (d["id"], label)


def test_gold_counts():
    counts = Counter(s["label"] for d in _gold() for s in d["spans"])
    assert counts == {"salary": 26, "quote": 14}


def test_bench_reports_both_recognisers_and_both_match_kinds():
    from bench.bench_suggest import run

    rows = run(quick=True)
    metrics = {(r["section"], r["metric"]) for r in rows}
    for label in ("salary", "quote"):
        for kind in ("exact", "overlap"):
            for what in ("precision", "recall"):
                assert (f"suggest {label}", f"{kind} {what}") in metrics
        assert (f"suggest {label}", "exact tp / fp / fn") in metrics
    for r in rows:
        assert set(r) == {"section", "metric", "value", "goal"}
        if "precision" in r["metric"] or "recall" in r["metric"]:
            assert 0.0 <= float(r["value"]) <= 1.0


def test_bench_score_counts_exact_and_overlap():
    from bench.bench_suggest import score
    from reader.suggest.base import Suggestion

    text = "aaa $5 bbb $10 a year ccc"
    gold = [{"id": "d", "text": text, "lang": "en", "spans": [
        {"start": 4, "end": 6, "label": "salary", "text": "$5"},
        {"start": 11, "end": 21, "label": "salary", "text": "$10 a year"},
    ]}]

    def fake(t, lang=None):
        return [Suggestion(4, 6, "salary", "$5"), Suggestion(11, 14, "salary", "$10"), Suggestion(22, 25, "salary", "ccc")]

    s = score(gold, "salary", fake)
    assert (s["tp"], s["fp"], s["fn"]) == (1, 2, 1)
    assert s["exact_precision"] == pytest.approx(1 / 3)
    assert s["exact_recall"] == pytest.approx(1 / 2)
    assert s["overlap_precision"] == pytest.approx(2 / 3)
    assert s["overlap_recall"] == pytest.approx(1.0)


# --- with a fake store (the contract only) --------------------------------------

class FakeStore:
    """for_document / add_many / rejected_keys, nothing else."""

    def __init__(self):
        self.anns: list[Annotation] = []
        self.rejected: set[tuple] = set()
        self.calls = 0

    def for_document(self, doc_id, *, statuses=("accepted", "suggested")):
        return [a for a in self.anns if a.doc_id == doc_id and a.status in statuses]

    def add_many(self, items, *, source=""):
        self.calls += 1
        out = []
        for it in items:
            ann = Annotation(id=str(len(self.anns)), doc_id=it["doc_id"], start=it["start"], end=it["end"],
                             label=it["label"], text=it["text"], status=it["status"], source=it["source"])
            self.anns.append(ann)
            out.append(ann)
        return out

    def rejected_keys(self, doc_id):
        return {k for k in self.rejected if k[0] == doc_id}  # (doc_id, start, end, label)


def _doc(doc_id: str, text: str, lang: str) -> Document:
    return Document(id=doc_id, text=text, sha256="x", lang=lang)


DOCS = [
    _doc("it", "Guadagna 45mila euro all'anno. Ha detto “non firmeremo mai questo contratto”.", "it"),
    _doc("fr", "Il touche 200 $ par jour et dit « nous voulons plus ».", "fr"),
    _doc("none", "Nothing to see here, 2023 was a year.", "en"),
]


def test_fake_store_add_then_rerun_adds_nothing():
    store = FakeStore()
    report = suggest_corpus(DOCS, store)
    assert isinstance(report, SuggestReport)
    assert report.added == 4
    assert report.by_label == {"salary": 2, "quote": 2}
    assert report.documents == 3
    assert store.calls == 2  # one batch per document with suggestions
    for a in store.anns:
        doc = next(d for d in DOCS if d.id == a.doc_id)
        assert doc.text[a.start:a.end] == a.text
        assert a.status == "suggested"
        assert a.source == f"suggest:{a.label}"
    again = suggest_corpus(DOCS, store)
    assert (again.added, again.skipped_existing, again.skipped_rejected) == (0, 4, 0)
    assert len(store.anns) == 4


def test_fake_store_rejected_keys_in_either_form_are_honoured():
    store = FakeStore()
    s = find_all(DOCS[0].text, "it", ["salary"])[0]
    store.rejected.add(("it", s.start, s.end, "salary"))
    report = suggest_corpus(DOCS, store, labels=["salary"])
    assert report.skipped_rejected == 1
    assert report.added == 1  # the French one
    assert all(a.doc_id == "fr" for a in store.anns)


def test_labels_and_doc_ids_select_the_work():
    store = FakeStore()
    report = suggest_corpus(DOCS, store, labels="quote", doc_ids=["fr"])
    assert report.by_label == {"quote": 1}
    assert [a.text for a in store.anns] == ["« nous voulons plus »"]


def test_unknown_label_or_document_is_a_clear_error():
    with pytest.raises(ReaderError, match="no recogniser for label.*claim.*available: salary, quote"):
        suggest_corpus(DOCS, FakeStore(), labels=["salary", "claim"])
    with pytest.raises(ReaderError, match="unknown document.*nope"):
        suggest_corpus(DOCS, FakeStore(), doc_ids=["nope"])


def test_progress_is_called_per_document():
    calls = []
    suggest_corpus(DOCS, FakeStore(), progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]


# --- with the real store ----------------------------------------------------------

@pytest.fixture()
def corpus():
    return load_corpus(SEEDS)


@pytest.fixture()
def store(tmp_path, corpus):
    st = AnnotationStore(tmp_path / "ann", corpus=corpus, annotator="tester")
    yield st
    if not st.closed:
        st.close()


def _expected_total(corpus) -> Counter:
    c: Counter = Counter()
    for doc in corpus:
        for s in find_all(doc.text, doc.lang, min_score=DEFAULT_MIN_SCORE):
            c[s.label] += 1
    return c


def test_real_store_suggestions_are_stored_apart_from_accepted(corpus, store):
    report = suggest_corpus(corpus, store)
    expected = _expected_total(corpus)
    assert report.added == sum(expected.values()) > 30
    assert report.by_label == expected
    assert store.all() == []  # nothing accepted
    suggested = store.all(statuses=("suggested",))
    assert len(suggested) == report.added
    for a in suggested:
        assert a.status == "suggested"
        assert a.source == f"suggest:{a.label}"
        assert corpus.get(a.doc_id).text[a.start:a.end] == a.text
    # the Arabic range is one suggestion
    ar = [a.text for a in store.for_document("003_744b85a45d014b40") if a.label == "salary"]
    assert "300 و900 ألف دولار" in ar  # one span; the period "سنوياً" is data, outside it


def test_real_store_rerun_duplicates_nothing_and_rejections_stick(tmp_path, corpus, store):
    first = suggest_corpus(corpus, store)
    again = suggest_corpus(corpus, store)
    assert again.added == 0
    assert again.skipped_existing == first.added

    doc_id = "004_d4ef5430cbf9b3bd"
    anns = [a for a in store.for_document(doc_id) if a.label == "salary"]
    rejected, deleted, accepted = anns[0], anns[1], anns[2]
    store.update(rejected.id, status="rejected")
    store.delete(deleted.id)  # deleting a suggestion remembers it as rejected
    store.update(accepted.id, status="accepted")

    third = suggest_corpus(corpus, store)
    assert third.added == 0
    assert third.skipped_rejected == 2
    assert third.skipped_existing == first.added - 2
    keys = {(a.start, a.end, a.label) for a in store.for_document(doc_id, statuses=("accepted", "suggested"))}
    assert (rejected.start, rejected.end, "salary") not in keys
    assert (deleted.start, deleted.end, "salary") not in keys
    assert store.get(accepted.id).status == "accepted"

    # the same holds after closing and reopening the store
    store.close()
    with AnnotationStore(tmp_path / "ann", corpus=corpus) as reopened:
        fourth = suggest_corpus(corpus, reopened)
        assert fourth.added == 0
        assert fourth.skipped_rejected == 2
        assert len(reopened.all(statuses=("suggested",))) == first.added - 3


def test_real_store_skips_spans_the_user_already_labelled(corpus, store):
    doc = corpus.get("000_9d99caadc18c77c5")
    start = doc.text.index("dai 300mila")
    end = doc.text.index("dollari", start) + len("dollari")
    store.add(doc.id, start, end, "salary")  # the user's own bounds include "dai" and omit "l'anno"
    report = suggest_corpus(corpus, store, labels=["salary"], doc_ids=[doc.id])
    assert report.skipped_overlap == 1
    assert report.added == 1  # the other amount, "200 dollari"
    assert [a.text for a in store.for_document(doc.id, statuses=("suggested",))] == ["200 dollari"]
    assert "overlapping an accepted annotation" in report.summary()


def test_real_store_one_undo_removes_a_documents_batch(corpus, store):
    suggest_corpus(corpus, store, doc_ids=["002_26ccd676af571225"])
    assert store.for_document("002_26ccd676af571225")
    store.undo()
    assert store.for_document("002_26ccd676af571225") == []
