"""Reading-screen flows through the Pilot: press real keys, then check the store."""
from __future__ import annotations

import os

import pytest
import regex

from reader.errors import StoreWriteError
from reader.tui.widgets.annlist import AnnotationList
from reader.tui.widgets.pane import DocumentPane
from reader.tui.screens.reading import ReadingScreen
from reader.tui.widgets.textview import GUTTER, AnnotatedTextView
from tests.reading_harness import HostApp, copy_seeds
from tui_helpers import notifications, run_test

EN = "001_228d26dd8dd40e62"
AR = "003_744b85a45d014b40"
GRAPHEME = regex.compile(r"\X")

HARD = (
    "Family 👨\u200d👩\u200d👧 and flag 🇮🇹 here.\n"
    "Cafe\u0301 na\u0308ive with marks.\n"
    "\u0645\u064e\u0631\u0652\u062d\u064e\u0628\u064b\u0627 \u200fRLM\u200e text.\n"
)


def boundaries(text: str) -> set[int]:
    return {0, len(text)} | {m.end() for m in GRAPHEME.finditer(text)}


def make_app(tmp_path, doc_id=EN, extra: dict[str, str] | None = None):
    seeds = copy_seeds(tmp_path)
    for name, body in (extra or {}).items():
        (seeds / name).write_text(body, encoding="utf-8")
    app = HostApp(seeds, tmp_path / "annotations", lambda: ReadingScreen(doc_id))
    return app


def anns(app, doc_id=EN):
    return app.store.for_document(doc_id)


def status_text(app) -> str:
    return str(app.screen.query_one(".pane-status").render())


def check_span(app, a):
    doc = app.corpus.get(a.doc_id)
    assert doc.text[a.start : a.end] == a.text
    ok = boundaries(doc.text)
    assert a.start in ok and a.end in ok


async def test_select_with_shift_arrows_and_tag(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        assert isinstance(app.focused, AnnotatedTextView)
        await pilot.press("ctrl+right", "shift+right", "shift+right", "shift+right", "ctrl+shift+right", "1")
        await pilot.pause()
        [a] = anns(app)
        assert a.label == "salary"
        check_span(app, a)
        assert status_text(app).startswith(f"saved salary {a.start}–{a.end}")
        table = app.screen.query_one(AnnotationList)
        assert table.row_count == 1


async def test_search_tag_undo_redo(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("slash", *"$300,000 to $900,000", "enter", "1")
        await pilot.pause()
        [a] = anns(app)
        assert (a.label, a.text) == ("salary", "$300,000 to $900,000")
        check_span(app, a)
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert anns(app) == []
        await pilot.press("ctrl+y")
        await pilot.pause()
        [b] = anns(app)
        assert (b.label, b.text) == ("salary", "$300,000 to $900,000")


async def test_search_n_and_N_move_between_matches(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        view = app.screen.query_one(AnnotatedTextView)
        await pilot.press("slash", *"the", "enter")
        first = view.selection
        await pilot.press("n")
        second = view.selection
        assert second[0] > first[0]
        await pilot.press("N")
        assert view.selection == first
        # escape clears the selection, then ends the search; n does nothing then (the note key is c)
        await pilot.press("escape", "escape")
        assert not app.screen.query_one(DocumentPane).search_active
        assert isinstance(app.screen, ReadingScreen)
        before = view.cursor
        await pilot.press("n", "escape", "escape")
        assert view.cursor == before and isinstance(app.screen, ReadingScreen)  # escape never leaves the screen


async def test_relabel_and_delete(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        view = app.screen.query_one(AnnotatedTextView)
        await pilot.press("ctrl+right", "shift+ctrl+right", "ctrl+shift+right", "3")
        await pilot.pause()
        [a] = anns(app)
        assert a.label == "claim"
        view.move_to(a.start + 1)
        await pilot.press("2")
        await pilot.pause()
        [b] = anns(app)
        assert (b.id, b.label) == (a.id, "quote")
        await pilot.press("x")
        await pilot.pause()
        assert anns(app) == []
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert [x.label for x in anns(app)] == ["quote"]


async def test_note_then_delete_asks_first(tmp_path):
    app = make_app(tmp_path)
    note = "[bold red]loud[/] [@click=app.quit]x[/] \x1b[2J"
    async with app.run_test(size=(120, 36)) as pilot:
        view = app.screen.query_one(AnnotatedTextView)
        await pilot.press("ctrl+right", "shift+ctrl+right", "4")
        await pilot.pause()
        [a] = anns(app)
        view.move_to(a.start)
        await pilot.press("c")
        await pilot.pause()
        assert type(app.screen).__name__ == "NoteDialog"
        from textual.widgets import TextArea

        app.screen.query_one(TextArea).text = note
        await pilot.press("ctrl+s")
        await pilot.pause()
        [b] = anns(app)
        assert b.note == note
        # the note is shown literally in the list, never as markup or raw escapes
        table = app.screen.query_one(AnnotationList)
        row = table.row_text(0)
        assert "[bold red]loud[/]" in row and "\x1b" not in row
        assert "".join(seg.text for seg in table.render_line(0)).find("[bold red]") >= 0
        await pilot.press("delete")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmDialog"
        await pilot.press("escape")
        await pilot.pause()
        assert len(anns(app)) == 1
        await pilot.press("x")
        await pilot.pause()
        app.screen.dismiss(True)
        await pilot.pause()
        assert anns(app) == []
        assert app.is_running


async def test_tag_in_arabic_seed(tmp_path):
    app = make_app(tmp_path, AR)
    async with app.run_test(size=(120, 36)) as pilot:
        header = str(app.screen.query_one(".pane-header").render())
        await pilot.press("down", "down", "shift+ctrl+right", "shift+ctrl+right", "2")
        await pilot.pause()
        [a] = anns(app, AR)
        check_span(app, a)
        assert a.label == "quote"
        assert any("\u0600" <= ch <= "\u06ff" for ch in a.text)
        doc = app.corpus.get(AR)
        if doc.lang == "ar":
            assert "RTL" in header


@pytest.mark.parametrize("how", ["keyboard", "mouse"])
async def test_tag_emoji_and_combining_marks(tmp_path, how):
    app = make_app(tmp_path, "zz_hard", {"zz_hard.txt": HARD})
    async with app.run_test(size=(120, 36)) as pilot:
        view = app.screen.query_one(AnnotatedTextView)
        text = view.text
        fam = text.index("👨")
        if how == "keyboard":
            view.move_to(fam - 1)
            for _ in range(3):  # space, family (one grapheme), space
                await pilot.press("shift+right")
            await pilot.press("1")
        else:
            # cells on row 0: "Family " is 7 cells, the family emoji is 2 cells
            await pilot.mouse_down(view, offset=(GUTTER + 3, 0))
            await pilot.hover(view, offset=(GUTTER + 8, 0))  # second cell of the family
            await pilot.mouse_up(view, offset=(GUTTER + 8, 0))
            await pilot.press("1")
        await pilot.pause()
        [a] = anns(app, "zz_hard")
        check_span(app, a)
        assert "👨\u200d👩\u200d👧" in a.text
        # combining marks and the flag
        start = text.index("Cafe")
        view.move_to(start)
        for _ in range(4):
            await pilot.press("shift+right")
        await pilot.press("2")
        await pilot.pause()
        quote = [x for x in anns(app, "zz_hard") if x.label == "quote"][0]
        assert quote.text == "Cafe\u0301"
        flag = text.index("🇮🇹")
        view.move_to(flag)
        await pilot.press("shift+right", "3")
        await pilot.pause()
        claim = [x for x in anns(app, "zz_hard") if x.label == "claim"][0]
        assert claim.text == "🇮🇹"
        arabic = text.index("\u0645")
        view.move_to(arabic)
        await pilot.press("shift+right", "4")
        await pilot.pause()
        op = [x for x in anns(app, "zz_hard") if x.label == "opinion"][0]
        assert op.text == "\u0645\u064e"
        for x in anns(app, "zz_hard"):
            check_span(app, x)


async def test_suggestions_jump_accept_reject_accept_all(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        doc = app.corpus.get(EN)
        s = doc.text.index("$300,000")
        app.store.add(EN, s, s + 8, "salary", status="suggested", source="suggest:salary")
        app.store.add(EN, s + 12, s + 20, "salary", status="suggested", source="suggest:salary")
        q = doc.text.index("receives")
        app.store.add(EN, q, q + 8, "quote", status="suggested", source="suggest:quote")
        app.store.add(EN, 1, 3, "claim")
        pane = app.screen.query_one(DocumentPane)
        pane.reload_annotations()
        view = pane.view
        await pilot.press("t", "right_square_bracket")
        assert view.cursor == s
        await pilot.press("a")
        await pilot.pause()
        statuses = {(x.start, x.status) for x in anns(app)}
        assert (s, "accepted") in statuses
        await pilot.press("right_square_bracket", "r")
        await pilot.pause()
        assert all(x.start != s + 12 for x in anns(app))
        assert (s + 12, s + 20, "salary") in {k[-3:] for k in app.store.rejected_keys(EN)}
        await pilot.press("A")
        await pilot.pause()
        assert type(app.screen).__name__ == "ConfirmDialog"
        app.screen.dismiss(True)
        await pilot.pause()
        assert {x.status for x in anns(app)} == {"accepted"}


async def test_copy_selection_and_annotation(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        view = app.screen.query_one(AnnotatedTextView)
        await pilot.press("ctrl+right", "shift+ctrl+right", "y")
        assert app.copied[-1] == (view.selected_text, "selection")
        await pilot.press("1", "left", "y")
        await pilot.pause()
        [a] = anns(app)
        assert app.copied[-1] == (a.text, "salary annotation")


async def test_side_panel_row_moves_to_span_and_hides(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        doc = app.corpus.get(EN)
        s = doc.text.index("$300,000")
        app.store.add(EN, s, s + 8, "salary")
        pane = app.screen.query_one(DocumentPane)
        pane.reload_annotations()
        table = pane.query_one(AnnotationList)
        table.focus()
        await pilot.press("enter")
        await pilot.pause()
        assert pane.view.cursor == s and pane.view.has_focus
        await pilot.press("h")
        assert not pane.panel.display


async def test_unsaved_status_and_retry(tmp_path, monkeypatch):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        store = app.store
        real_add = store.add

        def failing_add(*args, **kwargs):
            raise StoreWriteError(store.path, "No space left on device", 1)

        monkeypatch.setattr(store, "add", failing_add)
        await pilot.press("ctrl+right", "shift+ctrl+right", "1")  # a word (the text starts with a space)
        await pilot.pause()
        assert "UNSAVED" in status_text(app)
        monkeypatch.setattr(store, "add", real_add)
        await pilot.press("1")
        await pilot.pause()
        assert "saved salary" in status_text(app)


async def test_markup_and_escapes_in_a_document_are_inert(tmp_path):
    body = "[bold red]Title[/] [@click=app.quit]click[/]\n\nText \x1b]52;c;SGk=\x07 and \x1b[2J [link=http://x]l[/link].\n"
    app = make_app(tmp_path, "zz_evil", {"zz_evil.txt": body})
    async with app.run_test(size=(120, 36)) as pilot:
        header = str(app.screen.query_one(".pane-header").render())
        assert "[bold red]Title[/]" in header
        view = app.screen.query_one(AnnotatedTextView)
        await pilot.press("shift+end", "1")
        await pilot.pause()
        rendered = "".join(seg.text for y in range(6) for seg in view.render_line(y))
        assert "\x1b" not in rendered and "\x07" not in rendered
        assert "[@click=app.quit]click[/]" in rendered
        assert app.is_running
        table = app.screen.query_one(AnnotationList)
        assert "[bold red]" in table.row_text(0)


async def test_document_edited_while_open_reanchors_and_orphans(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        doc = app.corpus.get(EN)
        text = doc.text
        s = text.index("$300,000 to $900,000")
        app.store.add(EN, s, s + 20, "salary")
        w = text.index("Salaries")
        app.store.add(EN, w, w + 8, "claim")
        pane = app.screen.query_one(DocumentPane)
        pane.reload_annotations()
        edited = "NEW FIRST LINE\n" + text.replace("Salaries", "Wages")
        doc.path.write_text(edited, encoding="utf-8")
        os.utime(doc.path, ns=(1, 1))
        pane.check_file()
        await pilot.pause()
        assert pane.view.text == edited
        by_label = {a.label: a for a in anns(app)}
        assert edited[by_label["salary"].start : by_label["salary"].end] == "$300,000 to $900,000"
        assert by_label["claim"].orphaned
        table = pane.query_one(AnnotationList)
        assert any("orphaned" in table.row_text(i) for i in range(table.row_count))
        assert "orphaned" in str(pane.query_one(".pane-header").render())


async def test_document_deleted_while_open(tmp_path):
    app = make_app(tmp_path)
    async with run_test(app, size=(120, 36)) as pilot:
        pane = app.screen.query_one(DocumentPane)
        doc = app.corpus.get(EN)
        doc.path.unlink()
        pane.check_file()
        await pilot.pause()
        assert "FILE GONE" in str(pane.query_one(".pane-header").render())
        assert any("deleted" in n.message for n in notifications(app))
        # the text stays and tagging still works
        await pilot.press("ctrl+right", "shift+ctrl+right", "1")
        await pilot.pause()
        assert len(anns(app)) == 1
        assert app.is_running


async def test_back_remembers_position(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("pagedown", "down")
        cursor = app.screen.query_one(AnnotatedTextView).cursor
        await pilot.press("q")
        await pilot.pause()
        assert app.position == (EN, cursor)


# --- the same flows through the real app shell -------------------------------------

async def test_reader_app_library_enter_tag_undo_and_compare(tmp_path):
    from reader.tui import ReaderApp
    from reader.tui.screens.compare import CompareScreen

    seeds = copy_seeds(tmp_path)
    app = ReaderApp(seeds, tmp_path / "annotations", detect=False, signals=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        ids = [d.id for d in app.corpus.documents]
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ReadingScreen) and app.screen.doc_id == ids[1]
        await pilot.press("slash", *"$300,000 to $900,000", "enter", "1")
        await pilot.pause()
        assert [(a.label, a.text) for a in app.store.for_document(ids[1])] == [("salary", "$300,000 to $900,000")]
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert app.store.for_document(ids[1]) == []
        await pilot.press("ctrl+y", "escape", "q")  # escape ends the search, q goes back
        await pilot.pause()
        assert type(app.screen).__name__ == "LibraryScreen"
        app.open_compare([ids[1], ids[3]])
        await pilot.pause()
        assert isinstance(app.screen, CompareScreen)
        await pilot.press("tab", "ctrl+shift+right", "ctrl+shift+right", "2")
        await pilot.pause()
        [a] = app.store.for_document(ids[3])
        assert a.label == "quote" and app.corpus.get(ids[3]).text[a.start:a.end] == a.text
        await pilot.press("q")
        await pilot.pause()
        assert type(app.screen).__name__ == "LibraryScreen"


async def test_reader_app_copy_without_clipboard_does_not_crash(tmp_path, monkeypatch):
    import pyperclip

    from reader.tui import ReaderApp

    def no_clipboard(text):
        raise pyperclip.PyperclipException("no clipboard mechanism")

    monkeypatch.setattr(pyperclip, "copy", no_clipboard)
    seeds = copy_seeds(tmp_path)
    app = ReaderApp(seeds, tmp_path / "annotations", detect=False, signals=False)
    async with run_test(app, size=(120, 36)) as pilot:
        await pilot.pause()
        app.open_document(EN)
        await pilot.pause()
        await pilot.press("ctrl+right", "ctrl+shift+right", "y")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.is_running
        assert any("cop" in n.message.lower() for n in notifications(app))


async def test_reader_app_remembers_position(tmp_path):
    from reader.tui import ReaderApp

    seeds = copy_seeds(tmp_path)
    app = ReaderApp(seeds, tmp_path / "annotations", detect=False, signals=False)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        app.open_document(EN)
        await pilot.pause()
        await pilot.press("pagedown", "down")
        cursor = app.screen.query_one(AnnotatedTextView).cursor
        await pilot.press("q")
        await pilot.pause()
        assert app.last_position() == (EN, cursor)
        app.open_document(EN)
        await pilot.pause()
        await pilot.pause()
        assert app.screen.query_one(AnnotatedTextView).cursor == cursor


async def test_export_from_the_reading_screen(tmp_path):
    from textual.widgets import Input

    app = make_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("slash", *"$300,000 to $900,000", "enter", "1", "escape", "e")
        await pilot.pause()
        assert type(app.screen).__name__ == "ExportDialog"
        out = tmp_path / "out.jsonl"
        app.screen.query_one("#export-path", Input).value = str(out)
        await pilot.press("ctrl+s")
        for _ in range(50):
            await app.workers.wait_for_complete()
            await pilot.pause()
            if type(app.screen).__name__ == "ReadingScreen":
                break
        assert out.exists()
        assert "$300,000 to $900,000" in out.read_text(encoding="utf-8")
        assert "out.jsonl" in status_text(app)


async def test_language_override_with_L(tmp_path):
    app = make_app(tmp_path, AR)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("L")
        await pilot.pause()
        assert type(app.screen).__name__ == "LanguageDialog"
        app.screen.dismiss("he")
        await pilot.pause()
        assert app.store.language_overrides().get(AR) == "he"
        header = str(app.screen.query_one(".pane-header").render())
        assert " HE " in header and "RTL" in header


async def test_search_field_escape_cancels(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("slash", "x", "escape")
        assert isinstance(app.focused, AnnotatedTextView)
        assert isinstance(app.screen, ReadingScreen)


async def test_disk_full_shows_unsaved_then_retry_saves(tmp_path, monkeypatch):
    import errno

    from reader import fsutil

    state = {"fail": True}
    real = fsutil.write_and_sync

    def faulty(fd, data):
        if state["fail"]:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(fd, data)

    app = make_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        monkeypatch.setattr(fsutil, "write_and_sync", faulty)
        await pilot.press("ctrl+right", "ctrl+shift+right", "1")
        await pilot.pause()
        assert "UNSAVED" in status_text(app)
        assert app.store.unsaved >= 1
        [a] = anns(app)  # kept in memory, still shown
        assert app.screen.query_one(AnnotationList).row_count == 1
        pane = app.screen.query_one(DocumentPane)
        pane.retry_unsaved()  # the timer's callback; still failing
        assert "UNSAVED" in status_text(app)
        state["fail"] = False
        pane.retry_unsaved()
        assert app.store.unsaved == 0
        assert "saved" in status_text(app) and "UNSAVED" not in status_text(app)
    # durable: a fresh store sees it
    from reader.store import AnnotationStore

    with AnnotationStore(tmp_path / "annotations") as store:
        assert [x.id for x in store.for_document(EN)] == [a.id]


async def test_list_follows_the_cursor(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        doc = app.corpus.get(EN)
        s = doc.text.index("$300,000")
        first = app.store.add(EN, 1, 5, "claim")
        second = app.store.add(EN, s, s + 8, "salary")
        pane = app.screen.query_one(DocumentPane)
        pane.reload_annotations()
        await pilot.press("right_square_bracket")
        await pilot.press("right_square_bracket")
        await pilot.pause()
        assert pane.view.cursor == s
        assert pane.query_one(AnnotationList).highlighted_id == second.id
        await pilot.press("ctrl+home", "right", "right")
        await pilot.pause()
        assert pane.query_one(AnnotationList).highlighted_id == first.id


async def test_header_shows_modes(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.press("v", "w", "t")
        await pilot.pause()
        header = str(app.screen.query_one(".pane-header").render())
        assert "MARK" in header and "WORDS" in header and "JUMP:SUGG" in header
        await pilot.press("v")
        await pilot.pause()
        assert "MARK" not in str(app.screen.query_one(".pane-header").render())


async def test_accept_all_is_one_undo_step(tmp_path):
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        doc = app.corpus.get(EN)
        s = doc.text.index("$300,000")
        for start, end, label in ((s, s + 8, "salary"), (s + 12, s + 20, "salary"), (1, 3, "claim")):
            app.store.add(EN, start, end, label, status="suggested", source="suggest:test")
        pane = app.screen.query_one(DocumentPane)
        pane.reload_annotations()
        await pilot.press("A")
        await pilot.pause()
        app.screen.dismiss(True)
        await pilot.pause()
        assert [x.status for x in anns(app)] == ["accepted"] * 3
        await pilot.press("ctrl+z")
        await pilot.pause()
        assert [x.status for x in anns(app)] == ["suggested"] * 3
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert [x.status for x in anns(app)] == ["accepted"] * 3


async def test_undoing_a_reject_says_the_suggestion_is_back(tmp_path):
    """#9 wording: ctrl+z after r says "restored suggestion", not "delete"."""
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        doc = app.corpus.get(EN)
        s = doc.text.index("$300,000")
        app.store.add(EN, s, s + 8, "salary", status="suggested", source="suggest:salary")
        pane = app.screen.query_one(DocumentPane)
        pane.reload_annotations()
        await pilot.press("t", "right_square_bracket", "r")
        await pilot.pause()
        assert not anns(app)
        await pilot.press("ctrl+z")
        await pilot.pause()
        said = status_text(app) + " ".join(n.message for n in notifications(app))
        assert f"undo: restored suggestion salary {s}–{s + 8}" in said and "delete" not in said
        assert [(a.start, a.status) for a in anns(app)] == [(s, "suggested")]
