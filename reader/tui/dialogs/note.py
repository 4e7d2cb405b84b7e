"""NoteDialog(initial, span_text) -> str | None: a span's note."""
from __future__ import annotations

import re
import weakref
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, OptionList, ProgressBar, Select, Static, TextArea
from textual.widgets.option_list import Option

from reader.errors import ReaderError
from reader.lang.langtag import normalise_tag, tag_problem
from reader.text import inert, one_line
from reader.tui.host import reader_app
from reader.tui.widgets.inert import InertInput
from reader.tui.widgets.inert_area import InertTextArea
from reader.tui.dialogs.base import Dialog, plain
from reader.tui.dialogs.confirm import ConfirmDialog

if TYPE_CHECKING:  # pragma: no cover
    from reader.formats.base import Format
    from reader.formats.pipeline import ExportResult

class NoteQuitDialog(Dialog["str | None"]):
    """Quitting while a note has edits: "save", "discard" (quit without it), or ``None`` (keep editing)."""

    BINDINGS = [
        Binding("s", "choose('save')", "Save the note and quit", id="note_quit.save"),
        Binding("d", "choose('discard')", "Discard the note and quit", id="note_quit.discard"),
        Binding("escape", "choose(None)", "Keep editing", id="note_quit.edit"),
    ]

    def __init__(self) -> None:
        super().__init__(classes="dialog-screen")

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="note-quit-dialog"):
            yield Label(plain("Quit?", "bold"), classes="dialog-title")
            yield Static(plain("The note you typed is not saved yet."), classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save and quit", variant="primary", id="save")
                yield Button("Discard and quit", variant="error", id="discard")
                yield Button("Keep editing", id="edit")
            yield Label("s / enter: save and quit   d: discard and quit   escape: keep editing", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#save", Button).focus()

    def action_choose(self, choice: str | None) -> None:
        self.dismiss(choice)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id if event.button.id in ("save", "discard") else None)


class NoteDialog(Dialog["str | None"]):
    """Edit the note of an annotation. Dismisses with the text, or ``None`` (cancel).

    ctrl+q (the app's quit, which hands it to :meth:`quit_requested`) asks
    first while the note has edits: save the note and quit, or keep editing.
    It never drops the typed text silently.
    """

    BINDINGS = [

        Binding("ctrl+s", "save", "Save note", priority=True, id="note.save"),
        Binding("enter", "save", "Save note", priority=True, show=False, id="note.save_enter"),
        Binding("ctrl+j,shift+enter", "newline", "New line", priority=True, id="note.newline"),
        Binding("escape", "cancel", "Cancel", id="note.cancel"),
    ]

    def __init__(self, initial: str = "", span_text: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self._note_initial = initial or ""
        self._span_text = span_text or ""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="note-dialog"):
            yield Label("Note", classes="dialog-title")
            yield Static(plain(f"“{one_line(self._span_text, 300)}”", "italic"), id="note-span", classes="dialog-body")
            yield InertTextArea(self._note_initial, id="note-text", soft_wrap=True, show_line_numbers=False, tab_behavior="focus")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")
            yield Label("enter / ctrl+s: save   ctrl+j: new line   escape: cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        area = self.query_one("#note-text", TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def action_save(self) -> None:
        self.dismiss(self.query_one("#note-text", TextArea).text.rstrip("\n"))

    def action_newline(self) -> None:
        area = self.query_one("#note-text", TextArea)
        if area.has_focus:
            area.insert("\n")

    def action_cancel(self) -> None:
        self.dismiss(None)

    def _note_text(self) -> str:
        return self.query_one("#note-text", TextArea).text.rstrip("\n")

    def quit_requested(self) -> None:
        """The user asked to quit the app while this dialog is open."""
        app = self.app
        if self._note_text() == self._note_initial.rstrip("\n"):
            self.dismiss(None)
            app.call_after_refresh(app.run_action, "quit")
            return

        def answered(choice: str | None) -> None:
            if choice == "save":
                self.dismiss(self._note_text())  # the opener saves it, then the app quits
            elif choice == "discard":
                self.dismiss(None)  # the note stays as it was; the typed text is dropped, as asked
            else:
                return  # keep editing
            app.call_after_refresh(app.run_action, "quit")

        app.push_screen(NoteQuitDialog(), answered)

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.dismiss(None)
