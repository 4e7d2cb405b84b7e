"""Output helpers shared by the command-line modules: consoles, inert text, JSON on stdout, status lines.

Also the exit codes and defaults every command uses, and the workspace opener
(corpus + store, with the re-anchoring report on stderr).
"""
from __future__ import annotations

import argparse
import io
import json
import os
import sys
from typing import TYPE_CHECKING, Any, Callable

from reader.text import json_terminal_safe, one_line

if TYPE_CHECKING:
    from rich.console import Console
    from rich.text import Text

    from reader.workspace import Workspace

DEFAULT_CORPUS = "seeds"
DEFAULT_STORE = "annotations"

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_PIPE = 141


class UsageError(Exception):
    pass


def console(stderr: bool = False) -> Console:
    from rich.console import Console

    file = sys.stderr if stderr else sys.stdout
    width = None
    try:
        if not file.isatty() and not os.environ.get("COLUMNS"):
            width = 120  # piped or captured: no terminal to measure, do not squeeze titles to 80 columns
    except (AttributeError, ValueError):
        width = 120
    return Console(file=file, width=width, highlight=False, markup=False, emoji=False, soft_wrap=False)


def text(value: Any, limit: int = 0) -> Text:
    """A rich Text that shows ``value`` literally: no markup, control characters inert."""
    from rich.text import Text

    return Text(one_line("" if value is None else str(value), limit))


def write_json(data: Any) -> None:
    write_raw(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def stdout_is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


class TerminalJSON:
    """A text stream for JSON on a terminal: C1 and bidi controls go out as ``\\uXXXX``."""

    def __init__(self, stream: Any):
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(json_terminal_safe(text))
        return len(text)

    def flush(self) -> None:
        self.stream.flush()


def utf8_stdout() -> tuple[Any, Callable[[], None]]:
    """A UTF-8 text stream on stdout (whatever the locale) and a function that releases it.

    Everything written through it is JSON; on a terminal it is made terminal-safe.
    """
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:
        out: Any = sys.stdout
        release: Callable[[], None] = sys.stdout.flush
    else:
        sys.stdout.flush()
        wrapper = io.TextIOWrapper(buffer, encoding="utf-8", newline="\n")

        def release() -> None:
            wrapper.flush()
            wrapper.detach()

        out = wrapper
    return (TerminalJSON(out) if stdout_is_terminal() else out), release


def write_raw(text: str) -> None:
    # a lone surrogate (a file name that is not UTF-8) cannot be written as UTF-8: inside
    # a JSON string its "\\udcff" escape means the same code point
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    out, release = utf8_stdout()
    try:
        out.write(text)
    finally:
        release()


def err(message: str) -> None:
    sys.stderr.write(f"reader: {one_line(message)}\n")
    sys.stderr.flush()


def info(message: str, max_lines: int = 0) -> None:
    """Status lines on stderr (stdout may be carrying exported data); each line inert."""
    lines = message.splitlines() or [""]
    if max_lines and len(lines) > max_lines + 1:
        hidden = len(lines) - max_lines
        lines = lines[:max_lines] + [f"  ... and {hidden} more line(s)"]
    sys.stderr.write("".join(one_line(line) + "\n" for line in lines))
    sys.stderr.flush()


# --- workspace ---------------------------------------------------------------------

def open_workspace(args: argparse.Namespace, *, readonly: bool, detect: bool = True) -> Workspace:
    from reader.workspace import Workspace

    ws = Workspace.open(args.corpus, args.store, readonly=readonly, detect=detect, annotator=args.annotator)
    if ws.store.lost_files:
        from reader.store import lost_files_line

        info(lost_files_line(ws.store.location, ws.store.lost_files))
    report = ws.reanchor_report
    if report is not None and (report.changed or report.missing_documents):
        # documents edited since they were annotated: say what happened to their annotations
        info(report.summary())
    return ws
