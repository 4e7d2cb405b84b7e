"""PaneSuggest: suggesting while the app runs (``ctrl+g``), for this document or the whole corpus.

The same run as ``reader suggest`` (:func:`reader.suggest.engine.suggest_all`:
the rules re-scored by what was learned from the user's decisions, the string
matcher, the trained label models), in a thread worker with a progress bar on
the status line, so no keypress waits for it. The store is the app's own
(``reader suggest`` refuses while the app holds it, and needs not be run).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widget import Widget

from reader.text import one_line
from reader.tui.host import reader_app
from reader.tui.threads import to_ui

if TYPE_CHECKING:
    from reader.suggest import SuggestReport

SCOPES = [("This document", "document"), ("The whole corpus", "corpus")]

def progress_bar(done: int, total: int, width: int = 20) -> str:
    filled = round(width * done / total) if total else width
    return f"{'█' * filled}{'░' * (width - filled)} {done}/{total}"


class PaneSuggest(Widget):
    """DocumentPane's suggest command (DocumentPane provides doc_id, _status, _error and reload_annotations)."""

    if TYPE_CHECKING:
        doc_id: str

        def _status(self, message: str, *, warn: bool = False) -> None: ...

        def _error(self, exc: BaseException | str) -> None: ...

        def reload_annotations(self) -> None: ...

        def _suggested(self) -> None: ...

    def action_suggest(self) -> None:
        from reader.tui.dialogs.pick import PickDialog

        def chosen(scope: str | None) -> None:
            if scope:
                self.suggest(scope)

        self.app.push_screen(PickDialog("Suggest spans (rules, string matcher, trained models) for…", SCOPES,
                                        hint="enter: suggest   escape: cancel"), chosen)

    def suggest(self, scope: str) -> None:
        """Start the worker: ``scope`` is "document" or "corpus"."""
        self._status("suggesting…")
        self.run_worker(lambda: self._suggest_work(scope), thread=True, exclusive=True, group="suggest",
                        name="suggest", description=f"suggest for the {scope}")

    def _suggest_work(self, scope: str) -> None:
        from reader.suggest.engine import suggest_all
        from reader.suggest.learn import load_or_train

        app = reader_app(self)
        store, corpus = app.store, app.corpus
        if corpus is None:
            to_ui(self, self._error, "suggesting needs an open corpus")
            return

        def progress(done: int, total: int) -> None:
            to_ui(self, self._status, f"suggesting {progress_bar(done, total)}")

        try:
            learned = load_or_train(store, corpus)
            report = suggest_all(corpus, store, doc_ids=[self.doc_id] if scope == "document" else None,
                                 progress=progress, rescorer=learned.rescorer)
            report.model_note = learned.note
        except Exception as exc:  # noqa: BLE001 - shown in one line, never a traceback; the store is intact
            to_ui(self, self._error, f"suggesting failed: {exc}")
            return
        to_ui(self, self._suggest_done, report)

    def _suggest_done(self, report: SuggestReport) -> None:
        self.reload_annotations()
        self._suggested()
        self._status(report.headline() + (" ] and [ go through them." if report.added else ""))
        self.app.notify(one_line(report.summary().replace("\n", " "), 600), title="Suggestions", markup=False, timeout=8)
