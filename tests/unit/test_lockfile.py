"""The file store's writer lock (reader.store.lockfile): flock, and filelock where flock is missing."""
from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from filelock import FileLock, SoftFileLock, Timeout

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


def _no_flock(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_flock(fd: int, op: int) -> None:
        raise OSError(errno.ENOSYS, "Function not implemented")

    monkeypatch.setattr(lockfile.fcntl, "flock", no_flock)  # for filelock too: it is the same module


def test_a_lock_file_replaced_under_a_holder_never_lets_a_second_writer_in(tmp_path: Path) -> None:
    first = WriterLock(tmp_path / ".lock")
    assert first.acquire()
    try:
        (tmp_path / "other").touch()
        os.replace(tmp_path / "other", tmp_path / ".lock")  # a sync client puts its own copy in place
        assert not WriterLock(tmp_path / ".lock").acquire()  # the folder itself is locked
        (tmp_path / ".lock").unlink()
        assert not WriterLock(tmp_path / ".lock").acquire()
    finally:
        first.release()
    second = WriterLock(tmp_path / ".lock")
    assert second.acquire()  # and once the holder lets go, the folder is free
    second.release()


def test_a_lock_file_deleted_once_before_it_was_locked_is_opened_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / ".lock"
    real_flock = lockfile.fcntl.flock
    deleted: list[Path] = []

    def delete_once_then_lock(fd: int, op: int) -> None:
        if op != lockfile.fcntl.LOCK_UN and path.exists() and not deleted:
            deleted.append(path)
            path.unlink()  # a cleanup tool removed the file between our open and our flock
        real_flock(fd, op)

    monkeypatch.setattr(lockfile.fcntl, "flock", delete_once_then_lock)
    lock = WriterLock(path)
    assert lock.acquire() and deleted
    try:
        monkeypatch.setattr(lockfile.fcntl, "flock", real_flock)
        with pytest.raises(Timeout):  # the file that has the name is the one held: an older writer is kept out
            FileLock(str(path), timeout=0, thread_local=False).acquire()
    finally:
        lock.release()


def test_a_folder_that_cannot_be_flocked_still_has_the_lock_files_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_flock = lockfile.fcntl.flock

    def nfs_like(fd: int, op: int) -> None:
        if op != lockfile.fcntl.LOCK_UN and stat.S_ISDIR(os.fstat(fd).st_mode):
            raise OSError(errno.EBADF, "Bad file descriptor")  # NFS: an exclusive flock needs write access
        real_flock(fd, op)

    monkeypatch.setattr(lockfile.fcntl, "flock", nfs_like)
    first, second = WriterLock(tmp_path / ".lock"), WriterLock(tmp_path / ".lock")
    assert first.acquire()
    assert not second.acquire()
    first.release()
    assert second.acquire()
    second.release()


@pytest.mark.filterwarnings("ignore:flock not supported")
def test_the_soft_lock_is_its_own_file_that_goes_on_release(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _no_flock(monkeypatch)
    lock = WriterLock(tmp_path / ".lock")
    assert lock.acquire()
    assert f"{os.getpid()}\n" in (tmp_path / ".lock.soft").read_text()  # names its holder
    lock.release()
    assert not (tmp_path / ".lock.soft").exists()
    assert not (tmp_path / ".lock").exists()  # nothing is left behind to look like a holder


@pytest.mark.filterwarnings("ignore:flock not supported")
def test_a_killed_holder_of_the_soft_lock_does_not_block(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", "import errno, fcntl, sys, time; from pathlib import Path;"
         "from reader.store.lockfile import WriterLock\n"
         "def no_flock(fd, op): raise OSError(errno.ENOSYS, 'Function not implemented')\n"
         "fcntl.flock = no_flock\n"
         "lock = WriterLock(Path(sys.argv[1])); assert lock.acquire(); print('held', flush=True); time.sleep(60)",
         str(tmp_path / ".lock")],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env=dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2])),
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert (tmp_path / ".lock.soft").exists()
        with pytest.MonkeyPatch.context() as mp:
            _no_flock(mp)
            assert not WriterLock(tmp_path / ".lock").acquire()  # a live holder keeps us out
    finally:
        holder.kill()
        holder.wait()
    with pytest.MonkeyPatch.context() as mp:
        _no_flock(mp)
        lock = WriterLock(tmp_path / ".lock")
        assert lock.acquire()  # its pid is gone on this host: the marker is stale
        lock.release()


@pytest.mark.filterwarnings("ignore:flock not supported")
def test_without_flock_an_older_writers_soft_lock_on_the_lock_file_and_ours_keep_each_other_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _no_flock(monkeypatch)
    theirs = SoftFileLock(str(tmp_path / ".lock"), timeout=0, thread_local=False)  # an older reader's soft lock
    theirs.acquire()
    try:
        assert not WriterLock(tmp_path / ".lock").acquire()
        assert not (tmp_path / ".lock.soft").exists()  # refused without leaving ours behind
    finally:
        theirs.release(force=True)
    (tmp_path / ".lock").touch()  # the empty file a flock writer leaves: not a holder for us...
    ours = WriterLock(tmp_path / ".lock")
    assert ours.acquire()
    try:
        with pytest.raises(Timeout):  # ...but still one for an older reader's soft lock
            FileLock(str(tmp_path / ".lock"), timeout=0, thread_local=False).acquire()
    finally:
        ours.release()
    (tmp_path / ".lock").unlink()
    ours = WriterLock(tmp_path / ".lock")
    assert ours.acquire()  # no .lock at all: ours soft-locks that name too
    try:
        with pytest.raises(Timeout):
            SoftFileLock(str(tmp_path / ".lock"), timeout=0, thread_local=False).acquire()
    finally:
        ours.release()


def test_a_lock_file_deleted_under_a_holder_is_locked_again_when_reasserted(tmp_path: Path) -> None:
    lock = WriterLock(tmp_path / ".lock")
    assert lock.acquire()
    try:
        assert lock.reassert() is None  # nothing happened
        (tmp_path / ".lock").unlink()
        assert lock.reassert() is None
        with pytest.raises(Timeout):  # the new .lock is ours: an older version is kept out again
            FileLock(str(tmp_path / ".lock"), timeout=0, thread_local=False).acquire()
    finally:
        lock.release()
    assert (tmp_path / ".lock").exists()


def test_an_older_writer_in_a_deleted_lock_files_place_is_reported_for_good(tmp_path: Path) -> None:
    lock = WriterLock(tmp_path / ".lock")
    assert lock.acquire()
    try:
        (tmp_path / ".lock").unlink()
        theirs = FileLock(str(tmp_path / ".lock"), timeout=0, thread_local=False)  # an older reader gets in
        theirs.acquire()
        problem = lock.reassert()
        assert problem is not None and ".lock" in problem and "another writer" in problem
        theirs.release(force=True)
        assert lock.reassert() == problem  # it may have written: our image is not the store any more
    finally:
        lock.release()
