"""Large label sets (issue #13, item 15): loading ``labels.toml`` must stay linear,
and the label picker's filtering must stay quick at the limit (1,000 labels).

Run alone with ``python -m bench.bench_labels [--quick]``.
"""
from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from reader.labels import MAX_LABELS, LabelSet

SECTION = "labels"


def _write(folder: Path, n: int) -> None:
    body = "".join(f'[lab{i:05d}]\ncolor = "#{(i * 7919) % 0xFFFFFF:06x}"\ndescription = "label {i}"\n' for i in range(n))
    (folder / "labels.toml").write_text(body, encoding="utf-8")


def _load_ms(folder: Path, n: int, repeat: int = 3) -> float:
    _write(folder, n)
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        LabelSet.load(folder)
        best = min(best, time.perf_counter() - t0)
    return best * 1000


def run(quick: bool = False) -> list[dict]:
    from reader.tui.dialogs.labelpicker import matching

    tmp = Path(tempfile.mkdtemp(prefix="bench-labels-"))
    rows = []
    try:
        small = _load_ms(tmp, MAX_LABELS // 4)
        full = _load_ms(tmp, MAX_LABELS)
        rows.append({"section": SECTION, "metric": f"load labels.toml, {MAX_LABELS // 4:,} / {MAX_LABELS:,} labels",
                     "value": f"{small:.0f} ms / {full:.0f} ms (x{full / max(small, 1e-9):.1f} for x4 labels)",
                     "goal": "about x4 (linear), < 500 ms at the limit"})
        labels = LabelSet.load(tmp)
        t0 = time.perf_counter()
        for q in ("l", "la", "lab", "lab0", "lab00", "lab009", "label 9"):
            matching(labels, q)
        per_key = (time.perf_counter() - t0) / 7 * 1000
        rows.append({"section": SECTION, "metric": f"label picker filter per keystroke, {MAX_LABELS:,} labels",
                     "value": f"{per_key:.2f} ms", "goal": "< 5 ms"})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(row)
