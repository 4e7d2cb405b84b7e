"""Files of a folder store that are gone, and what `reader store check`, `reader store recover` and opening
the store make of it: a shard deleted by hand with no .bak (written by one compaction only), the newest kept
journal deleted, and which files recover cannot rebuild (named by check, each in one line)."""
from __future__ import annotations

import errno
import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

from store_sessions import content as _content, corpus as _corpus, recovered_or_refused, session as _session
from reader import fsutil
from reader.errors import StoreError
from reader.model import Document
from reader.store import AnnotationStore, check_store, recover_store, shard_name
from reader.store.archive import listed_files


def _no_link_in_journals(monkeypatch: pytest.MonkeyPatch) -> None:
    """Linking (or copying) the journal into journals/ fails: a compaction cut between its renames and
    its link, as a kill there leaves it (the journal is not reset). Backups are still made."""
    real = fsutil.link_or_copy

    def link_or_copy(src: Path | str, dst: Path | str) -> bool:
        if Path(dst).parent.name == "journals":
            raise OSError(errno.EIO, "Input/output error")
        return real(src, dst)

    monkeypatch.setattr(fsutil, "link_or_copy", link_or_copy)


def _cut_compaction(path: Path, monkeypatch: pytest.MonkeyPatch, adds: list[tuple[str, int]]) -> None:
    """Session 1 annotates a and closes; session 2 adds ``adds`` (doc, start) and is killed in its compaction
    between the renames and the link of its journal (the journal is not reset)."""
    _session(path, "a", 0, "s0")
    store = AnnotationStore(path, corpus=_corpus(), annotator="x")
    for doc_id, start in adds:
        store.add(doc_id, start, start + 1, "claim")
    _no_link_in_journals(monkeypatch)
    with pytest.raises(StoreError):
        store.compact()
    monkeypatch.undo()
    store._engine.close()  # noqa: SLF001 - as a killed process leaves it


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


# --------------------------------------------------------------------------- the newest kept journal deleted


def _newest_deleted(tmp_path: Path) -> Path:
    """1 rewrites a and b (kept: b is not rewritten later), 2 rewrites a; then journals/2.jsonl is deleted."""
    path = tmp_path / "s"
    store = AnnotationStore(path, corpus=_corpus(), annotator="x")
    store.add("a", 0, 1, "claim")
    store.add("b", 0, 1, "claim")
    store.close()
    _session(path, "a", 5)
    assert sorted(p.name for p in (path / "journals").iterdir()) == ["1.files.json", "1.jsonl", "2.files.json",
                                                                      "2.jsonl"]
    (path / "journals" / "2.jsonl").unlink()
    return path


def test_the_newest_kept_journal_deleted_is_reported_by_check(tmp_path: Path) -> None:
    path = _newest_deleted(tmp_path)
    problems = check_store(path)
    assert any("2.jsonl" in p for p in problems), problems


@pytest.mark.parametrize("later_session", [False, True])
def test_the_newest_kept_journal_deleted_is_never_a_clean_recovery(tmp_path: Path, later_session: bool) -> None:
    """a's .bak plus journal 1 miss the span of session 2: recover must not say "recovered" without it."""
    path = _newest_deleted(tmp_path)
    if later_session:  # the next compaction must not tidy the evidence away (the list of 2 went with it)
        _session(path, "c", 9)
    (path / "docs" / shard_name("a")).write_bytes(b"\x00" * 16)
    recovered_or_refused(path, shard_name("a"), ("a", 5, 6))  # the span of session 2


def test_a_compaction_cut_before_it_linked_its_journal_is_still_no_gap(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The newest list without its journal because linking failed (the journal was not reset): not a loss,
    for check and recover alike, also after more saves went to that journal."""
    path = tmp_path / "s"
    _session(path, "a", 0, "s0")
    store = AnnotationStore(path, corpus=_corpus(), annotator="x")
    store.add("a", 3, 4, "claim")

    _no_link_in_journals(monkeypatch)
    with pytest.raises(StoreError, match="input/output error"):
        store.compact()
    monkeypatch.undo()
    store.add("a", 6, 7, "claim")  # more saves to the journal that was not reset
    store._engine.close()  # noqa: SLF001 - as a killed process leaves it
    assert (path / "journals" / "2.files.json").exists() and not (path / "journals" / "2.jsonl").exists()
    before = _content(path)
    assert check_store(path) == []
    (path / "docs" / shard_name("a")).write_bytes(b"\x00" * 16)
    assert "recovered" in recover_store(path)
    assert _content(path) == before


# --------------------------------------------------------------------------- check names what recover cannot rebuild


def test_check_names_each_file_recover_cannot_rebuild_and_only_those(tmp_path: Path) -> None:
    path = _newest_deleted(tmp_path)  # a's last rewrite is in the deleted journal; b's is kept
    for victim in ("a", "b"):
        (path / "docs" / shard_name(victim)).write_bytes(b"\x00" * 16)
    problems = check_store(path)
    cannot = [p for p in problems if "cannot be rebuilt" in p]
    assert len(cannot) == 1 and shard_name("a") in cannot[0], problems
    assert not any(shard_name("b") in p for p in cannot)
    assert sorted(p.name for p in (path / "docs").iterdir()) == sorted(  # check wrote nothing
        [shard_name("a"), shard_name("a") + ".bak", shard_name("b")])
    with pytest.raises(StoreError, match=shard_name("a")):
        recover_store(path)


def test_a_shard_first_written_by_a_compaction_cut_before_its_journal_was_linked_is_rebuilt(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """b's shard written for the first time by a compaction that could not link its journal (a kill there
    did the same; the sigkill test of test_store_kept_journals met it now and then): no .bak, and no kept
    journal names it, but the journal that was not reset holds every change of b. Recover said "cannot be
    rebuilt"."""
    path = tmp_path / "s"
    _cut_compaction(path, monkeypatch, [("b", 3), ("b", 6)])
    shard = path / "docs" / shard_name("b")
    assert shard.exists() and not shard.with_name(shard.name + ".bak").exists()
    before = _content(path)
    shard.write_bytes(b"\x00" * 16)
    assert not any("cannot be rebuilt" in p for p in check_store(path))
    assert "recovered" in recover_store(path)
    assert _content(path) == before


def test_a_shard_first_written_by_a_cut_compaction_stays_rebuildable_through_a_second_cut(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As above, then the next session's compaction is cut too, before it renames b (found by killing
    writers at every system call): its list must still say b was first written since the journal was
    last reset, or recover calls b "cannot be rebuilt" although journal.jsonl holds every change of it."""
    path = tmp_path / "s"
    _session(path, "a", 0, "s0")
    store = AnnotationStore(path, corpus=_corpus(), annotator="x")
    store.add("b", 3, 4, "claim")

    _no_link_in_journals(monkeypatch)
    with pytest.raises(StoreError):
        store.compact()
    monkeypatch.undo()
    store._engine.close()  # noqa: SLF001 - killed after b's first shard was renamed into place
    shard = path / "docs" / shard_name("b")
    assert shard.exists()

    store = AnnotationStore(path, corpus=_corpus(), annotator="x")
    store.add("a", 9, 10, "claim")
    store.add("b", 6, 7, "claim")
    real = fsutil.commit_temp

    def cut_at_b(tmp: Path, where: Path, **kwargs: bool) -> None:
        if Path(where) == shard:
            raise OSError(errno.EIO, "Input/output error")
        real(tmp, where, **kwargs)

    monkeypatch.setattr(fsutil, "commit_temp", cut_at_b)
    with pytest.raises(StoreError):
        store.compact()
    monkeypatch.undo()
    store._engine.close()  # noqa: SLF001
    assert not shard.with_name(shard.name + ".bak").exists()
    before = _content(path)
    shard.write_bytes(b"\x00" * 16)
    assert "recovered" in recover_store(path)
    assert _content(path) == before


def test_a_new_stores_meta_json_after_a_first_compaction_cut_before_its_link_is_rebuilt(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first compaction of a new store renames meta.json (its .bak: the empty one of the first open)
    and cannot link its journal: the journal, not reset, holds every change of meta.json since that
    .bak. Recover said it cannot be rebuilt (found by killing writers at every system call)."""
    path = tmp_path / "s"
    store = AnnotationStore(path, corpus=_corpus(), annotator="x")
    store.add("a", 0, 1, "claim")
    store.set_state("last", "kept")

    _no_link_in_journals(monkeypatch)
    with pytest.raises(StoreError):
        store.compact()
    monkeypatch.undo()
    store._engine.close()  # noqa: SLF001 - as a killed process leaves it
    assert (path / "meta.json.bak").exists()
    before = _content(path)
    (path / "meta.json").write_bytes(b"\x00" * 16)
    assert "recovered" in recover_store(path)
    assert _content(path) == before


def test_a_deleted_docs_folder_is_every_shard_missing_not_an_empty_store(tmp_path: Path) -> None:
    """`rm -r docs`: the store opened as if no document had an annotation (docs/ made again, empty)."""
    path = tmp_path / "s"
    _session(path, "a", 0, "s0")
    _session(path, "b", 1, "s1")
    before = _content(path)
    for child in (path / "docs").iterdir():
        child.unlink()
    (path / "docs").rmdir()
    problems = check_store(path)
    assert all(any(shard_name(d) in p for p in problems) for d in ("a", "b")), problems
    with pytest.raises(StoreError, match="recover"):
        AnnotationStore(path, corpus=_corpus(), annotator="x")
    assert not (path / "docs").exists()
    assert "recovered" in recover_store(path)
    assert _content(path) == before


def test_a_cut_compaction_whose_journal_is_damaged_since_is_never_a_false_recovery(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cut compaction wrote a and b (b for the first time); then the journal's first line is damaged, so
    journal.jsonl no longer begins with the bytes the cut list recorded, and the cut cannot be told from a
    lost journal: recover brings b back whole or names it, never "recovered" without its span."""
    path = tmp_path / "s"
    _cut_compaction(path, monkeypatch, [("a", 3), ("b", 6)])  # journal line 1: a's shard (renamed by the cut) keeps it too
    before = _content(path)
    journal = path / "journal.jsonl"
    raw = journal.read_bytes()
    journal.write_bytes(b"0" + raw[1:])  # line 1's checksum no longer matches
    (path / "docs" / shard_name("b")).write_bytes(b"\x00" * 16)
    try:
        summary = recover_store(path)
    except StoreError as exc:
        assert shard_name("b") in str(exc) and "cannot be rebuilt" in str(exc)
    else:
        assert _content(path) == before, f"reported {summary!r} and lost b's span"


# --------------------------------------------------------------------------- gone with journals/: meta.json's list


def _with_import(path: Path) -> str:
    """A store with a's annotation and an imported document annotated; its texts/ file's name."""
    _session(path, "a", 0, "s0")
    store = AnnotationStore(path, corpus=_corpus(), annotator="x")
    text = "Imported: the pay is 300,000 dollars."
    store.add_documents([Document(id="imp", text=text, sha256=hashlib.sha256(text.encode()).hexdigest(), imported=True)])
    store.add("imp", 0, 8, "claim")
    store.close()
    return shard_name("imp")


def _forget_history(path: Path) -> None:
    """journals/ and journal.prev.jsonl deleted (by hand, a cleanup tool, a copy that left them out)."""
    shutil.rmtree(path / "journals")
    (path / "journal.prev.jsonl").unlink(missing_ok=True)


@pytest.mark.parametrize("folder", ["texts", "docs"])
def test_a_folder_deleted_with_the_kept_journals_is_named_by_check_and_recover(tmp_path: Path, folder: str) -> None:
    """texts/ (or docs/) deleted together with journals/: nothing but meta.json's list of the store's files
    says they were there. Check said "ok" over the lost imported documents (or every annotation)."""
    path = tmp_path / "s"
    name = _with_import(path)
    gone = [f"{folder}/{name}"] + ([f"docs/{shard_name('a')}"] if folder == "docs" else [])
    shutil.rmtree(path / folder)
    _forget_history(path)
    problems = check_store(path)
    for key in gone:
        assert any(key in p and "meta.json lists it" in p for p in problems), problems
        assert any(key in p and "cannot be rebuilt" in p for p in problems), problems
    with pytest.raises(StoreError, match="recovery is incomplete.*" + re.escape(gone[0])):
        recover_store(path)
    assert all(p.count("\n") == 0 for p in problems)


def test_a_text_lost_with_the_kept_journals_is_checked_clean_once_imported_again(tmp_path: Path) -> None:
    """The store still opens (its other documents and annotations are there); importing the lost document
    again writes its texts/ file back, and check is clean again."""
    path = tmp_path / "s"
    name = _with_import(path)
    shutil.rmtree(path / "texts")
    _forget_history(path)
    assert any(name in p and "reader import" in p for p in check_store(path))
    store = AnnotationStore(path, corpus=_corpus(), annotator="x")
    assert {(a.doc_id, a.start) for a in store.all()} == {("a", 0), ("imp", 0)}
    text = "Imported: the pay is 300,000 dollars."
    store.add_documents([Document(id="imp", text=text, sha256=hashlib.sha256(text.encode()).hexdigest(), imported=True)])
    store.close()
    assert check_store(path) == []


def test_the_list_names_a_new_file_only_once_it_is_in_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A compaction cut after it renamed b's new shard and before meta.json: the list does not name b yet
    (check is clean), and the next session's compaction adds it."""
    path = tmp_path / "s"
    _session(path, "a", 0, "s0")
    store = AnnotationStore(path, corpus=_corpus(), annotator="x")
    store.add("b", 1, 2, "claim")
    real = fsutil.commit_temp

    def commit_temp(tmp: Path, dst: Path, *, backup: bool = False) -> None:
        if Path(dst).name == "meta.json":
            raise OSError(errno.EIO, "Input/output error")
        real(tmp, dst, backup=backup)

    monkeypatch.setattr(fsutil, "commit_temp", commit_temp)
    with pytest.raises(StoreError):
        store.compact()
    monkeypatch.undo()
    store._engine.close()  # noqa: SLF001 - as a killed process leaves it
    assert (path / "docs" / shard_name("b")).exists()
    assert listed_files(path) == {f"docs/{shard_name('a')}"}
    assert check_store(path) == []
    _session(path, "c", 2)
    assert listed_files(path) == {f"docs/{shard_name(d)}" for d in "abc"}
    assert check_store(path) == []


def test_a_store_written_before_the_list_gets_it_at_its_next_compaction(tmp_path: Path) -> None:
    """meta.json without "files" (an older reader wrote it): a read-only open writes nothing, and the next
    compaction lists every file there; from then on a deleted one is named."""
    path = tmp_path / "s"
    name = _with_import(path)
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    del meta["_meta"]["1"]["files"]
    (path / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    before = (path / "meta.json").read_bytes()
    _content(path)
    store = AnnotationStore(path, corpus=_corpus(), annotator="x")
    store.close()  # nothing changed: nothing written
    assert (path / "meta.json").read_bytes() == before and listed_files(path) == set()
    _session(path, "b", 3)
    assert listed_files(path) == {f"docs/{shard_name(d)}" for d in ("a", "b", "imp")} | {f"texts/{name}"}


@pytest.mark.parametrize("files", [["../../etc/passwd.json"], ["docs/a/../../x.json"], "docs/a.json", [3],
                                   ["docs/.hidden.json"], ["docs/a.json\n"]])
def test_a_hostile_list_in_meta_json_is_one_line_and_never_a_path(tmp_path: Path, files: object) -> None:
    path = tmp_path / "s"
    _session(path, "a", 0, "s0")
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    meta["_meta"]["1"]["files"] = files
    (path / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(StoreError, match=r"meta\.json.*files") as err:
        AnnotationStore(path, corpus=_corpus(), annotator="x")
    assert "\n" not in str(err.value)
    problems = check_store(path)
    assert any("meta.json" in p and "files" in p for p in problems), problems
    assert not any("passwd" in p and "missing" in p for p in problems)


def test_a_store_whose_listed_files_are_gone_says_so_at_opening(tmp_path: Path) -> None:
    """Opened without them (nothing can rebuild them), the store said nothing: a's annotations were simply
    not there. ``lost_files`` names them, and the CLI says so in one line on every command that opens it."""
    import subprocess
    import sys

    path = tmp_path / "s"
    name = _with_import(path)
    shutil.rmtree(path / "docs")
    _forget_history(path)
    with AnnotationStore(path, corpus=_corpus(), readonly=True) as store:
        assert store.lost_files == [f"docs/{shard_name('a')}", f"docs/{name}"]
    with AnnotationStore(path, corpus=_corpus(), annotator="x") as store:
        assert store.lost_files == [f"docs/{shard_name('a')}", f"docs/{name}"]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text("The salary is 40,000 euros.\n", encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "reader", "docs", str(corpus), "--store", str(path), "--no-detect"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = [line for line in out.stderr.splitlines() if "gone" in line]
    assert len(lines) == 1 and shard_name("a") in lines[0] and "annotations" in lines[0], out.stderr
    assert "Traceback" not in out.stderr


def test_a_healthy_store_has_no_lost_files(tmp_path: Path) -> None:
    path = tmp_path / "s"
    _with_import(path)
    with AnnotationStore(path, corpus=_corpus(), readonly=True) as store:
        assert store.lost_files == []
