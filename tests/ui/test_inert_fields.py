"""Every editable field shows control characters inert (issue #13, item 1): the note
dialog, the language dialog, the library filter, the export path and the search.
What the widget draws is checked (its rendered line), and the raw value is kept."""
from __future__ import annotations

import json

from textual.widgets import Input, TextArea

from reader.cli import main
from reader.store import AnnotationStore
from reader.tui import ReaderApp
from reader.tui.dialogs import ExportDialog, LanguageDialog, NoteDialog
from reader.tui.widgets.inert import InertInput
from reader.tui.widgets.inert_area import InertTextArea

from tui_helpers import SIZE, copy_seeds, run_test, settle


async def until(pilot, condition, timeout: float = 30.0) -> None:
    """Poll (under load a fixed pause is not enough) until ``condition()`` holds."""
    import asyncio
    import time

    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        await pilot.pause(0.02)
    await asyncio.sleep(0)

ENGLISH = "001_228d26dd8dd40e62"
NOTE = "\x1b]52;c;UFdORUQ=\x1b\\ \x1b]0;NOTETITLE\x1b\\ \x1b[2J \u202eevil \x9b2J"
RAW = ("\x1b", "\x9b", "\u202e", "\x07")


def drawn(widget, rows: int = 1) -> str:
    return "".join(seg.text for y in range(rows) for seg in widget.render_line(y))


def assert_inert(text: str) -> None:
    assert not any(ch in text for ch in RAW), repr(text)


async def test_note_from_an_import_is_shown_inert_and_kept_raw(tmp_path, capsys):
    corpus = copy_seeds(tmp_path)
    store = tmp_path / "store"
    from reader.corpus import load_corpus

    doc = load_corpus(corpus, detect=False).get(ENGLISH)
    record = {"id": ENGLISH, "text": doc.text, "spans": [{"start": 0, "end": 5, "label": "claim", "note": NOTE}]}
    data = tmp_path / "in.jsonl"
    data.write_text(json.dumps(record) + "\n", encoding="utf-8")
    assert main(["import", str(corpus), str(data), "--store", str(store)]) == 0, capsys.readouterr()
    app = ReaderApp(corpus, store, detect=False)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_document(ENGLISH, 0)
        await until(pilot, lambda: app.screen.query("AnnotatedTextView"))
        await pilot.press("right_square_bracket", "c")  # next annotation, its note
        await until(pilot, lambda: isinstance(app.screen, NoteDialog))
        assert isinstance(app.screen, NoteDialog)
        area = app.screen.query_one("#note-text", TextArea)
        assert isinstance(area, InertTextArea)
        shown = drawn(area, 3)
        assert_inert(shown)
        assert "␛]52;c;UFdORUQ=" in shown and "⇤evil" in shown
        assert area.text == NOTE  # the raw value is kept
        await pilot.press("ctrl+s")  # saved unchanged: still the raw note
        await pilot.pause()
    with AnnotationStore(store, readonly=True) as s:
        (ann,) = s.all()
        assert ann.note == NOTE


async def test_inputs_draw_control_characters_inert(tmp_path):
    corpus = copy_seeds(tmp_path)
    app = ReaderApp(corpus, tmp_path / "store", detect=False)
    hostile = "a\x1b]2;TITLE\x1b\\b\u202ec\x9b"
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        # the library filter (the `l` key puts a document's language there)
        flt = app.screen.query_one("#filter", Input)
        assert isinstance(flt, InertInput)
        flt.display = True
        flt.value = hostile
        await pilot.pause()
        assert_inert(drawn(flt))
        assert flt.value == hostile
        # the language dialog and the export path
        for dialog, selector in ((LanguageDialog(), "#language-input"), (ExportDialog(), "#export-path")):
            app.push_screen(dialog)
            await pilot.pause()
            field = app.screen.query_one(selector, Input)
            assert isinstance(field, InertInput)
            field.value = hostile
            field.focus()
            await pilot.pause()
            assert_inert(drawn(field))
            await pilot.press("escape")
            await pilot.pause()
        # the search field of the reading screen, with a pasted sequence
        app.open_document(ENGLISH, 0)
        await until(pilot, lambda: app.screen.query("AnnotatedTextView"))
        await pilot.press("slash")
        await until(pilot, lambda: isinstance(app.screen.focused, InertInput))
        search = app.screen.focused
        assert isinstance(search, InertInput)
        search.insert_text_at_cursor(hostile)
        await pilot.pause()
        assert_inert(drawn(search))
