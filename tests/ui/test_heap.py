"""The heap is settled after a new full screen is painted (reader/tui/services/heap.py): what the
screen keeps is frozen out of the collector's full walks, dialogs do not settle, a closed screen's
objects are collected at the next settle, and nothing stays frozen after the app ends."""
from __future__ import annotations

import asyncio
import gc
import weakref

from reader.tui.screens.reading import ReadingScreen

from test_reading_keys import make_app, open_doc, until
from tui_helpers import SIZE, run_test

OTHER = "003_744b85a45d014b40"


async def test_a_document_screen_is_settled_and_a_dialog_is_not(tmp_path):
    app = make_app(tmp_path)
    async with run_test(app, size=SIZE) as pilot:
        await open_doc(tmp_path, pilot, app)
        assert await until(pilot, lambda: app.heap.settles >= 2, 3), app.heap.settles  # the library, then the document
        assert gc.get_freeze_count() > 0
        settled = app.heap.settles
        await pilot.press("ctrl+e")  # the export dialog: a modal screen
        assert await until(pilot, lambda: type(app.screen).__name__ == "ExportDialog")
        await pilot.press("escape")
        assert await until(pilot, lambda: isinstance(app.screen, ReadingScreen))
        await pilot.pause()
        assert app.heap.settles == settled  # neither the dialog nor the return to the same screen
    assert gc.get_freeze_count() == 0  # thawed when the app ended


async def test_a_closed_document_is_collected_at_the_next_settle(tmp_path):
    """Frozen objects are still freed when nothing refers to them; the cycles of a closed screen
    (a widget and its parent refer to each other) wait for the next settle, which thaws first."""
    app = make_app(tmp_path)
    async with run_test(app, size=SIZE) as pilot:
        await open_doc(tmp_path, pilot, app)
        first = weakref.ref(app.screen)
        assert await until(pilot, lambda: app.heap.settles >= 2)
        await pilot.press("q")  # back to the library
        assert await until(pilot, lambda: not isinstance(app.screen, ReadingScreen))
        await pilot.pause(0.3)
        settled = app.heap.settles
        await open_doc(tmp_path, pilot, app, OTHER)
        assert await until(pilot, lambda: app.heap.settles > settled)
        assert await until(pilot, lambda: first() is None)


def test_an_app_that_has_ended_is_freed(tmp_path):
    """The document watcher was kept in a module-level table under a weak key that its own timer kept
    alive: no app was ever freed (every app a test worker ran stayed in memory, and each full collection
    walked them all: 0.7-0.8 s per collection at the end of the test suite). The app runs in an event
    loop of its own here, closed before the check, as a process's one loop is when the app ends."""
    app = make_app(tmp_path)

    async def read_two_documents() -> None:
        async with run_test(app, size=SIZE) as pilot:
            await open_doc(tmp_path, pilot, app)  # a pane watches its file
            await pilot.press("q")
            await open_doc(tmp_path, pilot, app, OTHER)

    asyncio.run(read_two_documents())
    gone = weakref.ref(app)
    del app
    gc.collect()
    assert gone() is None
