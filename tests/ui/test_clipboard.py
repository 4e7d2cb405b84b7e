"""app.copy_text / reader.tui.services.clipboard: OSC 52 first, pyperclip in a thread, never crash or hang."""
from __future__ import annotations

import threading

import pyperclip
from textual.app import App

from reader.tui.services import clipboard
from reader.tui.services import details

from tui_helpers import notifications, run_test


class Host(App):
    def copy_text(self, text: str, what: str = "selection") -> None:
        clipboard.copy_text(self, text, what, timeout=0.3)


def _messages(app: App) -> list[tuple[str, str]]:
    return [(n.message, n.severity) for n in notifications(app)]


async def _settle(app: App, pilot) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_copy_when_no_system_clipboard(monkeypatch):
    def broken(text):
        raise pyperclip.PyperclipException("Pyperclip could not find a copy/paste mechanism for your system.")

    monkeypatch.setattr(pyperclip, "copy", broken)
    app = Host()
    async with run_test(app) as pilot:
        app.copy_text("héllo wörld", "selection")
        await _settle(app, pilot)
        assert app.is_running
        assert app.clipboard == "héllo wörld"  # OSC 52 was sent
        (msg, severity), = _messages(app)
        assert msg == "Copied 11 chars of selection via OSC 52 (system clipboard unavailable; ? shows why)"
        assert severity == "warning"
        # one line; the details (pyperclip's error, the tmux hint) are kept for the help screen
        detail, = details.recent(app)
        assert "could not find a copy/paste mechanism" in detail and "set-clipboard on" in detail


async def test_copy_when_pyperclip_hangs(monkeypatch):
    release = threading.Event()

    def hang(text):
        release.wait(30)

    monkeypatch.setattr(pyperclip, "copy", hang)
    app = Host()
    try:
        async with run_test(app) as pilot:
            app.copy_text("abc", "annotation")
            await _settle(app, pilot)
            (msg, severity), = _messages(app)
            assert msg == "Copied 3 chars of annotation via OSC 52 (system clipboard timed out; ? shows why)"
            assert "timed out after 0.3 s" in details.recent(app)[-1]
            # the app is still responsive
            await pilot.press("a")
            assert app.is_running
    finally:
        release.set()


async def test_copy_success(monkeypatch):
    got = []
    monkeypatch.setattr(pyperclip, "copy", got.append)
    app = Host()
    async with run_test(app) as pilot:
        app.copy_text("x" * 5, "span")
        await _settle(app, pilot)
        assert got == ["xxxxx"]
        (msg, severity), = _messages(app)
        assert msg == "Copied 5 chars of span (system clipboard: ok)" and severity == "information"


async def test_copy_when_everything_fails(monkeypatch):
    def broken(text):
        raise RuntimeError("no display")

    monkeypatch.setattr(pyperclip, "copy", broken)
    app = Host()

    def osc_fails(text):
        raise OSError("terminal gone")

    async with run_test(app) as pilot:
        monkeypatch.setattr(app, "copy_to_clipboard", osc_fails)
        app.copy_text("abc")
        await _settle(app, pilot)
        (msg, severity), = _messages(app)
        assert msg.startswith("Could not copy") and severity == "error"
        assert "terminal gone" in details.recent(app)[-1] and "no display" in details.recent(app)[-1]
        assert app.is_running


async def test_copy_empty_text_is_a_warning():
    app = Host()
    async with run_test(app) as pilot:
        app.copy_text("")
        await pilot.pause()
        (msg, severity), = _messages(app)
        assert "Nothing to copy" in msg


async def test_message_text_is_inert(monkeypatch):
    def broken(text):
        raise pyperclip.PyperclipException("[bold red]x[/] \x1b[2J")

    monkeypatch.setattr(pyperclip, "copy", broken)
    app = Host()
    async with run_test(app) as pilot:
        app.copy_text("abc", "[@click=app.quit]q[/]")
        await _settle(app, pilot)
        (msg, _), = _messages(app)
        assert "\x1b" not in msg
        assert app.is_running
