"""The opt-in right-to-left visual order (B): drawn reordered and right-aligned, offsets logical."""
from __future__ import annotations

from reader.tui.widgets.pane import VISUAL_ORDER_KEY, DocumentPane
from reader.tui.screens.reading import ReadingScreen
from reader.view.wrap import GUTTER, wrap_display_line
from tests.reading_harness import HostApp, copy_seeds

AR = "003_744b85a45d014b40"
PHRASE = "900 ألف دولار"


def make_app(tmp_path):
    return HostApp(copy_seeds(tmp_path), tmp_path / "annotations", lambda: ReadingScreen(AR))


def shown_selected(view, y):
    """The characters drawn with the selection style on screen row ``y``, left to right."""
    strip = view.render_line(y)
    return "".join(seg.text for seg in strip if seg.style is not None and seg.style.reverse)


def screen_x(view, offset):
    """The content column where ``offset``'s grapheme is drawn (visual mode, first rows)."""
    row = view.row_of_offset(offset)
    line, sub = view.wrapping.locate(row)
    pad, cells = view.visual.cells(line, sub)
    x = pad
    for s, _e, _g, w in cells:
        if s == offset:
            return GUTTER + x, row - int(view.scroll_offset.y)
        x += w
    raise AssertionError("offset not drawn")


async def _visual_on(pilot, app):
    for _ in range(100):
        if isinstance(app.screen, ReadingScreen):
            break
        await pilot.pause(0.02)
    pane = app.screen.query_one(DocumentPane)
    view = pane.view
    assert view.visual_rtl is False  # off by default
    await pilot.press("B")
    await pilot.pause()
    assert view.visual_rtl is True and app.store.get_state(VISUAL_ORDER_KEY) is True
    return view


async def test_keyboard_selection_in_visual_mode_tags_the_phrase_shown(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 24)) as pilot:
        view = await _visual_on(pilot, app)
        start = view.text.index(PHRASE)
        # a short right-to-left line is right-aligned: padded on the left, its text at the right edge
        await pilot.press("ctrl+end")
        await pilot.pause()
        text = view.text.rstrip()
        last_row = view.row_of_offset(len(text) - 1)
        first_row = view.row_of_offset(text.rindex("\n") + 1)
        y_last = last_row - int(view.scroll_offset.y)
        drawn = "".join(seg.text for seg in view.render_line(y_last))
        width = view.wrapping.width + 1
        assert drawn[GUTTER:GUTTER + 3].strip() == ""  # padded on the left
        assert len(drawn.rstrip()) >= GUTTER + width - 1  # up to the right edge
        y_first = first_row - int(view.scroll_offset.y)
        first = "".join(seg.text for seg in view.render_line(y_first)).rstrip()
        assert first.endswith("التعليقات"[::-1])  # the line's first word is drawn rightmost
        await pilot.press("ctrl+home")
        while view.cursor < start:  # forward: ← on a right-to-left line drawn in visual order, → elsewhere
            line = view.wrapping.position(view.cursor)[0]
            await pilot.press("ctrl+left" if view.visual.applies(line) else "ctrl+right")
        assert view.cursor == start
        await pilot.press("ctrl+shift+left", "ctrl+shift+left", "ctrl+shift+left")
        await pilot.pause()
        assert view.selected_text.strip() == PHRASE
        shown = shown_selected(view, view.row_of_offset(start) - int(view.scroll_offset.y))
        # drawn in visual order: the Arabic words reversed around the number, the digits left to right
        assert "900" in shown and "دولار"[::-1] in shown
        await pilot.press("1")
        await pilot.pause()
        [ann] = app.store.for_document(AR)
        text = app.corpus.get(AR).text
        assert text[ann.start:ann.end] == ann.text and ann.text.strip() == PHRASE


async def test_mouse_selection_in_visual_mode_tags_the_phrase_shown(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 24)) as pilot:
        view = await _visual_on(pilot, app)
        start = view.text.index(PHRASE)
        last = start + len(PHRASE) - 1  # the final letter of دولار, drawn leftmost of the phrase
        x1, y = screen_x(view, start)  # the "9", the leftmost digit of 900
        x2, y2 = screen_x(view, last)
        assert y == y2 and x2 < x1  # the phrase runs right to left on screen
        await pilot.mouse_down(view, offset=(x1, y))
        await pilot.hover(view, offset=(x2, y))
        await pilot.mouse_up(view, offset=(x2, y))
        await pilot.pause()
        assert view.selection == (start, start + len(PHRASE))
        assert sorted(shown_selected(view, y)) == sorted(PHRASE)
        await pilot.press("1")
        await pilot.pause()
        [ann] = app.store.for_document(AR)
        assert app.corpus.get(AR).text[ann.start:ann.end] == PHRASE == ann.text


async def test_visual_order_is_remembered_and_can_be_turned_off(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 24)) as pilot:
        view = await _visual_on(pilot, app)
        await pilot.press("slash", *"نتفليكس", "enter")
        await pilot.pause()
        assert view.selected_text == "نتفليكس"  # search works on logical text
    again = HostApp(tmp_path / "seeds", tmp_path / "annotations", lambda: ReadingScreen(AR))
    async with again.run_test(size=(100, 24)) as pilot:
        for _ in range(100):
            if isinstance(again.screen, ReadingScreen):
                break
            await pilot.pause(0.02)
        view = again.screen.query_one(DocumentPane).view
        assert view.visual_rtl is True
        await pilot.press("B")
        assert view.visual_rtl is False and again.store.get_state(VISUAL_ORDER_KEY) is False


def test_wrapping_never_breaks_inside_a_word_when_the_row_has_a_space():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    words = st.sampled_from(["براتب", "900", "ألف", "دولار", "Netflix", "l’intelligenza", "日本語", "إنَّ", "👩‍👩‍👧"])

    @settings(max_examples=200)
    @given(st.lists(words, min_size=1, max_size=30), st.integers(8, 40))
    def check(ws, width):
        d = " ".join(ws)
        rows = wrap_display_line(d, width)
        for r in rows[1:]:
            # a break is right after a space, unless the word before it alone is wider than a row
            if d[r - 1] != " ":
                row_start = max(x for x in rows if x < r)
                assert " " not in d[row_start:r].rstrip(" "), (d, width, rows)

    check()


async def test_arrows_move_the_way_they_point_in_visual_mode(tmp_path):
    """Issue 22, item 11: in B mode → moved the cursor visually left."""
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 24)) as pilot:
        view = await _visual_on(pilot, app)
        start = view.text.index(PHRASE) + len(PHRASE) + 1  # inside an Arabic line, past the phrase
        view.move_to(start)
        await pilot.pause()
        x0, _ = screen_x(view, view.cursor)
        await pilot.press("right")
        x1, _ = screen_x(view, view.cursor)
        assert x1 > x0 and view.cursor < start  # visually right, logically back
        await pilot.press("left", "left")
        x2, _ = screen_x(view, view.cursor)
        assert x2 < x0 and view.cursor > start
        await pilot.press("ctrl+right")
        assert screen_x(view, view.cursor)[0] > x2
        # off, the arrows are logical again
        await pilot.press("B")
        here = view.cursor
        await pilot.press("right")
        assert view.cursor > here
