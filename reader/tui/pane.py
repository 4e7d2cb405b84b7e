"""DocumentPane: one document with its header, text view, annotation list, search and status.

Used by the reading screen (one pane) and the compare screen (2-4 panes), so
selection, tagging, search, copy, notes, undo and suggestions behave the same
in both. The pane talks to the store through ``app.store``; it never opens
store files. Every string from a document, note or label is shown as a
``rich.text.Text`` after :func:`reader.text.inert` (never as markup).
"""
from __future__ import annotations

import os
from collections import Counter
from typing import Any

from rich.text import Text
from textual import events, on
from textual.actions import SkipAction
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, Static

from reader.errors import ReaderError, StoreWriteError
from reader.model import STATUS_ACCEPTED, STATUS_SUGGESTED, Annotation
from reader.text import inert, one_line
from reader.tui.annlist import AnnotationList
from reader.tui.textview import AnnotatedTextView

RTL_LANGS = {"ar", "he", "fa", "ur", "yi", "ps", "sd", "ug", "dv", "ku", "ckb", "iw"}
RETRY_SECONDS = 2.0
WATCH_SECONDS = 2.0


def is_rtl_lang(lang: str | None) -> bool:
    return bool(lang) and lang.split("-")[0].lower() in RTL_LANGS


def span_label(start: int, end: int) -> str:
    return f"{start}–{end}"


class SearchInput(Input):
    """The pane's search field.

    Enter runs the search at once, in the order the keys were typed, and a key
    that was already queued here when the field closed (``/``, a query, enter
    and a label key typed in one go) goes on to the widget that has the focus
    now, so ``1`` typed right after enter tags the match.
    """

    async def on_key(self, event: events.Key) -> None:
        if not self.display:
            event.stop()
            event.prevent_default()
            target = self.screen.focused
            if target is not None and target is not self:
                target.post_message(events.Key(event.key, event.character))
            return
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.query_ancestor(DocumentPane)._run_search(self.value)
            return
        # any other key: Input's own handler runs next (Textual dispatches along the MRO)


class DocumentPane(Vertical):
    """A document view with tagging. Bindings apply while focus is inside the pane."""

    BINDINGS = [
        Binding("n", "note_or_next", "Note / next match", tooltip="Add or edit the note of the annotation under the cursor; next match after a search"),
        Binding("N", "prev_match", "Previous match", show=False),
        Binding("x,delete", "delete", "Delete", tooltip="Delete the annotation under the cursor"),
        Binding("ctrl+z", "undo", "Undo"),
        Binding("ctrl+y", "redo", "Redo"),
        Binding("right_square_bracket", "jump(1)", "Next annotation", key_display="]"),
        Binding("left_square_bracket", "jump(-1)", "Previous annotation", key_display="["),
        Binding("t", "toggle_suggestion_jumps", "Jump: suggestions only", show=False),
        # priority: the action runs before the keys typed after it are routed, so
        # "/" and a query typed at once (tmux, a fast typist) land in the field;
        # SearchInput passes on what was typed after enter (see there)
        Binding("slash", "search", "Search", key_display="/", priority=True),
        Binding("y", "copy", "Copy"),
        Binding("e", "export", "Export"),
        Binding("a", "accept", "Accept suggestion", show=False),
        Binding("r", "reject", "Reject suggestion", show=False),
        Binding("A", "accept_all", "Accept all suggestions", show=False),
        Binding("L", "language", "Language", show=False),
        Binding("h", "toggle_panel", "Annotation list", show=False),
        Binding("escape", "end_search", "End search", show=False),
    ]

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
        self._anns: list[Annotation] = []
        self._by_id: dict[str, Annotation] = {}
        self._query = ""
        self._file_sig: tuple | None = None
        self._vanished = False
        self._retry_timer = None
        try:
            labels = self._labels
        except Exception:  # no active app (constructed outside one)
            from reader.labels import LabelSet

            labels = LabelSet()
        for label in labels:
            self._bindings.bind(label.key, f"tag({label.name!r})", f"Tag {label.name}", show=True)

    # ------------------------------------------------------------ helpers
    @property
    def _store(self) -> Any:
        return self.app.store

    @property
    def _labels(self) -> Any:
        labels = getattr(self.app, "labels", None)
        if labels is None:
            labels = getattr(getattr(self.app, "store", None), "labels", None)
        if labels is None:
            from reader.labels import LabelSet

            labels = LabelSet()
        return labels

    @property
    def _doc(self) -> Any:
        doc = self.app.corpus.get(self.doc_id)
        if doc is None:
            raise ReaderError(f"{self.doc_id}: no such document")
        return doc

    @property
    def view(self) -> AnnotatedTextView:
        return self.query_one(AnnotatedTextView)

    def _error(self, exc: BaseException | str) -> None:
        report = getattr(self.app, "report_error", None)
        if report is not None:
            report(exc)
        else:
            self.app.notify(str(exc), severity="error", markup=False)

    def _status(self, message: str, *, warn: bool = False) -> None:
        status = self.query_one(".pane-status", Static)
        status.update(Text(one_line(message, 300), style="bold red" if warn else ""))
        status.set_class(warn, "-unsaved")

    # ------------------------------------------------------------ compose
    def compose(self) -> ComposeResult:
        doc = self._doc
        yield Static(classes="pane-header")
        with Horizontal(classes="pane-body"):
            yield AnnotatedTextView(doc.text, labels=self._labels, rtl=is_rtl_lang(doc.lang))
            yield AnnotationList(self._labels, classes="pane-list")
        yield SearchInput(placeholder="Search (enter: select the first match from the cursor; escape: cancel)", classes="pane-search")
        yield Static(classes="pane-status")

    def on_mount(self) -> None:
        self.show_panel = self._show_panel_initial
        self.query_one(AnnotationList).display = self.show_panel
        self.query_one(Input).display = False
        self.reload_annotations()
        self._file_sig = self._signature()
        self.set_interval(WATCH_SECONDS, self.check_file)
        self._status("")

    # -------------------------------------------------------- annotations
    def reload_annotations(self) -> None:
        try:
            anns = self._store.for_document(self.doc_id)
        except ReaderError as exc:
            self._error(exc)
            anns = []
        self._anns = anns
        self._by_id = {a.id: a for a in anns}
        self.view.set_spans(anns)
        self._fill_table()
        self.update_header()

    def _fill_table(self) -> None:
        self.query_one(AnnotationList).set_items(self._anns)

    def update_header(self) -> None:
        doc = self._doc
        view = self.view
        # line 1: language, RTL mark, title, paragraph language; line 2: counts and modes.
        # Each line is cut with an ellipsis rather than wrapped, so narrow compare panes stay tidy.
        header = Text(no_wrap=True, overflow="ellipsis")
        lang = doc.lang or "unknown"
        header.append(f" {inert(lang).upper()} ", style="bold reverse")
        if is_rtl_lang(lang):
            header.append(" RTL ", style="bold #000000 on #e5a50a")
        header.append(" ")
        header.append(one_line(doc.title or doc.id, 80), style="bold")
        para = doc.paragraph_at(view.cursor) if doc.paragraphs else None
        if para is not None and para.lang and para.lang != lang:
            header.append(f"  ¶ {inert(para.lang)}", style="italic")
        counts = Counter(a.label for a in self._anns if a.status == STATUS_ACCEPTED and not a.orphaned)
        suggested = sum(1 for a in self._anns if a.status == STATUS_SUGGESTED and not a.orphaned)
        orphaned = sum(1 for a in self._anns if a.orphaned)
        header.append("\n")
        for label in self._labels:
            header.append(f" {inert(label.name)} {counts.get(label.name, 0)} ", style=f"on {label.color}")
            header.append(" ")
        for name, n in counts.items():
            if name not in self._labels:
                header.append(f" {inert(name)} {n} ")
        if suggested:
            header.append(f" {suggested} suggested ", style="italic underline")
        if orphaned:
            header.append(f" {orphaned} orphaned ", style="bold red")
        flags = []
        if view.mark_mode:
            flags.append("MARK")
        if view.word_snap:
            flags.append("WORDS")
        if self.suggestions_only:
            flags.append("JUMP:SUGG")
        if self.search_active and self._query:
            flags.append(f"/{one_line(self._query, 30)} {len(view.matches)}")
        if self._vanished:
            flags.append("FILE GONE")
        if flags:
            header.append("  " + " ".join(flags), style="bold")
        self.query_one(".pane-header", Static).update(header)

    def annotation_at(self, offset: int | None = None) -> Annotation | None:
        """The innermost (non-orphaned) annotation under the cursor."""
        view = self.view
        offset = view.cursor if offset is None else offset
        spans = view.spans_at(offset)
        if not spans and offset > 0:
            spans = [sp for sp in view.spans_at(offset - 1) if sp.end == offset]
        for sp in spans:
            ann = self._by_id.get(sp.id)
            if ann is not None:
                return ann
        return None

    def _changed(self) -> None:
        self.reload_annotations()
        self.post_message(self.Changed(self))

    def _saved(self, message: str) -> None:
        unsaved = getattr(self._store, "unsaved", 0)
        if unsaved:
            self._status(f"UNSAVED — retrying ({unsaved} change(s) in memory)", warn=True)
        else:
            self._status(message)

    def _run(self, what: str, fn, *args, **kwargs) -> Any:
        """Call a store method; on failure show a clear message (never a traceback)."""
        try:
            result = fn(*args, **kwargs)
        except StoreWriteError as exc:
            self._status(f"UNSAVED — retrying: {exc.reason}", warn=True)
            self.app.notify(str(exc), severity="error", markup=False)
            self._start_retry()
            self._changed()
            return None
        except ReaderError as exc:
            self._error(exc)
            return None
        return result

    def _start_retry(self) -> None:
        if self._retry_timer is None:
            self._retry_timer = self.set_interval(RETRY_SECONDS, self._retry)

    def _retry(self) -> None:
        store = self._store
        try:
            if getattr(store, "unsaved", 0):
                n = store.retry_unsaved()
                self._status(f"saved {n} change(s) after retrying")
        except StoreWriteError as exc:
            self._status(f"UNSAVED — retrying: {exc.reason} ({exc.pending} change(s) in memory)", warn=True)
            return
        except ReaderError as exc:
            self._status(f"UNSAVED — {exc}", warn=True)
            return
        if self._retry_timer is not None:
            self._retry_timer.stop()
            self._retry_timer = None

    # ------------------------------------------------------------ tagging
    def action_tag(self, label: str) -> None:
        view = self.view
        sel = view.selection
        if sel:
            start, end = sel
            ann = self._run("tag", self._store.add, self.doc_id, start, end, label)
            if ann is not None or getattr(self._store, "unsaved", 0):
                view.clear_selection()
                self._changed()
                if ann is not None:
                    self._saved(f"saved {label} {span_label(ann.start, ann.end)}")
            return
        ann = self.annotation_at()
        if ann is None:
            self.app.notify("Select some text first (shift+arrows, v, s, p or the mouse), then press a label key", severity="warning", markup=False)
            return
        if ann.label == label and ann.status == STATUS_ACCEPTED:
            self._status(f"already {label} {span_label(ann.start, ann.end)}")
            return
        new = self._run("relabel", self._store.update, ann.id, label=label, status=STATUS_ACCEPTED)
        if new is not None:
            self._changed()
            self._saved(f"saved {ann.label} → {label} {span_label(new.start, new.end)}")

    def action_note_or_next(self) -> None:
        if self.search_active and self._query:
            self.action_next_match()
            return
        ann = self.annotation_at()
        if ann is None:
            self.app.notify("No annotation under the cursor to add a note to", severity="warning", markup=False)
            return
        from reader.tui.dialogs import NoteDialog

        def done(note: str | None) -> None:
            if note is None or note == ann.note:
                return
            new = self._run("note", self._store.update, ann.id, note=note)
            if new is not None:
                self._changed()
                self._saved(f"saved note on {new.label} {span_label(new.start, new.end)}")

        self.app.push_screen(NoteDialog(ann.note, ann.text), done)

    def action_delete(self) -> None:
        ann = self.annotation_at()
        if ann is None:
            self.app.notify("No annotation under the cursor to delete", severity="warning", markup=False)
            return

        def delete(ok: bool | None = True) -> None:
            if not ok:
                return
            old = self._run("delete", self._store.delete, ann.id)
            if old is not None:
                self._changed()
                self._saved(f"deleted {old.label} {span_label(old.start, old.end)}")

        if ann.note:
            from reader.tui.dialogs import ConfirmDialog

            self.app.push_screen(
                ConfirmDialog("Delete annotation?", f"The {ann.label} annotation “{one_line(ann.text, 80)}” has a note: “{one_line(ann.note, 80)}”. Delete it?"),
                delete,
            )
        else:
            delete(True)

    def _describe_change(self, change: Any, verb: str) -> str:
        if change is None:
            return f"nothing to {verb}"
        ann = change.after or change.before
        if change.kind == "batch":
            return f"{verb}: {len(change.items)} change(s)"
        if ann is None:
            return f"{verb}: {change.kind}"
        return f"{verb}: {change.kind} {ann.label} {span_label(ann.start, ann.end)}"

    def action_undo(self) -> None:
        change = self._run("undo", self._store.undo)
        self._changed()
        self._saved(self._describe_change(change, "undo"))

    def action_redo(self) -> None:
        change = self._run("redo", self._store.redo)
        self._changed()
        self._saved(self._describe_change(change, "redo"))

    def action_jump(self, direction: int) -> None:
        view = self.view
        anns = [a for a in self._anns if not a.orphaned and (not self.suggestions_only or a.status == STATUS_SUGGESTED)]
        cursor = view.cursor
        target = None
        if direction > 0:
            target = next((a for a in anns if a.start > cursor), None)
        else:
            target = next((a for a in reversed(anns) if a.start < cursor), None)
        if target is None:
            kind = "suggestion" if self.suggestions_only else "annotation"
            self._status(f"no {'next' if direction > 0 else 'previous'} {kind}")
            return
        view.move_to(target.start)
        self._highlight_row(target.id)
        self._status(f"{target.label} {span_label(target.start, target.end)}" + (" (suggested)" if target.status == STATUS_SUGGESTED else ""))

    def _highlight_row(self, ann_id: str) -> None:
        self.query_one(AnnotationList).highlight(ann_id)

    def action_toggle_suggestion_jumps(self) -> None:
        self.suggestions_only = not self.suggestions_only
        self._status("] and [ jump between suggestions only" if self.suggestions_only else "] and [ jump between all annotations")
        self.update_header()

    # ------------------------------------------------------------ suggestions
    def _suggestion_here(self) -> Annotation | None:
        view = self.view
        for sp in view.spans_at(view.cursor):
            ann = self._by_id.get(sp.id)
            if ann is not None and ann.status == STATUS_SUGGESTED:
                return ann
        return None

    def action_accept(self) -> None:
        ann = self._suggestion_here()
        if ann is None:
            self.app.notify("No suggestion under the cursor (] and [ jump to one; t limits them to suggestions)", severity="warning", markup=False)
            return
        new = self._run("accept", self._store.update, ann.id, status=STATUS_ACCEPTED)
        if new is not None:
            self._changed()
            self._saved(f"accepted {new.label} {span_label(new.start, new.end)}")

    def action_reject(self) -> None:
        ann = self._suggestion_here()
        if ann is None:
            self.app.notify("No suggestion under the cursor", severity="warning", markup=False)
            return
        old = self._run("reject", self._store.delete, ann.id)
        if old is not None:
            self._changed()
            self._saved(f"rejected {old.label} {span_label(old.start, old.end)}")

    def action_accept_all(self) -> None:
        suggestions = [a for a in self._anns if a.status == STATUS_SUGGESTED and not a.orphaned]
        if not suggestions:
            self.app.notify("This document has no suggestions", severity="warning", markup=False)
            return
        from reader.tui.dialogs import ConfirmDialog

        def accept(ok: bool | None) -> None:
            if not ok:
                return
            # one durable save and one undo step for the whole document
            accepted = self._run("accept", self._store.update_many, [a.id for a in suggestions], status=STATUS_ACCEPTED)
            if accepted is None:
                return
            self._changed()
            self._saved(f"accepted {len(accepted)} suggestion(s)")

        self.app.push_screen(ConfirmDialog("Accept all suggestions?", f"Accept all {len(suggestions)} suggestion(s) in this document?"), accept)

    # ------------------------------------------------------------ search
    def action_search(self) -> None:
        field = self.query_one(Input)
        if self.screen.focused is field:  # a "/" inside the query itself
            field.insert_text_at_cursor("/")
            return
        field.display = True
        field.value = self._query
        # focus now, not via call_later: keys typed right after "/" (a paste, a
        # fast typist, tmux send-keys) must reach the field, not the label keys
        self.screen.set_focus(field)

    @on(Input.Submitted, ".pane-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._run_search(event.value)

    def _run_search(self, query: str) -> None:
        field = self.query_one(Input)
        field.display = False
        view = self.view
        self.screen.set_focus(view)
        self._query = query
        if not query:  # an empty search ends any search in progress
            if self.search_active:
                self.action_end_search()
            return
        count = view.set_search(query)
        self.search_active = True
        if not count:
            self._status(f"not found: {one_line(query, 60)}")
            self.app.notify(f"Not found: {one_line(query, 60)}", severity="warning", markup=False)
            self.update_header()
            return
        match = view.find_match(view.cursor)
        if match:
            view.select(*match)
        self._status(f"{count} match(es) for {one_line(query, 60)}; n / N: next / previous, escape: end search")
        self.update_header()

    def action_next_match(self) -> None:
        view = self.view
        sel = view.selection
        start = sel[0] + 1 if sel else view.cursor
        match = view.find_match(start)
        if match:
            view.select(*match)

    def action_prev_match(self) -> None:
        if not (self.search_active and self._query):
            self.app.notify("No search: press / first", severity="warning", markup=False)
            return
        view = self.view
        sel = view.selection
        match = view.find_match(sel[0] if sel else view.cursor, backwards=True)
        if match:
            view.select(*match)

    def action_end_search(self) -> None:
        field = self.query_one(Input)
        if field.display:
            field.display = False
            self.view.focus()
            return
        if not self.search_active:
            raise SkipAction()
        self.search_active = False
        self.view.set_search("")
        self._status("search ended")
        self.update_header()

    # ------------------------------------------------------------ copy/export
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
        copy = getattr(self.app, "copy_text", None)
        if copy is not None:
            copy(text, what)
        else:
            from reader.tui.clipboard import copy_text

            copy_text(self.app, text, what)

    def action_export(self) -> None:
        from reader.tui.dialogs import ExportDialog, describe_export

        def done(result: Any) -> None:
            if result is not None:
                self._status(describe_export(result))

        self.app.push_screen(ExportDialog(), done)

    def action_language(self) -> None:
        from reader.tui.dialogs import LanguageDialog

        doc = self._doc

        def done(lang: str | None) -> None:
            if lang is None:
                return
            if self._run("language", self._store.set_language_override, self.doc_id, lang or None) is None and getattr(self._store, "unsaved", 0):
                return
            if lang:
                doc.lang, doc.lang_source = lang, "override"
                self._status(f"language set to {lang}")
            else:
                self._status("language override cleared (takes effect at the next detection)")
            self.view.rtl = is_rtl_lang(doc.lang)
            self.update_header()

        self.app.push_screen(LanguageDialog(doc.lang), done)

    def action_toggle_panel(self) -> None:
        self.show_panel = not self.show_panel

    def watch_show_panel(self, show: bool) -> None:
        self.query_one(AnnotationList).display = show

    # ------------------------------------------------------------ events
    @on(AnnotationList.Selected)
    def _row_selected(self, event: AnnotationList.Selected) -> None:
        event.stop()
        ann = self._by_id.get(event.ann_id)
        if ann is None:
            return
        if ann.orphaned:
            self.app.notify(f"This {ann.label} annotation is orphaned: its text “{one_line(ann.text, 60)}” was not found in the edited document", severity="warning", markup=False)
            return
        view = self.view
        view.move_to(ann.start)
        view.focus()

    @on(AnnotatedTextView.CursorMoved)
    @on(AnnotatedTextView.SelectionChanged)
    def _caret(self, event: Message) -> None:
        self.update_header()
        if isinstance(event, AnnotatedTextView.CursorMoved) and self.show_panel:
            ann = self.annotation_at(event.offset)
            if ann is not None:
                self._highlight_row(ann.id)  # the list follows the cursor

    def watch_search_active(self) -> None:
        if self.is_mounted:
            self.update_header()

    # ------------------------------------------------------------ file watch
    def _signature(self) -> tuple | None:
        try:
            doc = self._doc
        except ReaderError:
            return None
        path = getattr(doc, "path", None)
        if path is None or getattr(doc, "imported", False):
            return None
        try:
            st = os.stat(path)
        except OSError:
            return ("gone",)
        return (st.st_mtime_ns, st.st_size)

    def check_file(self) -> None:
        """Notice a document that was deleted or edited while open (timer and screen resume)."""
        sig = self._signature()
        if sig is None or sig == self._file_sig:
            return
        self._file_sig = sig
        corpus = self.app.corpus
        doc = self._doc
        if sig == ("gone",):
            if not self._vanished:
                self._vanished = True
                self.app.notify(f"{doc.path}: the file was deleted or moved while it was open. The text stays on screen; its annotations are kept.", severity="error", markup=False, timeout=10)
                self.update_header()
            return
        try:
            new = corpus.reload(self.doc_id)
        except ReaderError as exc:
            self._vanished = True
            self._error(exc)
            self.update_header()
            return
        self._vanished = False
        if new.text == self.view.text:
            return
        try:
            report = self._store.attach_corpus(corpus)
        except ReaderError as exc:
            self._error(exc)
            report = None
        view = self.view
        cursor = view.cursor
        view.load(new.text)
        view.move_to(min(cursor, len(new.text)))
        self.reload_annotations()
        self.post_message(self.Changed(self))
        detail = ""
        if report is not None:
            summary = report.summary() if hasattr(report, "summary") else ""
            detail = f" Annotations: {summary}." if summary else ""
        orphans = sum(1 for a in self._anns if a.orphaned)
        if orphans:
            detail += f" {orphans} orphaned annotation(s) are listed and marked in the side panel."
            self.show_panel = True
        self.app.notify(f"{doc.path}: the file changed on disk and was reloaded.{detail}", severity="warning", markup=False, timeout=10)
