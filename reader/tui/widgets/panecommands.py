"""PaneCommands: the pane's commands that hand work elsewhere: copy, export, language, visual order.

A part of :class:`reader.tui.widgets.pane.DocumentPane` (which provides the
view, the host, the controller and the status line), as Textual's TextArea
hands its jobs to parts.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widget import Widget

from reader.errors import ReaderError
from reader.tui.widgets.paneheader import is_rtl_lang
from reader.tui.widgets.textview import AnnotatedTextView

if TYPE_CHECKING:
    from reader.controller import AnnotationController, Outcome
    from reader.formats.pipeline import ExportResult
    from reader.model import Annotation, Document
    from reader.tui.widgets.pane import PaneHost

VISUAL_ORDER_KEY = "rtl_visual_order"  # store state: the right-to-left visual order is on


class PaneCommands(Widget):
    """Copy, export, language and visual order for DocumentPane."""

    if TYPE_CHECKING:
        @property
        def view(self) -> AnnotatedTextView: ...

        @property
        def host(self) -> PaneHost: ...

        @property
        def controller(self) -> AnnotationController: ...

        @property
        def doc(self) -> Document: ...

        def annotation_at(self, offset: int | None = None) -> Annotation | None: ...

        def _status(self, message: str, *, warn: bool = False) -> None: ...

        def _error(self, exc: BaseException | str) -> None: ...

        def _show(self, outcome: Outcome) -> None: ...

        def update_header(self) -> None: ...

    def action_copy(self) -> None:
        view = self.view
        text = view.selected_text
        what = "selection"
        if not text:
            ann = self.annotation_at()
            if ann is None:
                self.app.notify("Nothing to copy: select text or move onto an annotation", severity="warning", markup=False)
                return
            text, what = view.text[ann.start : ann.end], f"{ann.label} annotation"
        self.host.copy_text(text, what)

    def action_export(self) -> None:
        from reader.tui.dialogs import ExportDialog, describe_export

        def done(result: ExportResult | None) -> None:
            if result is not None:
                self._status(describe_export(result))

        self.app.push_screen(ExportDialog(), done)

    def action_language(self) -> None:
        from reader.tui.dialogs import LanguageDialog

        def done(lang: str | None) -> None:
            if lang is None:
                return
            outcome = self.controller.set_language(lang)
            self.view.rtl = is_rtl_lang(self.doc.lang)
            self._show(outcome)
            self.update_header()

        self.app.push_screen(LanguageDialog(self.doc.lang), done)

    def action_toggle_visual_order(self) -> None:
        """Visual order for right-to-left lines, in every pane of the screen; remembered in the store."""
        on = not self.view.visual_rtl
        for view in self.screen.query(AnnotatedTextView):
            view.visual_rtl = on
        try:
            self.host.store.set_state(VISUAL_ORDER_KEY, on)
        except ReaderError as exc:
            self._error(exc)
        self._status(f"right-to-left visual order {'on' if on else 'off'} (B)")

