"""AnnotatedTextView: a Line API view of a document's canonical text.

The widget renders and takes input; its model lives in :mod:`reader.view`
(no Textual there), as Textual's ``TextArea`` hands work to
``WrappedDocument`` and ``DocumentNavigator``:

* :class:`~reader.view.WrapLayout` wraps lines lazily and keeps the row index;
* :class:`~reader.view.SpanIndex` knows which spans cover which offsets;
* :class:`~reader.view.SearchMatches` holds the matches of a search;
* :class:`~reader.view.Navigator` holds the cursor, the anchor and the goal column.

Rendered rows are kept in an LRU cache of ``Strip`` s, invalidated per row
when spans, the selection, the cursor or search matches change. A background
pass on a timer wraps the lines not seen yet, so the scrollbar becomes exact;
it pauses while the user is typing or scrolling (see :data:`INPUT_QUIET`), so
paging right after opening a large document costs what it costs later.

Colours come from the theme through component classes (cursor, selection,
search matches, suggestions, gutter); label colours come from ``labels.toml``.

Messages (all bubble to the pane; ``control`` is the view):

* :class:`AnnotatedTextView.CursorMoved` (``offset``): the cursor moved; posted
  on every movement key, so consecutive ones merge (``can_replace``).
* :class:`AnnotatedTextView.SelectionChanged` (``start``, ``end``; equal when
  nothing is selected): the selection, mark mode or word snap changed; merges too.
* :class:`AnnotatedTextView.Scrolled` (``fraction``, by offset): the top row
  changed; merges too.
"""
from __future__ import annotations

import time
from typing import Callable, Iterable, TypeAlias, cast

from textual import events
from textual.actions import SkipAction
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from reader.labels import LabelSet
from reader.model import Annotation
from reader.lang.sentences import sentence_bounds
from reader.text import next_grapheme, next_paragraph, paragraph_bounds, snap_left, snap_span, word_bounds
from reader.view import GUTTER, Navigator, SearchMatches, Span, SpanIndex, WrapLayout, wrap_display_line
from reader.view.paint import Palette, RowPainter
from reader.tui.widgets.viewpalette import theme_palette
from reader.view.search import Found
from reader.view.visual import VisualRows

__all__ = ["GUTTER", "AnnotatedTextView", "Span", "wrap_display_line"]

BACKGROUND_TICK = 0.05  # seconds between background wrapping steps
BACKGROUND_BUDGET = 0.006  # seconds of wrapping per step
INPUT_QUIET = 0.4  # seconds after the last key or scroll before background wrapping resumes
_BIG_INVALIDATION = 400  # lines; beyond this, drop the whole strip cache


class _ViewMessage(Message):
    """A message about one view; a newer one of the same kind for the same view replaces it."""

    def __init__(self, view: "AnnotatedTextView") -> None:
        super().__init__()
        self.view = view

    @property
    def control(self) -> "AnnotatedTextView":
        return self.view

    def can_replace(self, message: Message) -> bool:
        return type(message) is type(self) and isinstance(message, _ViewMessage) and message.view is self.view


VIEW_CSS = """
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
AnnotatedTextView > .text-view--cursor {
    background: $warning;
    color: $background;
    text-style: bold;
}
AnnotatedTextView > .text-view--cursor-blurred {
    text-style: bold underline;
}
AnnotatedTextView > .text-view--selection {
    text-style: reverse;
}
AnnotatedTextView > .text-view--match {
    background: $warning 45%;
    color: $foreground;
}
AnnotatedTextView > .text-view--suggestion {
    text-style: italic underline;
}
AnnotatedTextView > .text-view--overlap {
    text-style: bold underline;
}
AnnotatedTextView > .text-view--shade {
    background: $accent 18%;
}
AnnotatedTextView > .text-view--gutter {
    color: $foreground;
    text-style: bold;
}
"""

VIEW_BINDINGS: list[Binding | tuple[str, str] | tuple[str, str, str]] = [
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



class SelectionChanged(_ViewMessage, namespace="annotated_text_view"):
    """The selection (``start``-``end``; equal when empty), mark mode or word snap changed."""

    def __init__(self, view: "AnnotatedTextView", start: int, end: int) -> None:
        super().__init__(view)
        self.start = start
        self.end = end

class CursorMoved(_ViewMessage, namespace="annotated_text_view"):
    """The cursor moved to ``offset``."""

    def __init__(self, view: "AnnotatedTextView", offset: int) -> None:
        super().__init__(view)
        self.offset = offset

class Scrolled(_ViewMessage, namespace="annotated_text_view"):
    """The top row changed; ``fraction`` is its offset over the text length."""

    def __init__(self, view: "AnnotatedTextView", fraction: float) -> None:
        super().__init__(view)
        self.fraction = fraction



# the view's nested names (AnnotatedTextView.CursorMoved...)
_SelectionChanged = SelectionChanged
_CursorMoved = CursorMoved
_Scrolled = Scrolled


class _ViewPart:
    """A part of :class:`AnnotatedTextView`'s input handling, mixed into it."""

    @property
    def _view(self) -> "AnnotatedTextView":
        return cast("AnnotatedTextView", self)


class _MouseSelection(_ViewPart):
    """Mouse selection for the view: press, drag (scrolling at the edges), shift+click, double/triple click."""

    def on_mouse_down(self, event: events.MouseDown) -> None:
        view = self._view
        if event.button != 1:
            return
        view.focus()
        pos = event.get_content_offset(view)
        if pos is None:
            return
        offset = view.offset_at(pos.x, pos.y)
        view._drag_anchor = offset
        view.mark_mode = False
        if event.shift:
            view.move_to(offset, select=True)
        else:
            view._set_caret(offset, None, scroll=False)
        view.capture_mouse()
        event.stop()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        view = self._view
        if view._drag_anchor is None:
            return
        pos = event.get_content_offset_capture(view)
        height = view.scrollable_content_region.height
        if pos.y < 0:
            view.scroll_to(y=max(0, int(view.scroll_offset.y) - 1), animate=False, immediate=True)
        elif pos.y >= height:
            view.scroll_to(y=int(view.scroll_offset.y) + 1, animate=False, immediate=True)
        y = max(0, min(pos.y, height - 1))
        hit = view.offset_at(pos.x, y)
        anchor = view._drag_anchor
        text = view.text
        if hit >= anchor:
            # include the grapheme under the pointer
            end = hit if hit >= len(text) or text[hit] == "\n" else next_grapheme(text, hit)
            view._set_caret(end, anchor, scroll=False)
        else:
            view._set_caret(hit, anchor, scroll=False)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        view = self._view
        if view._drag_anchor is not None:
            view._drag_anchor = None
            view.release_mouse()
            event.stop()

    def on_click(self, event: events.Click) -> None:
        view = self._view
        if event.chain == 2:
            view.select(*word_bounds(view.text, view.cursor))
        elif event.chain >= 3:
            view.action_select_paragraph()


class _SelectionKeys(_ViewPart):
    """The view's selection keys: mark mode (v), word snap (w), sentence (s), paragraph (p), escape."""

    def action_toggle_mark(self) -> None:
        view = self._view
        if view.mark_mode:
            view.mark_mode = False
        else:
            view.mark_mode = True
            if view.selection_anchor is None or view.selection is None:
                view._set_caret(view.cursor, view.cursor, scroll=False)

    def action_toggle_word_snap(self) -> None:
        view = self._view
        view.word_snap = not view.word_snap
        view.notify(f"Word snap {'on' if view.word_snap else 'off'}", timeout=2)

    def watch_mark_mode(self) -> None:
        view = self._view
        if view.is_mounted:  # lets headers show the mode at once
            s, e = view.selection or (view.cursor, view.cursor)
            view.post_message(view.SelectionChanged(view, s, e))

    def watch_word_snap(self, value: bool) -> None:
        view = self._view
        view.navigator.word_snap = value
        view._cache.clear()
        view.refresh()
        if view.is_mounted:
            s, e = view.selection or (view.cursor, view.cursor)
            view.post_message(view.SelectionChanged(view, s, e))

    def action_select_sentence(self) -> None:
        """Select the sentence around the cursor (pysbd, in the paragraph's language)."""
        view = self._view
        lang = view.language_at(view.cursor) if view.language_at is not None else None
        s, e = sentence_bounds(view.text, view.cursor, lang)
        if e > s:
            view.select(s, e)
        else:
            view.notify("Blank line: no sentence here (move onto text, then press s)", timeout=3)

    def action_select_paragraph(self) -> None:
        """Select the paragraph around the cursor; on a blank line, the next paragraph (and say so)."""
        view = self._view
        s, e = paragraph_bounds(view.text, view.cursor)
        if e > s:
            view.select(s, e)
            return
        following = next_paragraph(view.text, view.cursor)
        if following is None:
            view.notify("Blank line: no paragraph after it", severity="warning", timeout=3)
            return
        view.select(*following)
        view.notify(f"Blank line: selected the next paragraph ({following[0]}–{following[1]})", timeout=3)

    def action_clear_selection(self) -> None:
        view = self._view
        if view.selection_anchor is None and not view.mark_mode:
            raise SkipAction()
        view.clear_selection()


class _Search(_ViewPart):
    """Search matches for the view: every match highlighted, the next one found (the find dialog's model)."""

    def set_search(self, query: str) -> int:
        """Highlight every match of ``query`` (smart case). Returns the number of matches."""
        old = self._view.search_matches.set(self._view.text, query) if query else self._view.search_matches.clear()
        new = self._view.search_matches.matches
        if len(old) > _BIG_INVALIDATION or len(new) > _BIG_INVALIDATION:
            self._view._cache.clear()
        else:
            for s, e in old + new:
                self._view._invalidate(s, e)
        self._view._repaint()
        return len(new)

    @property
    def matches(self) -> list[tuple[int, int]]:
        return self._view.search_matches.matches

    def find(self, offset: int, *, backwards: bool = False, wrap: bool = True) -> Found | None:
        """The next match from ``offset`` with its index and whether the search wrapped."""
        return self._view.search_matches.find(offset, backwards=backwards, wrap=wrap)

    def find_match(self, offset: int, *, backwards: bool = False, wrap: bool = True) -> tuple[int, int] | None:
        """The first match starting at/after ``offset`` (or strictly before it, backwards)."""
        found = self._view.search_matches.find(offset, backwards=backwards, wrap=wrap)
        return (found.start, found.end) if found else None


class _Repaint(_ViewPart):
    """What a change paints again: the view's rows it touches, not the whole view."""

    def _invalidate(self, start: int, end: int) -> None:
        """Drop cached strips of rows showing ``[start, end)``; :meth:`_repaint` paints those rows again."""
        view = self._view
        rows = view.wrapping.rows_to_invalidate(start, end, _BIG_INVALIDATION)
        if rows is None:
            view._cache.clear()
            view._dirty_all = True
            return
        for key in rows:
            view._cache.discard(key)
        view._dirty_rows.update(rows)

    def _repaint(self) -> None:
        """Ask Textual to paint again what :meth:`_invalidate` dropped: only those rows when they are on
        screen, not the whole view. Textual composes every row it repaints again, segment by segment,
        so a tag in a row dense with spans cost a whole screen of such rows (bench_edit: the tag at
        10,000 spans against 10). The whole view when a change was too large or the rows are still
        estimated (the lazy wrap has not reached every line: a row's number may change)."""
        view = self._view
        rows, view._dirty_rows = view._dirty_rows, set()
        whole, view._dirty_all = view._dirty_all, False
        if not view.is_mounted:
            return
        layout = view.wrapping
        if whole or not layout.exact:
            view.refresh()
            return
        top = int(view.scroll_offset.y)
        bottom = top + view.scrollable_content_region.height  # the row below the last one shown, in case
        for line, sub in rows:
            row = layout.line_row(line) + sub
            if top <= row <= bottom:
                view.refresh_line(row)


class AnnotatedTextView(_Repaint, _Search, _SelectionKeys, _MouseSelection, ScrollView, can_focus=True):
    """A soft-wrapped, annotated, selectable view of one document."""

    COMPONENT_CLASSES = {
        "text-view--cursor",
        "text-view--cursor-blurred",
        "text-view--selection",
        "text-view--match",
        "text-view--suggestion",
        "text-view--overlap",
        "text-view--gutter",
        "text-view--shade",
    }

    DEFAULT_CSS = VIEW_CSS
    BINDINGS = VIEW_BINDINGS

    mark_mode: reactive[bool] = reactive(False, init=False)
    word_snap: reactive[bool] = reactive(False, init=False)

    SelectionChanged: TypeAlias = _SelectionChanged
    CursorMoved: TypeAlias = _CursorMoved
    Scrolled: TypeAlias = _Scrolled

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
        # the rows (line, row within line) invalidated since the last repaint, or all of them (_repaint)
        self._dirty_rows: set[tuple[int, int]] = set()
        self._dirty_all = False
        self.wrapping = WrapLayout(text, 80)
        self.navigator = Navigator(self.wrapping)
        self.span_index = SpanIndex()
        self.search_matches = SearchMatches()
        self.visual = VisualRows(self.wrapping)
        self._shade: list[tuple[int, int]] = []
        self._drag_anchor: int | None = None
        self._palette: Palette | None = None
        self._bg_timer: Timer | None = None
        self._last_input = 0.0
        #: the language at an offset (the pane sets it), for the sentence segmenter
        self.language_at: Callable[[int], str | None] | None = None

    # ------------------------------------------------------------------ data
    @property
    def text(self) -> str:
        return self.wrapping.text

    def load(self, text: str) -> None:
        """Show ``text`` (canonical). Indexes line starts once; wraps nothing yet."""
        self._drag_anchor = None
        self.wrapping = WrapLayout(text, self.text_width)
        self.navigator.reset(self.wrapping)
        self.visual.reset(self.wrapping)
        self._shade = []
        self.mark_mode = False
        self.search_matches.clear()
        self._reset_layout()
        if self.is_mounted:
            self.scroll_to(y=0, animate=False)
            self._post_caret()

    @property
    def line_count(self) -> int:
        return self.wrapping.line_count

    def line_of(self, offset: int) -> int:
        return self.wrapping.line_of(offset)

    # ---------------------------------------------------------------- layout
    @property
    def text_width(self) -> int:
        width = self.scrollable_content_region.width if self.is_mounted else 0
        return max(4, width - GUTTER - 1) if width else 80

    def _reset_layout(self) -> None:
        """Forget wraps; estimate every line's rows for the current width (O(lines), cheap)."""
        self.wrapping.reset(self.text_width)
        self._cache.clear()
        self._update_virtual_size()
        if self.is_mounted and self._bg_timer is None and self.wrapping.line_count > 1:
            self._bg_timer = self.set_interval(BACKGROUND_TICK, self._background_wrap)

    def _update_virtual_size(self) -> None:
        size = Size(self.wrapping.width + GUTTER + 1, self.wrapping.total)
        if self.virtual_size != size:
            self.virtual_size = size

    def _note_input(self) -> None:
        self._last_input = time.monotonic()

    def _background_wrap(self) -> None:
        """Wrap a few more lines, so the virtual height (and the scrollbar) becomes exact.

        Runs in small time slices on a timer, and not at all while keys or
        scrolling arrive (within :data:`INPUT_QUIET` of the last one), so it
        never makes the user's paging wait. Lines above the top of the view
        may change their row count; the view moves by the difference so the
        text on screen does not jump.
        """
        layout = self.wrapping
        if not self.is_mounted or layout.exact:
            if self._bg_timer is not None:
                self._bg_timer.stop()
                self._bg_timer = None
            return
        if time.monotonic() - self._last_input < INPUT_QUIET:
            return
        top_line, top_sub = layout.locate(int(self.scroll_offset.y))
        before = layout.line_row(top_line)
        layout.wrap_some(BACKGROUND_BUDGET)
        self._update_virtual_size()
        after = layout.line_row(top_line)
        if after != before:
            self.scroll_to(y=after + top_sub, animate=False, immediate=True)

    @property
    def height_is_exact(self) -> bool:
        """True once every line has been wrapped for the current width."""
        return self.wrapping.exact

    def _ensure_rows(self, first_row: int, count: int) -> None:
        self.wrapping.ensure_rows(first_row, count)
        self._update_virtual_size()

    def row_of_offset(self, offset: int) -> int:
        return self.wrapping.row_of_offset(offset)

    def offset_at(self, x: int, y: int) -> int:
        """The offset under a content-relative cell (for the mouse), snapped to a grapheme start."""
        row = int(self.scroll_offset.y) + y
        col = max(0, x - GUTTER)
        if row < self.wrapping.total and self.visual.enabled:
            self.wrapping.ensure_rows(row, 1)
            line, sub = self.wrapping.locate(row)
            if self.visual.applies(line):
                return snap_left(self.text, self.visual.offset_at(line, sub, col))
        offset = self.wrapping.offset_at_row(row, col)
        self._update_virtual_size()
        return snap_left(self.text, offset)

    # ------------------------------------------------------ visual order, shade
    @property
    def visual_rtl(self) -> bool:
        """Right-to-left lines drawn in visual order and right-aligned (offsets stay logical)."""
        return self.visual.enabled

    @visual_rtl.setter
    def visual_rtl(self, on: bool) -> None:
        if self.visual.enabled != bool(on):
            self.visual.enabled = bool(on)
            self._cache.clear()
            self.refresh()

    def set_shade(self, ranges: Iterable[tuple[int, int]]) -> None:
        """Tint ``[start, end)`` ranges (the compare screen's passage and its counterparts)."""
        new = sorted((max(0, s), min(len(self.text), e)) for s, e in ranges if e > s)
        if new == self._shade:
            return
        for s, e in self._shade + new:
            self._invalidate(s, e)
        self._shade = new
        self._repaint()

    @property
    def shade(self) -> list[tuple[int, int]]:
        return list(self._shade)

    # --------------------------------------------------------------- spans
    def set_spans(self, spans: Iterable[Annotation | Span]) -> None:
        """Show annotations (orphaned and rejected ones are skipped)."""
        self._spans_changed(self.span_index.set(spans, len(self.text)))

    def update_spans(self, removed: Iterable[Annotation], added: Iterable[Annotation]) -> None:
        """Apply a delta of annotations (see :class:`reader.annset.Delta`): only their lines are drawn again."""
        self._spans_changed(self.span_index.update(removed, added, len(self.text)))

    def _spans_changed(self, changed: set[Span]) -> None:
        if len(changed) > 200:
            self._cache.clear()
            self._dirty_all = True
        else:
            for sp in changed:
                self._invalidate(sp.start, sp.end)
        self._repaint()

    @property
    def spans(self) -> list[Span]:
        return self.span_index.spans

    def spans_in(self, start: int, end: int) -> list[Span]:
        """Spans intersecting ``[start, end)`` (or touching ``start`` when empty)."""
        return self.span_index.spans_in(start, end)

    def spans_at(self, offset: int) -> list[Span]:
        """Spans covering ``offset`` (innermost first)."""
        return self.span_index.spans_at(offset)

    # ----------------------------------------------------- cursor/selection
    @property
    def cursor(self) -> int:
        return self.navigator.cursor

    @property
    def selection_anchor(self) -> int | None:
        """Where the selection started (None: no selection); not ``Widget.anchor``, which scrolls."""
        return self.navigator.anchor

    @property
    def selection(self) -> tuple[int, int] | None:
        """The selected ``(start, end)`` on grapheme (or word, with word snap) boundaries, or None."""
        return self.navigator.selection

    @property
    def selected_text(self) -> str:
        sel = self.selection
        return self.text[sel[0] : sel[1]] if sel else ""

    def _set_caret(self, cursor: int, anchor: int | None, *, scroll: bool = True, keep_goal: bool = False) -> None:
        change = self.navigator.set_caret(cursor, anchor, keep_goal=keep_goal)
        text, cursor = self.text, self.navigator.cursor
        old_sel, new_sel = change.old_selection, change.new_selection
        self._invalidate(change.old_cursor, next_grapheme(text, change.old_cursor) + 1)
        self._invalidate(cursor, next_grapheme(text, cursor) + 1)
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
            self.scroll_to_offset(cursor)  # a scroll repaints the whole view (Textual's ScrollView)
        self._repaint()
        if self.is_mounted:
            if change.old_cursor != cursor:
                self.post_message(self.CursorMoved(self, cursor))
            if old_sel != new_sel or change.anchor_toggled:
                s, e = new_sel or (cursor, cursor)
                self.post_message(self.SelectionChanged(self, s, e))

    def _post_caret(self) -> None:
        cursor = self.navigator.cursor
        self.post_message(self.CursorMoved(self, cursor))
        s, e = self.selection or (cursor, cursor)
        self.post_message(self.SelectionChanged(self, s, e))

    def move_to(self, offset: int, *, select: bool = False, centre: bool = False) -> None:
        """Move the cursor; with ``select`` extend the selection from the current anchor.

        With ``centre`` the cursor's row is scrolled to the middle of the view.
        """
        nav = self.navigator
        anchor = (nav.anchor if nav.anchor is not None else nav.cursor) if select else None
        self._set_caret(offset, anchor, scroll=not centre)
        if centre and self.is_mounted:
            self.scroll_to_offset(self.cursor, centre=True)

    def select(self, start: int, end: int, *, centre: bool = False) -> None:
        """Select ``[start, end)`` (snapped to graphemes); the cursor goes to ``end``."""
        s, e = snap_span(self.text, max(0, start), min(len(self.text), end))
        self.mark_mode = False
        self._set_caret(e, s, scroll=not centre)
        if self.is_mounted:
            self.scroll_to_offset(s, centre=centre)

    def clear_selection(self) -> None:
        self.mark_mode = False
        self._set_caret(self.cursor, None, scroll=False)

    # ------------------------------------------------------------- scroll
    def scroll_to_offset(self, offset: int, *, top: bool = False, centre: bool = False) -> None:
        """Scroll so that ``offset`` is visible (at the top with ``top``, mid-view with ``centre``)."""
        row = self.row_of_offset(max(0, min(offset, len(self.text))))
        height = max(1, self.scrollable_content_region.height)
        self._ensure_rows(max(0, row - height), 2 * height)
        y = int(self.scroll_offset.y)
        if top:
            target = row
        elif centre:
            target = row - (height - 1) // 2
        elif row < y:
            target = row
        elif row >= y + height:
            target = row - height + 1
        else:
            return
        self.scroll_to(y=max(0, target), animate=False, immediate=True)

    @property
    def top_offset(self) -> int:
        if not self.text:
            return 0
        return self.wrapping.row_start(int(self.scroll_offset.y))

    @property
    def scroll_fraction(self) -> float:
        """Position of the top row as a fraction of the text (by offset, not by rows)."""
        if not self.text:
            return 0.0
        if self.scroll_offset.y >= self.max_scroll_y > 0:
            return 1.0
        return self.top_offset / len(self.text)

    @scroll_fraction.setter
    def scroll_fraction(self, fraction: float) -> None:
        fraction = max(0.0, min(1.0, fraction))
        if fraction >= 1.0:
            self.scroll_to_offset(len(self.text), top=False)
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)
            return
        offset = snap_left(self.text, int(fraction * len(self.text)))
        self.scroll_to_offset(offset, top=True)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        if self.is_mounted and self.text:
            self._ensure_rows(int(new_value), self.scrollable_content_region.height + 1)
        super().watch_scroll_y(old_value, new_value)
        if round(old_value) != round(new_value) and self.is_mounted:
            self.post_message(self.Scrolled(self, self.scroll_fraction))

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        self._note_input()

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._note_input()

    # ------------------------------------------------------------- render
    def on_resize(self, event: events.Resize) -> None:
        width = self.text_width
        if width != self.wrapping.width:
            top = self.top_offset if self.text else 0
            self._reset_layout()
            if top:
                self.scroll_to_offset(top, top=True)
        if self.text:
            # the cursor is where the keys act: a narrower or shorter view keeps it on screen (issue 22)
            self.scroll_to_offset(self.cursor)
        self._ensure_rows(int(self.scroll_offset.y), self.scrollable_content_region.height + 1)

    def on_mount(self) -> None:
        self._reset_layout()

    def notify_style_update(self) -> None:
        self._cache.clear()
        self._palette = None
        super().notify_style_update()

    def on_focus(self, event: events.Focus) -> None:
        self._restyle()

    def on_blur(self, event: events.Blur) -> None:
        self._restyle()

    def _restyle(self) -> None:
        """Focus changes the background (the theme's focus tint) and the cursor's style:
        every cached row was drawn with the old ones, not only the cursor's."""
        self._cache.clear()
        self._palette = None
        self.refresh()

    def render_lines(self, crop: Region) -> list[Strip]:
        if self.text:
            self._ensure_rows(int(self.scroll_offset.y), self.scrollable_content_region.height + 1)
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        row = int(self.scroll_offset.y) + y
        if row >= self.wrapping.total:
            return Strip.blank(width, base)
        key = self.wrapping.locate(row)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._render_row(*key).adjust_cell_length(width, base).apply_style(base)
            self._cache.set(key, strip)
        return strip

    def _render_row(self, line: int, sub: int) -> Strip:
        if self._palette is None:
            self._palette = theme_palette(self)
        painter = RowPainter(self.wrapping, self.navigator, self.span_index, self.search_matches, self.labels,
                             shade=self._shade, visual=self.visual)
        return Strip(painter.row(line, sub, self._palette, focused=self.has_focus))

    # ------------------------------------------------------------ actions
    def action_move(self, where: str, extend: bool = False) -> None:
        self._note_input()
        nav = self.navigator
        page = max(1, self.scrollable_content_region.height - 1)
        extend = extend or self.mark_mode
        if self.visual.enabled and self.text:  # B: on a right-to-left line → goes visually right
            where = self.visual.direction(where, self.wrapping.position(self.cursor)[0])
        try:
            target, keep_goal = nav.target(where, page=page, collapse=not extend)
        except ValueError:
            return
        if where in ("pageup", "pagedown"):
            step = page if where == "pagedown" else -page
            self.scroll_to(y=max(0, int(self.scroll_offset.y) + step), animate=False, immediate=True)
        anchor = (nav.anchor if nav.anchor is not None else nav.cursor) if extend else None
        goal = nav.goal_col
        self._set_caret(target, anchor, keep_goal=keep_goal)
        if keep_goal:
            nav.goal_col = goal
