"""Learning never does worse than the rules (issue 22 item 3): reader.suggest.learn.combine
and the re-scorer on a seeded synthetic stream of decisions."""
from __future__ import annotations

import random

import pytest

pytest.importorskip("sklearn")

from reader.suggest import learn  # noqa: E402
from reader.suggest.base import Suggestion  # noqa: E402

# kinds of candidate: (context, rule score, what the user decides)
KINDS = {
    "pay": ("she earns a salary of {n} euros per month at the plant", 0.9, True),
    "price": ("a ticket for the museum costs {n} euros at the door", 0.05, False),
    "pension": ("his monthly pension of {n} euros arrives on time", 0.3, True),  # the rules miss it
    "bonus": ("the prize money of {n} euros goes to the winner", 0.7, False),  # the rules' false positive
}


def _candidate(rng: random.Random, kind: str) -> tuple[str, int, int, float, bool]:
    tmpl, rule, truth = KINDS[kind]
    amount = f"{rng.randint(2, 9)},{rng.randint(0, 9)}{rng.randint(0, 9)}0"
    text = tmpl.format(n=amount)
    start = text.index(amount)
    return text, start, start + len(amount) + len(" euros"), rule, truth


def _precision(cands, scores) -> float:
    shown = [truth for (_, _, _, _, truth), s in zip(cands, scores) if s >= learn.THRESHOLD]
    return sum(shown) / len(shown) if shown else 1.0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_precision_never_below_the_rules_along_a_decision_stream(seed):
    rng = random.Random(seed)
    # an honest user: first mostly good suggestions (the failure on main: 7 accepts and 1 reject
    # taught "accept anything" and lifted a 0.005 candidate to 0.60), then everything mixed
    stream = [_candidate(rng, "pay") for _ in range(7)] + [_candidate(rng, "bonus")]
    stream += [_candidate(rng, rng.choice(sorted(KINDS))) for _ in range(52)]
    held_out = [_candidate(rng, kind) for kind in sorted(KINDS) for _ in range(10)]
    rules_p = _precision(held_out, [c[3] for c in held_out])
    for n in range(5, len(stream) + 1, 5):
        seen = stream[:n]
        model = learn.train("salary", [learn.window(t, s, e) for t, s, e, _, _ in seen], [c[4] for c in seen],
                            rule_scores=[c[3] for c in seen])
        rescorer = learn.Rescorer({"salary": model})
        scores = []
        for text, start, end, rule, _ in held_out:
            (out,) = rescorer.rescore(text, [Suggestion(start, end, "salary", text[start:end], score=rule)])
            scores.append(out.score)
        assert _precision(held_out, scores) >= rules_p, f"seed {seed}, after {n} decisions"
    # and learning did something by the end: the rules' false positive is hidden
    bonus = [s for c, s in zip(held_out, scores) if c[3] == 0.7]
    assert max(bonus) < learn.THRESHOLD


def test_no_promotion_before_the_rules_are_seen_to_miss():
    # the model is sure, the rules hid the candidate: without accepted hidden candidates it stays hidden
    assert learn.combine(0.005, 0.99, decided=1000, rescued=learn.PROMOTE_MIN - 1) == 0.005
    assert learn.combine(0.3, 0.99, decided=1000, rescued=learn.PROMOTE_MIN) >= learn.THRESHOLD
    # suppressing needs no such evidence
    assert learn.combine(0.9, 0.01, decided=1000, rescued=0) < learn.THRESHOLD


def test_shrinkage_toward_the_rule_score():
    # no decisions: the rule score; more decisions: ever closer to the model, never past it
    assert learn.combine(0.8, 0.1, decided=0, rescued=0) == pytest.approx(0.8)
    few, many = learn.combine(0.8, 0.1, decided=5, rescued=0), learn.combine(0.8, 0.1, decided=500, rescued=0)
    assert 0.8 > few > many > 0.1
    # a candidate of another recogniser (no rule score) keeps the model's probability
    assert learn.combine(None, 0.7, decided=3, rescued=0) == 0.7
