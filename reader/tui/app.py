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
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.worker import Worker

from reader.teams.adjudication import GOLD
from reader.errors import LabelsError, ReaderError, StoreError, StoreLockedError
from reader.labels import LabelSet
from reader.protocols import CorpusAPI, StoreAPI
from reader.text import one_line
from reader.tui.services import clipboard
from reader.tui.commands import ReaderCommands
from reader.tui.services.detection import DetectionFinished, DetectionProgress, LanguageDetection
from reader.tui.services.heap import HeapSettler
from reader.tui.services.shutdown import QuitGuard
from reader.store.unavailable import UnavailableStore

if TYPE_CHECKING:  # pragma: no cover
    from textual.screen import Screen

    from reader.workspace import Workspace

DEFAULT_STORE = "annotations"
STATE_LAST = "ui.last_position"


class ReaderApp(App[None]):
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
        gold: str = GOLD,
    ) -> None:
        super().__init__()
        from reader.model import default_annotator
        from reader.workspace import store_location

        self.corpus_path = Path(corpus_path).expanduser()
        self.store_path = store_location(store_path if store_path is not None else DEFAULT_STORE)
        self.annotator = annotator or os.environ.get("READER_ANNOTATOR") or default_annotator()
        self.gold = gold  # the layer adjudication builds
        self.readonly_requested = readonly
        self.detect = detect
        self.install_signals = signals
        self.workspace: Workspace | None = None
        self.store_problem: str | None = None
        self.corpus_problem: str | None = None
        self.detection_done = False
        self.exit_message: str | None = None
        self.first_screen_at: float | None = None
        self._background_started = False  # after_first_screen has run
        self.detection = LanguageDetection(self)
        self.quit_guard = QuitGuard(self)
        self.heap = HeapSettler()  # collect once and freeze after a new screen is painted

    # --- contract attributes -------------------------------------------------

    @property
    def corpus(self) -> CorpusAPI | None:
        return self.workspace.corpus if self.workspace is not None else None

    @property
    def store(self) -> StoreAPI:
        """The store: an ``UnavailableStore`` when it could not open, and before the first screen opens it."""
        if self.workspace is None:
            return UnavailableStore(self.store_path, "the store is not open yet", LabelSet())
        return self.workspace.store

    @property
    def labels(self) -> LabelSet:
        return self.workspace.store.labels if self.workspace is not None else LabelSet()

    @property
    def readonly(self) -> bool:
        return self.workspace.store.readonly if self.workspace is not None else True

    # --- startup -------------------------------------------------------------

    def _open_workspace(self) -> None:
        from reader.corpus import Corpus, Problem, load_corpus
        from reader.workspace import Workspace

        notes: list[tuple[str, SeverityLevel]] = []
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
            ws_store = self.workspace.store
            if ws_store.lost_files:
                from reader.store import lost_files_line

                notes.append((lost_files_line(ws_store.location, ws_store.lost_files), "error"))
            report = self.workspace.reanchor_report
            if report is not None and report.changed:
                notes.append((report.summary(), "warning"))
        self._startup_notes = notes

    _startup_notes: list[tuple[str, SeverityLevel]] = []

    def _update_titles(self) -> None:
        corpus_name = self.corpus_path.name or str(self.corpus_path)
        self.title = one_line(f"reader — {corpus_name}", 80)
        store = self.workspace.store if self.workspace is not None else None
        location = (store.location if store is not None else None) or self.store_path
        who = f"annotator: {self.annotator} · "
        if self.store_problem:
            sub = f"{who}READ-ONLY (store unavailable) · {location}"
        elif store is not None and store.readonly:
            reason = store.readonly_reason or "read-only"
            sub = f"{who}READ-ONLY ({reason}) · {location}"
        else:
            sub = f"{who}store: {location}"
        self.sub_title = one_line(sub, 160)

    def get_default_screen(self) -> Screen[Any]:
        """The library is the base screen: open the store and the corpus first."""
        from reader.tui.screens.library import LibraryScreen

        if self.workspace is None:
            self._open_workspace()
            self._update_titles()
        return LibraryScreen()

    def on_mount(self) -> None:
        self.screen_change_signal.subscribe(self, self._screen_changed)
        if self.workspace is None:  # pragma: no cover - get_default_screen normally did it
            self._open_workspace()
            self._update_titles()
        if self.install_signals:
            self.quit_guard.install_signal_handlers()
        for message, severity in self._startup_notes:
            self.notify(one_line(message, 600), severity=severity, markup=False, timeout=20)
        self._offer_resume()
        from reader.tui.services.teamsync import StoreSync

        if StoreSync.wanted(self.store):  # a shared store: show the others' new annotations
            self.store_sync = StoreSync(self, self.store, self.corpus)
            self.store_sync.start()
        # the library calls after_first_screen once it is painted
        self.detection_done = not (self.detect and self.corpus is not None and self.corpus.pending)

    def after_first_screen(self) -> None:
        """Called by the library once painted (not from on_mount: the app's first refresh comes
        before the library has composed, and these threads would hold the GIL while it draws)."""
        if self._background_started:
            return
        self._background_started = True
        self._screen_changed(self.screen)  # the first screen came before the app subscribed to screen changes
        from reader.tui.services.warmup import warm_amounts

        warm_amounts(self)  # a salary tag then parses with compiled tables
        if self.detect and self.corpus is not None and self.corpus.pending:
            self.detect_languages()  # loading langdetect's profiles holds the GIL for a while

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

    # --- language detection (a thread worker: reader/tui/services/detection.py) ---------

    def detect_languages(self) -> Worker[int] | None:
        """Detect the pending documents' languages in a thread worker (group ``detect``)."""
        if self.workspace is None:
            return None
        store = self.workspace.store
        return self.detection.start(self.workspace.corpus, store)

    def on_detection_progress(self, message: DetectionProgress) -> None:
        self.detection.show_progress(message)

    def on_detection_finished(self, message: DetectionFinished) -> None:
        self.detection_done = True
        self.detection.finished(message)

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
        corpus = self.corpus
        missing = [d for d in doc_ids if corpus is None or corpus.get(d) is None]
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
        if self.workspace is not None and self.workspace.store.shared:
            return f"{STATE_LAST}@{self.annotator}"
        return STATE_LAST

    def remember_position(self, doc_id: str, offset: int) -> None:
        try:
            self.store.set_state(self._last_key, {"doc_id": doc_id, "offset": int(offset)})
        except (ReaderError, OSError):
            pass  # read-only or failing disk: the position is a convenience

    def last_position(self) -> tuple[str, int] | None:
        try:
            value = self.workspace.store.get_state(self._last_key) if self.workspace is not None else None
        except (ReaderError, OSError):
            return None
        if isinstance(value, dict) and isinstance(doc_id := value.get("doc_id"), str):
            offset = value.get("offset")
            return doc_id, max(0, offset) if isinstance(offset, int) and not isinstance(offset, bool) else 0
        return None

    # --- actions -------------------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's palette commands without its own "Quit" (it left without the unsaved dialog
        and wrote a rescue file silently): "Quit" in the palette is ctrl+q, through the QuitGuard."""
        for command in super().get_system_commands(screen):
            if command.title != "Quit":
                yield command

    def action_help(self) -> None:
        from reader.tui.dialogs.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen))

    def action_review(self) -> None:
        """Documents to adjudicate, with review progress (the gold layer is built there)."""
        from reader.tui.screens.adjudicate import AdjudicationScreen, ReviewScreen

        if isinstance(self.screen, (ReviewScreen, AdjudicationScreen)):
            return
        self.push_screen(ReviewScreen(gold=self.gold))

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
        dark = self.current_theme.dark
        self.theme = "textual-light" if dark else "textual-dark"

    def run(self, *args: Any, **kwargs: Any) -> Any:
        """Run the app; afterwards, say on stderr if the store could not be closed cleanly."""
        try:
            return super().run(*args, **kwargs)
        finally:
            self.quit_guard.stand_down()
            self.close_workspace()
            if self.exit_message:
                import sys

                print(f"reader: {one_line(self.exit_message, 1000)}", file=sys.stderr)

    # --- quitting, signals, rescue (reader/tui/services/shutdown.py) ---------------------

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
        self.quit_guard.request_quit()

    def close_workspace(self) -> None:
        """Stop detection, rescue unsaved changes, flush and close the store (idempotent). Never raises."""
        self.quit_guard.close()

    # --- the heap (reader/tui/services/heap.py) ------------------------------------------

    def _screen_changed(self, screen: Screen[Any]) -> None:
        if self.heap.wants(screen):
            self.call_after_refresh(self.heap.settle, screen)

    def settle_heap(self) -> None:
        """A screen has built what it keeps while open: collect once and freeze it."""
        self.call_after_refresh(self.heap.settle)

    def on_unmount(self) -> None:
        self.heap.release()
        self.close_workspace()
        self.quit_guard.remove_signal_handlers()
        if self.is_headless:  # no terminal to get stuck on (run() stands down in a real one)
            self.quit_guard.stand_down()
