"""QuitGuard: the app's way out, without losing work.

* Quitting (ctrl+q, the library's q) retries unsaved changes once; if some are
  still unsaved it asks (:class:`reader.tui.dialogs.unsaved.UnsavedDialog`): retry,
  write them to a rescue file, or lose them.
* On any exit (a signal, or after the dialog) unsaved changes go to a rescue
  file rather than nowhere, and the store is flushed and closed once.
* SIGTERM and SIGHUP close the store first, then leave with ``128 + signal``; within
  about a second even when the main thread is stuck writing to a closed terminal.

What happened is left on the app: ``exit_message`` (printed on stderr after
the run), ``work_not_in_store`` (the CLI's exit code) and ``rescue_path``.
"""
from __future__ import annotations

import asyncio
import os
from os import _exit as end_process  # os._exit: the name clashes with a private Textual one (public API test)
import signal
import threading
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, Callable, Sequence

from reader.errors import ReaderError
from reader.protocols import StoreAPI, UnsavedWork
from reader.redact import redact
from reader.text import one_line

if TYPE_CHECKING:  # pragma: no cover
    from reader.tui.app import ReaderApp


#: seconds a SIGTERM/SIGHUP leaves the event loop to get the app out before the watchdog ends the process
EXIT_GRACE = 0.8
def _is_ui_state(op: Sequence[object]) -> bool:
    """An operation on the ``state`` table (the cursor position, the last export, B mode)."""
    return len(op) >= 2 and op[0] in ("meta", "unmeta") and op[1] == "state"


class QuitGuard:
    """Quit, signal and rescue handling for one :class:`~reader.tui.app.ReaderApp`."""

    def __init__(self, app: "ReaderApp") -> None:
        self._app = app
        self._installed: list[int] = []
        self._previous: dict[int, Callable[[int, FrameType | None], Any] | int | None] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._watchdog: threading.Thread | None = None
        self._close_lock = threading.Lock()
        self._out = threading.Event()
        self._closed = False

    def _store(self) -> StoreAPI | None:
        workspace = self._app.workspace
        return workspace.store if workspace is not None else None

    # --- signals ---------------------------------------------------------------

    def install_signal_handlers(self) -> None:
        """SIGTERM and SIGHUP: leave through the event loop, with a watchdog in case the loop is stuck.

        Not ``loop.add_signal_handler``: that handler runs only when the loop gets
        control, and closing the terminal as the first screen paints leaves the
        main thread blocked in Textual's writer queue (nobody reads the terminal
        any more), so the process hung until SIGKILL (issue 21). A plain signal
        handler runs even there: it asks the loop to leave and starts a watchdog
        that, if the app is still running :data:`EXIT_GRACE` seconds later, closes
        the store (rescuing unsaved changes) and ends the process.
        """
        try:
            self._loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)):  # not on every OS
            if sig is None:
                continue
            try:
                self._previous[sig] = signal.signal(sig, self._on_signal)
                self._installed.append(sig)
            except (OSError, RuntimeError, ValueError):
                pass

    def remove_signal_handlers(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for sig in self._installed:
            try:
                signal.signal(sig, self._previous.get(sig, signal.SIG_DFL))
            except (OSError, RuntimeError, ValueError, TypeError):
                pass
        self._installed = []

    def _on_signal(self, sig: int, frame: FrameType | None) -> None:
        """In the main thread, whatever it was doing: hand over to the loop, and start the watchdog."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(self._on_terminate_signal, sig)
            except RuntimeError:  # the loop closed meanwhile
                pass
        if self._watchdog is None:
            self._watchdog = threading.Thread(target=self._force_exit, args=(sig,), name="reader exit watchdog", daemon=True)
            self._watchdog.start()

    def stand_down(self) -> None:
        """The app is out (``App.run`` returned, or a headless run unmounted): no watchdog exit."""
        self._out.set()

    def _force_exit(self, sig: int) -> None:
        """The loop did not get the app out in time: close the store here and end the process."""
        if self._out.wait(EXIT_GRACE):
            return
        self.close(wait=EXIT_GRACE / 2)
        if not self._out.is_set():
            end_process(128 + int(sig))

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
    def _unsaved_work(store: UnsavedWork) -> int:
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

    def _write_rescue(self, store: UnsavedWork) -> tuple[int, Path]:
        from reader.store.rescue import write_rescue

        transactions = store.unsaved_changes()
        path = write_rescue(self._app.store_path, transactions)
        store.discard_unsaved()  # they are safe in the rescue file now
        self._app.rescue_path = path
        self._app.work_not_in_store = True
        return len(transactions), path

    def _rescued_message(self, n: int, path: Path) -> str:
        return redact(f"{n} unsaved change(s) were written to the rescue file {path}; restore them with "
                      f"`reader store restore {path} --store {self._app.store_path}` (it shows the changes and asks)")

    def _rescue_unsaved(self, store: UnsavedWork) -> None:
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

    def close(self, wait: float = -1) -> None:
        """Stop detection, rescue unsaved changes, flush and close the store (idempotent, from any
        thread; ``wait``: at most this many seconds for another thread's close). Never raises."""
        if not self._close_lock.acquire(timeout=wait):
            return
        try:
            self._close()
        finally:
            self._close_lock.release()

    def _close(self) -> None:
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
