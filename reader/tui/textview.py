"""AnnotatedTextView: a Line API view of a document's canonical text.

Scales with the screen, not the document:

* line starts are indexed once (one C-speed regex pass);
* lines are soft-wrapped lazily, only when they become visible (or the cursor
  reaches them), and the wraps are cached per width;
* the virtual height is exact for wrapped lines and an estimate for the rest,
  kept in blocks of ``_BLOCK`` lines so that row <-> line lookups cost
  ``O(blocks + _BLOCK)``, never ``O(lines)``;
* rendered rows are kept in an LRU cache of ``Strip`` s, invalidated per line
  when spans, the selection, the cursor or search matches change;
* spans are bucketed by offset, so only spans intersecting a row are looked at.

Offsets are code-point indices into the canonical text, end-exclusive. The
cursor and both selection edges always sit on grapheme boundaries. Display
goes through :func:`reader.text.inert`, so no control character reaches the
terminal, and is measured per grapheme with ``rich.cells`` (the same measure
Textual uses), so wide CJK characters, emoji sequences and combining marks
map columns to offsets correctly. Text stays in logical order (no bidi).
"""
from __future__ import annotations

import re
import time
from bisect import bisect_left, bisect_right
from itertools import accumulate
from typing import Any, Iterable, NamedTuple

import regex
from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.actions import SkipAction
from textual.binding import Binding
from textual.cache import LRUCache
from textual.color import Color
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.labels import LabelSet
from reader.model import STATUS_REJECTED, STATUS_SUGGESTED
from reader.text import (
    inert,
    next_grapheme,
    next_word,
    paragraph_bounds,
    prev_grapheme,
    prev_word,
    sentence_bounds,
    snap_left,
    snap_span,
    snap_to_words,
)

TAB_SIZE = 4
BACKGROUND_TICK = 0.05  # seconds between background wrapping steps
BACKGROUND_BUDGET = 0.006  # seconds of wrapping per step (keeps keys responsive)
GUTTER = 2
_BLOCK = 64
_BUCKET = 2048
_GRAPHEME = regex.compile(r"\X")
_NEWLINE = re.compile("\n")
_MAX_MATCHES = 100_000
_BIG_INVALIDATION = 400  # lines; beyond this, drop the whole strip cache


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


class Span(NamedTuple):
    """The view's own copy of an annotation's geometry."""

    start: int
    end: int
    label: str
    status: str
    id: str


def _as_span(obj: Any) -> Span:
    return Span(int(obj.start), int(obj.end), str(obj.label), str(getattr(obj, "status", "accepted")), str(getattr(obj, "id", "")))


def _clusters(d: str) -> list[tuple[int, int, str]]:
    """(start, end, grapheme) for each grapheme of a display string."""
    if d.isascii() or _simple(d):
        return [(i, i + 1, ch) for i, ch in enumerate(d)]
    return [(m.start(), m.end(), m.group()) for m in _GRAPHEME.finditer(d)]


def _width(g: str, col: int) -> int:
    if g == "\t":
        return TAB_SIZE - (col % TAB_SIZE)
    return cell_len(g)


def wrap_display_line(d: str, width: int) -> list[int]:
    """Row start offsets (relative to the line) of a display line soft-wrapped to ``width`` cells.

    Breaks after spaces where possible, otherwise between graphemes; never
    inside a grapheme. Always returns at least ``[0]``.
    """
    width = max(1, width)
    n = len(d)
    rows = [0]
    simple = (d.isascii() and "\t" not in d) or _simple(d)
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
    for s, e, g in _clusters(d):
        w = _width(g, col)
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
            w = _width(g, col)
            if col + w > width and col > 0:  # the carried-over word is itself too wide
                rows.append(s)
                row_start = s
                col = 0
                w = _width(g, col)
        col += w
        if g == " " or g == "\t":
            brk = e
            col_at_brk = col
    return rows


class AnnotatedTextView(ScrollView, can_focus=True):
    """A soft-wrapped, annotated, selectable view of one document."""

    DEFAULT_CSS = """
    AnnotatedTextView {
        overflow-y: scroll;
        overflow-x: hidden;
        height: 1fr;
        background: $surface;
        color: $foreground;
    }
    AnnotatedTextView:focus {
        background-tint: $foreground 3%;
    }
    """

    BINDINGS = [
        Binding("left", "move('left')", "Left", show=False),
        Binding("right", "move('right')", "Right", show=False),
        Binding("up", "move('up')", "Up", show=False),
        Binding("down", "move('down')", "Down", show=False),
        Binding("pageup", "move('pageup')", "Page up", show=False),
        Binding("pagedown", "move('pagedown')", "Page down", show=False),
        Binding("home", "move('home')", "Row start", show=False),
        Binding("end", "move('end')", "Row end", show=False),
        Binding("ctrl+home", "move('top')", "Document start", show=False),
        Binding("ctrl+end", "move('bottom')", "Document end", show=False),
        Binding("ctrl+left", "move('wordleft')", "Previous word", show=False),
        Binding("ctrl+right", "move('wordright')", "Next word", show=False),
        Binding("shift+left", "move('left', True)", "Extend left", show=False),
        Binding("shift+right", "move('right', True)", "Extend right", show=False),
        Binding("shift+up", "move('up', True)", "Extend up", show=False),
        Binding("shift+down", "move('down', True)", "Extend down", show=False),
        Binding("shift+pageup", "move('pageup', True)", "Extend page up", show=False),
        Binding("shift+pagedown", "move('pagedown', True)", "Extend page down", show=False),
        Binding("shift+home", "move('home', True)", "Extend to row start", show=False),
        Binding("shift+end", "move('end', True)", "Extend to row end", show=False),
        Binding("ctrl+shift+home,shift+ctrl+home", "move('top', True)", "Extend to document start", show=False),
        Binding("ctrl+shift+end,shift+ctrl+end", "move('bottom', True)", "Extend to document end", show=False),
        Binding("ctrl+shift+left,shift+ctrl+left", "move('wordleft', True)", "Extend by word left", show=False),
        Binding("ctrl+shift+right,shift+ctrl+right", "move('wordright', True)", "Extend by word right", show=False),
        Binding("v", "toggle_mark", "Mark mode", show=False, tooltip="Start/stop a selection that plain movement extends"),
        Binding("w", "toggle_word_snap", "Word snap", show=False, tooltip="Snap selections to whole words"),
        Binding("s", "select_sentence", "Sentence", show=False, tooltip="Select the sentence around the cursor"),
        Binding("p", "select_paragraph", "Paragraph", show=False, tooltip="Select the paragraph around the cursor"),
        Binding("escape", "clear_selection", "Clear selection", show=False),
    ]

    mark_mode: reactive[bool] = reactive(False, init=False)
    word_snap: reactive[bool] = reactive(False, init=False)

    class SelectionChanged(Message):
        def __init__(self, view: "AnnotatedTextView", start: int, end: int) -> None:
            super().__init__()
            self.view = view
            self.start = start
            self.end = end

        @property
        def control(self) -> "AnnotatedTextView":
            return self.view

    class CursorMoved(Message):
        def __init__(self, view: "AnnotatedTextView", offset: int) -> None:
            super().__init__()
            self.view = view
            self.offset = offset

        @property
        def control(self) -> "AnnotatedTextView":
            return self.view

    class Scrolled(Message):
        def __init__(self, view: "AnnotatedTextView", fraction: float) -> None:
            super().__init__()
            self.view = view
            self.fraction = fraction

        @property
        def control(self) -> "AnnotatedTextView":
            return self.view

    def __init__(
        self,
        text: str = "",
        *,
        labels: LabelSet | None = None,
        rtl: bool = False,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.labels = labels or LabelSet()
        self.rtl = rtl
        self._cache: LRUCache[tuple[int, int], Strip] = LRUCache(2048)
        self._text = ""
        self._cursor = 0
        self._anchor: int | None = None
        self._goal_col: int | None = None
        self._drag_anchor: int | None = None
        self._spans: list[Span] = []
        self._span_keys: set[Span] = set()
        self._buckets: dict[int, list[Span]] = {}
        self._matches: list[tuple[int, int]] = []
        self._match_starts: list[int] = []
        self._wrap_width = 0
        self._styles_key: tuple | None = None
        self._palette: dict[str, Style] = {}
        self._bg_next = 0
        self._bg_timer: Any = None
        self.load(text)

    # ------------------------------------------------------------------ data
    @property
    def text(self) -> str:
        return self._text

    def load(self, text: str) -> None:
        """Show ``text`` (canonical). Indexes line starts once; wraps nothing yet."""
        self._text = text
        self._starts = [0]
        self._starts.extend(m.end() for m in _NEWLINE.finditer(text))
        self._cursor = 0
        self._anchor = None
        self._goal_col = None
        self._drag_anchor = None
        self.mark_mode = False
        self._matches, self._match_starts = [], []
        self._reset_layout()
        if self.is_mounted:
            self.scroll_to(y=0, animate=False)
            self._post_caret()

    @property
    def line_count(self) -> int:
        return len(self._starts)

    def _line_bounds(self, i: int) -> tuple[int, int]:
        s = self._starts[i]
        e = self._starts[i + 1] - 1 if i + 1 < len(self._starts) else len(self._text)
        return s, e

    def line_of(self, offset: int) -> int:
        return max(0, bisect_right(self._starts, offset) - 1)

    # ---------------------------------------------------------------- layout
    @property
    def text_width(self) -> int:
        width = self.scrollable_content_region.width if self.is_mounted else 0
        return max(4, width - GUTTER - 1) if width else 80

    def _reset_layout(self) -> None:
        """Forget wraps; estimate every line's rows for the current width (O(lines), cheap)."""
        width = self.text_width
        self._wrap_width = width
        self._wraps: dict[int, list[int]] = {}
        starts = self._starts
        n = len(starts)
        text_len = len(self._text)
        rows = []
        append = rows.append
        for i in range(n):
            length = (starts[i + 1] - 1 if i + 1 < n else text_len) - starts[i]
            append(1 if length <= width else -(-length * 11 // (width * 10)))
        self._rows = rows
        self._block_rows = [sum(rows[b : b + _BLOCK]) for b in range(0, n, _BLOCK)]
        self._total = sum(self._block_rows)
        self._prefix: list[int] | None = None
        self._cache.clear()
        self._update_virtual_size()
        self._bg_next = 0
        if self.is_mounted and self._bg_timer is None and len(starts) > 1:
            self._bg_timer = self.set_interval(BACKGROUND_TICK, self._background_wrap)

    def _update_virtual_size(self) -> None:
        size = Size(self._wrap_width + GUTTER + 1, self._total)
        if self.virtual_size != size:
            self.virtual_size = size

    def _block_prefix(self) -> list[int]:
        if self._prefix is None:
            self._prefix = [0, *accumulate(self._block_rows)]
        return self._prefix

    def _wrap(self, i: int) -> list[int]:
        rows = self._wraps.get(i)
        if rows is not None:
            return rows
        s, e = self._line_bounds(i)
        rows = wrap_display_line(inert(self._text[s:e], keep_tabs=True), self._wrap_width)
        self._wraps[i] = rows
        delta = len(rows) - self._rows[i]
        if delta:
            self._rows[i] = len(rows)
            self._block_rows[i // _BLOCK] += delta
            self._total += delta
            self._prefix = None
        return rows

    def _background_wrap(self) -> None:
        """Wrap a few more lines, so the virtual height (and the scrollbar) becomes exact.

        Runs in small time slices on a timer. Lines above the top of the view
        may change their row count; the view is moved by the difference so
        the text on screen does not jump.
        """
        n = len(self._starts)
        if not self.is_mounted or self._bg_next >= n:
            if self._bg_timer is not None:
                self._bg_timer.stop()
                self._bg_timer = None
            return
        top_line, top_sub = self._locate(int(self.scroll_offset.y))
        before = self._line_row(top_line)
        deadline = time.perf_counter() + BACKGROUND_BUDGET
        i = self._bg_next
        wraps = self._wraps
        while i < n:
            if i not in wraps:
                self._wrap(i)
            i += 1
            if not i & 63 and time.perf_counter() > deadline:
                break
        self._bg_next = i
        self._update_virtual_size()
        after = self._line_row(top_line)
        if after != before:
            self.scroll_to(y=after + top_sub, animate=False, immediate=True)

    @property
    def height_is_exact(self) -> bool:
        """True once every line has been wrapped for the current width."""
        return self._bg_next >= len(self._starts) or len(self._wraps) == len(self._starts)

    def _line_row(self, i: int) -> int:
        """First visual row of line ``i`` (exact for wrapped lines before it, estimated otherwise)."""
        b = i // _BLOCK
        return self._block_prefix()[b] + sum(self._rows[b * _BLOCK : i])

    def _locate(self, row: int) -> tuple[int, int]:
        """(line, row within line) of a visual row."""
        prefix = self._block_prefix()
        row = max(0, min(row, self._total - 1))
        b = max(0, min(bisect_right(prefix, row) - 1, len(self._block_rows) - 1))
        r = row - prefix[b]
        i = b * _BLOCK
        rows = self._rows
        last = len(rows) - 1
        while i < last and r >= rows[i]:
            r -= rows[i]
            i += 1
        return i, min(r, rows[i] - 1)

    def _ensure_rows(self, first_row: int, count: int) -> None:
        """Wrap every line that shows in rows ``first_row .. first_row+count``."""
        if not self._starts:
            return
        line, sub = self._locate(first_row)
        need = count + sub
        n = len(self._starts)
        while need > 0 and line < n:
            need -= len(self._wrap(line))
            line += 1
        self._update_virtual_size()

    def _position(self, offset: int) -> tuple[int, int, int]:
        """(line, row within line, column) of an offset."""
        line = self.line_of(offset)
        wraps = self._wrap(line)
        ls, _le = self._line_bounds(line)
        sub = max(0, bisect_right(wraps, offset - ls) - 1)
        row_start = ls + wraps[sub]
        d = inert(self._text[row_start:offset], keep_tabs=True)
        col = 0
        for _s, _e, g in _clusters(d):
            col += _width(g, col)
        return line, sub, col

    def _row_range(self, line: int, sub: int) -> tuple[int, int, bool]:
        """(start, end, is_last_row) of a visual row in document offsets."""
        wraps = self._wrap(line)
        ls, le = self._line_bounds(line)
        start = ls + wraps[sub]
        last = sub + 1 >= len(wraps)
        end = le if last else ls + wraps[sub + 1]
        return start, end, last

    def row_of_offset(self, offset: int) -> int:
        line, sub, _ = self._position(offset)
        return self._line_row(line) + sub

    def _offset_at_col(self, line: int, sub: int, col: int) -> int:
        start, end, last = self._row_range(line, sub)
        d = inert(self._text[start:end], keep_tabs=True)
        x = 0
        clusters = _clusters(d)
        for s, _e, g in clusters:
            w = _width(g, x)
            if col < x + w:
                return start + s
            x += w
        if last or not clusters:
            return end
        return start + clusters[-1][0]

    def offset_at(self, x: int, y: int) -> int:
        """The offset under a content-relative cell (for the mouse), snapped to a grapheme start."""
        row = int(self.scroll_offset.y) + y
        if row >= self._total:
            return len(self._text)
        self._ensure_rows(row, 1)
        line, sub = self._locate(row)
        return snap_left(self._text, self._offset_at_col(line, sub, max(0, x - GUTTER)))

    # --------------------------------------------------------------- spans
    def set_spans(self, spans: Iterable[Any]) -> None:
        """Show annotations (objects with start, end, label, status, id; orphaned ones are skipped)."""
        n = len(self._text)
        spans = list(spans)
        try:  # fast path: Annotation objects
            new = [
                Span(a.start, a.end, a.label, a.status, a.id)
                for a in spans
                if not a.orphaned and a.status != STATUS_REJECTED and 0 <= a.start < a.end <= n
            ]
        except AttributeError:
            new = [
                sp
                for sp in (_as_span(a) for a in spans if not getattr(a, "orphaned", False))
                if sp.status != STATUS_REJECTED and 0 <= sp.start < sp.end <= n
            ]
        new.sort()
        new_keys = set(new)
        changed = self._span_keys ^ new_keys
        self._spans = new
        self._span_keys = new_keys
        buckets: dict[int, list[Span]] = {}
        for sp in new:
            for b in range(sp.start // _BUCKET, (sp.end - 1) // _BUCKET + 1):
                buckets.setdefault(b, []).append(sp)
        self._buckets = buckets
        if len(changed) > 200:
            self._cache.clear()
        else:
            for sp in changed:
                self._invalidate(sp.start, sp.end)
        self.refresh()

    @property
    def spans(self) -> list[Span]:
        return list(self._spans)

    def spans_in(self, start: int, end: int) -> list[Span]:
        """Spans intersecting ``[start, end)`` (or touching ``start`` when empty)."""
        found: dict[Span, None] = {}
        end = max(end, start + 1)
        for b in range(start // _BUCKET, (end - 1) // _BUCKET + 1):
            for sp in self._buckets.get(b, ()):
                if sp.start < end and start < sp.end:
                    found[sp] = None
        return sorted(found)

    def spans_at(self, offset: int) -> list[Span]:
        """Spans covering ``offset`` (innermost first)."""
        hits = [sp for sp in self._buckets.get(offset // _BUCKET, ()) if sp.start <= offset < sp.end]
        return sorted(hits, key=lambda sp: (sp.end - sp.start, sp.start))

    # -------------------------------------------------------------- search
    def set_search(self, query: str) -> int:
        """Highlight every match of ``query`` (smart case). Returns the number of matches."""
        old = self._matches
        self._matches, self._match_starts = [], []
        if query:
            flags = 0 if any(ch.isupper() for ch in query) else re.IGNORECASE
            rx = re.compile(re.escape(query), flags)
            for m in rx.finditer(self._text):
                s, e = snap_span(self._text, m.start(), m.end())
                if e > s:
                    self._matches.append((s, e))
                if len(self._matches) >= _MAX_MATCHES:
                    break
            self._match_starts = [s for s, _ in self._matches]
        for s, e in old[:_BIG_INVALIDATION] if len(old) <= _BIG_INVALIDATION else ():
            self._invalidate(s, e)
        if len(old) > _BIG_INVALIDATION or len(self._matches) > _BIG_INVALIDATION:
            self._cache.clear()
        else:
            for s, e in self._matches:
                self._invalidate(s, e)
        self.refresh()
        return len(self._matches)

    @property
    def matches(self) -> list[tuple[int, int]]:
        return list(self._matches)

    def find_match(self, offset: int, *, backwards: bool = False, wrap: bool = True) -> tuple[int, int] | None:
        """The first match starting at/after ``offset`` (or strictly before it, backwards)."""
        if not self._matches:
            return None
        if backwards:
            i = bisect_left(self._match_starts, offset) - 1
            if i < 0:
                return self._matches[-1] if wrap else None
            return self._matches[i]
        i = bisect_left(self._match_starts, offset)
        if i >= len(self._matches):
            return self._matches[0] if wrap else None
        return self._matches[i]

    # ----------------------------------------------------- cursor/selection
    @property
    def cursor(self) -> int:
        return self._cursor

    @property
    def anchor(self) -> int | None:
        return self._anchor

    @property
    def selection(self) -> tuple[int, int] | None:
        """The selected ``(start, end)`` on grapheme (or word, with word snap) boundaries, or None."""
        if self._anchor is None or self._anchor == self._cursor:
            return None
        s, e = sorted((self._anchor, self._cursor))
        if self.word_snap:
            s, e = snap_to_words(self._text, s, e)
        else:
            s, e = snap_span(self._text, s, e)
        return (s, e) if e > s else None

    @property
    def selected_text(self) -> str:
        sel = self.selection
        return self._text[sel[0] : sel[1]] if sel else ""

    def _set_caret(self, cursor: int, anchor: int | None, *, scroll: bool = True, keep_goal: bool = False) -> None:
        n = len(self._text)
        cursor = snap_left(self._text, max(0, min(cursor, n)))
        if anchor is not None:
            anchor = snap_left(self._text, max(0, min(anchor, n)))
        old_sel = self.selection
        old_cursor = self._cursor
        old_anchor = self._anchor
        self._cursor = cursor
        self._anchor = anchor
        if not keep_goal:
            self._goal_col = None
        new_sel = self.selection
        # invalidate what changed: the old and new cursor cells and the symmetric difference of selections
        self._invalidate(old_cursor, next_grapheme(self._text, old_cursor) + 1)
        self._invalidate(cursor, next_grapheme(self._text, cursor) + 1)
        if old_sel != new_sel:
            if old_sel and new_sel:
                a = sorted({old_sel[0], new_sel[0]})
                b = sorted({old_sel[1], new_sel[1]})
                self._invalidate(a[0], a[-1] + 1)
                self._invalidate(b[0], b[-1] + 1)
            else:
                sel = old_sel or new_sel
                if sel:
                    self._invalidate(sel[0], sel[1] + 1)
        if scroll and self.is_mounted:
            self.scroll_to_offset(cursor)
        self.refresh()
        if self.is_mounted:
            if old_cursor != cursor:
                self.post_message(self.CursorMoved(self, cursor))
            if old_sel != new_sel or (old_anchor is None) != (anchor is None):
                s, e = new_sel or (cursor, cursor)
                self.post_message(self.SelectionChanged(self, s, e))

    def _post_caret(self) -> None:
        self.post_message(self.CursorMoved(self, self._cursor))
        s, e = self.selection or (self._cursor, self._cursor)
        self.post_message(self.SelectionChanged(self, s, e))

    def move_to(self, offset: int, *, select: bool = False) -> None:
        """Move the cursor; with ``select`` extend the selection from the current anchor."""
        anchor = (self._anchor if self._anchor is not None else self._cursor) if select else None
        self._set_caret(offset, anchor)

    def select(self, start: int, end: int) -> None:
        """Select ``[start, end)`` (snapped to graphemes); the cursor goes to ``end``."""
        s, e = snap_span(self._text, max(0, start), min(len(self._text), end))
        self.mark_mode = False
        self._set_caret(e, s)
        if self.is_mounted:
            self.scroll_to_offset(s)

    def clear_selection(self) -> None:
        self.mark_mode = False
        self._set_caret(self._cursor, None, scroll=False)

    # ------------------------------------------------------------- scroll
    def scroll_to_offset(self, offset: int, *, top: bool = False) -> None:
        """Scroll so that ``offset`` is visible (at the top with ``top``)."""
        row = self.row_of_offset(max(0, min(offset, len(self._text))))
        height = max(1, self.scrollable_content_region.height)
        self._ensure_rows(row, height)
        y = int(self.scroll_offset.y)
        if top:
            target = row
        elif row < y:
            target = row
        elif row >= y + height:
            target = row - height + 1
        else:
            return
        self.scroll_to(y=max(0, target), animate=False, immediate=True)

    @property
    def top_offset(self) -> int:
        if not self._text:
            return 0
        line, sub = self._locate(int(self.scroll_offset.y))
        return self._row_range(line, sub)[0]

    @property
    def scroll_fraction(self) -> float:
        """Position of the top row as a fraction of the text (by offset, not by rows)."""
        if not self._text:
            return 0.0
        if self.scroll_offset.y >= self.max_scroll_y > 0:
            return 1.0
        return self.top_offset / len(self._text)

    @scroll_fraction.setter
    def scroll_fraction(self, fraction: float) -> None:
        fraction = max(0.0, min(1.0, fraction))
        if fraction >= 1.0:
            self.scroll_to_offset(len(self._text), top=False)
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)
            return
        offset = snap_left(self._text, int(fraction * len(self._text)))
        self.scroll_to_offset(offset, top=True)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        if self.is_mounted and self._text:
            self._ensure_rows(int(new_value), self.scrollable_content_region.height + 1)
        super().watch_scroll_y(old_value, new_value)
        if round(old_value) != round(new_value) and self.is_mounted:
            self.post_message(self.Scrolled(self, self.scroll_fraction))

    # ------------------------------------------------------------- render
    def on_resize(self, event: events.Resize) -> None:
        width = self.text_width
        if width != self._wrap_width:
            top = self.top_offset if self._text else 0
            self._reset_layout()
            if top:
                self.scroll_to_offset(top, top=True)
        self._ensure_rows(int(self.scroll_offset.y), self.scrollable_content_region.height + 1)

    def on_mount(self) -> None:
        self._reset_layout()

    def _invalidate(self, start: int, end: int) -> None:
        """Drop cached strips of rows showing ``[start, end)``."""
        if not self._cache:
            return
        first = self.line_of(start)
        last = self.line_of(max(start, end))
        if last - first > _BIG_INVALIDATION:
            self._cache.clear()
            return
        discard = self._cache.discard
        for line in range(first, last + 1):
            wraps = self._wraps.get(line)
            if wraps is None:
                continue
            if len(wraps) > 64:
                ls = self._starts[line]
                a = max(0, bisect_right(wraps, start - ls) - 1)
                b = max(a, bisect_right(wraps, end - ls))
                for sub in range(a, min(b + 1, len(wraps))):
                    discard((line, sub))
            else:
                for sub in range(len(wraps)):
                    discard((line, sub))

    def notify_style_changed(self) -> None:
        self._cache.clear()
        self._palette = {}
        super().notify_style_changed()

    def on_focus(self, event: events.Focus) -> None:
        self._invalidate(self._cursor, self._cursor + 1)
        self.refresh()

    def on_blur(self, event: events.Blur) -> None:
        self._invalidate(self._cursor, self._cursor + 1)
        self.refresh()

    def _span_style(self, label: str, suggested: bool) -> Style:
        key = ("span", label, suggested)
        style = self._palette.get(key)  # type: ignore[arg-type]
        if style is None:
            bg = self.background_colors[1]
            colour = Color.parse(self.labels.color(label))
            if suggested:
                style = Style(bgcolor=bg.blend(colour, 0.22).rich_color, italic=True, underline=True, dim=False)
            else:
                style = Style(bgcolor=bg.blend(colour, 0.45).rich_color)
            self._palette[key] = style  # type: ignore[index]
        return style

    def _overlap_style(self, labels: tuple[str, ...]) -> Style:
        key = ("overlap",) + labels
        style = self._palette.get(key)  # type: ignore[arg-type]
        if style is None:
            bg = self.background_colors[1]
            mix = Color.parse(self.labels.color(labels[0]))
            for i, name in enumerate(labels[1:], 2):
                mix = mix.blend(Color.parse(self.labels.color(name)), 1 / i)
            style = Style(bgcolor=bg.blend(mix, 0.6).rich_color, bold=True, underline=True)
            self._palette[key] = style  # type: ignore[index]
        return style

    _SELECTION = Style(reverse=True)
    _CURSOR = Style(bgcolor="#ffd75f", color="#000000", bold=True)
    _CURSOR_BLUR = Style(underline=True, bold=True)
    _MATCH = Style(bgcolor="#8a6d00", color="#ffffff")

    def render_lines(self, crop):  # type: ignore[override]
        if self._text:
            self._ensure_rows(int(self.scroll_offset.y), self.scrollable_content_region.height + 1)
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        row = int(self.scroll_offset.y) + y
        if row >= self._total:
            return Strip.blank(width, base)
        line, sub = self._locate(row)
        key = (line, sub)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._render_row(line, sub).adjust_cell_length(width, base).apply_style(base)
            self._cache.set(key, strip)
        return strip

    def _render_row(self, line: int, sub: int) -> Strip:
        text = self._text
        start, end, last = self._row_range(line, sub)
        spans = self.spans_in(start, end + 1)
        sel = self.selection
        cursor = self._cursor
        cursor_end = next_grapheme(text, cursor) if cursor < len(text) and text[cursor] != "\n" else cursor
        focused = self.has_focus
        mi = bisect_left(self._match_starts, start)
        while mi > 0 and self._matches[mi - 1][1] > start:
            mi -= 1
        matches = []
        while mi < len(self._matches) and self._matches[mi][0] < end:
            matches.append(self._matches[mi])
            mi += 1
        # boundaries where the style may change
        points = {start, end}
        for sp in spans:
            points.add(sp.start)
            points.add(sp.end)
        if sel:
            points.update(sel)
        points.update((cursor, cursor_end))
        for s, e in matches:
            points.add(s)
            points.add(e)
        cuts = sorted(p for p in points if start <= p <= end)

        def style_at(p: int) -> Style | None:
            style: Style | None = None
            covering = [sp for sp in spans if sp.start <= p < sp.end]
            if len(covering) == 1:
                sp = covering[0]
                style = self._span_style(sp.label, sp.status == STATUS_SUGGESTED)
            elif len(covering) > 1:
                style = self._overlap_style(tuple(sorted({sp.label for sp in covering})))
            if any(s <= p < e for s, e in matches):
                style = self._MATCH if style is None else style + Style(bgcolor=self._MATCH.bgcolor)
            if sel and sel[0] <= p < sel[1]:
                style = self._SELECTION if style is None else style + self._SELECTION
            if cursor <= p < cursor_end:
                cur = self._CURSOR if focused else self._CURSOR_BLUR
                style = cur if style is None else style + cur
            return style

        segments: list[Segment] = [self._gutter(spans, start, end)]
        d = inert(text[start:end], keep_tabs=True)
        col = 0
        if (d.isascii() and "\t" not in d) or _simple(d):
            for a, b in zip(cuts, cuts[1:]):
                if b > a:
                    segments.append(Segment(d[a - start : b - start], style_at(a)))
            col = len(d)
        else:
            clusters = _clusters(d)
            ci = 0
            for a, b in zip(cuts, cuts[1:]):
                if b <= a:
                    continue
                parts: list[str] = []
                # a run takes every grapheme that starts in [a, b): graphemes are never split
                while ci < len(clusters) and clusters[ci][0] + start < b:
                    g = clusters[ci][2]
                    if g == "\t":
                        w = _width(g, col)
                        parts.append(" " * w)
                        col += w
                    else:
                        parts.append(g)
                        col += cell_len(g)
                    ci += 1
                if parts:
                    segments.append(Segment("".join(parts), style_at(a)))
        if last:
            # the newline (or the end of the text): show the cursor and a selected newline as one cell
            tail: Style | None = None
            if sel and sel[0] <= end < sel[1] and end < len(text):
                tail = self._SELECTION
            if cursor == end:
                cur = self._CURSOR if focused else self._CURSOR_BLUR
                tail = cur if tail is None else tail + cur
            if tail is not None:
                segments.append(Segment(" ", tail))
        return Strip(segments)

    def _gutter(self, spans: list[Span], start: int, end: int) -> Segment:
        visible = [sp for sp in spans if sp.start < max(end, start + 1) and start < sp.end]
        if not visible:
            return Segment(" " * GUTTER)
        overlap = False
        ordered = sorted(visible, key=lambda sp: sp.start)
        for a, b in zip(ordered, ordered[1:]):
            if b.start < a.end:
                overlap = True
                break
        if not overlap:
            for i, a in enumerate(ordered):
                if any(b.start < a.end and a.start < b.end for b in ordered[i + 1 :]):
                    overlap = True
                    break
        if overlap:
            return Segment("≡ ", Style(bold=True, color="#ffffff"))
        sp = ordered[0]
        mark = "┆ " if all(s.status == STATUS_SUGGESTED for s in visible) else "▌ "
        return Segment(mark, Style(color=self.labels.color(sp.label)))

    # ------------------------------------------------------------ actions
    def _row_step(self, rows: int) -> int:
        line, sub, col = self._position(self._cursor)
        if self._goal_col is None:
            self._goal_col = col
        target = self._line_row(line) + sub + rows
        if target < 0:
            return 0
        if target >= self._total:
            return len(self._text)
        self._ensure_rows(target, 1)
        tline, tsub = self._locate(target)
        return self._offset_at_col(tline, tsub, self._goal_col)

    def action_move(self, where: str, extend: bool = False) -> None:
        text = self._text
        c = self._cursor
        keep_goal = False
        page = max(1, self.scrollable_content_region.height - 1)
        if where == "left":
            if self._anchor is not None and not extend and not self.mark_mode and self.selection:
                target = self.selection[0]
            else:
                target = prev_grapheme(text, c)
        elif where == "right":
            if self._anchor is not None and not extend and not self.mark_mode and self.selection:
                target = self.selection[1]
            else:
                target = next_grapheme(text, c)
        elif where in ("up", "down", "pageup", "pagedown"):
            step = {"up": -1, "down": 1, "pageup": -page, "pagedown": page}[where]
            target = self._row_step(step)
            keep_goal = True
            if where in ("pageup", "pagedown"):
                self.scroll_to(y=max(0, int(self.scroll_offset.y) + step), animate=False, immediate=True)
        elif where in ("home", "end"):
            line, sub, _ = self._position(c)
            start, end, last = self._row_range(line, sub)
            if where == "home":
                target = start
            else:
                target = end if last else prev_grapheme(text, end)
        elif where == "top":
            target = 0
        elif where == "bottom":
            target = len(text)
        elif where == "wordleft":
            target = prev_word(text, c)
        elif where == "wordright":
            target = next_word(text, c)
        else:
            return
        extend = extend or self.mark_mode
        anchor = (self._anchor if self._anchor is not None else c) if extend else None
        goal = self._goal_col
        self._set_caret(target, anchor, keep_goal=keep_goal)
        if keep_goal:
            self._goal_col = goal

    def action_toggle_mark(self) -> None:
        if self.mark_mode:
            self.mark_mode = False
        else:
            self.mark_mode = True
            if self._anchor is None or self.selection is None:
                self._set_caret(self._cursor, self._cursor, scroll=False)

    def action_toggle_word_snap(self) -> None:
        self.word_snap = not self.word_snap
        self.notify(f"Word snap {'on' if self.word_snap else 'off'}", timeout=2)

    def watch_mark_mode(self) -> None:
        if self.is_mounted:  # lets headers show the mode at once
            s, e = self.selection or (self._cursor, self._cursor)
            self.post_message(self.SelectionChanged(self, s, e))

    def watch_word_snap(self) -> None:
        self._cache.clear()
        self.refresh()
        if self.is_mounted:
            s, e = self.selection or (self._cursor, self._cursor)
            self.post_message(self.SelectionChanged(self, s, e))

    def action_select_sentence(self) -> None:
        s, e = sentence_bounds(self._text, self._cursor)
        if e > s:
            self.select(s, e)

    def action_select_paragraph(self) -> None:
        s, e = paragraph_bounds(self._text, self._cursor)
        if e > s:
            self.select(s, e)

    def action_clear_selection(self) -> None:
        if self._anchor is None and not self.mark_mode:
            raise SkipAction()
        self.clear_selection()

    # -------------------------------------------------------------- mouse
    def on_mouse_down(self, event: events.MouseDown) -> None:
        if event.button != 1:
            return
        self.focus()
        pos = event.get_content_offset(self)
        if pos is None:
            return
        offset = self.offset_at(pos.x, pos.y)
        self._drag_anchor = offset
        self.mark_mode = False
        if event.shift:
            self.move_to(offset, select=True)
        else:
            self._set_caret(offset, None, scroll=False)
        self.capture_mouse()
        event.stop()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._drag_anchor is None:
            return
        pos = event.get_content_offset_capture(self)
        height = self.scrollable_content_region.height
        if pos.y < 0:
            self.scroll_to(y=max(0, int(self.scroll_offset.y) - 1), animate=False, immediate=True)
        elif pos.y >= height:
            self.scroll_to(y=int(self.scroll_offset.y) + 1, animate=False, immediate=True)
        y = max(0, min(pos.y, height - 1))
        hit = self.offset_at(pos.x, y)
        anchor = self._drag_anchor
        if hit >= anchor:
            # include the grapheme under the pointer
            end = hit if hit >= len(self._text) or self._text[hit] == "\n" else next_grapheme(self._text, hit)
            self._set_caret(end, anchor, scroll=False)
        else:
            self._set_caret(hit, anchor, scroll=False)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._drag_anchor is not None:
            self._drag_anchor = None
            self.release_mouse()
            event.stop()

    def on_click(self, event: events.Click) -> None:
        if event.chain == 2:
            self.select(*_word_at(self._text, self._cursor))
        elif event.chain >= 3:
            self.action_select_paragraph()


def _word_at(text: str, offset: int) -> tuple[int, int]:
    from reader.text import word_bounds

    return word_bounds(text, offset)
