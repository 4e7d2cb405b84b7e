"""The sentence models' calibrated threshold (reader.suggest.recommender.cross_validate)."""
from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("sklearn")

from reader.suggest import recommender  # noqa: E402
from reader.suggest.recommender import PRECISION_FLOOR, THRESHOLDS, Quality, _Examples, cross_validate, rescaled  # noqa: E402

OPINION = ["it is a shame that {x} waited so long", "frankly, {x} deserves better than this",
           "sadly, {x} is the wrong answer", "we think {x} should be ashamed"]
FACT = ["{x} opened on monday with {n} visitors", "{x} has {n} employees, the report says",
        "the budget of {x} grew by {n} per cent", "{x} was founded in {n}", "{x} closed {n} branches last year",
        "{x} moved {n} tonnes of goods in may"]
NAMES = ["the council", "the museum", "the railway", "the hospital", "the school", "the port", "the library"]


def _examples(seed: int) -> _Examples:
    rng = random.Random(seed)
    ex = _Examples([], [], [])
    for doc in range(12):
        for _ in range(5):
            pos = rng.random() < 0.2
            tmpl = rng.choice(OPINION if pos else FACT)
            ex.texts.append(tmpl.format(x=rng.choice(NAMES), n=rng.randint(2, 900)))
            ex.ys.append(int(pos))
            ex.groups.append(f"d{doc}")
    return ex


@pytest.mark.parametrize("seed", [1, 2])
def test_threshold_is_chosen_where_precision_holds(seed):
    p, r, note, threshold = cross_validate(_examples(seed))
    assert threshold in THRESHOLDS or threshold == recommender.THRESHOLD
    assert p is not None and r is not None
    # a learnable minority label: found at a threshold whose out-of-fold precision is not below the floor
    assert p >= PRECISION_FLOOR and r > 0
    assert "documents left out" in note


def test_quality_keeps_its_threshold_through_the_store_state():
    q = Quality("opinion", "sentence model", 25, 20, 0.7, 0.6, "5-fold", 0.35)
    assert Quality.from_state(q.to_state()) == q
    assert "threshold 0.35" in q.describe()
    old = q.to_state()
    del old["threshold"]  # type: ignore[misc]
    assert Quality.from_state(old).threshold == recommender.THRESHOLD


@given(st.floats(0.0, 1.0), st.floats(0.05, 0.95), st.floats(0.0, 1.0))
def test_rescaled_puts_the_threshold_at_one_half_and_keeps_the_order(p, t, q):
    assert (rescaled(p, t) >= 0.5) == (p >= t) or abs(p - t) < 1e-9
    assert rescaled(t, t) == pytest.approx(0.5)
    if p < q:
        assert rescaled(p, t) <= rescaled(q, t)
    assert 0.0 <= rescaled(p, t) <= 1.0
