"""ConfirmDialog(title, message) -> bool."""
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

if TYPE_CHECKING:  # pragma: no cover
    from reader.formats.base import Format
    from reader.formats.pipeline import ExportResult

# --- confirm ----------------------------------------------------------------


class ConfirmDialog(Dialog[bool]):
    """Ask a yes/no question. Dismisses with ``True`` (yes) or ``False``."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n", "answer(False)", "No", id="confirm.no"),
        Binding("escape", "answer(False)", "Cancel", id="confirm.cancel"),
    ]

    def __init__(self, title: str, message: str, *, yes: str = "Yes", no: str = "No") -> None:
        super().__init__(classes="dialog-screen")
        self._dialog_title = title
        self._message = message
        self._yes = yes
        self._no = no

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="confirm-dialog"):
            yield Label(plain(self._dialog_title, "bold"), classes="dialog-title")
            yield Static(plain(self._message, multiline=True, limit=2000), id="confirm-message", classes="dialog-body")
            with Horizontal(classes="dialog-buttons"):
                yield Button(self._yes, variant="primary", id="yes")
                yield Button(self._no, id="no")
            yield Label("y / enter: yes   n / escape: no", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#yes", Button).focus()

    def action_answer(self, value: bool) -> None:
        self.dismiss(bool(value))

    @on(Button.Pressed, "#yes")
    def _yes_pressed(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def _no_pressed(self) -> None:
        self.dismiss(False)


# --- note -------------------------------------------------------------------
