"""Store benchmark: save latency at 1k/10k/100k annotations (over 1,000 documents)
and with 10k annotations in the annotated document, beside plain TinyDB
``JSONStorage`` doing the same inserts; import (``add_many``) of 100k spans;
opening a 100k store.

Run alone with ``python -m bench.bench_store [--quick]``.
"""
from __future__ import annotations

import hashlib
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from tinydb import TinyDB
from tinydb.storages import JSONStorage

from reader.model import Annotation, Document, new_id, now_iso
from reader.store import AnnotationStore

LABELS = ("salary", "quote", "claim", "opinion")
DOC_CHARS = 4000
WORDS = "il salario medio è di 1.500 euro al mese, disse «basta» the salary is 40,000 a year مرحبا بالعالم".split()


class _Corpus:
    def __init__(self, docs: list[Document]):
        self.documents = docs
        self._by_id = {d.id: d for d in docs}

    def get(self, doc_id: str):
        return self._by_id.get(doc_id)


def _corpus(n_docs: int, chars: int = DOC_CHARS, seed: int = 1) -> _Corpus:
    rng = random.Random(seed)
    docs = []
    for i in range(n_docs):
        parts, size = [], 0
        while size < chars:
            w = rng.choice(WORDS)
            parts.append(w)
            size += len(w) + 1
        text = " ".join(parts)[:chars]
        docs.append(Document(id=f"doc{i:04d}", text=text, sha256=hashlib.sha256(text.encode()).hexdigest()))
    return _Corpus(docs)


def _spans(corpus: _Corpus, n: int, doc_ids: list[str], rng: random.Random) -> list[dict]:
    """n distinct random spans, spread round-robin over doc_ids."""
    seen = set()
    out = []
    i = 0
    while len(out) < n:
        doc = corpus.get(doc_ids[i % len(doc_ids)])
        i += 1
        start = rng.randrange(0, len(doc.text) - 40)
        end = start + rng.randint(1, 40)
        label = rng.choice(LABELS)
        key = (doc.id, start, end, label)
        if key in seen:
            continue
        seen.add(key)
        out.append({"doc_id": doc.id, "start": start, "end": end, "label": label, "text": doc.text[start:end]})
    return out


def _pct(samples: list[float], p: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def _ms(x: float) -> str:
    return f"{x * 1000:.2f} ms"


def _store_latency(root: Path, corpus: _Corpus, base: list[dict], targets: list[str], saves: int, rng) -> dict:
    """Fill a store with ``base`` (one batch), then time ``saves`` single adds on ``targets``."""
    path = root / f"store-{len(base)}-{len(targets)}"
    with AnnotationStore(path, corpus=corpus, annotator="bench") as store:
        store.add_many(base)
    t0 = time.perf_counter()
    store = AnnotationStore(path, corpus=corpus, annotator="bench")
    open_s = time.perf_counter() - t0
    existing = {(b["doc_id"], b["start"], b["end"], b["label"]) for b in base}
    todo = [s for s in _spans(corpus, saves * 2, targets, rng) if (s["doc_id"], s["start"], s["end"], s["label"]) not in existing][:saves]
    times = []
    for s in todo:
        t = time.perf_counter()
        store.add(s["doc_id"], s["start"], s["end"], s["label"])
        times.append(time.perf_counter() - t)
    t = time.perf_counter()
    store.for_document(targets[0])
    list_s = time.perf_counter() - t
    t = time.perf_counter()
    store.close()
    close_s = time.perf_counter() - t
    shutil.rmtree(path, ignore_errors=True)
    return {"p50": _pct(times, 50), "p95": _pct(times, 95), "max": max(times), "open": open_s,
            "close": close_s, "list": list_s, "n": len(times)}


def _tinydb_latency(root: Path, base: list[dict], extra: list[dict]) -> dict:
    path = root / f"plain-{len(base)}.json"
    db = TinyDB(path, storage=JSONStorage, encoding="utf-8", ensure_ascii=False)
    stamp = now_iso()
    db.insert_multiple([dict(b, id=new_id(), note="", annotator="bench", created=stamp, updated=stamp) for b in base])
    times = []
    for s in extra:
        rec = dict(s, id=new_id(), note="", annotator="bench", created=now_iso(), updated=now_iso())
        t = time.perf_counter()
        db.insert(rec)
        times.append(time.perf_counter() - t)
    db.close()
    path.unlink()
    return {"p50": _pct(times, 50), "p95": _pct(times, 95), "n": len(times)}


def run(quick: bool = False) -> list[dict]:
    rng = random.Random(42)
    rows: list[dict] = []
    root = Path(tempfile.mkdtemp(prefix="bench-store-"))
    try:
        n_docs = 100 if quick else 1000
        corpus = _corpus(n_docs)
        doc_ids = [d.id for d in corpus.documents]
        sizes = [1_000, 10_000] if quick else [1_000, 10_000, 100_000]
        saves = 100 if quick else 300
        plain_inserts = {1_000: 50, 10_000: 20, 100_000: 12}
        for n in sizes:
            base = _spans(corpus, n, doc_ids, rng)
            r = _store_latency(root, corpus, base, doc_ids, saves, rng)
            goal = "p95 <= 5 ms" if n == 100_000 else "p95 <= 5 ms at 100k"
            section = f"store save, {n // 1000}k annotations / {n_docs} docs"
            rows.append({"section": section, "metric": f"save p50 / p95 ({r['n']} saves)",
                         "value": f"{_ms(r['p50'])} / {_ms(r['p95'])}", "goal": goal})
            rows.append({"section": section, "metric": "save max (includes a compaction if one ran)",
                         "value": _ms(r["max"]), "goal": ""})
            rows.append({"section": section, "metric": "open store", "value": _ms(r["open"]),
                         "goal": "well under 1-2 s at 100k"})
            extra = _spans(corpus, plain_inserts[n], doc_ids, random.Random(n))
            p = _tinydb_latency(root, base, extra)
            rows.append({"section": section, "metric": f"plain TinyDB JSONStorage insert p50 / p95 ({p['n']} inserts)",
                         "value": f"{_ms(p['p50'])} / {_ms(p['p95'])}", "goal": "reference (~530 ms at 100k)"})

        # 10k annotations in the document being annotated
        in_doc = 2_000 if quick else 10_000
        big = _corpus(1, chars=60_000, seed=7)
        big_id = big.documents[0].id
        base = _spans(big, in_doc, [big_id], rng)
        r = _store_latency(root, big, base, [big_id], saves, rng)
        section = f"store save, {in_doc // 1000}k annotations in the annotated doc"
        rows.append({"section": section, "metric": f"save p50 / p95 ({r['n']} saves)",
                     "value": f"{_ms(r['p50'])} / {_ms(r['p95'])}", "goal": "p95 <= 50 ms"})
        rows.append({"section": section, "metric": "for_document (list the doc's spans)", "value": _ms(r["list"]), "goal": ""})
        rows.append({"section": section, "metric": "close (compacts the journal into the shard)", "value": _ms(r["close"]), "goal": ""})
        p = _tinydb_latency(root, base, _spans(big, 20, [big_id], random.Random(3)))
        rows.append({"section": section, "metric": f"plain TinyDB JSONStorage insert p50 / p95 ({p['n']} inserts)",
                     "value": f"{_ms(p['p50'])} / {_ms(p['p95'])}", "goal": "reference"})

        # import: add_many of 100k spans into an empty store (one durable save)
        n_import = 10_000 if quick else 100_000
        spans = _spans(corpus, n_import, doc_ids, rng)
        anns = [Annotation(id=new_id(), doc_sha256=corpus.get(s["doc_id"]).sha256, note="", **s) for s in spans]
        path = root / "import"
        t = time.perf_counter()
        with AnnotationStore(path, corpus=corpus, annotator="bench") as store:
            t1 = time.perf_counter()
            added = store.add_many(anns, source="import:bench")
            t2 = time.perf_counter()
        t3 = time.perf_counter()
        assert len(added) == n_import
        section = f"store import, {n_import // 1000}k spans"
        rows.append({"section": section, "metric": "add_many (validated, one fsynced journal save)",
                     "value": f"{t2 - t1:.2f} s", "goal": "< 10 s for 100k"})
        rows.append({"section": section, "metric": "open + add_many + close (compaction into shards)",
                     "value": f"{t3 - t:.2f} s", "goal": "< 10 s for 100k"})
        t = time.perf_counter()
        with AnnotationStore(path, corpus=corpus, readonly=True) as store:
            count = len(store.all())
        rows.append({"section": section, "metric": f"open the {count // 1000}k store + all()",
                     "value": f"{time.perf_counter() - t:.2f} s", "goal": "well under 1-2 s"})
        rows.extend(_sessions(root / "sessions", _corpus(50), 40 if quick else 150, rng))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return rows


def _sessions(path: Path, corpus: _Corpus, sessions: int, rng: random.Random) -> list[dict]:
    """Sessions of one annotation each on a store holding 20 MB of imported documents: what closing
    costs (a compaction: the shard, its kept journal in journals/) and what the kept journals weigh."""
    big = "y" * 2_000_000
    with AnnotationStore(path, corpus=corpus, annotator="bench") as store:
        store.add_documents([Document(id=f"imp{i}", text=f"{big}{i}", sha256=str(i), imported=True) for i in range(10)])
    closes = []
    doc_ids = [d.id for d in corpus.documents]
    for n in range(sessions):
        store = AnnotationStore(path, corpus=corpus, annotator="bench")
        store.add(rng.choice(doc_ids), n, n + 1, "claim")
        t = time.perf_counter()
        store.close()
        closes.append(time.perf_counter() - t)
    size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    kept = sorted((path / "journals").glob("*.jsonl"))
    texts = sum(p.stat().st_size for p in (path / "texts").glob("*.json"))  # the imported texts (schema 3)
    section = f"store sessions, 20 MB imported, {len(doc_ids)} docs"
    return [
        {"section": section, "metric": f"close after one annotation p50 / max ({sessions} sessions)",
         "value": f"{_ms(_pct(closes, 50))} / {_ms(max(closes))}", "goal": "compaction of one shard"},
        {"section": section, "metric": "store size / texts/ size (kept journals: the import's, until each "
         "text is imported again)", "value": f"{size / texts:.2f}x", "goal": "<= 2.1x"},
        {"section": section, "metric": "journals kept (at most one per store file)",
         "value": str(len(kept)), "goal": f"<= {len(doc_ids) + 2}"},
    ]


if __name__ == "__main__":
    quick = "--quick" in sys.argv
    for row in run(quick=quick):
        print(f"{row['section']:<48} {row['metric']:<62} {row['value']:>22}  {row['goal']}")
