"""LanguageDialog(current) -> str | None: a language tag ("" clears the override)."""
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

# --- language ---------------------------------------------------------------

COMMON_LANGUAGES: dict[str, str] = {
    "en": "English",
    "it": "Italian",
    "fr": "French",
    "ar": "Arabic",
    "de": "German",
    "es": "Spanish",
    "pt": "Portuguese",
    "nl": "Dutch",
    "ru": "Russian",
    "zh-cn": "Chinese (simplified)",
    "ja": "Japanese",
    "he": "Hebrew",
    "fa": "Persian",
    "tr": "Turkish",
    "pl": "Polish",
    "hi": "Hindi",
}

_CLEAR = "\x00clear"
#: Short enough for the dialog's input; the hint line says what an empty enter does.
LANGUAGE_PLACEHOLDER = "code (en, zh-cn) or a name to filter"


class LanguageDialog(Dialog["str | None"]):
    """Pick a language tag. Dismisses with a code, ``""`` (clear the override) or ``None``."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="language.cancel"),
        Binding("down", "list_focus", "Choose from the list", show=False, id="language.list"),
    ]

    def __init__(self, current: str | None = None, detected: list[str] | tuple[str, ...] = ()) -> None:
        super().__init__(classes="dialog-screen")
        self._current = (current or "").strip().lower()
        self._detected = [c for c in detected if c and c != "unknown"]

    def _codes(self) -> list[str]:
        codes: list[str] = []
        extra = list(self._detected)
        corpus = reader_app(self).corpus
        if corpus is not None:
            extra += sorted({d.lang for d in corpus.documents if d.lang and d.lang not in ("unknown", "pending")})
        for code in [self._current, *extra, *COMMON_LANGUAGES]:
            if code and code not in codes and code != "unknown" and normalise_tag(code) == code:
                codes.append(code)
        return codes

    def _language_options(self, query: str = "") -> list[Option]:
        q = query.strip().lower()
        out: list[Option] = []
        for code in self._codes():
            name = COMMON_LANGUAGES.get(code, "")
            if q and q not in code and q not in name.lower():
                continue
            mark = "  (current)" if code == self._current else ""
            out.append(Option(Text(f"{code.upper():<6} {name}{mark}"), id=code))
        if not q:
            out.append(Option(Text("Clear the override (use the detected language)", style="italic"), id=_CLEAR))
        return out

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="language-dialog"):
            yield Label("Document language", classes="dialog-title")
            yield InertInput(placeholder=LANGUAGE_PLACEHOLDER, id="language-input")
            yield OptionList(*self._language_options(), id="language-list")
            yield Static("", id="language-error", classes="dialog-error")
            yield Label("enter: choose (empty: clear the override)   down: list   escape: cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#language-input", Input).focus()

    @on(Input.Changed, "#language-input")
    def _filter(self, event: Input.Changed) -> None:
        options = self.query_one("#language-list", OptionList)
        options.clear_options()
        options.add_options(self._language_options(event.value))
        self.query_one("#language-error", Static).update("")

    @on(Input.Submitted, "#language-input")
    def _submitted(self, event: Input.Submitted) -> None:
        code = event.value.strip().lower()
        if not code:
            self.dismiss("")
            return
        tag = normalise_tag(code)
        if tag is not None:
            self.dismiss(tag)
            return
        options = self.query_one("#language-list", OptionList)
        if options.option_count == 1 and options.get_option_at_index(0).id not in (None, _CLEAR):
            self.dismiss(options.get_option_at_index(0).id)
            return
        self.query_one("#language-error", Static).update(plain(f"Not a language code: {tag_problem(code, 'the tag')}."))

    @on(OptionList.OptionSelected, "#language-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        choice = event.option.id
        self.dismiss("" if choice == _CLEAR else choice)

    def action_list_focus(self) -> None:
        options = self.query_one("#language-list", OptionList)
        options.focus()
        if options.highlighted is None and options.option_count:
            options.highlighted = 0

    def action_cancel(self) -> None:
        self.dismiss(None)
