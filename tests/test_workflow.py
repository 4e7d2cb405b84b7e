"""Issue 22, the annotator's workflow: each defect through the real keys (Pilot), then the store or the screen."""
from __future__ import annotations

from reader.tui.screens.reading import ReadingScreen
from reader.tui.widgets.pane import DocumentPane
from reader.tui.widgets.textview import AnnotatedTextView
from tests.reading_harness import HostApp, copy_seeds
from tui_helpers import messages, run_test

EN = "001_228d26dd8dd40e62"


def reading_app(tmp_path, doc_id=EN):
    return HostApp(copy_seeds(tmp_path), tmp_path / "annotations", lambda: ReadingScreen(doc_id))


def status_text(app) -> str:
    return str(app.screen.query_one(".pane-status").render())


async def test_number_key_without_selection_relabels_only_the_span_the_cursor_is_in(tmp_path):
    app = reading_app(tmp_path)
    async with run_test(app, size=(120, 36)) as pilot:
        view = app.screen.query_one(AnnotatedTextView)
        await pilot.press("ctrl+right", "ctrl+shift+right", "4")  # opinion
        await pilot.pause()
        [a] = app.store.for_document(EN)
        assert a.label == "opinion"
        # the cursor just past the span (where a selection ends), then escape: "1" must not touch it
        view.move_to(a.end)
        await pilot.press("escape", "1")
        await pilot.pause()
        assert [(x.id, x.label) for x in app.store.for_document(EN)] == [(a.id, "opinion")]
        assert any("Nothing selected" in m for m in messages(app))
        # inside the span: re-labelled, and the user is told what changed and how to undo it
        view.move_to(a.start + 1)
        await pilot.press("1")
        await pilot.pause()
        [b] = app.store.for_document(EN)
        assert (b.id, b.label) == (a.id, "salary")
        said = [m for m in messages(app) if "re-labelled" in m]
        assert said and "opinion" in said[-1] and "salary" in said[-1] and "ctrl+z" in said[-1]
        assert "ctrl+z" in status_text(app)
        await pilot.press("ctrl+z")
        await pilot.pause()
        [c] = app.store.for_document(EN)
        assert c.label == "opinion"


async def test_a_word_selection_is_saved_without_its_trailing_space(tmp_path):
    app = reading_app(tmp_path)
    async with run_test(app, size=(120, 36)) as pilot:
        view = app.screen.query_one(AnnotatedTextView)
        await pilot.press("ctrl+right", "ctrl+shift+right")
        sel = view.selection
        assert sel is not None and view.text[sel[0]:sel[1]].endswith(" ")  # the word and its space are selected
        await pilot.press("2")
        await pilot.pause()
        [a] = app.store.for_document(EN)
        assert a.text == view.text[a.start:a.end] == view.text[sel[0]:sel[1]].strip()
        assert (a.start, a.end) == (sel[0], sel[1] - 1)
        # a selection of white space only is refused, never saved
        view.move_to(a.end)
        await pilot.press("shift+right", "3")
        await pilot.pause()
        assert len(app.store.for_document(EN)) == 1
        assert any("only white space" in m for m in messages(app))
