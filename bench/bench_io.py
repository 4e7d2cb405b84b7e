"""Import/export benchmark: 100k annotations over 1,000 documents.

* import: a JSONL file (our format) with 100k spans, through
  ``import_file`` into an empty store (documents matched to the corpus by id;
  batched ``add_many`` saves). Goal: under 10 s.
* the same file re-imported (every span is a duplicate: nothing is written);
* export of the 100k annotations as jsonl and doccano, to a file (atomic).

Run alone with ``python -m bench.bench_io [--quick]``.
"""
from __future__ import annotations

import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from reader.formats import get_format
from reader.formats.pipeline import export_corpus, import_file
from reader.model import Annotation, new_id
from reader.text import snap_span
from reader.workspace import Workspace

LABELS = ("salary", "quote", "claim", "opinion")
WORDS = ("il salario medio è di 1.500 euro al mese, disse «basta» the salary is 40,000 a year "
         "مرحبا بالعالم 👩‍💻 le salaire est de 300 000 $ 漢字").split()


def _make_corpus(root: Path, n_docs: int, chars: int, rng: random.Random) -> None:
    root.mkdir(parents=True)
    for k in range(n_docs):
        words: list[str] = []
        size = 0
        while size < chars:
            w = rng.choice(WORDS)
            words.append(w)
            size += len(w) + 1
            if rng.random() < 0.05:
                words.append("\n\n")
        (root / f"doc{k:05d}.txt").write_text(" ".join(words), encoding="utf-8")


def _make_import_file(ws: Workspace, path: Path, n_spans: int, rng: random.Random) -> int:
    """A JSONL export-shaped file with ``n_spans`` spans spread over the corpus."""
    docs = list(ws.corpus)
    per_doc: dict[str, list[Annotation]] = {d.id: [] for d in docs}
    seen: set[tuple] = set()
    total = 0
    while total < n_spans:
        d = rng.choice(docs)
        s = rng.randrange(0, len(d.text) - 40)
        s, e = snap_span(d.text, s, s + rng.randrange(3, 40))
        label = rng.choice(LABELS)
        key = (d.id, s, e, label)
        if s == e or key in seen:
            continue
        seen.add(key)
        per_doc[d.id].append(Annotation(id=new_id(), doc_id=d.id, start=s, end=e, label=label,
                                        text=d.text[s:e], note="bench", annotator="bench"))
        total += 1
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        get_format("jsonl").write([(d, sorted(per_doc[d.id], key=lambda a: (a.start, a.end, a.label))) for d in docs], fh)
    return total


def _s(seconds: float) -> str:
    return f"{seconds:.2f} s"


def run(quick: bool = False) -> list[dict]:
    rng = random.Random(7)
    n_docs = 200 if quick else 1000
    n_spans = 10_000 if quick else 100_000
    label = f"{n_spans // 1000}k annotations / {n_docs} docs"
    rows: list[dict] = []
    root = Path(tempfile.mkdtemp(prefix="bench-io-"))
    try:
        corpus = root / "corpus"
        _make_corpus(corpus, n_docs, 4000, rng)
        src = root / "in.jsonl"
        with Workspace.open(corpus, root / "gen-store", detect=False) as ws:
            n = _make_import_file(ws, src, n_spans, rng)
        size_mb = src.stat().st_size / 1e6

        with Workspace.open(corpus, root / "store", detect=False) as ws:
            t0 = time.perf_counter()
            rep = import_file("jsonl", src, ws.corpus, ws.store)
            t_import = time.perf_counter() - t0
            assert rep.imported == n and rep.problem_count == 0, rep.summary()
            rows.append({"section": f"import, {label}", "metric": f"jsonl import_file into an empty store ({size_mb:.0f} MB file)",
                         "value": _s(t_import), "goal": "< 10 s at 100k"})
            t0 = time.perf_counter()
            rep = import_file("jsonl", src, ws.corpus, ws.store)
            rows.append({"section": f"import, {label}", "metric": "re-import of the same file (all duplicates)",
                         "value": _s(time.perf_counter() - t0), "goal": f"nothing added ({rep.duplicates} duplicates)"})
            close0 = time.perf_counter()
        t_close = time.perf_counter() - close0
        rows.append({"section": f"import, {label}", "metric": "close the store after the import (compaction)",
                     "value": _s(t_close), "goal": ""})

        with Workspace.open(corpus, root / "store", readonly=True, detect=False) as ws:
            for fmt in ("jsonl", "doccano"):
                out = root / f"out.{fmt}"
                t0 = time.perf_counter()
                res = export_corpus(fmt, ws.corpus, ws.store, out)
                t = time.perf_counter() - t0
                assert res.spans == n
                rows.append({"section": f"export, {label}", "metric": f"{fmt} to a file (atomic)",
                             "value": _s(t), "goal": "a few seconds"})
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return rows


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv[1:]):
        print(f"{row['section']:<40} {row['metric']:<60} {row['value']:>10}   {row['goal']}")
