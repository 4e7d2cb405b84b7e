"""PickDialog: choose one of a few rows (counterparts with their reasons, proposed links)."""
from __future__ import annotations

from typing import Generic, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from reader.text import inert

T = TypeVar("T")


class PickDialog(ModalScreen[T | None], Generic[T]):
    """Rows of plain text; enter picks the highlighted one, escape picks nothing."""

    CSS_PATH = "pick.tcss"
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="pick.cancel"),
    ]

    def __init__(self, title: str, rows: list[tuple[str, T]], *, hint: str = "enter: pick   escape: cancel",
                 empty: str = "Nothing to pick.") -> None:
        super().__init__()
        self._title = title
        self._rows = rows
        self._hint = hint
        self._empty = empty

    def compose(self) -> ComposeResult:
        with Vertical(id="pick-dialog"):
            yield Label(Text(inert(self._title), style="bold"), id="pick-title")
            if self._rows:
                yield OptionList(*(Option(Text(inert(label)), id=str(i)) for i, (label, _) in enumerate(self._rows)),
                                 id="pick-list")
            else:
                yield Label(Text(self._empty), id="pick-empty")
            yield Label(Text(self._hint), id="pick-hint")

    def on_mount(self) -> None:
        if self._rows:
            self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self._rows[int(event.option.id or 0)][1])

    def action_cancel(self) -> None:
        self.dismiss(None)
