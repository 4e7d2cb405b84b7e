"""Team benchmark: 8 and 32 annotator processes saving concurrently to PostgreSQL
(p50/p95/p99/max save latency, total throughput) beside the JSON store with one
writer; ``reader agree`` on 100k annotations by 4 annotators.

The PostgreSQL server is started by tests/pg_harness.py (``pgserver``'s bundled
binaries, in a temp folder) **with fsync on**, unlike the tests' server: every
acknowledged save is on disk, as on a real team server. Without the
``postgres`` extra those rows say so. Run alone with
``python -m bench.bench_teams [--quick]``.
"""
from __future__ import annotations

import hashlib
import multiprocessing
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from reader.model import Annotation, Document

LABELS = ("salary", "quote", "claim", "opinion")
WORDS = "il salario medio è di 1.500 euro al mese, disse «basta» the salary is 40,000 a year مرحبا بالعالم".split()


class _Corpus:
    def __init__(self, docs: list[Document]):
        self.documents = docs
        self._by_id = {d.id: d for d in docs}

    def get(self, doc_id: str):
        return self._by_id.get(doc_id)


def _corpus(n_docs: int, chars: int, seed: int = 1) -> _Corpus:
    rng = random.Random(seed)
    docs = []
    for i in range(n_docs):
        words: list[str] = []
        size = 0
        while size < chars:
            words.append(rng.choice(WORDS))
            size += len(words[-1]) + 1
        text = " ".join(words)
        docs.append(Document(id=f"doc{i:05d}", text=text, sha256=hashlib.sha256(text.encode()).hexdigest()))
    return _Corpus(docs)


def _word_spans(text: str) -> list[tuple[int, int]]:
    out, i = [], 0
    for w in text.split(" "):
        out.append((i, i + len(w)))
        i += len(w) + 1
    return out


def _writer(location: str, who: str, n: int, seed: int, results) -> None:
    from reader.store import AnnotationStore

    corpus = _corpus(20, 3000)
    rng = random.Random(seed)
    latencies = []
    with AnnotationStore(location, corpus=corpus, annotator=who) as store:
        for _ in range(n):
            doc = rng.choice(corpus.documents)
            s, e = rng.choice(_word_spans(doc.text))
            t0 = time.perf_counter()
            try:
                store.add(doc.id, s, e, rng.choice(LABELS))
            except Exception:  # a duplicate of this annotator's own: not a save
                continue
            latencies.append(time.perf_counter() - t0)
    results.put(latencies)


def _concurrent(location: str, writers: int, per_writer: int) -> tuple[list[float], float]:
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(location, f"w{i}", per_writer, i, results)) for i in range(writers)]
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    lat: list[float] = []
    for _ in procs:
        lat.extend(results.get(timeout=900))
    for p in procs:
        p.join()
    return lat, time.perf_counter() - t0


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def _save_rows(engine: str, writers: int, lat: list[float], wall: float) -> list[dict]:
    p95_goal = "<= 50 ms" if writers >= 32 else "< 200 ms"
    return [
        {"section": "teams", "metric": f"{engine}, {writers} writer(s): save p50", "value": f"{_pct(lat, .5) * 1000:.1f} ms", "goal": "< 50 ms"},
        {"section": "teams", "metric": f"{engine}, {writers} writer(s): save p95", "value": f"{_pct(lat, .95) * 1000:.1f} ms", "goal": p95_goal},
        {"section": "teams", "metric": f"{engine}, {writers} writer(s): save p99", "value": f"{_pct(lat, .99) * 1000:.1f} ms", "goal": ""},
        {"section": "teams", "metric": f"{engine}, {writers} writer(s): slowest save", "value": f"{max(lat, default=float('nan')) * 1000:.0f} ms", "goal": "< 1 s"},
        {"section": "teams", "metric": f"{engine}, {writers} writer(s): throughput", "value": f"{len(lat) / wall:.0f} saves/s", "goal": ""},
    ]


def _agree_rows(quick: bool) -> list[dict]:
    from reader.teams.agreement import compute_agreement

    n_total = 10_000 if quick else 100_000
    annotators = ["a", "b", "c", "d"]
    corpus = _corpus(250 if quick else 1000, 3000)
    rng = random.Random(7)
    anns: list[Annotation] = []
    per_doc = n_total // (len(annotators) * len(corpus.documents))
    for doc in corpus.documents:
        spans = _word_spans(doc.text)
        base = rng.sample(spans, min(len(spans), per_doc))
        for who in annotators:
            for s, e in base:
                if rng.random() < 0.15:  # disagree on some: shift or relabel
                    s, e = rng.choice(spans)
                label = LABELS[(s + (rng.random() < 0.1)) % len(LABELS)]
                anns.append(Annotation(id=f"{who}{len(anns)}", doc_id=doc.id, start=s, end=e, label=label,
                                       text=doc.text[s:e], annotator=who))
    texts = {d.id: d.text for d in corpus.documents}
    t0 = time.perf_counter()
    report = compute_agreement(anns, texts)
    took = time.perf_counter() - t0
    return [{"section": "teams", "metric": f"reader agree: {len(anns):,} annotations by 4 annotators ({report.units:,} tokens)",
             "value": f"{took:.1f} s (α {report.overall.krippendorff_alpha:.2f})", "goal": "< 30 s"}]


def run(quick: bool = False) -> list[dict]:
    rows: list[dict] = []
    per_writer = 100 if quick else 2000  # the measurement: 2,000 saves per writer
    tmp = Path(tempfile.mkdtemp(prefix="bench-teams-"))
    try:
        lat, wall = _concurrent(str(tmp / "json"), 1, per_writer * 2)
        rows += _save_rows("JSON store", 1, lat, wall)
        try:
            sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
            from pg_harness import start_server
        except ImportError as exc:
            rows.append({"section": "teams", "metric": "PostgreSQL", "value": f"skipped ({exc}; install the postgres extra)", "goal": ""})
        else:
            server = start_server(tmp / "pg", fsync=True)  # fsync on: what a real server does
            try:
                for writers in (8, 32):
                    url = server.create_database(f"bench{writers}")
                    lat, wall = _concurrent(url, writers, per_writer)
                    rows += _save_rows("PostgreSQL (fsync on)", writers, lat, wall)
            finally:
                server.destroy()
        rows += _agree_rows(quick)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


if __name__ == "__main__":  # pragma: no cover
    for row in run(quick="--quick" in sys.argv):
        print(row)
