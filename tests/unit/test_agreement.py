"""Agreement figures checked against hand-computed values and published worked examples."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.teams.agreement import (
    ALL_LABELS,
    cohen_kappa,
    compute_agreement,
    fleiss_kappa,
    krippendorff_alpha,
    span_f1,
    unit_bounds,
)
from reader.model import Annotation


def ann(doc, start, end, label, who, text_of=None, status="accepted"):
    text = text_of[start:end] if text_of else "x" * (end - start)
    return Annotation(id=f"{who}-{doc}-{start}-{end}-{label}", doc_id=doc, start=start, end=end,
                      label=label, text=text, annotator=who, status=status)


# --------------------------------------------------------------------------- published examples


def test_cohen_kappa_textbook_example():
    # 50 items: both yes 20, A yes/B no 5, A no/B yes 10, both no 15.
    # po = 0.7, pe = 0.5*0.6 + 0.5*0.4 = 0.5, kappa = 0.4
    a = [1] * 20 + [1] * 5 + [0] * 10 + [0] * 15
    b = [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15
    assert cohen_kappa(a, b) == pytest.approx(0.4)


def test_cohen_kappa_undefined_on_a_single_category():
    assert cohen_kappa([0, 0, 0], [0, 0, 0]) is None
    assert cohen_kappa([], []) is None


def test_fleiss_kappa_fleiss_1971_example():
    # the worked example in Fleiss (1971) as reproduced on Wikipedia: 10 subjects, 14 raters, 5 categories
    table = np.array([
        [0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7],
    ])
    assert fleiss_kappa(table) == pytest.approx(0.210, abs=0.0005)


def test_krippendorff_alpha_published_example_with_missing_values():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C:
    # 4 observers, 12 units, values 1-5, missing values; alpha (nominal) = 0.743
    nan = None
    data = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
        [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan],
    ]
    counts = np.zeros((12, 5), dtype=int)
    for row in data:
        for unit, value in enumerate(row):
            if value is not None:
                counts[unit, value - 1] += 1
    assert krippendorff_alpha(counts) == pytest.approx(0.743, abs=0.0005)


# --------------------------------------------------------------------------- span F1 by hand


def test_span_f1_exact_and_overlap_by_hand():
    a = {("d", 0, 5, "x"), ("d", 10, 15, "x")}
    b = {("d", 0, 5, "x"), ("d", 11, 15, "x"), ("d", 20, 25, "x")}
    # exact: 1 match; P = 1/3, R = 1/2, F1 = 2/(2+3) = 0.4
    assert span_f1(a, b) == pytest.approx(0.4)
    # overlap: a's spans both found (R = 1), b's 2 of 3 found (P = 2/3): F1 = 0.8
    assert span_f1(a, b, overlap=True) == pytest.approx(0.8)
    # symmetric
    assert span_f1(b, a, overlap=True) == pytest.approx(0.8)
    # a different label never matches, even overlapping
    assert span_f1({("d", 0, 5, "x")}, {("d", 0, 5, "y")}, overlap=True) == 0.0
    assert span_f1(set(), set()) is None


def test_overlap_needs_a_shared_character():
    # touching spans (end-exclusive) do not overlap
    assert span_f1({("d", 0, 5, "x")}, {("d", 5, 9, "x")}, overlap=True) == 0.0
    # a long span that started earlier still overlaps a later one
    assert span_f1({("d", 0, 50, "x")}, {("d", 3, 4, "x"), ("d", 60, 61, "x")}, overlap=True) == pytest.approx(2 * 0.5 * 1 / 1.5)


# --------------------------------------------------------------------------- units and the report


def test_tokens_words_and_punctuation():
    text = "Il a dit: «non»."
    starts, ends = unit_bounds(text, "token")
    assert [text[s:e] for s, e in zip(starts, ends)] == ["Il", "a", "dit", ":", "«", "non", "»", "."]
    starts, ends = unit_bounds("ab", "char")
    assert list(starts) == [0, 1] and list(ends) == [1, 2]


def test_two_annotators_hand_computed():
    text = "a b c d"  # tokens a(0) b(2) c(4) d(6)
    anns = [ann("d1", 0, 3, "X", "ann", text), ann("d1", 2, 3, "X", "bob", text)]
    rep = compute_agreement(anns, {"d1": text})
    assert rep.unit == "token" and rep.annotators == ["ann", "bob"] and rep.units == 4
    pair = rep.overall.pairs[0]
    # masks ann [1,1,0,0], bob [0,1,0,0]: po = 3/4, pe = .5*.25 + .5*.75 = .5, kappa = .5
    assert pair.cohen_kappa == pytest.approx(0.5)
    assert pair.exact_f1 == 0.0 and pair.overlap_f1 == pytest.approx(1.0)
    # alpha = 1 - (n-1) * D_o / D_e: n = 8 values (3 X, 5 O), 2 disagreeing pairs -> 1 - 7*2/30 = 8/15
    assert rep.overall.krippendorff_alpha == pytest.approx(8 / 15)
    # Fleiss with 2 raters: P = 3/4, Pe = (3/8)^2 + (5/8)^2 = 34/64 -> 7/15
    assert rep.overall.fleiss_kappa == pytest.approx(7 / 15)
    assert rep.per_label["X"].pairs[0].cohen_kappa == pytest.approx(0.5)


def test_char_level_units():
    text = "abcd"
    anns = [ann("d1", 0, 2, "X", "a", text), ann("d1", 0, 1, "X", "b", text)]
    rep = compute_agreement(anns, {"d1": text}, unit="char")
    # a [1,1,0,0] b [1,0,0,0]: po 3/4, pa(1)=.5 pb(1)=.25 -> pe .5 -> kappa .5
    assert rep.overall.pairs[0].cohen_kappa == pytest.approx(0.5)
    assert rep.units == 4


def test_overlapping_labels_of_one_annotator_form_one_category():
    text = "a b"
    anns = [ann("d", 0, 1, "X", "a", text), ann("d", 0, 1, "Y", "a", text), ann("d", 0, 1, "X", "b", text),
            ann("d", 2, 3, "Y", "b", text), ann("d", 2, 3, "Y", "a", text)]
    rep = compute_agreement(anns, {"d": text})
    # overall categories: a = [X+Y, Y], b = [X, Y]: po = 1/2
    # pa: X+Y .5, Y .5; pb: X .5, Y .5 -> pe = .25 -> kappa = (.5-.25)/.75 = 1/3
    assert rep.overall.pairs[0].cohen_kappa == pytest.approx(1 / 3)
    assert rep.per_label["X"].pairs[0].cohen_kappa == pytest.approx(1.0)
    # label Y: a = [1, 1], b = [0, 1]: po = .5, pe = 1*.5 + 0*.5 = .5 -> kappa 0
    assert rep.per_label["Y"].pairs[0].cohen_kappa == pytest.approx(0.0)
    assert rep.per_label["Y"].pairs[0].exact_f1 == pytest.approx(2 * 1 / (2 + 1))


def test_documents_an_annotator_did_not_work_on_are_missing_not_empty():
    text = "one two three"
    anns = [
        ann("d1", 0, 3, "X", "a", text), ann("d1", 0, 3, "X", "b", text),
        ann("d2", 4, 7, "X", "a", text),  # b never opened d2
        ann("d3", 4, 7, "X", "a", text), ann("d3", 8, 13, "X", "b", text),
    ]
    texts = {"d1": text, "d2": text, "d3": text}
    rep = compute_agreement(anns, texts)
    assert rep.documents == 2  # d1 and d3 (two annotators each)
    pair = rep.overall.pairs[0]
    assert pair.spans_a == 2 and pair.spans_b == 2  # d2's span is not counted against b
    assert pair.exact_f1 == pytest.approx(0.5)
    # lowest agreement first: d3 disagrees completely, d1 agrees completely
    assert [d.doc_id for d in rep.by_document] == ["d3", "d1"]
    assert rep.by_document[1].exact_f1 == 1.0


def test_filters_annotators_labels_documents_and_statuses():
    text = "one two three four"
    anns = [
        ann("d1", 0, 3, "X", "a", text), ann("d1", 0, 3, "X", "b", text), ann("d1", 0, 3, "X", "c", text),
        ann("d1", 4, 7, "Y", "a", text), ann("d1", 8, 13, "Y", "c", text),
        ann("d1", 14, 18, "X", "b", text, status="suggested"),
        ann("d2", 0, 3, "X", "a", text), ann("d2", 4, 7, "X", "b", text),
    ]
    texts = {"d1": text, "d2": text}
    rep = compute_agreement(anns, texts, annotators=["a", "b"], labels=["X"], doc_ids=["d1"])
    assert rep.annotators == ["a", "b"] and rep.labels == ["X"] and rep.documents == 1
    assert rep.overall.pairs[0].exact_f1 == 1.0  # the suggestion is not counted
    assert rep.overall.pairs[0].cohen_kappa == pytest.approx(1.0)
    three = compute_agreement(anns, texts, doc_ids=["d1"])
    assert [(p.a, p.b) for p in three.overall.pairs] == [("a", "b"), ("a", "c"), ("b", "c")]
    assert set(three.per_label) == {"X", "Y"}
    assert ALL_LABELS == three.overall.label
    assert three.to_json()["unit"] == "token"


def test_perfect_agreement_has_alpha_one():
    text = "w " * 20
    anns = [ann("d", 0, 1, "X", w, text) for w in "abcd"] + [ann("d", 10, 11, "Y", w, text) for w in "abcd"]
    rep = compute_agreement(anns, {"d": text})
    assert rep.overall.krippendorff_alpha == pytest.approx(1.0)
    assert rep.overall.fleiss_kappa == pytest.approx(1.0)
    assert all(p.cohen_kappa == pytest.approx(1.0) and p.exact_f1 == 1.0 for p in rep.overall.pairs)


@settings(max_examples=300, deadline=None)
@given(st.integers(1, 40).flatmap(lambda units: st.integers(1, 6).flatmap(
    lambda values: st.lists(st.lists(st.integers(0, 5), min_size=values, max_size=values),
                            min_size=units, max_size=units))))
def test_krippendorff_alpha_equals_the_krippendorff_package(rows):
    """Our O(units x values) coincidences give the package's alpha on any count matrix."""
    import krippendorff

    counts = np.array(rows, dtype=np.int64)
    ours = krippendorff_alpha(counts)
    try:
        with np.errstate(all="ignore"):
            theirs = float(krippendorff.alpha(value_counts=counts, level_of_measurement="nominal"))
    except ValueError:  # the package: no unit rated by two coders, or a single value in the domain
        theirs = float("nan")
    if ours is None:
        assert np.isnan(theirs)  # undefined for both
    else:
        assert ours == pytest.approx(theirs, rel=1e-9, abs=1e-12)


# --------------------------------------------------------------------------- many labels (issue 18, item 9)


def _reference_codes(anns, text, who, labels):
    """Each token's category as a frozenset of labels, computed without any bit mask."""
    starts, ends = unit_bounds(text)
    out = []
    for s, e in zip(starts, ends):
        out.append(frozenset(a.label for a in anns if a.annotator == who and a.start < e and a.end > s))
    return out


@pytest.mark.parametrize("n_labels", [64, 65, 70, 130])
def test_many_labels_match_scikit_learn_and_krippendorff(n_labels):
    """Label 64 (and 63, 127, ...) no longer wraps onto label 0: kappa and alpha on 70 labels equal
    scikit-learn's Cohen's kappa and the krippendorff package on label sets computed without bits."""
    import random

    import krippendorff
    from sklearn.metrics import cohen_kappa_score

    rng = random.Random(n_labels)
    labels = [f"L{i:03d}" for i in range(n_labels)]
    text = " ".join(f"w{i}" for i in range(400))
    tokens = list(zip(*unit_bounds(text)))
    anns = []
    for who in ("alice", "bob", "carol"):
        for _ in range(150):
            i = rng.randrange(len(tokens) - 3)
            j = i + rng.randrange(1, 3)
            label = rng.choice(labels[-8:] + labels[:4] if rng.random() < 0.7 else labels)
            anns.append(ann("d", int(tokens[i][0]), int(tokens[j][1]), label, who, text))
        # label 0 and the top label on distinct tokens: a wrap would merge them
    anns.append(ann("d", int(tokens[0][0]), int(tokens[0][1]), labels[0], "alice", text))
    anns.append(ann("d", int(tokens[0][0]), int(tokens[0][1]), labels[-1], "bob", text))
    rep = compute_agreement(anns, {"d": text})
    assert rep.labels == sorted(set(a.label for a in anns))
    sets = {w: _reference_codes(anns, text, w, labels) for w in ("alice", "bob", "carol")}
    vocab = {s: i for i, s in enumerate(sorted({s for v in sets.values() for s in v}, key=sorted))}
    codes = {w: [vocab[s] for s in v] for w, v in sets.items()}
    for pair in rep.overall.pairs:
        theirs = cohen_kappa_score(codes[pair.a], codes[pair.b])
        assert pair.cohen_kappa == pytest.approx(theirs, abs=1e-12)
    reliability = np.array([codes[w] for w in ("alice", "bob", "carol")], dtype=float)
    theirs = krippendorff.alpha(reliability_data=reliability, level_of_measurement="nominal")
    assert rep.overall.krippendorff_alpha == pytest.approx(theirs, abs=1e-12)
    for label in (labels[0], labels[63 % n_labels], labels[-1]):
        if label not in rep.per_label:
            continue
        binary = {w: [int(label in s) for s in v] for w, v in sets.items()}
        for pair in rep.per_label[label].pairs:
            if len(set(binary[pair.a]) | set(binary[pair.b])) < 2:
                continue
            theirs = cohen_kappa_score(binary[pair.a], binary[pair.b])
            assert pair.cohen_kappa == pytest.approx(theirs, abs=1e-12)


def test_label_64_is_not_label_0():
    labels = [f"L{i:03d}" for i in range(70)]
    text = "a b"
    anns = [ann("d", 0, 1, "L000", "alice", text), ann("d", 0, 1, "L064", "bob", text),
            ann("d", 2, 3, "L001", "alice", text), ann("d", 2, 3, "L001", "bob", text)]
    rep = compute_agreement(anns, {"d": text}, labels=labels)  # 70 labels: L064 is bit 64
    # alice [L000, L001], bob [L064, L001]: po = 1/2, pe = 1/4 -> kappa 1/3 (a wrap would give 1)
    assert rep.overall.pairs[0].cohen_kappa == pytest.approx(1 / 3)
    assert rep.per_label["L064"].pairs[0].cohen_kappa == pytest.approx(0.0)
    assert rep.per_label["L000"].pairs[0].exact_f1 == 0.0
