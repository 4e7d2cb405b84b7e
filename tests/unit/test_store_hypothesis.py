"""Stateful property test: random add/update/delete/undo/redo/reopen sequences over
random Unicode documents agree with a plain model, and text[start:end] == ann.text.

Runs on both engines: a JSON store folder, and a PostgreSQL database (a real
server, see pg_fixtures.py) with fewer examples, each in a fresh database."""
from __future__ import annotations

import hashlib
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Callable

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule, run_state_machine_as_test

from reader.errors import DuplicateAnnotationError
from reader.model import Document
from reader.store import AnnotationStore

LABELS = ["salary", "quote", "claim", "opinion"]
PIECES = [
    "a", "é", "e\u0301", "👩\u200d👩\u200d👧", "🇮🇹", "👍🏽", "❤\ufe0f", "مَرْحَبًا", "\u200f", "中文", "\t", " ", "\n",
    "\u2028", "x", "Z", "0", "«", "»", "\x85",
]
# no NUL: reader.text refuses such files (and PostgreSQL's jsonb cannot keep it in a span's text)
texts = st.lists(st.sampled_from(PIECES) | st.text(max_size=3).map(lambda t: t.replace("\r", "").replace("\x00", "")), min_size=2, max_size=25).map("".join).filter(lambda t: len(t) >= 2)


class Corpus:
    def __init__(self, docs):
        self.docs = {d.id: d for d in docs}

    def get(self, doc_id):
        return self.docs.get(doc_id)


def json_location() -> tuple[object, Callable[[], None]]:
    """A fresh store folder (file engine) and how to remove it."""
    folder = Path(tempfile.mkdtemp(prefix="store-hyp-"))
    return folder / "s", lambda: shutil.rmtree(folder, ignore_errors=True)


class StoreMachine(RuleBasedStateMachine):
    #: a fresh store location for each example and its clean-up (one per engine, see the tests)
    new_location: Callable[[], tuple[object, Callable[[], None]]] = staticmethod(json_location)
    notes = st.text(max_size=5)

    @initialize(doc_texts=st.lists(texts, min_size=1, max_size=3))
    def setup(self, doc_texts):
        self.location, self.remove_location = self.new_location()
        docs = [Document(id=f"d{i}/ü {i}", text=t, sha256=hashlib.sha256(t.encode()).hexdigest())
                for i, t in enumerate(doc_texts)]
        self.corpus = Corpus(docs)
        self.store = AnnotationStore(self.location, corpus=self.corpus)
        self.model: dict[str, tuple] = {}  # id -> (doc_id, start, end, label, note)
        self.undo_stack: list[tuple[dict, dict]] = []
        self.redo_stack: list[tuple[dict, dict]] = []

    def teardown(self):
        if hasattr(self, "store"):
            self.store.close()
        if hasattr(self, "remove_location"):
            self.remove_location()

    def _changed(self, before):
        self.undo_stack.append((before, dict(self.model)))
        self.redo_stack.clear()

    @rule(data=st.data())
    def add(self, data):
        doc = data.draw(st.sampled_from(sorted(self.corpus.docs.values(), key=lambda d: d.id)))
        start = data.draw(st.integers(0, len(doc.text) - 1))
        end = data.draw(st.integers(start + 1, len(doc.text)))
        label = data.draw(st.sampled_from(LABELS))
        note = data.draw(self.notes)
        key = (doc.id, start, end, label)
        if any(v[:4] == key for v in self.model.values()):
            try:
                self.store.add(doc.id, start, end, label, note)
            except DuplicateAnnotationError:
                return
            raise AssertionError("duplicate accepted")
        ann = self.store.add(doc.id, start, end, label, note)
        assert ann.text == doc.text[start:end]
        before = dict(self.model)
        self.model[ann.id] = (doc.id, start, end, label, note)
        self._changed(before)

    @precondition(lambda self: bool(self.model))
    @rule(data=st.data())
    def update(self, data):
        ann_id = data.draw(st.sampled_from(list(self.model)))  # insertion order: ids are random, so their sorted order is not reproducible
        doc_id, start, end, label, note = self.model[ann_id]
        text = self.corpus.get(doc_id).text
        new_label = data.draw(st.sampled_from(LABELS))
        new_note = data.draw(self.notes)
        if data.draw(st.booleans()):
            start = data.draw(st.integers(0, len(text) - 1))
            end = data.draw(st.integers(start + 1, len(text)))
        key = (doc_id, start, end, new_label)
        if any(v[:4] == key and i != ann_id for i, v in self.model.items()):
            try:
                self.store.update(ann_id, label=new_label, note=new_note, start=start, end=end)
            except DuplicateAnnotationError:
                return
            raise AssertionError("update to a duplicate accepted")
        self.store.update(ann_id, label=new_label, note=new_note, start=start, end=end)
        before = dict(self.model)
        self.model[ann_id] = (doc_id, start, end, new_label, new_note)
        if before != self.model:
            self._changed(before)

    @precondition(lambda self: bool(self.model))
    @rule(data=st.data())
    def delete(self, data):
        ann_id = data.draw(st.sampled_from(list(self.model)))  # insertion order: ids are random, so their sorted order is not reproducible
        self.store.delete(ann_id)
        before = dict(self.model)
        del self.model[ann_id]
        self._changed(before)

    @rule()
    def undo(self):
        change = self.store.undo()
        assert (change is None) == (not self.undo_stack)
        if self.undo_stack:
            before, after = self.undo_stack.pop()
            self.redo_stack.append((before, after))
            self.model = dict(before)

    @rule()
    def redo(self):
        change = self.store.redo()
        assert (change is None) == (not self.redo_stack)
        if self.redo_stack:
            before, after = self.redo_stack.pop()
            self.undo_stack.append((before, after))
            self.model = dict(after)

    @rule(compact=st.booleans())
    def reopen(self, compact):
        if compact:
            self.store.close()
        else:
            self.store._engine.close()  # as if the process died: the journal alone must hold everything
        self.store = AnnotationStore(self.location, corpus=self.corpus)
        self.undo_stack.clear()
        self.redo_stack.clear()

    @invariant()
    def agrees_with_model(self):
        if not hasattr(self, "store"):
            return
        got = {}
        for doc_id, doc in self.corpus.docs.items():
            for ann in self.store.for_document(doc_id):
                assert doc.text[ann.start:ann.end] == ann.text
                got[ann.id] = (ann.doc_id, ann.start, ann.end, ann.label, ann.note)
        assert got == self.model


SUPPRESS = [HealthCheck.too_slow, HealthCheck.filter_too_much]
#: per engine: a database per example and a commit per step cost more, so fewer on PostgreSQL
SETTINGS = {
    "json": settings(max_examples=40, stateful_step_count=25, deadline=None, suppress_health_check=SUPPRESS),
    "postgresql": settings(max_examples=25, stateful_step_count=25, deadline=None, suppress_health_check=SUPPRESS),
}


@pytest.mark.parametrize("engine", ["json", "postgresql"])
def test_store_machine(engine, request):
    machine = StoreMachine
    if engine == "postgresql":
        server = request.getfixturevalue("pg_server")  # skips without the postgres extra

        def pg_location() -> tuple[object, Callable[[], None]]:
            name = "hyp_" + uuid.uuid4().hex[:12]
            return server.create_database(name), lambda: server.drop_database(name)

        # any note the file engine keeps, often with NUL and U+FDD0 (the engine stores strings escaped)
        machine = type("PgStoreMachine", (StoreMachine,), {
            "new_location": staticmethod(pg_location),
            "notes": st.text(st.sampled_from("\x00\ufdd0e0") | st.characters(exclude_categories=("Cs",)), max_size=5),
        })
    run_state_machine_as_test(machine, settings=SETTINGS[engine])
