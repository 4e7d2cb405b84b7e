"""`reader merge`'s semantics (issue 18, item 6), on both engines: identity per layer, colliding ids
renamed and reported, links kept, bad timestamps refused, every annotator's decisions kept, no
duplicates within a layer, and a postgresql:// target that is the database, not a folder."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from reader.cli import main
from reader.corpus import load_corpus
from reader.store import AnnotationStore

from conftest import copy_seeds

DOC = "000_9d99caadc18c77c5"
OTHER = "001_228d26dd8dd40e62"


@pytest.fixture
def seeds(tmp_path):
    return copy_seeds(tmp_path)


@pytest.fixture
def corpus(seeds):
    return load_corpus(seeds, detect=False)


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def words(corpus, doc=DOC, n=8):
    return [m.span() for m in re.finditer(r"\w{4,}", corpus.get(doc).text)][:n]


def item(corpus, doc, span, who, label="claim", **extra):
    return {"doc_id": doc, "start": span[0], "end": span[1], "label": label, "annotator": who, **extra}


def everything(location):
    with AnnotationStore(location, readonly=True) as s:
        return s.all(statuses=("accepted", "suggested", "rejected")), s.links()


def test_into_a_database_url_writes_the_database(corpus, tmp_path, pg_url, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    w = words(corpus)
    alice, bob = tmp_path / "alice", tmp_path / "bob"
    with AnnotationStore(alice, corpus=corpus, annotator="alice") as s:
        s.add_many([item(corpus, DOC, w[0], "alice"), item(corpus, DOC, w[1], "alice")])
    with AnnotationStore(bob, corpus=corpus, annotator="bob") as s:
        s.add_many([item(corpus, DOC, w[0], "bob")])
    code, out, err = run(capsys, "merge", alice, bob, "--into", pg_url)
    assert code == 0, err
    assert "3 annotation(s) added (alice 2, bob 1)" in out
    assert "secret" not in out and "postgresql://" in out
    anns, _links = everything(pg_url)
    assert sorted(a.annotator for a in anns) == ["alice", "alice", "bob"]
    assert not any(p.name.startswith("postgres") for p in tmp_path.iterdir())  # no folder named after the URL
    code, out, err = run(capsys, "merge", alice, bob, "--into", pg_url)
    assert code == 0 and "nothing changed" in out
    # and a database as a source, into a folder
    code, out, err = run(capsys, "merge", pg_url, "--into", tmp_path / "team")
    assert code == 0, err
    assert len(everything(tmp_path / "team")[0]) == 3


def test_same_id_in_two_layers_is_renamed_links_are_kept(corpus, store_location, another_store_location, tmp_path, capsys):
    w, v = words(corpus), words(corpus, OTHER)
    with AnnotationStore(store_location, corpus=corpus, annotator="alice") as s:
        s.add_many([item(corpus, DOC, w[0], "alice", id="SAMEID"), item(corpus, OTHER, v[0], "alice", id="A2")])
        s.link("SAMEID", "A2")
    with AnnotationStore(another_store_location, corpus=corpus, annotator="bob") as s:
        s.add_many([item(corpus, OTHER, v[1], "bob", id="SAMEID"), item(corpus, DOC, w[2], "bob", id="B2")])
        s.link("SAMEID", "B2")
    team = tmp_path / "team"
    code, out, err = run(capsys, "merge", store_location, another_store_location, "--into", team)
    assert code == 0, err
    assert "4 annotation(s) added (alice 2, bob 2)" in out and "2 link(s) added" in out
    assert "id SAMEID (bob, " in out and "added as" in out  # the renaming is reported
    anns, links = everything(team)
    by = {(a.annotator, a.doc_id): a for a in anns}
    assert by[("alice", DOC)].id == "SAMEID" and by[("bob", OTHER)].id != "SAMEID"
    pairs = {frozenset((l.a, l.b)) for l in links}
    assert pairs == {frozenset(("SAMEID", "A2")), frozenset((by[("bob", OTHER)].id, "B2"))}  # bob's link follows
    code, out, err = run(capsys, "merge", store_location, another_store_location, "--into", team)
    assert code == 0 and "nothing changed" in out, out
    assert len(everything(team)[0]) == 4 and len(everything(team)[1]) == 2


def test_a_bad_timestamp_is_refused_before_anything_is_written(corpus, store_location, tmp_path, capsys):
    w = words(corpus)
    with AnnotationStore(store_location, corpus=corpus, annotator="alice") as s:
        s.add_many([item(corpus, DOC, w[0], "alice", id="X1")])
    good = tmp_path / "good"
    with AnnotationStore(good, corpus=corpus, annotator="bob") as s:
        s.add_many([item(corpus, DOC, w[0], "alice", id="X1", updated="2020-01-01T00:00:00+00:00", note="old"),
                    item(corpus, DOC, w[1], "bob", id="Y1", updated="~~~~ not a date")])
    team = tmp_path / "team"
    code, out, err = run(capsys, "merge", store_location, good, "--into", team)
    assert code == 1 and "Y1" in err and "not a date" in err and "not an ISO 8601 date" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not (team / "meta.json").exists()  # nothing written
    # a valid but older version loses the tie-break: the newer one (alice's own) is kept
    with AnnotationStore(good, corpus=corpus, annotator="bob") as s:
        s.delete("Y1")
    code, out, err = run(capsys, "merge", store_location, good, "--into", team)
    assert code == 0, err
    anns, _ = everything(team)
    assert [(a.id, a.note) for a in anns] == [("X1", "")]


def test_every_annotators_decisions_on_shared_suggestions_are_kept(corpus, store_location, another_store_location,
                                                                   tmp_path, capsys):
    w = words(corpus)
    shared = [item(corpus, DOC, w[k], "root", label="salary", id=f"S{k}", status="suggested", source="suggest:salary")
              for k in range(5)]
    for where in (store_location, another_store_location):
        with AnnotationStore(where, corpus=corpus, annotator="root") as s:
            s.add_many(shared)
    with AnnotationStore(store_location, corpus=corpus, annotator="alice") as s:
        for k in range(5):
            s.update(f"S{k}", status="accepted", note=f"alice's note {k}")
    with AnnotationStore(another_store_location, corpus=corpus, annotator="bob") as s:
        for k in range(3):
            s.update(f"S{k}", status="rejected")
        for k in (3, 4):
            s.delete(f"S{k}")  # a deleted suggestion is remembered as rejected
    team = tmp_path / "team"
    code, out, err = run(capsys, "merge", store_location, another_store_location, "--into", team)
    assert code == 0, err
    anns, _ = everything(team)
    accepted = sorted((a.annotator, a.note, a.suggested_by) for a in anns if a.status == "accepted")
    assert accepted == [("alice", f"alice's note {k}", "root") for k in range(5)]
    assert sorted(a.annotator for a in anns if a.status == "rejected") == ["bob"] * 5
    assert sorted(a.id for a in anns if a.status == "suggested") == [f"S{k}" for k in range(5)]  # once each
    with AnnotationStore(team, readonly=True) as s:
        assert {(k[0], k[1]) for k in s.rejected_keys(DOC) if isinstance(k[0], int)} >= set(w[:5])


def test_decisions_made_in_place_by_an_older_version_are_all_kept(corpus, store_location, another_store_location,
                                                                  tmp_path, capsys):
    """Stores from before per-annotator decisions: both changed the shared record in place (same id,
    same annotator root), alice to accepted with notes, bob to rejected. Both decisions survive."""
    w = words(corpus)
    with AnnotationStore(store_location, corpus=corpus, annotator="alice") as s:
        s.add_many([item(corpus, DOC, w[k], "root", label="salary", id=f"S{k}", note=f"note {k}",
                         source="suggest:salary", updated="2030-01-01T00:00:00+00:00") for k in range(5)])
    with AnnotationStore(another_store_location, corpus=corpus, annotator="bob") as s:
        s.add_many([item(corpus, DOC, w[k], "root", label="salary", id=f"S{k}", status="rejected",
                         source="suggest:salary", updated="2031-01-01T00:00:00+00:00") for k in range(5)])
    team = tmp_path / "team"
    code, out, err = run(capsys, "merge", store_location, another_store_location, "--into", team)
    assert code == 0, err
    assert "another decision on the same span" in out
    anns, _ = everything(team)
    assert sorted(a.note for a in anns if a.status == "accepted") == [f"note {k}" for k in range(5)]
    assert len([a for a in anns if a.status == "rejected"]) == 5
    code, out, err = run(capsys, "merge", store_location, another_store_location, "--into", team)
    assert code == 0 and "nothing changed" in out


def test_two_stores_of_one_annotator_give_no_duplicates(corpus, store_location, another_store_location, tmp_path, capsys):
    w = words(corpus)
    for where in (store_location, another_store_location):  # alice on two machines, the same span twice
        with AnnotationStore(where, corpus=corpus, annotator="alice") as s:
            s.add(DOC, *w[0], "claim")
            s.add(DOC, *w[1], "quote")
    team = tmp_path / "team"
    code, out, err = run(capsys, "merge", store_location, another_store_location, "--into", team)
    assert code == 0, err
    assert "2 annotation(s) added" in out and "2 duplicate(s) within a layer not added again" in out
    anns, _ = everything(team)
    assert sorted((a.annotator, a.start, a.label) for a in anns) == [("alice", w[0][0], "claim"), ("alice", w[1][0], "quote")]
    with AnnotationStore(team, corpus=corpus, annotator="alice") as s:  # the layer stays editable
        for a in s.all():
            s.update(a.id, note="fine")


def test_an_imported_bad_timestamp_is_refused(corpus, seeds, tmp_path, capsys):
    import json

    w = words(corpus)
    with AnnotationStore(tmp_path / "a", corpus=corpus, annotator="alice") as s:
        s.add(DOC, *w[0], "claim")
        s.add(DOC, *w[1], "claim")
    code, out, err = run(capsys, "export", seeds, "--store", tmp_path / "a", "--format", "jsonl")
    assert code == 0, err
    records = [json.loads(line) for line in out.splitlines()]
    records[0]["spans"][0]["updated"] = "~~~~ not a date"
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    code, out, err = run(capsys, "import", seeds, path, "--store", tmp_path / "b")
    said = " ".join((out + err).split())  # the import report wraps long lines
    assert "not an ISO 8601 date" in said and "~~~~ not a date" in said
    with AnnotationStore(tmp_path / "b", readonly=True) as s:
        assert [a.start for a in s.all()] == [w[1][0]]  # the other span is imported, the bad one is not


def test_two_stores_deciding_one_cluster_differently_keep_one_decision(corpus, store_location, another_store_location,
                                                                       tmp_path, capsys):
    """Adjudication in two stores, merged: a cluster decided in both, differently, keeps one decision
    (the first store's) and only its gold span, reported naming both reviewers; a cluster decided in
    one store only comes with its decision; the merged review is consistent; merging again changes
    nothing."""
    from reader.teams.adjudication import accept, build_review

    w = words(corpus)
    spans = [item(corpus, DOC, w[0], "alice", id="A0"), item(corpus, DOC, w[0], "bob", id="B0"),
             item(corpus, DOC, w[2], "alice", id="A2"), item(corpus, DOC, w[2], "bob", label="opinion", id="B2")]
    for where in (store_location, another_store_location):
        with AnnotationStore(where, corpus=corpus, annotator="root") as s:
            s.add_many(spans)

    def decide(where, reviewer, choices):
        with AnnotationStore(where, corpus=corpus, annotator=reviewer) as s:
            for start, who in choices:
                review = build_review(s, DOC)
                accept(s, review, next(c for c in review.clusters if c.start == start), who)

    decide(store_location, "carol", [(w[2][0], "bob")])
    decide(another_store_location, "dave", [(w[2][0], "alice"), (w[0][0], "alice")])
    team = tmp_path / "team"
    code, out, err = run(capsys, "merge", store_location, another_store_location, "--into", team)
    assert code == 0, err
    assert re.search(r"decided by carol \(bob\) and, differently, by dave \(alice\) in .*; kept carol \(bob\)'s "
                     r"decision, 1 gold span\(s\) of .* not merged", out), out
    with AnnotationStore(team, readonly=True) as s:
        review = build_review(s, DOC)
    by_start = {c.start: c for c in review.clusters}
    contested, single = by_start[w[2][0]], by_start[w[0][0]]
    assert [(g.label, g.start) for g in contested.gold] == [("opinion", w[2][0])]
    assert isinstance(contested.decision, dict) and contested.decision["by"] == "carol"
    assert isinstance(single.decision, dict) and single.decision["by"] == "dave"
    for cluster in (contested, single):
        assert sorted(g.id for g in cluster.gold) == sorted(cluster.decision["gold"])
    code, out, err = run(capsys, "merge", store_location, another_store_location, "--into", team)
    assert code == 0 and "nothing changed" in out, out
