"""reader.align: facts across languages, counterpart passages, the monotone alignment."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bench.bench_align import eval_set, seed_set
from reader.align import align, counterparts, document_facts, passages
from reader.align.facts import passage_facts
from reader.align.gold import evaluate


def values(text, lang):
    return {f.key for f in passage_facts(text, 0, len(text), lang) if f.kind in ("amount", "range")}


def test_the_same_amount_in_every_script_is_one_fact():
    forms = [("$300,000", "en"), ("300mila dollari", "it"), ("300 000 $", "fr"), ("300.000 dollari", "it"),
             ("٣٠٠ ألف دولار", "ar"), ("300 ألف دولار", "ar")]
    keys = [values(t, lang) for t, lang in forms]
    assert all(k == {("value", 300000.0)} for k in keys), keys


def test_ranges_are_one_fact_and_state_their_ends():
    a = values("dai 300mila ai 900mila dollari l'anno", "it")
    b = values("بين 300 و900 ألف دولار سنوياً", "ar")
    c = values("from $300,000 to $900,000 a year", "en")
    assert a == b == c
    assert ("range", 300000.0, 900000.0) in a and ("value", 900000.0) in a


def test_latin_names_in_arabic_text_and_quotes_are_facts():
    text = "فقد ذكرت مجلة The Intercept أنَّ الشركة قالت “in all areas of the business” أمس."
    facts = passage_facts(text, 0, len(text), "ar")
    assert {f.key for f in facts if f.kind == "name"} == {("name", "intercept")}
    assert any(f.kind == "quote" and f.key[1:] == ("in", "all", "areas", "of", "the", "business") for f in facts)


def test_long_paragraphs_become_sentences():
    short = "One. Two."
    long = " ".join(f"Sentence number {i} is here and it goes on for a while." for i in range(12))
    ps = passages(short + "\n\n" + long)
    assert (ps[0].start, ps[0].end) == (0, len(short))
    assert len(ps) == 13
    text = short + "\n\n" + long
    assert all(text[p.start:p.end].strip() == text[p.start:p.end] for p in ps)


def test_seed_salary_paragraphs_are_counterparts_with_reasons():
    _, texts = seed_set()
    it, ar = document_facts(texts["it"], "it"), document_facts(texts["ar"], "ar")
    pairs = counterparts(it, ar)
    best = max(pairs, key=lambda c: c.score)
    assert "300mila ai 900mila" in texts["it"][best.a.start:best.a.end]
    assert "300 و900 ألف" in texts["ar"][best.b.start:best.b.end]
    assert best.reasons[0] == "both state 300,000–900,000 USD"
    en, fr = document_facts(texts["en"], "en"), document_facts(texts["fr"], "fr")
    intercept = [c for c in counterparts(en, fr) if "650,000" in c.why]
    assert intercept and "both name The Intercept" in intercept[0].reasons


def test_alignment_is_monotone_and_maps_the_salary_paragraph():
    _, texts = seed_set()
    it, en = document_facts(texts["it"], "it"), document_facts(texts["en"], "en")
    al = align(it, en)
    xs = [p[0] for p in al.points]
    ys = [p[1] for p in al.points]
    assert xs == sorted(xs) and ys == sorted(ys)
    assert al.points[0] == (0, 0) and al.points[-1] == (len(texts["it"]), len(texts["en"]))
    at = texts["it"].index("Stando a quanto")
    mapped = al.to_b(at)
    assert texts["en"].index("Salaries for this profile") - 300 <= mapped <= texts["en"].index("$900,000")
    back = al.flipped()
    assert back.to_b(mapped) == at or abs(back.to_b(mapped) - at) < 5
    anchors = [(c.a.index, c.b.index) for c in al.anchors]
    assert anchors == sorted(anchors)


def test_gaps_between_anchors_use_the_length_model():
    # two documents with one shared figure in the middle: the paragraphs around it are
    # aligned by length (Gale-Church), not left out
    a = "\n\n".join(["Alpha " * 10, "Beta " * 30, "Cost $5,000,000 today.", "Gamma " * 10, "Delta " * 40])
    b = "\n\n".join(["Uno " * 12, "Due " * 35, "Costo 5 milioni di dollari.", "Tre " * 11, "Quattro " * 33])
    al = align(document_facts(a, "en"), document_facts(b, "it"))
    assert len(al.anchors) == 1
    # the start of every paragraph of a is a point of the map: each was paired with one of b
    starts_a = {p[0] for p in al.points}
    assert all(p.start in starts_a for p in document_facts(a, "en").passages)


@settings(max_examples=40)
@given(st.lists(st.text(st.sampled_from("ab 1$\n،٣ألف"), max_size=30), max_size=6))
def test_alignment_never_fails_and_stays_in_range(chunks):
    a = "\n\n".join(chunks)
    b = "\n\n".join(reversed(chunks))
    al = align(document_facts(a, None), document_facts(b, None))
    for off in range(0, len(a) + 1, 7):
        assert 0 <= al.to_b(off) <= len(b)


def test_counterparts_on_the_held_out_story():
    # not the seeds: a story written for evaluation (see bench/bench_align.py for the figures)
    gold, texts = eval_set()
    score = evaluate(gold, texts, {k: k for k in texts})
    assert score.precision >= 0.8 and score.recall >= 0.5


def test_pick_one_document_per_language():
    from types import SimpleNamespace as D

    from reader.align import pick_per_language

    docs = [D(id="a", lang="it"), D(id="b", lang="en"), D(id="c", lang="it"), D(id="d", lang="unknown"),
            D(id="e", lang="AR"), D(id="f", lang="fr"), D(id="g", lang="de")]
    assert pick_per_language(docs) == ["a", "b", "e", "f"]
    assert pick_per_language(docs, ["ar", "it"]) == ["e", "a"]


def test_arabic_is_cut_at_sentence_ends_not_at_commas():
    # issue 20.7: "،" is a comma; passages and the `s` key agree on the sentence
    from reader.lang.sentences import sentence_bounds, sentence_spans

    clause = "وقال بريت تايلور، رئيس مجلس الإدارة، إن الشركة ستستأنف الحكم أمام المحكمة العليا في أقرب وقت."
    text = " ".join([clause] * 6)  # one paragraph over 400 characters: cut into sentences
    assert len(text) > 400
    ps = passages(text, lang="ar")
    assert [text[p.start:p.end] for p in ps] == [clause] * 6
    assert sentence_spans(text, 0, len(clause), "ar") == [(0, len(clause))]
    at = text.index("تايلور")
    assert sentence_bounds(text, at, "ar") == (0, len(clause))
