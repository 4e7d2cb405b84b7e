"""Issue 18: a randomised concurrency test on a real PostgreSQL, in the spirit of Jepsen.

N sessions (AnnotationStore objects on one database URL, each in its own thread with its
own connection) do random adds, edits, deletes, adjudication decisions (gold spans and
review state, and whole-cluster decisions of reviewers through reader.teams.adjudication
on a document whose annotators' spans stay put), done flags and language overrides on a
few documents, with random polls,
while a nemesis kills their connections (``pg_terminate_backend``). At the end, after
every session has saved what it kept and polled once:

* every session's view equals the database (annotations of every status, and the
  workspace tables);
* no layer holds a duplicate, and no cluster holds two gold decisions;
* every acknowledged write is present, or a later committed change of the same record
  superseded it (the change log holds both, the later one with a higher version), and
  every write that lost was refused to its author as a conflict (StoreConflictError).

Bounded in CI (a few seconds); ``-m slow`` runs a longer one.
"""
from __future__ import annotations

import random
import threading
import time
import traceback
from collections import Counter

import psycopg
import pytest

from reader.errors import AnnotationError, StoreConflictError, StoreWriteError
from reader.store import AnnotationStore
from reader.store.gold import decision_key
from reader.teams.adjudication import accept, build_review

from memory_corpus import MemoryCorpus, doc

TEXTS = {
    "d1": "Alice met Bob in Paris. Bob said: «the salary is 3.000 euro». Carol wrote it down.",
    "d2": "Il salario medio è di 1.500 euro al mese, disse Marco a Roma quel giorno.",
    "d3": "The salary is 3.000 euro a month, said Dana in Oslo, and Erik agreed with her.",
}
#: the documents the annotators change; d3 is only adjudicated (its clusters stay the same)
ANNOTATED = ("d1", "d2")
REVIEWED = "d3"
LABELS = ("claim", "quote", "opinion")
LANGS = ("en", "it", "fr", "de")


def _corpus() -> MemoryCorpus:
    return MemoryCorpus([doc(k, t) for k, t in TEXTS.items()])


def _words(text: str) -> list[tuple[int, int]]:
    import re

    return [m.span() for m in re.finditer(r"\w+", text)][:8]  # few spans: many collisions


class _Session(threading.Thread):
    def __init__(self, url: str, annotator: str, seed: int, steps: int, acked: list, lock: threading.Lock) -> None:
        super().__init__(daemon=True)
        self.url, self.annotator, self.rng, self.steps = url, annotator, random.Random(seed), steps
        self.acked, self.lock = acked, lock
        self.conflicts = 0
        self.unsaved_seen = 0
        self.error: BaseException | None = None
        self.store: AnnotationStore | None = None

    def _ack(self, key: tuple, value: object) -> None:
        with self.lock:
            self.acked.append((self.annotator, key, value))

    def _step(self, store: AnnotationStore) -> None:
        rng = self.rng
        doc_id = rng.choice(ANNOTATED)
        mine = [a for a in store.for_document(doc_id) if a.annotator == self.annotator]
        action = rng.choice(("add", "add", "edit", "delete", "gold", "review", "adjudicate", "adjudicate", "done",
                             "override", "poll", "poll"))
        if action == "add":
            s, e = rng.choice(_words(TEXTS[doc_id]))
            ann = store.add(doc_id, s, e, rng.choice(LABELS))
            self._ack(("a", ann.id), (ann.start, ann.end, ann.label, ann.note))
        elif action == "edit" and mine:
            ann = store.update(rng.choice(mine).id, note=f"{self.annotator}-{rng.randrange(10**6)}")
            self._ack(("a", ann.id), (ann.start, ann.end, ann.label, ann.note))
        elif action == "delete" and mine:
            ann = store.delete(rng.choice(mine).id)
            self._ack(("a", ann.id), None)
        elif action == "gold":  # an adjudicator's decision: a span in the gold layer
            s, e = rng.choice(_words(TEXTS[doc_id]))
            ann = store.add(doc_id, s, e, rng.choice(LABELS), annotator="gold", source=f"adjudicated:{self.annotator}")
            self._ack(("a", ann.id), (ann.start, ann.end, ann.label, ann.note))
        elif action == "adjudicate":  # a reviewer decides a whole cluster: one atomic, checked write
            review = build_review(store, REVIEWED, annotators=["alice", "bob"])
            cluster = rng.choice(review.clusters)
            added = accept(store, review, cluster, rng.choice(["alice", "bob", ""]))
            key = decision_key(REVIEWED, *cluster.anchor)
            self._ack(("m", "state", key), store.get_state(key))
            for ann in added:
                self._ack(("a", ann.id), (ann.start, ann.end, ann.label, ann.note))
        elif action == "review":
            value = {"empty": [[rng.randrange(5), rng.randrange(5, 9)]]}
            store.set_state(f"adjudication:{doc_id}", value)
            self._ack(("m", "state", f"adjudication:{doc_id}"), value)
        elif action == "done":
            done = rng.random() < 0.5
            store.set_done(doc_id, done)
            self._ack(("m", "done", doc_id), True if done else None)
        elif action == "override":
            lang = rng.choice(LANGS)
            store.set_language_override(doc_id, lang)
            self._ack(("m", "overrides", doc_id), lang)
        else:
            store.refresh()

    def run(self) -> None:
        try:
            store = self.store
            assert store is not None
            for _ in range(self.steps):
                try:
                    self._step(store)
                except StoreConflictError:
                    self.conflicts += 1  # told: that write lost, the records were reloaded
                except StoreWriteError:
                    self.unsaved_seen += 1  # the connection was killed: kept, retried with the next change
                except AnnotationError:
                    pass  # a duplicate this session already sees: refused before any write
                if self.rng.random() < 0.3:
                    store.refresh()
        except BaseException as exc:  # pragma: no cover - reported by the test
            self.error = exc


def _nemesis(url: str, stop: threading.Event, seed: int) -> int:
    rng = random.Random(seed)
    kills = 0
    with psycopg.connect(url, autocommit=True) as conn:
        while not stop.is_set():
            time.sleep(rng.uniform(0.02, 0.15))
            row = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND application_name = 'reader' AND pid <> pg_backend_pid() ORDER BY random() LIMIT 1").fetchone()
            if row:
                conn.execute("SELECT pg_terminate_backend(%s)", (row[0],))
                kills += 1
    return kills


def _database(url: str) -> tuple[dict, dict, list]:
    with psycopg.connect(url, autocommit=True) as conn:
        anns = {r[0]: r[1] for r in conn.execute("SELECT id, record FROM reader_annotations")}
        meta = {(r[0], r[1]): r[2] for r in conn.execute("SELECT tbl, key, value FROM reader_meta")}
        log = conn.execute("SELECT op, rev FROM reader_changes WHERE rev IS NOT NULL ORDER BY rev").fetchall()
    return anns, meta, log


def _view(store: AnnotationStore) -> tuple[dict, dict]:
    anns = {a.id: a for a in store.all(statuses=("accepted", "suggested", "rejected"))}
    meta = {}
    for table in ("overrides", "done", "state"):
        for key, value in store.table(table).items():  # the session's own image, as it stands
            meta[(table, key)] = value
    return anns, meta


def _run(url: str, sessions: int, steps: int, seed: int) -> None:
    acked: list = []
    lock = threading.Lock()
    names = ["alice", "alice", "bob", "carol", "bob", "carol"][:sessions]
    words = _words(TEXTS[REVIEWED])
    for who, spans in (("alice", [(0, "claim"), (2, "claim"), (5, "quote")]), ("bob", [(0, "claim"), (2, "opinion"), (5, "claim")])):
        with AnnotationStore(url, corpus=_corpus(), annotator=who) as s:
            for i, label in spans:
                s.add(REVIEWED, *words[i], label)
    threads = [_Session(url, who, seed * 100 + i, steps, acked, lock) for i, who in enumerate(names)]
    for t in threads:  # opened before the nemesis starts (a killed open is one clear error, not this test's subject)
        t.store = AnnotationStore(url, corpus=_corpus(), annotator=t.annotator)
    stop = threading.Event()
    kills: list[int] = []
    nemesis = threading.Thread(target=lambda: kills.append(_nemesis(url, stop, seed)), daemon=True)
    for t in threads:
        t.start()
    nemesis.start()
    for t in threads:
        t.join(timeout=600)
    stop.set()
    nemesis.join(timeout=30)
    for t in threads:
        assert t.error is None, f"{t.annotator}: " + "".join(traceback.format_exception(t.error))
    stores = [t.store for t in threads]
    try:
        for store in stores:  # what a session kept after a killed connection is saved now
            for _ in range(5):
                try:
                    store.retry_unsaved()
                    break
                except StoreConflictError:
                    continue
            assert store.unsaved == 0
        for store in stores:
            store.refresh()  # one poll
        anns, meta, log = _database(url)
        # every session's view equals the database
        for store in stores:
            view_anns, view_meta = _view(store)
            got = {k: (a.start, a.end, a.label, a.note, a.annotator) for k, a in view_anns.items()}
            exp = {k: (r["start"], r["end"], r["label"], r["note"], r["annotator"]) for k, r in anns.items()}
            if got != exp:  # pragma: no cover - diagnostics
                import psycopg as _p
                bad = sorted(k for k in set(got) | set(exp) if got.get(k) != exp.get(k))
                with _p.connect(url, autocommit=True) as c:
                    rows = c.execute("SELECT session, op->>0, op->1->>'note', rev, xid::text FROM reader_changes WHERE op->1->>'id' = %s OR op->>2 = %s ORDER BY seq",
                                     (bad[0], bad[0])).fetchall()
                raise AssertionError(f"{bad[0]} view={got.get(bad[0])} db={exp.get(bad[0])} "
                                     f"session={store.inspect(('a', bad[0]))} log={rows}")
            assert {k: (a.start, a.end, a.label, a.note, a.annotator) for k, a in view_anns.items()} == {
                k: (r["start"], r["end"], r["label"], r["note"], r["annotator"]) for k, r in anns.items()}
            want = {k: v for k, v in meta.items() if k[0] in ("overrides", "done", "state")}
            if view_meta != want:  # pragma: no cover - diagnostics
                import psycopg as _p
                bad = [k for k in set(want) | set(view_meta) if want.get(k) != view_meta.get(k)]
                with _p.connect(url, autocommit=True) as c:
                    rows = c.execute("SELECT session, op, rev, xid::text FROM reader_changes WHERE op->>1 = %s AND op->>2 = %s ORDER BY seq",
                                     (bad[0][0], bad[0][1])).fetchall()
                raise AssertionError(f"{bad} view={view_meta.get(bad[0])} db={want.get(bad[0])} "
                                     f"session={store.inspect(('m',) + bad[0])} log={rows}")
        # no layer holds a duplicate
        layers = Counter((r["annotator"], r["doc_id"], r["start"], r["end"], r["label"])
                         for r in anns.values() if r["status"] != "rejected")
        assert not [k for k, n in layers.items() if n > 1]
        # no cluster holds two gold decisions: every gold span of the reviewed document is the work of
        # its cluster's one decision row, and no gold span is claimed by two decisions
        with AnnotationStore(url, readonly=True) as fresh:
            review = build_review(fresh, REVIEWED, annotators=["alice", "bob"])
            rows = fresh.decisions(REVIEWED)
        assert len(review.clusters) == 3
        for cluster in review.clusters:
            if cluster.gold:
                assert isinstance(cluster.decision, dict)
                if sorted(g.id for g in cluster.gold) != sorted(cluster.decision["gold"]):  # pragma: no cover - diagnostics
                    import psycopg as _p
                    from reader.store.gold import decision_key as _dk
                    k = _dk(REVIEWED, *cluster.anchor)
                    ids = [g.id for g in cluster.gold] + list(cluster.decision["gold"])
                    with _p.connect(url, autocommit=True) as c:
                        log_rows = c.execute("SELECT seq, session, op->>0, coalesce(op->1->>'id', op->>2), rev, xid::text, "
                                             "CASE WHEN op->>2 = %s THEN op->3->>'gold' END FROM reader_changes "
                                             "WHERE op->>2 = %s OR op->1->>'id' = ANY(%s) OR op->>2 = ANY(%s) ORDER BY seq",
                                             (k, k, ids, ids)).fetchall()
                    raise AssertionError(f"{k} gold={[g.id for g in cluster.gold]} decision={cluster.decision} log=" +
                                         "\n".join(map(str, log_rows)))
                assert len(cluster.gold) == 1  # one version (each has one span here), not two reviewers' mix
        claimed = Counter(i for row in rows.values() if isinstance(row, dict) for i in row["gold"])
        gold_ids = {k for k, r in anns.items() if r["annotator"] == "gold" and r["doc_id"] == REVIEWED}
        assert all(claimed[i] == 1 for i in gold_ids)
        # every acknowledged write is present, or superseded by a later committed change of that record
        history: dict[tuple, list] = {}
        for op, rev in log:
            if op[0] == "put":
                r = op[1]
                history.setdefault(("a", r["id"]), []).append((rev, (r["start"], r["end"], r["label"], r["note"])))
            elif op[0] == "del":
                history.setdefault(("a", op[2]), []).append((rev, None))
            elif op[0] == "meta":
                history.setdefault(("m", op[1], op[2]), []).append((rev, op[3]))
            else:
                history.setdefault(("m", op[1], op[2]), []).append((rev, None))
        for who, key, value in acked:
            changes = history.get(key, [])
            revs = [rev for rev, v in changes if v == value]
            if value is None and not revs:
                continue  # removing a row already gone (a done flag cleared twice) writes no change
            assert revs, f"{who}'s acknowledged write of {key} = {value!r} is not in the log"
            final = changes[-1][1]
            now = (anns[key[1]]["start"], anns[key[1]]["end"], anns[key[1]]["label"], anns[key[1]]["note"]) \
                if key[0] == "a" and key[1] in anns else (meta.get((key[1], key[2])) if key[0] == "m" else None)
            assert now == final  # the tables are the log's last word
            assert now == value or max(revs) < changes[-1][0]  # present, or superseded later
        assert kills and kills[0] > 0 and len(acked) > 0  # the nemesis did kill, the sessions did write
    finally:
        for store in stores:
            if store is not None:
                try:
                    store.close()
                except Exception:
                    pass


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_random_sessions_with_killed_connections_converge(pg_url, seed):
    _run(pg_url, sessions=4, steps=60, seed=seed)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(10, 16))
def test_random_sessions_converge_long(pg_url, seed):
    _run(pg_url, sessions=6, steps=400, seed=seed)
