"""Issue 18, item 3: two reviewers decide the same cluster at the same time; exactly one decision stays.

On a real PostgreSQL (two AnnotationStore sessions in threads released together by a barrier)
and on the folder engine (two processes), both reviewers build their review, then accept
different versions of the same cluster. Exactly one wins, the gold layer holds that one
decision, the loser is told in one line and, after its next poll, its review equals the
database's; ``reader export --layer gold`` writes one decision per cluster.
"""
from __future__ import annotations

import json
import multiprocessing
import threading
from pathlib import Path

import pytest

from reader.cli import main
from reader.corpus import load_corpus
from reader.errors import StoreConflictError, StoreLockedError
from reader.store import AnnotationStore
from reader.teams.adjudication import accept, accept_agreed, build_review

TEXT = "Alice met Bob in Paris. The salary is three thousand euro. Carol wrote it down that day."


def _corpus(tmp_path: Path, n: int = 1) -> tuple[Path, list[str]]:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for i in range(n):
        (folder / f"doc{i}.txt").write_text(TEXT, encoding="utf-8")
    corpus = load_corpus(folder, detect=False)
    return folder, sorted(d.id for d in corpus)


def _span(word: str, through: str | None = None) -> tuple[int, int]:
    start = TEXT.index(word)
    last = through or word
    return start, TEXT.index(last) + len(last)


def _annotate(location, folder: Path, doc_ids: list[str]) -> None:
    corpus = load_corpus(folder, detect=False)
    with AnnotationStore(location, corpus=corpus, annotator="alice") as s:
        for d in doc_ids:
            s.add(d, *_span("Alice"), "claim")
            s.add(d, *_span("salary", "euro"), "claim")
    with AnnotationStore(location, corpus=corpus, annotator="bob") as s:
        for d in doc_ids:
            s.add(d, *_span("Alice"), "claim")
            s.add(d, *_span("three", "euro"), "opinion")


def _gold(store: AnnotationStore, doc_id: str) -> list[tuple[int, int, str]]:
    return sorted((a.start, a.end, a.label) for a in store.for_document(doc_id, statuses=("accepted",))
                  if a.annotator == "gold")


def _summary(review) -> list[tuple]:
    return [(c.start, c.end, tuple((g.start, g.end, g.label) for g in c.gold), c.decided_empty, c.resolved)
            for c in review.clusters]


def _exported(capsys, folder: Path, location) -> list[tuple[str, int, int, str]]:
    code = main(["export", str(folder), "--store", str(location), "--format", "jsonl", "--layer", "gold"])
    out = capsys.readouterr().out
    assert code == 0
    return sorted((json.loads(line)["id"] if "id" in json.loads(line) else "", s["start"], s["end"], s["label"])
                  for line in out.splitlines() for s in json.loads(line)["spans"])


def test_two_reviewers_race_on_postgresql_exactly_one_decision_stays(tmp_path, pg_url, capsys):
    folder, doc_ids = _corpus(tmp_path, n=4)
    _annotate(pg_url, folder, doc_ids)
    corpus = load_corpus(folder, detect=False)
    carol = AnnotationStore(pg_url, corpus=corpus, annotator="carol")
    dave = AnnotationStore(pg_url, corpus=corpus, annotator="dave")
    try:
        for doc_id in doc_ids:  # several rounds: the race is genuine, each round both must collide
            reviews = {s.annotator: build_review(s, doc_id) for s in (carol, dave)}
            assert [r.progress for r in reviews.values()] == ["0/2", "0/2"]
            barrier = threading.Barrier(2)
            outcome: dict[str, object] = {}

            def decide(store: AnnotationStore, who: str) -> None:
                review = reviews[store.annotator]
                cluster = review.clusters[1]  # the disputed one: alice's "salary … euro" vs bob's "three … euro"
                barrier.wait()
                try:
                    outcome[store.annotator] = accept(store, review, cluster, who)
                except StoreConflictError as exc:
                    outcome[store.annotator] = exc

            threads = [threading.Thread(target=decide, args=(carol, "alice")),
                       threading.Thread(target=decide, args=(dave, "bob"))]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=60)
            lost = [who for who, v in outcome.items() if isinstance(v, StoreConflictError)]
            assert len(lost) == 1, outcome  # exactly one wins
            loser = carol if lost[0] == "carol" else dave
            winner = dave if loser is carol else carol
            message = str(outcome[loser.annotator])
            assert f"{winner.annotator} decided this cluster" in message and "reloaded" in message
            assert "\n" not in message
            chosen = {"carol": "alice", "dave": "bob"}[winner.annotator]
            expected = [_span("salary", "euro") + ("claim",)] if chosen == "alice" else [_span("three", "euro") + ("opinion",)]
            with AnnotationStore(pg_url, readonly=True) as fresh:
                assert _gold(fresh, doc_id) == expected  # one decision: the winner's
                truth = build_review(fresh, doc_id)
            loser.refresh()
            assert _summary(build_review(loser, doc_id)) == _summary(truth)  # after its poll: the database's
            assert build_review(loser, doc_id).progress == "1/2"
        exported = _exported(capsys, folder, pg_url)
        assert len(exported) == len(doc_ids)  # one gold span per decided cluster, nothing twice
    finally:
        carol.close()
        dave.close()


def test_a_reviewer_who_moved_an_edge_and_one_who_did_not_name_the_same_cluster(tmp_path, pg_url):
    folder, doc_ids = _corpus(tmp_path)
    doc_id = doc_ids[0]
    _annotate(pg_url, folder, doc_ids)
    corpus = load_corpus(folder, detect=False)
    with AnnotationStore(pg_url, corpus=corpus, annotator="carol") as carol, \
            AnnotationStore(pg_url, corpus=corpus, annotator="dave") as dave:
        stale = build_review(dave, doc_id)
        review = build_review(carol, doc_id)
        [gold] = accept(carol, review, review.clusters[1], "bob")
        carol.update(gold.id, start=TEXT.index(" is ") + 1)  # carol moves the start a word earlier
        with pytest.raises(StoreConflictError, match="carol decided this cluster"):
            accept(dave, stale, stale.clusters[1], "alice")  # dave's view still has the old cluster
        # after the poll dave sees carol's decision and may change it (a re-decision, based on it)
        dave.refresh()
        assert _gold(dave, doc_id) == [(TEXT.index(" is ") + 1, _span("euro")[1], "opinion")]
        review = build_review(dave, doc_id)
        accept(dave, review, review.clusters[1], "alice")
        carol.refresh()
        assert _gold(carol, doc_id) == [_span("salary", "euro") + ("claim",)]


def test_accept_agreed_and_no_span_are_one_write_each_and_count_clusters(tmp_path, pg_url):
    folder, doc_ids = _corpus(tmp_path)
    doc_id = doc_ids[0]
    _annotate(pg_url, folder, doc_ids)
    corpus = load_corpus(folder, detect=False)
    with AnnotationStore(pg_url, corpus=corpus, annotator="carol") as carol, \
            AnnotationStore(pg_url, corpus=corpus, annotator="dave") as dave:
        mine, theirs = build_review(carol, doc_id), build_review(dave, doc_id)
        assert accept_agreed(carol, mine) == 1
        with pytest.raises(StoreConflictError, match="carol decided this cluster"):
            accept_agreed(dave, theirs)  # the same agreed cluster: refused, nothing written twice
        accept(carol, mine, mine.clusters[1], "")  # "no span here" is a decision too
        dave.refresh()
        review = build_review(dave, doc_id)
        assert review.progress == "2/2" and review.done
        assert _gold(dave, doc_id) == [_span("Alice") + ("claim",)]


def _folder_reviewer(location: str, folder: str, doc_id: str, who: str, barrier, results) -> None:
    import time

    corpus = load_corpus(Path(folder), detect=False)
    with AnnotationStore(location, corpus=corpus, readonly=True) as snapshot:
        review = build_review(snapshot, doc_id)  # what the reviewer saw before deciding
    barrier.wait()
    for _ in range(600):
        try:
            store = AnnotationStore(location, corpus=corpus, annotator=f"judge-{who}")
            break
        except StoreLockedError:
            time.sleep(0.05)
    else:
        results.put((who, "never got the lock"))
        return
    try:
        accept(store, review, review.clusters[1], who)
        results.put((who, "won"))
    except StoreConflictError as exc:
        results.put((who, f"lost: {exc}"))
    finally:
        store.close()


def test_two_reviewer_processes_on_a_folder_exactly_one_decision_stays(tmp_path, capsys):
    folder, doc_ids = _corpus(tmp_path)
    doc_id = doc_ids[0]
    location = tmp_path / "annotations"
    _annotate(location, folder, doc_ids)
    ctx = multiprocessing.get_context("spawn")
    barrier, results = ctx.Barrier(2), ctx.Queue()
    procs = [ctx.Process(target=_folder_reviewer, args=(str(location), str(folder), doc_id, who, barrier, results))
             for who in ("alice", "bob")]
    for p in procs:
        p.start()
    outcome = dict(results.get(timeout=120) for _ in procs)
    for p in procs:
        p.join(timeout=60)
    assert sorted(v.split(":")[0] for v in outcome.values()) == ["lost", "won"], outcome
    [winner] = [w for w, v in outcome.items() if v == "won"]
    [lost] = [v for v in outcome.values() if v != "won"]
    assert "decided this cluster" in lost and "reloaded" in lost
    expected = _span("salary", "euro") + ("claim",) if winner == "alice" else _span("three", "euro") + ("opinion",)
    with AnnotationStore(location, readonly=True) as store:
        assert _gold(store, doc_id) == [expected]
        assert build_review(store, doc_id).progress == "1/2"
    assert [e[1:] for e in _exported(capsys, folder, location)] == [expected]


def test_undo_takes_back_a_decisions_gold_spans_and_the_cluster_is_open_again(tmp_path):
    folder, doc_ids = _corpus(tmp_path)
    doc_id = doc_ids[0]
    location = tmp_path / "annotations"
    _annotate(location, folder, doc_ids)
    with AnnotationStore(location, corpus=load_corpus(folder, detect=False), annotator="carol") as store:
        review = build_review(store, doc_id)
        accept(store, review, review.clusters[1], "alice")
        accept(store, review, review.clusters[1], "bob")  # carol changes her mind: based on her own decision
        assert _gold(store, doc_id) == [_span("three", "euro") + ("opinion",)]
        store.undo()
        assert _gold(store, doc_id) == [_span("salary", "euro") + ("claim",)]
        store.undo()
        review = build_review(store, doc_id)
        assert _gold(store, doc_id) == [] and review.progress == "0/2"
        accept(store, review, review.clusters[1], "bob")
        assert build_review(store, doc_id).progress == "1/2"


def test_reviewers_whose_clusters_differ_by_an_annotators_edit_still_collide(tmp_path, pg_url):
    """alice widens her span after dave built his review; carol polled and sees the wider cluster: another
    key, but the same annotators' spans, so their decisions still collide (the claims on the spans)."""
    folder, doc_ids = _corpus(tmp_path)
    doc_id = doc_ids[0]
    _annotate(pg_url, folder, doc_ids)
    corpus = load_corpus(folder, detect=False)
    with AnnotationStore(pg_url, corpus=corpus, annotator="carol") as carol, \
            AnnotationStore(pg_url, corpus=corpus, annotator="dave") as dave:
        stale = build_review(dave, doc_id)
        with AnnotationStore(pg_url, corpus=corpus, annotator="alice") as alice:
            [mine] = [a for a in alice.for_document(doc_id) if a.annotator == "alice" and a.start > 0]
            alice.update(mine.id, start=TEXT.index("The salary"))
        carol.refresh()
        review = build_review(carol, doc_id)
        assert review.clusters[1].anchor != stale.clusters[1].anchor  # two views of the cluster
        accept(carol, review, review.clusters[1], "bob")
        with pytest.raises(StoreConflictError, match="carol decided this cluster"):
            accept(dave, stale, stale.clusters[1], "alice")
        dave.refresh()
        assert _gold(dave, doc_id) == [_span("three", "euro") + ("opinion",)]
        assert build_review(dave, doc_id).progress == "1/2"


def test_a_refused_decision_reloads_the_winners_gold_spans_too(tmp_path, pg_url):
    """The loser's reload brings the winner's whole decision (its row and the gold spans it
    names), not the row alone: deciding again at once, before any poll, replaces the winner's
    gold span instead of leaving it beside the new decision."""
    folder, doc_ids = _corpus(tmp_path)
    doc = doc_ids[0]
    _annotate(pg_url, folder, [doc])
    corpus = load_corpus(folder, detect=False)
    with AnnotationStore(pg_url, corpus=corpus, annotator="carol") as carol, \
            AnnotationStore(pg_url, corpus=corpus, annotator="dave") as dave:
        late = build_review(dave, doc)  # dave looks first and does not poll again
        cluster = next(c for c in build_review(carol, doc).clusters if not c.agreed)
        won = accept(carol, build_review(carol, doc), cluster, "alice")
        assert len(won) == 1
        mine = next(c for c in late.clusters if c.anchor == cluster.anchor)
        with pytest.raises(StoreConflictError, match="carol decided this cluster"):
            accept(dave, late, mine, "bob")
        assert won[0].id in {a.id for a in dave.for_document(doc)}  # no poll: the reload brought it
        again = next(c for c in build_review(dave, doc).clusters if c.anchor == cluster.anchor)
        assert [g.id for g in again.gold] == [won[0].id]
        accept(dave, build_review(dave, doc), again, "bob")
    with AnnotationStore(pg_url, readonly=True, corpus=corpus) as fresh:
        final = next(c for c in build_review(fresh, doc).clusters if c.anchor == cluster.anchor)
        assert isinstance(final.decision, dict) and final.decision["by"] == "dave"
        assert sorted(g.id for g in final.gold) == sorted(final.decision["gold"])
        assert [(g.start, g.end, g.label) for g in final.gold] == [(g.start, g.end, g.label) for g in mine.spans["bob"]]
