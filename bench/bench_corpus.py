"""Corpus benchmark: loading the seeds, a generated 10,000-document corpus
without detection, language detection of the seeds cold (profiles not loaded,
empty store) and warm (results cached in the store), detection throughput on
generated documents, and a 50 MB file (load, then detection).

Run alone with ``python -m bench.bench_corpus [--quick]``.
"""
from __future__ import annotations

import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from reader.lang import language
from reader.corpus import load_corpus

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SECTION = "corpus"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def _row(metric: str, value: str, goal: str) -> dict:
    return {"section": SECTION, "metric": metric, "value": value, "goal": goal}


def _paragraphs() -> list[str]:
    paras: list[str] = []
    for p in sorted(SEEDS.glob("*.txt")):
        text = p.read_text(encoding="utf-8")
        paras += [s.strip() for s in text.split("\n\n") if len(s.strip()) > 40]
    return paras


def _generate(folder: Path, n: int, seed: int = 7) -> int:
    """``n`` documents of 3-6 seed paragraphs, 100 per sub-folder. Returns total bytes."""
    rng = random.Random(seed)
    paras = _paragraphs()
    total = 0
    for i in range(n):
        sub = folder / f"part{i // 100:03d}"
        if i % 100 == 0:
            sub.mkdir(parents=True, exist_ok=True)
        body = f" date 2023-07-{1 + i % 28:02d} " + "\n\n".join(rng.sample(paras, rng.randint(3, 6)))
        data = body.encode("utf-8")
        (sub / f"doc{i:05d}.txt").write_bytes(data)
        total += len(data)
    return total


def _big(path: Path, size: int) -> int:
    chunk = ((SEEDS / "002_26ccd676af571225.txt").read_bytes() + b"\n\n") * 100
    written = 0
    with open(path, "wb") as fh:
        while written < size:
            fh.write(chunk)
            written += len(chunk)
    return written


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def run(quick: bool = False) -> list[dict]:
    from reader.store import AnnotationStore

    rows: list[dict] = []
    n_docs = 1_000 if quick else 10_000
    n_detect = 100 if quick else 500
    big_size = 5_000_000 if quick else 50_000_000
    tmp = Path(tempfile.mkdtemp(prefix="bench_corpus_"))
    try:
        # seeds: cold detection (profiles not loaded yet, empty store), then warm (cached)
        language._factory = None
        store_path = tmp / "annotations"
        with AnnotationStore(store_path) as store:
            corpus, cold = _timed(lambda: load_corpus(SEEDS, store=store))
            assert [d.lang for d in corpus] == ["it", "en", "fr", "ar", "it"], [d.lang for d in corpus]
        _, load_only = _timed(lambda: load_corpus(SEEDS, detect=False))
        rows.append(_row("load seeds (5 docs), no detection", _ms(load_only), "< 50 ms"))
        rows.append(_row("seeds with detection, cold (profiles + langdetect)", _ms(cold), "< 2 s"))
        with AnnotationStore(store_path) as store:
            corpus, warm = _timed(lambda: load_corpus(SEEDS, store=store))
            assert all(d.lang_source == "cache" for d in corpus)
        rows.append(_row("seeds with detection, warm (store cache)", _ms(warm), "< 50 ms, no langdetect"))

        # a generated corpus, no detection
        gen = tmp / "generated"
        size = _generate(gen, n_docs)
        corpus, t = _timed(lambda: load_corpus(gen, detect=False))
        assert len(corpus) == n_docs and not corpus.problems
        rows.append(_row(
            f"load {n_docs:,} docs ({size / 1e6:.0f} MB), detect=False",
            f"{_ms(t)} ({t / n_docs * 1e6:.0f} µs/doc)", "< 2 s for 10k",
        ))
        # detection throughput on part of it (what the UI worker does)
        some = load_corpus(gen, detect=False)
        some.documents = some.documents[:n_detect]
        _, t = _timed(lambda: some.detect_languages())
        rows.append(_row(f"detect {n_detect} generated docs (doc + paragraphs)",
                         f"{_ms(t)} ({t / n_detect * 1000:.1f} ms/doc)", "< 50 ms/doc, in a worker"))

        # one big file
        big_dir = tmp / "big"
        big_dir.mkdir()
        written = _big(big_dir / "big.txt", big_size)
        corpus, t = _timed(lambda: load_corpus(big_dir, detect=False))
        doc = corpus.documents[0]
        rows.append(_row(f"load one {written / 1e6:.0f} MB file, detect=False", _ms(t), "< 1 s (listed at once)"))
        _, t = _timed(lambda: corpus.detect_languages())
        assert doc.lang == "fr"
        rows.append(_row(f"detect the {written / 1e6:.0f} MB document (sampled)", _ms(t), "< 2 s"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


if __name__ == "__main__":
    from bench.__main__ import _table

    print(_table(run(quick="--quick" in sys.argv)))
