"""Adversarial checks of the file store's writer lock (reader.store.lockfile, the engine's use of it).

Each test is a way a user or bad luck breaks the one-writer rule.
"""
from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
from filelock import FileLock, Timeout

from memory_corpus import MemoryCorpus, doc
from reader.errors import ReaderError, StoreWriteError
from reader.store import AnnotationStore
from reader.store import lockfile
from reader.store.lockfile import WriterLock

REPO = Path(__file__).resolve().parents[2]
TEXT = "The salary is 40,000 euros. Ci vuole coraggio, disse. More text here."


def _corpus() -> MemoryCorpus:
    return MemoryCorpus([doc("a", TEXT)])


def _reader(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "reader", *args], env=env, capture_output=True, text=True, timeout=60)


def test_a_deleted_lock_file_never_lets_a_second_writer_in(tmp_path: Path, seeds_dir: Path) -> None:
    store = tmp_path / "store"
    first = AnnotationStore(store, corpus=_corpus(), annotator="first")
    try:
        first.add("a", 0, 3, "claim")
        (store / ".lock").unlink()
        doc_id = sorted(p.stem for p in seeds_dir.glob("*.txt"))[0]
        second = _reader("lang", str(seeds_dir), doc_id, "fr", "--store", str(store))
        assert second.returncode != 0 and "locked" in second.stderr, second.stdout + second.stderr
    finally:
        first.close()


def test_a_save_that_returned_survives_a_lock_file_deleted_under_it(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = AnnotationStore(store, corpus=_corpus(), annotator="first")
    first.add("a", 0, 3, "claim")
    (store / ".lock").unlink()
    try:
        second: AnnotationStore | None = AnnotationStore(store, corpus=_corpus(), annotator="second")
    except ReaderError:
        second = None  # refused: the right outcome
    first.add("a", 4, 8, "claim")  # returned: durable
    expected = {(0, 3), (4, 8)}
    if second is not None:
        second.add("a", 9, 15, "quote")  # returned: durable
        expected.add((9, 15))
        second.close()  # compacts from its own image
    try:
        first.close()
    except ReaderError:
        pass
    spans = {(a.start, a.end) for a in AnnotationStore(store, corpus=_corpus(), readonly=True).all()}
    assert expected <= spans


def test_a_lock_file_that_is_a_folder_is_one_line_and_no_write(tmp_path: Path, seeds_dir: Path) -> None:
    store = tmp_path / "store"
    (store / ".lock").mkdir(parents=True)
    doc_id = sorted(p.stem for p in seeds_dir.glob("*.txt"))[0]
    out = _reader("lang", str(seeds_dir), doc_id, "fr", "--store", str(store))
    assert out.returncode == 1
    assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr and ".lock" in out.stderr
    assert not (store / "meta.json").exists()


def test_a_store_on_an_odd_path_held_by_another_process_is_refused_in_one_line(tmp_path: Path, seeds_dir: Path) -> None:
    store = os.fsdecode(os.fsencode(str(tmp_path)) + b"/odd\xff\xfe\n name\xe2\x80\xa8x")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from reader.store import AnnotationStore;"
         "s = AnnotationStore(sys.argv[1], annotator='holder'); print('held', flush=True); time.sleep(60)", store],
        stdout=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONPATH=str(REPO)),
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        doc_id = sorted(p.stem for p in seeds_dir.glob("*.txt"))[0]
        out = _reader("lang", str(seeds_dir), doc_id, "fr", "--store", store)
        assert out.returncode == 1 and "locked" in out.stderr
        assert out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
    finally:
        holder.kill()
        holder.wait()


def test_a_symlinked_store_folder_is_the_same_lock(tmp_path: Path) -> None:
    real = tmp_path / "real"
    first = AnnotationStore(real, corpus=_corpus(), annotator="first")
    try:
        (tmp_path / "link").symlink_to(real, target_is_directory=True)
        with pytest.raises(ReaderError, match="locked"):
            AnnotationStore(tmp_path / "link", corpus=_corpus(), annotator="second")
    finally:
        first.close()


@pytest.mark.filterwarnings("ignore:flock not supported")
def test_an_old_lock_file_does_not_lock_a_store_on_a_file_system_without_flock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    earlier = WriterLock(tmp_path / ".lock")
    assert earlier.acquire()
    earlier.release()  # the file stays, as after every session on a local disk

    def no_flock(fd: int, op: int) -> None:
        raise OSError(errno.ENOSYS, "Function not implemented")

    monkeypatch.setattr(lockfile.fcntl, "flock", no_flock)  # the store now lives on a mount without flock
    lock = WriterLock(tmp_path / ".lock")
    assert lock.acquire()
    lock.release()


def test_a_save_after_the_lock_file_was_deleted_locks_it_again(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = AnnotationStore(store, corpus=_corpus(), annotator="first")
    try:
        first.add("a", 0, 3, "claim")
        (store / ".lock").unlink()
        first.add("a", 4, 8, "claim")  # the save puts a locked .lock back...
        with pytest.raises(Timeout):  # ...so an older version (filelock on .lock only) is kept out again
            FileLock(str(store / ".lock"), timeout=0, thread_local=False).acquire()
    finally:
        first.close()
    spans = {(a.start, a.end) for a in AnnotationStore(store, corpus=_corpus(), readonly=True).all()}
    assert spans == {(0, 3), (4, 8)}


def test_an_older_writer_that_got_in_through_a_deleted_lock_file_stops_our_saves_in_one_line(tmp_path: Path) -> None:
    store = tmp_path / "store"
    first = AnnotationStore(store, corpus=_corpus(), annotator="first")
    theirs = FileLock(str(store / ".lock"), timeout=0, thread_local=False)
    try:
        first.add("a", 0, 3, "claim")
        (store / ".lock").unlink()
        theirs.acquire()  # an older version opens the store: it locks only .lock
        with pytest.raises(StoreWriteError) as err:
            first.add("a", 4, 8, "claim")
        assert ".lock" in str(err.value) and "another writer" in str(err.value) and "\n" not in str(err.value)
    finally:
        theirs.release(force=True)
        try:
            first.close()
        except ReaderError:
            pass
    spans = {(a.start, a.end) for a in AnnotationStore(store, corpus=_corpus(), readonly=True).all()}
    assert (0, 3) in spans  # the save that returned is there


@pytest.mark.parametrize("kind", ["folder", "symlink"])
def test_a_lock_file_replaced_by_a_folder_or_a_symlink_mid_session_is_one_clear_line(tmp_path: Path,
                                                                                     kind: str) -> None:
    """The save after `.lock` was replaced says what is in the way and what to do (it said "Nothing was
    opened", of a store open for an hour, or "will be retried", which cannot help); the change is kept
    unsaved, saved once the thing is removed; and a command ending on it releases the store (no
    `.lock.info` left behind naming a writer that is gone)."""
    from reader.errors import StoreError
    from reader.workspace import Workspace

    store = tmp_path / "store"
    first = AnnotationStore(store, corpus=_corpus(), annotator="first")
    first.add("a", 0, 3, "claim")
    (store / ".lock").unlink()
    if kind == "folder":
        (store / ".lock").mkdir()
    else:
        (store / ".lock").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(StoreWriteError) as info:
        first.add("a", 4, 8, "claim")
    line = str(info.value)
    assert "\n" not in line and ".lock" in line and ("folder" if kind == "folder" else "symbolic link") in line
    assert "remove" in line and "Nothing was opened" not in line, line
    assert first.unsaved == 1
    if kind == "folder":
        from reader.store import check_store

        assert any(".lock" in p and "folder" in p for p in check_store(store)), check_store(store)
        (store / ".lock").rmdir()
    else:
        (store / ".lock").unlink()
    first.close()  # the kept change saved now
    assert not (store / ".lock.info").exists()
    with AnnotationStore(store, corpus=_corpus(), readonly=True) as check:
        assert {(a.start, a.end) for a in check.all()} == {(0, 3), (4, 8)}

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(TEXT, encoding="utf-8")
    with pytest.raises(StoreError):
        with Workspace.open(corpus, store, detect=False, annotator="cli") as ws:  # a command, as the CLI runs it
            doc_id = ws.corpus.documents[0].id
            (store / ".lock").unlink()
            if kind == "folder":
                (store / ".lock").mkdir()
            else:
                (store / ".lock").symlink_to(tmp_path / "elsewhere")
            ws.store.add(doc_id, 0, 3, "claim")
    assert not (store / ".lock.info").exists()
