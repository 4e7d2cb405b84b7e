"""The library screen, driven by real keys; every flow checks the store afterwards."""
from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input

from reader.store import AnnotationStore
from reader.tui import ReaderApp
from reader.tui.commands import ReaderCommands
from reader.tui.dialogs.help import HelpScreen
from reader.tui.screens.compare import CompareScreen
from reader.tui.widgets.doclist import COLUMNS, DocumentList
from reader.tui.screens.library import Filter, LibraryScreen, set_token
from reader.tui.screens.reading import ReadingScreen

from tui_helpers import SIZE, copy_seeds, messages, run_test, settle

SEED_IDS = [
    "000_9d99caadc18c77c5",
    "001_228d26dd8dd40e62",
    "002_26ccd676af571225",
    "003_744b85a45d014b40",
    "004_d4ef5430cbf9b3bd",
]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return copy_seeds(tmp_path)


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "annotations"


def _row_text(table: DocumentList, row: int) -> dict[str, str]:
    """The plain cells of a row of the library, by column key."""
    return {column.key: cell.plain for column, cell in zip(COLUMNS, table.get_row_at(row))}


async def test_lists_documents_in_path_order(corpus, store_path):
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        assert screen.shown == SEED_IDS
        table = screen.table
        assert table.row_count == 5
        langs = [_row_text(table, i)["lang"] for i in range(5)]
        assert langs == ["IT", "EN", "FR", "AR", "IT"]
        assert [_row_text(table, i)["dir"] for i in range(5)] == ["LTR", "LTR", "LTR", "RTL", "LTR"]  # script direction
        assert _row_text(table, 1)["title"].startswith("We have written")
        assert _row_text(table, 0)["conf"].endswith("%")  # confidence is shown
        assert not screen.query_one("#detect-box").display  # detection finished: bar hidden


async def test_enter_opens_that_document_and_q_returns(corpus, store_path):
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ReadingScreen)
        assert app.screen.doc_id == SEED_IDS[2]
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert app.is_running
    with AnnotationStore(store_path) as store:
        assert store.get_state("ui.last_position")["doc_id"] == SEED_IDS[2]


async def test_mark_and_compare(corpus, store_path):
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("space")  # marks 000 and moves down
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        assert any("Mark 2 to 4 documents" in m for m in messages(app))
        await pilot.press("down", "down", "space")  # marks 003
        assert app.screen.marked == [SEED_IDS[0], SEED_IDS[3]]
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CompareScreen)
        assert list(app.screen.doc_ids) == [SEED_IDS[0], SEED_IDS[3]]


async def test_compare_with_a_language_filter_picks_one_document_per_language(corpus, store_path):
    """#10: with lang:it,en,fr,ar (nothing marked), c compares one document of each language."""
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"lang:ar,it,en,fr", "enter")
        await pilot.pause()
        assert len(app.screen.shown) == 5  # both Italian documents pass the filter
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CompareScreen)
        assert list(app.screen.doc_ids) == [SEED_IDS[3], SEED_IDS[0], SEED_IDS[1], SEED_IDS[2]]  # in the filter's order
        await pilot.press("q")
        await pilot.pause()
        await pilot.press("slash", *"lang:it", "enter", "c")  # one language: nothing to compare
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)


async def test_unmark_with_space_again(corpus, store_path):
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("space", "up", "space")
        assert app.screen.marked == []
        await pilot.press("space", "space", "u")
        assert app.screen.marked == []


async def test_filters_text_language_label_status(corpus, store_path):
    with AnnotationStore(store_path) as store:
        from reader.corpus import load_corpus

        c = load_corpus(corpus, detect=False)
        store.attach_corpus(c)
        text = c.get(SEED_IDS[1]).text
        i = text.index("artificial intelligence")
        store.add(SEED_IDS[1], i, i + len("artificial intelligence"), "claim")
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        await pilot.press("slash", *"lang:ar", "enter")
        await pilot.pause()
        assert screen.shown == [SEED_IDS[3]]
        assert screen.focused is screen.table
        await pilot.press("escape")
        await pilot.pause()
        assert screen.shown == SEED_IDS
        await pilot.press("slash", *"grève", "enter")
        await pilot.pause()
        assert screen.shown == [SEED_IDS[2]]  # the French title
        await pilot.press("escape", "l")  # language filter cycles: ar first
        await pilot.pause()
        assert screen.shown == [SEED_IDS[3]]
        await pilot.press("l")
        assert screen.shown == [SEED_IDS[1]]  # en
        await pilot.press("l", "l", "l")  # fr, it, then all again
        assert screen.shown == SEED_IDS
        await pilot.press("a")  # label filter: salary (none)
        assert screen.shown == []
        await pilot.press("a", "a")  # quote (none), claim
        assert screen.shown == [SEED_IDS[1]]
        assert screen.query_one("#filter", Input).value == "label:claim"
        await pilot.press("escape", "slash", *"status:progress", "enter")
        await pilot.pause()
        assert screen.shown == [SEED_IDS[1]]


async def test_done_toggle_persists(corpus, store_path):
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "d")
        await pilot.pause()
        assert app.store.doc_status(SEED_IDS[1]) == "done"
        assert "done" in _row_text(app.screen.table, 1)["status"]
        await pilot.press("down", "d", "d")  # toggled twice: back to new
        assert app.store.doc_status(SEED_IDS[2]) == "new"
    with AnnotationStore(store_path) as store:
        assert store.doc_status(SEED_IDS[1]) == "done"
        assert store.doc_status(SEED_IDS[2]) == "new"


async def test_sort_cycles_columns(corpus, store_path):
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        await pilot.press("s")  # by language
        assert [app.corpus.get(d).lang for d in screen.shown] == ["ar", "en", "fr", "it", "it"]
        await pilot.press("S")  # reversed
        assert [app.corpus.get(d).lang for d in screen.shown][0] == "it"
        await pilot.press("s", "s", "s")  # title, date, size
        sizes = [app.corpus.get(d).size for d in screen.shown]
        assert sizes == sorted(sizes)
        assert "Size ▲" in "".join(seg.text for seg in screen.table.render_line(0))


async def test_counts_refresh_after_reading(corpus, store_path):
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        assert _row_text(app.screen.table, 0)["annotations"] == "–"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReadingScreen)
        app.store.add(SEED_IDS[0], 0, 5, "salary")
        app.store.add(SEED_IDS[0], 6, 10, "quote")
        await pilot.press("q")
        await pilot.pause()
        row = _row_text(app.screen.table, 0)
        assert row["annotations"].split()[0] == "2"
        assert "■1" in row["annotations"]
        assert "in progress" in row["status"]


async def test_failed_files_listed_with_reasons(corpus, store_path):
    (corpus / "zz_binary.txt").write_bytes(b"abc\x00def")
    (corpus / "zz_latin1.txt").write_bytes("caf\xe9 cr\xe8me".encode("latin-1"))
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert screen.shown == SEED_IDS
        problems = screen.query_one("#problems", DataTable)
        assert problems.row_count == 2
        rows = [" ".join(str(c) for c in problems.get_row_at(i)) for i in range(2)]
        assert "zz_binary.txt" in rows[0] and "NUL" in rows[0]
        assert "zz_latin1.txt" in rows[1] and "UTF-8" in rows[1]
        assert screen.query_one("#problems-panel").display


async def test_hostile_titles_are_inert(corpus, store_path):
    (corpus / "zz_markup.txt").write_text("[bold red]x[/] [@click=app.quit]q[/]\n\nbody text here.\n", encoding="utf-8")
    (corpus / "zz_escape.txt").write_text("\x1b[2J\x1b]52;c;SGVsbG8=\x07 title\n\nbody.\n", encoding="utf-8")
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        titles = {d: _row_text(screen.table, i)["title"] for i, d in enumerate(screen.shown)}
        assert "[bold red]x[/] [@click=app.quit]q[/]" in titles["zz_markup"]
        assert "\x1b" not in titles["zz_escape"] and "␛" in titles["zz_escape"]
        svg = app.export_screenshot()
        assert "[bold red]x[/]" in svg or "[bold&#160;red]x[/]" in svg
        assert "\x1b" not in svg and "\x07" not in svg
        # clicking the would-be link does nothing; the app keeps running
        await pilot.click("#documents", offset=(30, 7))
        await pilot.press("s")
        await pilot.pause()
        assert app.is_running


async def test_help_lists_library_keys(corpus, store_path):
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        svg = app.export_screenshot()
        for words in ("Toggle&#160;done", "Compare&#160;marked", "Export"):
            assert words in svg, words
        await pilot.press("escape")
        assert isinstance(app.screen, LibraryScreen)


async def test_palette_offers_every_library_binding(corpus, store_path):
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        provider = ReaderCommands(app.screen)
        names = [hit.text async for hit in provider.discover()]
        for binding in LibraryScreen.BINDINGS:
            assert binding.description, binding
            assert binding.description in names, binding.description
        assert "Export annotations…" in names
        # run an action from the palette, by name
        await pilot.press("down", "ctrl+p")
        await pilot.pause()
        await pilot.press(*"Toggle done")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert app.store.doc_status(SEED_IDS[1]) == "done"


async def test_palette_opens_a_document_by_title(corpus, store_path):
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        provider = ReaderCommands(app.screen)
        hits = [hit async for hit in provider.search("Open: Face à la grève")]
        assert hits and hits[0].text.startswith("Open: Face à la grève")
        hits[0].command()
        await pilot.pause()
        assert isinstance(app.screen, ReadingScreen) and app.screen.doc_id == SEED_IDS[2]


async def test_resume_reopens_last_document(corpus, store_path):
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        app.open_document(SEED_IDS[3])
        await pilot.pause()
        app.remember_position(SEED_IDS[3], 120)
        await pilot.press("q")
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        assert any("Press ctrl+o" in m for m in messages(app))
        assert app.screen.current_doc_id() == SEED_IDS[3]  # the cursor starts there
        assert app.last_position()[0] == SEED_IDS[3]
        await pilot.press("r")
        await pilot.pause()
        assert isinstance(app.screen, ReadingScreen) and app.screen.doc_id == SEED_IDS[3]


def test_filter_parsing():
    f = Filter.parse("lang:IT label:salary status:done marked Netflix AI")
    assert (f.lang, f.label, f.status, f.marked, f.text) == ("it", "salary", "done", True, ["netflix", "ai"])
    assert Filter.parse("status:bogus").problems
    assert set_token("a lang:it b", "lang", "fr") == "a b lang:fr"
    assert set_token("a lang:it", "lang", None) == "a"


async def test_language_override_from_the_library(corpus, store_path):
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "L")
        await pilot.pause()
        await pilot.press("d", "e", "enter")
        await pilot.pause()
        assert app.store.language_overrides()[SEED_IDS[1]] == "de"
        row = _row_text(app.screen.table, 1)
        assert row["lang"] == "DE" and row["conf"] == "set"
        await pilot.press("L")
        await pilot.pause()
        await pilot.press("enter")  # empty: back to the detected language
        await pilot.pause()
        assert SEED_IDS[1] not in app.store.language_overrides()
        assert _row_text(app.screen.table, 1)["lang"] == "EN"


# --- issue 9: defects 6, 7, wording, friction 7 ------------------------------------


def _populate_with_suggestions(corpus: Path, store_path: Path) -> None:
    """001: one accepted claim; 000, 002 and 003: quote suggestions; 001 also two."""
    from reader.corpus import load_corpus

    with AnnotationStore(store_path) as store:
        c = load_corpus(corpus, detect=False)
        store.attach_corpus(c)
        store.add(SEED_IDS[1], 0, 5, "claim")
        store.add(SEED_IDS[1], 10, 20, "quote")
        for doc_id in (SEED_IDS[0], SEED_IDS[2], SEED_IDS[3]):
            store.add(doc_id, 0, 4, "quote", status="suggested")
        store.add(SEED_IDS[1], 30, 40, "salary", status="suggested")
        store.add(SEED_IDS[1], 50, 60, "quote", status="suggested")


def _status(screen) -> str:
    return str(screen.query_one("#status-line").render())


async def test_home_and_end_move_to_first_and_last_document(corpus, store_path):
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        await pilot.press("end")
        assert screen.current_doc_id() == SEED_IDS[-1]
        await pilot.press("home")
        assert screen.current_doc_id() == SEED_IDS[0]
        await pilot.press("pagedown")
        assert screen.current_doc_id() == SEED_IDS[-1]
        await pilot.press("end", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ReadingScreen) and app.screen.doc_id == SEED_IDS[-1]


async def test_home_end_on_a_long_list_scroll_it(tmp_path, store_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(300):
        (folder / f"d{i:04d}.txt").write_text(f"Title {i}\n\nBody {i}.\n", encoding="utf-8")
    app = ReaderApp(folder, store_path, detect=False, signals=False)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        table = app.screen.table
        await pilot.press("end")
        await pilot.pause()
        assert app.screen.current_doc_id() == "d0299"
        assert table.scroll_offset.y > 0
        line = "".join(seg.text for seg in table.render_line(table.scrollable_content_region.height - 1))
        assert "d0299" in line  # the last row is on screen, under the header
        await pilot.press("home")
        await pilot.pause()
        assert table.scroll_offset.y == 0 and app.screen.current_doc_id() == "d0000"


async def test_filter_label_is_case_insensitive_and_unknown_labels_warn(corpus, store_path):
    _populate_with_suggestions(corpus, store_path)
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        await pilot.press("slash", *"label:Claim", "enter")
        await pilot.pause()
        assert screen.shown == [SEED_IDS[1]]
        await pilot.press("escape", "slash", *"LANG:IT", "enter")
        await pilot.pause()
        assert screen.shown == [SEED_IDS[0], SEED_IDS[4]]
        await pilot.press("escape", "slash", *"label:nonexistent", "enter")
        await pilot.pause()
        assert "unknown label 'nonexistent'" in _status(screen)
        assert any("unknown label 'nonexistent'" in m for m in messages(app))
        await pilot.press("escape", "slash", *"status:bogus", "enter")
        await pilot.pause()
        assert "unknown status 'bogus'" in _status(screen)


async def test_filter_suggested_and_the_count_of_hidden_suggestions(corpus, store_path):
    _populate_with_suggestions(corpus, store_path)
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        await pilot.press("slash", *"label:quote", "enter")
        await pilot.pause()
        assert screen.shown == [SEED_IDS[1]]
        # the three documents with only quote suggestions are counted and named
        assert "3 more documents with quote suggestions (suggested:quote)" in _status(screen)
        await pilot.press("escape", "slash", *"suggested:Quote", "enter")
        await pilot.pause()
        assert screen.shown == [SEED_IDS[0], SEED_IDS[1], SEED_IDS[2], SEED_IDS[3]]


async def test_rows_show_the_id_and_pending_suggestions(corpus, store_path):
    _populate_with_suggestions(corpus, store_path)
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        table = screen.table
        assert [_row_text(table, i)["id"] for i in range(5)] == SEED_IDS
        assert "Id ▲" in "".join(seg.text for seg in table.render_line(0))  # sorted by path: the id column says so
        row = _row_text(table, 1)["annotations"]
        assert row.split()[0] == "2" and row.endswith("+ 2 suggested")
        assert _row_text(table, 0)["annotations"] == "  0 + 1 suggested"
        assert "2 annotations + 5 suggested" in _status(screen)


async def test_wording_counts_are_singular_for_one(tmp_path, store_path):
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "only.txt").write_text("Only\n\nOne document here.\n", encoding="utf-8")
    app = ReaderApp(folder, store_path, detect=False, signals=False)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        status = _status(app.screen)
        assert status.startswith("1 document · 0 annotations")
        assert "1 documents" not in status
        await pilot.press("l")  # cycle the language filter
        await pilot.pause()
        assert not any("document(s)" in m for m in messages(app))


async def test_problems_panel_title_matches_its_state(corpus, store_path):
    (corpus / "zz_binary.txt").write_bytes(b"abc\x00def")
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        panel = app.screen.query_one("#problems-panel")
        assert not panel.collapsed  # the reasons are shown...
        assert panel.title == "1 file could not be loaded:"  # ...so the title does not offer to show them
        panel.collapsed = True
        await pilot.pause()
        assert panel.title == "1 file could not be loaded (enter to show the reasons)"
