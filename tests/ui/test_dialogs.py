"""The modal dialogs, driven by real keys."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input, Select, Static

from reader.errors import FormatError
from reader.formats import pipeline
from reader.tui.dialogs import export as dialogs
from reader.tui.app import UnavailableStore
from reader.tui.dialogs import ConfirmDialog, ExportDialog, LanguageDialog, NoteDialog
from reader.tui.dialogs.help import HelpScreen, binding_entries

from tui_helpers import notifications, run_test


class Host(App):
    def __init__(self, make_dialog):
        super().__init__()
        self.make_dialog = make_dialog
        self.results: list = []
        self.corpus = SimpleNamespace(root=Path("seeds"), documents=[])
        self.store = UnavailableStore(Path("annotations"), "a test host")

    def on_mount(self) -> None:
        self.push_screen(self.make_dialog(), self.results.append)


def _screen_text(app: App) -> str:
    return " ".join(str(w.render()) for w in app.screen.query(Static))


async def test_confirm_yes_and_no():
    for keys, expected in ((["y"], True), (["n"], False), (["escape"], False), (["enter"], True)):
        app = Host(lambda: ConfirmDialog("Delete?", "Delete the note?"))
        async with run_test(app) as pilot:
            await pilot.pause()
            await pilot.press(*keys)
            await pilot.pause()
            assert app.results == [expected], keys


async def test_confirm_shows_markup_literally():
    hostile = "[bold red]x[/] [@click=app.quit]q[/] \x1b[2J"
    app = Host(lambda: ConfirmDialog(hostile, hostile))
    async with run_test(app) as pilot:
        await pilot.pause()
        body = app.screen.query_one("#confirm-message", Static).render()
        assert "[bold red]x[/]" in str(body)
        assert "\x1b" not in str(body) and "␛" in str(body)
        assert app.is_running


async def test_note_dialog_saves_edited_text():
    app = Host(lambda: NoteDialog("old", "the span"))
    async with run_test(app) as pilot:
        await pilot.pause()
        await pilot.press("backspace", "backspace", "backspace", *"new", "ctrl+j", *"line2")
        await pilot.press("enter")
        await pilot.pause()
        assert app.results == ["new\nline2"]


async def test_note_dialog_ctrl_s_and_escape():
    app = Host(lambda: NoteDialog("", "span"))
    async with run_test(app) as pilot:
        await pilot.pause()
        await pilot.press(*"hi", "ctrl+s")
        await pilot.pause()
        assert app.results == ["hi"]
    app = Host(lambda: NoteDialog("keep", "span"))
    async with run_test(app) as pilot:
        await pilot.pause()
        await pilot.press(*"zzz", "escape")
        await pilot.pause()
        assert app.results == [None]


async def test_language_dialog_typed_code_list_and_clear():
    app = Host(lambda: LanguageDialog("it"))
    async with run_test(app) as pilot:
        await pilot.pause()
        await pilot.press("d", "e", "enter")
        await pilot.pause()
        assert app.results == ["de"]
    app = Host(lambda: LanguageDialog("it"))
    async with run_test(app) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # empty: clear the override
        await pilot.pause()
        assert app.results == [""]
    app = Host(lambda: LanguageDialog("it"))
    async with run_test(app) as pilot:
        await pilot.pause()
        await pilot.press(*"arab", "down", "enter")  # filter by name, pick from the list
        await pilot.pause()
        assert app.results == ["ar"]
    app = Host(lambda: LanguageDialog("it"))
    async with run_test(app) as pilot:
        await pilot.pause()
        await pilot.press(*"not a code!", "enter")
        await pilot.pause()
        assert app.results == []  # stays open with an error
        assert "Not a language code" in str(app.screen.query_one("#language-error", Static).render())
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]


@dataclass
class FakeFormat:
    name: str
    description: str
    extension: str
    kind: str = "jsonl"
    offsets: str | None = None  # as Format.offsets: no offset choice


@dataclass
class FakeResult:
    path: str
    spans: int
    documents: int

    def summary(self) -> str:  # as ExportResult.summary(), which describe_export shows
        return f"exported {self.spans} spans from {self.documents} documents to {self.path}"


@pytest.fixture
def fake_export(monkeypatch, tmp_path):
    formats = {"jsonl": FakeFormat("jsonl", "one JSON per line", ".jsonl"), "brat": FakeFormat("brat", "[b]standoff[/b]", "", "dir")}
    monkeypatch.setattr(dialogs, "_formats", lambda: formats)
    calls = []

    def export_corpus(fmt, corpus, store, out=None, *, force=False, include_suggested=False):
        calls.append((fmt, Path(out), force, include_suggested))
        if Path(out).exists() and not force:
            raise FormatError(f"{out}: exists; pass force")
        Path(out).write_text("x\n", encoding="utf-8")
        return FakeResult(str(out), 7, 3)

    monkeypatch.setattr(pipeline, "export_corpus", export_corpus)
    monkeypatch.chdir(tmp_path)
    return calls


async def test_export_dialog_default_path_and_run(fake_export, tmp_path):
    app = Host(lambda: ExportDialog())
    async with run_test(app, size=(120, 36)) as pilot:
        await pilot.pause()
        path_input = app.screen.query_one("#export-path", Input)
        assert path_input.value.startswith("exports/seeds-") and path_input.value.endswith(".jsonl")
        app.screen.query_one("#export-format", Select).value = "brat"
        await pilot.pause()
        assert not path_input.value.endswith(".jsonl")  # dir format: no extension
        app.screen.query_one("#export-format", Select).value = "jsonl"
        await pilot.pause()
        path_input.value = "out/result.jsonl"
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert fake_export == [("jsonl", Path("out/result.jsonl"), False, False)]
        assert (tmp_path / "out/result.jsonl").exists()
        assert len(app.results) == 1 and app.results[0].spans == 7
        messages = [n.message for n in notifications(app)]
        assert any("Exported 7 spans from 3 documents" in m and "out/result.jsonl" in m for m in messages)


async def test_export_dialog_asks_before_overwriting(fake_export, tmp_path):
    (tmp_path / "taken.jsonl").write_text("old", encoding="utf-8")
    app = Host(lambda: ExportDialog())
    async with run_test(app, size=(120, 36)) as pilot:
        await pilot.pause()
        app.screen.query_one("#export-path", Input).value = "taken.jsonl"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await pilot.pause()
        assert fake_export == [] and (tmp_path / "taken.jsonl").read_text() == "old"
        assert isinstance(app.screen, ExportDialog)
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert fake_export == [("jsonl", Path("taken.jsonl"), True, False)]
        assert app.results and app.results[0].spans == 7


async def test_export_dialog_error_keeps_dialog_open(monkeypatch, fake_export, tmp_path):
    def failing(*a, **k):
        raise FormatError("[bold]boom[/]: disk says no")

    monkeypatch.setattr(pipeline, "export_corpus", failing)
    app = Host(lambda: ExportDialog())
    async with run_test(app, size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.results == []
        assert isinstance(app.screen, ExportDialog)
        assert "[bold]boom[/]" in str(app.screen.query_one("#export-status", Static).render())
        assert any(n.severity == "error" for n in notifications(app))


class KeysScreen(Screen):
    BINDINGS = [
        Binding("x,delete", "remove", "Delete the annotation"),
        Binding("n", "note", "Edit the note"),
    ]

    def action_remove(self) -> None:
        pass

    def action_note(self) -> None:
        pass


async def test_help_screen_lists_screen_bindings():
    class HelpHost(App):
        BINDINGS = [Binding("question_mark", "help", "Help")]

        def on_mount(self):
            self.push_screen(KeysScreen())

        def action_help(self):
            self.push_screen(HelpScreen(self.screen))

    app = HelpHost()
    async with run_test(app, size=(120, 36)) as pilot:
        await pilot.pause()
        entries = binding_entries(app.screen)
        by_desc = {e.description: e for e in entries}
        assert set(by_desc["Delete the annotation"].keys) == {"x", "del"}
        assert by_desc["Help"].section == "Everywhere"
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        svg = app.export_screenshot().replace("&#160;", " ")
        for words in ("Delete the annotation", "Edit the note", "Everywhere", "Keys screen"):
            assert words in svg, words
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, KeysScreen)


# --- issue 9, defect 3: tab order, "export cancelled", the last choice remembered ---------


async def test_export_dialog_tab_follows_the_hint(fake_export, tmp_path):
    app = Host(lambda: ExportDialog())
    async with run_test(app, size=(120, 36)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert screen.focused.id == "export"
        order = []
        for _ in range(4):
            await pilot.press("tab")
            order.append(screen.focused.id)
        assert order == ["export-format", "export-path", "export-suggested", "export"]
        await pilot.press("shift+tab")
        assert screen.focused.id == "export-suggested"
        # the defect: e, tab, type a path, enter -> must export to that path
        await pilot.press("shift+tab")
        assert screen.focused.id == "export-path"
        screen.query_one("#export-path", Input).value = ""
        await pilot.press(*"typed.jsonl", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert fake_export == [("jsonl", Path("typed.jsonl"), False, False)]
        assert (tmp_path / "typed.jsonl").exists()


async def test_export_dialog_says_when_nothing_was_exported(fake_export, tmp_path):
    app = Host(lambda: ExportDialog())
    async with run_test(app, size=(120, 36)) as pilot:
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert app.results == [None]
        assert fake_export == []
        assert any("Export cancelled" in n.message for n in notifications(app))


async def test_export_dialog_remembers_the_last_format_and_path(fake_export, tmp_path):
    dialogs_made = []

    def make():
        dialogs_made.append(ExportDialog())
        return dialogs_made[-1]

    app = Host(make)
    async with run_test(app, size=(120, 36)) as pilot:
        await pilot.pause()
        app.screen.query_one("#export-format", Select).value = "brat"
        await pilot.pause()
        app.screen.query_one("#export-path", Input).value = "mine/brat-out"
        await pilot.press("ctrl+s")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert fake_export[-1][:2] == ("brat", Path("mine/brat-out"))
        app.push_screen(make(), app.results.append)
        await pilot.pause()
        assert app.screen.query_one("#export-format", Select).value == "brat"
        assert app.screen.query_one("#export-path", Input).value == "mine/brat-out"
        assert app.store.get_state(dialogs.STATE_EXPORT) == {"format": "brat", "path": "mine/brat-out"}


# --- issue 9, defect 8: ctrl+q in the note dialog does not throw the note away -------------


async def test_ctrl_q_in_the_note_dialog_asks_and_saves_the_note(tmp_path):
    from reader.store import AnnotationStore
    from reader.tui import ReaderApp

    from tui_helpers import copy_seeds, settle

    corpus, store_path = copy_seeds(tmp_path), tmp_path / "annotations"
    app = ReaderApp(corpus, store_path, detect=False, signals=False)
    async with run_test(app, size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "enter")  # open 001
        await pilot.pause()
        await pilot.press("ctrl+right", "ctrl+shift+right", "1", "c")  # c: the note of the annotation
        await pilot.pause()
        assert isinstance(app.screen, NoteDialog)
        await pilot.press(*"keep me")
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert type(app.screen).__name__ == "NoteQuitDialog" and app.is_running
        await pilot.press("escape")  # keep editing: the typed note is still there
        await pilot.pause()
        assert isinstance(app.screen, NoteDialog)
        assert app.screen.query_one("#note-text").text == "keep me"
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("s")  # save and quit
        for _ in range(50):
            await pilot.pause()
            if not app.is_running:
                break
        assert not app.is_running
    with AnnotationStore(store_path) as store:
        notes = [a.note for a in store.all()]
    assert notes == ["keep me"]


async def test_language_dialog_placeholder_and_hint_fit(tmp_path):
    """Issue 9 wording: the placeholder was cut off at the dialog's width."""
    from reader.tui.dialogs import LANGUAGE_PLACEHOLDER

    app = Host(lambda: LanguageDialog())
    async with run_test(app, size=(80, 30)) as pilot:
        await pilot.pause()
        field = app.screen.query_one("#language-input", Input)
        assert len(LANGUAGE_PLACEHOLDER) <= field.content_region.width
        svg = app.export_screenshot()
        assert LANGUAGE_PLACEHOLDER[1:].replace(" ", "&#160;") in svg  # (the cursor sits on the first letter)
        assert "empty:&#160;clear&#160;the&#160;override" in svg
