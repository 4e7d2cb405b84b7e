"""The store under faults: disk full / EIO, read-only folders, newer schemas,
corrupt files (never overwritten), check_store and recover_store, re-anchoring."""
from __future__ import annotations

import errno
import hashlib
import json
import os
from pathlib import Path

import pytest

import reader.fsutil as fsutil
from reader.errors import (
    StoreCorruptError,
    StoreReadOnlyError,
    StoreVersionError,
    StoreWriteError,
)
from reader.model import Document
from reader.store import AnnotationStore, check_store, recover_store, shard_name
import reader.store.engine as engine_mod
from reader.store.journal import encode_record


def make_doc(doc_id: str, text: str) -> Document:
    return Document(id=doc_id, text=text, sha256=hashlib.sha256(text.encode()).hexdigest())


class FakeCorpus:
    def __init__(self, *docs):
        self.docs = {d.id: d for d in docs}

    def get(self, doc_id):
        return self.docs.get(doc_id)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
            and p.name not in (".lock", ".lock.info")}


# --------------------------------------------------------------------------- disk full / EIO


class Fault:
    """Replaces fsutil.write_and_sync; fails with ``err`` while ``on``, optionally after a partial write."""

    def __init__(self, monkeypatch, err=errno.ENOSPC, partial=False):
        self.on = True
        self.err = err
        self.partial = partial
        self.real = fsutil.write_and_sync
        monkeypatch.setattr(fsutil, "write_and_sync", self)

    def __call__(self, fd, data):
        if self.on:
            if self.partial:
                os.write(fd, data[: len(data) // 2])
            raise OSError(self.err, os.strerror(self.err))
        return self.real(fd, data)


@pytest.mark.parametrize("err, words", [(errno.ENOSPC, "disk full"), (errno.EIO, "input/output error")])
@pytest.mark.parametrize("partial", [False, True])
def test_write_fault_keeps_change_unsaved_and_retries(tmp_path, monkeypatch, err, words, partial):
    path = tmp_path / "s"
    store = AnnotationStore(path)
    before = [store.add("d", i, i + 1, "quote", text="x") for i in range(5)]
    fault = Fault(monkeypatch, err, partial)
    with pytest.raises(StoreWriteError) as info:
        store.add("d", 10, 11, "claim", text="y")
    msg = str(info.value)
    assert words in msg and "journal.jsonl" in msg and "unsaved" in msg
    assert store.unsaved == 1
    assert [a.start for a in store.for_document("d")] == [0, 1, 2, 3, 4, 10]  # visible in memory
    with pytest.raises(StoreWriteError):
        store.update(before[0].id, note="changed")
    assert store.unsaved == 2
    # nothing earlier on disk is damaged: a reader sees exactly the earlier saves
    with AnnotationStore(path, readonly=True) as ro:
        assert sorted(a.id for a in ro.all()) == sorted(a.id for a in before)
        assert ro.get(before[0].id).note == ""
    with pytest.raises(StoreWriteError):
        store.retry_unsaved()
    fault.on = False
    assert store.retry_unsaved() == 2
    assert store.unsaved == 0
    with AnnotationStore(path, readonly=True) as ro:
        assert len(ro.all()) == 6 and ro.get(before[0].id).note == "changed"
    store.close()
    reopened = AnnotationStore(path)
    assert len(reopened.all()) == 6
    assert check_store(path) == []
    reopened.close()


def test_next_save_flushes_unsaved_first(tmp_path, monkeypatch):
    store = AnnotationStore(tmp_path / "s")
    fault = Fault(monkeypatch)
    with pytest.raises(StoreWriteError):
        a = store.add("d", 0, 1, "quote", text="x")
    (a,) = store.for_document("d")
    fault.on = False
    b = store.add("d", 1, 2, "quote", text="y")  # saves the pending one too, in order
    assert store.unsaved == 0
    store.close()
    with AnnotationStore(tmp_path / "s") as s:
        assert {x.id for x in s.all()} == {a.id, b.id}


def test_close_with_unsaved_changes_raises_and_stays_open(tmp_path, monkeypatch):
    store = AnnotationStore(tmp_path / "s")
    fault = Fault(monkeypatch)
    with pytest.raises(StoreWriteError):
        store.add("d", 0, 1, "quote", text="x")
    with pytest.raises(StoreWriteError):
        store.close()
    assert not store.closed
    fault.on = False
    store.close()
    assert store.closed
    with AnnotationStore(tmp_path / "s") as s:
        assert len(s.all()) == 1


def test_compaction_fault_loses_nothing(tmp_path, monkeypatch):
    path = tmp_path / "s"
    store = AnnotationStore(path)
    store.add("d", 0, 1, "quote", text="x")
    # the journal save succeeds; only the shard/meta writes of the compaction fail
    real_write_temp = fsutil.write_temp

    def failing_write_temp(p, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fsutil, "write_temp", failing_write_temp)
    store.add("d", 1, 2, "quote", text="y")
    store.close()  # compaction fails; the journal keeps the changes
    assert "compaction failed" in (store.last_error or "") and "disk full" in store.last_error
    assert store.closed
    monkeypatch.setattr(fsutil, "write_temp", real_write_temp)
    assert not list(path.rglob(".tmp-*"))
    with AnnotationStore(path) as s:
        assert len(s.all()) == 2
    assert check_store(path) == []


# --------------------------------------------------------------------------- read-only


def test_readonly_folder_opens_readonly(tmp_path):
    path = tmp_path / "s"
    with AnnotationStore(path) as s:
        s.add("d", 0, 1, "quote", text="x")
    os.chmod(path, 0o555)
    try:
        if engine_mod.probe_writable(path) is None:
            pytest.skip("running as root: permissions do not stop writes here")
        with AnnotationStore(path) as s:
            assert s.readonly and "not writable" in s.readonly_reason
            assert len(s.all()) == 1
            with pytest.raises(StoreReadOnlyError):
                s.add("d", 1, 2, "quote", text="y")
    finally:
        os.chmod(path, 0o755)


def test_probe_detects_unwritable_folder():
    target = Path("/proc")
    if not target.is_dir():
        pytest.skip("no /proc")
    reason = engine_mod.probe_writable(target)
    assert reason and "not writable" in reason


def test_unwritable_folder_seen_by_probe_opens_readonly(tmp_path, monkeypatch):
    path = tmp_path / "s"
    with AnnotationStore(path) as s:
        s.add("d", 0, 1, "quote", text="x")
    before = snapshot(path)
    monkeypatch.setattr(engine_mod, "probe_writable", lambda folder: "the store folder is not writable (permission denied)")
    s = AnnotationStore(path)
    assert s.readonly and s.readonly_reason == "the store folder is not writable (permission denied)"
    assert s._engine._filelock is None
    with pytest.raises(StoreReadOnlyError, match="permission denied"):
        s.delete(s.all()[0].id)
    s.close()
    assert snapshot(path) == before


# --------------------------------------------------------------------------- schema versions


def _bump_meta_version(path: Path, version: int) -> None:
    meta = path / "meta.json"
    data = json.loads(meta.read_text(encoding="utf-8"))
    data["_meta"]["1"]["schema_version"] = version
    meta.write_text(json.dumps(data), encoding="utf-8")


def test_newer_schema_is_refused_untouched(tmp_path):
    path = tmp_path / "s"
    with AnnotationStore(path) as s:
        s.add("d", 0, 1, "quote", text="x")
    _bump_meta_version(path, 99)
    before = snapshot(path)
    for readonly in (False, True):
        with pytest.raises(StoreVersionError) as info:
            AnnotationStore(path, readonly=readonly)
        assert "meta.json" in str(info.value) and "99" in str(info.value) and "not changed" in str(info.value)
    assert snapshot(path) == before
    assert any("99" in p for p in check_store(path))
    with pytest.raises(StoreVersionError):
        recover_store(path)
    assert snapshot(path) == before


def test_newer_journal_record_is_refused(tmp_path):
    path = tmp_path / "s"
    AnnotationStore(path).close()
    with open(path / "journal.jsonl", "ab") as f:
        f.write(encode_record({"v": 7, "ops": [["future-op", 1]]}))
    before = snapshot(path)
    with pytest.raises(StoreVersionError, match="journal.jsonl"):
        AnnotationStore(path)
    assert snapshot(path) == before


# --------------------------------------------------------------------------- corrupt files


def _store_with_history(path: Path) -> list[str]:
    """Two compactions, so every file has a .bak; returns the ids saved."""
    ids = []
    with AnnotationStore(path) as s:
        ids += [s.add("alpha", i, i + 1, "quote", text="x").id for i in range(3)]
        ids += [s.add("beta", i, i + 1, "claim", text="y").id for i in range(2)]
        s.set_state("last", "alpha")
    with AnnotationStore(path) as s:
        ids.append(s.add("alpha", 10, 11, "quote", text="z").id)
        ids.append(s.add("beta", 10, 11, "claim", text="w").id)
        s.set_state("last", "beta")
    return ids


@pytest.mark.parametrize("target", ["meta", "shard", "shard-truncated", "shard-not-object"])
def test_corrupt_file_never_overwritten(tmp_path, target):
    path = tmp_path / "s"
    ids = _store_with_history(path)
    if target == "meta":
        victim = path / "meta.json"
        victim.write_bytes(victim.read_bytes()[:-7] + b"garbage")
    elif target == "shard":
        victim = path / "docs" / shard_name("alpha")
        victim.write_bytes(b"\x00\xff not json")
    elif target == "shard-truncated":
        victim = path / "docs" / shard_name("alpha")
        victim.write_bytes(victim.read_bytes()[: 50])
    else:
        victim = path / "docs" / shard_name("alpha")
        victim.write_text("[1, 2, 3]", encoding="utf-8")
    before = snapshot(path)
    for readonly in (False, True):
        with pytest.raises(StoreCorruptError) as info:
            AnnotationStore(path, readonly=readonly)
        msg = str(info.value)
        assert str(victim) in msg
        assert str(victim) + ".bak" in msg and "reader store recover" in msg
        assert info.value.backup == str(victim) + ".bak"
    assert snapshot(path) == before  # byte for byte
    problems = check_store(path)
    assert len(problems) == 1 and str(victim) in problems[0]
    assert snapshot(path) == before

    summary = recover_store(path)
    assert victim.name in summary and "corrupt-" in summary
    asides = list(victim.parent.glob(victim.name + ".corrupt-*"))
    assert len(asides) == 1 and asides[0].read_bytes() == before[str(victim.relative_to(path))]
    assert check_store(path) == []
    with AnnotationStore(path) as s:
        got = {a.id for a in s.all()}
        # the backup plus the previous journal give back everything here
        assert got == set(ids)
        assert s.get_state("last") == "beta"


def test_corrupt_journal_middle_line(tmp_path):
    path = tmp_path / "s"
    store = AnnotationStore(path)
    ids = [store.add("d", i, i + 1, "quote", text="x").id for i in range(6)]
    store._engine.close()  # leave the journal uncompacted, as after a crash
    journal = path / "journal.jsonl"
    lines = journal.read_bytes().split(b"\n")
    lines[2] = lines[2][:20] + b"X" + lines[2][21:]  # flip a byte: checksum mismatch
    journal.write_bytes(b"\n".join(lines))
    before = snapshot(path)
    with pytest.raises(StoreCorruptError) as info:
        AnnotationStore(path)
    assert "journal.jsonl" in str(info.value) and "line 3" in str(info.value)
    assert snapshot(path) == before
    assert any("line 3" in p for p in check_store(path))
    summary = recover_store(path)
    assert "1 unreadable line" in summary and "journal.jsonl.corrupt-" in summary
    with AnnotationStore(path) as s:
        assert {a.id for a in s.all()} == set(ids) - {ids[2]}
    assert check_store(path) == []


def test_torn_last_journal_line_is_ignored_and_cut(tmp_path):
    path = tmp_path / "s"
    store = AnnotationStore(path)
    ids = [store.add("d", i, i + 1, "quote", text="x").id for i in range(3)]
    store._engine.close()
    journal = path / "journal.jsonl"
    good = journal.read_bytes()
    torn = encode_record({"v": 1, "ops": [["put", {"id": "zz"}]]})[:25]
    journal.write_bytes(good + torn)
    with AnnotationStore(path, readonly=True) as ro:  # read-only: ignored, not cut
        assert {a.id for a in ro.all()} == set(ids)
    assert journal.read_bytes() == good + torn
    assert check_store(path) == []
    store = AnnotationStore(path)
    assert journal.read_bytes() == good  # the writer cuts the torn tail before appending
    new = store.add("d", 5, 6, "quote", text="x")
    store._engine.close()
    with AnnotationStore(path) as s:
        assert {a.id for a in s.all()} == set(ids) | {new.id}


def test_recover_refuses_while_a_writer_is_open(tmp_path):
    from reader.errors import StoreLockedError

    with AnnotationStore(tmp_path / "s") as s:
        with pytest.raises(StoreLockedError):
            recover_store(tmp_path / "s")
    assert "nothing to recover" in recover_store(tmp_path / "s")


def test_corrupt_shard_without_backup_rebuilt_from_journal(tmp_path):
    path = tmp_path / "s"
    with AnnotationStore(path) as s:
        ids = [s.add("solo", i, i + 1, "quote", text="x").id for i in range(3)]
    shard = path / "docs" / shard_name("solo")
    assert not (path / "docs" / (shard.name + ".bak")).exists()
    shard.write_bytes(b"{broken")
    with pytest.raises(StoreCorruptError) as info:
        AnnotationStore(path)
    assert info.value.backup is None and "reader store check" in str(info.value)
    summary = recover_store(path)
    assert "solo" in summary
    with AnnotationStore(path) as s:
        assert {a.id for a in s.all()} == set(ids)  # from journal.prev.jsonl


# --------------------------------------------------------------------------- re-anchoring


def test_reanchor_moves_orphans_and_restores(tmp_path):
    v1 = "Intro. The salary is 40,000 euros. Then a quote: «yes». End."
    path = tmp_path / "s"
    with AnnotationStore(path, corpus=FakeCorpus(make_doc("d", v1))) as s:
        sal = s.add("d", v1.index("40,000"), v1.index("40,000") + 6, "salary")
        quo = s.add("d", v1.index("«yes»"), v1.index("«yes»") + 5, "quote")
        end = s.add("d", v1.index("End"), v1.index("End") + 3, "claim")
    v2 = "A new first paragraph.\n\nIntro. The salary is 40,000 euros. Then a quote: «no». End."
    s = AnnotationStore(path, corpus=FakeCorpus(make_doc("d", v2)))
    report = s.reanchor_report
    assert {a.id for a in report.moved} == {sal.id, end.id}
    assert [a.id for a in report.orphaned] == [quo.id]
    got = s.get(sal.id)
    assert v2[got.start:got.end] == "40,000" and got.doc_sha256 == make_doc("d", v2).sha256
    orphan = s.get(quo.id)
    assert orphan.orphaned and orphan.text == "«yes»"
    assert quo.id in {a.id for a in s.for_document("d")}  # kept and listed
    assert "1 orphaned" in report.summary()
    s.close()
    # durable: a reopen with the same text changes nothing more
    with AnnotationStore(path, corpus=FakeCorpus(make_doc("d", v2))) as s:
        assert s.get(quo.id).orphaned and not s.reanchor_report.moved
        assert v2[s.get(end.id).start:s.get(end.id).end] == "End"
    # the text comes back: the orphan is found again
    v3 = v2.replace("«no»", "«yes»")
    with AnnotationStore(path, corpus=FakeCorpus(make_doc("d", v3))) as s:
        assert [a.id for a in s.reanchor_report.restored] == [quo.id]
        got = s.get(quo.id)
        assert not got.orphaned and v3[got.start:got.end] == "«yes»"


def test_reanchor_prefers_nearest_occurrence(tmp_path):
    gap = " filler" * 8
    v1 = "pay" + gap + "pay" + gap + "pay"
    path = tmp_path / "s"
    with AnnotationStore(path, corpus=FakeCorpus(make_doc("d", v1))) as s:
        mid = s.add("d", 3 + len(gap), 6 + len(gap), "salary")
    v2 = "A title\n" + v1
    with AnnotationStore(path, corpus=FakeCorpus(make_doc("d", v2))) as s:
        got = s.get(mid.id)
        assert (got.start, got.end) == (11 + len(gap), 14 + len(gap))
    # beyond the window the whole text is searched
    v3 = "x" * 5000 + v1[3 + len(gap):6 + len(gap)]
    with AnnotationStore(path, corpus=FakeCorpus(make_doc("d", v3))) as s:
        got = s.get(mid.id)
        assert (got.start, got.end, got.orphaned) == (5000, 5003, False)


def test_reanchor_readonly_in_memory_only(tmp_path):
    v1 = "hello world"
    path = tmp_path / "s"
    with AnnotationStore(path, corpus=FakeCorpus(make_doc("d", v1))) as s:
        a = s.add("d", 6, 11, "claim")
    before = snapshot(path)
    with AnnotationStore(path, readonly=True, corpus=FakeCorpus(make_doc("d", "oh, hello world"))) as s:
        assert s.get(a.id).start == 10 and not s.reanchor_report.saved
    assert snapshot(path) == before


def test_reanchor_missing_document_keeps_annotations(tmp_path):
    path = tmp_path / "s"
    with AnnotationStore(path, corpus=FakeCorpus(make_doc("d", "hello"))) as s:
        a = s.add("d", 0, 5, "claim")
    with AnnotationStore(path, corpus=FakeCorpus()) as s:
        assert s.reanchor_report.missing_documents == ["d"]
        assert s.get(a.id) == a


def test_readonly_open_during_a_writers_compaction_sees_everything(tmp_path, monkeypatch):
    path = tmp_path / "s"
    writer = AnnotationStore(path)
    ids = {writer.add("d", i, i + 1, "quote", text="x").id for i in range(5)}  # only in the journal
    real = engine_mod.load_shards
    calls = []

    def load_then_writer_compacts(docs_dir, state):
        real(docs_dir, state)  # the reader has the old (empty) shards...
        if not calls:
            calls.append(1)
            writer.compact()  # ...and the writer moves the journal into the shards now
    monkeypatch.setattr(engine_mod, "load_shards", load_then_writer_compacts)
    with AnnotationStore(path, readonly=True) as ro:
        assert {a.id for a in ro.all()} == ids
    writer.close()
