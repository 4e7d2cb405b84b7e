"""reader.view without an app: the wrap layout's row index, the navigator, the span index, search matches."""
from __future__ import annotations

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.model import Annotation
from reader.view import Navigator, SearchMatches, Span, SpanIndex, WrapLayout

GRAPHEME = regex.compile(r"\X")
texts = st.lists(
    st.sampled_from(["ab ", "cd", "\n", "\n\n", "中文", "e\u0301", "👍🏽", "\t", "x" * 30, "Netflix "]), max_size=60
).map("".join)


@settings(max_examples=150)
@given(texts, st.integers(min_value=4, max_value=40))
def test_row_index_agrees_with_the_wraps(text, width):
    layout = WrapLayout(text, width)
    while not layout.wrap_some(0.01):
        pass
    assert layout.exact
    assert layout.total == sum(len(layout.wrap(i)) for i in range(layout.line_count))
    for i in range(layout.line_count):
        row = layout.line_row(i)
        assert layout.locate(row) == (i, 0)
        for sub in range(len(layout.wrap(i))):
            start, end, last = layout.row_range(i, sub)
            assert layout.row_of_offset(start) == row + sub or start == end


@settings(max_examples=150)
@given(texts, st.integers(0, 400), st.integers(0, 400))
def test_navigator_keeps_the_caret_and_selection_on_grapheme_boundaries(text, a, b):
    bounds = {0, len(text)} | {m.end() for m in GRAPHEME.finditer(text)}
    nav = Navigator(WrapLayout(text, 20))
    nav.set_caret(b, a)
    assert nav.cursor in bounds and (nav.anchor in bounds)
    if nav.selection:
        assert set(nav.selection) <= bounds
    for move in ("left", "right", "up", "down", "home", "end", "wordleft", "wordright"):
        target, _ = nav.target(move, page=5)
        assert 0 <= target <= len(text)


def test_span_index_and_search_matches():
    index = SpanIndex()
    anns = [Annotation("a", "d", 0, 5, "salary", "x" * 5), Annotation("b", "d", 2, 4, "quote", "x" * 2)]
    changed = index.set(anns, 10)
    assert len(changed) == 2 and [sp.id for sp in index.spans_at(3)] == ["b", "a"]
    assert SpanIndex.overlapping(index.spans) and not SpanIndex.overlapping([Span(0, 2, "x", "accepted", "1"), Span(2, 3, "x", "accepted", "2")])
    assert index.set(anns, 10) == set()  # nothing changed
    search = SearchMatches()
    search.set("the cat and The dog", "the")
    assert search.matches == [(0, 3), (12, 15)]
    found = search.find(5)
    assert (found.start, found.index, found.wrapped) == (12, 1, False)
    again = search.find(13)
    assert (again.start, again.index, again.wrapped) == (0, 0, True)
    assert search.find(0, backwards=True).wrapped


def test_view_messages_posted_on_every_key_merge():
    from reader.tui.widgets.textview import AnnotatedTextView

    a, b = AnnotatedTextView("x"), AnnotatedTextView("y")
    moved = AnnotatedTextView.CursorMoved
    assert moved(a, 1).can_replace(moved(a, 2))
    assert not moved(a, 1).can_replace(moved(b, 2))
    assert not moved(a, 1).can_replace(AnnotatedTextView.SelectionChanged(a, 1, 1))
    assert AnnotatedTextView.SelectionChanged(a, 0, 1).can_replace(AnnotatedTextView.SelectionChanged(a, 0, 2))
    assert AnnotatedTextView.Scrolled(a, 0.1).can_replace(AnnotatedTextView.Scrolled(a, 0.2))
