"""Learning from accept/reject/delete/relabel decisions (reader.suggest.learn)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("sklearn")

from reader import cli  # noqa: E402
from reader.corpus import load_corpus  # noqa: E402
from reader.store import AnnotationStore  # noqa: E402
from reader.suggest import learn, suggest_corpus  # noqa: E402
from reader.suggest.evaluation import load_marked  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from bench.learning import MONEY, _split, simulate  # noqa: E402


@pytest.fixture()
def decided(tmp_path):
    """A corpus of our money passages and a store where a user decided on the first half."""
    docs = load_marked(MONEY)
    first, _ = _split(docs)
    root = tmp_path / "corpus"
    root.mkdir()
    for d in docs:
        (root / f"{d.id}.txt").write_text(d.text, encoding="utf-8")
    corpus = load_corpus(root, detect=False)
    store = AnnotationStore(tmp_path / "store", corpus=corpus, annotator="tester")
    for d in docs:
        corpus.set_language_override(d.id, d.lang, store)
    suggest_corpus(corpus, store, labels=["salary"], doc_ids=[d.id for d in first], min_score=0.0)
    gold = {d.id: d.of("salary") for d in docs}
    pending = store.all(statuses=("suggested",))
    store.update_many([a.id for a in pending if (a.start, a.end) in gold[a.doc_id]], status="accepted")
    store.update_many([a.id for a in pending if (a.start, a.end) not in gold[a.doc_id]], status="rejected")
    yield root, corpus, store, docs
    if not store.closed:
        store.close()


def test_every_kind_of_decision_counts(tmp_path):
    root = tmp_path / "c"
    root.mkdir()
    (root / "d.txt").write_text("She earns $5,000 a month. The fine was $300. Rent: $900. Tip: $7.", encoding="utf-8")
    corpus = load_corpus(root, detect=False)
    with AnnotationStore(tmp_path / "s", corpus=corpus) as store:
        suggest_corpus(corpus, store, labels=["salary"], min_score=0.0)
        a, b, c, d = sorted(store.all(statuses=("suggested",)), key=lambda x: x.start)
        store.update(a.id, status="accepted")
        store.update(b.id, status="rejected")
        store.delete(c.id)
        store.update(d.id, status="accepted", label="claim")
        got = {(x.start, x.kind, x.accepted) for x in learn.decisions(store, corpus)}
    assert got == {(a.start, "accept", True), (b.start, "reject", False), (c.start, "delete", False),
                   (d.start, "relabel", False)}


def test_not_used_before_enough_decisions(decided):
    _, corpus, store, _ = decided
    result = learn.load_or_train(store, corpus, min_each=1000)
    assert result.rescorer is None
    assert "salary not yet" in result.note and "needs 1000 of each" in result.note
    assert store.get_state("suggest.model.salary") is None


def test_model_is_saved_reused_and_rebuilt_from_decisions(decided, monkeypatch):
    _, corpus, store, _ = decided
    result = learn.load_or_train(store, corpus)
    assert result.rescorer is not None and "learned re-scoring used for salary" in result.note
    state = store.get_state("suggest.model.salary")
    assert state["format"] == learn.MODEL_FORMAT and state["counts"]["accept"] >= 20 and state["weights"]

    def no_training(*a, **k):
        raise AssertionError("trained again although nothing changed")

    monkeypatch.setattr(learn, "train", no_training)
    assert learn.load_or_train(store, corpus).rescorer is not None  # reused from the store
    monkeypatch.undo()
    # a new decision changes the fingerprint: rebuilt
    one = store.all(statuses=("rejected",))[0]
    store.update(one.id, status="accepted")
    learn.load_or_train(store, corpus)
    assert store.get_state("suggest.model.salary")["fingerprint"] != state["fingerprint"]
    # a damaged or outdated model in the store is rebuilt, never trusted
    store.set_state("suggest.model.salary", {"format": 999})
    assert learn.load_or_train(store, corpus).rescorer is not None
    assert store.get_state("suggest.model.salary")["format"] == learn.MODEL_FORMAT


def test_pending_suggestions_are_rescored_with_a_reason(decided):
    _, corpus, store, docs = decided
    _, second = _split(docs)
    suggest_corpus(corpus, store, labels=["salary"], doc_ids=[d.id for d in second], min_score=0.0)
    before = {a.id: a.score for a in store.all(statuses=("suggested",))}
    rescorer = learn.load_or_train(store, corpus).rescorer
    changed = learn.rescore_pending(store, corpus, rescorer)
    after = store.all(statuses=("suggested",))
    assert changed > 0 and any(a.score != before[a.id] for a in after)
    assert all("learned" in a.reason for a in after)
    again = learn.rescore_pending(store, corpus, rescorer)  # re-scoring twice does not compound
    assert again == 0


def test_reader_suggest_uses_the_model_and_says_so(decided, capsys):
    root, _, store, _ = decided
    store.close()
    code = cli.main(["suggest", str(root), "--store", str(store.path), "--labels", "salary"])
    out = capsys.readouterr().out
    assert code == 0
    assert "learned re-scoring used for salary" in out.lower()
    code = cli.main(["suggest", str(root), "--store", str(store.path), "--labels", "salary", "--no-learn"])
    assert code == 0 and "learned" not in capsys.readouterr().out


def test_simulation_shows_a_gain():
    """Rules + learned re-scoring beat the rules alone on the second half (the baseline is the
    rules, not "every candidate"), overall and on the part whose context the rules do not know."""
    result = simulate()
    assert result["counts"]["accept"] >= 20 and result["counts"]["reject"] >= 20
    for ways in (result["ways"], result["ways_learn"]):
        rules, mixed = ways["rules"], ways["rules + learned"]
        assert mixed.exact_p > rules.exact_p, (rules.exact_p, mixed.exact_p)
        assert mixed.exact_r >= rules.exact_r, (rules.exact_r, mixed.exact_r)
    assert result["ways_learn"]["rules"].exact_p < 0.9  # the held-out-style part does leave the rules room


def test_rule_score_is_a_feature_of_the_model():
    texts = ["she earns [[ $000 ]] a month", "the fine was [[ $000 ]] today"] * 10
    ys = [True, False] * 10
    model = learn.train("salary", texts, ys, rule_scores=[0.9, 0.1] * 10)
    assert model.rule_weight > 0
    again = learn.LinearModel.from_state(model.to_state())
    assert again is not None and again.rule_weight == model.rule_weight
    low, high = again.probabilities([texts[0]] * 2, [0.05, 0.95])
    assert low < high  # the same context, a higher rule score: a higher blended score
    assert learn.rule_logit(None) == 0.0 and learn.rule_logit(1.0) == learn.RULE_LOGIT_MAX


def test_relearner_batches_and_orders_highest_first(decided):
    from types import SimpleNamespace

    _, corpus, store, docs = decided
    _, second = _split(docs)
    suggest_corpus(corpus, store, labels=["salary"], doc_ids=[d.id for d in second], min_score=0.0)
    r = learn.Relearner(batch=3)
    assert not r.decided() and not r.decided() and r.decided()
    result = r.run(store, corpus)
    assert result.used and result.rescored > 0 and r.pending == 0
    ordered = learn.highest_first(store.all(statuses=("suggested",)))
    scores = [a.score for a in ordered]
    assert scores == sorted(scores, reverse=True)
    few = learn.Relearner(batch=1, min_each=10_000).run(store, corpus)
    assert not few.used and "not yet" in few.note
    a, b = SimpleNamespace(score=None, start=5, end=6), SimpleNamespace(score=0.9, start=9, end=10)
    assert learn.highest_first([a, b]) == [b, a]


def test_rules_run_once_per_document_content(decided, monkeypatch):
    """Checking the model's fingerprint again (every batch of decisions) does not scan every
    decided document again; an edited document (new sha256) is scanned again."""
    from reader import suggest

    _, corpus, store, _ = decided
    suggest_corpus(corpus, store, labels=["salary"], min_score=0.0)  # pending suggestions in the other half
    original = suggest.RECOGNISERS["salary"]
    scanned: list[str] = []

    def counting(text, lang=None):
        scanned.append(text)
        return original(text, lang=lang)

    monkeypatch.setitem(suggest.RECOGNISERS, "salary", counting)
    first = learn.load_or_train(store, corpus)
    assert first.rescorer is not None and scanned
    documents = len(set(scanned))
    assert len(scanned) == documents  # once each
    scanned.clear()
    again = learn.load_or_train(store, corpus)
    assert scanned == [] and again.note == first.note
    assert learn.rescore_pending(store, corpus, again.rescorer) > 0
    pending_docs = {a.doc_id for a in store.all(statuses=("suggested",))}
    assert len(scanned) == len(set(scanned)) <= len(pending_docs)  # the undecided ones, once each
    scanned.clear()
    learn.rescore_pending(store, corpus, again.rescorer)
    assert scanned == []
    doc = next(iter(corpus))
    edited = type(doc)(id=doc.id, text=doc.text + " ", sha256="edited", lang=doc.lang)
    assert learn.rules_for(edited, "salary") == tuple(original(edited.text, lang=edited.known_lang))
    assert scanned == [edited.text]


def test_rules_cache_rescans_a_retagged_document_and_stays_bounded(monkeypatch):
    from reader import suggest
    from reader.model import Document

    original = suggest.RECOGNISERS["salary"]
    scanned: list[tuple[str, str | None]] = []

    def counting(text, lang=None):
        scanned.append((text, lang))
        return original(text, lang=lang)

    monkeypatch.setitem(suggest.RECOGNISERS, "salary", counting)
    monkeypatch.setattr(learn, "_RULES_CACHE", type(learn._RULES_CACHE)())
    monkeypatch.setattr(learn, "_rules_held", 0)
    monkeypatch.setattr(learn, "RULES_CACHE_ENTRIES", 3)
    text = "Lo stipendio è di 1.500 euro al mese."
    it = Document(id="d", text=text, sha256="h", lang="it")
    en = Document(id="d", text=text, sha256="h", lang="en")
    learn.rules_for(it, "salary")
    learn.rules_for(it, "salary")
    learn.rules_for(en, "salary")  # a language override changes what the rules find: scanned again
    assert scanned == [(text, "it"), (text, "en")]
    others = [Document(id=f"o{i}", text=f"{text} {i}", sha256=f"o{i}", lang="it") for i in range(3)]
    for d in others:
        learn.rules_for(d, "salary")
    assert len(learn._RULES_CACHE) == 3  # bounded: the oldest went first
    scanned.clear()
    learn.rules_for(it, "salary")  # evicted: scanned again
    learn.rules_for(others[-1], "salary")  # still there
    assert scanned == [(text, "it")]
    assert learn._rules_held == sum(len(v) for v in learn._RULES_CACHE.values())


def test_sigmoid_is_stable_for_any_value():
    """issue 19 #8: math.exp overflowed on a huge z (OverflowError, exit 70)."""
    assert learn.sigmoid(1e6) == 1.0 and learn.sigmoid(-1e6) == 0.0
    assert learn.sigmoid(0.0) == 0.5 and learn.sigmoid(float("nan")) == 0.5
    assert abs(learn.sigmoid(-3.0) - 1 / (1 + 2.718281828459045 ** 3)) < 1e-12


def test_a_huge_quote_with_a_trained_model_does_not_overflow(decided):
    """A trained model plus one very long span sums thousands of n-gram weights: the score is 0 or 1, no crash."""
    _, corpus, store, _ = decided
    model = learn.load_or_train(store, corpus).rescorer.models["salary"]
    big = {i: 50.0 for i in range(0, 2 * learn.N_FEATURES, 7)}  # every n-gram weighs a lot, both signs
    for sign in (1.0, -1.0):
        m = learn.LinearModel("quote", 0.0, {i: sign * w for i, w in big.items()}, model.counts, "", 0, "x")
        text = "«" + "parole dette a voce alta " * 6400 + "»"  # 160k characters
        (p,) = m.probabilities([learn.window(text, 0, len(text))])
        assert p == (1.0 if sign > 0 else 0.0)


@pytest.mark.parametrize("field, value", [("intercept", -1000.0), ("intercept", float("inf")), ("rule_weight", float("nan")),
                                          ("intercept", "7"), ("weights", [[3, 1e308]]), ("weights", [[-1, 0.5]]),
                                          ("weights", [[2 ** 40, 0.5]])])
def test_a_model_edited_by_hand_is_rebuilt_not_trusted(decided, capsys, field, value):
    """issue 19 #8: a stored model whose intercept was set to -1000 made `reader suggest` exit 70."""
    root, corpus, store, _ = decided
    learn.load_or_train(store, corpus)
    state = dict(store.get_state("suggest.model.salary"))
    assert learn.LinearModel.from_state(state) is not None
    state[field] = value
    assert learn.LinearModel.from_state(state) is None
    store.set_state("suggest.model.salary", state)
    store.close()
    code = cli.main(["suggest", str(root), "--store", str(store.path), "--labels", "salary"])
    assert code == 0 and "learned re-scoring used for salary" in capsys.readouterr().out.lower()  # the note is a sentence
