"""reader.tui.threads.to_ui: a thread worker's calls reach a widget that still runs, and are dropped once it
has been removed (the CI failure of stop 35: a worker's progress queried a widget of a screen being removed)."""
from __future__ import annotations

import asyncio
import threading

from textual.app import App, ComposeResult
from textual.widgets import Static

from reader.tui.threads import to_ui


class Reporter(Static):
    """Starts a thread worker that waits for ``release``, then reports through to_ui."""

    def __init__(self) -> None:
        super().__init__("waiting", id="reporter")
        self.release, self.done = threading.Event(), threading.Event()
        self.calls: list[str] = []
        self.failed: Exception | None = None

    def on_mount(self) -> None:
        self.run_worker(self._work, thread=True)

    def _work(self) -> None:
        try:
            self.release.wait(10)
            to_ui(self, self._show, "done")
        except Exception as exc:  # noqa: BLE001 - what the test looks at
            self.failed = exc
        finally:
            self.done.set()

    def _show(self, what: str) -> None:
        self.calls.append(what)
        self.update(what)


class One(App[None]):
    def compose(self) -> ComposeResult:
        yield Reporter()


async def test_a_running_widget_gets_the_call() -> None:
    app = One()
    async with app.run_test() as pilot:
        reporter = app.query_one(Reporter)
        reporter.release.set()
        assert await asyncio.to_thread(reporter.done.wait, 10)
        await pilot.pause()
        assert reporter.calls == ["done"] and reporter.failed is None


async def test_a_removed_widget_never_gets_the_call() -> None:
    app = One()
    async with app.run_test() as pilot:
        reporter = app.query_one(Reporter)
        await reporter.remove()
        assert not reporter.is_running
        reporter.release.set()
        assert await asyncio.to_thread(reporter.done.wait, 10)
        await pilot.pause()
        assert reporter.calls == []
        # the worker went on quietly: out of the app's tree, the widget's app cannot be found from a worker's
        # thread, and that was a NoActiveAppError in the worker
        assert reporter.failed is None
