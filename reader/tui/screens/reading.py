"""ReadingScreen: one document, annotated, with the annotation list (see reader.tui.widgets.pane)."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen

from reader.errors import ReaderError
from reader.tui.host import reader_app
from reader.tui.widgets.keybar import KeyBar
from reader.tui.widgets.pane import DocumentPane
from reader.tui.widgets.textview import AnnotatedTextView


class ReadingScreen(Screen[None]):
    """Read and tag one document."""

    CSS_PATH = "reading.tcss"
    BINDINGS = [
        Binding("q", "back", "Back", tooltip="Back to the library"),
    ]

    def __init__(self, doc_id: str, *, offset: int | None = None) -> None:
        super().__init__()
        self.doc_id = doc_id
        self._start_offset = offset
        self._cursor: int | None = None

    @property
    def pane(self) -> DocumentPane:
        return self.query_one(DocumentPane)

    @property
    def view(self) -> AnnotatedTextView:
        return self.pane.view

    def compose(self) -> ComposeResult:
        yield DocumentPane(self.doc_id, show_panel=True, id="pane")
        yield KeyBar(reader_app(self).labels)

    def on_mount(self) -> None:
        corpus = reader_app(self).corpus
        doc = corpus.get(self.doc_id) if corpus is not None else None
        self.title = doc.title if doc is not None else self.doc_id
        offset = self._start_offset
        if offset is None:
            offset = self._remembered_offset()
        view = self.view
        view.focus()
        if offset:
            self.call_after_refresh(self._restore, offset)

    def _restore(self, offset: int) -> None:
        view = self.view
        view.move_to(min(max(0, offset), len(view.text)))
        view.scroll_to_offset(view.cursor, top=True)

    def _remembered_offset(self) -> int | None:
        try:
            pos = reader_app(self).last_position()
        except ReaderError:
            return None
        if pos is not None and pos[0] == self.doc_id:
            return pos[1]
        return None

    def on_annotated_text_view_cursor_moved(self, event: AnnotatedTextView.CursorMoved) -> None:
        self._cursor = event.offset  # kept for on_unmount, when the view may be gone already

    def remember(self) -> None:
        cursor = self.view.cursor if self.query(DocumentPane) else self._cursor
        if cursor is None:
            return
        try:
            reader_app(self).remember_position(self.doc_id, cursor)
        except ReaderError as exc:
            self.app.notify(str(exc), severity="warning", markup=False)

    def on_screen_resume(self) -> None:
        try:
            self.pane.check_file()
            self.pane.reload_annotations()
        except Exception:
            pass

    def on_screen_suspend(self) -> None:
        self.remember()

    def on_unmount(self) -> None:
        # quitting the app from this screen (ctrl+q, a signal) keeps the position too
        self.remember()

    def action_back(self) -> None:
        self.remember()
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        else:
            self.app.exit()
