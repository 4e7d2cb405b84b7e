"""The library: the start screen listing every document of the corpus.

One row per document in path order: id, language badge and confidence,
title, date, size, annotation counts (accepted per label in label colours,
plus pending suggestions) and a progress mark. Sort with `s`, filter with `/`
(text, ``lang:it``, ``label:salary``, ``suggested:quote``, ``status:done``,
``marked``), cycle the language and label filters with `l` and `a`. Files
that failed to load are listed below with their reasons.

The list is a Line API view (:class:`~reader.tui.widgets.doclist.DocumentList`);
what it shows (filter, sort, counts, cells) is :class:`LibraryModel`.
"""
from __future__ import annotations

import time
from typing import TYPE_CHECKING, Mapping

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, Label, Static

from reader.errors import ReaderError
from reader.model import Document
from reader.protocols import ProblemLike
from reader.text import one_line
from reader.tui.host import reader_app
from reader.tui.widgets.inert import InertInput
from reader.tui.widgets.doclist import COLUMNS, DocumentList
from reader.tui.screens.library_model import SORTS, Filter, LibraryModel, human_size, plural, set_token

if TYPE_CHECKING:
    from textual.widgets import Collapsible

__all__ = ["LibraryScreen", "Filter", "set_token", "human_size", "SORTS", "COLUMNS"]

FILTER_HINT = "/ filter: title words, lang:it, label:salary, suggested:quote, status:done, marked   (escape clears)"


class LibraryScreen(Screen[None]):
    """The start screen: every document, with language, counts and progress."""

    CSS_PATH = "library.tcss"
    AUTO_FOCUS = "#documents"  # focused as the screen starts: the footer composes once, with the list's keys
    BINDINGS = [
        Binding("enter", "open", "Open", id="library.open"),
        Binding("space", "mark", "Mark", id="library.mark"),
        Binding("c", "compare", "Compare marked", id="library.compare"),
        Binding("d", "toggle_done", "Toggle done", id="library.done"),
        Binding("slash", "focus_filter", "Filter", id="library.filter"),
        Binding("s", "cycle_sort", "Sort", id="library.sort"),
        Binding("S", "reverse_sort", "Reverse the sort", show=False, id="library.sort_reverse"),
        Binding("l", "cycle_language", "Filter by language", show=False, id="library.filter_lang"),
        Binding("a", "cycle_label", "Filter by label", show=False, id="library.filter_label"),
        Binding("L", "set_language", "Set the document's language", show=False, id="library.language"),
        Binding("u", "clear_marks", "Clear the marks", show=False, id="library.unmark"),
        Binding("escape", "clear_filter", "Clear the filter", show=False, id="library.clear_filter"),
        Binding("r", "resume", "Resume", id="library.resume"),
        Binding("e", "export", "Export", id="library.export"),
        Binding("i", "app.stats", "Statistics", id="library.stats"),
        Binding("q", "quit", "Quit", id="library.quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.model = LibraryModel()
        self.shown: list[str] = []
        self._filter_timer: Timer | None = None

    # --- composition ---------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="banner")
        yield InertInput(placeholder=FILTER_HINT, id="filter")
        yield DocumentList(self._cells, id="documents")
        if self._problems():  # the panel's widgets are imported only then (issue 22: first screen)
            from textual.widgets import Collapsible, DataTable

            with Collapsible(title="Files that could not be loaded", id="problems-panel", collapsed=True):
                yield DataTable(id="problems", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="detect-box"):  # its ProgressBar is mounted by the first progress report (show_progress)
            yield Label("Detecting languages", id="detect-label")
        yield Static(id="status-line")
        yield Footer()

    @property
    def table(self) -> DocumentList:
        return self.query_one("#documents", DocumentList)

    # kept as attributes of the screen for the tests and the command palette
    @property
    def marked(self) -> list[str]:
        return self.model.marked

    @property
    def filter(self) -> Filter:
        return self.model.filter

    def _problems(self) -> list[ProblemLike]:
        corpus = reader_app(self).corpus
        return list(corpus.problems) if corpus is not None else []

    def on_mount(self) -> None:
        app = reader_app(self)
        self._show_banner()
        ids = [d.id for d in app.corpus.documents] if app.corpus is not None else []
        self.table.set_id_width(max((len(i) for i in ids), default=4))
        self._load_counts()
        self._rebuild()
        self._fill_problems()
        box = self.query_one("#detect-box")
        box.display = not app.detection_done and bool(app.corpus and app.corpus.pending)
        last = app.last_position()
        if last is not None:
            row = self.table.row_of(last[0])
            if row is not None:
                self.table.move_cursor(row)
        if app.first_screen_at is None:
            app.first_screen_at = time.perf_counter()
            self.call_after_refresh(app.after_first_screen)  # workers start once the library is drawn

    def _show_banner(self) -> None:
        app = reader_app(self)
        banner = self.query_one("#banner", Static)
        store = app.store
        message = None
        if app.store_problem:
            message = f"Store unavailable: {app.store_problem} Running read-only with no annotations."
        elif store is not None and store.readonly:
            message = f"Read-only: {store.readonly_reason or 'opened read-only'}. Nothing will be saved."
        if message:
            banner.update(Text(one_line(message, 1000)))
            banner.display = True
        else:
            banner.display = False

    def _fill_problems(self) -> None:
        app = reader_app(self)
        problems = self._problems()
        if not self.query("#problems-panel"):
            return
        from textual.widgets import Collapsible, DataTable

        panel = self.query_one("#problems-panel", Collapsible)
        table = self.query_one("#problems", DataTable)
        table.clear(columns=True)
        if not problems:
            panel.display = False
            return
        panel.display = True
        table.add_column(Text("File"), key="path")
        table.add_column(Text("Reason"), key="reason")
        root = str(app.corpus.root if app.corpus is not None else "").rstrip("/")
        for problem in problems:
            path = problem.path
            if root and path.startswith(root + "/"):
                path = path[len(root) + 1:]
            table.add_row(Text(one_line(path, 60)), Text(one_line(problem.reason, 160)))
        panel.collapsed = len(problems) > 5
        self._title_problems()

    def _title_problems(self) -> None:
        from textual.widgets import Collapsible

        panel = self.query_one("#problems-panel", Collapsible)
        n = len(self._problems())
        what = f"{plural(n, 'file')} could not be loaded"
        panel.title = f"{what} (enter to show the reasons)" if panel.collapsed else f"{what}:"

    # the problems panel (the only Collapsible) opened or closed; by name, so that the
    # module does not import Collapsible for a panel that is only there when files failed
    def on_collapsible_expanded(self, event: "Collapsible.Expanded") -> None:
        self._title_problems()

    def on_collapsible_collapsed(self, event: "Collapsible.Collapsed") -> None:
        self._title_problems()

    # --- data ----------------------------------------------------------------

    def _load_counts(self) -> None:
        app = reader_app(self)
        error = self.model.load(app.store, app.corpus.documents if app.corpus is not None else [])
        if error is not None:
            app.report_error(error)

    def _cells(self, doc_id: str) -> dict[str, Text]:
        app = reader_app(self)
        doc = app.corpus.get(doc_id) if app.corpus is not None else None
        if doc is None:
            return {"id": Text(doc_id)}
        return self.model.cells(doc, app.labels)

    def _documents(self) -> list[Document]:
        corpus = reader_app(self).corpus
        return list(corpus.documents) if corpus is not None else []

    def _rebuild(self) -> None:
        """Fill the list with the filtered, sorted documents; keep the cursor on its document."""
        current = self.current_doc_id()
        self.shown = [d.id for d in self.model.visible(self._documents())]
        table = self.table
        table.set_rows(self.shown, keep=current)
        table.show_sort(self.model.sort, self.model.sort_reverse)
        self._update_status()

    def _update_status(self) -> None:
        line = self.model.status_line(len(self._documents()), self.shown, len(self._problems()))
        self.query_one("#status-line", Static).update(Text(one_line(line, 400)))

    def refresh_rows(self, doc_ids: list[str] | None = None) -> None:
        """Draw the rows of some documents (all when ``None``) again."""
        self.table.refresh_rows(doc_ids)
        self._update_status()

    def current_doc_id(self) -> str | None:
        return self.table.cursor_doc_id

    # --- app hooks -------------------------------------------------------------

    def show_progress(self, done: int, total: int) -> None:
        try:
            box = self.query_one("#detect-box", Horizontal)
            box.display = True
            self.query_one("#detect-label", Label).update(f"Detecting languages {done}/{total}")
        except NoMatches:  # the screen is being taken down
            return
        from textual.widgets import ProgressBar

        bars = box.query(ProgressBar)
        if bars:
            bars.first().update(total=total, progress=done)
        else:  # detection runs after the first screen: so does this widget (issue 22: first screen)
            bar = ProgressBar(total=total, show_eta=False, id="detect-progress")
            box.mount(bar)
            bar.update(progress=done)

    def detection_finished(self) -> None:
        """Languages are known: show the badges (and re-apply a language filter or sort)."""
        try:
            self.query_one("#detect-box").display = False
        except NoMatches:
            return
        self._rebuild()

    def on_screen_resume(self) -> None:
        """Back from a reading screen: counts, progress and languages may have changed."""
        if not self.is_mounted:
            return
        model = self.model
        old: tuple[Mapping[str, object], ...] = (model.counts, model.suggested, model.statuses, model.layers)
        self._load_counts()
        self._show_banner()
        new: tuple[Mapping[str, object], ...] = (model.counts, model.suggested, model.statuses, model.layers)
        changed = [d for d in self.shown if any(before.get(d) != now.get(d) for before, now in zip(old, new))]
        f = model.filter
        if changed and (f.label or f.suggested or f.status or model.sort in ("annotations", "status")):
            self._rebuild()
        else:
            self.refresh_rows(None)  # cheap: only the visible rows are drawn again

    # --- events ----------------------------------------------------------------

    @on(DocumentList.Selected, "#documents")
    def _row_selected(self, event: DocumentList.Selected) -> None:
        reader_app(self).open_document(event.doc_id)

    @on(DocumentList.HeaderClicked, "#documents")
    def _header_clicked(self, event: DocumentList.HeaderClicked) -> None:
        index = next(i for i, (key, _) in enumerate(SORTS) if key == event.sort)
        if index == self.model.sort_index:
            self.model.sort_reverse = not self.model.sort_reverse
        else:
            self.model.sort_index, self.model.sort_reverse = index, False
        self._rebuild()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        delay = 0.0 if len(self._documents()) < 2000 else 0.2
        value = event.value
        if delay:
            self._filter_timer = self.set_timer(delay, lambda: self._apply_filter(value))
        else:
            self._apply_filter(value)

    def _apply_filter(self, query: str) -> None:
        self.model.set_filter(query, reader_app(self).labels)
        self._rebuild()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._apply_filter(event.value)
        self.table.focus()
        if self.model.filter.problems:
            self.notify(one_line("Filter: " + "; ".join(self.model.filter.problems), 300), severity="warning", markup=False)

    # --- actions -----------------------------------------------------------------

    def _filter_input(self) -> Input:
        return self.query_one("#filter", Input)

    def _set_filter_text(self, value: str) -> None:
        self._filter_input().value = value
        self._apply_filter(value)

    def action_open(self) -> None:
        if self.focused is self._filter_input():
            self.table.focus()
            return
        doc_id = self.current_doc_id()
        if doc_id is None:
            self.notify("No document to open.", severity="warning", markup=False)
            return
        reader_app(self).open_document(doc_id)

    def action_mark(self) -> None:
        doc_id = self.current_doc_id()
        if doc_id is None:
            return
        marked = self.model.marked
        if doc_id in marked:
            marked.remove(doc_id)
        else:
            marked.append(doc_id)
            if len(marked) > 4:
                self.notify(f"{len(marked)} marked: compare shows at most 4 side by side.", severity="warning", markup=False)
        self.refresh_rows([doc_id])
        self.table.action_move(1)

    def action_clear_marks(self) -> None:
        marked = list(self.model.marked)
        self.model.marked.clear()
        self.refresh_rows(marked)

    def action_compare(self) -> None:
        n = len(self.model.marked)
        if n < 2 and self.model.filter.lang:
            # a language filter and nothing marked: one document per language
            from reader.align import pick_per_language  # on use: reader.align brings the fact extractors (issue 22)

            by_id = {d.id: d for d in self._documents()}
            wanted = self.model.filter.langs
            ids = pick_per_language([by_id[i] for i in self.shown if i in by_id], wanted if len(wanted) > 1 else None)
            if len(ids) >= 2:
                self.notify(f"Comparing one document per language: {', '.join(ids)}", timeout=3, markup=False)
                reader_app(self).open_compare(ids)
                return
        if not 2 <= n <= 4:
            self.notify(
                f"Mark 2 to 4 documents with space, then press c to compare them side by side ({n} marked).",
                severity="warning",
                markup=False,
            )
            return
        reader_app(self).open_compare(list(self.model.marked))

    def action_toggle_done(self) -> None:
        app = reader_app(self)
        doc_id = self.current_doc_id()
        if doc_id is None:
            return
        statuses = self.model.statuses
        done = statuses.get(doc_id) == "done"
        try:
            app.store.set_done(doc_id, not done)
            statuses[doc_id] = app.store.doc_status(doc_id)
        except ReaderError as exc:
            app.report_error(exc)
            return
        if self.model.filter.status:
            self._rebuild()
        else:
            self.refresh_rows([doc_id])
        doc = app.corpus.get(doc_id) if app.corpus is not None else None
        state = "done" if not done else statuses[doc_id]
        self.notify(one_line(f"“{doc.title if doc else doc_id}” marked {state}", 200), markup=False, timeout=3)

    def action_focus_filter(self) -> None:
        self._filter_input().focus()

    def action_clear_filter(self) -> None:
        if self._filter_input().value:
            self._set_filter_text("")
        self.table.focus()

    def action_cycle_sort(self) -> None:
        self.model.sort_index = (self.model.sort_index + 1) % len(SORTS)
        self.model.sort_reverse = False
        self._rebuild()

    def action_reverse_sort(self) -> None:
        self.model.sort_reverse = not self.model.sort_reverse
        self._rebuild()

    def _cycle(self, key: str, values: list[str], current: str | None) -> None:
        choices: list[str | None] = [None, *values]
        try:
            nxt = choices[(choices.index(current) + 1) % len(choices)]
        except ValueError:
            nxt = None
        self._set_filter_text(set_token(self._filter_input().value, key, nxt))
        what = "language" if key == "lang" else "label"
        shown = plural(len(self.shown), "document")
        self.notify(f"Showing {'all documents' if nxt is None else f'{what} {nxt}'}: {shown}", markup=False, timeout=2)

    def action_cycle_language(self) -> None:
        langs = sorted({(d.lang or "").lower() for d in self._documents() if d.lang and d.lang != "unknown" and d.lang_source != "pending"})
        self._cycle("lang", langs, self.model.filter.lang)

    def action_cycle_label(self) -> None:
        self._cycle("label", list(reader_app(self).labels.names), self.model.filter.label)

    def action_set_language(self) -> None:
        from reader.tui.dialogs import LanguageDialog

        app = reader_app(self)
        doc_id = self.current_doc_id()
        doc = app.corpus.get(doc_id) if doc_id and app.corpus is not None else None
        if doc is None:
            return

        def chosen(code: str | None) -> None:
            if code is None or app.corpus is None:
                return
            try:
                app.corpus.set_language_override(doc.id, code or None, store=app.store)
            except ReaderError as exc:
                app.report_error(exc)
                return
            self.refresh_rows([doc.id])
            change = f"set to {code.upper()}" if code else "back to the detected one"
            self.notify(one_line(f"“{doc.title or doc.id}”: language {change}", 200), markup=False, timeout=3)

        self.app.push_screen(LanguageDialog(doc.lang if doc.lang_source == "override" else None), chosen)

    def action_resume(self) -> None:
        reader_app(self).action_resume()

    def action_export(self) -> None:
        reader_app(self).action_export()

    def action_quit(self) -> None:
        reader_app(self).request_quit()  # asks first when changes are unsaved
