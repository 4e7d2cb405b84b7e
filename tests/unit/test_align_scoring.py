"""Issue 19 item 9: counterparts are scored by ``core._Scorer``, the arithmetic of the general
code below (``evidence``, ``idf``, ``_kind``, ``_points``, spelled out once per shared fact)
done with less Python work per pair. Both must give the same counterpart, to the last bit of
every float, for any facts two passages may share."""
from __future__ import annotations

from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

import reader.align.core as core
from reader.align.facts import WEAK, WEIGHTS, Fact


def general_score_pair(fa: core.DocumentFacts, i: int, fb: core.DocumentFacts, j: int, need: float = 0.0) -> object:
    """``score_pair`` as it was written before the speed-up (the reference)."""
    need = need or core.ANCHOR_EVIDENCE
    A, B = fa.facts[i], fb.facts[j]
    shared = []
    na, nb = len(fa.passages), len(fb.passages)
    for key in [k for k in A if k in B]:
        x, y = A[key], B[key]
        kind = core._kind(x, y)
        da, db = fa.df[key], fb.df[key]
        pts = core._points(kind, da <= core.RARE and db <= core.RARE, core._common(da, na) or core._common(db, nb))
        shared.append((WEIGHTS[kind] * core.idf(da, db), x, y, kind, pts))
    found = core.evidence(shared) if shared else 0.0
    if found < need or all(k in WEAK for _, _, _, k, _ in shared):
        return None
    shared.sort(key=lambda t: (-t[0], t[1].start))
    best: dict[int, float] = {}
    for w, x, *_ in shared:
        best[x.group_id] = max(best.get(x.group_id, 0.0), w)
    pa, pb = fa.passages[i], fb.passages[j]
    mid_a = (pa.start + pa.end) / 2 / max(fa.length, 1)
    mid_b = (pb.start + pb.end) / 2 / max(fb.length, 1)
    position = core.POSITION_WEIGHT * max(0.0, 1 - abs(mid_a - mid_b) / 0.25)
    la = (pa.end - pa.start) / max(fa.length, 1)
    lb = (pb.end - pb.start) / max(fb.length, 1)
    length = core.LENGTH_WEIGHT * (min(la, lb) / max(la, lb) if max(la, lb) > 0 else 0)
    score = sum(best.values()) + position + length
    kept = [(x, y) for _, x, y, _, _ in shared]
    return (pa, pb, round(score, 3), core._reasons(kept, position), tuple(kept), found)


def _as_tuple(c: core.Counterpart | None) -> object:
    return None if c is None else (c.a, c.b, c.score, c.reasons, c.shared, c.evidence)


_KEYS = {  # kinds that may share a key: the weaker one counts (a bare number meets an amount)
    ("value", 300000.0): ["amount", "number"], ("value", 7.0): ["count", "amount"],
    ("value", 900000.0): ["amount"], ("range", 300000.0, 900000.0): ["range"],
    ("percent", 38.0): ["percent"], ("about", 51.0): ["number"], ("date", 4, 25): ["date"],
    ("month", 4): ["month"], ("weekday", 1): ["weekday"], ("name", "netflix"): ["name"],
    ("sound", "ntflks"): ["sound"], ("sound", "mt"): ["sound"], ("word", "deepfake"): ["word"],
    ("quote", "a", "b"): ["quote"], ("quoted",): ["quoted"], ("quantity", 5.0, "month"): ["quantity"],
}


@st.composite
def documents(draw: st.DrawFn) -> core.DocumentFacts:
    n = draw(st.integers(1, 6))
    keys = list(_KEYS)
    passages, facts = [], []
    at = 0
    for index in range(n):
        size = draw(st.integers(0, 120))
        passages.append(core.Passage(index, at, at + size))
        found: dict = {}
        for key in draw(st.lists(st.sampled_from(keys), max_size=7, unique=True)):
            start = at + draw(st.integers(0, max(0, size - 1)))
            kind = draw(st.sampled_from(_KEYS[key]))
            group = draw(st.sampled_from([-1, at, at + 1, start]))
            found[key] = Fact(kind, key, draw(st.sampled_from(["Netflix", "300,000 USD", "x", "ميتا"])), start,
                              start + draw(st.integers(1, 9)), group, draw(st.booleans()))
        facts.append(found)
        at += size + draw(st.integers(0, 3))
    df: Counter = Counter()
    for found in facts:
        df.update(found.keys())
    for key in draw(st.lists(st.sampled_from(keys), max_size=3)):  # rare, common: df of other passages
        df[key] += draw(st.integers(0, 60))
    return core.DocumentFacts("d", None, at + draw(st.integers(0, 50)), passages, facts, df)


@settings(max_examples=400, deadline=None)
@given(documents(), documents(), st.sampled_from([0.0, core.HINT_EVIDENCE, core.ANCHOR_EVIDENCE, 3.5]))
def test_the_scorer_scores_as_the_general_code(fa, fb, need):
    scorer = core._Scorer(fa, fb)
    for i in range(len(fa.passages)):
        for j in range(len(fb.passages)):
            assert _as_tuple(scorer.score(i, j, need)) == general_score_pair(fa, i, fb, j, need)


def general_chain(pairs: list) -> list:
    """``_chain`` as it was written before the speed-up (the reference): a tuple per node."""
    if not pairs:
        return []
    pairs = sorted(pairs, key=lambda c: (c.a.index, c.b.index))
    size = max(c.b.index for c in pairs) + 2
    tree = [(0.0, -1)] * (size + 1)

    def best_below(b):
        i, out = b, (0.0, -1)
        while i > 0:
            out = max(out, tree[i])
            i -= i & -i
        return out

    def put(b, v):
        i = b + 1
        while i <= size:
            if v > tree[i]:
                tree[i] = v
            i += i & -i

    best = [0.0] * len(pairs)
    back = [-1] * len(pairs)
    k = 0
    while k < len(pairs):
        same = k
        while same < len(pairs) and pairs[same].a.index == pairs[k].a.index:
            same += 1
        for m in range(k, same):
            prev, at = best_below(pairs[m].b.index)
            best[m], back[m] = prev + pairs[m].score, at
        for m in range(k, same):
            put(pairs[m].b.index, (best[m], m))
        k = same
    k = max(range(len(pairs)), key=lambda x: best[x])
    out = []
    while k >= 0:
        out.append(pairs[k])
        k = back[k]
    return out[::-1]


_SCORES = st.sampled_from([0.5, 1.0, 1.5, 2.0, 2.5, 0.1, 0.2, 0.3, 3.0000000000000004])  # ties, and sums that round


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30), _SCORES), max_size=80, unique_by=lambda t: t[:2]))
def test_the_chain_is_the_chain_of_the_general_code(rows):
    pairs = [core.Counterpart(core.Passage(a, a, a + 1), core.Passage(b, b, b + 1), s) for a, b, s in rows]
    got = core._chain(pairs)
    assert [id(c) for c in got] == [id(c) for c in general_chain(pairs)]
