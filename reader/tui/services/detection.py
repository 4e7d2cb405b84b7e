"""LanguageDetection: the app's language-detection thread worker.

``Corpus.detect_languages`` runs in a thread worker of the app (group
``detect``), after the first paint. It posts :class:`DetectionProgress` and
:class:`DetectionFinished` to the app, which hands them to the library
screens. langdetect is pure Python and holds the GIL, so the worker sleeps a
little after each document and lowers the GIL switch interval while it runs.
"""
from __future__ import annotations

import sys
import threading
import time
from functools import partial
from typing import TYPE_CHECKING, Any, Iterable

from textual.app import App
from textual.message import Message
from textual.worker import Worker, get_current_worker

from reader.errors import ReaderError
from reader.protocols import CorpusAPI, LanguageCache
from reader.text import one_line

if TYPE_CHECKING:  # pragma: no cover
    from reader.tui.screens.library import LibraryScreen

#: Seconds the detection worker sleeps after each document (GIL relief for the UI).
DETECT_PAUSE = 0.001
#: GIL switch interval while detection runs (Python's default is 0.005 s).
DETECT_SWITCH_INTERVAL = 0.0005
GROUP = "detect"


class DetectionProgress(Message):
    """``done`` of ``total`` documents detected."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done = done
        self.total = total


class DetectionFinished(Message):
    """Detection ended: ``detected`` documents, or ``error`` (one plain line)."""

    def __init__(self, detected: int, error: str | None = None) -> None:
        super().__init__()
        self.detected = detected
        self.error = error


class LanguageDetection:
    """Starts, stops and reports the detection worker of ``app``."""

    def __init__(self, app: App[Any]) -> None:
        self._app = app
        self._stopped = threading.Event()
        self._stopped.set()

    def start(self, corpus: CorpusAPI, store: LanguageCache | None) -> Worker[int]:
        """Detect the corpus's pending documents in a thread (``store``: the language cache, or None)."""
        return self._app.run_worker(
            partial(self._run, corpus, store), thread=True, exclusive=True, group=GROUP,
            name="detect-languages", exit_on_error=False,
        )

    def stop(self, timeout: float = 2.0) -> None:
        """Cancel the worker and give it ``timeout`` seconds to stop at its next document
        (it then writes the languages it found to the store's cache)."""
        running = [w for w in list(self._app.workers) if w.group == GROUP and not w.is_finished]
        for worker in running:
            worker.cancel()
        if running:
            self._stopped.wait(timeout)

    def _run(self, corpus: CorpusAPI, store: LanguageCache | None) -> int:
        worker = get_current_worker()
        self._stopped.clear()
        try:
            return self._detect(worker, corpus, store)
        finally:
            self._stopped.set()

    def _detect(self, worker: Worker[int], corpus: CorpusAPI, store: LanguageCache | None) -> int:
        app = self._app
        last = [0.0]

        def progress(done: int, total: int) -> None:
            # leave the event loop room to run between documents, so the table stays responsive
            time.sleep(DETECT_PAUSE)
            now = time.monotonic()
            if done == total or now - last[0] > 0.05:
                last[0] = now
                app.post_message(DetectionProgress(done, total))

        # hand the GIL back to the event loop sooner (the default 5 ms interval makes every UI wake-up wait)
        interval = sys.getswitchinterval()
        sys.setswitchinterval(min(interval, DETECT_SWITCH_INTERVAL))
        try:
            detected = corpus.detect_languages(store=store, progress=progress, should_stop=lambda: worker.is_cancelled)
        except ReaderError as exc:
            app.post_message(DetectionFinished(0, str(exc)))
            return 0
        except Exception as exc:  # never a traceback on screen
            app.post_message(DetectionFinished(0, f"language detection failed: {type(exc).__name__}: {exc}"))
            return 0
        finally:
            sys.setswitchinterval(interval)
        app.post_message(DetectionFinished(detected, corpus.cache_error))
        return detected

    def show_progress(self, message: DetectionProgress) -> None:
        for screen in self._library_screens():
            screen.show_progress(message.done, message.total)

    def finished(self, message: DetectionFinished) -> None:
        if message.error:
            self._app.notify(one_line(message.error, 500), title="Languages", severity="warning", markup=False)
        for screen in self._library_screens():
            screen.detection_finished()

    def _library_screens(self) -> Iterable["LibraryScreen"]:
        """The mounted library screens, unless the app is exiting."""
        from reader.tui.screens.library import LibraryScreen

        if self._app.return_code is not None:
            return
        for screen in self._app.screen_stack:
            if isinstance(screen, LibraryScreen) and screen.is_mounted:
                yield screen
