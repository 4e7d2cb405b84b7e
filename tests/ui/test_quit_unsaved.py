"""Quitting with unsaved changes (issue #13, item 5), and a store deleted while the
app is open (item 6): the app asks (retry / rescue file / lose, with a count), a
signal writes the rescue file and exits non-zero, and `reader store restore` restores it."""
from __future__ import annotations

import errno
import os
import shutil
import signal
from pathlib import Path

import pytest

import reader.fsutil as fsutil
from reader.cli import main
from reader.errors import StoreWriteError
from reader.store import AnnotationStore
from reader.tui import ReaderApp
from reader.tui.dialogs.unsaved import UnsavedDialog

from tui_helpers import SIZE, copy_seeds, run_test, settle


async def until(pilot, condition, timeout: float = 30.0) -> None:
    """Poll (under load a fixed pause is not enough) until ``condition()`` holds."""
    import asyncio
    import time

    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        await pilot.pause(0.02)
    await asyncio.sleep(0)

FIRST = "000_9d99caadc18c77c5"
ENGLISH = "001_228d26dd8dd40e62"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return copy_seeds(tmp_path)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "annotations"


class DiskFull:
    """Every write into ``folder`` fails with ENOSPC while ``on`` (other folders still work)."""

    def __init__(self, monkeypatch, folder: Path):
        self.folder = str(folder.resolve())
        self.on = True
        self.real = fsutil.write_and_sync
        monkeypatch.setattr(fsutil, "write_and_sync", self)

    def __call__(self, fd, data):
        where = os.readlink(f"/proc/self/fd/{fd}")
        if self.on and where.startswith(self.folder + os.sep):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return self.real(fd, data)


def make_unsaved(app: ReaderApp, n: int = 3) -> None:
    text = app.corpus.get(ENGLISH).text
    for i in range(n):
        with pytest.raises(StoreWriteError):
            app.store.add(ENGLISH, i * 10, i * 10 + 4, "claim", text=text[i * 10:i * 10 + 4])
    assert app.store.unsaved == n


def rescue_files(tmp_path: Path) -> list[Path]:
    return sorted(tmp_path.glob("*.rescue-*.jsonl"))


async def test_quit_asks_then_rescue_file_restores_everything(corpus, store_path, tmp_path, monkeypatch, capsys):
    app = ReaderApp(corpus, store_path, detect=False)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        fault = DiskFull(monkeypatch, store_path)
        make_unsaved(app, 3)
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, UnsavedDialog))
        assert isinstance(app.screen, UnsavedDialog) and app.screen.count == 3
        assert "disk full" in app.screen.reason
        await pilot.press("r")  # retry: the disk is still full, so it asks again
        await until(pilot, lambda: isinstance(app.screen, UnsavedDialog))
        assert isinstance(app.screen, UnsavedDialog) and app.is_running
        await pilot.press("s")
        await pilot.pause()
    assert app.return_code == 1
    (rescue,) = rescue_files(tmp_path)
    assert "rescue file" in app.exit_message and str(rescue) in app.exit_message
    fault.on = False
    code = main(["store", "restore", str(rescue), "--yes", "--store", str(store_path)])
    assert code == 0, capsys.readouterr()
    with AnnotationStore(store_path, readonly=True) as s:
        assert len(s.all()) == 3


async def test_retry_succeeds_once_space_is_back(corpus, store_path, monkeypatch):
    app = ReaderApp(corpus, store_path, detect=False)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        fault = DiskFull(monkeypatch, store_path)
        make_unsaved(app, 2)
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, UnsavedDialog))
        assert isinstance(app.screen, UnsavedDialog)
        fault.on = False
        await pilot.press("r")
        await pilot.pause()
    assert not app.return_code
    with AnnotationStore(store_path, readonly=True) as s:
        assert len(s.all()) == 2


async def test_escape_stays_and_lose_quits_non_zero(corpus, store_path, tmp_path, monkeypatch):
    app = ReaderApp(corpus, store_path, detect=False)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        DiskFull(monkeypatch, store_path)
        make_unsaved(app, 2)
        await pilot.press("ctrl+q")
        await until(pilot, lambda: isinstance(app.screen, UnsavedDialog))
        assert isinstance(app.screen, UnsavedDialog)
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, UnsavedDialog))
        assert app.is_running and not isinstance(app.screen, UnsavedDialog)
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, UnsavedDialog))
        await pilot.press("L")
        await pilot.pause()
    assert app.return_code == 1 and "discarded" in app.exit_message
    assert rescue_files(tmp_path) == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
async def test_signal_writes_the_rescue_file_and_exits_non_zero(corpus, store_path, tmp_path, monkeypatch, sig):
    app = ReaderApp(corpus, store_path, detect=False)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        fault = DiskFull(monkeypatch, store_path)
        make_unsaved(app, 4)
        store = app.store
        os.kill(os.getpid(), sig)
        await until(pilot, lambda: store.closed)
        assert store.closed
    assert app.return_code == 128 + sig
    (rescue,) = rescue_files(tmp_path)
    fault.on = False
    assert main(["store", "restore", str(rescue), "--yes", "--store", str(store_path)]) == 0
    with AnnotationStore(store_path, readonly=True) as s:
        assert len(s.all()) == 4


async def test_deleted_store_is_reported_at_once_and_rescued(corpus, store_path, tmp_path):
    app = ReaderApp(corpus, store_path, detect=False)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        shutil.rmtree(store_path)
        make_unsaved(app, 3)
        assert "deleted" in app.store.last_error
        await pilot.press("q")
        await until(pilot, lambda: isinstance(app.screen, UnsavedDialog))
        assert isinstance(app.screen, UnsavedDialog) and app.screen.count == 3
        assert "deleted" in app.screen.reason
        await pilot.press("s")
        await pilot.pause()
    (rescue,) = rescue_files(tmp_path)
    assert main(["store", "restore", str(rescue), "--yes", "--store", str(tmp_path / "new-store")]) == 0
    with AnnotationStore(tmp_path / "new-store", readonly=True) as s:
        assert len(s.all()) == 3


def test_bad_rescue_lines_are_problems_by_line(corpus, store_path, tmp_path, capsys):
    from reader.store.rescue import write_rescue

    path = write_rescue(store_path, [[["put", {"id": "x"}]], [["meta", "state", "k", 1]]], folders=[tmp_path])
    code = main(["store", "restore", str(path), "--yes", "--store", str(store_path)])
    out = capsys.readouterr().out
    assert code == 1 and "line 2" in out and "restored 1 of 2" in out


def test_no_folder_takes_the_rescue_file(tmp_path, monkeypatch):
    from reader.store.rescue import RescueError, write_rescue

    blocked = tmp_path / "not-a-folder"
    blocked.write_text("x")
    try:
        write_rescue(tmp_path / "store", [[["meta", "state", "k", 1]]], folders=[blocked, blocked / "deeper"])
    except RescueError as exc:
        assert "could not write a rescue file anywhere" in str(exc) and str(blocked) in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected RescueError")


async def test_exit_says_when_changes_could_be_neither_saved_nor_rescued(corpus, store_path, monkeypatch):
    import reader.store.rescue as rescue_mod
    from reader.store.rescue import RescueError

    def nowhere(*a, **k):
        raise RescueError("could not write a rescue file anywhere: (test)")

    monkeypatch.setattr(rescue_mod, "write_rescue", nowhere)
    app = ReaderApp(corpus, store_path, detect=False)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        DiskFull(monkeypatch, store_path)
        make_unsaved(app, 2)
        store = app.store
        os.kill(os.getpid(), signal.SIGTERM)
        await until(pilot, lambda: app.exit_message is not None)
    assert app.return_code == 128 + signal.SIGTERM
    assert "are lost" in app.exit_message and "could not be saved or rescued" in app.exit_message and app.work_not_in_store
