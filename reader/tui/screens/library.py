"""The library: the start screen listing every document of the corpus.

One row per document in path order: language badge and confidence, title,
date, size, annotation counts (total and per label, in label colours) and a
progress mark. Sort with `s`, filter with `/` (text, ``lang:it``,
``label:salary``, ``status:done``, ``marked``), cycle the language and label
filters with `l` and `a`. Files that failed to load are listed below with
their reasons.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Collapsible, DataTable, Footer, Header, Input, Label, ProgressBar, Static
from textual.widgets.data_table import Row, RowKey

from reader.errors import ReaderError
from reader.text import one_line

SORTS: tuple[tuple[str, str], ...] = (
    ("path", "path"),
    ("lang", "language"),
    ("title", "title"),
    ("date", "date"),
    ("size", "size"),
    ("annotations", "annotations"),
    ("status", "progress"),
)

STATUS_MARKS = {
    "new": ("○ new", "dim"),
    "in progress": ("◐ in progress", "yellow"),
    "done": ("● done", "green"),
}
STATUS_ALIASES = {"new": "new", "todo": "new", "progress": "in progress", "in-progress": "in progress", "started": "in progress", "done": "done"}
STATUS_RANK = {"new": 0, "in progress": 1, "done": 2}

# fixed widths: no measuring of 10,000 rows; the title takes what is left
FIXED_WIDTHS = {"mark": 1, "lang": 4, "conf": 4, "date": 10, "size": 8, "annotations": 22, "status": 13}
TITLE_MIN = 24


def human_size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{int(size)} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"  # pragma: no cover


@dataclass
class Filter:
    text: list[str]
    lang: str | None = None
    label: str | None = None
    status: str | None = None
    marked: bool = False
    problems: list[str] | None = None

    @classmethod
    def parse(cls, query: str) -> "Filter":
        f = cls(text=[], problems=[])
        for token in query.split():
            key, sep, value = token.partition(":")
            key_l = key.lower()
            if sep and key_l in ("lang", "language", "l") and value:
                f.lang = value.lower()
            elif sep and key_l in ("label", "has") and value:
                f.label = value
            elif sep and key_l in ("status", "is") and value:
                status = STATUS_ALIASES.get(value.lower())
                if status is None:
                    f.problems.append(f"unknown status {value!r} (new, progress, done)")
                else:
                    f.status = status
            elif token.lower() in ("marked", "is:marked"):
                f.marked = True
            else:
                f.text.append(token.lower())
        return f

    @property
    def active(self) -> bool:
        return bool(self.text or self.lang or self.label or self.status or self.marked)


def set_token(query: str, key: str, value: str | None) -> str:
    """Replace (or remove, with ``None``) the ``key:...`` token of a filter query."""
    tokens = [t for t in query.split() if not t.lower().startswith(f"{key}:")]
    if value:
        tokens.append(f"{key}:{value}")
    return " ".join(tokens)


class DocumentTable(DataTable):
    """A DataTable that adds 10,000 rows at once.

    Every column has a fixed width, so measuring each new cell (what
    ``DataTable`` does on idle, ~0.3 ms a cell) is skipped: the virtual size
    is all that needs updating. ``add_rows_fast`` adds rows without the
    per-row bookkeeping of ``add_row`` (column order and cursor checks once).
    Falls back to the stock behaviour when a column is auto-sized.
    """

    BINDINGS = [Binding("enter", "select_cursor", "Open", id="library.table.open")]

    def _fixed_widths(self) -> bool:
        return all(not column.auto_width for column in self.columns.values()) and not self._labelled_row_exists

    def _update_dimensions(self, new_rows):  # type: ignore[override]
        if not self._fixed_widths():
            return super()._update_dimensions(new_rows)
        from textual.geometry import Size

        data_cells_width = sum(column.get_render_width(self) for column in self.columns.values())
        header_height = self.header_height if self.show_header else 0
        self.virtual_size = Size(data_cells_width + self._row_label_column_width, self._total_row_height + header_height)

    def add_rows_fast(self, rows: list[list[Any]]) -> list[RowKey]:
        if not rows:
            return []
        try:
            columns = self.ordered_columns
            keys: list[RowKey] = []
            start = self.row_count
            for offset, cells in enumerate(rows):
                row_key = RowKey(None)
                self._row_locations[row_key] = start + offset
                self._data[row_key] = {column.key: cell for column, cell in zip(columns, cells)}
                self.rows[row_key] = Row(row_key, 1, None, False)
                self._new_rows.add(row_key)
                keys.append(row_key)
            self._require_update_dimensions = True
            self.cursor_coordinate = self.cursor_coordinate
            if start == 0 and self.show_cursor and self.cursor_type != "none":
                self._highlight_cursor()
            self._update_count += 1
            self.check_idle()
            return keys
        except AttributeError:  # a Textual release with other internals
            return self.add_rows(rows)


class LibraryScreen(Screen):
    """The start screen: every document, with language, counts and progress."""

    CSS_PATH = "library.tcss"
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
        self.marked: list[str] = []
        self.sort_index = 0
        self.sort_reverse = False
        self.filter = Filter(text=[])
        self.counts: dict[str, Counter] = {}
        self.statuses: dict[str, str] = {}
        self.shown: list[str] = []
        self._row_doc: dict[RowKey, str] = {}
        self._doc_row: dict[str, RowKey] = {}
        self._filter_timer: Timer | None = None
        self._title_width = 40

    # --- composition ---------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="banner")
        yield Input(placeholder="/ filter: words of the title, lang:it, label:salary, status:done, marked   (escape clears)", id="filter")
        yield DocumentTable(id="documents", cursor_type="row", zebra_stripes=True)
        if getattr(getattr(self.app, "corpus", None), "problems", None):
            with Collapsible(title="Files that could not be loaded", id="problems-panel", collapsed=True):
                yield DataTable(id="problems", cursor_type="row", zebra_stripes=True)
        with Horizontal(id="detect-box"):
            yield Label("Detecting languages", id="detect-label")
            yield ProgressBar(id="detect-progress", show_eta=False)
        yield Static(id="status-line")
        yield Footer()

    @property
    def table(self) -> DocumentTable:
        return self.query_one("#documents", DocumentTable)

    def on_mount(self) -> None:
        app: Any = self.app
        self._show_banner()
        width = max(80, app.size.width)
        fixed = sum(FIXED_WIDTHS.values()) + 2 * (len(FIXED_WIDTHS) + 1) + 2
        self._title_width = max(TITLE_MIN, width - fixed)
        table = self.table
        table.add_column(Text(" "), width=FIXED_WIDTHS["mark"], key="mark")
        table.add_column(Text("Lang"), width=FIXED_WIDTHS["lang"], key="lang")
        table.add_column(Text("Conf"), width=FIXED_WIDTHS["conf"], key="conf")
        table.add_column(Text("Title"), width=self._title_width, key="title")
        table.add_column(Text("Date"), width=FIXED_WIDTHS["date"], key="date")
        table.add_column(Text("Size"), width=FIXED_WIDTHS["size"], key="size")
        table.add_column(Text("Annotations"), width=FIXED_WIDTHS["annotations"], key="annotations")
        table.add_column(Text("Progress"), width=FIXED_WIDTHS["status"], key="status")
        self._load_counts()
        self._rebuild()
        self._fill_problems()
        box = self.query_one("#detect-box")
        box.display = not getattr(app, "detection_done", True) and bool(app.corpus and app.corpus.pending)
        last = app.last_position() if hasattr(app, "last_position") else None
        if last and last[0] in self._doc_row:
            table.move_cursor(row=table.get_row_index(self._doc_row[last[0]]), animate=False)
        table.focus()
        if getattr(app, "first_screen_at", 0) is None:
            import time

            app.first_screen_at = time.perf_counter()

    def _show_banner(self) -> None:
        app: Any = self.app
        banner = self.query_one("#banner", Static)
        store = app.store
        message = None
        if app.store_problem:
            message = f"Store unavailable: {app.store_problem} Running read-only with no annotations."
        elif store is not None and getattr(store, "readonly", False):
            message = f"Read-only: {getattr(store, 'readonly_reason', None) or 'opened read-only'}. Nothing will be saved."
        if message:
            banner.update(Text(one_line(message, 1000)))
            banner.display = True
        else:
            banner.display = False

    def _fill_problems(self) -> None:
        app: Any = self.app
        problems = list(getattr(app.corpus, "problems", []) or [])
        if not self.query("#problems-panel"):
            return
        panel = self.query_one("#problems-panel", Collapsible)
        table = self.query_one("#problems", DataTable)
        table.clear(columns=True)
        if not problems:
            panel.display = False
            return
        panel.display = True
        n = len(problems)
        panel.title = f"{n} file{'s' if n != 1 else ''} could not be loaded (enter to show the reasons)"
        table.add_column(Text("File"), key="path")
        table.add_column(Text("Reason"), key="reason")
        root = str(getattr(app.corpus, "root", ""))
        for problem in problems:
            path = str(problem.path)
            if root and path.startswith(root.rstrip("/") + "/"):
                path = path[len(root.rstrip("/")) + 1:]
            table.add_row(Text(one_line(path, 60)), Text(one_line(str(problem.reason), 160)))
        if n <= 5:
            panel.collapsed = False

    # --- data ----------------------------------------------------------------

    def _load_counts(self) -> None:
        app: Any = self.app
        store = app.store
        try:
            self.counts = {k: Counter(v) for k, v in (store.count_by_document() or {}).items()}
        except (ReaderError, OSError) as exc:
            self.counts = {}
            app.report_error(exc)
        statuses: dict[str, str] = {}
        for doc in app.corpus.documents:
            try:
                statuses[doc.id] = store.doc_status(doc.id)
            except (ReaderError, OSError):
                statuses[doc.id] = "new"
        self.statuses = statuses

    def _lang_cells(self, doc: Any) -> tuple[Text, Text]:
        source = getattr(doc, "lang_source", "")
        if source == "pending":
            return Text("…", style="dim"), Text("")
        lang = (doc.lang or "unknown")
        if lang == "unknown":
            return Text("??", style="dim"), Text("")
        badge = Text(one_line(lang.upper(), 4), style="bold")
        if source == "override":
            return badge, Text("set", style="italic dim")
        return badge, Text(f"{round(doc.lang_confidence * 100):d}%", style="dim")

    def _counts_cell(self, doc_id: str) -> Text:
        app: Any = self.app
        counts = self.counts.get(doc_id) or Counter()
        total = sum(counts.values())
        if not total:
            return Text("–", style="dim")
        cell = Text(f"{total:>3}", style="bold")
        labels = app.labels
        for label in labels:
            n = counts.get(label.name, 0)
            if n:
                cell.append(" ")
                cell.append(f"■{n}", style=label.color)
        others = total - sum(counts.get(label.name, 0) for label in labels)
        if others > 0:
            cell.append(f" ?{others}", style="dim")
        return cell

    def _status_cell(self, doc_id: str) -> Text:
        text, style = STATUS_MARKS.get(self.statuses.get(doc_id, "new"), STATUS_MARKS["new"])
        return Text(text, style=style)

    def _row(self, doc: Any) -> list[Text]:
        lang, conf = self._lang_cells(doc)
        title = one_line(doc.title or doc.id, self._title_width)
        title_text = Text(title)
        if getattr(doc, "imported", False):
            title_text.append(" (imported)", style="dim italic")
        return [
            Text("●", style="bold magenta") if doc.id in self.marked else Text(" "),
            lang,
            conf,
            title_text,
            Text(one_line(doc.date or "", 10)),
            Text(human_size(doc.size), justify="right"),
            self._counts_cell(doc.id),
            self._status_cell(doc.id),
        ]

    def _matches(self, doc: Any, f: Filter) -> bool:
        if f.lang and (doc.lang or "").lower() != f.lang:
            return False
        if f.label and not (self.counts.get(doc.id) or {}).get(f.label):
            return False
        if f.status and self.statuses.get(doc.id, "new") != f.status:
            return False
        if f.marked and doc.id not in self.marked:
            return False
        if f.text:
            hay = f"{doc.title}\n{doc.id}\n{doc.date or ''}".lower()
            return all(word in hay for word in f.text)
        return True

    def _sort_key(self) -> Callable[[Any], Any] | None:
        column = SORTS[self.sort_index][0]
        if column == "path":
            return None
        if column == "lang":
            return lambda d: (d.lang or "")
        if column == "title":
            return lambda d: (d.title or d.id).casefold()
        if column == "date":
            return lambda d: d.date or ""
        if column == "size":
            return lambda d: d.size
        if column == "annotations":
            return lambda d: sum((self.counts.get(d.id) or {}).values())
        if column == "status":
            return lambda d: STATUS_RANK.get(self.statuses.get(d.id, "new"), 0)
        return None

    def _rebuild(self) -> None:
        """Fill the table with the filtered, sorted documents; keep the cursor on its document."""
        app: Any = self.app
        table = self.table
        current = self.current_doc_id()
        docs = [d for d in app.corpus.documents if self._matches(d, self.filter)]
        key = self._sort_key()
        if key is not None:
            docs.sort(key=key, reverse=self.sort_reverse)  # stable: path order breaks ties
        elif self.sort_reverse:
            docs.reverse()
        table.clear()
        self._row_doc.clear()
        self._doc_row.clear()
        keys = table.add_rows_fast([self._row(d) for d in docs])
        for row_key, doc in zip(keys, docs):
            self._row_doc[row_key] = doc.id
            self._doc_row[doc.id] = row_key
        self.shown = [d.id for d in docs]
        self._update_sort_header()
        if current in self._doc_row:
            table.move_cursor(row=table.get_row_index(self._doc_row[current]), animate=False)
        self._update_status()

    def _update_sort_header(self) -> None:
        column = SORTS[self.sort_index][0]
        arrow = " ▼" if self.sort_reverse else " ▲"
        for key, col in self.table.columns.items():
            base = {"mark": " ", "lang": "Lang", "conf": "Conf", "title": "Title", "date": "Date", "size": "Size", "annotations": "Annotations", "status": "Progress"}[key.value]
            col.label = Text(base + (arrow if key.value == column else ""))
        self.table.refresh()

    def _update_status(self) -> None:
        app: Any = self.app
        total = len(app.corpus.documents)
        anns = sum(sum(c.values()) for c in self.counts.values())
        parts = [f"{len(self.shown)} of {total} documents" if self.filter.active else f"{total} documents"]
        parts.append(f"{anns} annotations")
        parts.append(f"sorted by {SORTS[self.sort_index][1]}{' (reversed)' if self.sort_reverse else ''}")
        if self.marked:
            parts.append(f"{len(self.marked)} marked (c compares)")
        problems = len(getattr(app.corpus, "problems", []) or [])
        if problems:
            parts.append(f"{problems} not loaded")
        if self.filter.problems:
            parts.append("filter: " + "; ".join(self.filter.problems))
        self.query_one("#status-line", Static).update(Text(one_line(" · ".join(parts), 400)))

    def refresh_rows(self, doc_ids: list[str] | None = None) -> None:
        """Update the cells of some documents (all when ``None``) in place."""
        app: Any = self.app
        table = self.table
        ids = self.shown if doc_ids is None else doc_ids
        for doc_id in ids:
            row_key = self._doc_row.get(doc_id)
            doc = app.corpus.get(doc_id)
            if row_key is None or doc is None:
                continue
            for column, value in zip(("mark", "lang", "conf", "title", "date", "size", "annotations", "status"), self._row(doc)):
                table.update_cell(row_key, column, value)
        self._update_status()

    def current_doc_id(self) -> str | None:
        table = self.table
        if not table.row_count:
            return None
        try:
            row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        except Exception:
            return None
        return self._row_doc.get(row_key)

    # --- app hooks -------------------------------------------------------------

    def show_progress(self, done: int, total: int) -> None:
        try:
            box = self.query_one("#detect-box")
            box.display = True
            self.query_one("#detect-progress", ProgressBar).update(total=total, progress=done)
            self.query_one("#detect-label", Label).update(f"Detecting languages {done}/{total}")
        except NoMatches:  # the screen is being taken down
            pass

    def detection_finished(self) -> None:
        """Languages are known: show the badges (and re-apply a language filter or sort)."""
        try:
            self.query_one("#detect-box").display = False
        except NoMatches:
            return
        self._rebuild()

    def on_screen_resume(self) -> None:
        """Back from a reading screen: counts and progress may have changed."""
        if not self.is_mounted or not self.table.columns:
            return
        old_counts, old_status = self.counts, self.statuses
        self._load_counts()
        self._show_banner()
        changed = [
            d for d in self.shown
            if old_counts.get(d) != self.counts.get(d) or old_status.get(d) != self.statuses.get(d)
        ]
        needs_rebuild = bool(self.filter.label or self.filter.status) or SORTS[self.sort_index][0] in ("annotations", "status")
        if needs_rebuild and changed:
            self._rebuild()
        elif changed:
            self.refresh_rows(changed)
        else:
            self.refresh_rows([])  # language overrides may have changed the badge
            cur = self.current_doc_id()
            if cur:
                self.refresh_rows([cur])

    # --- events ----------------------------------------------------------------

    @on(DataTable.RowSelected, "#documents")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        doc_id = self._row_doc.get(event.row_key)
        if doc_id:
            self.app.open_document(doc_id)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        delay = 0.0 if len(self.app.corpus.documents) < 2000 else 0.2
        value = event.value
        if delay:
            self._filter_timer = self.set_timer(delay, lambda: self._apply_filter(value))
        else:
            self._apply_filter(value)

    def _apply_filter(self, query: str) -> None:
        self.filter = Filter.parse(query)
        self._rebuild()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._apply_filter(event.value)
        self.table.focus()

    # --- actions -----------------------------------------------------------------

    def _filter_input(self) -> Input:
        return self.query_one("#filter", Input)

    def _set_filter_text(self, value: str) -> None:
        inp = self._filter_input()
        inp.value = value
        self._apply_filter(value)

    def action_open(self) -> None:
        if self.focused is self._filter_input():
            self.table.focus()
            return
        doc_id = self.current_doc_id()
        if doc_id is None:
            self.notify("No document to open.", severity="warning", markup=False)
            return
        self.app.open_document(doc_id)

    def action_mark(self) -> None:
        doc_id = self.current_doc_id()
        if doc_id is None:
            return
        if doc_id in self.marked:
            self.marked.remove(doc_id)
        else:
            self.marked.append(doc_id)
            if len(self.marked) > 4:
                self.notify(f"{len(self.marked)} marked: compare shows at most 4 side by side.", severity="warning", markup=False)
        self.refresh_rows([doc_id])
        table = self.table
        if table.cursor_row < table.row_count - 1:
            table.move_cursor(row=table.cursor_row + 1, animate=False)

    def action_clear_marks(self) -> None:
        marked, self.marked = self.marked, []
        self.refresh_rows(marked)

    def action_compare(self) -> None:
        n = len(self.marked)
        if not 2 <= n <= 4:
            self.notify(
                f"Mark 2 to 4 documents with space, then press c to compare them side by side ({n} marked).",
                severity="warning",
                markup=False,
            )
            return
        self.app.open_compare(list(self.marked))

    def action_toggle_done(self) -> None:
        app: Any = self.app
        doc_id = self.current_doc_id()
        if doc_id is None:
            return
        done = self.statuses.get(doc_id) == "done"
        try:
            app.store.set_done(doc_id, not done)
            self.statuses[doc_id] = app.store.doc_status(doc_id)
        except ReaderError as exc:
            app.report_error(exc)
            return
        if self.filter.status:
            self._rebuild()
        else:
            self.refresh_rows([doc_id])
        doc = app.corpus.get(doc_id)
        state = "done" if not done else self.statuses[doc_id]
        self.notify(one_line(f"“{doc.title if doc else doc_id}” marked {state}", 200), markup=False, timeout=3)

    def action_focus_filter(self) -> None:
        self._filter_input().focus()

    def action_clear_filter(self) -> None:
        inp = self._filter_input()
        if inp.value:
            self._set_filter_text("")
        self.table.focus()

    def action_cycle_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(SORTS)
        self.sort_reverse = False
        self._rebuild()

    def action_reverse_sort(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self._rebuild()

    def _cycle(self, key: str, values: list[str], current: str | None) -> None:
        choices: list[str | None] = [None, *values]
        try:
            nxt = choices[(choices.index(current) + 1) % len(choices)]
        except ValueError:
            nxt = None
        self._set_filter_text(set_token(self._filter_input().value, key, nxt))
        what = "language" if key == "lang" else "label"
        self.notify(f"Showing {'all documents' if nxt is None else f'{what} {nxt}'}: {len(self.shown)} document(s)", markup=False, timeout=2)

    def action_cycle_language(self) -> None:
        app: Any = self.app
        langs = sorted({(d.lang or "").lower() for d in app.corpus.documents if d.lang and d.lang not in ("unknown",) and d.lang_source != "pending"})
        self._cycle("lang", langs, self.filter.lang)

    def action_cycle_label(self) -> None:
        app: Any = self.app
        self._cycle("label", list(app.labels.names), self.filter.label)

    def action_set_language(self) -> None:
        from reader.tui.dialogs import LanguageDialog

        app: Any = self.app
        doc_id = self.current_doc_id()
        doc = app.corpus.get(doc_id) if doc_id else None
        if doc is None:
            return

        def chosen(code: str | None) -> None:
            if code is None:
                return
            try:
                app.corpus.set_language_override(doc.id, code or None, store=app.store)
            except ReaderError as exc:
                app.report_error(exc)
                return
            self.refresh_rows([doc.id])
            self.notify(one_line(f"“{doc.title or doc.id}”: language {'set to ' + code.upper() if code else 'back to the detected one'}", 200), markup=False, timeout=3)

        app.push_screen(LanguageDialog(doc.lang if doc.lang_source == "override" else None), chosen)

    def action_resume(self) -> None:
        self.app.action_resume()

    def action_export(self) -> None:
        self.app.action_export()

    def action_quit(self) -> None:
        self.app.request_quit()  # asks first when changes are unsaved
