"""ReaderApp: the Textual application shell (see "UI contract" in docs/ARCHITECTURE.md).

Startup is an empty Textual app plus the corpus load: the store is opened,
the corpus is read without language detection, the library is shown at once,
and detection runs in a thread worker that posts progress to a ProgressBar.

A locked store is opened read-only (and the sub-title says so); a corrupt
store, a newer schema or a bad labels file leaves the app running read-only
with no annotations and a message naming the file and the fix.
"""
from __future__ import annotations

import os

import signal
import threading
import time
from pathlib import Path
from typing import Any, Iterable

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.message import Message

from reader.errors import LabelsError, ReaderError, StoreError, StoreLockedError
from reader.labels import LabelSet
from reader.store import AnnotationStore
from reader.text import one_line
from reader.tui import clipboard
from reader.tui.commands import ReaderCommands
from reader.tui.unavailable import UnavailableStore

DEFAULT_STORE = "annotations"
STATE_LAST = "ui.last_position"
#: Seconds the detection worker sleeps after each document (GIL relief for the UI).
DETECT_PAUSE = 0.001
#: GIL switch interval while detection runs (Python's default is 0.005 s).
DETECT_SWITCH_INTERVAL = 0.0005


class DetectionProgress(Message):
    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done = done
        self.total = total


class DetectionFinished(Message):
    def __init__(self, detected: int, error: str | None = None) -> None:
        super().__init__()
        self.detected = detected
        self.error = error


class ReaderApp(App):
    """Read and annotate a folder of plain-text documents."""

    TITLE = "reader"
    # The library is the default screen, whose own CSS_PATH Textual does not load: load it here.
    CSS_PATH = ["app.tcss", "screens/library.tcss"]
    COMMANDS = App.COMMANDS | {ReaderCommands}
    BINDINGS = [
        Binding("question_mark", "help", "Help", tooltip="List the keys of this screen", id="app.help"),
        Binding("ctrl+e", "export", "Export annotations…", show=False, id="app.export"),
        Binding("ctrl+o", "resume", "Reopen the last document", show=False, id="app.resume"),
        Binding("f2", "toggle_dark", "Toggle dark mode", show=False, id="app.dark"),
        Binding("f6", "review", "Review: adjudicate the annotators' layers", show=False, id="app.review"),
    ]

    def __init__(
        self,
        corpus_path: str | Path,
        store_path: str | Path | None = None,
        *,
        readonly: bool = False,
        detect: bool = True,
        signals: bool = True,
        annotator: str | None = None,
    ) -> None:
        super().__init__()
        from reader.model import default_annotator
        from reader.workspace import store_location

        self.corpus_path = Path(corpus_path).expanduser()
        self.store_path = store_location(store_path if store_path is not None else DEFAULT_STORE)
        self.annotator = annotator or os.environ.get("READER_ANNOTATOR") or default_annotator()
        self.readonly_requested = readonly
        self.detect = detect
        self.install_signals = signals
        self.workspace: Any = None
        self.store_problem: str | None = None
        self.corpus_problem: str | None = None
        self.detection_done = False
        self.exit_message: str | None = None
        self.first_screen_at: float | None = None
        self._installed_signals: list[int] = []
        self._detect_stopped = threading.Event()
        self._detect_stopped.set()
        self._workspace_closed = False

    # --- contract attributes -------------------------------------------------

    @property
    def corpus(self) -> Any:
        return self.workspace.corpus if self.workspace is not None else None

    @property
    def store(self) -> Any:
        return self.workspace.store if self.workspace is not None else None

    @property
    def labels(self) -> LabelSet:
        store = self.store
        return store.labels if store is not None else LabelSet()

    @property
    def readonly(self) -> bool:
        store = self.store
        return store.readonly if store is not None else True

    # --- startup -------------------------------------------------------------

    def _open_workspace(self) -> None:
        from reader.corpus import Corpus, Problem, load_corpus
        from reader.workspace import Workspace

        notes: list[tuple[str, str]] = []
        try:
            self.workspace = Workspace.open(
                self.corpus_path, self.store_path, readonly=self.readonly_requested, detect=False, annotator=self.annotator
            )
        except StoreLockedError as exc:
            notes.append((f"{exc} Opened read-only: nothing you do will be saved.", "warning"))
            try:
                self.workspace = Workspace.open(self.corpus_path, self.store_path, readonly=True, detect=False, annotator=self.annotator)
                holder = f" ({exc.holder})" if exc.holder else ""
                self.workspace.store.readonly_reason = f"read-only because another writer holds the lock {exc.lock_path}{holder}"
            except ReaderError as exc2:
                self.workspace = None
                self.store_problem = str(exc2)
        except (StoreError, LabelsError) as exc:
            self.store_problem = str(exc)
        except ReaderError as exc:  # the corpus folder itself
            self.corpus_problem = str(exc)
        except OSError as exc:
            self.store_problem = f"{self.store_path}: {exc.strerror or exc}"

        if self.workspace is None:
            # keep running: read-only, no annotations, the reason on screen
            labels = LabelSet()
            if self.store_problem is None and self.corpus_problem is not None:
                reason = "the corpus could not be opened"
            else:
                reason = one_line(self.store_problem or "unknown problem", 300)
                try:
                    labels = LabelSet.load(self.store_path)
                except (ReaderError, OSError):
                    pass
            store = UnavailableStore(self.store_path, reason, labels)
            if self.corpus_problem is None:
                try:
                    corpus = load_corpus(self.corpus_path, detect=False)
                except ReaderError as exc:
                    self.corpus_problem = str(exc)
            if self.corpus_problem is not None:
                corpus = Corpus(self.corpus_path, problems=[Problem(str(self.corpus_path), self.corpus_problem)])
            self.workspace = Workspace(corpus, store, self.corpus_path, self.store_path)
            if self.store_problem:
                notes.append((f"{self.store_problem} The app runs read-only with no annotations.", "error"))
            if self.corpus_problem:
                notes.append((self.corpus_problem, "error"))
        else:
            report = self.workspace.reanchor_report
            if report is not None and report.changed:
                notes.append((report.summary(), "warning"))
        self._startup_notes = notes

    _startup_notes: list = []

    def _update_titles(self) -> None:
        corpus_name = self.corpus_path.name or str(self.corpus_path)
        self.title = one_line(f"reader — {corpus_name}", 80)
        store = self.store
        location = getattr(store, "location", None) or self.store_path
        who = f"annotator: {self.annotator} · "
        if self.store_problem:
            sub = f"{who}READ-ONLY (store unavailable) · {location}"
        elif store is not None and store.readonly:
            reason = store.readonly_reason or "read-only"
            sub = f"{who}READ-ONLY ({reason}) · {location}"
        else:
            sub = f"{who}store: {location}"
        self.sub_title = one_line(sub, 160)

    def get_default_screen(self) -> Any:
        """The library is the base screen: open the store and the corpus first."""
        from reader.tui.screens.library import LibraryScreen

        if self.workspace is None:
            self._open_workspace()
            self._update_titles()
        return LibraryScreen()

    def on_mount(self) -> None:
        if self.workspace is None:  # pragma: no cover - get_default_screen normally did it
            self._open_workspace()
            self._update_titles()
        self._install_signal_handlers()
        for message, severity in self._startup_notes:
            self.notify(one_line(message, 600), severity=severity, markup=False, timeout=20)
        self._offer_resume()
        from reader.tui.teamsync import StoreSync

        if StoreSync.wanted(self.store):  # a shared store: show the others' new annotations
            self.store_sync = StoreSync(self, self.store)
            self.store_sync.start()
        if self.detect and self.corpus is not None and self.corpus.pending:
            # after the first paint: loading langdetect's profiles holds the GIL for a while
            self.call_after_refresh(self.detect_languages)
        else:
            self.detection_done = True

    def _offer_resume(self) -> None:
        last = self.last_position()
        if not last:
            return
        doc = self.corpus.get(last[0]) if self.corpus is not None else None
        if doc is None:
            return
        self.notify(
            one_line(f"Last time you were reading “{doc.title or doc.id}”. Press ctrl+o (or r) to reopen it there.", 300),
            title="Resume",
            markup=False,
            timeout=8,
        )

    # --- language detection (thread worker) ----------------------------------

    @work(thread=True, exclusive=True, group="detect", name="detect-languages", exit_on_error=False)
    def detect_languages(self) -> int:
        from textual.worker import get_current_worker

        worker = get_current_worker()
        self._detect_stopped.clear()
        try:
            return self._detect(worker)
        finally:
            self._detect_stopped.set()

    def _detect(self, worker: Any) -> int:
        corpus, store = self.corpus, self.store
        if isinstance(store, UnavailableStore):
            store = None
        last = [0.0]

        def progress(done: int, total: int) -> None:
            # langdetect is pure Python and holds the GIL: leave the event loop room
            # to run between documents, so the table stays responsive meanwhile.
            time.sleep(DETECT_PAUSE)
            now = time.monotonic()
            if done == total or now - last[0] > 0.05:
                last[0] = now
                self.post_message(DetectionProgress(done, total))

        # langdetect is pure Python: while it runs, hand the GIL back to the event
        # loop sooner (the default 5 ms interval makes every UI wake-up wait).
        import sys

        interval = sys.getswitchinterval()
        sys.setswitchinterval(min(interval, DETECT_SWITCH_INTERVAL))
        try:
            detected = corpus.detect_languages(store=store, progress=progress, should_stop=lambda: worker.is_cancelled)
        except ReaderError as exc:
            self.post_message(DetectionFinished(0, str(exc)))
            return 0
        except Exception as exc:  # never a traceback on screen
            self.post_message(DetectionFinished(0, f"language detection failed: {type(exc).__name__}: {exc}"))
            return 0
        finally:
            sys.setswitchinterval(interval)
        error = corpus.cache_error
        self.post_message(DetectionFinished(detected, error))
        return detected

    def on_detection_progress(self, message: DetectionProgress) -> None:
        for screen in self._library_screens():
            if screen.is_mounted and self.return_code is None:  # not exiting
                screen.show_progress(message.done, message.total)

    def on_detection_finished(self, message: DetectionFinished) -> None:
        self.detection_done = True
        if message.error:
            self.notify(one_line(message.error, 500), title="Languages", severity="warning", markup=False)
        for screen in self._library_screens():
            if screen.is_mounted and self.return_code is None:  # not exiting
                screen.detection_finished()

    def _library_screens(self) -> Iterable[Any]:
        from reader.tui.screens.library import LibraryScreen

        for screen in self.screen_stack:
            if isinstance(screen, LibraryScreen):
                yield screen

    # --- contract helpers ----------------------------------------------------

    def copy_text(self, text: str, what: str = "selection") -> None:
        """OSC 52, then pyperclip in a thread with a timeout. Never raises or hangs."""
        clipboard.copy_text(self, text, what)

    def report_error(self, error: BaseException | str, title: str = "") -> None:
        message = str(error) if not isinstance(error, str) else error
        self.notify(one_line(message, 600) or "error", title=title or "Error", severity="error", markup=False, timeout=10)

    def open_document(self, doc_id: str, offset: int | None = None) -> None:
        doc = self.corpus.get(doc_id) if self.corpus is not None else None
        if doc is None:
            self.report_error(f"{doc_id}: no such document in {self.corpus_path}")
            return
        from reader.tui.screens.reading import ReadingScreen

        try:
            self.store.set_state(self._last_key, {"doc_id": doc_id, "offset": self._saved_offset(doc_id, offset)})
        except (ReaderError, OSError):
            pass
        try:
            screen = ReadingScreen(doc_id, offset=offset)
        except ReaderError as exc:
            self.report_error(exc)
            return
        self.push_screen(screen)

    def _saved_offset(self, doc_id: str, offset: int | None) -> int:
        if offset is not None:
            return int(offset)
        last = self.last_position()
        return last[1] if last and last[0] == doc_id else 0

    def open_compare(self, doc_ids: list[str]) -> None:
        doc_ids = list(doc_ids)
        if not 2 <= len(doc_ids) <= 4:
            self.notify(f"Compare shows 2 to 4 documents side by side; {len(doc_ids)} marked. Mark them with space.", severity="warning", markup=False)
            return
        missing = [d for d in doc_ids if self.corpus.get(d) is None]
        if missing:
            self.report_error(f"no such document: {', '.join(missing)}")
            return
        from reader.tui.screens.compare import CompareScreen

        try:
            screen = CompareScreen(doc_ids)
        except ReaderError as exc:
            self.report_error(exc)
            return
        self.push_screen(screen)

    @property
    def _last_key(self) -> str:
        """Where the last position is kept: per annotator on a shared store (each resumes their own)."""
        store = self.store
        if isinstance(store, AnnotationStore) and store.shared:
            return f"{STATE_LAST}@{self.annotator}"
        return STATE_LAST

    def remember_position(self, doc_id: str, offset: int) -> None:
        try:
            self.store.set_state(self._last_key, {"doc_id": doc_id, "offset": int(offset)})
        except (ReaderError, OSError):
            pass  # read-only or failing disk: the position is a convenience

    def last_position(self) -> tuple[str, int] | None:
        try:
            value = self.store.get_state(self._last_key) if self.store is not None else None
        except (ReaderError, OSError):
            return None
        if isinstance(value, dict) and isinstance(value.get("doc_id"), str):
            try:
                return value["doc_id"], max(0, int(value.get("offset") or 0))
            except (TypeError, ValueError):
                return value["doc_id"], 0
        return None

    # --- actions -------------------------------------------------------------

    def action_help(self) -> None:
        from reader.tui.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen))

    def action_review(self) -> None:
        """Documents to adjudicate, with review progress (the gold layer is built there)."""
        from reader.tui.screens.adjudicate import AdjudicationScreen, ReviewScreen

        if isinstance(self.screen, (ReviewScreen, AdjudicationScreen)):
            return
        self.push_screen(ReviewScreen())

    def action_stats(self) -> None:
        """Charts of the annotation work (the stats screen)."""
        from reader.tui.screens.stats import StatsScreen

        self.push_screen(StatsScreen())

    def action_export(self) -> None:
        from reader.tui.dialogs import ExportDialog

        if isinstance(self.screen, ExportDialog):
            return
        self.push_screen(ExportDialog())

    def action_resume(self) -> None:
        last = self.last_position()
        if not last:
            self.notify("No document to reopen yet: open one with enter.", markup=False)
            return
        doc_id, offset = last
        if self.corpus is None or self.corpus.get(doc_id) is None:
            self.report_error(f"{doc_id}: the last opened document is no longer in {self.corpus_path}")
            return
        self.open_document(doc_id, offset)

    def action_toggle_dark(self) -> None:
        dark = getattr(self.current_theme, "dark", True)
        self.theme = "textual-light" if dark else "textual-dark"

    def run(self, *args: Any, **kwargs: Any) -> Any:
        """Run the app; afterwards, say on stderr if the store could not be closed cleanly."""
        try:
            return super().run(*args, **kwargs)
        finally:
            self.close_workspace()
            if self.exit_message:
                import sys

                print(f"reader: {one_line(self.exit_message, 1000)}", file=sys.stderr)

    # --- shutdown --------------------------------------------------------------

    def _install_signal_handlers(self) -> None:
        if not self.install_signals:
            return
        import asyncio

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        for sig in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)):
            if sig is None:
                continue
            try:
                loop.add_signal_handler(sig, self._on_terminate_signal, sig)
                self._installed_signals.append(sig)
            except (NotImplementedError, RuntimeError, ValueError):
                pass

    def _remove_signal_handlers(self) -> None:
        import asyncio

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        for sig in self._installed_signals:
            try:
                loop.remove_signal_handler(sig)
            except Exception:
                pass
        self._installed_signals = []

    # --- quitting with unsaved changes -------------------------------------------

    #: where the last rescue file went, and whether work is missing from the store on exit
    rescue_path: Path | None = None
    work_not_in_store = False

    async def action_quit(self) -> None:
        """ctrl+q (and the library's q): ask first when changes are unsaved, or a note is being typed."""
        from reader.tui.dialogs import NoteDialog

        if isinstance(self.screen, NoteDialog):
            self.screen.quit_requested()
            return
        self.request_quit()

    def request_quit(self) -> None:
        """Quit, unless changes are still unsaved after one more try: then ask (UnsavedDialog)."""
        from reader.tui.unsaved import UnsavedDialog

        store = self.store
        unsaved = int(getattr(store, "unsaved", 0) or 0)
        if unsaved:
            try:
                store.retry_unsaved()
            except (ReaderError, OSError):
                pass
            unsaved = int(getattr(store, "unsaved", 0) or 0)
        if not unsaved:
            self.exit()
            return
        if isinstance(self.screen, UnsavedDialog):
            return
        reason = getattr(store, "last_error", None) or ""
        self.push_screen(UnsavedDialog(unsaved, one_line(str(reason), 300)), self._unsaved_answer)

    def _unsaved_answer(self, choice: str | None) -> None:
        store = self.store
        if choice == "retry":
            self.request_quit()
        elif choice == "rescue":
            try:
                n, path = self._write_rescue(store)
            except ReaderError as exc:
                self.report_error(exc, "No rescue file")
                return
            self.exit_message = self._rescued_message(n, path)
            self.exit(return_code=1)
        elif choice == "lose":
            n = store.discard_unsaved()
            self.work_not_in_store = True
            self.exit_message = f"{n} unsaved change(s) were discarded at your request; the store does not hold them"
            self.exit(return_code=1)

    def _write_rescue(self, store: Any) -> tuple[int, Path]:
        from reader.store.rescue import write_rescue

        transactions = store.unsaved_changes()
        path = write_rescue(self.store_path, transactions)
        store.discard_unsaved()  # they are safe in the rescue file now
        self.rescue_path = path
        self.work_not_in_store = True
        return len(transactions), path

    def _rescued_message(self, n: int, path: Path) -> str:
        return (f"{n} unsaved change(s) were written to the rescue file {path}; restore them with "
                f"`reader import {path} --store {self.store_path}`")

    def _rescue_unsaved(self, store: Any) -> None:
        """On any exit (a signal, or after the dialog): unsaved changes go to a rescue file
        rather than nowhere. Never raises; the exit message says what happened."""
        if not int(getattr(store, "unsaved", 0) or 0) or not hasattr(store, "unsaved_changes"):
            return
        try:
            store.retry_unsaved()
        except (ReaderError, OSError):
            pass
        if not store.unsaved:
            return
        try:
            n, path = self._write_rescue(store)
        except ReaderError as exc:
            # the process ends: they are lost either way; say so plainly, and let close() finish
            reason = getattr(store, "last_error", None) or "the store would not take them"
            self.work_not_in_store = True
            self.exit_message = f"{store.discard_unsaved()} unsaved change(s) are lost: they could not be saved or rescued ({reason}; {exc})"
            return
        self.exit_message = self._rescued_message(n, path)

    def _on_terminate_signal(self, sig: int) -> None:
        """SIGTERM / SIGHUP: flush and close the store first, then leave."""
        self.close_workspace()
        self.exit(return_code=128 + int(sig))

    def close_workspace(self) -> None:
        """Flush and close the store (idempotent). Never raises."""
        if self._workspace_closed:
            return
        store = self.store
        running = [w for w in list(self.workers) if w.group == "detect" and not w.is_finished]
        for worker in running:
            worker.cancel()
        if running:
            # give the detection thread a moment to stop at its next document and
            # write the languages it found to the store's cache
            self._detect_stopped.wait(2.0)
        try:
            if store is not None:
                self._rescue_unsaved(store)
                store.close()
            self._workspace_closed = True
        except ReaderError as exc:
            self.exit_message = str(exc)
        except OSError as exc:
            self.exit_message = f"{self.store_path}: could not close the store: {exc.strerror or exc}"

    def on_unmount(self) -> None:
        self.close_workspace()
        self._remove_signal_handlers()
