"""Precision and recall of the suggestion recognisers on the hand-made gold set.

``tests/data/gold.jsonl`` holds the five seed articles annotated by hand for
``salary`` and ``quote`` (conventions in ``tests/data/README.md``). For each
recogniser this reports, over all documents:

* **exact** match: a suggestion counts only if start, end and label equal a
  gold span's; precision = tp / (tp + fp), recall = tp / (tp + fn);
* **overlap** match: a suggestion is correct if it overlaps a gold span of the
  same label (precision), a gold span is found if a suggestion of its label
  overlaps it (recall).

The salary recogniser is also scored on our own money corpus
(``tests/data/money/``: pay marked apart from other money, six languages),
overall and per language, at the default ``--min-score``.

Run standalone: ``python -m bench.bench_suggest`` (add ``-v`` to list the
misses and false alarms).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "data" / "gold.jsonl"
GOALS = {"exact": 0.85, "overlap": 0.95}


def load_gold(path: Path = GOLD) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _lang_of(doc: dict) -> str | None:
    if doc.get("lang"):
        return doc["lang"]
    try:
        from reader.lang.language import detect_language

        lang, _ = detect_language(doc["text"])
        return None if lang == "unknown" else lang
    except Exception:  # noqa: BLE001 - language detection is a nicety here
        return None


def score(gold_docs: list[dict], label: str, find) -> dict:
    """Counts and ratios for one recogniser; also the lists of misses and false alarms."""
    tp = fp = fn = 0
    o_tp_pred = o_pred = o_tp_gold = o_gold = 0
    misses: list[tuple[str, str]] = []
    false_alarms: list[tuple[str, str]] = []
    for doc in gold_docs:
        text = doc["text"]
        gold = {(s["start"], s["end"]) for s in doc["spans"] if s["label"] == label}
        pred = {(s.start, s.end) for s in find(text, lang=_lang_of(doc))}
        tp += len(gold & pred)
        fp += len(pred - gold)
        fn += len(gold - pred)
        misses += [(doc["id"], text[s:e]) for s, e in sorted(gold - pred)]
        false_alarms += [(doc["id"], text[s:e]) for s, e in sorted(pred - gold)]
        o_pred += len(pred)
        o_tp_pred += sum(1 for p in pred if any(p[0] < g[1] and g[0] < p[1] for g in gold))
        o_gold += len(gold)
        o_tp_gold += sum(1 for g in gold if any(p[0] < g[1] and g[0] < p[1] for p in pred))

    def ratio(a: int, b: int) -> float:
        return a / b if b else 1.0

    return {
        "tp": tp, "fp": fp, "fn": fn,
        "exact_precision": ratio(tp, tp + fp), "exact_recall": ratio(tp, tp + fn),
        "overlap_precision": ratio(o_tp_pred, o_pred), "overlap_recall": ratio(o_tp_gold, o_gold),
        "misses": misses, "false_alarms": false_alarms,
    }


def run(quick: bool = False) -> list[dict]:
    """Rows for ``make bench``. The gold set is small, so ``quick`` changes nothing."""
    gold_docs = load_gold()
    rows: list[dict] = []
    for label, find in _finders().items():
        s = score(gold_docs, label, find)
        section = f"suggest {label}"
        for kind in ("exact", "overlap"):
            for what in ("precision", "recall"):
                rows.append({
                    "section": section, "metric": f"{kind} {what}",
                    "value": f"{s[f'{kind}_{what}']:.2f}", "goal": f">= {GOALS[kind]:.2f}",
                })
        rows.append({
            "section": section, "metric": "exact tp / fp / fn",
            "value": f"{s['tp']} / {s['fp']} / {s['fn']}", "goal": "fp, fn -> 0",
        })
    rows.extend(_money_rows())
    rows.extend(_learning_rows())
    rows.extend(_throughput(gold_docs, quick))
    return rows


def _learning_rows() -> list[dict]:
    """The simulated user of bench/learning.py: second-half P / R of the rules alone and of
    rules + learned re-scoring (the learned model alone for information); gain = the difference."""
    try:
        import sklearn  # noqa: F401
    except ImportError:
        return [{"section": "suggest learning", "metric": "simulation", "value": "skipped",
                 "goal": "needs the learn extra"}]
    from bench.learning import simulate

    r = simulate()
    c = r["counts"]
    sec = "suggest learning"
    rows = [{"section": sec, "metric": f"decisions on 1st half ({r['train']} passages)",
             "value": f"{c.get('accept', 0)} acc / {c.get('reject', 0)} rej", "goal": ">= 20 of each"}]
    for part, ways in (("all", r["ways"]), ("learn part", r["ways_learn"])):
        for way in ("rules", "rules + learned", "learned model"):
            pr = ways[way]
            rows.append({"section": sec, "metric": f"2nd half ({part}) P / R: {way}",
                         "value": f"{pr.exact_p:.2f} / {pr.exact_r:.2f}", "goal": "info" if way == "learned model" else ""})
        gp = ways["rules + learned"].exact_p - ways["rules"].exact_p
        gr = ways["rules + learned"].exact_r - ways["rules"].exact_r
        rows.append({"section": sec, "metric": f"gain ({part}): (rules + learned) - rules, P / R",
                     "value": f"{gp:+.2f} / {gr:+.2f}", "goal": "P > 0" if part == "all" else ""})
    return rows


def _finders() -> dict:
    """The recognisers as ``reader suggest`` runs them: candidates below the default score left out."""
    from reader.suggest import DEFAULT_MIN_SCORE, RECOGNISERS

    return {label: (lambda text, lang=None, _f=f: [s for s in _f(text, lang=lang) if s.score >= DEFAULT_MIN_SCORE])
            for label, f in RECOGNISERS.items()}


MONEY = ROOT / "tests" / "data" / "money"
MONEY_GOALS = {"exact": 0.90, "overlap": 0.95, "language": 0.85}


def _money_rows() -> list[dict]:
    from reader.suggest import DEFAULT_MIN_SCORE, salary
    from reader.suggest.evaluation import evaluate, load_marked

    docs = load_marked(MONEY)
    res = evaluate(docs, lambda d: [(s.start, s.end) for s in salary.find(d.text, d.lang, min_score=DEFAULT_MIN_SCORE)])
    n_pay = sum(len(d.of("salary")) for d in docs)
    n_other = sum(len(d.of("money")) for d in docs)
    rows = [{"section": "suggest salary (own corpus)", "metric": f"amounts: {n_pay} pay, {n_other} other money",
             "value": str(n_pay + n_other), "goal": ">= 150, half not pay"}]
    for key in ["all"] + sorted(k for k in res if k != "all"):
        pr = res[key]
        goal_e = MONEY_GOALS["exact"] if key == "all" else MONEY_GOALS["language"]
        goal_o = MONEY_GOALS["overlap"] if key == "all" else MONEY_GOALS["language"]
        rows.append({"section": "suggest salary (own corpus)", "metric": f"{key} exact P / R",
                     "value": f"{pr.exact_p:.2f} / {pr.exact_r:.2f}", "goal": f">= {goal_e:.2f}"})
        rows.append({"section": "suggest salary (own corpus)", "metric": f"{key} overlap P / R",
                     "value": f"{pr.overlap_p:.2f} / {pr.overlap_r:.2f}", "goal": f">= {goal_o:.2f}"})
    return rows


def _throughput(gold_docs: list[dict], quick: bool) -> list[dict]:
    """Recogniser speed on the seeds repeated to book length (one worker run per document)."""
    import time

    from reader.suggest import RECOGNISERS

    seed = "\n\n".join(d["text"] for d in gold_docs) + "\n\n"
    target = 500_000 if quick else 4_600_000  # 4.6 MB: the book-length reference of CONTRIBUTING.md
    text = seed * max(1, target // len(seed))
    rows = []
    for label, find in RECOGNISERS.items():
        t0 = time.perf_counter()
        found = find(text, lang=None)
        dt = time.perf_counter() - t0
        rows.append({
            "section": f"suggest {label}",
            "metric": f"speed on {len(text) / 1e6:.1f} M chars ({len(found)} spans)",
            "value": f"{len(text) / 1e6 / dt:.1f} M chars/s", "goal": ">= 1.0 M chars/s",
        })
    return rows


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv

    rows = run(quick="--quick" in argv)
    RECOGNISERS = _finders()
    width = max(len(r["section"]) + len(r["metric"]) for r in rows) + 3
    for r in rows:
        print(f"{r['section']} | {r['metric']}".ljust(width), r["value"].rjust(10), "  goal", r["goal"])
    if "-v" in argv or "--verbose" in argv:
        gold_docs = load_gold()
        for label, find in RECOGNISERS.items():
            s = score(gold_docs, label, find)
            for kind, items in (("missed", s["misses"]), ("false alarm", s["false_alarms"])):
                for doc_id, span in items:
                    print(f"{label} {kind}: {doc_id}: {span!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
