"""Other annotators' changes, taken in while the app runs (a shared PostgreSQL store).

:class:`StoreSync` asks the store for the changes other writers committed
(``store.refresh()``, a cheap query) every :data:`REFRESH_SECONDS`, in a thread
so that a slow network never stalls the screen. When something arrived, every
:class:`~reader.tui.widgets.pane.DocumentPane` on the current screen reloads its
annotations: the new spans appear, the cursor and the scroll position stay.
A store that has a single writer (the JSON folder) is not polled.
"""
from __future__ import annotations

from typing import Any

from textual.app import App
from textual.timer import Timer
from textual.worker import get_current_worker

from reader.errors import ReaderError, StoreVersionError
from reader.protocols import StoreAPI

REFRESH_SECONDS = 1.0


class StoreSync:
    def __init__(self, app: App[Any], store: StoreAPI) -> None:
        self.app = app
        self.store = store
        self.received = 0  # operations taken in since the start
        self._timer: Timer | None = None

    @staticmethod
    def wanted(store: StoreAPI) -> bool:
        """Poll only stores with other writers (not the single-writer file engine)."""
        return store.shared

    def start(self) -> None:
        self._timer = self.app.set_interval(REFRESH_SECONDS, self.tick, name="store-sync")

    def tick(self) -> None:
        self.app.run_worker(self._poll, thread=True, exclusive=True, group="store-sync", exit_on_error=False)

    def _poll(self) -> None:
        try:
            n = self.store.refresh()
        except StoreVersionError as exc:  # a newer reader migrated the store: its changes cannot be read here
            self.app.call_from_thread(self._stop, str(exc))
            return
        except ReaderError:
            return  # the connection is away: the save path reports it, the next tick tries again
        if n and not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._changed, n)

    def _stop(self, message: str) -> None:
        """Stop taking in changes, and say why once."""
        if self._timer is not None:
            self._timer.stop()
        self.app.notify(message, title="Others' changes stopped", severity="error", timeout=30, markup=False)

    def _changed(self, n: int) -> None:
        from reader.tui.widgets.pane import DocumentPane

        self.received += n
        for pane in self.app.screen.query(DocumentPane):
            pane.reload_annotations()
