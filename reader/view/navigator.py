"""Navigator: cursor, selection anchor and the goal column; where movement keys go (no Textual).

The cursor and both selection edges always sit on grapheme boundaries. The
selection is reported on grapheme boundaries, or on word boundaries when
``word_snap`` is on.
"""
from __future__ import annotations

from typing import NamedTuple

from reader.text import next_grapheme, next_word, prev_grapheme, prev_word, snap_left, snap_span, snap_to_words
from reader.view.wrap import WrapLayout

MOVES = ("left", "right", "up", "down", "pageup", "pagedown", "home", "end", "top", "bottom", "wordleft", "wordright")


class CaretChange(NamedTuple):
    """What :meth:`Navigator.set_caret` changed (the widget redraws and posts messages from it)."""

    old_cursor: int
    old_selection: tuple[int, int] | None
    new_selection: tuple[int, int] | None
    anchor_toggled: bool  # a selection started or ended


class Navigator:
    def __init__(self, layout: WrapLayout) -> None:
        self.layout = layout
        self.cursor = 0
        self.anchor: int | None = None
        self.goal_col: int | None = None
        self.word_snap = False

    @property
    def text(self) -> str:
        return self.layout.text

    def reset(self, layout: WrapLayout) -> None:
        self.layout = layout
        self.cursor = 0
        self.anchor = None
        self.goal_col = None

    @property
    def selection(self) -> tuple[int, int] | None:
        """The selected ``(start, end)``, or None."""
        if self.anchor is None or self.anchor == self.cursor:
            return None
        s, e = sorted((self.anchor, self.cursor))
        text = self.text
        s, e = snap_to_words(text, s, e) if self.word_snap else snap_span(text, s, e)
        return (s, e) if e > s else None

    def cursor_end(self) -> int:
        """The end of the grapheme under the cursor (the cursor itself at a newline or the end)."""
        text, c = self.text, self.cursor
        return next_grapheme(text, c) if c < len(text) and text[c] != "\n" else c

    def set_caret(self, cursor: int, anchor: int | None, *, keep_goal: bool = False) -> CaretChange:
        text = self.text
        n = len(text)
        cursor = snap_left(text, max(0, min(cursor, n)))
        if anchor is not None:
            anchor = snap_left(text, max(0, min(anchor, n)))
        old_sel, old_cursor, old_anchor = self.selection, self.cursor, self.anchor
        self.cursor, self.anchor = cursor, anchor
        if not keep_goal:
            self.goal_col = None
        return CaretChange(old_cursor, old_sel, self.selection, (old_anchor is None) != (anchor is None))

    def _row_step(self, rows: int) -> int:
        layout = self.layout
        line, sub, col = layout.position(self.cursor)
        if self.goal_col is None:
            self.goal_col = col
        target = layout.line_row(line) + sub + rows
        if target < 0:
            return 0
        if target >= layout.total:
            return len(self.text)
        layout.ensure_rows(target, 1)
        tline, tsub = layout.locate(target)
        return layout.offset_at_col(tline, tsub, self.goal_col)

    def target(self, where: str, *, page: int = 1, collapse: bool = False) -> tuple[int, bool]:
        """(offset, keeps the goal column) where a movement key goes.

        ``collapse``: left/right with a selection go to its edge (not extending).
        """
        text, c = self.text, self.cursor
        sel = self.selection if collapse and self.anchor is not None else None
        if where == "left":
            return (sel[0] if sel else prev_grapheme(text, c)), False
        if where == "right":
            return (sel[1] if sel else next_grapheme(text, c)), False
        if where in ("up", "down", "pageup", "pagedown"):
            step = {"up": -1, "down": 1, "pageup": -page, "pagedown": page}[where]
            return self._row_step(step), True
        if where in ("home", "end"):
            line, sub, _ = self.layout.position(c)
            start, end, last = self.layout.row_range(line, sub)
            return (start if where == "home" else (end if last else prev_grapheme(text, end))), False
        if where == "top":
            return 0, False
        if where == "bottom":
            return len(text), False
        if where == "wordleft":
            return prev_word(text, c), False
        if where == "wordright":
            return next_word(text, c), False
        raise ValueError(f"unknown movement {where!r}")
