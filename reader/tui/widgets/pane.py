"""DocumentPane: one document with its header, text view, annotation panel, search and status.

Used by the reading screen (one pane) and the compare screen (2-4 panes), so
selection, tagging, search, copy, notes, undo and suggestions behave the same
in both. The pane turns keys into calls on an
:class:`~reader.controller.AnnotationController` (no Textual; it talks to the
store) and shows what comes back. The header is a :class:`PaneHeader` fed
through reactives, the search field a :class:`SearchBar` that posts messages,
and file changes arrive as :class:`~reader.tui.services.watcher.DocumentChanged` from
the app's one :class:`~reader.tui.services.watcher.DocumentWatcher`.
"""
from __future__ import annotations

import string
from typing import TYPE_CHECKING, Protocol, cast

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Static

from reader.tui.services.teamsync import offline_line
from reader.tui.widgets.panecommands import VISUAL_ORDER_KEY, PaneCommands
from reader.tui.threads import to_ui
from reader.annset import Delta
from reader.controller import AnnotationController, ControllerCorpus, ControllerStore, Outcome, span_label
from reader.suggest.learn import LearningStore, Relearner, RelearnResult, TextLookup

def describe_annotation(ann: Annotation) -> str:
    """The status line for an annotation: label, span, its value, and why it was suggested."""
    from reader.tui.values import format_value

    text = f"{ann.label} {span_label(ann.start, ann.end)}"
    value = format_value(ann.value)
    if value:
        text += f" = {value}"
    if ann.status == STATUS_SUGGESTED:
        text += " (suggested"
        if ann.score is not None:
            text += f", score {ann.score:.2f}"
        if ann.reason:
            text += f": {ann.reason}"
        text += ")"
    return text


RELEARN_BATCH = 5  # accept/reject decisions between two re-scorings of the pending suggestions
from reader.errors import ReaderError
from reader.labels import LabelSet
from reader.model import STATUS_SUGGESTED, Annotation, Document
from reader.text import one_line
from reader.tui.widgets.annlist import AnnotationList, AnnotationPanel
from reader.tui.widgets.paneheader import PaneHeader, is_rtl_lang, position_text
from reader.tui.widgets.panesearch import PaneSearch
from reader.tui.widgets.panesuggest import PaneSuggest
from reader.tui.widgets.searchbar import SearchBar
from reader.tui.widgets.textview import AnnotatedTextView
from reader.tui.services.watcher import DocumentChanged, WatchedCorpus, WatchedStore, document_watcher, stop_watching

if TYPE_CHECKING:  # pragma: no cover
    from reader.formats.pipeline import ExportResult

__all__ = ["DocumentPane", "is_rtl_lang", "span_label"]

RETRY_SECONDS = 2.0
#: keys a label may use that get a static binding (others are caught in on_key)
TAG_KEYS = "1234567890" + string.ascii_letters


class PaneCorpus(ControllerCorpus, TextLookup, WatchedCorpus, Protocol):
    """What the pane needs of the corpus: the controller's part, the texts for re-scoring, reload."""


class PaneStore(LearningStore, ControllerStore, WatchedStore, Protocol):
    """What the pane needs of the store: the controller's part, re-anchoring on reload, and relearning."""

    @property
    def offline_since(self) -> float | None: ...  # a shared store's server out of reach since (time.time())


class PaneHost(Protocol):
    """What the pane needs from the app (ReaderApp and the test host both provide it)."""

    @property
    def store(self) -> PaneStore: ...

    @property
    def corpus(self) -> PaneCorpus: ...

    @property
    def labels(self) -> LabelSet: ...

    def copy_text(self, text: str, what: str = "selection") -> None: ...

    def report_error(self, error: BaseException | str) -> None: ...


PANE_BINDINGS: list[Binding | tuple[str, str] | tuple[str, str, str]] = [
    Binding("c", "note", "Note", tooltip="Add or edit the note of the annotation under the cursor"),
    Binding("T", "pick_label", "Tag with a label…", tooltip="Pick any label by typing part of its name (past 9 labels the hotkeys run out)"),
    Binding("n", "next_match", "Next match", show=False, tooltip="Next search match (while a search is active)"),
    Binding("N", "prev_match", "Previous match", show=False, tooltip="Previous search match (while a search is active)"),
    Binding("x,delete", "delete", "Delete", tooltip="Delete the annotation under the cursor"),
    Binding("ctrl+z", "undo", "Undo"),
    Binding("ctrl+y", "redo", "Redo"),
    Binding("right_square_bracket", "jump(1)", "Next annotation", key_display="]"),
    Binding("left_square_bracket", "jump(-1)", "Previous annotation", key_display="["),
    Binding("t", "toggle_suggestion_jumps", "Jump: suggestions, best first", show=False, tooltip="] and [ go through the suggestions from the highest score down"),
    # priority: the action runs before the keys typed after it are routed, so
    # "/" and a query typed at once (tmux, a fast typist) land in the field;
    # SearchBar passes on what was typed after enter (see there)
    Binding("slash", "search", "Search", key_display="/", priority=True),
    Binding("y", "copy", "Copy"),
    Binding("e", "export", "Export"),
    Binding("a", "accept", "Accept suggestion", show=False),
    Binding("r", "reject", "Reject suggestion", show=False),
    Binding("A", "accept_all", "Accept all suggestions", show=False),
    Binding("ctrl+g", "suggest", "Suggest: this document or the corpus…", show=False,
            tooltip="Run the recognisers, the string matcher and the trained label models while you read (in the background)"),
    Binding("L", "language", "Language", show=False),
    Binding("h", "toggle_panel", "Annotation list", show=False),
    Binding("B", "toggle_visual_order", "RTL visual order", show=False,
            tooltip="Draw right-to-left lines in visual order, right-aligned (for terminals without bidi; remembered)"),
    Binding("ctrl+l", "next_layer", "Layer: next annotator / all", show=False,
            tooltip="Show another annotator's layer (read-only), then all layers, then yours again"),
    Binding("escape", "end_search", "End search", show=False),
    # label keys: static, enabled by check_action for the keys labels.toml uses
    *(Binding(k, f"tag_key({k!r})", "Tag with this key's label", show=False) for k in TAG_KEYS),
]



class DocumentPane(PaneSearch, PaneSuggest, PaneCommands, Vertical):
    """A document view with tagging. Bindings apply while focus is inside the pane."""

    BINDINGS = PANE_BINDINGS

    search_active: reactive[bool] = reactive(False, init=False)
    suggestions_only: reactive[bool] = reactive(False, init=False)
    show_panel: reactive[bool] = reactive(True, init=False)

    class Changed(Message):
        """The store changed through this pane (other panes refresh)."""

        def __init__(self, pane: "DocumentPane") -> None:
            super().__init__()
            self.pane = pane

    def __init__(self, doc_id: str, *, show_panel: bool = True, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.doc_id = doc_id
        self._show_panel_initial = show_panel
        self._query = ""
        self._vanished = False
        self._retry_timer: Timer | None = None
        self._controller: AnnotationController | None = None
        self._relearner = Relearner(batch=RELEARN_BATCH)

    # ------------------------------------------------------------ helpers
    @property
    def host(self) -> PaneHost:
        return cast(PaneHost, self.app)

    @property
    def controller(self) -> AnnotationController:
        ctl = self._controller  # created on first use (needs the app)
        if ctl is None:
            ctl = self._controller = AnnotationController(self.host.store, self.host.corpus, self.doc_id)
        return ctl

    @property
    def labels(self) -> LabelSet:
        return self.host.labels

    @property
    def doc(self) -> Document:
        return self.controller.document

    @property
    def view(self) -> AnnotatedTextView:
        return self.query_one(AnnotatedTextView)

    @property
    def panel(self) -> AnnotationPanel:
        return self.query_one(AnnotationPanel)

    def _error(self, exc: BaseException | str) -> None:
        self.host.report_error(exc)

    def _status(self, message: str, *, warn: bool = False) -> None:
        status = self.query_one(".pane-status", Static)
        status.update(Text(one_line(message, 300), style="bold" if warn else ""))
        status.set_class(warn, "-unsaved")

    def show_offline(self, line: str | None) -> None:
        """Show (or clear) the shared store's outage: it stays until the server is reached again."""
        offline = self.query_one(".pane-offline", Static)
        offline.update(Text(line or "", style="bold"))
        offline.display = line is not None

    def _show(self, outcome: Outcome) -> None:
        """Show what an action did; reload the view when it changed something."""
        if outcome.changed:
            if outcome.delta is not None:
                self._apply_delta(outcome.delta)
            else:
                self._refresh_annotations()
            self.post_message(self.Changed(self))
        if outcome.error:
            severity: SeverityLevel = "warning" if outcome.warning and not outcome.unsaved else "error"
            self.app.notify(one_line(outcome.error, 600), severity=severity, markup=False)
        if outcome.message:
            self._status(outcome.message, warn=outcome.unsaved)
        if outcome.unsaved and self._retry_timer is None:
            self._retry_timer = self.set_interval(RETRY_SECONDS, self.retry_unsaved)

    # ------------------------------------------------------------ compose
    def compose(self) -> ComposeResult:
        doc = self.doc
        yield PaneHeader(self.labels, classes="pane-header")
        with Horizontal(classes="pane-body"):
            yield AnnotatedTextView(doc.text, labels=self.labels, rtl=is_rtl_lang(doc.lang))
            yield AnnotationPanel(self.labels, classes="pane-list")
        yield SearchBar(placeholder="Search: matches show as you type; enter: go to the next one; escape: cancel", classes="pane-search")
        with Horizontal(classes="pane-footer"):
            yield Static(classes="pane-status")
            yield Static(classes="pane-offline")
            yield Static(classes="pane-position")

    def on_mount(self) -> None:
        self.show_panel = self._show_panel_initial
        self.panel.display = self.show_panel
        self.query_one(SearchBar).display = False
        self.view.language_at = self.language_at
        self.reload_annotations()
        self.view.visual_rtl = bool(self.host.store.get_state(VISUAL_ORDER_KEY, False))
        document_watcher(self.app, self.host).watch(self, self.doc_id)
        self._status("")
        since = self.host.store.offline_since
        self.show_offline(offline_line(since) if since is not None else None)

    def on_unmount(self) -> None:
        stop_watching(self.app, self, self.doc_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "tag_key":
            return self.labels.by_key(str(parameters[0])) is not None
        if action in ("next_match", "prev_match"):
            return self.search_active
        return True

    def language_at(self, offset: int) -> str | None:
        """The language of the paragraph at ``offset`` (the document's when not known)."""
        doc = self.doc
        para = doc.paragraph_at(offset) if doc.paragraphs else None
        return para.lang if para is not None and para.lang else doc.lang

    # -------------------------------------------------------- annotations
    def reload_annotations(self) -> None:
        error = self.controller.reload()
        if error:
            self._error(error)
        self._refresh_view()

    def _refresh_annotations(self) -> None:
        self._refresh_view()

    def action_next_layer(self) -> None:
        outcome = self.controller.next_layer()
        self._refresh_view()
        self._status(outcome.message)

    def _refresh_view(self) -> None:
        anns = self.controller.annotations
        self.panel.ann_list.show_annotator = self.controller.showing_all and len(self.controller.layer_names) > 1
        self.view.set_spans(anns)
        self.panel.set_items(anns)
        self.update_header()

    def _apply_delta(self, delta: Delta) -> None:
        """Show a change as a delta: the span index and the list change in place (no reload)."""
        if delta:
            self.panel.ann_list.show_annotator = self.controller.showing_all and len(self.controller.layer_names) > 1
            self.view.update_spans(delta.removed, delta.added)
            self.panel.update_items(delta.removed, delta.added)
        self.update_header()

    def update_header(self) -> None:
        para_lang = self.query_one(PaneHeader).show(
            self.doc, self.view, self.controller.counts(), suggestions_only=self.suggestions_only,
            query=self._query if self.search_active else "", vanished=self._vanished,
        )
        # half the pane at most (2 cells of padding), so the status keeps room in a narrow compare pane
        width = max(8, self.size.width // 2 - 2) if self.size.width else None
        self.query_one(".pane-position", Static).update(position_text(self.view, para_lang, width))

    def annotation_at(self, offset: int | None = None) -> Annotation | None:
        """The innermost (non-orphaned) annotation under the cursor."""
        view = self.view
        offset = view.cursor if offset is None else offset
        ids = [sp.id for sp in view.spans_at(offset)]
        if not ids and offset > 0:
            ids = [sp.id for sp in view.spans_at(offset - 1) if sp.end == offset]
        return self.controller.at(offset, ids) if ids else None

    def retry_unsaved(self) -> None:
        outcome = self.controller.retry()
        if outcome.message:
            self._status(outcome.message, warn=outcome.unsaved)
        if not outcome.unsaved and self._retry_timer is not None:
            self._retry_timer.stop()
            self._retry_timer = None

    # ------------------------------------------------------------ tagging
    def action_tag_key(self, key: str) -> None:
        label = self.labels.by_key(key)
        if label is not None:
            self.action_tag(label.name)

    def on_key(self, event: events.Key) -> None:
        # label keys outside TAG_KEYS (punctuation, non-ASCII) have no static binding
        if event.character and event.character not in TAG_KEYS and self.labels.by_key(event.character) is not None:
            if isinstance(self.screen.focused, SearchBar):
                return
            event.stop()
            self.action_tag_key(event.character)

    def annotation_in(self) -> Annotation | None:
        """The innermost annotation the cursor is in (not one that merely ends at the cursor)."""
        cursor = self.view.cursor
        ann = self.annotation_at(cursor)
        return ann if ann is not None and ann.start <= cursor < ann.end else None

    def action_tag(self, label: str) -> None:
        view = self.view
        sel = view.selection
        under = None if sel else self.annotation_in()
        outcome = self.controller.tag(label, sel, under)
        if sel and (outcome.ok or self.controller.store.unsaved):
            view.clear_selection()
            if outcome.annotation is not None and view.cursor > outcome.annotation.end:
                view.move_to(outcome.annotation.end)  # the span lost its trailing space: c, y, x still reach it
        self._show(outcome)
        if under is not None and outcome.ok and outcome.changed and not outcome.unsaved:
            # a re-label with no selection changes existing work: say so where the eye is, not only in the status line
            self.app.notify(outcome.message, markup=False)

    def action_pick_label(self) -> None:
        from reader.tui.dialogs.labelpicker import LabelPicker

        def picked(name: str | None) -> None:
            if name:
                self.action_tag(name)

        self.app.push_screen(LabelPicker(self.labels), picked)

    def action_note(self) -> None:
        ann = self.annotation_at()
        if ann is None:
            self.app.notify("No annotation under the cursor to add a note to", severity="warning", markup=False)
            return
        from reader.tui.dialogs import NoteDialog

        def done(note: str | None) -> None:
            if note is not None and note != ann.note:
                self._show(self.controller.act("note", ann, note=note))

        self.app.push_screen(NoteDialog(ann.note, ann.text), done)

    def action_delete(self) -> None:
        ann = self.annotation_at()
        if ann is None:
            self.app.notify("No annotation under the cursor to delete", severity="warning", markup=False)
            return

        def delete(ok: bool | None = True) -> None:
            if ok:
                self._show(self.controller.act("delete", ann))

        if ann.note:
            from reader.tui.dialogs import ConfirmDialog

            self.app.push_screen(
                ConfirmDialog("Delete annotation?", f"The {ann.label} annotation “{one_line(ann.text, 80)}” has a note: “{one_line(ann.note, 80)}”. Delete it?"),
                delete,
            )
        else:
            delete(True)

    def action_undo(self) -> None:
        self._show(self.controller.undo())

    def action_redo(self) -> None:
        self._show(self.controller.redo())

    def action_jump(self, direction: int) -> None:
        view = self.view
        target = self.controller.jump_target(view.cursor, direction, suggestions_only=self.suggestions_only)
        if target is None:
            kind = "suggestion" if self.suggestions_only else "annotation"
            self._status(f"no {'next' if direction > 0 else 'previous'} {kind}")
            return
        view.move_to(target.start, centre=True)
        self.panel.ann_list.highlight(target.id)
        self._status(describe_annotation(target))

    def action_toggle_suggestion_jumps(self) -> None:
        self.suggestions_only = not self.suggestions_only
        if self.suggestions_only and not self.controller.suggestions():
            self._status("This document has no suggestions yet: ctrl+g suggests, for it or the whole corpus.")
        else:
            self._status("] and [ go through the suggestions, highest score first" if self.suggestions_only else "] and [ jump between all annotations")
        self.update_header()

    # ------------------------------------------------------------ suggestions
    def _suggestion_here(self) -> Annotation | None:
        for sp in self.view.spans_at(self.view.cursor):
            ann = self.controller.get(sp.id)
            if ann is not None and ann.status == STATUS_SUGGESTED:
                return ann
        return None

    def action_accept(self) -> None:
        ann = self._suggestion_here()
        if ann is None:
            self.app.notify("No suggestion under the cursor (] and [ jump to one; t limits them to suggestions)", severity="warning", markup=False)
            return
        self._decided(self.controller.act("accept", ann))

    def action_reject(self) -> None:
        ann = self._suggestion_here()
        if ann is None:
            self.app.notify("No suggestion under the cursor", severity="warning", markup=False)
            return
        self._decided(self.controller.act("reject", ann))

    # ------------------------------------------------------------ learning from decisions
    def _decided(self, outcome: Outcome, count: int = 1) -> None:
        """Show an accept/reject; after a batch of them, re-score the pending suggestions."""
        self._show(outcome)
        if outcome.ok and outcome.changed and self._relearner.decided(count):
            self.run_worker(self._relearn, thread=True, exclusive=True, group="relearn",
                            name="re-score suggestions", description="learn from accept/reject decisions")

    def _relearn(self) -> None:
        """Worker thread: retrain from the store's decisions and re-score pending suggestions."""
        to_ui(self, self._status, "learning from your decisions…")

        def progress(done: int, total: int) -> None:
            filled = round(20 * done / total) if total else 20
            to_ui(self, self._status, f"re-scoring suggestions {'█' * filled}{'░' * (20 - filled)} {done}/{total}")

        try:
            result = self._relearner.run(self.host.store, self.host.corpus, progress=progress)
        except Exception as exc:  # noqa: BLE001 - shown, never a traceback; the decisions are safe in the store
            to_ui(self, self._error, f"re-scoring suggestions failed: {exc}")
            return
        to_ui(self, self._relearned, result)

    def _relearned(self, result: RelearnResult) -> None:
        if result.rescored:
            self.reload_annotations()
            self.post_message(self.Changed(self))
        # the status line is one short row: the whole note goes to a notification, which wraps
        self._status(f"learned from your decisions: {result.rescored} suggestion(s) re-scored" if result.used
                     else "not learning yet: too few decisions (see the notification)")
        self.app.notify(result.note, title="Learning", markup=False, timeout=8)

    def _suggested(self) -> None:
        """After the suggest worker: the other panes reload."""
        self.post_message(self.Changed(self))

    def action_accept_all(self) -> None:
        count, per_label = self.controller.accept_all_summary()
        if not count:
            self.app.notify("This document has no suggestions", severity="warning", markup=False)
            return
        from reader.tui.dialogs import ConfirmDialog

        def accept(ok: bool | None) -> None:
            if ok:
                self._decided(self.controller.accept_all(), count)

        labels = {a.label for a in self.controller.suggestions()}
        question = (f"Accept the {count} {next(iter(labels))} suggestion{'s' if count != 1 else ''} in this document?"
                    if len(labels) == 1 else f"Accept all {count} suggestions in this document ({per_label})?")
        self.app.push_screen(ConfirmDialog("Accept all suggestions?", question), accept)

    # ------------------------------------------------------------ copy/export
    def action_toggle_panel(self) -> None:
        self.show_panel = not self.show_panel

    def watch_show_panel(self, show: bool) -> None:
        self.panel.display = show

    # ------------------------------------------------------------ events
    @on(AnnotationList.Selected)
    def _row_selected(self, event: AnnotationList.Selected) -> None:
        event.stop()
        ann = self.controller.get(event.ann_id)
        if ann is None:
            return
        if ann.orphaned:
            self.app.notify(f"This {ann.label} annotation is orphaned: its text “{one_line(ann.text, 60)}” was not found in the edited document", severity="warning", markup=False)
            return
        view = self.view
        view.move_to(ann.start, centre=True)
        view.focus()

    @on(AnnotatedTextView.CursorMoved)
    @on(AnnotatedTextView.SelectionChanged)
    def _caret(self, event: AnnotatedTextView.CursorMoved | AnnotatedTextView.SelectionChanged) -> None:
        self.update_header()
        if isinstance(event, AnnotatedTextView.CursorMoved) and self.show_panel:
            ann = self.annotation_at(event.offset)
            if ann is not None:
                self.panel.ann_list.highlight(ann.id)  # the list follows the cursor

    def on_resize(self, event: events.Resize) -> None:
        self.update_header()  # the position line picks the form that fits the new width

    def watch_search_active(self) -> None:
        if self.is_mounted:
            self.update_header()

    # ------------------------------------------------------------ file watch
    def check_file(self) -> None:
        """Look at the watched files now (a screen that comes back calls this)."""
        document_watcher(self.app, self.host).check()

    @on(DocumentChanged)
    def _document_changed(self, event: DocumentChanged) -> None:
        event.stop()
        if event.doc_id != self.doc_id:
            return
        doc = self.doc
        if event.kind == "gone":
            if not self._vanished:
                self._vanished = True
                self.app.notify(f"{doc.path}: the file was deleted or moved while it was open. The text stays on screen; its annotations are kept.", severity="error", markup=False, timeout=10)
                self.update_header()
            return
        if event.kind == "error":
            self._vanished = True
            self._error(event.error)
            self.update_header()
            return
        self._vanished = False
        new = event.document
        if new is None or new.text == self.view.text:
            self.update_header()
            return
        view = self.view
        cursor = view.cursor
        view.load(new.text)
        view.move_to(min(cursor, len(new.text)))
        self.reload_annotations()
        detail = f" Annotations: {event.report}." if event.report else ""
        orphans = self.controller.counts().orphaned
        if orphans:
            detail += f" {orphans} orphaned annotation(s) are listed and marked in the side panel."
            self.show_panel = True
        self.app.notify(f"{doc.path}: the file changed on disk and was reloaded.{detail}", severity="warning", markup=False, timeout=10)
