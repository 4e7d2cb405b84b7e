"""`reader docs` on 50,000 tiny files (issue #13, item 16): the whole command in a
subprocess, as a user runs it, with its peak memory.

* ``--no-detect``: list without language detection;
* first run: every language detected, results cached in the store;
* second run: every language from the cache.

Run alone with ``python -m bench.bench_docs [--quick]`` (--quick: 5,000 files).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SECTION = "docs"
_RUN = (
    "import resource, sys\n"
    "from reader.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "sys.stderr.write(f'\\nmaxrss {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}\\n')\n"
    "raise SystemExit(code)\n"
)
_WORDS = {
    "en": "the weather was fine and the sea was calm when the boat left the harbour".split(),
    "it": "il tempo era bello e il mare era calmo quando la barca lasciò il porto".split(),
    "fr": "le temps était beau et la mer était calme quand le bateau quitta le port".split(),
}


def _generate(folder: Path, n: int) -> None:
    langs = list(_WORDS)
    for i in range(n):
        sub = folder / f"d{i // 1000:03d}"
        if i % 1000 == 0:
            sub.mkdir(parents=True)
        words = _WORDS[langs[i % 3]]
        text = " ".join(words[(i + k) % len(words)] for k in range(12)) + f" {i}.\n"
        (sub / f"f{i:05d}.txt").write_text(text, encoding="utf-8")


def _docs(corpus: Path, store: Path, *extra: str) -> tuple[float, int]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    t0 = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _RUN, "docs", str(corpus), "--store", str(store), "--json", *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, check=True,
    )
    seconds = time.perf_counter() - t0
    rss_kb = int(proc.stderr.decode().rsplit("maxrss", 1)[1].split()[0])
    return seconds, rss_kb // 1024


def run(quick: bool = False) -> list[dict]:
    n = 5_000 if quick else 50_000
    tmp = Path(tempfile.mkdtemp(prefix="bench-docs-"))
    rows = []
    try:
        corpus, store = tmp / "corpus", tmp / "store"
        _generate(corpus, n)
        store.mkdir()
        for label, extra, goal in (
            ("--no-detect", ("--no-detect",), "< 30 s"),
            ("first run (detects, caches)", (), "progress shown; once"),
            ("second run (cached)", (), "< 30 s"),
        ):
            seconds, mb = _docs(corpus, store, *extra)
            rows.append({"section": SECTION, "metric": f"reader docs, {n:,} tiny files, {label}",
                         "value": f"{seconds:.1f} s, {mb} MB peak", "goal": goal})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(row)
