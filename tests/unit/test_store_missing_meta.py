"""A store folder that lost its meta.json (a sync client, a slip of rm) is not a new store: it is
refused in one line and nothing is written; `reader store check` reports it; `reader store recover`
rebuilds it from meta.json.bak and the journals (reader.store.engine.refuse_missing_meta)."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reader.errors import StoreMetaMissingError
from reader.model import Document
from reader.store import AnnotationStore, check_store, recover_store

REPO = Path(__file__).resolve().parents[2]


def _reader(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "reader", *args], env=env, capture_output=True, text=True, timeout=120)


def _doc(doc_id: str, text: str) -> Document:
    return Document(id=doc_id, text=text, sha256=hashlib.sha256(text.encode()).hexdigest(), imported=True)


def _store(path: Path) -> Path:
    """A store that has imported documents, a done flag, an override and annotations, closed twice."""
    with AnnotationStore(path, annotator="a") as store:
        store.add_documents([_doc("d1", "imported text one"), _doc("d2", "imported text two")])
        store.add("d1", 0, 8, "claim")
    with AnnotationStore(path, annotator="a") as store:
        store.set_done("d2", True)
        store.set_language_override("d1", "fr")
        store.add("d2", 9, 13, "claim")
    return path


def _files(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*"))
            if p.is_file() and not p.name.startswith(".lock")}


@pytest.mark.parametrize("readonly", [False, True])
def test_opening_a_store_without_meta_json_is_refused_in_one_line_and_writes_nothing(tmp_path: Path, readonly: bool) -> None:
    path = _store(tmp_path / "s")
    (path / "meta.json").unlink()
    before = _files(path)
    with pytest.raises(StoreMetaMissingError) as info:
        AnnotationStore(path, annotator="a", readonly=readonly)
    line = str(info.value)
    assert "\n" not in line and "meta.json" in line and "missing" in line and "reader store recover" in line
    assert "meta.json.bak" in line and "docs/" in line
    assert _files(path) == before and not (path / "meta.json").exists()


def test_the_cli_refuses_check_reports_and_recover_brings_back_the_documents_flags_and_annotations(tmp_path: Path) -> None:
    path = _store(tmp_path / "s")
    (path / "meta.json").unlink()

    out = _reader("docs", str(tmp_path / "no-corpus"), "--store", str(path))  # any command opening the store
    assert out.returncode != 0 and "Traceback" not in out.stderr and "meta.json" in out.stderr
    assert not (path / "meta.json").exists()

    out = _reader("store", "check", "--store", str(path))
    assert out.returncode == 1 and "meta.json" in out.stdout + out.stderr and "missing" in out.stdout + out.stderr
    assert check_store(path)

    out = _reader("store", "recover", "--store", str(path))
    assert out.returncode == 0, out.stderr
    assert "meta.json: missing" in out.stdout
    assert check_store(path) == []
    store = AnnotationStore(path, annotator="a", readonly=True)
    assert {d.id for d in store.imported_documents()} == {"d1", "d2"}
    assert store.doc_status("d2") == "done" and store.language_overrides() == {"d1": "fr"}
    assert {(a.doc_id, a.start, a.end) for a in store.all()} == {("d1", 0, 8), ("d2", 9, 13)}


def test_lost_meta_json_with_only_a_journal_is_rebuilt_from_it(tmp_path: Path) -> None:
    """Killed before its first close: no .bak, no compaction; the journal has every change."""
    path = tmp_path / "s"
    store = AnnotationStore(path, annotator="a")
    store.add_documents([_doc("d1", "imported text one")])
    store.set_state("last", "d1")
    store._engine.close()  # as a killed process leaves it: the lock released, nothing compacted
    (path / "meta.json").unlink()
    with pytest.raises(StoreMetaMissingError, match="journal.jsonl"):
        AnnotationStore(path, annotator="a")
    recover_store(path)
    again = AnnotationStore(path, annotator="a", readonly=True)
    assert [d.id for d in again.imported_documents()] == ["d1"] and again.get_state("last") == "d1"


@pytest.mark.parametrize("make", ["nothing", "labels", "lock", "empty docs", "empty journal"])
def test_a_folder_without_store_files_still_opens_as_a_new_store(tmp_path: Path, make: str) -> None:
    path = tmp_path / "s"
    path.mkdir()
    if make == "labels":
        (path / "labels.toml").write_text('[claim]\nkey = "5"\ncolor = "red"\n', encoding="utf-8")
    elif make == "lock":
        (path / ".lock").write_bytes(b"")  # a first open killed before it wrote anything
    elif make == "empty docs":
        (path / "docs").mkdir()
    elif make == "empty journal":
        (path / "journal.jsonl").write_bytes(b"")
    assert check_store(path) == []
    with AnnotationStore(path, annotator="a") as store:
        store.set_state("k", 1)
    assert (path / "meta.json").exists()
    assert recover_store(path).endswith("(0 annotations)")
