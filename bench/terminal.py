"""Time to first screen in a real terminal (a pseudo-terminal), imports included.

``python -m reader`` (or an empty Textual app) starts in a pty of 120x36; the
time runs from the spawn until the screen shows what it should (every marker
text seen in the output, escape sequences removed). Python's start, every
import and the first paint are in the figure, as a user sees it.

Bytecode: this environment sets ``PYTHONDONTWRITEBYTECODE=1``, so nothing ever
writes ``__pycache__`` for reader/ and every start compiled its ~110 modules
from source. :func:`compile_bytecode` compiles them once beforehand (as ``make
install`` does): the figures are with compiled bytecode.
"""
from __future__ import annotations

import compileall
import fcntl
import os
from os import _exit as end_process  # os._exit: the name clashes with a private Textual one (public API test)
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path
from typing import Iterable

ROOT = Path(__file__).resolve().parents[1]
_ESCAPES = re.compile(rb"\x1b(?:\[[0-9;?<>=]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")

EMPTY_APP = '''
from textual.app import App
from textual.widgets import Footer, Header, Label


class Empty(App):
    def compose(self):
        yield Header()
        yield Label("empty app ready")
        yield Footer()


Empty().run()
'''


def compile_bytecode() -> None:
    """Write reader/'s bytecode (whatever PYTHONDONTWRITEBYTECODE says): what the figures assume."""
    compileall.compile_dir(str(ROOT / "reader"), quiet=1)


def time_to_screen(argv: list[str], markers: Iterable[str], *, timeout: float = 60.0, size: tuple[int, int] = (120, 36)) -> float:
    """Seconds from spawning ``argv`` in a pty until every marker has been drawn; then the process is ended."""
    wanted = [m.encode("utf-8") for m in markers]
    env = dict(os.environ, TERM="xterm-256color", PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    t0 = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
            os.execve(argv[0], argv, env)
        finally:
            end_process(127)
    seen = b""
    try:
        while True:
            if time.perf_counter() - t0 > timeout:
                raise RuntimeError(f"{' '.join(argv)}: not on screen within {timeout:.0f} s")
            ready, _, _ = select.select([fd], [], [], 0.02)
            if not ready:
                continue
            try:
                seen += os.read(fd, 1 << 16)
            except OSError:
                raise RuntimeError(f"{' '.join(argv)}: ended before its first screen") from None
            plain = _ESCAPES.sub(b"", seen)
            if all(m in plain for m in wanted):
                return time.perf_counter() - t0
    finally:
        _end(pid, fd)


def _end(pid: int, fd: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    t0 = time.monotonic()
    while time.monotonic() - t0 < 5:
        try:
            select.select([fd], [], [], 0.02)
            os.read(fd, 1 << 16)  # keep reading: the app writes its goodbye
        except OSError:
            pass
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    os.close(fd)


def empty_app_argv(folder: Path) -> list[str]:
    script = folder / "empty_app.py"
    script.write_text(EMPTY_APP, encoding="utf-8")
    return [sys.executable, str(script)]


def reader_argv(corpus: Path, store: Path) -> list[str]:
    return [sys.executable, "-m", "reader", str(corpus), "--store", str(store)]
