"""QuitGuard: the app's way out, without losing work.

* Quitting (ctrl+q, the library's q) retries unsaved changes once; if some are
  still unsaved it asks (:class:`reader.tui.dialogs.unsaved.UnsavedDialog`): retry,
  write them to a rescue file, or lose them.
* On any exit (a signal, or after the dialog) unsaved changes go to a rescue
  file rather than nowhere, and the store is flushed and closed once.
* SIGTERM and SIGHUP close the store first, then leave with ``128 + signal``.

What happened is left on the app: ``exit_message`` (printed on stderr after
the run), ``work_not_in_store`` (the CLI's exit code) and ``rescue_path``.
"""
from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import TYPE_CHECKING

from reader.errors import ReaderError
from reader.protocols import StoreAPI
from reader.text import one_line

if TYPE_CHECKING:  # pragma: no cover
    from reader.tui.app import ReaderApp


def _is_ui_state(op: list[object]) -> bool:
    """An operation on the ``state`` table (the cursor position, the last export, B mode)."""
    return len(op) >= 2 and op[0] in ("meta", "unmeta") and op[1] == "state"


class QuitGuard:
    """Quit, signal and rescue handling for one :class:`~reader.tui.app.ReaderApp`."""

    def __init__(self, app: "ReaderApp") -> None:
        self._app = app
        self._installed: list[int] = []
        self._closed = False

    def _store(self) -> StoreAPI | None:
        workspace = self._app.workspace
        return workspace.store if workspace is not None else None

    # --- signals ---------------------------------------------------------------

    def install_signal_handlers(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        for sig in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)):  # not on every OS
            if sig is None:
                continue
            try:
                loop.add_signal_handler(sig, self._on_terminate_signal, sig)
                self._installed.append(sig)
            except (NotImplementedError, RuntimeError, ValueError):
                pass

    def remove_signal_handlers(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        for sig in self._installed:
            try:
                loop.remove_signal_handler(sig)
            except Exception:
                pass
        self._installed = []

    def _on_terminate_signal(self, sig: int) -> None:
        """SIGTERM / SIGHUP: flush and close the store first, then leave."""
        self.close()
        self._app.exit(return_code=128 + int(sig))

    # --- quitting with unsaved changes -------------------------------------------

    def request_quit(self) -> None:
        """Quit, unless changes are still unsaved after one more try: then ask (UnsavedDialog)."""
        from reader.tui.dialogs.unsaved import UnsavedDialog

        app, store = self._app, self._store()
        unsaved = store.unsaved if store is not None else 0
        if store is not None and unsaved:
            try:
                store.retry_unsaved()
            except (ReaderError, OSError):
                pass
            unsaved = store.unsaved
        if store is None or not unsaved:
            app.exit()
            return
        work = self._unsaved_work(store)
        if not work:
            # only UI state (the reading position, the last export's path) is unsaved: a convenience,
            # not the user's work; the dialog used to count the cursor position as a change (issue 22)
            reason = one_line(str(store.last_error or ""), 300)
            store.discard_unsaved()
            app.exit_message = "the last reading position was not saved" + (f": {reason}" if reason else "")
            app.exit()
            return
        if isinstance(app.screen, UnsavedDialog):
            return
        reason = store.last_error or ""
        app.push_screen(UnsavedDialog(work, one_line(str(reason), 300)), self._unsaved_answer)

    @staticmethod
    def _unsaved_work(store: StoreAPI) -> int:
        """How many unsaved transactions change more than UI state (annotations, links, notes, marks...)."""
        try:
            transactions = store.unsaved_changes()
        except (ReaderError, OSError):
            return store.unsaved
        return sum(1 for ops in transactions if not all(_is_ui_state(op) for op in ops))

    def _unsaved_answer(self, choice: str | None) -> None:
        app, store = self._app, self._store()
        if store is None:
            return
        if choice == "retry":
            self.request_quit()
        elif choice == "rescue":
            try:
                n, path = self._write_rescue(store)
            except ReaderError as exc:
                app.report_error(exc, "No rescue file")
                return
            app.exit_message = self._rescued_message(n, path)
            app.exit(return_code=1)
        elif choice == "lose":
            n = store.discard_unsaved()
            app.work_not_in_store = True
            app.exit_message = f"{n} unsaved change(s) were discarded at your request; the store does not hold them"
            app.exit(return_code=1)

    def _write_rescue(self, store: StoreAPI) -> tuple[int, Path]:
        from reader.store.rescue import write_rescue

        transactions = store.unsaved_changes()
        path = write_rescue(self._app.store_path, transactions)
        store.discard_unsaved()  # they are safe in the rescue file now
        self._app.rescue_path = path
        self._app.work_not_in_store = True
        return len(transactions), path

    def _rescued_message(self, n: int, path: Path) -> str:
        return (f"{n} unsaved change(s) were written to the rescue file {path}; restore them with "
                f"`reader import {path} --store {self._app.store_path}`")

    def _rescue_unsaved(self, store: StoreAPI) -> None:
        """Unsaved changes go to a rescue file rather than nowhere. Never raises;
        the exit message says what happened."""
        if not store.unsaved:
            return
        try:
            store.retry_unsaved()
        except (ReaderError, OSError):
            pass
        if not store.unsaved:
            return
        app = self._app
        try:
            n, path = self._write_rescue(store)
        except ReaderError as exc:
            # the process ends: they are lost either way; say so plainly, and let close() finish
            reason = store.last_error or "the store would not take them"
            app.work_not_in_store = True
            app.exit_message = (f"{store.discard_unsaved()} unsaved change(s) are lost: they could not be "
                                f"saved or rescued ({reason}; {exc})")
            return
        app.exit_message = self._rescued_message(n, path)

    def close(self) -> None:
        """Stop detection, rescue unsaved changes, flush and close the store (idempotent). Never raises."""
        if self._closed:
            return
        app, store = self._app, self._store()
        app.detection.stop()
        try:
            if store is not None:
                self._rescue_unsaved(store)
                store.close()
            self._closed = True
        except ReaderError as exc:
            app.exit_message = str(exc)
        except OSError as exc:
            app.exit_message = f"{app.store_path}: could not close the store: {exc.strerror or exc}"
