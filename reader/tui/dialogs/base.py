"""The dialogs' base class and the inert-text helper every dialog uses."""
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

if TYPE_CHECKING:  # pragma: no cover
    from reader.formats.base import Format
    from reader.formats.pipeline import ExportResult

def plain(text: str, style: str = "", *, limit: int = 0, multiline: bool = False) -> Text:
    """Untrusted text as an inert ``Text`` (no markup, no control sequences)."""
    if multiline:
        lines = [inert(line, keep_tabs=False) for line in str(text).split("\n")]
        s = "\n".join(lines)
        if limit and len(s) > limit:
            s = s[: limit - 1] + "…"
        return Text(s, style=style)
    return Text(one_line(str(text), limit), style=style)


ResultT = TypeVar("ResultT")


class Dialog(ModalScreen[ResultT]):
    CSS_PATH = "dialogs.tcss"
