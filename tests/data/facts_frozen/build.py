"""Freeze the facts that ``reader.align`` extracts today, so that a faster extraction can be
proved to give exactly the same facts (``tests/unit/test_facts_frozen.py``).

Run from the repository root: ``python tests/data/facts_frozen/build.py`` writes
``tests/data/facts_frozen/facts.json.gz``. Run it only when the facts are *meant* to change.

The inputs (``inputs()``, shared with the test) are varied on purpose: the seeds, the held-out
alignment stories, the money, learning and annotator sets, the bench's generated paragraphs,
and scrambled text (words and figures of all of those shuffled with a fixed seed), each read
in its language and with no language.
"""
from __future__ import annotations

import gzip
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
HERE = Path(__file__).resolve().parent
OUT = HERE / "facts.json.gz"

SEED_LANGS = {"000_9d99caadc18c77c5": "it", "001_228d26dd8dd40e62": "en", "002_26ccd676af571225": "fr",
              "003_744b85a45d014b40": "ar", "004_d4ef5430cbf9b3bd": "it"}


def _read(path: Path) -> str:
    from reader.text import decode

    return decode(path.read_bytes())[0]


def inputs() -> list[tuple[str, str, str | None]]:
    """(name, text, language) of every frozen input, in a fixed order."""
    sys.path.insert(0, str(ROOT))
    from bench.bench_align_scale import corpus, two_documents

    data = ROOT / "tests" / "data"
    out: list[tuple[str, str, str | None]] = []
    for stem, lang in SEED_LANGS.items():
        out.append((f"seeds/{stem}", _read(ROOT / "seeds" / f"{stem}.txt"), lang))
    for folder in ("align_heldout", "align_eval", "money", "learn", "annotator", "annotator_heldout"):
        for path in sorted((data / folder).rglob("*.txt")):
            out.append((str(path.relative_to(data)), _read(path), path.stem))
    en, it = two_documents(300)
    out += [("bench/two_documents/en", en, "en"), ("bench/two_documents/it", it, "it")]
    for d in corpus(30):
        out.append((f"bench/corpus/{d.id}", d.text, d.lang))
    rng = random.Random(19)
    pool = [t for _, t, _ in out]
    for i in range(40):
        words = [w for t in rng.sample(pool, 3) for w in t.split(" ")]
        rng.shuffle(words)
        n = rng.randint(40, 400)
        text = " ".join(words[:n])
        text = text.replace(" ", "\n\n", rng.randint(0, 6))
        out.append((f"scrambled/{i}", text, rng.choice(["en", "it", "fr", "de", "es", "pt", "ar", "nl", None])))
    # every input also read with no language (the merged tables of every language)
    out += [(f"{name} (no language)", text, None) for name, text, lang in list(out) if lang is not None
            and not name.startswith("scrambled/")]
    return out


def fact_row(f: object) -> list[object]:
    from reader.align.facts import Fact

    assert isinstance(f, Fact)
    return [f.kind, list(f.key), f.shown, f.start, f.end, f.group, f.latin]


def extract(text: str, lang: str | None) -> dict[str, object]:
    """Every passage's facts (the raw list, in order), the facts kept per passage, and the
    amounts of the whole text (the salary recogniser's call) and of each passage."""
    from reader.align.core import _document_facts, passages
    from reader.align.facts import passage_facts
    from reader.amounts import find_amounts

    df = _document_facts(text, lang, "")
    ps = passages(text, lang=lang)
    return {
        "passages": [[p.start, p.end] for p in ps],
        "raw": [[fact_row(f) for f in passage_facts(text, p.start, p.end, lang)] for p in ps],
        "kept": [[fact_row(f) for f in found.values()] for found in df.facts],
        "amounts": [_amount_row(a) for a in find_amounts(text, lang)],
        "numbers": [[_amount_row(a) for a in find_amounts(text[p.start:p.end], lang, numbers=True)] for p in ps],
    }


def _amount_row(a: object) -> list[object]:
    from reader.amounts import Amount

    assert isinstance(a, Amount)
    return [a.start, a.end, a.text, a.min, a.max, a.currency, a.period, a.kind, a.is_range, a.has_scale,
            a.words, a.period_end]


def main() -> None:
    frozen = {name: extract(text, lang) for name, text, lang in inputs()}
    with gzip.open(OUT, "wt", encoding="utf-8") as fh:
        json.dump(frozen, fh, ensure_ascii=False, sort_keys=True)
    n = sum(len(v["passages"]) for v in frozen.values())  # type: ignore[arg-type]
    print(f"{len(frozen)} inputs, {n} passages -> {OUT}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
