"""The learning curve of the suggestions (issue 24 item 5, issue 22 item 3): see bench/learning_curve.py.

Rows: after every five documents annotated, P / R (exact spans) of the suggestions
on the documents not yet annotated, per label: learned (rules re-scored by the decisions + string matcher + trained
models) and the rules alone, so that learning from decisions (rule score as the
prior) can be compared with them: precision should never fall below the rules',
recall rise. A point where it does is flagged in the goal column ("FLAG") and
listed in the row "points where learned P < rules alone".
"""
from __future__ import annotations


def run(quick: bool = False) -> list[dict]:
    try:
        import sklearn  # noqa: F401
    except ImportError:
        return [{"section": "suggest curve", "metric": "simulation", "value": "skipped", "goal": "needs the learn extra"}]
    from bench.learning_curve import LABELS, simulate

    points = simulate(limit=20 if quick else None)
    sec = "suggest curve"
    rows: list[dict] = []
    below = []
    for p in points:
        for part, scores, rules in (("", p.scores, p.rules), ("held-out ", p.heldout, p.heldout_rules)):
            if not part and not p.remaining:
                continue
            for lab in LABELS:
                P, R, n = scores[lab]
                rp, rr, rn = rules[lab]
                value = f"learned P {P:.2f} R {R:.2f} ({n} suggested); rules alone P {rp:.2f} R {rr:.2f} ({rn})"
                if rn == 0:
                    goal = "no rules: learned only"
                elif n and P < rp:
                    goal = "FLAG: learned P < rules alone"
                    below.append(f"{part}{lab} after {p.done}")
                else:
                    goal = "ok: P >= rules alone"
                where = f"{p.remaining} left" if not part else "held-out set"
                rows.append({"section": sec, "metric": f"after {p.done} docs, {where}: {lab}",
                             "value": value, "goal": goal})
    rows.append({"section": sec, "metric": "points where learned P < rules alone",
                 "value": ", ".join(below) if below else "none", "goal": "none"})
    if points:
        last = points[-1]
        rows.append({"section": sec, "metric": f"learning after {last.done} docs", "value": last.learning[:120], "goal": "info"})
    return rows
