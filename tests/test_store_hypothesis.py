"""Stateful property test: random add/update/delete/undo/redo/reopen sequences over
random Unicode documents agree with a plain model, and text[start:end] == ann.text."""
from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from reader.errors import DuplicateAnnotationError
from reader.model import Document
from reader.store import AnnotationStore

LABELS = ["salary", "quote", "claim", "opinion"]
PIECES = [
    "a", "é", "e\u0301", "👩\u200d👩\u200d👧", "🇮🇹", "👍🏽", "❤\ufe0f", "مَرْحَبًا", "\u200f", "中文", "\t", " ", "\n",
    "\u2028", "x", "Z", "0", "«", "»", "\x85",
]
texts = st.lists(st.sampled_from(PIECES) | st.text(max_size=3).map(lambda t: t.replace("\r", "")), min_size=2, max_size=25).map("".join).filter(lambda t: len(t) >= 2)


class Corpus:
    def __init__(self, docs):
        self.docs = {d.id: d for d in docs}

    def get(self, doc_id):
        return self.docs.get(doc_id)


class StoreMachine(RuleBasedStateMachine):
    @initialize(doc_texts=st.lists(texts, min_size=1, max_size=3))
    def setup(self, doc_texts):
        self.dir = Path(tempfile.mkdtemp(prefix="store-hyp-"))
        docs = [Document(id=f"d{i}/ü {i}", text=t, sha256=hashlib.sha256(t.encode()).hexdigest())
                for i, t in enumerate(doc_texts)]
        self.corpus = Corpus(docs)
        self.store = AnnotationStore(self.dir / "s", corpus=self.corpus)
        self.model: dict[str, tuple] = {}  # id -> (doc_id, start, end, label, note)
        self.undo_stack: list[tuple[dict, dict]] = []
        self.redo_stack: list[tuple[dict, dict]] = []

    def teardown(self):
        if hasattr(self, "store"):
            self.store.close()
            shutil.rmtree(self.dir, ignore_errors=True)

    def _changed(self, before):
        self.undo_stack.append((before, dict(self.model)))
        self.redo_stack.clear()

    @rule(data=st.data())
    def add(self, data):
        doc = data.draw(st.sampled_from(sorted(self.corpus.docs.values(), key=lambda d: d.id)))
        start = data.draw(st.integers(0, len(doc.text) - 1))
        end = data.draw(st.integers(start + 1, len(doc.text)))
        label = data.draw(st.sampled_from(LABELS))
        note = data.draw(st.text(max_size=5))
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
        new_note = data.draw(st.text(max_size=5))
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
        self.store = AnnotationStore(self.dir / "s", corpus=self.corpus)
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


StoreMachine.TestCase.settings = settings(
    max_examples=40, stateful_step_count=25, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestStoreMachine = StoreMachine.TestCase
