"""Adversarial checks of the file store's writing (reader.store.engine, journal, fsutil): odd text,
files that vanish, a full disk. Failures of today's code are ``xfail(strict=True)`` with the reason."""
from __future__ import annotations

import errno
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reader import fsutil
from memory_corpus import MemoryCorpus, doc
from reader.errors import ReaderError
from reader.model import Document
from reader.store import AnnotationStore, check_store

REPO = Path(__file__).resolve().parents[2]
TEXT = "The salary is 40,000 euros. Ci vuole coraggio, disse. More text here."


def _corpus(text: str = TEXT) -> MemoryCorpus:
    return MemoryCorpus([doc("a", text)])


def test_a_lone_surrogate_in_a_note_is_refused_alone_and_later_saves_go_through(tmp_path: Path) -> None:
    store = AnnotationStore(tmp_path / "s", corpus=_corpus(), annotator="a")
    try:
        store.add("a", 0, 3, "claim", note="bad\udcffnote")
    except ReaderError:
        pass  # refused in one line: fine
    except UnicodeError as exc:
        pytest.fail(f"not a ReaderError: {exc!r}")
    store.add("a", 4, 10, "claim", note="good")
    assert store.unsaved == 0
    store.close()
    spans = {(a.start, a.end) for a in AnnotationStore(tmp_path / "s", corpus=_corpus(), readonly=True).all()}
    assert (4, 10) in spans


def test_odd_characters_round_trip_through_the_journal_and_compaction(tmp_path: Path) -> None:
    parts = ["\ufeffBOM", "nul\x00here", "line\u2028sep", "para\u2029sep", "👩\u200d👩\u200d👧", "\x85nel", "e\u0301"]
    text = " ".join(parts) + " tail"
    corpus = _corpus(text)
    store = AnnotationStore(tmp_path / "s", corpus=corpus, annotator="a\u2028b")
    for p in parts:
        i = text.index(p)
        store.add("a", i, i + len(p), "claim", note=p)
    reopened = AnnotationStore(tmp_path / "s", corpus=corpus, readonly=True)  # from the journal
    assert sorted(a.text for a in reopened.all()) == sorted(parts)
    store.close()  # compacts into the shard
    reopened = AnnotationStore(tmp_path / "s", corpus=corpus, readonly=True)
    assert all(text[a.start:a.end] == a.text == a.note for a in reopened.all())
    assert sorted(a.text for a in reopened.all()) == sorted(parts)


def _store_with_imported_documents(tmp_path: Path) -> Path:
    src = tmp_path / "in.jsonl"
    src.write_text('{"id": "d1", "text": "imported text one", "spans": [{"start": 0, "end": 8, "label": "claim"}]}\n'
                   '{"id": "d2", "text": "imported text two", "spans": []}\n', encoding="utf-8")
    (tmp_path / "empty").mkdir()
    env = dict(os.environ, PYTHONPATH=str(REPO))
    out = subprocess.run([sys.executable, "-m", "reader", "import", str(tmp_path / "empty"), str(src), "--format",
                          "jsonl", "--store", str(tmp_path / "s")], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return tmp_path / "s"


def test_a_store_that_lost_meta_json_is_not_taken_for_a_new_one(tmp_path: Path) -> None:
    path = _store_with_imported_documents(tmp_path)
    (path / "meta.json").unlink()
    assert check_store(path), "store check says ok on a store without meta.json and with shards"
    try:
        store = AnnotationStore(path, annotator="a")
    except ReaderError:
        assert not (path / "meta.json").exists()  # refused, nothing written: fine
        return
    try:
        assert {d.id for d in store.imported_documents()} == {"d1", "d2"}
    finally:
        store.close()


def test_a_full_disk_during_a_save_keeps_the_change_unsaved_and_the_store_readable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = AnnotationStore(tmp_path / "s", corpus=_corpus(), annotator="a")
    store.add("a", 0, 3, "claim")
    real_write = os.write

    def full(fd: int, data: bytes) -> int:
        n = real_write(fd, bytes(data)[: max(0, len(data) // 2)])  # half a line, then the disk is full
        if n < len(data):
            raise OSError(errno.ENOSPC, "No space left on device")
        return n

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(ReaderError):
        store.add("a", 4, 10, "quote")
    assert store.unsaved == 1
    monkeypatch.setattr(os, "write", real_write)
    assert store.retry_unsaved() == 0 or store.unsaved == 0
    store.close()
    spans = {(a.start, a.end) for a in AnnotationStore(tmp_path / "s", corpus=_corpus(), readonly=True).all()}
    assert spans == {(0, 3), (4, 10)}


def test_a_full_disk_during_compaction_loses_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = AnnotationStore(tmp_path / "s", corpus=_corpus(), annotator="a")
    store.add("a", 0, 3, "claim")
    store.add("a", 4, 10, "quote")

    def full(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)  # fsutil writes with os.write
    with pytest.raises(ReaderError):
        store.compact()
    monkeypatch.undo()
    assert not any(p.name.startswith(fsutil.TMP_PREFIX) for p in (tmp_path / "s").rglob("*"))
    spans = {(a.start, a.end) for a in AnnotationStore(tmp_path / "s", corpus=_corpus(), readonly=True).all()}
    assert spans == {(0, 3), (4, 10)}
    store.close()


def _damage(path: Path) -> None:
    with open(path, "r+b") as fh:
        fh.seek(5)
        fh.write(b"\x00\x00")  # a few bad bytes: the file no longer parses


def test_recovering_meta_json_after_a_session_of_annotations_only_keeps_the_imported_documents(tmp_path: Path) -> None:
    from reader.store import recover_store

    path = tmp_path / "s"
    imported = Document(id="imp1", text="imported text here", sha256=hashlib.sha256(b"imported text here").hexdigest(),
                   imported=True)
    store = AnnotationStore(path, annotator="a")
    store.add_documents([imported])
    store.close()  # compaction 1: meta.json has the document, meta.json.bak the empty store
    store = AnnotationStore(path, annotator="a")
    store.add("imp1", 0, 8, "claim")
    store.close()  # compaction 2: one shard; meta.json untouched; journal.prev.jsonl is now this session's
    _damage(path / "meta.json")
    recover_store(path)
    store = AnnotationStore(path, annotator="a", readonly=True)
    assert [d.id for d in store.imported_documents()] == ["imp1"]
    assert [(a.doc_id, a.start, a.end) for a in store.all()] == [("imp1", 0, 8)]


def test_recovering_a_shard_after_a_session_on_another_document_keeps_its_annotations(tmp_path: Path) -> None:
    from reader.store import recover_store, shard_name

    text_b = "second document text"
    corpus = MemoryCorpus([doc("a", TEXT), doc("b", text_b)])
    path = tmp_path / "s"
    store = AnnotationStore(path, corpus=corpus, annotator="a")
    store.add("a", 0, 3, "claim")
    store.close()  # compaction 1: a's shard (its .bak: none)
    store = AnnotationStore(path, corpus=corpus, annotator="a")
    store.add("a", 4, 10, "quote")
    store.close()  # compaction 2: a's shard again (.bak: the first span only)
    store = AnnotationStore(path, corpus=corpus, annotator="a")
    store.add("b", 0, 6, "claim")
    store.close()  # compaction 3: b's shard only; journal.prev.jsonl holds only b's change
    (path / "docs" / shard_name("a")).write_bytes(b"\x00" * 64)  # zeroed, as by a crash of the disk: nothing to salvage
    recover_store(path)
    spans = {(a.doc_id, a.start, a.end) for a in AnnotationStore(path, corpus=corpus, readonly=True).all()}
    assert spans == {("a", 0, 3), ("a", 4, 10), ("b", 0, 6)}
