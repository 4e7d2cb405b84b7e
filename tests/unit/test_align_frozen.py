"""Issue 19 item 9: the alignment was made faster without changing any alignment.

``tests/data/align_frozen/align.json.gz`` holds what ``reader.align.align`` (and ``counterparts``
with its defaults) gave *before* the speed-up, for 255 varied document pairs
(``tests/data/align_frozen/build.py``): every counterpart and hint with its score, reasons,
shared facts and evidence, the anchors of the chain and the alignment points must be exactly
the same, in the same order.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from frozen_data import build_module, frozen as load_frozen

BUILD = build_module("align_frozen")
PAIRS = BUILD.pairs()


@pytest.fixture(scope="module")
def frozen():
    return load_frozen("align_frozen", "align.json.gz")


def test_the_frozen_pairs_are_all_there(frozen):
    assert sorted(frozen) == sorted(name for name, _, _ in PAIRS)
    assert sum(len(v["pairs"]) for v in frozen.values()) > 2000
    assert sum(len(v["hints"]) for v in frozen.values()) > 5000


@pytest.mark.parametrize("case", range(len(PAIRS)), ids=[name for name, _, _ in PAIRS])
def test_same_alignment_as_before(frozen, case):
    name, a, b = PAIRS[case]
    got, want = BUILD.align_row(a, b), frozen[name]
    for what in ("pairs", "hints", "anchors", "counterparts"):
        assert len(got[what]) == len(want[what]), f"{name}: {what}"
        for i, (g, w) in enumerate(zip(got[what], want[what], strict=True)):
            assert g == w, f"{name}: {what} {i}"
    assert got["points"] == want["points"]


def test_the_same_counterparts_in_every_process():
    """The order of a pair's shared facts does not depend on the process's string hashes: two
    facts of equal weight stated at one place (a range's two ends) were listed in the order of a
    set of keys, which changes with ``PYTHONHASHSEED``."""
    import os
    import subprocess
    import sys

    script = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(Path(__file__).resolve().parents[2])!r})\n"
        "from bench.bench_align_scale import corpus\n"
        "from reader.align.core import align, document_facts\n"
        "docs = corpus(10)\n"
        "al = align(document_facts(docs[0].text, docs[0].lang), document_facts(docs[1].text, docs[1].lang))\n"
        "print(json.dumps([[c.a.index, c.b.index, c.score, c.reasons, [(x.key, y.key) for x, y in c.shared]]"
        " for c in al.pairs + al.hints]))\n"
    )
    seen = set()
    for seed in ("1", "2", "3", "4"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
        seen.add(done.stdout)
    assert len(seen) == 1


def test_a_flipped_alignment_keeps_the_reasons(frozen):
    """Reasons are told when first read: a counterpart flipped before or after that tells the
    reasons of the alignment it came from (a's words first), and flipping twice gives it back."""
    from reader.align.core import align, document_facts

    for name, a, b in PAIRS[:12]:
        al = align(document_facts(a[1], a[2], a[0]), document_facts(b[1], b[2], b[0]))
        flipped = al.flipped()  # before any reason is read
        want = {(c.a.index, c.b.index): c.reasons for c in frozen_pairs(frozen[name])}
        assert {(c.b.index, c.a.index): c.reasons for c in flipped.pairs + flipped.hints} == want, name
        for c in al.pairs:
            assert c.flipped().flipped() == c and c.flipped().reasons == c.reasons


def frozen_pairs(row):
    from types import SimpleNamespace

    return [SimpleNamespace(a=SimpleNamespace(index=p[0]), b=SimpleNamespace(index=p[1]), reasons=tuple(p[3]))
            for p in row["pairs"] + row["hints"]]
