"""PaneSearch: the document pane's search (``/``, ``n``, ``N``, escape), driven by SearchBar's messages.

Matches light up while the user types (``SearchBar.Typed``); enter selects the
next match from the cursor, centred, and the status line says which it is
("match 3/14") and when the search wrapped around.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.actions import SkipAction
from textual.widget import Widget

from reader.text import one_line
from reader.tui.widgets.searchbar import SearchBar
from reader.view.search import Found

if TYPE_CHECKING:
    from reader.tui.widgets.textview import AnnotatedTextView


class PaneSearch(Widget):
    """DocumentPane's search part (DocumentPane provides view, _status, update_header and search_active)."""

    _query: str = ""
    _backwards: bool = False

    if TYPE_CHECKING:
        search_active: bool

        @property
        def view(self) -> AnnotatedTextView: ...

        def _status(self, message: str, *, warn: bool = False) -> None: ...

        def update_header(self) -> None: ...

    def action_search(self) -> None:
        bar = self.query_one(SearchBar)
        if self.screen.focused is bar:  # a "/" inside the query itself
            bar.insert_text_at_cursor("/")
            return
        bar.open(self._query)

    @on(SearchBar.Typed)
    def _search_typed(self, event: SearchBar.Typed) -> None:
        event.stop()
        count = self.view.set_search(event.query)
        if event.query:
            self._status(f"{count} match(es) for {one_line(event.query, 60)}")

    @on(SearchBar.Cancelled)
    def _search_cancelled(self, event: SearchBar.Cancelled) -> None:
        event.stop()
        self.view.focus()
        if not self.search_active:
            self.view.set_search("")
        else:
            self.view.set_search(self._query)

    @on(SearchBar.Submitted)
    def _search_submitted(self, event: SearchBar.Submitted) -> None:
        event.stop()
        self.run_search(event.query)

    def run_search(self, query: str) -> None:
        view = self.view
        self.screen.set_focus(view)
        self._query = query
        if not query:  # an empty search ends any search in progress
            view.set_search("")
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
        self._go_to_match(view.find(view.cursor))
        self.refresh_bindings()

    def _go_to_match(self, found: Found | None) -> None:
        if found is None:
            return
        view = self.view
        view.select(found.start, found.end, centre=True)
        total = len(view.search_matches)
        wrapped = ""
        if found.wrapped:
            wrapped = " — wrapped to the start" if found.index == 0 or not self._backwards else " — wrapped to the end"
        self._status(f"match {found.index + 1}/{total} for {one_line(self._query, 60)}{wrapped}; n / N: next / previous, escape: end search")
        self.update_header()

    def action_next_match(self) -> None:
        view = self.view
        sel = view.selection
        self._backwards = False
        self._go_to_match(view.find(sel[0] + 1 if sel else view.cursor))

    def action_prev_match(self) -> None:
        view = self.view
        sel = view.selection
        self._backwards = True
        self._go_to_match(view.find(sel[0] if sel else view.cursor, backwards=True))

    def action_end_search(self) -> None:
        if not self.search_active:
            raise SkipAction()
        self.search_active = False
        self.view.set_search("")
        self._status("search ended")
        self.update_header()
        self.refresh_bindings()

