"""WrapLayout: lazy soft wrapping of a document and its row index (no Textual).

* line starts are indexed once (one C-speed regex pass);
* lines are soft-wrapped lazily, only when asked for (visible rows, the
  cursor's line, a background pass), and the wraps are kept for the width;
* the virtual height is exact for wrapped lines and an estimate for the rest,
  kept in blocks of ``BLOCK`` lines so that row <-> line lookups cost
  ``O(blocks + BLOCK)``, never ``O(lines)``.

Display text goes through :func:`reader.text.inert` and is measured per
grapheme with ``rich.cells`` (the same measure Textual uses), so wide CJK
characters, emoji sequences and combining marks map columns to offsets.
"""
from __future__ import annotations

import re
import time
from bisect import bisect_right
from itertools import accumulate
from typing import Callable

import regex
from rich.cells import cell_len

from reader.text import inert

TAB_SIZE = 4
GUTTER = 2  # cells left of the text (annotation marks)
BLOCK = 64
_GRAPHEME = regex.compile(r"\X")
_NEWLINE = re.compile("\n")


def _single_cell_chars() -> frozenset[str]:
    """Characters that are one cell wide and always a grapheme of their own."""
    ranges = [
        (0x20, 0x7E), (0xA0, 0xAC), (0xAE, 0x2FF),  # Latin
        (0x370, 0x482), (0x48A, 0x52F),  # Greek, Cyrillic (no combining marks)
        (0x5D0, 0x5EA),  # Hebrew letters
        (0x60C, 0x60C), (0x61B, 0x61B), (0x61F, 0x64A), (0x660, 0x66D), (0x671, 0x6D3),  # Arabic letters, digits
        (0x1E00, 0x1FFF),  # Latin extended additional, Greek extended
        (0x2010, 0x2027), (0x2030, 0x205E),  # punctuation (no zero-width or bidi controls)
        (0x20A0, 0x20C0),  # currency
        (0x2400, 0x2426),  # control pictures (what inert() shows)
        (0xFFFD, 0xFFFD),
    ]
    chars = {chr(c) for a, b in ranges for c in range(a, b + 1)}
    return frozenset(ch for ch in chars if cell_len(ch) == 1)


_simple = _single_cell_chars().issuperset  # C-speed "every char is one cell and one grapheme"


def is_simple(d: str) -> bool:
    """True when every character of ``d`` is one cell and one grapheme (and no tab)."""
    return (d.isascii() and "\t" not in d) or _simple(d)


def clusters(d: str) -> list[tuple[int, int, str]]:
    """(start, end, grapheme) for each grapheme of a display string."""
    if d.isascii() or _simple(d):
        return [(i, i + 1, ch) for i, ch in enumerate(d)]
    return [(m.start(), m.end(), m.group()) for m in _GRAPHEME.finditer(d)]


def cell_width(g: str, col: int) -> int:
    """Cells taken by grapheme ``g`` drawn at column ``col`` (tabs go to the next stop)."""
    if g == "\t":
        return TAB_SIZE - (col % TAB_SIZE)
    return cell_len(g)


def display(text: str) -> str:
    """What a piece of canonical text shows as (same length: one display char per code point)."""
    return inert(text, keep_tabs=True)


def wrap_display_line(d: str, width: int) -> list[int]:
    """Row start offsets (relative to the line) of a display line soft-wrapped to ``width`` cells.

    Breaks after spaces where possible, otherwise between graphemes; never
    inside a grapheme. Always returns at least ``[0]``.
    """
    width = max(1, width)
    n = len(d)
    rows = [0]
    simple = is_simple(d)
    if n <= width and simple:
        return rows
    if simple:
        pos = 0
        while n - pos > width:
            j = pos + width  # the first character that does not fit
            if d[j] == " ":
                pos = j + 1  # one space may hang past the edge (the view keeps a spare column)
            else:
                k = d.rfind(" ", pos, j)
                pos = k + 1 if k >= pos else j
            if pos < n:
                rows.append(pos)
        return rows
    col = 0
    row_start = 0
    brk = -1  # offset just after the last space of the current row
    col_at_brk = 0
    for s, e, g in clusters(d):
        w = cell_width(g, col)
        if col + w > width and col > 0 and not (g == " " and col + w == width + 1):
            if brk > row_start:
                rows.append(brk)
                row_start = brk
                col = col - col_at_brk
            else:
                rows.append(s)
                row_start = s
                col = 0
            brk = -1
            w = cell_width(g, col)
            if col + w > width and col > 0:  # the carried-over word is itself too wide
                rows.append(s)
                row_start = s
                col = 0
                w = cell_width(g, col)
        col += w
        if g == " " or g == "\t":
            brk = e
            col_at_brk = col
    return rows


class WrapLayout:
    """Lines, their soft wraps for one width, and the row index of the whole text."""

    def __init__(self, text: str = "", width: int = 80) -> None:
        self.text = text
        self.starts = [0]
        self.starts.extend(m.end() for m in _NEWLINE.finditer(text))
        self.width = max(1, width)
        self.reset(self.width)

    # ----------------------------------------------------------------- lines
    @property
    def line_count(self) -> int:
        return len(self.starts)

    def line_bounds(self, i: int) -> tuple[int, int]:
        """(start, end) of line ``i`` without its newline."""
        s = self.starts[i]
        e = self.starts[i + 1] - 1 if i + 1 < len(self.starts) else len(self.text)
        return s, e

    def line_of(self, offset: int) -> int:
        return max(0, bisect_right(self.starts, offset) - 1)

    # ------------------------------------------------------------------ rows
    def reset(self, width: int) -> None:
        """Forget wraps; estimate every line's rows for ``width`` (O(lines), cheap)."""
        self.width = width = max(1, width)
        self.wraps: dict[int, list[int]] = {}
        starts = self.starts
        n = len(starts)
        text_len = len(self.text)
        rows: list[int] = []
        append = rows.append
        for i in range(n):
            length = (starts[i + 1] - 1 if i + 1 < n else text_len) - starts[i]
            append(1 if length <= width else -(-length * 11 // (width * 10)))
        self.rows = rows
        self.block_rows = [sum(rows[b : b + BLOCK]) for b in range(0, n, BLOCK)]
        self.total = sum(self.block_rows)
        self._prefix: list[int] | None = None
        self.next_unwrapped = 0  # the background pass goes on from here

    def _block_prefix(self) -> list[int]:
        if self._prefix is None:
            self._prefix = [0, *accumulate(self.block_rows)]
        return self._prefix

    def wrap(self, i: int) -> list[int]:
        """Row starts (relative to the line) of line ``i``; wraps it now if needed."""
        rows = self.wraps.get(i)
        if rows is not None:
            return rows
        s, e = self.line_bounds(i)
        rows = wrap_display_line(display(self.text[s:e]), self.width)
        self.wraps[i] = rows
        delta = len(rows) - self.rows[i]
        if delta:
            self.rows[i] = len(rows)
            self.block_rows[i // BLOCK] += delta
            self.total += delta
            self._prefix = None
        return rows

    def wrap_some(self, budget: float, should_yield: Callable[[], bool] | None = None) -> bool:
        """Wrap lines in order for about ``budget`` seconds; True once every line is wrapped.

        ``should_yield()`` is asked every few lines: when it says yes (input is
        waiting), the pass stops at once.
        """
        n = len(self.starts)
        deadline = time.perf_counter() + budget
        i = self.next_unwrapped
        wraps = self.wraps
        while i < n:
            if i not in wraps:
                self.wrap(i)
            i += 1
            if not i & 63 and (time.perf_counter() > deadline or (should_yield is not None and should_yield())):
                break
        self.next_unwrapped = i
        return i >= n

    @property
    def exact(self) -> bool:
        """True once every line has been wrapped for the current width."""
        return self.next_unwrapped >= len(self.starts) or len(self.wraps) == len(self.starts)

    def line_row(self, i: int) -> int:
        """First visual row of line ``i`` (exact for wrapped lines before it, estimated otherwise)."""
        b = i // BLOCK
        return self._block_prefix()[b] + sum(self.rows[b * BLOCK : i])

    def locate(self, row: int) -> tuple[int, int]:
        """(line, row within line) of a visual row."""
        prefix = self._block_prefix()
        row = max(0, min(row, self.total - 1))
        b = max(0, min(bisect_right(prefix, row) - 1, len(self.block_rows) - 1))
        r = row - prefix[b]
        i = b * BLOCK
        rows = self.rows
        last = len(rows) - 1
        while i < last and r >= rows[i]:
            r -= rows[i]
            i += 1
        return i, min(r, rows[i] - 1)

    def ensure_rows(self, first_row: int, count: int) -> None:
        """Wrap every line that shows in rows ``first_row .. first_row+count``."""
        line, sub = self.locate(first_row)
        need = count + sub
        n = len(self.starts)
        while need > 0 and line < n:
            need -= len(self.wrap(line))
            line += 1

    def position(self, offset: int) -> tuple[int, int, int]:
        """(line, row within line, column) of an offset."""
        line = self.line_of(offset)
        wraps = self.wrap(line)
        ls, _le = self.line_bounds(line)
        sub = max(0, bisect_right(wraps, offset - ls) - 1)
        row_start = ls + wraps[sub]
        col = 0
        for _s, _e, g in clusters(display(self.text[row_start:offset])):
            col += cell_width(g, col)
        return line, sub, col

    def row_range(self, line: int, sub: int) -> tuple[int, int, bool]:
        """(start, end, is_last_row) of a visual row in document offsets."""
        wraps = self.wrap(line)
        ls, le = self.line_bounds(line)
        start = ls + wraps[sub]
        last = sub + 1 >= len(wraps)
        end = le if last else ls + wraps[sub + 1]
        return start, end, last

    def row_of_offset(self, offset: int) -> int:
        line, sub, _ = self.position(offset)
        return self.line_row(line) + sub

    def offset_at_col(self, line: int, sub: int, col: int) -> int:
        """The offset shown at column ``col`` of a visual row (the row's end past its text)."""
        start, end, last = self.row_range(line, sub)
        x = 0
        cl = clusters(display(self.text[start:end]))
        for s, _e, g in cl:
            w = cell_width(g, x)
            if col < x + w:
                return start + s
            x += w
        if last or not cl:
            return end
        return start + cl[-1][0]

    def offset_at_row(self, row: int, col: int) -> int:
        """The offset at a visual row and column (the text's end below the last row)."""
        if row >= self.total:
            return len(self.text)
        self.ensure_rows(row, 1)
        line, sub = self.locate(row)
        return self.offset_at_col(line, sub, col)

    def row_start(self, row: int) -> int:
        """The offset of the first character of a visual row."""
        line, sub = self.locate(row)
        return self.row_range(line, sub)[0]

    def rows_to_invalidate(self, start: int, end: int, big: int) -> list[tuple[int, int]] | None:
        """The (line, sub) rows showing ``[start, end)`` that are wrapped; None when over ``big`` lines."""
        first = self.line_of(start)
        last = self.line_of(max(start, end))
        if last - first > big:
            return None
        out: list[tuple[int, int]] = []
        for line in range(first, last + 1):
            wraps = self.wraps.get(line)
            if wraps is None:
                continue
            if len(wraps) > 64:
                ls = self.starts[line]
                a = max(0, bisect_right(wraps, start - ls) - 1)
                b = max(a, bisect_right(wraps, end - ls))
                out.extend((line, sub) for sub in range(a, min(b + 1, len(wraps))))
            else:
                out.extend((line, sub) for sub in range(len(wraps)))
        return out

