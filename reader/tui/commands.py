"""Command palette provider: every key of the active screen, and the app's commands.

So every action is reachable by name (ctrl+p), and each one shows its key.
"""
from __future__ import annotations

from functools import partial
from typing import Any, Callable, Iterator

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content
from textual.markup import escape

from reader.text import one_line
from reader.tui.host import reader_app

#: How many "Open: <title>" hits to offer at most for one query.
MAX_DOCUMENT_HITS = 40


def safe_help(text: str) -> str:
    """The palette renders help as markup: make it inert and escape it."""
    return escape(one_line(text, 160))


def safe_highlight(matcher: Matcher, candidate: str) -> Content:
    """Like ``Matcher.highlight`` but never interprets the candidate as markup."""
    content = Content(candidate)
    try:
        score, offsets = matcher.fuzzy_search.match(matcher.query, candidate)
    except Exception:
        return content
    if score:
        for offset in offsets:
            if offset < len(candidate) and not candidate[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class ReaderCommands(Provider):
    """Bindings of the screen the palette was opened from, app commands, documents by title."""

    def _app_commands(self) -> Iterator[tuple[str, str, Callable[[], Any]]]:
        # the app's own keys (export, reopen, dark mode...) come with the screen's bindings
        yield ("Help: keys of this screen", "List every key of the current screen (?)", partial(self._help))

    def _help(self) -> None:
        from reader.tui.dialogs.help import HelpScreen

        self.app.push_screen(HelpScreen(self.screen))

    def _binding_commands(self) -> Iterator[tuple[str, str, Callable[[], Any]]]:
        from reader.tui.dialogs.help import binding_entries

        seen: set[str] = set()
        for entry in binding_entries(self.screen):
            if entry.action in ("command_palette", "help") or not entry.enabled:
                continue
            name = one_line(entry.description, 80)
            if name in seen:
                continue
            seen.add(name)
            keys = " / ".join(entry.keys)
            help_text = f"{entry.section} · key: {keys}"
            yield (name, help_text, partial(self._run_binding, entry.node, entry.action))

    async def _run_binding(self, node: Any, action: str) -> None:
        target = node if node is not None else self.screen
        await target.run_action(action)

    def _document_commands(self) -> Iterator[tuple[str, str, Callable[[], Any]]]:
        app = reader_app(self.screen)
        corpus = app.corpus
        if corpus is None:
            return
        for doc in corpus.documents:
            title = one_line(doc.title or doc.id, 80)
            lang = (doc.lang or "").upper()
            yield (f"Open: {title}", f"{one_line(doc.id, 60)} · {lang}", partial(app.open_document, doc.id))

    async def discover(self) -> Hits:
        for name, help_text, callback in self._app_commands():
            yield DiscoveryHit(Content(name), callback, text=name, help=safe_help(help_text))
        for name, help_text, callback in self._binding_commands():
            yield DiscoveryHit(Content(name), callback, text=name, help=safe_help(help_text))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for source in (self._app_commands(), self._binding_commands()):
            for name, help_text, callback in source:
                score = matcher.match(name)
                if score > 0:
                    yield Hit(score, safe_highlight(matcher, name), callback, text=name, help=safe_help(help_text))
        hits = []
        for name, help_text, callback in self._document_commands():
            score = matcher.match(name)
            if score > 0:
                hits.append((score, name, help_text, callback))
        hits.sort(key=lambda h: -h[0])
        for score, name, help_text, callback in hits[:MAX_DOCUMENT_HITS]:
            yield Hit(score * 0.9, safe_highlight(matcher, name), callback, text=name, help=safe_help(help_text))
