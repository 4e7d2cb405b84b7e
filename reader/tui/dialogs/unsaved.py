"""Quitting with unsaved changes: ask, never lose them silently.

:class:`UnsavedDialog` dismisses with ``"retry"`` (try saving again),
``"rescue"`` (write them to a rescue file that ``reader import`` reads),
``"lose"`` (quit and lose them) or ``None`` (stay in the app).
:class:`ReaderApp.request_quit` shows it when the store still holds unsaved
changes after one more try.
"""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Label, Static

from reader.tui.dialogs.base import Dialog, plain


class UnsavedDialog(Dialog["str | None"]):
    """``count`` changes could not be saved (``reason``): retry, rescue file, or lose them."""

    BINDINGS = [
        Binding("r", "choose('retry')", "Retry saving", id="unsaved.retry"),
        Binding("s", "choose('rescue')", "Save to a rescue file", id="unsaved.rescue"),
        Binding("L", "choose('lose')", "Quit and lose them", id="unsaved.lose"),
        Binding("escape", "choose(None)", "Stay in the app", id="unsaved.cancel"),
    ]

    def __init__(self, count: int, reason: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self.count = count
        self.reason = reason

    def compose(self) -> ComposeResult:
        what = f"{self.count} change(s) are not saved"
        why = f": {self.reason}" if self.reason else ""
        with Vertical(classes="dialog", id="unsaved-dialog"):
            yield Label(plain(f"Quit with {self.count} unsaved change(s)?", "bold"), classes="dialog-title")
            yield Static(
                plain(
                    f"{what}{why}.\n\nRetry saving them, write them to a rescue file that "
                    "`reader import FILE` restores, or quit and lose them.",
                    multiline=True, limit=1500,
                ),
                id="unsaved-message", classes="dialog-body",
            )
            with Horizontal(classes="dialog-buttons"):
                yield Button("Retry", variant="primary", id="retry")
                yield Button("Save rescue file", variant="success", id="rescue")
                yield Button(f"Lose {self.count}", variant="error", id="lose")
            yield Label("r: retry   s: rescue file   L (shift+l): lose them   escape: stay", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#rescue", Button).focus()

    def action_choose(self, choice: str | None) -> None:
        self.dismiss(choice)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id)
