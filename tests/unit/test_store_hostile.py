"""The store against a hostile file system (issue #13, items 6, 8, 9, 10, 11):
symlinked store files, a store deleted while open, torn journal tails, journal
records with a valid checksum but bad content, and recovery of a corrupt shard."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

import reader.store.recovery as recovery_mod
from reader.cli import main
from reader.errors import StoreCorruptError, StoreWriteError
from reader.store import AnnotationStore, check_store, shard_name
from reader.store.journal import encode_record
from reader.store.recovery import check_store_report
from reader.store.safety import SymlinkInStoreError, open_nofollow, torn_tails


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def make_store(path: Path, n: int = 3) -> None:
    with AnnotationStore(path) as s:
        for i in range(n):
            s.add("d", i * 2, i * 2 + 1, "quote", text="x")


# --------------------------------------------------------------------- 9. symlinks


@pytest.mark.parametrize("name", [".lock.info", "journal.jsonl", "meta.json", ".lock", "docs/SHARD", "texts/TEXT",
                                  "texts"])
def test_symlinked_store_file_is_refused_and_the_victim_untouched(tmp_path, name):
    store = tmp_path / "s"
    make_store(store)
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious")
    if name == "docs/SHARD":
        name = f"docs/{shard_name('d')}"
    if name == "texts/TEXT":  # an imported document's text (schema 3)
        from reader.model import Document

        with AnnotationStore(store) as s:
            s.add_documents([Document(id="imp", text="imported", sha256="0" * 64, imported=True)])
        name = f"texts/{shard_name('imp')}"
    if name == "texts":
        shutil.rmtree(store / "texts")
    link = store / name
    if link.exists():
        link.unlink()
    link.symlink_to(victim)
    with pytest.raises(SymlinkInStoreError) as info:
        AnnotationStore(store)
    assert "symbolic link" in str(info.value) and str(link) in str(info.value)
    assert victim.read_bytes() == b"precious"
    with pytest.raises(SymlinkInStoreError):
        AnnotationStore(store, readonly=True)
    assert any("symbolic link" in p for p in check_store(store))


def test_symlink_is_one_clear_line_on_the_cli(tmp_path, capsys):
    store = tmp_path / "s"
    make_store(store)
    victim = tmp_path / "victim"
    victim.write_text("v")
    (store / "journal.jsonl").unlink()
    (store / "journal.jsonl").symlink_to(victim)
    corpus = tmp_path / "c"
    corpus.mkdir()
    code, out, err = run(capsys, "suggest", corpus, "--store", store)
    assert code == 1 and "symbolic link" in err and len(err.strip().splitlines()) == 1
    assert victim.read_text() == "v"


def test_a_store_folder_that_is_a_symlink_is_allowed(tmp_path):
    real = tmp_path / "real"
    make_store(real)
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    with AnnotationStore(link) as s:
        s.add("d", 10, 11, "claim", text="y")
    with AnnotationStore(real, readonly=True) as s:
        assert len(s.all()) == 4


def test_open_nofollow_refuses_a_link_planted_after_the_check(tmp_path):
    # the race the lstat check cannot close: the open itself refuses to follow
    victim = tmp_path / "victim"
    victim.write_bytes(b"keep")
    link = tmp_path / "journal.jsonl"
    link.symlink_to(victim)
    with pytest.raises(SymlinkInStoreError):
        open_nofollow(link, os.O_RDWR | os.O_CREAT)
    assert victim.read_bytes() == b"keep"


# --------------------------------------------------------------------- 6. deleted store


def test_save_into_a_deleted_store_fails_at_once_and_stays_unsaved(tmp_path):
    store = tmp_path / "s"
    s = AnnotationStore(store)
    s.add("d", 0, 1, "quote", text="x")
    shutil.rmtree(store)
    for i in range(3):
        with pytest.raises(StoreWriteError) as info:
            s.add("d", 2 + i * 2, 3 + i * 2, "claim", text="y")
        assert "deleted or moved" in str(info.value) and "unsaved" in str(info.value)
    assert s.unsaved == 3
    assert len(s.all()) == 4  # still visible in memory
    with pytest.raises(StoreWriteError):
        s.close()  # nothing is silently dropped on close either
    assert not store.exists()  # and nothing half-written appeared


def test_save_into_a_replaced_store_fails(tmp_path):
    store = tmp_path / "s"
    s = AnnotationStore(store)
    s.add("d", 0, 1, "quote", text="x")
    os.rename(store, tmp_path / "moved")
    make_store(store, 1)  # another store now lives at the path
    with pytest.raises(StoreWriteError) as info:
        s.add("d", 4, 5, "claim", text="y")
    assert "replaced" in str(info.value)
    assert s.unsaved == 1


# --------------------------------------------------------------------- 10. torn journal tail


@pytest.mark.parametrize("damage", ["no-newline", "bit-flip"])
def test_torn_last_line_is_kept_aside_and_counted(tmp_path, capsys, damage):
    store = tmp_path / "s"
    s = AnnotationStore(store)
    s.add("d", 0, 1, "quote", text="x")
    s._engine.close()  # a crash: no compaction, the journal holds the change
    journal = store / "journal.jsonl"
    last = encode_record({"v": 1, "ops": [["meta", "state", "k", "v"]]})
    if damage == "no-newline":
        tail = last[:-1]  # valid checksum, no newline: the write was torn
    else:
        tail = bytearray(last)
        tail[12] ^= 0x01
        tail = bytes(tail)
    with open(journal, "ab") as fh:
        fh.write(tail)
    problems, notes = check_store_report(store)
    assert problems == [] and any("torn" in n for n in notes)
    code, out, err = run(capsys, "store", "check", "--store", store)
    assert code == 0 and "torn" in out and "note" in out
    with AnnotationStore(store) as s2:
        assert len(s2.all()) == 1
        assert s2._engine.torn_kept is not None
    kept = torn_tails(store)
    assert len(kept) == 1 and kept[0].read_bytes() == tail
    problems, notes = check_store_report(store)
    assert problems == [] and any("1 torn journal tail(s) kept" in n for n in notes)


def test_torn_tail_that_cannot_be_kept_opens_read_only(tmp_path, monkeypatch):
    import reader.store.safety as safety

    store = tmp_path / "s"
    s = AnnotationStore(store)
    s.add("d", 0, 1, "quote", text="x")
    s._engine.close()
    with open(store / "journal.jsonl", "ab") as fh:
        fh.write(b"0000 torn")
    before = (store / "journal.jsonl").read_bytes()

    def full(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(safety, "keep_torn_tail", full)
    with AnnotationStore(store) as s2:
        assert s2.readonly and "torn" in s2.readonly_reason
    assert (store / "journal.jsonl").read_bytes() == before  # not cut


# --------------------------------------------------------------------- 11. bad content, good checksum


@pytest.mark.parametrize("where", ["middle", "last"])
def test_record_with_valid_checksum_but_bad_content_is_skipped_by_recover(tmp_path, capsys, where):
    store = tmp_path / "s"
    s = AnnotationStore(store)
    s.add("d", 0, 1, "quote", text="x")
    s._engine.close()
    journal = store / "journal.jsonl"
    bad = encode_record({"v": 1, "ops": [["put", {"id": "broken", "doc_id": "d"}]]})
    with open(journal, "ab") as fh:
        fh.write(bad)
        if where == "middle":
            fh.write(encode_record({"v": 1, "ops": [["meta", "state", "after", 1]]}))
    with pytest.raises(StoreCorruptError):
        AnnotationStore(store)
    code, out, err = run(capsys, "store", "recover", "--store", store)
    assert code == 0, err
    out = " ".join(out.split())
    assert "valid checksum" in out and "rejected" in out
    with AnnotationStore(store) as s2:
        assert [a.start for a in s2.all()] == [0]
        if where == "middle":
            assert s2.get_state("after") == 1  # the good record after it was kept
    rejected = list(store.glob("journal.jsonl.rejected-*"))
    assert len(rejected) == 1 and rejected[0].read_bytes() == bad
    assert check_store(store) == []


# --------------------------------------------------------------------- 8. recover salvages


def _three_closes(store: Path) -> None:
    with AnnotationStore(store) as s:
        s.add("d1", 0, 5, "quote", text="aaaaa")
    with AnnotationStore(store) as s:
        s.add("d1", 6, 9, "claim", text="bbb")
    with AnnotationStore(store) as s:
        s.add("d2", 0, 3, "claim", text="ccc")


@pytest.mark.parametrize("where", ["shard-key", "table-colon", "last-brace"])
def test_recover_salvages_records_of_the_corrupt_shard(tmp_path, capsys, where):
    store = tmp_path / "s"
    _three_closes(store)
    shard = store / "docs" / shard_name("d1")
    raw = bytearray(shard.read_bytes())
    offset = {"shard-key": 5, "table-colon": raw.index(b'"annotations":') + 13, "last-brace": len(raw) - 1}[where]
    raw[offset] ^= 0x55
    shard.write_bytes(bytes(raw))
    code, out, err = run(capsys, "store", "recover", "--store", store)
    assert code == 0, err
    out = " ".join(out.split())
    assert "2 salvaged from the damaged file" in out and "d1" in out
    with AnnotationStore(store, readonly=True) as s:
        got = sorted((a.doc_id, a.start, a.end, a.label) for a in s.all())
    assert got == [("d1", 0, 5, "quote"), ("d1", 6, 9, "claim"), ("d2", 0, 3, "claim")]
    assert list((store / "docs").glob("*.corrupt-*"))  # the damaged file is kept


def test_recover_never_reports_success_with_a_readable_record_left_behind(tmp_path, capsys, monkeypatch):
    store = tmp_path / "s"
    _three_closes(store)
    shard = store / "docs" / shard_name("d1")
    raw = bytearray(shard.read_bytes())
    raw[5] ^= 0x55
    shard.write_bytes(bytes(raw))
    real = recovery_mod.shard_tables
    monkeypatch.setattr(recovery_mod, "shard_tables", lambda doc_id, anns: real(doc_id, list(anns)[:1]))  # a buggy rebuild
    code, out, err = run(capsys, "store", "recover", "--store", store)
    assert code == 1 and "incomplete" in err and "recovered" not in out
