"""Unit tests of reader.store: the API as the UI, CLI and formats call it."""
from __future__ import annotations

import hashlib
import json
import os

import pytest

from reader.errors import (
    AnnotationError,
    DuplicateAnnotationError,
    LabelsError,
    OffsetError,
    StoreError,
    StoreReadOnlyError,
    UnknownDocumentError,
)
from reader.model import Document
from reader.store import SCHEMA_VERSION, AnnotationStore, Change, check_store, shard_name


def make_doc(doc_id: str, text: str) -> Document:
    return Document(id=doc_id, text=text, sha256=hashlib.sha256(text.encode()).hexdigest())


class FakeCorpus:
    def __init__(self, *docs: Document):
        self.documents = list(docs)

    def get(self, doc_id):
        for d in self.documents:
            if d.id == doc_id:
                return d
        return None


TEXT = "The salary is 40,000 euros. «Ci vuole coraggio», disse. 👩‍👩‍👧 café ok"


@pytest.fixture
def corpus():
    return FakeCorpus(make_doc("a", TEXT), make_doc("b", "second document text"))


@pytest.fixture
def store(store_location, corpus):
    """A store on each engine (store_location: a JSON folder, then a PostgreSQL database)."""
    s = AnnotationStore(store_location, corpus=corpus, annotator="tester")
    yield s
    s.close()


def where(store):
    """The location to open ``store`` again (a database URL with its password)."""
    return getattr(store._engine, "url", store.path)


def reopen(store, **kw):
    store.close()
    return AnnotationStore(where(store), corpus=store._corpus, **kw)


def test_add_returns_annotation_with_span_text(store):
    ann = store.add("a", 4, 10, "salary", "a note")
    assert ann.text == TEXT[4:10] == "salary"
    assert ann.note == "a note" and ann.annotator == "tester"
    assert ann.doc_sha256 == store.document("a").sha256
    assert ann.created and ann.updated
    assert store.get(ann.id) == ann


def test_add_is_persisted(store):
    ann = store.add("a", 0, 3, "quote")
    store2 = reopen(store)
    try:
        assert store2.get(ann.id) == ann
        assert store2.for_document("a") == [ann]
    finally:
        store2.close()


def test_persisted_without_close(store_location, corpus):
    # no close: the journal alone must hold the save (a crash after add returned)
    s = AnnotationStore(store_location, corpus=corpus)
    ann = s.add("a", 0, 3, "quote")
    s._engine.close()  # drop the lock as a dying process would, without compacting
    s2 = AnnotationStore(store_location, corpus=corpus)
    assert s2.get(ann.id) == ann
    s2.close()


def test_text_checks(store):
    with pytest.raises(OffsetError, match="outside the document"):
        store.add("a", 0, len(TEXT) + 1, "salary")
    with pytest.raises(OffsetError):
        store.add("a", 5, 5, "salary")
    with pytest.raises(OffsetError):
        store.add("a", -1, 3, "salary")
    with pytest.raises(OffsetError, match="does not match"):
        store.add("a", 0, 3, "salary", text="xyz")
    assert store.add("a", 0, 3, "salary", text="The").text == "The"
    with pytest.raises(UnknownDocumentError):
        store.add("nope", 0, 3, "salary")
    with pytest.raises(AnnotationError, match="unknown label"):
        store.add("a", 0, 3, "nolabel")
    # a suggestion may carry a recogniser's label
    assert store.add("a", 0, 3, "money", status="suggested", source="suggest:salary").label == "money"


def test_duplicate_refused_overlaps_allowed(store):
    store.add("a", 4, 10, "salary")
    with pytest.raises(DuplicateAnnotationError, match="already covers 4..10"):
        store.add("a", 4, 10, "salary")
    store.add("a", 4, 10, "quote")  # same span, other label
    store.add("a", 0, 20, "claim")  # nested
    store.add("a", 8, 15, "claim")  # overlapping
    assert len(store.for_document("a")) == 4


def test_for_document_sorted_and_filtered(store):
    c = store.add("a", 20, 25, "claim")
    a = store.add("a", 4, 10, "salary")
    b = store.add("a", 4, 10, "opinion")
    s = store.add("a", 0, 3, "salary", status="suggested")
    assert [x.id for x in store.for_document("a")] == [s.id, b.id, a.id, c.id]
    assert [x.id for x in store.for_document("a", statuses=("accepted",))] == [b.id, a.id, c.id]
    d = store.add("b", 0, 6, "quote")
    assert [x.id for x in store.all()] == [b.id, a.id, c.id, d.id]
    assert store.count_by_document() == {"a": {"claim": 1, "salary": 1, "opinion": 1}, "b": {"quote": 1}}


def test_count_by_document_per_annotator(store_location):
    """by="annotator": who worked where (the library's Review column), on both engines."""
    with AnnotationStore(store_location, annotator="ann") as store:
        store.add("a", 0, 3, "claim", text="abc")
        store.add("a", 4, 6, "quote", annotator="bob", text="de")
        store.add("a", 7, 9, "quote", annotator="bob", status="suggested", text="fg")
        store.add("b", 0, 2, "claim", annotator="bob", text="hi")
        assert store.count_by_document(by="annotator") == {"a": {"ann": 1, "bob": 1}, "b": {"bob": 1}}
        assert store.count_by_document(statuses=("suggested",), by="annotator") == {"a": {"bob": 1}}
        assert store.count_by_document() == {"a": {"claim": 1, "quote": 1}, "b": {"claim": 1}}


def test_counts_hide_a_shared_suggestion_from_whoever_decided_it(store_location):
    """The library's counts agree with what the session shows: a shared suggestion alice
    rejected is no longer counted for her, and still is for bob (both engines)."""
    with AnnotationStore(store_location, annotator="root") as store:
        shared = store.add("a", 7, 9, "quote", status="suggested", text="fg")
    with AnnotationStore(store_location, annotator="alice") as store:
        store.update(shared.id, status="rejected")
        assert store.for_document("a") == []
        assert store.count_by_document(statuses=("suggested",)) == {}
        assert store.count_by_document(statuses=("suggested", "rejected"), by="annotator") == {"a": {"alice": 1}}
    with AnnotationStore(store_location, annotator="bob") as store:
        assert store.count_by_document(statuses=("suggested",)) == {"a": {"quote": 1}}


def test_returned_annotations_are_copies(store):
    ann = store.add("a", 4, 10, "salary")
    ann.label = "quote"
    store.for_document("a")[0].note = "changed"
    assert store.get(ann.id).label == "salary"
    assert store.get(ann.id).note == ""


def test_update_label_note_span(store):
    ann = store.add("a", 4, 10, "salary")
    up = store.update(ann.id, label="claim", note="ok")
    assert (up.label, up.note) == ("claim", "ok")
    moved = store.update(ann.id, start=0, end=3)
    assert moved.text == "The" and (moved.start, moved.end) == (0, 3)
    with pytest.raises(OffsetError):
        store.update(ann.id, end=len(TEXT) + 5)
    with pytest.raises(AnnotationError):
        store.update(ann.id, label="bogus")
    with pytest.raises(AnnotationError, match="no annotation"):
        store.update("missing", note="x")
    other = store.add("a", 4, 10, "salary")
    with pytest.raises(DuplicateAnnotationError):
        store.update(other.id, start=0, end=3, label="claim")
    store2 = reopen(store)
    try:
        got = store2.get(ann.id)
        assert (got.label, got.note, got.text) == ("claim", "ok", "The")
    finally:
        store2.close()


def test_delete(store):
    ann = store.add("a", 4, 10, "salary")
    assert store.delete(ann.id) == ann
    assert store.get(ann.id) is None and store.for_document("a") == []
    store.add("a", 4, 10, "salary")  # the key is free again
    with pytest.raises(AnnotationError):
        store.delete("missing")


def test_undo_redo(store):
    assert store.undo() is None and not store.can_undo
    a = store.add("a", 4, 10, "salary")
    store.update(a.id, note="n1")
    b = store.add("a", 0, 3, "quote")
    store.delete(a.id)
    assert store.get(a.id) is None

    ch = store.undo()
    assert isinstance(ch, Change) and ch.kind == "delete"
    assert store.get(a.id).note == "n1"
    assert store.undo().kind == "add" and store.get(b.id) is None
    assert store.undo().kind == "update" and store.get(a.id).note == ""
    assert store.undo().kind == "add" and store.get(a.id) is None
    assert store.undo() is None and store.can_redo

    assert store.redo().kind == "add" and store.get(a.id).note == ""
    assert store.redo().kind == "update" and store.get(a.id).note == "n1"
    # a new change clears redo
    store.add("b", 0, 6, "claim")
    assert not store.can_redo and store.redo() is None
    # undo/redo are durable
    store2 = reopen(store)
    try:
        assert store2.get(a.id).note == "n1"
        assert store2.get(b.id) is None
        assert not store2.can_undo  # per session
    finally:
        store2.close()


def test_add_many_batch(store):
    items = [("a", 0, 3, "salary"), {"doc_id": "a", "start": 4, "end": 10, "label": "claim", "note": "x"},
             ("a", 0, 3, "salary"), ("b", 0, 6, "quote")]
    added = store.add_many(items, source="import:test")
    assert len(added) == 3  # the duplicate is skipped
    assert all(a.source == "import:test" for a in added)
    assert added[1].note == "x" and added[1].text == "salary"
    assert store.add_many([("a", 0, 3, "salary")]) == []
    with pytest.raises(OffsetError, match="item 2"):
        store.add_many([("a", 11, 14, "claim"), ("a", 0, 999, "claim")])
    assert len(store.all()) == 3  # nothing of the bad batch was added
    ch = store.undo()
    assert ch.kind == "batch" and len(ch.items) == 3
    assert store.all() == []
    store.redo()
    assert len(store.all()) == 3


def test_add_many_keeps_ids_and_timestamps(store):
    items = [{"id": "fixed1", "doc_id": "a", "start": 0, "end": 3, "label": "salary", "annotator": "other",
              "created": "2024-01-01T00:00:00+00:00", "updated": "2024-01-02T00:00:00+00:00"}]
    (ann,) = store.add_many(items)
    assert (ann.id, ann.annotator, ann.created, ann.updated) == (
        "fixed1", "other", "2024-01-01T00:00:00+00:00", "2024-01-02T00:00:00+00:00")


def test_store_without_corpus_accepts_given_text(store_location):
    with AnnotationStore(store_location) as s:
        ann = s.add("x", 2, 5, "quote", text="abc")
        assert ann.text == "abc" and ann.doc_sha256 == ""
        with pytest.raises(OffsetError):
            s.add("x", 2, 5, "quote", text="toolong")
    with AnnotationStore(store_location) as s:
        assert s.get(ann.id).text == "abc"


def test_context_manager_and_idempotent_close(store_location):
    with AnnotationStore(store_location) as s:
        s.add("x", 0, 1, "quote", text="a")
    s.close()
    s.close()
    assert s.closed
    with pytest.raises(StoreError, match="closed"):
        s.add("x", 1, 2, "quote", text="b")


def test_readonly_refuses_writes(store_location):
    with AnnotationStore(store_location) as s:
        s.add("x", 0, 1, "quote", text="a")
    ro = AnnotationStore(store_location, readonly=True)
    assert ro.readonly and ro.readonly_reason
    assert len(ro.all()) == 1
    with pytest.raises(StoreReadOnlyError, match="nothing was saved"):
        ro.add("x", 1, 2, "quote", text="b")
    with pytest.raises(StoreReadOnlyError):
        ro.set_state("k", 1)
    ro.close()


def test_caches_and_state_are_durable(store_location):
    doc = make_doc("imp", "imported text here")
    with AnnotationStore(store_location) as s:
        assert s.cached_language("abc") is None
        s.cache_languages({"abc": {"lang": "it", "confidence": 0.99, "paragraphs": [(0, 5, "it", 0.9)]}})
        s.set_language_override("d1", "fr")
        s.set_language_override("d2", "en")
        s.set_language_override("d2", None)
        s.set_done("d1", True)
        s.set_state("last", {"doc": "d1", "offset": 42})
        s.add_documents([doc])
        s.add("imp", 0, 8, "claim")  # validated against the imported document's text
        with pytest.raises(OffsetError):
            s.add("imp", 0, 100, "claim")
    with AnnotationStore(store_location) as s:
        assert s.cached_language("abc") == {"lang": "it", "confidence": 0.99, "paragraphs": [[0, 5, "it", 0.9]]}
        assert s.language_overrides() == {"d1": "fr"}
        assert s.doc_status("d1") == "done"
        assert s.doc_status("imp") == "in progress"
        assert s.doc_status("other") == "new"
        s.set_done("d1", False)
        assert s.doc_status("d1") == "new"
        assert s.get_state("last") == {"doc": "d1", "offset": 42}
        assert s.get_state("missing", 7) == 7
        (d,) = s.imported_documents()
        assert (d.id, d.text, d.sha256, d.imported) == ("imp", doc.text, doc.sha256, True)
        assert s.for_document("imp")[0].text == "imported"


def test_rejected_keys(store):
    s1 = store.add("a", 0, 3, "salary", status="suggested")
    s2 = store.add("a", 4, 10, "claim", status="suggested")
    store.update(s1.id, status="rejected")
    store.delete(s2.id)
    keys = store.rejected_keys("a")
    assert (0, 3, "salary") in keys and (4, 10, "claim") in keys
    assert ("a", 0, 3, "salary") in keys
    assert store.rejected_keys("b") == set()
    # a rejected suggestion does not block the user's own annotation
    store.add("a", 0, 3, "salary")
    store2 = reopen(store)
    try:
        assert {(0, 3, "salary"), (4, 10, "claim")} <= store2.rejected_keys("a")
    finally:
        store2.close()


def test_labels_from_store_folder(tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "labels.toml").write_text('[person]\nkey = "1"\ncolor = "red"\n', encoding="utf-8")
    with AnnotationStore(folder) as s:
        assert s.labels.names == ["person"]
        s.add("x", 0, 1, "person", text="a")
        with pytest.raises(AnnotationError):
            s.add("x", 0, 1, "salary", text="a")


@pytest.mark.parametrize(
    "content, line, words",
    [
        ('[a]\nkey = "1"\ncolor = "red"\n[b\n', 4, "invalid TOML"),
        ('[a]\nkey = "1"\ncolor = "red"\n[b]\nkey = "1"\ncolor = "blue"\n', 5, "already used"),
        ('[a]\nkey = "1"\ncolor = "reddish"\n', 3, "unknown colour"),
        ('[a]\nkey = "1"\nkey = "2"\ncolor = "red"\n', 3, "invalid TOML"),
    ],
)
def test_bad_labels_file_names_the_line(tmp_path, content, line, words):
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "labels.toml").write_text(content, encoding="utf-8")
    with pytest.raises(LabelsError) as info:
        AnnotationStore(folder)
    assert info.value.line == line
    assert f"line {line}" in str(info.value) and "labels.toml" in str(info.value)
    assert words in str(info.value)
    # the failed open released the lock
    (folder / "labels.toml").unlink()
    AnnotationStore(folder).close()


def test_on_disk_layout(tmp_path):
    with AnnotationStore(tmp_path / "s") as s:
        ann = s.add("dir/näme 1", 0, 3, "quote", text="abc")
    root = tmp_path / "s"
    meta = json.loads((root / "meta.json").read_text(encoding="utf-8"))
    assert meta["_meta"]["1"]["schema_version"] == SCHEMA_VERSION
    shard = root / "docs" / shard_name("dir/näme 1")
    assert shard.exists() and "/" not in shard_name("dir/näme 1")
    data = json.loads(shard.read_text(encoding="utf-8"))
    assert data["_shard"]["1"]["doc_id"] == "dir/näme 1"
    assert list(data["annotations"].values())[0]["id"] == ann.id
    assert (root / "journal.jsonl").read_bytes() == b""  # compacted on close
    assert check_store(root) == []


def test_non_ascii_kept_readable(tmp_path):
    with AnnotationStore(tmp_path / "s") as s:
        s.add("x", 0, 5, "quote", text="مرحبا")
    raw = next((tmp_path / "s" / "docs").iterdir()).read_text(encoding="utf-8")
    assert "مرحبا" in raw


def test_compaction_during_use(tmp_path, monkeypatch):
    import reader.store.engine as engine_mod

    monkeypatch.setattr(engine_mod, "COMPACT_RECORDS", 10)
    with AnnotationStore(tmp_path / "s") as s:
        ids = [s.add("x", i, i + 1, "quote", text="a").id for i in range(35)]
        assert s._engine._journal.records < 10
    with AnnotationStore(tmp_path / "s") as s:
        assert {a.id for a in s.all()} == set(ids)


def test_store_path_is_a_file(tmp_path):
    (tmp_path / "f").write_text("x")
    with pytest.raises(StoreError, match="not a folder"):
        AnnotationStore(tmp_path / "f")


def test_second_writer_in_same_process_is_refused(tmp_path):
    from reader.errors import StoreLockedError

    with AnnotationStore(tmp_path / "s") as first:
        with pytest.raises(StoreLockedError) as info:
            AnnotationStore(tmp_path / "s")
        assert str(tmp_path / "s" / ".lock") in str(info.value)
        assert f"pid {os.getpid()}" in str(info.value)
        first.add("x", 0, 1, "quote", text="a")
    with AnnotationStore(tmp_path / "s") as again:
        assert len(again.all()) == 1


def test_threads_share_a_store(store_location):
    import threading

    store = AnnotationStore(store_location)
    errors = []

    def work(t):
        try:
            for i in range(50):
                a = store.add(f"doc{t}", i, i + 1, "quote", text="x")
                store.update(a.id, note=str(i))
                store.for_document(f"doc{t}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    store.close()  # close from another thread than the workers
    assert not errors
    with AnnotationStore(store_location) as s:
        assert len(s.all()) == 200 and all(a.note for a in s.all())


def test_files_are_plain_tinydb_databases(tmp_path):
    from tinydb import Query, TinyDB

    with AnnotationStore(tmp_path / "s") as s:
        s.add("doc", 0, 3, "quote", text="abc")
        s.add("doc", 3, 5, "claim", text="de")
        s.set_state("last", "doc")
    shard = tmp_path / "s" / "docs" / shard_name("doc")
    with TinyDB(shard, access_mode="r", encoding="utf-8") as db:
        assert sorted(r["label"] for r in db.table("annotations").all()) == ["claim", "quote"]
        assert db.table("annotations").search(Query().label == "quote")[0]["text"] == "abc"
    with TinyDB(tmp_path / "s" / "meta.json", access_mode="r", encoding="utf-8") as db:
        assert db.table("_meta").all()[0]["schema_version"] == SCHEMA_VERSION
        assert db.table("state").search(Query().k == "last")[0]["v"] == "doc"


def test_update_many_is_one_save_and_one_undo(store_location):
    from reader.model import Document
    from reader.text import sha256_bytes

    text = "pay rose to $300,000 and then to $900,000 a year"
    doc = Document(id="d", text=text, sha256=sha256_bytes(text.encode()))

    class _Corpus(list):
        def get(self, doc_id):
            return next((d for d in self if d.id == doc_id), None)

    with AnnotationStore(store_location, corpus=_Corpus([doc])) as store:
        a = store.add("d", 12, 20, "salary", status="suggested")
        b = store.add("d", 33, 41, "salary", status="suggested")
        changed = store.update_many([a.id, b.id], status="accepted")
        assert {x.status for x in changed} == {"accepted"}
        assert {x.status for x in store.for_document("d")} == {"accepted"}
        store.undo()
        assert {x.status for x in store.for_document("d")} == {"suggested"}
        store.redo()
    with AnnotationStore(store_location) as store:
        assert {(x.text, x.status) for x in store.for_document("d")} == {("$300,000", "accepted"), ("$900,000", "accepted")}
        with pytest.raises(Exception):
            store.update_many([a.id, "nope"], status="suggested")
        assert {x.status for x in store.for_document("d")} == {"accepted"}  # nothing changed
