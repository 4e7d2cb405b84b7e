"""Closing the terminal just as the first screen paints: the app exits within 2 s (issue 21, item 7).

The app runs in a real pseudo-terminal (``python -m reader``). As soon as it
starts painting, the "terminal" stops reading (its output backs up, as when a
terminal window is closing) and the app gets SIGHUP, or the terminal's side is
closed. Before the fix the main thread stayed blocked in Textual's writer
queue, SIGHUP and SIGTERM went unanswered and only SIGKILL ended it.
"""
from __future__ import annotations

import fcntl
import os
from os import _exit as end_process  # os._exit: the name clashes with a private Textual one (public API test)
import pty
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

import pytest

from conftest import copy_seeds

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 2.0  # seconds from the signal (or the close) to the end of the process
STALL = 1.0  # seconds the terminal stops reading before it hangs up

pytestmark = pytest.mark.skipif(not hasattr(pty, "fork"), reason="needs a POSIX pseudo-terminal")


def _spawn(corpus: Path, store: Path) -> tuple[int, int]:
    env = dict(os.environ, TERM="xterm-256color", PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("TEXTUAL", None)
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 120, 0, 0))
            os.execve(sys.executable, [sys.executable, "-m", "reader", str(corpus), "--store", str(store)], env)
        finally:
            end_process(127)
    return pid, fd


def _until_painting(fd: int, timeout: float = 60.0) -> None:
    """Read until the app starts to write to the terminal, then stop reading (its output backs up)."""
    seen = b""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
            if seen:  # its first escape sequences: the screen is being set up and drawn
                return
    raise AssertionError(f"the app did not start painting within {timeout:.0f} s: {seen[-300:]!r}")


def _exit_time(pid: int, limit: float) -> tuple[float | None, int | None]:
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit + 3:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return time.monotonic() - t0, os.waitstatus_to_exitcode(status)
        time.sleep(0.01)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return None, None


@pytest.mark.parametrize("attempt", range(3))
def test_sighup_while_the_first_screen_paints_ends_the_app(tmp_path, attempt):
    corpus = copy_seeds(tmp_path)
    pid, fd = _spawn(corpus, tmp_path / "annotations")
    try:
        _until_painting(fd)
        time.sleep(STALL)  # nobody reads the terminal any more: the app's output backs up
        os.kill(pid, signal.SIGHUP)
        took, code = _exit_time(pid, LIMIT)
    finally:
        os.close(fd)
    assert took is not None, "the app hung after SIGHUP (killed with SIGKILL)"
    assert took < LIMIT, f"the app took {took:.2f} s to exit after SIGHUP"
    # 129: the app's handler closed the store; -SIGHUP: the signal came before the app had
    # installed its handler (nothing to close yet), and its default action ended the process
    assert code in (128 + signal.SIGHUP, -signal.SIGHUP)


def test_closing_the_terminal_while_it_paints_ends_the_app(tmp_path):
    corpus = copy_seeds(tmp_path)
    pid, fd = _spawn(corpus, tmp_path / "annotations")
    _until_painting(fd)
    os.close(fd)  # the terminal goes away: the kernel sends SIGHUP to the session
    took, _ = _exit_time(pid, LIMIT)
    assert took is not None and took < LIMIT, f"the app did not exit within {LIMIT} s of the terminal closing"
