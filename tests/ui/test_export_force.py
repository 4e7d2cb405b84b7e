"""`export --force` replaces a previous export and nothing else (issue #13, item 7)."""
from __future__ import annotations

from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import Input, Select, Static

from reader.cli import main
from reader.corpus import load_corpus
from reader.formats.destination import MARKER
from reader.store import AnnotationStore
from reader.tui.dialogs import ConfirmDialog, ExportDialog

from conftest import copy_seeds

ROOT = Path(__file__).resolve().parents[2]


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def work(tmp_path):
    corpus = copy_seeds(tmp_path, "corpus")
    store = tmp_path / "store"
    c = load_corpus(corpus, detect=False)
    doc = c.documents[0]
    with AnnotationStore(store, corpus=c) as s:
        s.add(doc.id, 0, 5, "quote")
    return corpus, store


def test_force_onto_a_folder_with_other_files_is_refused(tmp_path, work, capsys):
    corpus, store = work
    out = tmp_path / "exports"
    (out / "notes").mkdir(parents=True)
    (out / "notes" / "todo.odt").write_bytes(b"my notes")
    before = tree(out)
    code, _, err = run(capsys, "export", corpus, "--store", store, "--format", "brat", "--out", out, "--force")
    assert code == 1 and "not written by a brat export" in err
    assert tree(out) == before


@pytest.mark.parametrize("target", ["store", "corpus", "parent"])
def test_force_never_replaces_a_store_or_a_corpus(tmp_path, work, capsys, target):
    corpus, store = work
    dest = {"store": store, "corpus": corpus, "parent": tmp_path}[target]
    before_store, before_corpus = tree(store), tree(corpus)
    code, _, err = run(capsys, "export", corpus, "--store", store, "--format", "brat", "--out", dest, "--force")
    assert code == 1
    assert ("annotation store" in err) if target != "corpus" else ("corpus folder" in err)
    assert tree(corpus) == before_corpus
    assert {k: v for k, v in tree(store).items() if not k.startswith(".lock")} == {
        k: v for k, v in before_store.items() if not k.startswith(".lock")}


def test_force_never_overwrites_a_store_file_or_a_document(tmp_path, work, capsys):
    corpus, store = work
    for dest in (store / "meta.json", next(corpus.glob("*.txt"))):
        before = dest.read_bytes()
        code, _, err = run(capsys, "export", corpus, "--store", store, "--format", "jsonl", "--out", dest, "--force")
        assert code == 1 and ("store" in err or "document of the corpus" in err)
        assert dest.read_bytes() == before


def test_force_replaces_a_previous_export_of_the_same_format(tmp_path, work, capsys):
    corpus, store = work
    out = tmp_path / "brat-out"
    code, _, err = run(capsys, "export", corpus, "--store", store, "--format", "brat", "--out", out)
    assert code == 0, err
    assert (out / MARKER).is_file()
    code, _, err = run(capsys, "export", corpus, "--store", store, "--format", "brat", "--out", out, "--force")
    assert code == 0, err
    # a file added by hand makes the folder more than an export: refused, and kept
    (out / "mine.txt").write_text("keep me", encoding="utf-8")
    code, _, err = run(capsys, "export", corpus, "--store", store, "--format", "brat", "--out", out, "--force")
    assert code == 1 and "mine.txt" in err and "would be lost" in err
    assert (out / "mine.txt").read_text() == "keep me"


def test_force_onto_an_empty_folder_is_fine(tmp_path, work, capsys):
    corpus, store = work
    out = tmp_path / "empty"
    out.mkdir()
    code, _, err = run(capsys, "export", corpus, "--store", store, "--format", "brat", "--out", out, "--force")
    assert code == 0, err and (out / MARKER).is_file()


class Host(App):
    def __init__(self, corpus, store):
        super().__init__()
        self.corpus = corpus
        self.store = store
        self.results: list = []

    def on_mount(self) -> None:
        self.push_screen(ExportDialog(), self.dialog_closed)

    def dialog_closed(self, result) -> None:
        self.results.append(result)
        # the dialog closes once its export worker has ended: closed from inside the running worker,
        # it had that worker cancelled (CI: WorkerCancelled for a caller waiting on it)
        self.export_workers_at_close = [w.state.name for w in self.workers if w.group == "export"]


@asynccontextmanager
async def _open_dialog(corpus, store):
    """The export dialog on ``corpus`` with ``store`` (read-only): (app, pilot)."""
    c = load_corpus(corpus, detect=False)
    with AnnotationStore(store, corpus=c, readonly=True) as s:
        app = Host(c, s)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            yield app, pilot


async def _export_from_dialog(app, pilot, fmt: str, path) -> None:
    """In the open export dialog: choose ``fmt``, type ``path``, press ctrl+s."""
    app.screen.query_one("#export-format", Select).value = fmt
    await pilot.pause()
    app.screen.query_one("#export-path", Input).value = str(path)
    await pilot.press("ctrl+s")
    await pilot.pause()


async def test_app_never_offers_to_overwrite_a_store(tmp_path, work, monkeypatch):
    corpus, store = work
    monkeypatch.chdir(tmp_path)
    async with _open_dialog(corpus, store) as (app, pilot):
        await _export_from_dialog(app, pilot, "brat", store)
        assert isinstance(app.screen, ExportDialog)  # no "Overwrite?" question
        status = str(app.screen.query_one("#export-status", Static).render())
        assert "annotation store" in status and "Not exported" in status
        # a previous export is offered for overwriting, and replaced
        out = tmp_path / "prev"
        assert main(["export", str(corpus), "--store", str(store), "--format", "brat", "--out", str(out)]) == 0
        app.screen.query_one("#export-path", Input).value = str(out)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.results and app.results[0].spans == 1
        assert "RUNNING" not in app.export_workers_at_close, app.export_workers_at_close


@pytest.mark.parametrize("fmt, name", [("brat", "brat-out"), ("jsonl", "spans.jsonl")])
def test_force_on_a_full_disk_keeps_the_previous_export_whole(tmp_path, work, capsys, monkeypatch, fmt, name):
    """#13 item 7 under a fault: a replace that cannot be written leaves the old export as it was."""
    import errno
    import os

    from reader import fsutil

    corpus, store = work
    out = tmp_path / name
    code, _, err = run(capsys, "export", corpus, "--store", store, "--format", fmt, "--out", out)
    assert code == 0, err
    before = tree(out) if out.is_dir() else {name: out.read_bytes()}
    entries = sorted(p.name for p in tmp_path.iterdir())

    def full(fd):  # the data reaches the disk at fsync, and the disk is full
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(fsutil.os, "fsync", full)
    code, _, err = run(capsys, "export", corpus, "--store", store, "--format", fmt, "--out", out, "--force")
    monkeypatch.undo()
    assert code != 0 and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    after = tree(out) if out.is_dir() else {name: out.read_bytes()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == entries  # no half-written temporary beside it


def test_a_rescue_file_that_cannot_be_written_leaves_nothing_half_written(tmp_path, monkeypatch):
    """#13 item 5 under a fault: every folder refuses the rescue write; the error names each one, and
    none of them keeps a partial rescue file that `reader import` would half-read."""
    import errno
    import os

    from reader import fsutil
    from reader.store.rescue import RescueError, write_rescue

    def full(fd, data):
        os.write(fd, data[: len(data) // 2])  # a torn write, then the disk is full
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(fsutil, "write_and_sync", full)
    folders = [tmp_path / "a", tmp_path / "b"]
    for f in folders:
        f.mkdir()
    op = ("put", {"id": "a1", "doc_id": "d", "start": 0, "end": 1, "label": "claim", "text": "x"})
    with pytest.raises(RescueError) as info:
        write_rescue(tmp_path / "store", [[op]], folders=folders)
    assert all(str(f) in str(info.value) for f in folders)
    assert [p for f in folders for p in f.iterdir()] == []


def test_force_never_replaces_the_store_when_exporting_one_layer(tmp_path, work, capsys):
    """--layer exports through a LayerView: it still knows the store's folder, and refuses it."""
    corpus, store = work
    with AnnotationStore(store, readonly=True) as s:
        who = s.all()[0].annotator
    before = {k: v for k, v in tree(store).items() if not k.startswith(".lock")}
    code, _, err = run(capsys, "export", corpus, "--store", store, "--layer", who, "--format", "brat",
                       "--out", store, "--force")
    assert code == 1 and "annotation store" in err, err
    assert {k: v for k, v in tree(store).items() if not k.startswith(".lock")} == before


async def test_app_writes_into_a_fifo_without_asking_to_overwrite_it(tmp_path, work, monkeypatch):
    """A FIFO (another program reading the export) replaces nothing: the dialog exports into it at once, as
    the CLI does without --force; it asked "Overwrite?" for any path that existed."""
    import os
    import stat
    import threading

    corpus, store = work
    monkeypatch.chdir(tmp_path)
    fifo = tmp_path / "feed.pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    async with _open_dialog(corpus, store) as (app, pilot):
        await _export_from_dialog(app, pilot, "jsonl", fifo)
        assert not isinstance(app.screen, ConfirmDialog)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.results and app.results[0].spans == 1
        assert "RUNNING" not in app.export_workers_at_close, app.export_workers_at_close
    reader.join(10)
    assert got and got[0].count(b"\n") == 5 and got[0].count(b'"quote"') == 1  # a line per document, one span
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
