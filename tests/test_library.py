"""The library screen, driven by real keys; every flow checks the store afterwards."""
from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Input

from reader.store import AnnotationStore
from reader.tui import ReaderApp
from reader.tui.commands import ReaderCommands
from reader.tui.help import HelpScreen
from reader.tui.screens.compare import CompareScreen
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


def _row_text(table: DataTable, row: int) -> list[str]:
    return [str(c) for c in table.get_row_at(row)]


async def test_lists_documents_in_path_order(corpus, store_path):
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, LibraryScreen)
        assert screen.shown == SEED_IDS
        table = screen.table
        assert table.row_count == 5
        langs = [_row_text(table, i)[1] for i in range(5)]
        assert langs == ["IT", "EN", "FR", "AR", "IT"]
        assert _row_text(table, 1)[3].startswith("We have written")
        assert _row_text(table, 0)[2].endswith("%")  # confidence is shown
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
        assert "done" in _row_text(app.screen.table, 1)[7]
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
        assert "Size ▲" in [str(c.label) for c in screen.table.columns.values()]


async def test_counts_refresh_after_reading(corpus, store_path):
    app = ReaderApp(corpus, store_path)
    async with run_test(app, size=SIZE) as pilot:
        await settle(app, pilot)
        assert _row_text(app.screen.table, 0)[6] == "–"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ReadingScreen)
        app.store.add(SEED_IDS[0], 0, 5, "salary")
        app.store.add(SEED_IDS[0], 6, 10, "quote")
        await pilot.press("q")
        await pilot.pause()
        row = _row_text(app.screen.table, 0)
        assert row[6].split()[0] == "2"
        assert "■1" in row[6]
        assert "in progress" in row[7]


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
        titles = {d: _row_text(screen.table, i)[3] for i, d in enumerate(screen.shown)}
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
        body = str(app.screen.query_one("#help-body").render())
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
        assert row[1] == "DE" and row[2] == "set"
        await pilot.press("L")
        await pilot.pause()
        await pilot.press("enter")  # empty: back to the detected language
        await pilot.pause()
        assert SEED_IDS[1] not in app.store.language_overrides()
        assert _row_text(app.screen.table, 1)[1] == "EN"
