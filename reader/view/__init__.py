"""The text view's model, without Textual: what the widget in ``reader.tui.widgets.textview`` draws.

On the model of Textual's ``TextArea``, which hands its jobs to
``WrappedDocument`` and ``DocumentNavigator``, the annotated text view is split:

* :class:`~reader.view.wrap.WrapLayout`: line index, lazy soft wrapping per
  width, the row index (row <-> line lookups in ``O(blocks + block)``);
* :class:`~reader.view.spans.SpanIndex`: which spans cover which offsets;
* :class:`~reader.view.search.SearchMatches`: the matches of a query, "3/14";
* :class:`~reader.view.navigator.Navigator`: the cursor, the anchor and the
  goal column; selection on grapheme (or word) boundaries; where a movement
  key goes.

Every offset is a code-point index into the canonical text, end-exclusive.
"""
from reader.view.navigator import Navigator
from reader.view.search import SearchMatches
from reader.view.spans import Span, SpanIndex
from reader.view.wrap import GUTTER, TAB_SIZE, WrapLayout, wrap_display_line

__all__ = ["GUTTER", "TAB_SIZE", "Navigator", "SearchMatches", "Span", "SpanIndex", "WrapLayout", "wrap_display_line"]
