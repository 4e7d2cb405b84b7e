"""Freeze what ``reader.align`` aligns today, so that a faster alignment can be proved to give
exactly the same result (``tests/unit/test_align_frozen.py``).

Run from the repository root: ``python tests/data/align_frozen/build.py`` writes
``tests/data/align_frozen/align.json.gz``. Run it only when the alignment is *meant* to change.

The document pairs (``pairs()``, shared with the test) are varied on purpose: every pair of
languages of each held-out story and of the seeds, the bench's generated documents (whole, with
paragraphs dropped, moved and repeated), the bench corpus's stories within and across stories,
the same text on both sides, and random pairs of the frozen facts' inputs (scrambled text, no
language): anchors, hints promoted on the chain, gaps filled by Gale–Church, names that sound
alike. Each pair is frozen whole: every pair and hint (passages, score, reasons, shared facts,
evidence), the anchors and the alignment points; and ``counterparts`` with its defaults.
"""
from __future__ import annotations

import gzip
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent
OUT = HERE / "align.json.gz"

Doc = tuple[str, str, str | None]  # name, text, language


def _facts_inputs() -> list[Doc]:
    sys.path.insert(0, str(ROOT / "tests"))
    from frozen_data import build_module

    return list(build_module("facts_frozen").inputs())


def _perturbed(text: str, rng: random.Random) -> str:
    """``text`` with some paragraphs dropped, moved a little and repeated."""
    paras = text.split("\n\n")
    out: list[str] = []
    for p in paras:
        r = rng.random()
        if r < 0.08:
            continue
        out.append(p)
        if r > 0.95:
            out.append(p)
    for _ in range(len(out) // 20):
        i = rng.randrange(len(out))
        j = min(len(out) - 1, max(0, i + rng.randint(-3, 3)))
        out[i], out[j] = out[j], out[i]
    return "\n\n".join(out)


def pairs() -> list[tuple[str, Doc, Doc]]:
    """(name, document a, document b) of every frozen pair, in a fixed order."""
    sys.path.insert(0, str(ROOT))
    from bench.bench_align_scale import corpus, two_documents

    inputs = [d for d in _facts_inputs() if not d[0].endswith("(no language)")]
    by_name = {name: (name, text, lang) for name, text, lang in inputs}
    out: list[tuple[str, Doc, Doc]] = []
    stories: dict[str, list[Doc]] = {}
    for name, text, lang in inputs:
        if name.startswith(("align_heldout/", "align_eval/")):
            stories.setdefault(name.rsplit("/", 1)[0], []).append((name, text, lang))
    stories["seeds"] = [d for name, d in by_name.items() if name.startswith("seeds/")]
    for story, docs in sorted(stories.items()):
        for a in docs:
            for b in docs:
                if a is not b:
                    out.append((f"{story}: {a[0]} / {b[0]}", a, b))
    rng = random.Random(1919)
    for n, seed in ((300, 1), (120, 7)):
        en, it = two_documents(n, seed)
        out.append((f"bench {n}/{seed}: en / it", ("en", en, "en"), ("it", it, "it")))
        out.append((f"bench {n}/{seed}: it / en perturbed", ("it", it, "it"), ("en'", _perturbed(en, rng), "en")))
        if n < 300:  # (the larger ones only add size to the frozen file)
            out.append((f"bench {n}/{seed}: en perturbed / it perturbed", ("en'", _perturbed(en, rng), "en"),
                        ("it'", _perturbed(it, rng), "it")))
            out.append((f"bench {n}/{seed}: en / en", ("en", en, "en"), ("en", en, "en")))
    docs = corpus(40)
    for k in range(0, len(docs), 5):
        story = docs[k:k + 5]
        for a in story:
            for b in story[1:3]:
                if a is not b:
                    out.append((f"corpus: {a.id} / {b.id}", (a.id, a.text, a.lang), (b.id, b.text, b.lang)))
    for _ in range(40):  # across stories: stories of one template share its figures' form, not values
        a, b = rng.sample(docs, 2)
        out.append((f"corpus: {a.id} / {b.id}", (a.id, a.text, a.lang), (b.id, b.text, b.lang)))
    for _ in range(60):  # anything against anything: unrelated text, scrambled text, no language
        a, b = rng.sample(inputs, 2)
        a = (a[0], a[1], rng.choice([a[2], None]))
        out.append((f"random: {a[0]} ({a[2]}) / {b[0]} ({b[2]})", a, b))
    for name in ("align_heldout/floods/en.txt", "seeds/001_228d26dd8dd40e62"):
        d = by_name[name]
        out.append((f"same: {name}", d, d))
    seen: set[str] = set()
    unique = []
    for row in out:
        if row[0] not in seen:
            seen.add(row[0])
            unique.append(row)
    return unique


def _fact(f: object) -> list[object]:
    from reader.align.facts import Fact

    assert isinstance(f, Fact)
    return [f.kind, list(f.key), f.start, f.end, f.group, f.latin]


def _pair(c: object) -> list[object]:
    from reader.align.core import Counterpart

    assert isinstance(c, Counterpart)
    return [c.a.index, c.b.index, c.score, list(c.reasons), [[_fact(x), _fact(y)] for x, y in c.shared], c.evidence]


def align_row(a: Doc, b: Doc) -> dict[str, object]:
    """The alignment of ``a`` to ``b`` and their counterparts, as plain JSON values."""
    from reader.align.core import align, counterparts, document_facts

    fa, fb = document_facts(a[1], a[2], a[0]), document_facts(b[1], b[2], b[0])
    al = align(fa, fb)
    row = {
        "pairs": [_pair(c) for c in al.pairs],
        "anchors": [_pair(c) for c in al.anchors],
        "hints": [_pair(c) for c in al.hints],
        "points": [list(p) for p in al.points],
        "counterparts": [_pair(c) for c in counterparts(fa, fb)],
    }
    return json.loads(json.dumps(row, ensure_ascii=False))


def main() -> None:
    frozen = {name: align_row(a, b) for name, a, b in pairs()}
    with gzip.open(OUT, "wt", encoding="utf-8") as fh:
        json.dump(frozen, fh, ensure_ascii=False, sort_keys=True)
    n = sum(len(v["pairs"]) for v in frozen.values())  # type: ignore[arg-type]
    h = sum(len(v["hints"]) for v in frozen.values())  # type: ignore[arg-type]
    print(f"{len(frozen)} document pairs, {n} counterparts, {h} hints -> {OUT}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
