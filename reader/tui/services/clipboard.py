"""Copy to the clipboard without ever crashing or hanging.

OSC 52 first (``App.copy_to_clipboard``: works over SSH and without a
display, but the terminal never acknowledges it), then pyperclip in a thread
with a timeout (xclip / wl-copy can hang; with no display pyperclip raises).
One notification of one line says what happened; the details (the
clipboard tools' error text, the tmux hint) go to :mod:`reader.tui.services.details`,
shown by `?` and written to the log.
"""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from reader.text import one_line
from reader.tui.services.details import record

if TYPE_CHECKING:  # pragma: no cover
    from textual.app import App
    from textual.notifications import SeverityLevel

#: Seconds to wait for pyperclip (xclip, xsel, wl-copy...) before giving up.
PYPERCLIP_TIMEOUT = 2.0

WORKER_GROUP = "clipboard"


def _system_copy(text: str, timeout: float) -> str:
    """Run ``pyperclip.copy`` in a daemon thread; return a short status, never raise."""
    try:
        import pyperclip
    except Exception as exc:  # pragma: no cover - pyperclip is a dependency
        return f"unavailable (pyperclip cannot be imported: {exc})"

    outcome: dict[str, str] = {}

    def target() -> None:
        try:
            pyperclip.copy(text)
            outcome["status"] = "ok"
        except BaseException as exc:  # PyperclipException, OSError, anything
            reason = one_line(str(exc) or type(exc).__name__, 120)
            outcome["status"] = f"unavailable ({reason})"

    thread = threading.Thread(target=target, name="reader-pyperclip", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        return f"timed out after {timeout:g} s"
    return outcome.get("status", "unavailable (no result)")


def _message(n: int, what: str, osc52: str, system: str) -> tuple[str, SeverityLevel, str]:
    """(one-line message, severity, details)."""
    what = one_line(what, 40) or "text"
    chars = "char" if n == 1 else "chars"
    details = f"Copy {n} {chars} of {what}: terminal clipboard (OSC 52): {'sent' if osc52 == 'ok' else osc52}; system clipboard: {system}"
    if system == "ok":
        return f"Copied {n} {chars} of {what} (system clipboard: ok)", "information", details
    if osc52 == "ok":
        details += ". If nothing was copied, your terminal does not accept OSC 52 (under tmux: set -g set-clipboard on)."
        reason = "timed out" if system.startswith("timed out") else "unavailable"
        return f"Copied {n} {chars} of {what} via OSC 52 (system clipboard {reason}; ? shows why)", "warning", details
    return f"Could not copy {what}: no clipboard answered (? shows why)", "error", details


def copy_text(app: "App[Any]", text: str, what: str = "selection", *, timeout: float | None = None) -> None:
    """Copy ``text`` (OSC 52, then pyperclip in a thread worker); notify the result.

    Never raises and never blocks the event loop for longer than it takes to
    write the OSC 52 sequence.
    """
    if timeout is None:
        timeout = PYPERCLIP_TIMEOUT
    if not text:
        app.notify(f"Nothing to copy: the {one_line(what, 40) or 'selection'} is empty", severity="warning", markup=False)
        return
    try:
        app.copy_to_clipboard(text)
        osc52 = "ok"
    except Exception as exc:
        osc52 = f"failed ({one_line(str(exc) or type(exc).__name__, 80)})"

    n = len(text)

    def work() -> str:
        try:
            system = _system_copy(text, timeout)
        except BaseException as exc:  # pragma: no cover - defensive
            system = f"unavailable ({one_line(str(exc), 80)})"
        msg, severity, details = _message(n, what, osc52, system)
        try:
            record(app, details)  # a deque append and a log line: safe from the worker thread
            app.notify(msg, severity=severity, markup=False, timeout=6)
        except Exception:  # app shutting down
            pass
        return system

    try:
        app.run_worker(work, name="copy", group=WORKER_GROUP, thread=True, exit_on_error=False)
    except Exception:  # no running app (e.g. during shutdown): copy inline with the timeout
        work()
