"""The reading screen through real keys (issues #8 and #9): each test presses keys, then checks the store or the screen."""
from __future__ import annotations

from reader.corpus import load_corpus
from reader.store import AnnotationStore
from reader.tui import ReaderApp
from reader.tui.widgets.pane import DocumentPane
from reader.tui.widgets.paneheader import PaneHeader
from reader.tui.widgets.textview import AnnotatedTextView

from textual.widgets import Static

from tui_helpers import SIZE, copy_seeds, messages, run_test, settle

EN = "001_228d26dd8dd40e62"


async def until(pilot, condition, seconds: float = 20.0) -> bool:
    """Poll (the machine may be loaded)."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return True
        await pilot.pause(0.05)
    return condition()


async def open_doc(tmp_path, pilot, app, doc_id=EN, size=SIZE):
    await settle(app, pilot)
    app.open_document(doc_id)
    assert await until(pilot, lambda: isinstance(app.screen.focused, AnnotatedTextView))
    pane = app.screen.query_one(DocumentPane)
    return pane, pane.view


def make_app(tmp_path):
    return ReaderApp(copy_seeds(tmp_path), tmp_path / "annotations", signals=False)


def fresh_lang(tmp_path, doc_id):
    """The language `reader export` would write: a fresh corpus with the store's overrides."""
    with AnnotationStore(tmp_path / "annotations", readonly=True) as store:
        corpus = load_corpus(tmp_path / "seeds", store=store, detect=True)
        return corpus.get(doc_id).lang


async def test_language_key_takes_one_path_with_the_library_and_export(tmp_path):
    app = make_app(tmp_path)
    async with run_test(app, size=SIZE) as pilot:
        pane, view = await open_doc(tmp_path, pilot, app)
        doc = app.corpus.get(EN)
        detected = doc.lang
        before = [p.lang for p in doc.paragraphs]
        await pilot.press("L")
        assert await until(pilot, lambda: type(app.screen).__name__ == "LanguageDialog")
        await pilot.press("e", "s", "enter")
        assert await until(pilot, lambda: doc.lang == "es")
        # the paragraphs that had the document's language follow the override
        assert [p.lang for p in doc.paragraphs] == ["es" if lang == detected else lang for lang in before]
        header = app.screen.query_one(PaneHeader)
        assert header.lang == "es"
        assert "¶ es" in str(app.screen.query_one(".pane-position").render())
        await pilot.press("L")
        assert await until(pilot, lambda: type(app.screen).__name__ == "LanguageDialog")
        await pilot.press("enter")  # empty + enter clears the override
        assert await until(pilot, lambda: doc.lang == detected)
        assert header.lang == detected and app.store.language_overrides() == {}
        await pilot.press("q")
        assert await until(pilot, lambda: type(app.screen).__name__ == "LibraryScreen")
        assert app.corpus.get(EN).lang == detected  # what the library and an in-app export read
    assert fresh_lang(tmp_path, EN) == detected  # what `reader export` writes


def screen_text(app) -> str:
    return " ".join(str(w.render()) for w in app.screen.query(Static))


def tagged(app, doc_id=EN):
    return [(a.label, a.text) for a in app.store.for_document(doc_id)]


async def test_p_on_a_blank_line_selects_the_next_paragraph_and_says_so(tmp_path):
    """#9 defect 1: p on the blank line before "In short…" saved one span over two paragraphs."""
    app = make_app(tmp_path)
    async with run_test(app, size=SIZE) as pilot:
        pane, view = await open_doc(tmp_path, pilot, app)
        text = view.text
        blank = text.index("In short") - 1
        assert text[blank - 1 : blank + 1] == "\n\n"
        view.move_to(blank)
        await pilot.press("p", "4")
        assert await until(pilot, lambda: app.store.for_document(EN))
        [(label, span)] = tagged(app)
        assert label == "opinion" and span.startswith("In short") and "\n\n" not in span
        assert any("Blank line: selected the next paragraph" in m for m in messages(app))
        # inside a paragraph, p still selects exactly that paragraph
        view.move_to(text.index("Midjourney"))
        await pilot.press("p")
        start, end = view.selection
        assert text[start:end].startswith("As far as images") and "\n\n" not in text[start:end]


async def test_s_keeps_a_mid_sentence_ellipsis_inside_the_sentence(tmp_path):
    """#9 defect 2: "but also his… young age" is one sentence (pysbd, the paragraph's language)."""
    app = make_app(tmp_path)
    async with run_test(app, size=SIZE) as pilot:
        pane, view = await open_doc(tmp_path, pilot, app)
        view.move_to(view.text.index("Day after day") + 4)
        await pilot.press("s", "4")
        assert await until(pilot, lambda: app.store.for_document(EN))
        [(label, span)] = tagged(app)
        assert span.startswith("Day after day") and span.endswith("mistakes and gaffes.")
        assert "his… young age" in span


async def test_reading_footer_at_100_columns_shows_the_label_keys_and_help(tmp_path):
    """#9 friction 1."""
    from reader.tui.widgets.keybar import KeyBar

    app = make_app(tmp_path)
    async with run_test(app, size=(100, 36)) as pilot:
        pane, view = await open_doc(tmp_path, pilot, app)
        bar = app.screen.query_one(KeyBar)
        shown = str(bar.render())[:100]
        for label in app.labels:
            assert f" {label.key} {label.name} " in shown
        assert " ? help " in shown and " q back " in shown


async def test_n_is_next_match_only_during_a_search_and_c_is_the_note(tmp_path):
    """#9 friction 2: after search-then-tag, the note key opens the note editor."""
    app = make_app(tmp_path)
    async with run_test(app, size=SIZE) as pilot:
        pane, view = await open_doc(tmp_path, pilot, app)
        await pilot.press("slash", *"Netflix", "enter")
        assert await until(pilot, lambda: view.selection is not None)
        first = view.selection
        await pilot.press("n")
        assert view.selection[0] > first[0]
        await pilot.press("3")  # tag the match
        assert await until(pilot, lambda: app.store.for_document(EN))
        await pilot.press("left", "c")
        assert await until(pilot, lambda: type(app.screen).__name__ == "NoteDialog")
        await pilot.press("escape")
        assert await until(pilot, lambda: type(app.screen).__name__ == "ReadingScreen")
        for _ in range(4):  # escape: end the search, then nothing; never back to the library
            await pilot.press("escape")
        assert type(app.screen).__name__ == "ReadingScreen" and not pane.search_active
        cursor = view.cursor
        await pilot.press("n")
        assert view.cursor == cursor


async def test_search_counts_highlights_while_typing_and_says_when_it_wraps(tmp_path):
    """#9 friction 3."""
    app = make_app(tmp_path)
    async with run_test(app, size=SIZE) as pilot:
        pane, view = await open_doc(tmp_path, pilot, app)
        total = view.text.count("Netflix")
        await pilot.press("slash", *"Netflix")
        assert await until(pilot, lambda: len(view.matches) == total)  # highlighted before enter
        await pilot.press("enter")
        assert await until(pilot, lambda: f"match 1/{total}" in screen_text(app))
        await pilot.press(*["n"] * (total - 1))
        assert await until(pilot, lambda: f"match {total}/{total}" in screen_text(app))
        await pilot.press("n")
        assert await until(pilot, lambda: f"match 1/{total}" in screen_text(app) and "wrapped" in screen_text(app))


async def test_side_panel_heading_empty_state_and_filters(tmp_path):
    """#9 friction 4."""
    app = make_app(tmp_path)
    async with run_test(app, size=SIZE) as pilot:
        pane, view = await open_doc(tmp_path, pilot, app)
        assert "no annotations yet — select text and press 1–4" in screen_text(app)
        view.move_to(view.text.index("Midjourney"))
        await pilot.press("shift+ctrl+right", "2")
        view.move_to(view.text.index("Netflix"))
        await pilot.press("shift+ctrl+right", "3")
        assert await until(pilot, lambda: len(app.store.for_document(EN)) == 2)
        panel = pane.panel
        assert "quote 1" in screen_text(app) and "claim 1" in screen_text(app)
        panel.ann_list.focus()
        await pilot.press("f")  # first label: salary -> nothing matches
        assert panel.ann_list.row_count == 0 and "no annotation matches the filter" in screen_text(app)
        await pilot.press("f")  # quote
        assert panel.ann_list.row_count == 1 and "label:quote" in screen_text(app)
        await pilot.press("f", "f", "f", "F")  # all labels, status accepted
        assert panel.ann_list.row_count == 2 and "status:accepted" in screen_text(app)


async def test_position_indicator_shows_line_offset_percentage_and_language(tmp_path):
    """#9 friction 5."""
    app = make_app(tmp_path)
    async with run_test(app, size=SIZE) as pilot:
        pane, view = await open_doc(tmp_path, pilot, app)
        await pilot.press("ctrl+end")
        n = len(view.text)
        assert await until(pilot, lambda: f"ln {view.line_count}/{view.line_count} · {n} · 100% · ¶ en" in screen_text(app))


async def test_next_annotation_is_centred(tmp_path):
    """#9 friction 6: ] puts the target mid-view, with context above it."""
    app = make_app(tmp_path)
    async with run_test(app, size=SIZE) as pilot:
        pane, view = await open_doc(tmp_path, pilot, app)
        i = view.text.rindex("Netflix")
        app.store.add(EN, i, i + 7, "claim")
        pane.reload_annotations()
        await pilot.press("right_square_bracket")
        assert await until(pilot, lambda: view.cursor == i)
        row = view.row_of_offset(i) - int(view.scroll_offset.y)
        height = view.scrollable_content_region.height
        assert abs(row - (height - 1) // 2) <= 1 or int(view.scroll_offset.y) == int(view.max_scroll_y)


async def test_accept_all_confirm_lists_counts_per_label(tmp_path):
    """#9 friction 8."""
    app = make_app(tmp_path)
    async with run_test(app, size=SIZE) as pilot:
        pane, view = await open_doc(tmp_path, pilot, app)
        text = view.text
        for needle, label in (("Midjourney", "quote"), ("Netflix", "claim"), ("Bruce Willis", "quote")):
            i = text.index(needle)
            app.store.add(EN, i, i + len(needle), label, status="suggested", source="test")
        pane.reload_annotations()
        await pilot.press("A")
        assert await until(pilot, lambda: type(app.screen).__name__ == "ConfirmDialog")
        assert "Accept all 3 suggestions in this document (2 quote, 1 claim)?" in screen_text(app)  # issue 22: not "3 salary?"
        await pilot.press("y")
        assert await until(pilot, lambda: {a.status for a in app.store.for_document(EN)} == {"accepted"})

