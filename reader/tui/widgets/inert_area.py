"""A ``TextArea`` that never sends control characters to the terminal (see :mod:`reader.tui.widgets.inert`).

Apart from ``inert.py`` so that the first screen (the library's ``InertInput``)
does not import Textual's ``TextArea`` (issue 22).
"""
from __future__ import annotations

from rich.text import Text
from textual.widgets import TextArea

from reader.text import inert


class InertTextArea(TextArea):
    """A ``TextArea`` that draws control characters as visible symbols; ``text`` stays raw."""

    def get_line(self, line_index: int) -> Text:
        line = super().get_line(line_index)
        shown = inert(line.plain, keep_tabs=True)
        if shown != line.plain:
            line.plain = shown
        return line
