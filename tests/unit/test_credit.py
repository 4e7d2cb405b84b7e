"""Credit for accepted suggestions (issue 18, item 7), on both engines.

The one who accepts a suggestion becomes its annotator; whoever ran ``reader suggest`` is kept
in ``suggested_by``, through the store, a reopen and the exports and importers.
"""
from __future__ import annotations

import io
import json

import pytest

from reader.formats.pipeline import export_corpus, import_file
from reader.store import AnnotationStore
from reader.teams.agreement import compute_agreement
from reader.text import snap_span
from reader.workspace import Workspace

from conftest import copy_seeds


@pytest.fixture
def seeds(tmp_path):
    return copy_seeds(tmp_path)


def _suggest(seeds, location, n=3):
    """``root`` pre-annotates: ``n`` salary suggestions in the first document."""
    ws = Workspace.open(seeds, location, detect=False, annotator="root")
    try:
        doc = next(iter(ws.corpus))
        spans = []
        for k in range(n):
            s, e = snap_span(doc.text, 100 * (k + 1), 100 * (k + 1) + 12)
            spans.append(ws.store.add(doc.id, s, e, "salary", status="suggested", source="suggest:salary"))
        return doc.id, spans
    finally:
        ws.close()


def test_the_one_who_accepts_gets_the_credit(seeds, store_location):
    doc_id, spans = _suggest(seeds, store_location)
    ws = Workspace.open(seeds, store_location, detect=False, annotator="alice")
    try:
        accepted = ws.store.update(spans[0].id, status="accepted", note="checked")
        assert (accepted.annotator, accepted.suggested_by, accepted.source) == ("alice", "root", "suggest:salary")
        assert accepted.id != spans[0].id and accepted.note == "checked"  # alice's own, in her layer
        pending = [a.id for a in ws.store.for_document(doc_id, statuses=("suggested",))]
        assert pending == [spans[1].id, spans[2].id]  # decided: no longer offered to alice
        many = ws.store.update_many([spans[1].id, spans[2].id], status="accepted")
        assert {(a.annotator, a.suggested_by) for a in many} == {("alice", "root")}
        assert ws.store.for_document(doc_id, statuses=("suggested",)) == []
        ws.store.undo()  # undo takes back alice's decisions: the suggestions are offered again
        assert len(ws.store.for_document(doc_id, statuses=("suggested",))) == 2
    finally:
        ws.close()
    store = AnnotationStore(store_location, readonly=True, annotator="carol")
    try:
        kept = store.get(accepted.id)
        assert kept is not None and (kept.annotator, kept.suggested_by) == ("alice", "root")
        assert len(store.all(statuses=("suggested",))) == 3  # still there for carol
    finally:
        store.close()


def test_each_annotator_decides_a_shared_suggestion_for_themselves(seeds, store_location):
    doc_id, spans = _suggest(seeds, store_location, n=2)
    with AnnotationStore(store_location, annotator="bob") as bob:
        bob.delete(spans[0].id)  # bob rejects it (the reject key)
        bob.update(spans[1].id, status="rejected")
        assert bob.for_document(doc_id, statuses=("suggested",)) == []
        assert sorted(a.annotator for a in bob.all(statuses=("rejected",))) == ["bob", "bob"]
    with AnnotationStore(store_location, annotator="alice") as alice:
        offered = alice.for_document(doc_id, statuses=("suggested",))
        assert [a.id for a in offered] == [spans[0].id, spans[1].id]  # bob's reject did not remove them for alice
        mine = alice.update(spans[0].id, status="accepted")
        assert (mine.annotator, mine.status) == ("alice", "accepted")
    with AnnotationStore(store_location, annotator="root") as root:  # the suggester still sees their own
        assert len(root.for_document(doc_id, statuses=("suggested",))) == 2
        assert {(a.annotator, a.status) for a in root.all(statuses=("accepted", "rejected"))} == {
            ("alice", "accepted"), ("bob", "rejected")}


def test_two_annotators_accepting_the_same_span_agree(seeds, store_location):
    """The F1 0.000 of the issue: alice and bob accept the same suggested span; both layers hold
    it, credited to each, and agree sees perfect agreement (no third lane for root)."""
    doc_id, spans = _suggest(seeds, store_location, n=1)
    with AnnotationStore(store_location, annotator="bob") as s:
        bob = s.update(spans[0].id, status="accepted")
    ws = Workspace.open(seeds, store_location, detect=False, annotator="alice")
    try:
        alice = ws.store.update(spans[0].id, status="accepted")
        texts = {d.id: d.text for d in ws.corpus}
        report = compute_agreement(ws.store.all(), texts)
        assert report.annotators == ["alice", "bob"] and bob.annotator == "bob"
        assert report.overall.pairs[0].exact_f1 == 1.0
    finally:
        ws.close()


@pytest.mark.parametrize("fmt", ["jsonl", "labelstudio", "spacy", "prodigy", "brat"])
def test_exports_and_importers_carry_suggested_by(seeds, tmp_path, fmt):
    doc_id, spans = _suggest(seeds, tmp_path / "a")
    ws = Workspace.open(seeds, tmp_path / "a", detect=False, annotator="alice")
    try:
        ws.store.update(spans[0].id, status="accepted")
        out = tmp_path / f"out.{fmt}"
        if fmt in ("brat", "spacy"):  # a folder, a binary file
            out = tmp_path / ("brat" if fmt == "brat" else "out.spacy")
            export_corpus(fmt, ws.corpus, ws.store, out)
        else:
            buf = io.StringIO()
            export_corpus(fmt, ws.corpus, ws.store, buf)
            out.write_text(buf.getvalue(), encoding="utf-8")
            assert "suggested_by" in buf.getvalue()
    finally:
        ws.close()
    ws = Workspace.open(seeds, tmp_path / "b", detect=False, annotator="someone")
    try:
        import_file(fmt, out, ws.corpus, ws.store)
        got = [(a.annotator, a.suggested_by, a.text) for a in ws.store.all()]
        assert got == [("alice", "root", spans[0].text)]
    finally:
        ws.close()


def test_jsonl_round_trip_keeps_suggested_by(seeds, tmp_path):
    doc_id, spans = _suggest(seeds, tmp_path / "a")
    ws = Workspace.open(seeds, tmp_path / "a", detect=False, annotator="alice")
    try:
        ws.store.update(spans[0].id, status="accepted")
        buf = io.StringIO()
        export_corpus("jsonl", ws.corpus, ws.store, buf, include_suggested=True)
        first = buf.getvalue()
    finally:
        ws.close()
    records = [json.loads(x) for x in first.splitlines()]
    assert any(s.get("suggested_by") == "root" for r in records for s in r.get("spans", r.get("annotations", [])))
    (tmp_path / "x.jsonl").write_text(first, encoding="utf-8")
    ws = Workspace.open(seeds, tmp_path / "b", detect=False, annotator="someone")
    try:
        import_file("jsonl", tmp_path / "x.jsonl", ws.corpus, ws.store)
        buf = io.StringIO()
        export_corpus("jsonl", ws.corpus, ws.store, buf, include_suggested=True)
        assert buf.getvalue() == first
    finally:
        ws.close()
