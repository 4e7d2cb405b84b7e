"""CompareScreen: two to four documents side by side, each a full DocumentPane."""
from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import Footer

from reader.tui.pane import DocumentPane
from reader.tui.textview import AnnotatedTextView


class CompareScreen(Screen):
    """Read and tag 2-4 documents side by side; optional proportional synchronised scrolling."""

    CSS_PATH = ["reading.tcss", "compare.tcss"]
    BINDINGS = [
        Binding("tab", "focus_pane(1)", "Next pane", priority=True),
        Binding("shift+tab", "focus_pane(-1)", "Previous pane", show=False, priority=True),
        Binding("S", "toggle_sync", "Sync scroll", tooltip="Scroll the panes together, proportionally"),
        Binding("q", "back", "Back"),
        Binding("escape", "back", "Back", show=False),
    ]

    def __init__(self, doc_ids: list[str] | tuple[str, ...]) -> None:
        super().__init__()
        self.doc_ids = list(doc_ids)[:4]
        self.sync = False
        self._syncing = False

    @property
    def panes(self) -> list[DocumentPane]:
        return list(self.query(DocumentPane))

    def compose(self) -> ComposeResult:
        with Horizontal(id="panes"):
            for i, doc_id in enumerate(self.doc_ids):
                yield DocumentPane(doc_id, show_panel=False, id=f"pane-{i}", classes="compare-pane")
        yield Footer()

    def on_mount(self) -> None:
        if len(self.doc_ids) < 2:
            self.app.notify("Compare needs two to four documents; showing what there is", severity="warning", markup=False)
        panes = self.panes
        if panes:
            panes[0].view.focus()
        self.title = "Compare: " + " | ".join(self.doc_ids)

    def _focused_index(self) -> int:
        panes = self.panes
        focused = self.focused
        for i, pane in enumerate(panes):
            if focused is not None and (focused is pane or pane in focused.ancestors):
                return i
        return 0

    def action_focus_pane(self, step: int) -> None:
        panes = self.panes
        if not panes:
            return
        i = (self._focused_index() + step) % len(panes)
        panes[i].view.focus()

    def action_toggle_sync(self) -> None:
        self.sync = not self.sync
        self.notify(f"Synchronised scrolling {'on' if self.sync else 'off'}", timeout=2)
        if self.sync:
            panes = self.panes
            if panes:
                self._follow(panes[self._focused_index()].view)

    def _follow(self, source: AnnotatedTextView) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            fraction = source.scroll_fraction
            for pane in self.panes:
                view = pane.view
                if view is not source:
                    view.scroll_fraction = fraction
        finally:
            self._syncing = False

    @on(AnnotatedTextView.Scrolled)
    def _scrolled(self, event: AnnotatedTextView.Scrolled) -> None:
        if self.sync and not self._syncing and event.view.has_focus:
            self._follow(event.view)

    @on(DocumentPane.Changed)
    def _pane_changed(self, event: DocumentPane.Changed) -> None:
        for pane in self.panes:
            if pane is not event.pane:
                pane.reload_annotations()

    def on_screen_resume(self) -> None:
        for pane in self.panes:
            try:
                pane.check_file()
                pane.reload_annotations()
            except Exception:
                pass

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        else:
            self.app.exit()
