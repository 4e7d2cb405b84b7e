"""Other annotators' changes, taken in while the app runs (a shared PostgreSQL store).

:class:`StoreSync` asks the store for the changes other writers committed
(``store.refresh()``, a cheap query) every :data:`REFRESH_SECONDS`, in a thread
so that a slow network never stalls the screen. When something arrived, every
:class:`~reader.tui.widgets.pane.DocumentPane` on the current screen reloads its
annotations: the new spans appear, the cursor and the scroll position stay.
A teammate's language override is taken into the corpus too, so the pane's
language tag and the library's language column show the database's value
(not this session's until a restart).
A store that has a single writer (the JSON folder) is not polled.

An outage is shown, never swallowed: while the server cannot be reached (by a
poll or a save) every pane's footer says "offline since 10:42:05 — teammates'
changes not arriving", also in a session that only reads, until a poll
reaches the server again.
"""
from __future__ import annotations

import time
from typing import Any, Protocol

from textual.app import App
from textual.timer import Timer
from textual.worker import Worker, WorkerState, get_current_worker

from reader.errors import ReaderError, StoreVersionError
from reader.protocols import CorpusAPI, SharedSession
from reader.tui.threads import to_ui

REFRESH_SECONDS = 1.0


class SyncedStore(SharedSession, Protocol):
    """What :class:`StoreSync` uses of the store: its shared session, and the language
    overrides it takes into the corpus after a poll."""

    def language_overrides(self) -> dict[str, str]: ...


class StoreSync:
    def __init__(self, app: App[Any], store: SyncedStore, corpus: CorpusAPI | None = None) -> None:
        self.app = app
        self.store = store
        self.corpus = corpus
        self._overrides = store.language_overrides() if corpus is not None else {}
        self.received = 0  # operations taken in since the start
        self.offline: str | None = None  # the line shown while the server is out of reach
        self._timer: Timer | None = None
        self._worker: Worker[None] | None = None

    @staticmethod
    def wanted(store: SharedSession) -> bool:
        """Poll only stores with other writers (not the single-writer file engine)."""
        return store.shared

    def start(self) -> None:
        self._timer = self.app.set_interval(REFRESH_SECONDS, self.tick, name="store-sync")

    def tick(self) -> None:
        # one poll at a time: a poll the network holds (until the store's timeouts end it) is waited for, not
        # cancelled and doubled. A cancelled thread worker runs on; a new one every tick piled up threads
        # queued on the store's lock, and the app's next save waited behind all of them
        if self._worker is not None and self._worker.state in (WorkerState.PENDING, WorkerState.RUNNING):
            return
        self._worker = self.app.run_worker(self._poll, thread=True, group="store-sync", exit_on_error=False)

    def _poll(self) -> None:
        try:
            n = self.store.refresh()
        except StoreVersionError as exc:  # a newer reader migrated the store: its changes cannot be read here
            to_ui(self.app, self._stop, str(exc))
            return
        except ReaderError:
            n = 0  # the connection is away: shown below, the next tick tries again
        if get_current_worker().is_cancelled:
            return
        since = self.store.offline_since
        line = offline_line(since) if since is not None else None
        if line != self.offline:
            to_ui(self.app, self._show_offline, line)
        if n:
            to_ui(self.app, self._changed, n)

    def _show_offline(self, line: str | None) -> None:
        from reader.tui.widgets.pane import DocumentPane

        self.offline = line
        for pane in self.app.screen.query(DocumentPane):
            pane.show_offline(line)

    def _stop(self, message: str) -> None:
        """Stop taking in changes, and say why once."""
        if self._timer is not None:
            self._timer.stop()
        self.app.notify(message, title="Others' changes stopped", severity="error", timeout=30, markup=False)

    def _changed(self, n: int) -> None:
        from reader.tui.screens.library import LibraryScreen
        from reader.tui.widgets.pane import DocumentPane

        self.received += n
        changed = self._take_overrides()
        if changed:
            for screen in self.app.screen_stack:
                if isinstance(screen, LibraryScreen):
                    screen.refresh_rows(changed)
        for pane in self.app.screen.query(DocumentPane):
            pane.reload_annotations()

    def _take_overrides(self) -> list[str]:
        """Apply the store's language overrides to the corpus when a teammate changed one;
        returns the documents whose override changed."""
        if self.corpus is None:
            return []
        overrides = self.store.language_overrides()
        if overrides == self._overrides:
            return []
        changed = sorted(k for k in overrides.keys() | self._overrides.keys() if overrides.get(k) != self._overrides.get(k))
        self.corpus.apply_overrides(overrides)
        self._overrides = overrides
        return [doc_id for doc_id in changed if doc_id in self.corpus]


def offline_line(since: float) -> str:
    """What a pane shows while the shared store's server is out of reach."""
    return f"offline since {time.strftime('%H:%M:%S', time.localtime(since))} — teammates' changes not arriving"
