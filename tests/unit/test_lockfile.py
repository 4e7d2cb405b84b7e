"""The file store's writer lock (reader.store.lockfile): flock, and filelock where flock is missing."""
from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
from filelock import FileLock, Timeout

from reader.store import lockfile
from reader.store.lockfile import WriterLock


def test_a_second_writer_is_kept_out_until_the_first_lets_go(tmp_path: Path) -> None:
    first, second = WriterLock(tmp_path / ".lock"), WriterLock(tmp_path / ".lock")
    assert first.acquire() and first.held
    assert not second.acquire() and not second.held  # flock is per open file: even in one process
    first.release()
    assert not first.held
    assert second.acquire()
    second.release()
    assert (tmp_path / ".lock").exists()  # the file stays: the next writer locks the same inode


def test_a_killed_writer_leaves_no_stale_lock(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; from reader.store.lockfile import WriterLock;"
         "assert WriterLock(Path(sys.argv[1])).acquire(); print('held', flush=True); time.sleep(60)", str(tmp_path / ".lock")],
        stdout=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2])),
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert not WriterLock(tmp_path / ".lock").acquire()
    finally:
        holder.kill()
        holder.wait()
    lock = WriterLock(tmp_path / ".lock")
    assert lock.acquire()
    lock.release()


def test_it_and_filelock_keep_each_other_out(tmp_path: Path) -> None:
    """An older reader (filelock) and this one never write the same store at once."""
    theirs = FileLock(str(tmp_path / ".lock"), timeout=0, thread_local=False)
    theirs.acquire()
    try:
        assert not WriterLock(tmp_path / ".lock").acquire()
    finally:
        theirs.release(force=True)
    ours = WriterLock(tmp_path / ".lock")
    assert ours.acquire()
    try:
        with pytest.raises(Timeout):
            FileLock(str(tmp_path / ".lock"), timeout=0, thread_local=False).acquire()
    finally:
        ours.release()


def test_a_lock_file_deleted_before_it_was_locked_is_not_taken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / ".lock"
    real_flock = lockfile.fcntl.flock

    def delete_then_lock(fd: int, op: int) -> None:
        if op != lockfile.fcntl.LOCK_UN and path.exists():
            path.unlink()  # another process removed the file between our open and our flock
        real_flock(fd, op)

    monkeypatch.setattr(lockfile.fcntl, "flock", delete_then_lock)
    assert not WriterLock(path).acquire()


@pytest.mark.filterwarnings("ignore:flock not supported")
def test_a_file_system_without_flock_gets_filelocks_soft_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_flock(fd: int, op: int) -> None:
        raise OSError(errno.ENOSYS, "Function not implemented")

    monkeypatch.setattr(lockfile.fcntl, "flock", no_flock)  # for filelock too: it is the same module
    first, second = WriterLock(tmp_path / ".lock"), WriterLock(tmp_path / ".lock")
    assert first.acquire() and first.held
    assert not second.acquire()  # filelock's soft lock still keeps a second writer out
    first.release()
    assert second.acquire()
    second.release()


def test_another_lock_error_is_raised_for_the_store_to_open_read_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def denied(fd: int, op: int) -> None:
        raise OSError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(lockfile.fcntl, "flock", denied)
    with pytest.raises(OSError):
        WriterLock(tmp_path / ".lock").acquire()
