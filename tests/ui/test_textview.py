"""AnnotatedTextView: wrapping, rendering safety, cursor/selection keys, mouse, spans, search."""
from __future__ import annotations

import regex
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from textual.app import App, ComposeResult

from reader.model import Annotation
from reader.tui.widgets.textview import GUTTER, AnnotatedTextView, wrap_display_line
from reader.view.wrap import is_simple

GRAPHEME = regex.compile(r"\X")


def boundaries(text: str) -> set[int]:
    out = {0, len(text)}
    out.update(m.end() for m in GRAPHEME.finditer(text))
    return out


class ViewApp(App):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
        self.messages: list = []

    def compose(self) -> ComposeResult:
        yield AnnotatedTextView(self.text)

    def on_mount(self) -> None:
        self.query_one(AnnotatedTextView).focus()

    def on_annotated_text_view_selection_changed(self, message) -> None:
        self.messages.append(("sel", message.start, message.end))

    def on_annotated_text_view_cursor_moved(self, message) -> None:
        self.messages.append(("cur", message.offset))


def ann(start, end, label="salary", status="accepted", id="a", orphaned=False, text=""):
    return Annotation(id, "d", start, end, label, text, status=status, orphaned=orphaned)


# --- wrapping ------------------------------------------------------------------

hard_text = st.lists(
    st.sampled_from(list("ab cd  ef\t中文é") + ["e\u0301", "👨\u200d👩\u200d👧", "🇮🇹", "👍🏽", "\u0628\u064e", "\u200f", "x" * 7]),
    max_size=40,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(hard_text, st.integers(min_value=1, max_value=30))
def test_wrap_covers_line_on_grapheme_boundaries(line, width):
    rows = wrap_display_line(line, width)
    assert rows[0] == 0
    assert rows == sorted(set(rows))
    assert all(r < max(1, len(line)) or r == 0 for r in rows)
    bounds = boundaries(line)
    assert set(rows) <= bounds
    ends = rows[1:] + [len(line)]
    for a, b in zip(rows, ends):
        piece = line[a:b]
        graphemes = [m.group() for m in GRAPHEME.finditer(piece)]
        # a row is never wider than width (+1 for a hanging space) unless it is one grapheme
        if len(graphemes) > 1:
            assert cell_len(piece.replace("\t", " ")) <= width + 1 + 3 * piece.count("\t")


def test_wrap_prefers_spaces():
    rows = wrap_display_line("the quick brown fox jumps", 10)
    parts = [("the quick brown fox jumps")[a:b] for a, b in zip(rows, rows[1:] + [25])]
    assert parts == ["the quick ", "brown fox ", "jumps"]


def test_wrap_long_word_is_cut():
    assert wrap_display_line("abcdefghij", 4) == [0, 4, 8]


def test_wrap_cjk_counts_two_cells():
    assert wrap_display_line("中文中文中文", 4) == [0, 2, 4]


# --- rendering -------------------------------------------------------------------

HOSTILE = ("start \x1b[2J\x1b]52;c;SGVsbG8=\x07 end\x85x\u2028y\u2029z\x9b\x00\ttab\n[bold red]markup[/] [@click=app.quit]x[/]\n"
           "bidi \u202aa\u202bb\u202cc\u202dd\u202ee\u2066f\u2067g\u2068h\u2069 end\n")
BIDI_CONTROLS = {0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069}


async def test_rendered_strips_contain_no_control_characters():
    app = ViewApp(HOSTILE * 3)
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(AnnotatedTextView)
        view.set_spans([ann(2, 12, id="a"), ann(5, 20, "quote", id="b")])
        view.select(0, 30)
        await pilot.pause()
        text = ""
        for y in range(view.size.height):
            for seg in view.render_line(y):
                for ch in seg.text:
                    o = ord(ch)
                    assert not (o < 0x20 or 0x7F <= o <= 0x9F or o in (0x2028, 0x2029)), repr(seg.text)
                    assert o not in BIDI_CONTROLS, f"#13 item 4: a raw bidi control reached the terminal: {seg.text!r}"
                text += seg.text
        assert "␛[2J" in text
        assert "[bold red]markup[/]" in text  # shown literally
        assert "[@click=app.quit]" in text


async def test_tabs_expand_to_spaces():
    app = ViewApp("a\tb")
    async with app.run_test(size=(40, 5)):
        view = app.query_one(AnnotatedTextView)
        line = "".join(seg.text for seg in view.render_line(0))
        assert line[GUTTER:].startswith("a   b")


async def test_spans_overlaps_and_suggestions_have_distinct_styles():
    text = "alpha beta gamma delta epsilon zeta"
    app = ViewApp(text)
    async with app.run_test(size=(60, 5)) as pilot:
        view = app.query_one(AnnotatedTextView)
        view.set_spans([
            ann(0, 10, "salary", id="a"),
            ann(6, 16, "quote", id="b"),
            ann(17, 22, "claim", status="suggested", id="c"),
            ann(23, 30, "opinion", orphaned=True, id="d"),
        ])
        view.move_to(len(text))
        await pilot.pause()
        segs = list(view.render_line(0))
        assert segs[0].text.startswith("≡")  # overlap marker in the gutter

        def style_of(offset):
            col = GUTTER
            for seg in segs[1:]:
                if col - GUTTER <= offset < col - GUTTER + len(seg.text):
                    return seg.style
                col += len(seg.text)

        single, overlap, suggested, orphan = style_of(1), style_of(7), style_of(18), style_of(25)
        assert single.bgcolor is not None and not single.bold
        assert overlap.bold and overlap.underline and overlap.bgcolor != single.bgcolor
        assert suggested.italic and suggested.underline
        assert orphan.bgcolor == style_of(31).bgcolor  # orphans are not drawn


async def test_ten_thousand_spans_render():
    text = ("word " * 20 + "\n") * 2000
    app = ViewApp(text)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(AnnotatedTextView)
        view.set_spans([ann(i * 20, i * 20 + 9, id=str(i)) for i in range(10_000)])
        await pilot.press("pagedown", "pagedown")
        assert len(view.spans_in(0, 100)) == 5
        assert view.render_line(0)


# --- cursor and selection ----------------------------------------------------------

async def test_shift_arrows_select_and_escape_clears():
    app = ViewApp("hello world\nsecond line")
    async with app.run_test(size=(40, 6)) as pilot:
        view = app.query_one(AnnotatedTextView)
        await pilot.press("shift+right", "shift+right", "shift+right")
        assert view.selection == (0, 3)
        await pilot.press("ctrl+shift+right")
        assert view.selection == (0, 6)
        assert view.selected_text == "hello "
        await pilot.press("escape")
        assert view.selection is None
        await pilot.press("down", "end")
        assert view.cursor == len("hello world\nsecond line")
        await pilot.press("home")
        assert view.cursor == 12
        await pilot.press("ctrl+end", "ctrl+home")
        assert view.cursor == 0
        await pilot.pause()
        assert ("sel", 0, 6) in app.messages


async def test_up_down_keep_the_column_by_visual_row():
    app = ViewApp("abcdefgh\nab\nabcdefgh")
    async with app.run_test(size=(40, 6)) as pilot:
        view = app.query_one(AnnotatedTextView)
        await pilot.press("right", "right", "right", "right", "right", "down")
        assert view.cursor == 9 + 2  # end of the short line
        await pilot.press("down")
        assert view.cursor == 12 + 5  # back to column 5


async def test_mark_mode_word_snap_sentence_and_paragraph():
    text = "First sentence here. Second one follows!\n\nNext paragraph."
    app = ViewApp(text)
    async with app.run_test(size=(80, 8)) as pilot:
        view = app.query_one(AnnotatedTextView)
        await pilot.press("v", "right", "right")
        assert view.selection == (0, 2)
        await pilot.press("w")
        assert view.selection == (0, 5)
        await pilot.press("v", "w", "escape", "ctrl+right", "ctrl+right", "ctrl+right", "ctrl+right", "s")
        assert view.selected_text == "Second one follows!"
        await pilot.press("p")
        assert view.selected_text == "First sentence here. Second one follows!"


async def test_keyboard_selection_never_splits_graphemes():
    text = "a👨\u200d👩\u200d👧b🇮🇹ce\u0301\u0628\u064e\u0644\u064e\u062f\nx"
    app = ViewApp(text)
    async with app.run_test(size=(40, 6)) as pilot:
        view = app.query_one(AnnotatedTextView)
        ok = boundaries(text)
        for _ in range(len(text) + 2):
            await pilot.press("shift+right")
            assert view.cursor in ok
            s, e = view.selection
            assert s in ok and e in ok
        assert view.selected_text == text


async def test_mouse_drag_selects_on_grapheme_boundaries():
    text = "ab👨\u200d👩\u200d👧cd🇮🇹e\u0301fg 中文 end"
    app = ViewApp(text)
    async with app.run_test(size=(60, 6)) as pilot:
        view = app.query_one(AnnotatedTextView)
        # cells: a b [family 2] c d [flag 2] é f g ...
        await pilot.mouse_down(view, offset=(GUTTER + 1, 0))
        await pilot.hover(view, offset=(GUTTER + 3, 0))  # on the family emoji
        await pilot.mouse_up(view, offset=(GUTTER + 3, 0))
        assert view.selected_text == "b👨\u200d👩\u200d👧"
        await pilot.mouse_down(view, offset=(GUTTER + 4, 0))
        await pilot.hover(view, offset=(GUTTER + 8, 0))  # on é
        await pilot.mouse_up(view, offset=(GUTTER + 8, 0))
        assert view.selected_text == "cd🇮🇹e\u0301"
        await pilot.click(view, offset=(GUTTER + 2, 0))
        assert view.selection is None and view.cursor == 2


# --- search and scrolling ------------------------------------------------------------

async def test_search_matches_and_find():
    text = "One two. one TWO. ONE"
    app = ViewApp(text)
    async with app.run_test(size=(40, 5)):
        view = app.query_one(AnnotatedTextView)
        assert view.set_search("one") == 3
        assert view.set_search("ONE") == 1
        view.set_search("two")
        assert view.find_match(0) == (4, 7)
        assert view.find_match(5) == (13, 16)
        assert view.find_match(13, backwards=True) == (4, 7)
        assert view.find_match(0, backwards=True) == (13, 16)  # wraps around


async def test_big_document_pages_and_jumps_to_end():
    line = "lorem ipsum dolor sit amet " * 5 + "\n"
    text = line * 40_000  # ~5.4 MB
    app = ViewApp(text)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(AnnotatedTextView)
        view.load(text)
        assert len(view.wrapping.wraps) == 0  # load wraps nothing: only visible lines, then a background pass
        await pilot.press("pagedown", "pagedown")
        assert view.cursor > 0
        await pilot.press("ctrl+end")
        assert view.cursor == len(text)
        assert view.scroll_offset.y > 0
        await pilot.press("shift+up")
        assert view.selection is not None
        view.scroll_fraction = 0.5
        assert abs(view.scroll_fraction - 0.5) < 0.01


async def test_one_megabyte_line_without_newline():
    text = ("perché la città è così bella, 中文 " * 30_000)[:1_000_000]
    app = ViewApp(text)
    async with app.run_test(size=(80, 24)) as pilot:
        view = app.query_one(AnnotatedTextView)
        await pilot.press("pagedown", "ctrl+end", "shift+left", "shift+left")
        assert view.cursor == len(text) - 2
        assert view.selected_text == text[-2:]
        view.scroll_fraction = 0.5
        await pilot.pause()
        assert 0.4 < view.scroll_fraction < 0.6


def test_simple_scripts_take_the_fast_path_and_agree_with_the_slow_one():
    line = "نشرت منصة خدمات البث “نتفليكس” إعلانا perché città " * 5
    fast = wrap_display_line(line, 17)
    slow_line = line + "\u0301"  # one combining mark forces the grapheme path
    slow = wrap_display_line(slow_line, 17)
    assert is_simple(line) and not is_simple(slow_line)
    assert fast == slow[: len(fast)]


async def test_background_wrapping_makes_the_height_exact_without_moving_the_text():
    line = "lorem ipsum dolor sit amet " * 5 + "\n"
    text = line * 3000
    app = ViewApp(text)
    async with app.run_test(size=(60, 20)) as pilot:
        view = app.query_one(AnnotatedTextView)
        view.move_to(len(text) // 2)
        view.scroll_to_offset(view.cursor, top=True)
        top = view.top_offset
        for _ in range(400):
            if view.height_is_exact:
                break
            await pilot.pause(0.05)
        assert view.height_is_exact
        from reader.tui.widgets.textview import wrap_display_line

        rows_per_line = len(wrap_display_line(line[:-1], view.wrapping.width))
        assert view.virtual_size.height == rows_per_line * 3000 + 1
        assert view.top_offset == top


# --- repainting only what changed --------------------------------------------------

def _shown(view: AnnotatedTextView) -> list[str]:
    """What each row on screen shows, styles included (``render_line`` of every visible row)."""
    return [repr(list(view.render_line(y))) for y in range(view.scrollable_content_region.height)]


def _spy(view: AnnotatedTextView, monkeypatch) -> list[tuple]:
    """Every ``refresh`` the view asks Textual for: its regions (none: the whole view)."""
    asked: list[tuple] = []
    real = view.refresh

    def refresh(*regions, **kwargs):  # noqa: ANN002, ANN003 - the same arguments
        asked.append(regions)
        return real(*regions, **kwargs)

    monkeypatch.setattr(view, "refresh", refresh)
    return asked


def _rows_asked(asked: list[tuple]) -> set[int] | None:
    """The rows on screen the refreshes cover; None when one asked for the whole view."""
    rows: set[int] = set()
    for regions in asked:
        if not regions:
            return None
        for r in regions:
            rows.update(range(r.y, r.y + r.height))
    return rows


async def test_a_change_repaints_the_rows_it_changed_and_only_those(monkeypatch):
    """A span tagged, removed, a selection made, moved by keys and cleared: every row on screen whose
    drawing changed is repainted, and nothing else (Textual composes each repainted row again, segment
    by segment: a tag in a document dense with spans repainted a whole screen of such rows, bench_edit)."""
    import random

    text = "".join(f"line {i:03d} pays 900,000 dollars a year to the new manager\n" for i in range(80))
    app = ViewApp(text)
    async with app.run_test(size=(90, 22)) as pilot:
        view = app.query_one(AnnotatedTextView)
        for _ in range(200):
            if view.height_is_exact:
                break
            await pilot.pause(0.02)
        assert view.height_is_exact
        view.set_spans([ann(i * 60 + 14, i * 60 + 21, id=f"s{i}") for i in range(0, 80, 2)])
        await pilot.pause()
        rng = random.Random(7)
        added: list[Annotation] = []
        steps = ["tag", "untag", "select", "keys", "clear"] * 6
        rng.shuffle(steps)
        checked = 0
        for k, step in enumerate(steps):
            before, top = _shown(view), view.scroll_offset.y
            asked = _spy(view, monkeypatch)
            line = rng.randrange(0, 16)  # on screen
            if step == "tag":
                a = ann(line * 60 + 5, line * 60 + 8, label="claim", id=f"t{k}")
                added.append(a)
                view.update_spans([], [a])
            elif step == "untag" and added:
                view.update_spans([added.pop(rng.randrange(len(added)))], [])
            elif step == "select":
                view.select(line * 60 + 2, line * 60 + rng.randrange(10, 120))
            elif step == "keys":
                await pilot.press("shift+right", "shift+down")
            else:
                view.clear_selection()
            rows = _rows_asked(asked)
            monkeypatch.undo()
            await pilot.pause()
            if view.scroll_offset.y != top:  # the cursor left the screen: a scroll repaints it all
                continue
            changed = {y for y, (a, b) in enumerate(zip(before, _shown(view), strict=True)) if a != b}
            assert rows is not None, f"{step}: the whole view was repainted"
            assert changed <= rows, f"{step}: rows {sorted(changed - rows)} changed and were not repainted"
            if step != "select":  # (a new selection repaints every row from the old one's to its own)
                assert len(rows) <= 6, f"{step}: {len(rows)} rows repainted"
            checked += 1
        assert checked >= 20


async def test_a_change_while_the_rows_are_still_estimated_repaints_the_whole_view(monkeypatch):
    """Before the lazy wrap has reached every line, a row's number may still change: the whole view is
    repainted, as before."""
    line = "lorem ipsum dolor sit amet " * 5 + "\n"
    text = line * 3000
    app = ViewApp(text)
    async with app.run_test(size=(60, 20)):
        view = app.query_one(AnnotatedTextView)
        assert not view.height_is_exact
        asked = _spy(view, monkeypatch)
        view.update_spans([], [ann(3, 8)])
        assert _rows_asked(asked) is None
