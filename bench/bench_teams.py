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
import os
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


def _writer(location: str, who: str, n: int, seed: int, results, ready) -> None:
    from reader.store import AnnotationStore

    corpus = _corpus(20, 3000)
    rng = random.Random(seed)
    latencies = []
    from reader.amounts import parse_amount

    parse_amount("1 USD", None)  # the amount tables a salary tag parses with: the app compiles them after its first paint
    with AnnotationStore(location, corpus=corpus, annotator=who) as store:
        ready.wait(timeout=600)  # every writer has opened the store (the server's CPU is read meanwhile)
        ready.wait(timeout=600)  # then all save at once: only saves are timed, with every writer saving
        cpu0 = time.process_time()
        for _ in range(n):
            doc = rng.choice(corpus.documents)
            s, e = rng.choice(_word_spans(doc.text))
            t0 = time.perf_counter()
            try:
                store.add(doc.id, s, e, rng.choice(LABELS))
            except Exception:  # a duplicate of this annotator's own: not a save
                continue
            latencies.append(time.perf_counter() - t0)
        cpu = time.process_time() - cpu0
    results.put((latencies, cpu))


class _ServerCpu:
    """CPU time (s) used by a PostgreSQL server: the postmaster, its live children (backends,
    WAL writer, checkpointer...) and, through the postmaster's cutime/cstime, the children
    that exited. Read from /proc (Linux); None elsewhere."""

    def __init__(self, pgdata: Path) -> None:
        try:
            self.pid = int((pgdata / "postmaster.pid").read_text().split()[0])
        except (OSError, ValueError, IndexError):
            self.pid = 0
        self.tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

    @staticmethod
    def _fields(pid: int) -> list[str] | None:
        try:
            text = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return None
        return text[text.rindex(")") + 2:].split()  # after "pid (comm) ": state ppid ...

    def total(self) -> float | None:
        main = self._fields(self.pid) if self.pid else None
        if main is None:
            return None
        # fields from "state" (index 0 here = field 3): utime 14, stime 15, cutime 16, cstime 17
        ticks = sum(int(main[i]) for i in (11, 12, 13, 14))
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit() and int(entry.name) != self.pid:
                f = self._fields(int(entry.name))
                if f is not None and f[1] == str(self.pid):
                    ticks += int(f[11]) + int(f[12])
        return ticks / self.tick


def _server_stats(server, db: str) -> tuple[int, int]:
    """(transactions committed in ``db``, WAL flushes of the server) so far."""
    import psycopg

    with psycopg.connect(server.url(), autocommit=True) as conn:
        conn.execute("SELECT pg_stat_force_next_flush()")
        xacts = conn.execute("SELECT xact_commit FROM pg_stat_database WHERE datname = %s", (db,)).fetchone()[0]
        syncs = conn.execute("SELECT wal_sync FROM pg_stat_wal").fetchone()[0]
    return int(xacts), int(syncs)


def _concurrent(location: str, writers: int, per_writer: int, on_start=None) -> tuple[list[float], float, float]:
    """Latencies of every save, wall time and client CPU time (s, all writers) of the saving
    phase; ``on_start`` is called once every writer has opened the store, just before they save."""
    ctx = multiprocessing.get_context("fork")
    results = ctx.Queue()
    ready = ctx.Barrier(writers + 1)
    procs = [ctx.Process(target=_writer, args=(location, f"w{i}", per_writer, i, results, ready)) for i in range(writers)]
    for p in procs:
        p.start()
    ready.wait(timeout=600)
    if on_start is not None:
        on_start()
    ready.wait(timeout=600)
    t0 = time.perf_counter()
    lat: list[float] = []
    cpu = 0.0
    for _ in procs:
        got, used = results.get(timeout=900)
        lat.extend(got)
        cpu += used
    wall = time.perf_counter() - t0
    for p in procs:
        p.join()
    return lat, wall, cpu


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


#: the issue's measurement (issue 18, item 13: fsync on, 2,000 saves per writer, before this work)
PEER = {8: {"p50": "13 ms", "p95": "29 ms", "p99": "42 ms", "max": "1.5 s", "rate": "512 saves/s"},
        32: {"p50": "44 ms", "p95": "107 ms", "p99": "160 ms", "max": "6.6 s", "rate": "574 saves/s"}}


def _save_rows(engine: str, writers: int, lat: list[float], wall: float) -> list[dict]:
    p95_goal = "<= 50 ms" if writers >= 32 else "< 200 ms"
    peer = PEER.get(writers) if engine.startswith("PostgreSQL") else None
    also = (lambda k: f"; issue: {peer[k]}") if peer else (lambda k: "")
    name = f"{engine}, {writers} writer(s)"
    return [
        {"section": "teams", "metric": f"{name}: save p50", "value": f"{_pct(lat, .5) * 1000:.1f} ms", "goal": "< 50 ms" + also("p50")},
        {"section": "teams", "metric": f"{name}: save p95", "value": f"{_pct(lat, .95) * 1000:.1f} ms", "goal": p95_goal + also("p95")},
        {"section": "teams", "metric": f"{name}: save p99", "value": f"{_pct(lat, .99) * 1000:.1f} ms", "goal": also("p99").lstrip("; ")},
        {"section": "teams", "metric": f"{name}: slowest save", "value": f"{max(lat, default=float('nan')) * 1000:.0f} ms", "goal": "< 1 s" + also("max")},
        {"section": "teams", "metric": f"{name}: throughput", "value": f"{len(lat) / wall:.0f} saves/s", "goal": also("rate").lstrip("; ")},
    ]


def _cost_rows(name: str, saves: int, client_cpu: float, server_cpu: float | None, xacts: int, syncs: int) -> list[dict]:
    """What one save costs, whatever the machine's load: CPU time and server work per save."""
    n = max(1, saves)
    server = f"{server_cpu / n * 1000:.2f} ms" if server_cpu is not None else "n/a (no /proc)"
    return [
        {"section": "teams", "metric": f"{name}: CPU per save, client (reader) / server (PostgreSQL)",
         "value": f"{client_cpu / n * 1000:.2f} ms / {server}", "goal": "load-independent"},
        {"section": "teams", "metric": f"{name}: transactions / WAL flushes per save",
         "value": f"{xacts / n:.2f} / {syncs / n:.2f}", "goal": "1 / <= 1 (group commit)"},
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


def _postgres_rows(start_server, tmp: Path, per_writer: int) -> list[dict]:
    rows: list[dict] = []
    server = start_server(tmp / "pg", fsync=True)  # fsync on, default durability: what a real server does
    try:
        cpu = _ServerCpu(server.pgdata)
        for writers in (8, 32):
            db = f"bench{writers}"
            url = server.create_database(db)
            start: dict[str, object] = {}

            def on_start(db: str = db, start: dict[str, object] = start) -> None:
                start["stats"], start["cpu"] = _server_stats(server, db), cpu.total()

            lat, wall, client_cpu = _concurrent(url, writers, per_writer, on_start)
            time.sleep(1.0)  # the backends have exited and been reaped (their CPU is in the postmaster's cutime)
            xacts, syncs = _server_stats(server, db)
            xacts0, syncs0 = start["stats"]  # type: ignore[misc]
            cpu0, cpu1 = start["cpu"], cpu.total()
            server_cpu = cpu1 - cpu0 if isinstance(cpu0, float) and cpu1 is not None else None
            name = f"PostgreSQL (fsync on), {writers} writer(s)"
            rows += _save_rows("PostgreSQL (fsync on)", writers, lat, wall)
            rows += _cost_rows(name, len(lat), client_cpu, server_cpu, xacts - xacts0, syncs - syncs0)
    finally:
        server.destroy()
    return rows


def run(quick: bool = False) -> list[dict]:
    rows: list[dict] = []
    per_writer = 100 if quick else 2000  # the measurement: 2,000 saves per writer
    tmp = Path(tempfile.mkdtemp(prefix="bench-teams-"))
    try:
        lat, wall, _cpu = _concurrent(str(tmp / "json"), 1, per_writer * 2)
        rows += _save_rows("JSON store", 1, lat, wall)
        try:
            sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
            from pg_harness import start_server
        except ImportError as exc:
            rows.append({"section": "teams", "metric": "PostgreSQL", "value": f"skipped ({exc}; install the postgres extra)", "goal": ""})
        else:
            rows += _postgres_rows(start_server, tmp, per_writer)
        rows += _agree_rows(quick)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


if __name__ == "__main__":  # pragma: no cover
    for row in run(quick="--quick" in sys.argv):
        print(row)
