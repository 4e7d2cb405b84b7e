"""ReaderApp as a whole: store faults, export, clipboard, signals, terminal safety."""
from __future__ import annotations

import json
import os
import signal
from pathlib import Path

import pyperclip
import pytest
from textual.widgets import Input, Static

from reader.corpus import load_corpus
from reader.store import AnnotationStore
from reader.tui import ReaderApp
from reader.tui.app import UnavailableStore
from reader.tui.dialogs import ConfirmDialog, ExportDialog
from reader.tui.screens.library import LibraryScreen
from reader.tui.screens.reading import ReadingScreen

from tui_helpers import SIZE, copy_seeds, messages, notifications, run_test, settle

FIRST = "000_9d99caadc18c77c5"
ENGLISH = "001_228d26dd8dd40e62"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return copy_seeds(tmp_path)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "annotations"


def _annotate(corpus: Path, store_path: Path) -> int:
    """Three accepted spans in two documents; returns the count."""
    with AnnotationStore(store_path) as store:
        c = load_corpus(corpus, detect=False)
        store.attach_corpus(c)
        text = c.get(ENGLISH).text
        for word, label in (("artificial intelligence", "claim"), ("Midjourney", "quote")):
            i = text.index(word)
            store.add(ENGLISH, i, i + len(word), label)
        store.add(FIRST, 0, 4, "salary")
    return 3


async def test_store_is_opened_and_closed_on_exit(corpus, store_path):
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        store = app.store
        assert not store.readonly
        assert app.corpus is app.workspace.corpus and app.labels is store.labels
    assert store.closed
    with AnnotationStore(store_path) as again:  # the lock was released
        assert not again.readonly


async def test_locked_store_opens_read_only_with_a_notice(corpus, store_path):
    holder = AnnotationStore(store_path)
    try:
        app = ReaderApp(corpus, store_path)
        async with run_test(app, size=SIZE) as pilot:
            await settle(app, pilot)
            assert app.store.readonly
            assert "READ-ONLY" in app.sub_title
            assert any("locked" in m and "read-only" in m for m in messages(app))
            banner = app.screen.query_one("#banner", Static)
            assert banner.display and "Read-only" in str(banner.render())
            assert "another writer holds the lock" in str(banner.render())
            assert "holds the lock" in app.sub_title
            await pilot.press("d")  # toggling done cannot save: a message, no crash
            await pilot.pause()
            assert app.is_running
            assert any("read-only" in m.lower() for m in messages(app)[1:])
            assert isinstance(app.screen, LibraryScreen)
    finally:
        holder.close()


async def test_corrupt_store_keeps_the_app_running(corpus, store_path):
    _annotate(corpus, store_path)
    meta = store_path / "meta.json"
    meta.write_text("{ this is not json", encoding="utf-8")
    before = meta.read_bytes()
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.store, UnavailableStore)
        assert app.is_running and isinstance(app.screen, LibraryScreen)
        assert app.screen.shown  # the corpus is still listed
        assert any("meta.json" in m and "reader store" in m and "read-only" in m for m in messages(app))
        assert "READ-ONLY" in app.sub_title
        await pilot.press("d", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ReadingScreen)  # still readable
        await pilot.press("q")
        await pilot.pause()
        assert app.is_running
    assert meta.read_bytes() == before  # never overwritten


async def test_newer_schema_is_refused_with_a_message(corpus, store_path):
    _annotate(corpus, store_path)
    meta = store_path / "meta.json"
    data = json.loads(meta.read_text(encoding="utf-8"))
    data["_meta"]["1"]["schema_version"] = 999
    meta.write_text(json.dumps(data), encoding="utf-8")
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.store, UnavailableStore)
        assert any("newer" in m for m in messages(app))
    assert json.loads(meta.read_text(encoding="utf-8"))["_meta"]["1"]["schema_version"] == 999


async def test_bad_labels_file_is_named_with_its_line(corpus, store_path):
    store_path.mkdir()
    (store_path / "labels.toml").write_text('[salary]\nkey = "1"\ncolor = "not-a-colour"\n', encoding="utf-8")
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.is_running
        assert any("labels.toml" in m and "line" in m for m in messages(app))


async def test_missing_corpus_folder_is_a_message(tmp_path, store_path):
    app = ReaderApp(tmp_path / "nowhere", store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.is_running and isinstance(app.screen, LibraryScreen)
        assert any("nowhere" in m for m in messages(app))
        assert app.screen.query_one("#problems").row_count == 1


async def test_export_from_the_dialog_writes_the_file(corpus, store_path, tmp_path):
    n = _annotate(corpus, store_path)
    out = tmp_path / "out" / "spans.jsonl"
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)
        path_input = app.screen.query_one("#export-path", Input)
        assert path_input.value.startswith("exports/seeds-") and path_input.value.endswith(".jsonl")
        path_input.value = str(out)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert any(f"{n} span" in m and str(out) in m for m in messages(app))
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]
    spans = sum(len(rec.get("spans", rec.get("label", []))) for rec in lines)
    assert spans == n
    # a second export to the same path asks first
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("ctrl+e")
        await pilot.pause()
        app.screen.query_one("#export-path", Input).value = str(out)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, ExportDialog)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)


async def test_copy_with_no_clipboard_available(corpus, store_path, monkeypatch):
    def no_clipboard(text):
        raise pyperclip.PyperclipException("Pyperclip could not find a copy/paste mechanism for your system.")

    monkeypatch.setattr(pyperclip, "copy", no_clipboard)
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        app.copy_text("Netflix", "selection")
        await settle(app, pilot)
        assert app.is_running
        assert app.clipboard == "Netflix"
        assert any(m.startswith("Copied 7 chars") and "OSC 52" in m for m in messages(app))
        assert all("\n" not in m and len(m) < 120 for m in messages(app) if m.startswith("Copied"))
        await pilot.press("question_mark", "end")  # the help screen shows why the system clipboard failed
        await pilot.pause()
        svg = app.export_screenshot()
        assert "Recent&#160;details" in svg and "Pyperclip" in svg and "set-clipboard" in svg


async def test_sigterm_flushes_and_closes_the_store(corpus, store_path):
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        app.store.set_done(FIRST, True)
        store = app.store
        os.kill(os.getpid(), signal.SIGTERM)
        await pilot.pause(0.2)
        assert store.closed
    assert app.return_code == 128 + signal.SIGTERM
    with AnnotationStore(store_path) as again:
        assert again.doc_status(FIRST) == "done"


async def test_sighup_closes_the_store(corpus, store_path):
    before = signal.getsignal(signal.SIGHUP)
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        store = app.store
        os.kill(os.getpid(), signal.SIGHUP)
        await pilot.pause(0.2)
        assert store.closed
    # the app's handler is gone again once it has exited
    assert signal.getsignal(signal.SIGHUP) in (before, signal.SIG_DFL)


async def test_remember_position_persists(corpus, store_path):
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.last_position() is None
        app.remember_position(ENGLISH, 42)
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        assert app.last_position() == (ENGLISH, 42)


async def test_report_error_is_plain_text(corpus, store_path):
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        app.report_error("[bold red]x[/] [@click=app.quit]q[/] \x1b]52;c;SGVsbG8=\x07")
        await pilot.pause()
        note = notifications(app)[-1]
        assert note.markup is False
        assert "\x1b" not in note.message and "[@click=app.quit]q[/]" in note.message
        assert app.is_running


async def test_detection_runs_in_a_worker_with_progress(tmp_path, store_path, monkeypatch):
    corpus = tmp_path / "many"
    corpus.mkdir()
    for i in range(30):
        (corpus / f"d{i:02d}.txt").write_text(
            f"Title {i}\n\nThe actors and the writers are on strike in Hollywood over artificial intelligence, number {i}.\n",
            encoding="utf-8",
        )
    seen: list[tuple[int, int]] = []
    original = LibraryScreen.show_progress

    def spy(self, done, total):
        seen.append((done, total))
        original(self, done, total)

    monkeypatch.setattr(LibraryScreen, "show_progress", spy)
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        # the table is there before any language is known
        assert app.screen.table.row_count == 30
        await settle(app, pilot)
        assert seen and seen[-1] == (30, 30)
        assert not app.screen.query_one("#detect-box").display
        assert all(d.lang == "en" for d in app.corpus.documents)
        assert {str(app.screen.table.get_row_at(i)[2]) for i in range(30)} == {"EN"}  # the Lang column
    # the results were cached in the store: the next start detects nothing
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        assert all(d.lang_source == "cache" for d in app.corpus.documents)


def test_every_binding_has_a_description():
    from textual.binding import Binding

    from reader.tui import dialogs
    from reader.tui.dialogs import help as help_mod
    from reader.tui.widgets.pane import DocumentPane
    from reader.tui.screens.compare import CompareScreen
    from reader.tui.screens.library import LibraryScreen as Library

    owners = [ReaderApp, Library, ReadingScreen, CompareScreen, DocumentPane, help_mod.HelpScreen,
              dialogs.ConfirmDialog, dialogs.NoteDialog, dialogs.LanguageDialog, dialogs.ExportDialog]
    missing = []
    for owner in owners:
        for b in owner.BINDINGS:
            if isinstance(b, Binding) and not b.description and not b.system:
                missing.append(f"{owner.__name__}: {b.key} -> {b.action}")
    assert missing == []


async def test_palette_offers_the_reading_screen_keys(corpus, store_path):
    from reader.tui.commands import ReaderCommands

    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReadingScreen)
        hits = {hit.text: hit async for hit in ReaderCommands(app.screen).discover()}
        assert "Copy" in hits and "Back" in hits and "Export annotations…" in hits
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Back")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)


async def test_e_then_enter_exports_with_the_defaults(corpus, store_path, tmp_path, monkeypatch):
    n = _annotate(corpus, store_path)
    monkeypatch.chdir(tmp_path)
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        default = app.screen.query_one("#export-path", Input).value
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, LibraryScreen)
    out = tmp_path / default
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sum(len(r["spans"]) for r in records) == n


@pytest.mark.parametrize("fmt", ["jsonl", "brat"])
async def test_export_dialog_files_get_the_umask_modes(corpus, store_path, tmp_path, fmt):
    """#9 defect 5, through the app: e, pick the format, type the path, ctrl+s; then every file
    written is 0644 and every folder 0755 under umask 022, as open() and mkdir() would make them."""
    import stat

    from textual.widgets import Select

    _annotate(corpus, store_path)
    out = tmp_path / "exports" / ("spans.jsonl" if fmt == "jsonl" else "brat-out")
    old = os.umask(0o022)
    try:
        app = ReaderApp(corpus, store_path)
        async with run_test(app, size=SIZE) as pilot:
            await settle(app, pilot)
            await pilot.press("e")
            await pilot.pause()
            assert isinstance(app.screen, ExportDialog)
            app.screen.query_one("#export-format", Select).value = fmt
            await pilot.pause()
            # the path's folder is put in the field and its last part typed: a key press costs
            # ~50 ms in the Pilot, and typing all of a tmp path took 7 s; the keys are not the point
            path = app.screen.query_one("#export-path", Input)
            path.value = str(out.parent) + os.sep
            await pilot.click("#export-path")
            path.cursor_position = len(path.value)
            await pilot.press(*out.name)
            assert path.value == str(out)
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            assert isinstance(app.screen, LibraryScreen)
    finally:
        os.umask(old)
    written = [out, *out.rglob("*")] if out.is_dir() else [out]
    assert len(written) >= (3 if fmt == "brat" else 1)
    modes = {p.relative_to(tmp_path).as_posix(): oct(stat.S_IMODE(p.stat().st_mode)) for p in written}
    assert all(m == (oct(0o755) if (tmp_path / p).is_dir() else oct(0o644)) for p, m in modes.items()), modes
