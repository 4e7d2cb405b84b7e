"""Attacks on the day's store changes (missing shards refused at open, kept lists with "new" and a journal
mark, dry recover in check): legitimate workflows must leave a store that opens, and that `reader store
check` finds healthy. A false refusal (a healthy store refused at open) is the failure looked for."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from memory_corpus import MemoryCorpus, doc
from reader.errors import StoreError
from reader.store import AnnotationStore, check_store, recover_store, shard_name
from reader.store.transfer import copy_store
from reader.teams.merge import merge_stores
from store_sessions import downgrade_to_schema_1

TEXT = "The salary is 40,000 euros. Ci vuole coraggio, disse. More text here."
ROOT = Path(__file__).resolve().parents[2]


def _corpus() -> MemoryCorpus:
    return MemoryCorpus([doc(f"d{i}", TEXT) for i in range(8)])


def _session(path: Path, doc_ids: list[str], *, delete_all: bool = False, compact: bool = True) -> None:
    store = AnnotationStore(path, corpus=_corpus(), annotator="x")
    for d in doc_ids:
        anns = store.for_document(d)
        if delete_all:
            for a in anns:
                store.delete(a.id)
        else:
            n = next(i for i in range(60) if i not in {a.start for a in anns})
            store.add(d, n, n + 1, "claim")
    if compact:
        store.compact()
    store.close()


def _content(path: Path) -> set[tuple[str, str, int, int]]:
    store = AnnotationStore(path, corpus=_corpus(), readonly=True)
    try:
        return {(a.id, a.doc_id, a.start, a.end) for a in store.all()}
    finally:
        store.close()


def _healthy(path: Path) -> set[tuple[str, str, int, int]]:
    """The store opens read-only and for writing, and check finds nothing: its content."""
    content = _content(path)
    AnnotationStore(path, corpus=_corpus(), annotator="y").close()
    assert check_store(path) == []
    return content


def test_many_sessions_new_documents_and_deletes_leave_a_healthy_store(tmp_path: Path) -> None:
    path = tmp_path / "s"
    for i in range(8):
        _session(path, [f"d{i}", "d0"], compact=i % 2 == 0)
        _session(path, [f"d{i}"], delete_all=True, compact=i % 3 == 0)
        _healthy(path)
    assert len(list((path / "journals").glob("*.files.json"))) >= 1


def test_a_document_whose_annotations_are_all_deleted_keeps_a_healthy_store(tmp_path: Path) -> None:
    path = tmp_path / "s"
    _session(path, ["d1", "d2"])
    _session(path, ["d1"], delete_all=True)
    _session(path, ["d2"])
    assert (path / "docs" / shard_name("d1")).exists()
    assert _healthy(path) and all(d != "d1" for _i, d, _s, _e in _content(path))


def test_recover_of_a_healthy_store_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "s"
    for i in range(4):
        _session(path, [f"d{i}"])
    before = _healthy(path)
    recover_store(path)
    assert _healthy(path) == before


def test_a_store_copied_to_a_folder_and_back_is_healthy(tmp_path: Path) -> None:
    path = tmp_path / "s"
    for i in range(4):
        _session(path, [f"d{i}", "d0"])
    before = _healthy(path)
    copy_store(path, tmp_path / "copy")
    assert _healthy(tmp_path / "copy") == before
    _session(tmp_path / "copy", ["d5"])
    copy_store(tmp_path / "copy", tmp_path / "back")
    assert len(_healthy(tmp_path / "back")) == len(before) + 1


def test_merge_into_a_store_with_kept_journals_is_healthy(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    for i in range(3):
        _session(a, [f"d{i}"])
        _session(b, [f"d{i + 3}", "d0"])
    merge_stores([str(b)], str(a))
    spans = {(d, s, e) for _i, d, s, e in _healthy(a)}
    assert {(d, s, e) for _i, d, s, e in _content(b)} <= spans and len(spans) == 8
    _session(a, ["d7"])
    _healthy(a)


def test_a_store_copied_with_cp_a_while_idle_is_healthy_both_ways(tmp_path: Path) -> None:
    path = tmp_path / "s"
    for i in range(3):
        _session(path, [f"d{i}"])
    subprocess.run(["cp", "-a", str(path), str(tmp_path / "c")], check=True)
    assert _healthy(tmp_path / "c") == _healthy(path)
    _session(tmp_path / "c", ["d4"])
    _session(path, ["d5"])
    _healthy(tmp_path / "c")
    _healthy(path)


def test_the_schema_upgrade_of_an_older_store_is_healthy(tmp_path: Path) -> None:
    path = tmp_path / "s"
    for i in range(3):
        _session(path, [f"d{i}"])
    downgrade_to_schema_1(path)
    before = _content(path)
    store = AnnotationStore(path, corpus=_corpus(), annotator="x")
    assert store.upgraded is not None
    store.close()
    assert _healthy(path) == before
    _session(path, ["d6"])
    _healthy(path)


def test_the_cli_import_then_annotate_then_docs_and_export(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "READER_ANNOTATOR": "t"}
    (tmp_path / "corpus").mkdir()
    data = "".join(json.dumps({"id": f"i{i}", "text": f"hello target {i}",
                               "spans": [{"start": 6, "end": 12, "label": "claim"}]}) + "\n" for i in range(30))
    for _ in range(2):
        proc = subprocess.run([sys.executable, "-m", "reader", "import", str(tmp_path / "corpus"), "-", "--format",
                               "jsonl", "--store", str(tmp_path / "s")], input=data.encode(), capture_output=True,
                              env=env, cwd=tmp_path, timeout=120)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    store = AnnotationStore(tmp_path / "s", annotator="x")
    store.add("i3", 0, 5, "claim")
    store.close()
    corpus = str(tmp_path / "corpus")
    for argv in (["docs", corpus], ["export", corpus, "--format", "jsonl", "--out", "-"], ["store", "check"]):
        proc = subprocess.run([sys.executable, "-m", "reader", *argv, "--store", str(tmp_path / "s")],
                              capture_output=True, env=env, cwd=tmp_path, timeout=120)
        assert proc.returncode == 0, (argv, proc.stdout, proc.stderr)
    assert check_store(tmp_path / "s") == []


def test_a_deleted_docs_folder_copy_is_not_needed_for_shards_in_backup_folders(tmp_path: Path) -> None:
    """A backup-schema-1/ folder's docs/ is not the store's: deleting it changes nothing."""
    path = tmp_path / "s"
    _session(path, ["d1"])
    shutil.copytree(path / "docs", path / "backup-schema-1" / "docs")
    shutil.rmtree(path / "backup-schema-1")
    _healthy(path)


def test_a_read_only_open_does_not_need_to_list_the_kept_journals(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """journals/ that cannot be read (another user's folder, mode 700; an I/O error): `reader export` and
    `reader docs` of a healthy store still open it read-only, as before the kept lists were read at open
    (it said 'journals: Permission denied' and exported nothing)."""
    path = tmp_path / "s"
    for i in range(2):
        _session(path, [f"d{i}"])
    before = _content(path)
    real_scandir, real_open = os.scandir, os.open

    def denied(name: object) -> bool:
        return Path(str(name)).parent.name == "journals" or Path(str(name)).name == "journals"

    def scandir(name: str = ".") -> object:
        if denied(name):
            raise PermissionError(13, "Permission denied", str(name))
        return real_scandir(name)

    def open_(name: str, *args: int, **kwargs: int) -> int:
        if denied(name):
            raise PermissionError(13, "Permission denied", str(name))
        return real_open(name, *args, **kwargs)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "open", open_)
    assert _content(path) == before


class _Listing:
    """``os.scandir`` of a folder whose listing misses some names, as a listing made while a compaction
    replaced them does where a rename gives the name a new place in the folder (btrfs: a readdir returns no
    entry added after its opendir, and POSIX leaves it unspecified)."""

    def __init__(self, entries: list[os.DirEntry[str]]) -> None:
        self.entries = entries

    def __enter__(self) -> list[os.DirEntry[str]]:
        return self.entries

    def __exit__(self, *exc: object) -> None:
        return None

    def __iter__(self) -> object:
        return iter(self.entries)


@pytest.mark.parametrize("missed", ["shard", "shard and its .bak"])
def test_a_shard_a_listing_missed_while_it_was_replaced_is_not_called_missing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, missed: str) -> None:
    """A read-only open (`reader export`) beside a writer compacting: docs/ listed while d1's shard (and its
    .bak) were renamed over may miss them; the shard is there all along, so the open must not be refused
    with 'missing ... Run `reader store recover`' (it was: the listing alone was trusted)."""
    path = tmp_path / "s"
    _session(path, ["d1"])  # list 1: docs/<d1> first written, its journal kept
    _session(path, ["d1"])  # rewritten: it has a .bak
    shard = path / "docs" / shard_name("d1")
    left_out = {shard.name} | ({shard.name + ".bak"} if missed != "shard" else set())
    real_scandir = os.scandir

    def scandir(name: str = ".") -> object:
        if Path(str(name)) == path / "docs":
            with real_scandir(name) as entries:
                return _Listing([e for e in entries if e.name not in left_out])
        return real_scandir(name)

    monkeypatch.setattr(os, "scandir", scandir)
    from reader.store.archive import missing_shards
    assert missing_shards(path) == []
    AnnotationStore(path, corpus=_corpus(), readonly=True).close()


def test_a_kept_journal_a_listing_missed_while_it_was_linked_is_not_called_deleted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`reader store check` beside a writer compacting: journals/ listed while the compaction linked its
    journal may miss it (btrfs, as above); the journal is there, so check must not say it was deleted by
    hand (it did: the listing alone was trusted)."""
    path = tmp_path / "s"
    for i in range(3):
        _session(path, [f"d{i}", "d0"])
    newest = max(int(p.name.split(".")[0]) for p in (path / "journals").glob("*.jsonl"))
    real_scandir = os.scandir

    def scandir(name: str = ".") -> object:
        if Path(str(name)) == path / "journals":
            with real_scandir(name) as entries:
                return _Listing([e for e in entries if e.name != f"{newest}.jsonl"])
        return real_scandir(name)

    monkeypatch.setattr(os, "scandir", scandir)
    assert check_store(path) == []
    _content(path)


def test_a_store_from_before_kept_journals_upgraded_then_used_is_healthy(tmp_path: Path) -> None:
    """A schema-1 store with no journals/ (as written before kept journals), a document annotated and all
    its annotations deleted: the upgrade and later sessions leave a store that opens and checks clean."""
    path = tmp_path / "s"
    for i in range(3):
        _session(path, [f"d{i}"])
    _session(path, ["d1"], delete_all=True)
    _session(path, ["d2"], compact=False)
    shutil.rmtree(path / "journals")
    downgrade_to_schema_1(path)
    before = _content(path)
    assert _healthy(path) == before
    for i in range(4):
        _session(path, [f"d{i + 3}", "d0"], compact=i % 2 == 0)
        _healthy(path)
    shard = path / "docs" / shard_name("d5")
    shard.unlink()  # written first by a kept compaction: refused at open, rebuilt by recover
    with pytest.raises(StoreError, match=shard.name):
        _content(path)
    assert "recovered" in recover_store(path)
    _healthy(path)
