"""Imported documents' texts in files of their own (``texts/<name>.json``, schema 3): successive imports
write the store linearly (meta.json held every text, rewritten whole at each close: N² bytes), a state
change does not rewrite an imported text, a text file that is lost or damaged is refused at open,
named by check and rebuilt by recover, and a schema-2 store (texts in meta.json) is upgraded with a
backup, or read as it is when opened read-only."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from store_sessions import downgrade_to_schema_2
from reader.errors import StoreError
from reader.model import Document
from reader.store import SCHEMA_VERSION, AnnotationStore, check_store, recover_store, shard_name


def _doc(doc_id: str, text: str) -> Document:
    return Document(id=doc_id, text=text, sha256=hashlib.sha256(text.encode()).hexdigest(), imported=True)


def _text(i: int, size: int) -> str:
    line = f"document {i}: the salary is 40,000 euros; ci vuole coraggio. "
    return (line * (size // len(line) + 1))[:size]


def _import(path: Path, doc_id: str, text: str) -> None:
    with AnnotationStore(path, annotator="a") as store:
        store.add_documents([_doc(doc_id, text)])


def _files(path: Path) -> dict[str, tuple[int, int, int]]:
    """Every store file but the kept journals and backups (links and renames write nothing): its inode,
    mtime and size, to tell which a session wrote."""
    found = {}
    for f in path.rglob("*"):
        rel = f.relative_to(path).as_posix()
        if f.is_file() and not rel.startswith(("journals/", "backup-")) and not rel.endswith(".bak"):
            st = f.stat()
            found[rel] = (st.st_ino, st.st_mtime_ns, st.st_size)
    return found


def _written(before: dict[str, tuple[int, int, int]], after: dict[str, tuple[int, int, int]]) -> int:
    return sum(size for rel, (ino, mtime, size) in after.items() if before.get(rel, (None, None))[:2] != (ino, mtime))


def _texts(path: Path) -> dict[str, str]:
    with AnnotationStore(path, readonly=True) as store:
        return {d.id: d.text for d in store.imported_documents()}


def test_successive_imports_write_the_store_linearly(tmp_path: Path) -> None:
    path, size, count = tmp_path / "s", 20_000, 30
    written = 0
    for i in range(count):
        before = _files(path) if path.exists() else {}
        _import(path, f"d{i}", _text(i, size))
        written += _written(before, _files(path))
    # each text goes to the journal once and to its own file once (meta.json with every text so far: ~15x)
    assert written < 3 * count * size, written
    assert len(_texts(path)) == count


def test_a_state_change_after_a_large_import_does_not_rewrite_its_text(tmp_path: Path) -> None:
    path = tmp_path / "s"
    big = _text(0, 1_000_000)
    _import(path, "book", big)
    before = _files(path)
    with AnnotationStore(path, annotator="a") as store:
        store.set_state("last", {"doc": "book", "offset": 500})
        store.set_done("book", True)
    after = _files(path)
    assert _written(before, after) < 20_000
    assert (path / "meta.json").stat().st_size < 10_000
    assert _texts(path) == {"book": big}


def _text_file(path: Path, doc_id: str) -> Path:
    return path / "texts" / shard_name(doc_id)


def _two_imports(path: Path) -> None:
    _import(path, "d1", "imported text one")
    _import(path, "d2", "imported text two")
    with AnnotationStore(path, annotator="a") as store:
        store.add("d1", 0, 8, "claim")
        store.set_state("last", {"doc": "d1"})


def test_the_layout_keeps_each_text_in_a_file_of_its_own(tmp_path: Path) -> None:
    path = tmp_path / "s"
    _two_imports(path)
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    assert meta["_meta"]["1"]["schema_version"] == SCHEMA_VERSION == 3 and "documents" not in meta
    data = json.loads(_text_file(path, "d1").read_text(encoding="utf-8"))
    assert data["_text"]["1"] == {"doc_id": "d1", "schema_version": 3}
    [record] = data["documents"].values()
    assert record["k"] == "d1" and record["v"]["text"] == "imported text one"
    assert check_store(path) == []


@pytest.mark.parametrize("damage", ["deleted", "damaged"])
def test_a_lost_text_file_is_refused_at_open_named_by_check_and_rebuilt_by_recover(tmp_path: Path,
                                                                                damage: str) -> None:
    path = tmp_path / "s"
    _two_imports(path)
    lost = _text_file(path, "d1")
    if damage == "deleted":
        lost.unlink()
    else:
        lost.write_bytes(b'{"_text": {"1": {"doc_id": "d1", "sche')
    for readonly in (False, True):
        with pytest.raises(StoreError) as exc:
            AnnotationStore(path, readonly=readonly)
        assert str(lost) in str(exc.value) and "\n" not in str(exc.value)
    problems = check_store(path)
    assert any(str(lost) in p for p in problems), problems
    assert not lost.exists() or damage == "damaged"
    summary = recover_store(path)
    assert "texts/" in summary
    assert _texts(path) == {"d1": "imported text one", "d2": "imported text two"}
    assert check_store(path) == []


def test_a_text_file_written_once_and_lost_is_rebuilt_from_its_journal(tmp_path: Path) -> None:
    """No .bak (one write only): the kept journal of that compaction holds the whole text."""
    path = tmp_path / "s"
    _two_imports(path)
    lost = _text_file(path, "d2")
    assert not lost.with_name(lost.name + ".bak").exists()
    lost.unlink()
    recover_store(path)
    assert _texts(path)["d2"] == "imported text two"


def test_a_schema_2_store_is_read_as_it_is_read_only_and_upgraded_with_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "s"
    _two_imports(path)
    downgrade_to_schema_2(path)
    assert not (path / "texts").exists()
    v2_meta = (path / "meta.json").read_bytes()
    assert b"imported text one" in v2_meta
    with AnnotationStore(path, readonly=True) as store:
        assert store.schema_version == 2
        assert {d.id: d.text for d in store.imported_documents()} == {"d1": "imported text one",
                                                                       "d2": "imported text two"}
    assert (path / "meta.json").read_bytes() == v2_meta
    assert not (path / "texts").exists() and not (path / "backup-schema-2").exists()
    with AnnotationStore(path, annotator="a") as store:
        assert store.upgraded is not None and store.upgraded[0] == 2
        assert store.schema_version == SCHEMA_VERSION
    assert (path / "backup-schema-2" / "meta.json").read_bytes() == v2_meta
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    assert meta["_meta"]["1"]["schema_version"] == 3 and "documents" not in meta
    assert meta["state"]["1"]["v"] == {"doc": "d1"}
    assert _texts(path) == {"d1": "imported text one", "d2": "imported text two"}
    assert check_store(path) == []
    # the upgrade wrote each text file for the first time: the journal it keeps rebuilds a lost one
    _text_file(path, "d1").unlink()
    with pytest.raises(StoreError):
        AnnotationStore(path)
    recover_store(path)
    assert _texts(path) == {"d1": "imported text one", "d2": "imported text two"}
    with AnnotationStore(path, annotator="a") as store:
        assert store.upgraded is None and len(store.all()) == 1


def test_an_upgrade_killed_before_its_end_is_finished_by_the_next_open(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The upgrade writes the texts to the journal, then compacts: cut after some renames, the journal
    (not reset) still holds everything and the next open finishes."""
    from reader import fsutil

    path = tmp_path / "s"
    _two_imports(path)
    downgrade_to_schema_2(path)
    real = fsutil.commit_temp
    calls = []

    def commit_temp(tmp: Path, target: Path, *, backup: bool = False) -> None:
        calls.append(target)
        if target.name == "meta.json":
            raise OSError(28, "No space left on device")
        real(tmp, target, backup=backup)

    monkeypatch.setattr(fsutil, "commit_temp", commit_temp)
    with pytest.raises((StoreError, OSError)):
        AnnotationStore(path, annotator="a")
    monkeypatch.undo()
    assert any(c.parent.name == "texts" for c in calls)
    assert _texts(path) == {"d1": "imported text one", "d2": "imported text two"}
    with AnnotationStore(path, annotator="a") as store:
        assert store.schema_version == SCHEMA_VERSION
    assert _texts(path) == {"d1": "imported text one", "d2": "imported text two"}
    assert check_store(path) == []


def test_a_folder_with_text_files_and_no_meta_json_is_not_a_new_store(tmp_path: Path) -> None:
    path = tmp_path / "s"
    _import(path, "d1", "imported text one")
    for name in os.listdir(path):
        if name not in ("texts", "meta.json"):
            full = path / name
            if full.is_dir():
                import shutil
                shutil.rmtree(full)
            else:
                full.unlink()
    (path / "meta.json").unlink()
    with pytest.raises(StoreError) as exc:
        AnnotationStore(path)
    assert "texts/" in str(exc.value)


def test_store_copy_through_postgresql_keeps_the_texts(tmp_path: Path, pg_url: str) -> None:
    from reader.store.transfer import copy_store

    src, back = tmp_path / "src", tmp_path / "back"
    _two_imports(src)
    copy_store(src, pg_url)
    with AnnotationStore(pg_url, readonly=True) as store:
        assert {d.id: d.text for d in store.imported_documents()} == _texts(src)
    copy_store(pg_url, back)
    assert _texts(back) == _texts(src)
    assert _text_file(back, "d1").is_file() and check_store(back) == []


def test_a_schema_1_store_with_imported_texts_is_upgraded_to_3_in_one_go(tmp_path: Path) -> None:
    from store_sessions import downgrade_to_schema_1

    path = tmp_path / "s"
    _two_imports(path)
    downgrade_to_schema_1(path)
    v1_meta = (path / "meta.json").read_bytes()
    with AnnotationStore(path, annotator="a") as store:
        assert store.upgraded is not None and store.upgraded[0] == 1
    assert (path / "backup-schema-1" / "meta.json").read_bytes() == v1_meta
    assert _text_file(path, "d2").is_file() and "documents" not in json.loads((path / "meta.json").read_bytes())
    assert _texts(path) == {"d1": "imported text one", "d2": "imported text two"}
    assert check_store(path) == []


def test_a_copy_made_with_cp_a_keeps_the_texts(tmp_path: Path) -> None:
    import shutil

    path = tmp_path / "s"
    _two_imports(path)
    shutil.copytree(path, tmp_path / "copy", symlinks=True)  # what cp -a does
    assert _texts(tmp_path / "copy") == _texts(path) and check_store(tmp_path / "copy") == []
    _text_file(tmp_path / "copy", "d1").unlink()
    assert "texts/" in recover_store(tmp_path / "copy")
    assert _texts(tmp_path / "copy") == _texts(path)


def test_meta_json_damaged_after_the_upgrade_is_rebuilt_in_the_schema_of_its_backup(tmp_path: Path) -> None:
    """Its .bak is the schema-2 meta.json the upgrade replaced: rebuilt as schema 2 (with the texts, never
    upgraded by recover), then upgraded again by the open that follows; nothing is lost."""
    path = tmp_path / "s"
    _two_imports(path)
    downgrade_to_schema_2(path)
    AnnotationStore(path, annotator="a").close()  # the upgrade
    _import(path, "d2", "imported text two, again")  # only texts/ changes: meta.json.bak is still schema 2
    assert json.loads((path / "meta.json.bak").read_bytes())["_meta"]["1"]["schema_version"] == 2
    (path / "meta.json").write_bytes(b"\x00" * 64)
    assert "meta.json" in recover_store(path)
    assert _texts(path) == {"d1": "imported text one", "d2": "imported text two, again"}
    with AnnotationStore(path, readonly=True) as store:
        assert store.get_state("last") == {"doc": "d1"} and len(store.all()) == 1
    assert check_store(path) == []


def test_a_text_file_copied_over_another_is_named_by_check_and_rebuilt_by_recover(tmp_path: Path) -> None:
    """A texts file copied by hand over another's: the store opened without the lost document's text, export
    left its annotations out, and check said ok (found by an adversarial pass)."""
    path = tmp_path / "s"
    _import(path, "imp0", _text(0, 300))
    _import(path, "imp1", _text(1, 300))
    assert check_store(path) == []
    lost = path / "texts" / shard_name("imp1")
    lost.write_bytes((path / "texts" / shard_name("imp0")).read_bytes())
    problems = check_store(path)
    assert any("'imp0' is also stored in" in p for p in problems), problems
    assert any(f"{lost}: holds imported document 'imp0', whose file is {shard_name('imp0')}" in p
               and "move the file away, then run `reader store recover" in p for p in problems), problems
    lost.rename(tmp_path / "moved-away.json")  # what the line says to do
    recover_store(path)
    assert check_store(path) == []
    with AnnotationStore(path, readonly=True) as store:
        assert store.document("imp1") is not None and store.document("imp1").text == _text(1, 300)


@pytest.mark.parametrize("folder", ["texts", "docs"])
def test_a_file_in_place_of_a_store_folder_is_refused_and_named_by_check(tmp_path: Path, folder: str) -> None:
    """``texts`` replaced by a plain file: read-only opens saw no imported document (export left every
    annotation of one out, exit 0) and check said ok."""
    path = tmp_path / "s"
    _import(path, "imp0", _text(0, 300))
    with AnnotationStore(path, annotator="a") as store:
        store.add("imp0", 0, 8, "claim")
    import shutil

    shutil.rmtree(path / folder)
    (path / folder).write_text("x")
    with pytest.raises(StoreError, match=f"{folder}: not a folder .*move it away"):
        AnnotationStore(path, readonly=True)
    assert any(f"{folder}: not a folder" in p for p in check_store(path))


@pytest.mark.parametrize("folder", ["texts", "docs"])
def test_a_folder_in_place_of_a_store_file_is_moved_aside_by_recover(tmp_path: Path, folder: str) -> None:
    """check said to run recover, and recover failed with a bare "Is a directory" (adversarial pass)."""
    path = tmp_path / "s"
    _import(path, "imp0", _text(0, 300))
    with AnnotationStore(path, annotator="a") as store:
        store.add("imp0", 0, 8, "claim")
    victim = path / folder / shard_name("imp0")
    victim.unlink()
    victim.mkdir()
    (victim / "kept.txt").write_text("whatever was put here")
    assert any("is a folder, not a file" in p for p in check_store(path))
    recover_store(path)
    assert check_store(path) == []
    aside = [p for p in (path / folder).iterdir() if p.name.startswith(victim.name + ".corrupt-")]
    assert len(aside) == 1 and (aside[0] / "kept.txt").read_text() == "whatever was put here"
    with AnnotationStore(path, readonly=True) as store:
        assert store.document("imp0").text == _text(0, 300)
        assert [(a.start, a.end) for a in store.for_document("imp0")] == [(0, 8)]


def test_a_text_file_lost_with_its_backup_is_rebuilt_from_the_journal_that_holds_its_whole_record(tmp_path: Path) -> None:
    """Every change of an imported text writes its whole record, so the kept journal of the file's last rewrite
    gives all of it. recover said "cannot be rebuilt ... its backup is damaged too" (or "the changes before its
    last rewrite are lost" with the backup gone) and the store opened without the document (adversarial pass)."""
    path = tmp_path / "s"
    _import(path, "imp0", _text(0, 300))
    _import(path, "imp1", _text(1, 300))
    lost = path / "texts" / shard_name("imp1")
    lost.write_bytes((path / "texts" / shard_name("imp0")).read_bytes())  # copied over by hand ...
    _import(path, "imp1", _text(1, 300))  # ... and repaired by importing it again: a rewrite, with a .bak
    assert check_store(path) == []
    bak = lost.with_name(lost.name + ".bak")
    assert bak.exists()
    bak.write_text("garbage")
    lost.unlink()
    summary = recover_store(path)
    assert "which hold its whole record" in summary, summary
    assert check_store(path) == []
    with AnnotationStore(path, readonly=True) as store:
        assert store.document("imp1").text == _text(1, 300)


_KILL_AT_STEP = """
import os, signal, sys
from reader import fsutil
from reader.store import AnnotationStore

step, count = int(sys.argv[2]), [0]

def killing(real):
    def call(*args, **kwargs):
        count[0] += 1
        if count[0] == step:
            os.kill(os.getpid(), signal.SIGKILL)  # as a kill -9 or a power cut lands there
        return real(*args, **kwargs)
    return call

for name in ("write_temp", "commit_temp", "fsync_dir", "link_or_copy", "atomic_write"):
    setattr(fsutil, name, killing(getattr(fsutil, name)))
AnnotationStore(sys.argv[1], annotator="a").close()
print(count[0])
"""


def test_an_upgrade_killed_at_any_step_of_its_writes_loses_nothing(tmp_path: Path) -> None:
    """A schema-2 store upgraded by a process killed (SIGKILL) at each of the upgrade's file writes, renames,
    links and fsyncs in turn (its backup, the texts it appends to the journal, its final compaction):
    the next open finishes the upgrade with every text, annotation and state, and the store checks clean."""
    import shutil
    import subprocess
    import sys

    original = tmp_path / "original"
    _two_imports(original)
    downgrade_to_schema_2(original)

    def content(path: Path) -> tuple[dict[str, str], list[tuple[str, int, int]], object]:
        with AnnotationStore(path, readonly=True) as store:
            return ({d.id: d.text for d in store.imported_documents()},
                    sorted((a.doc_id, a.start, a.end) for a in store.all()), store.get_state("last"))

    before = content(original)
    step = 1
    while True:
        path = tmp_path / f"s{step}"
        shutil.copytree(original, path)
        run = subprocess.run([sys.executable, "-c", _KILL_AT_STEP, str(path), str(step)], capture_output=True,
                             text=True, timeout=60)
        if run.returncode == 0:  # fewer steps than this: the upgrade ran to its end
            assert step > 5, run.stdout
            break
        assert run.returncode == -9, run.stderr
        with AnnotationStore(path, annotator="a") as store:  # the next open finishes what was cut
            assert store.schema_version == SCHEMA_VERSION
        assert content(path) == before, f"killed at step {step}"
        assert check_store(path) == [], f"killed at step {step}"
        step += 1
