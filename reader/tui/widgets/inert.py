"""Editable fields that never send control characters to the terminal.

A note imported from a file may hold ``ESC ] 52 ; c ; ... ESC \\`` (set the
clipboard) or ``ESC [ 2 J`` (clear the screen); a language code, a filter or a
search may be pasted with them. Textual draws an ``Input`` or ``TextArea``
value as it is, so these widgets show every control character as a visible
symbol (:func:`reader.text.inert`, one symbol per character, so the cursor
still lines up) while the value itself is left alone: a note keeps its raw
text until the user changes it.

* :class:`InertInput` draws its value inert (its ``highlighter``), whether typed,
  pasted or set by the program (the library's ``l`` puts a language in the filter).
* :class:`~reader.tui.widgets.inert_area.InertTextArea` shows its lines inert
  (``get_line``) and keeps the raw text. It has a module of its own: Textual's
  ``TextArea`` (its document model, themes, tree-sitter probe) is only imported by
  the dialogs that edit text, not with the library's filter (issue 22: first screen).
"""
from __future__ import annotations

from typing import Any

from rich.highlighter import Highlighter
from rich.text import Text
from textual.widgets import Input

from reader.text import inert


class InertHighlighter(Highlighter):
    """Turns control characters into visible symbols in what an ``Input`` draws."""

    def highlight(self, text: Text) -> None:
        shown = inert(text.plain, keep_tabs=False)
        if shown != text.plain:
            text.plain = shown


class InertInput(Input):
    """An ``Input`` whose value is drawn inert (the value itself is unchanged)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("highlighter", InertHighlighter())
        super().__init__(*args, **kwargs)

