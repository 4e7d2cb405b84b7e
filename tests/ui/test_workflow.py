"""Issue 22, the annotator's workflow: each defect through the real keys (Pilot), then the store or the screen."""
from __future__ import annotations

from reader.tui.screens.reading import ReadingScreen
from reader.tui.widgets.doclist import COLUMNS
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


# ---------------------------------------------------------------- library at 80 and 120 columns (items 6 and 12)
def header(table) -> str:
    return "".join(seg.text for seg in table.render_line(0))


def library_app(tmp_path):
    from reader.tui import ReaderApp

    return ReaderApp(copy_seeds(tmp_path), tmp_path / "annotations", signals=False)


async def test_at_80_columns_the_last_columns_scroll_into_view(tmp_path):
    from tui_helpers import settle

    app = library_app(tmp_path)
    async with run_test(app, size=(80, 24)) as pilot:
        await settle(app, pilot)
        table = app.screen.table
        assert "Annotations" not in header(table) and header(table).rstrip().endswith("→")
        await pilot.press("right", "right", "right", "right", "right", "right")
        seen = header(table)
        assert "Annotations" in seen and "Progress" in seen and "Review" in seen
        assert seen.lstrip().startswith("Id") and not seen.rstrip().endswith("→")  # the id stays; nothing more on the right
        assert table.hidden_columns()[1] == []
        await pilot.press("ctrl+pageup")
        assert "Lang" in header(table) and "Review" not in header(table)
        await pilot.press("ctrl+pagedown")
        assert "Review" in header(table)
        # the rows scroll with the header
        row = "".join(seg.text for seg in table.render_line(1))
        assert row.lstrip().startswith("000_9d99caadc18c77c5") and "○" in row
        # ↑ ↓ still move between documents
        await pilot.press("down")
        assert table.cursor_row == 1


async def test_at_120_columns_every_column_shows_in_full(tmp_path):
    from tui_helpers import settle

    app = library_app(tmp_path)
    async with run_test(app, size=(120, 35)) as pilot:
        await settle(app, pilot)
        seen = header(app.screen.table)
        assert seen.rstrip().endswith("Review") and "Progress" in seen and "→" not in seen


async def test_the_sort_arrow_survives_a_narrow_header(tmp_path):
    from tui_helpers import settle

    app = library_app(tmp_path)
    async with run_test(app, size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("s")  # by language: "Lang ▲" does not fit in 4 cells
        assert "Lan▲" in header(app.screen.table) and "Lan…" not in header(app.screen.table)
        await pilot.press("S")
        assert "Lan▼" in header(app.screen.table)


# ---------------------------------------------------------------- layers on a local store (item 10)
async def test_a_local_store_with_two_annotators_opens_on_the_own_layer_and_counts_it(tmp_path):
    import re

    from reader.corpus import load_corpus
    from reader.store import AnnotationStore
    from reader.tui import ReaderApp
    from tui_helpers import settle

    corpus = copy_seeds(tmp_path)
    store_path = tmp_path / "annotations"
    c = load_corpus(corpus, detect=False)
    words = [m.span() for m in re.finditer(r"\w{6,}", c.get(EN).text)][:5]
    with AnnotationStore(store_path, corpus=c, annotator="alice") as s:  # a merged store: alice's layer
        for span, label in zip(words, ("claim", "quote", "quote", "opinion")):
            s.add(EN, *span, label)
    with AnnotationStore(store_path, corpus=c, annotator="bob") as s:  # and bob's: three decisions
        s.add(EN, *words[0], "claim")
        s.add(EN, *words[1], "salary")
        s.add(EN, *words[4], "claim")
    app = ReaderApp(corpus, store_path, annotator="bob", detect=False, signals=False)
    async with run_test(app, size=(160, 36)) as pilot:
        await settle(app, pilot)
        row = app.screen.table.doc_ids.index(EN)
        cell = {col.key: cell.plain for col, cell in zip(COLUMNS, app.screen.table.get_row_at(row))}
        assert cell["annotations"].strip() == "3 ■1 ■2"  # bob's three, not the seven of both layers
        app.screen.table.move_cursor(row)
        await pilot.press("enter")
        await pilot.pause()
        pane = app.screen.query_one(DocumentPane)
        assert await _until(pilot, lambda: pane.controller.annotations)
        assert {a.annotator for a in pane.controller.annotations} == {"bob"} and len(pane.controller.annotations) == 3
        assert pane.controller.editable
        await pilot.press("ctrl+l")  # alice's layer, read-only
        assert {a.annotator for a in pane.controller.annotations} == {"alice"} and not pane.controller.editable
        await pilot.press("ctrl+l")  # all
        assert len(pane.controller.annotations) == 7
        await pilot.press("ctrl+l")  # bob again
        assert {a.annotator for a in pane.controller.annotations} == {"bob"}


async def _until(pilot, condition, seconds: float = 20.0) -> bool:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return True
        await pilot.pause(0.05)
    return bool(condition())


# ---------------------------------------------------------------- resizing (item 7)
async def test_resizing_keeps_the_cursor_on_screen(tmp_path):
    app = reading_app(tmp_path)
    async with run_test(app, size=(200, 50)) as pilot:
        view = app.screen.query_one(AnnotatedTextView)
        await pilot.press(*["pagedown"] * 2, "down", "down")
        await pilot.pause()

        def cursor_visible() -> bool:
            row = view.row_of_offset(view.cursor)
            top = int(view.scroll_offset.y)
            return top <= row < top + view.scrollable_content_region.height

        assert cursor_visible() and view.cursor > 0
        for size in ((80, 24), (60, 12), (120, 35), (80, 10)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            await pilot.pause()
            assert cursor_visible(), size


# ---------------------------------------------------------------- quitting (item 8)
async def test_the_palette_has_one_quit_and_it_asks_about_unsaved_work(tmp_path, monkeypatch):
    from textual.command import CommandPalette
    from textual.widgets import OptionList

    from reader.tui import ReaderApp
    from reader.tui.dialogs.unsaved import UnsavedDialog
    from test_quit_unsaved import DiskFull, make_unsaved
    from tui_helpers import settle

    store_path = tmp_path / "annotations"
    app = ReaderApp(copy_seeds(tmp_path), store_path, detect=False, signals=False)
    async with run_test(app, size=(120, 36)) as pilot:
        await settle(app, pilot)
        DiskFull(monkeypatch, store_path)
        make_unsaved(app, 2)
        await pilot.press("ctrl+p")
        assert await _until(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"quit")
        options = app.screen.query_one(OptionList)

        def prompts() -> list[str]:
            return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]

        assert await _until(pilot, lambda: any("Quit" in p for p in prompts()))
        await pilot.pause(0.3)
        assert sum(p.splitlines()[0].strip() == "Quit" for p in prompts()) == 1, prompts()
        assert not any("as soon as possible" in p for p in prompts())
        await pilot.press("down", "enter")
        assert await _until(pilot, lambda: isinstance(app.screen, UnsavedDialog))
        assert app.screen.count == 2 and app.is_running
        await pilot.press("escape")


async def test_the_quit_dialog_does_not_count_the_cursor_position(tmp_path, monkeypatch):
    from reader.tui import ReaderApp
    from reader.tui.dialogs.unsaved import UnsavedDialog
    from test_quit_unsaved import DiskFull
    from tui_helpers import settle

    store_path = tmp_path / "annotations"
    app = ReaderApp(copy_seeds(tmp_path), store_path, detect=False, signals=False)
    async with run_test(app, size=(120, 36)) as pilot:
        await settle(app, pilot)
        DiskFull(monkeypatch, store_path)
        await pilot.press("down", "enter")  # open a document (its position is remembered)
        assert await _until(pilot, lambda: type(app.screen).__name__ == "ReadingScreen")
        await pilot.press("pagedown", "q")  # back: the position cannot be saved either
        assert await _until(pilot, lambda: type(app.screen).__name__ == "LibraryScreen")
        assert app.store.unsaved >= 1  # only the reading position is unsaved
        await pilot.press("q")
        await pilot.pause()
        assert not isinstance(app.screen, UnsavedDialog)
    assert not app.return_code and "reading position was not saved" in (app.exit_message or "")
    assert not list(tmp_path.glob("*.rescue-*.jsonl"))


# ---------------------------------------------------------------- the export dialog (item 9)
async def test_export_parallel_after_jsonl_writes_its_own_file_and_enter_on_format_exports(tmp_path, monkeypatch):
    from textual.widgets import Select

    from reader.tui import ReaderApp
    from reader.tui.dialogs import ExportDialog
    from tui_helpers import settle

    monkeypatch.chdir(tmp_path)
    app = ReaderApp(copy_seeds(tmp_path), tmp_path / "annotations", detect=False, signals=False)
    async with run_test(app, size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("e")
        assert await _until(pilot, lambda: isinstance(app.screen, ExportDialog))
        await pilot.press("enter")  # Export has the focus: jsonl to the default path
        assert await _until(pilot, lambda: not isinstance(app.screen, ExportDialog))
        [jsonl] = list((tmp_path / "exports").iterdir())
        assert jsonl.name.startswith("seeds-jsonl-") and jsonl.suffix == ".jsonl"
        first = jsonl.read_bytes()
        await pilot.press("e")
        assert await _until(pilot, lambda: isinstance(app.screen, ExportDialog))
        dialog = app.screen
        await pilot.press("tab")  # to the format
        assert dialog.focused is dialog.query_one("#export-format")
        await pilot.press("space")  # opens the list
        await pilot.pause()
        select = dialog.query_one("#export-format", Select)
        assert select.expanded
        from reader import formats

        order = list(formats.FORMATS)
        await pilot.press(*["down"] * (order.index("parallel") - order.index("jsonl")), "enter")
        await pilot.pause()
        assert select.value == "parallel" and not select.expanded
        path = dialog.query_one("#export-path").value
        assert "parallel" in path and path != str(jsonl.relative_to(tmp_path))
        await pilot.press("enter")  # enter on the format exports, as the hint says (no list, no overwrite question)
        assert await _until(pilot, lambda: not isinstance(app.screen, ExportDialog))
        assert type(app.screen).__name__ == "LibraryScreen"
        names = sorted(p.name for p in (tmp_path / "exports").iterdir())
        assert len(names) == 2 and any(n.startswith("seeds-parallel-") for n in names)
        assert jsonl.read_bytes() == first


# ---------------------------------------------------------------- friction: ? names the labels
async def test_help_names_each_label_key(tmp_path):
    from rich.console import Console

    from reader.tui.dialogs.help import HelpScreen, help_table
    from tui_helpers import settle

    app = library_app(tmp_path)
    async with run_test(app, size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "enter")
        assert await _until(pilot, lambda: type(app.screen).__name__ == "ReadingScreen")
        await pilot.press("question_mark")
        assert await _until(pilot, lambda: isinstance(app.screen, HelpScreen))
        console = Console(width=200, record=True)
        console.print(help_table(app.screen_stack[-2]))  # what the help screen shows
        text = console.export_text()
        for key, label in (("1", "salary"), ("2", "quote"), ("3", "claim"), ("4", "opinion")):
            assert any(line.strip().startswith(key) and f"Tag as {label}" in line for line in text.splitlines()), text
        assert "Tag with this key's label" not in text


# ---------------------------------------------------------------- friction: the compare footer and position lines
async def test_compare_footer_shows_the_compare_keys_and_position_lines_fit(tmp_path):
    from textual.widgets import Static

    from reader.tui.screens.compare import CompareScreen
    from reader.tui.widgets.keybar import KeyBar
    from tui_helpers import settle

    app = library_app(tmp_path)
    async with run_test(app, size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("space", "down", "space", "down", "space", "down", "space", "c")
        assert await _until(pilot, lambda: isinstance(app.screen, CompareScreen))
        await pilot.pause()
        bar = app.screen.query_one(KeyBar)
        shown = dict(bar.entries())
        for key, what in (("1", "salary"), ("2", "quote"), ("3", "claim"), ("4", "opinion"), ("tab", "pane"),
                          ("S", "sync"), ("g", "counterpart"), ("k", "link")):
            assert shown.get(key) == what, shown
        drawn = str(bar.render())
        assert "k link" in drawn[: bar.size.width], drawn  # the compare keys fit in 80 columns; the rest is in ?
        for pane in app.screen.query(DocumentPane):
            pos = pane.query_one(".pane-position", Static)
            text = str(pos.render())
            assert f"¶ {pane.doc.lang}" in text and len(text) <= pos.content_region.width, (text, pos.content_region)
            assert pos.region.right <= pane.region.right  # not cut by the pane's edge
        await pilot.press("tab")
        await pilot.pause()
        panes = list(app.screen.query(DocumentPane))
        assert panes[1].has_class("-active") and not panes[0].has_class("-active")


# ---------------------------------------------------------------- friction: notifications leave the status line readable
async def test_a_notification_does_not_cover_the_status_line(tmp_path):
    app = library_app(tmp_path)
    async with run_test(app, size=(120, 36), notifications=True) as pilot:
        from tui_helpers import settle

        await settle(app, pilot)
        await pilot.press("down", "enter")
        assert await _until(pilot, lambda: type(app.screen).__name__ == "ReadingScreen")
        await pilot.press("x")  # nothing to delete: a warning notification
        assert await _until(pilot, lambda: len(app.screen.query("Toast")) > 0)
        await pilot.pause(0.3)
        toasts = list(app.screen.query("Toast"))
        footer = app.screen.query_one(".pane-footer")
        for toast in toasts:
            assert not toast.region.overlaps(footer.region), (toast.region, footer.region)


# ---------------------------------------------------------------- friction: the note's quit dialog can discard
async def test_quitting_from_a_note_can_discard_it(tmp_path):
    from reader.store import AnnotationStore
    from reader.tui.dialogs import NoteDialog
    from tui_helpers import settle

    app = library_app(tmp_path)
    async with run_test(app, size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "enter")
        assert await _until(pilot, lambda: type(app.screen).__name__ == "ReadingScreen")
        await pilot.press("ctrl+right", "ctrl+shift+right", "1", "c")
        assert await _until(pilot, lambda: isinstance(app.screen, NoteDialog))
        await pilot.press(*"drop me", "ctrl+q")
        assert await _until(pilot, lambda: type(app.screen).__name__ == "NoteQuitDialog")
        await pilot.press("d")  # discard and quit
        assert await _until(pilot, lambda: not app.is_running)
    with AnnotationStore(tmp_path / "annotations", readonly=True) as store:
        [ann] = store.all()
        assert ann.label == "salary" and ann.note == ""  # the tag is kept, the note was discarded


# ---------------------------------------------------------------- friction: CLI help
def test_cli_help_describes_every_option_and_formats_takes_no_annotator(capsys):
    from reader.cli import main

    for command in ("docs", "export", "import", "stats", "labels", "lang", "store", "agree"):
        _help(main, [command, "--help"])
        out = capsys.readouterr().out
        for option in ("--json", "--store"):
            for line in out.splitlines():
                if line.strip().startswith(option):
                    assert len(line.split()) > 2 or option == "--json" and "JSON" in out, (command, line)
    _help(main, ["formats", "--help"])
    assert "--annotator" not in capsys.readouterr().out
    _help(main, ["import", "--help"])
    usage = capsys.readouterr().out.splitlines()[0]
    assert usage.startswith("usage: reader import [CORPUS] FILE [--store PATH]")  # one FILE: that is all it takes


def _help(main, argv) -> None:
    try:
        main(argv)
    except SystemExit:
        pass
