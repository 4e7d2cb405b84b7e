"""Files of a folder store that are gone, and what `reader store check`, `reader store recover` and opening
the store make of it: a shard deleted by hand with no .bak (written by one compaction only), the newest kept
journal deleted, and which files recover cannot rebuild (named by check, each in one line)."""
from __future__ import annotations

from pathlib import Path

import pytest

from memory_corpus import MemoryCorpus, doc
from reader.errors import StoreError
from reader.store import AnnotationStore, check_store, recover_store, shard_name

TEXT = "The salary is 40,000 euros. Ci vuole coraggio, disse. More text here."


def _corpus() -> MemoryCorpus:
    return MemoryCorpus([doc(d, TEXT) for d in ("a", "b", "c")])


def _session(path: Path, doc_id: str, n: int, state: str | None = None) -> None:
    """One session of the app: one annotation (and the reading position), then close (a compaction)."""
    store = AnnotationStore(path, corpus=_corpus(), annotator="x")
    store.add(doc_id, n, n + 1, "claim")
    if state is not None:
        store.set_state("last", state)
    store.close()


def _content(path: Path) -> tuple[list[tuple[str, int, int]], object]:
    store = AnnotationStore(path, corpus=_corpus(), readonly=True)
    try:
        return sorted((a.doc_id, a.start, a.end) for a in store.all()), store.get_state("last")
    finally:
        store.close()


# --------------------------------------------------------------------------- a shard with no .bak deleted


def test_a_deleted_shard_without_a_backup_is_named_by_check_refused_by_open_and_rebuilt_by_recover(
        tmp_path: Path) -> None:
    """docs/<a>.json written once (so no .bak) and deleted by hand: the kept journal that wrote it names it."""
    path = tmp_path / "s"
    _session(path, "a", 0, "s0")
    _session(path, "b", 1, "s1")
    before = _content(path)
    shard = path / "docs" / shard_name("a")
    assert not shard.with_name(shard.name + ".bak").exists()
    shard.unlink()
    problems = check_store(path)
    assert len([p for p in problems if shard.name in p]) >= 1, problems
    with pytest.raises(StoreError, match=shard.name):  # never opened as if a had no annotations
        AnnotationStore(path, corpus=_corpus(), annotator="x")
    with pytest.raises(StoreError, match=shard.name):
        AnnotationStore(path, corpus=_corpus(), readonly=True)
    assert not shard.exists()  # nothing written by the refused opens
    summary = recover_store(path)
    assert "recovered" in summary and shard.name in summary
    assert _content(path) == before
    assert check_store(path) == []


def test_a_shard_and_its_backup_both_deleted_is_never_a_clean_recovery(tmp_path: Path) -> None:
    """`rm docs/a-*`: the shard and its .bak gone. Recover either brings back every annotation of a or names
    the shard as lost; it never reports "recovered" over the annotations of the first sessions."""
    path = tmp_path / "s"
    for i in range(3):
        _session(path, "a", i, f"s{i}")
    _session(path, "b", 5, "s3")
    before = _content(path)
    shard = path / "docs" / shard_name("a")
    shard.unlink()
    shard.with_name(shard.name + ".bak").unlink()
    assert any(shard.name in p for p in check_store(path)), check_store(path)
    try:
        summary = recover_store(path)
    except StoreError as exc:
        assert shard.name in str(exc) and "cannot be rebuilt" in str(exc)
    else:
        assert _content(path) == before, f"reported {summary!r} and lost annotations of a"


def test_a_deleted_shard_with_its_backup_left_is_refused_by_open(tmp_path: Path) -> None:
    """The .bak case (check and recover handled it): opening carried on as if a had no annotations."""
    path = tmp_path / "s"
    for i in range(2):
        _session(path, "a", i, f"s{i}")
    before = _content(path)
    shard = path / "docs" / shard_name("a")
    shard.unlink()
    with pytest.raises(StoreError, match=f"{shard.name}.*recover"):
        AnnotationStore(path, corpus=_corpus(), annotator="x")
    assert "recovered" in recover_store(path)
    assert _content(path) == before
