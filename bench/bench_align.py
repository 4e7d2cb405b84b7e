"""Counterpart passages: precision and recall against hand-made gold alignments.

Two gold sets, both made by hand (``reader.align.gold`` describes the format):

* ``tests/data/align_gold_seeds.json``: the counterpart passages of the seeds
  000 (it), 001 (en), 002 (fr) and 003 (ar), over the six document pairs;
* ``tests/data/align_eval/``: a held-out story written for evaluation (en, it,
  fr, ar; different order and lengths), so that the scoring is not tuned to the seeds;
* ``tests/data/align_heldout/``: six more held-out stories (issue 20: a court ruling and a
  resignation speech led by statements, a rate decision, a marathon, floods, and a sports
  court ruling with its reactions added in round 2; 3-4 languages each, Arabic in four), scored per story and overall beside two baselines,
  position-proportional and Gale–Church by length (``reader.align.gold.compare_methods``).

A predicted pair is a counterpart pair of ``reader.align.counterparts`` (score
at least ``MIN_SCORE``); it is right when the gold names the same two passages.
Also times the alignment of the four seeds (every pair, facts included).
Run standalone: ``python -m bench.bench_align``.
"""
from __future__ import annotations

import time
from itertools import combinations
from pathlib import Path

from reader.align import align, document_facts
from reader.align.gold import METHODS, Report, compare_methods, evaluate, load_gold
from reader.text import decode

ROOT = Path(__file__).resolve().parent.parent
SEEDS_GOLD = ROOT / "tests" / "data" / "align_gold_seeds.json"
EVAL_DIR = ROOT / "tests" / "data" / "align_eval"
HELDOUT_DIR = ROOT / "tests" / "data" / "align_heldout"


def seed_set() -> tuple[dict, dict[str, str]]:
    gold = load_gold(SEEDS_GOLD)
    texts = {k: decode((ROOT / "seeds" / f"{v}.txt").read_bytes())[0] for k, v in gold["documents"].items()}
    return gold, texts


def eval_set() -> tuple[dict, dict[str, str]]:
    gold = load_gold(EVAL_DIR / "gold.json")
    texts = {k: (EVAL_DIR / v).read_text(encoding="utf-8") for k, v in gold["documents"].items()}
    return gold, texts


def heldout_sets() -> list[tuple[str, dict, dict[str, str]]]:
    out = []
    for folder in sorted(p for p in HELDOUT_DIR.iterdir() if (p / "gold.json").exists()):
        gold = load_gold(folder / "gold.json")
        texts = {k: (folder / v).read_text(encoding="utf-8") for k, v in gold["documents"].items()}
        out.append((folder.name, gold, texts))
    return out


def _report_rows(section: str, reports: dict[str, Report], goals: bool) -> list[dict]:
    rows = []
    base = reports["position-proportional"].top1_rate
    for m in METHODS:
        r = reports[m]
        ours = goals and m == "ours"
        rows.append({"section": section, "metric": f"{m}: counterpart precision",
                     "value": f"{r.pairs.precision:.2f} ({r.pairs.true_positive}/{r.pairs.predicted})",
                     "goal": ">= 0.85" if ours else ""})
        rows.append({"section": section, "metric": f"{m}: counterpart recall",
                     "value": f"{r.pairs.recall:.2f} ({r.pairs.true_positive}/{r.pairs.gold})",
                     "goal": ">= 0.60" if ours else ""})
        rows.append({"section": section, "metric": f"{m}: top-1 over passages with a counterpart",
                     "value": f"{r.top1_rate:.2f} ({r.top1}/{r.top1_of})",
                     "goal": f">= 0.70 and >= {base + 0.3:.2f}" if ours else ""})
        if m == "ours":
            rows.append({"section": section, "metric": "ours: top-1 when g jumps",
                         "value": f"{r.jump_rate:.2f} ({r.jump}/{r.jump_of})", "goal": ""})
    return rows


def heldout_rows() -> list[dict]:
    rows: list[dict] = []
    total: dict[str, Report] = {}
    sets = heldout_sets()
    for name, gold, texts in sets:
        reports = compare_methods(gold, texts, {k: k for k in texts})
        rows += _report_rows(f"align held-out: {name} ({'/'.join(texts)})", reports, goals=False)
        for m, r in reports.items():
            total[m] = total[m] + r if m in total else r
    return _report_rows(f"align held-out: {len(sets)} stories overall", total, goals=True) + rows


def run(quick: bool = False) -> list[dict]:
    rows = heldout_rows()
    for name, (gold, texts) in (("seeds (it/en/fr/ar)", seed_set()), ("held-out story (en/it/fr/ar)", eval_set())):
        s = evaluate(gold, texts, {k: k for k in texts})
        section = f"align: {name}"
        rows.append({"section": section, "metric": "counterpart precision",
                     "value": f"{s.precision:.2f} ({s.true_positive}/{s.predicted})", "goal": ">= 0.80"})
        rows.append({"section": section, "metric": "counterpart recall",
                     "value": f"{s.recall:.2f} ({s.true_positive}/{s.gold})", "goal": ">= 0.40"})
    _, texts = seed_set()
    for run_no, what in enumerate(("first run (imports, regex compile)", "warm")):
        t0 = time.perf_counter()
        facts = {k: document_facts(t, k, k) for k, t in texts.items()}
        for a, b in combinations(sorted(facts), 2):
            align(facts[a], facts[b])
        rows.append({"section": "align: 4 seeds, 6 pairs", "metric": f"facts + alignments, {what}",
                     "value": f"{(time.perf_counter() - t0) * 1000:.0f} ms", "goal": "< 1 s" if run_no else ""})
    return rows


if __name__ == "__main__":
    for row in run():
        print(f"{row['section']:32} {row['metric']:32} {row['value']:16} goal {row['goal']}")
