"""DocumentList: the library's list of documents, a Line API view (as Toolong's ``LogLines``).

It renders only the lines on screen, so 10,000 documents cost what 30 do:
``set_rows`` takes the document ids, and the cells of a row are asked for
(``cells(doc_id)``) only when the row is drawn, then cached until
``refresh_rows``. The first line is a header that stays in place while the
rows scroll under it.

The columns are described once, by :data:`COLUMNS`: key, header, width,
alignment and the sort each one shows. The title takes the width that is left.

Colours come from the theme through component classes (header, cursor,
blurred cursor, even rows), so a theme change restyles the list.

Messages:

* ``DocumentList.Highlighted(doc_id)``: the cursor moved to another row
  (posted on every move; mergeable, only the last one matters);
* ``DocumentList.Selected(doc_id)``: a click on the highlighted row (open it);
* ``DocumentList.HeaderClicked(sort)``: a click on a column header that has a sort.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping

from rich.segment import Segment
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int = 0  # 0: the column takes the width the others leave
    justify: str = "left"
    sort: str | None = None  # the library sort this column shows with an arrow


#: The library's columns, in order. The single place they are described.
COLUMNS: tuple[Column, ...] = (
    Column("mark", " ", 1),
    Column("id", "Id", 20, sort="path"),
    Column("lang", "Lang", 4, sort="lang"),
    Column("dir", "Dir", 3),
    Column("conf", "Conf", 4),
    Column("title", "Title", 0, sort="title"),
    Column("date", "Date", 10, sort="date"),
    Column("size", "Size", 8, justify="right", sort="size"),
    Column("annotations", "Annotations", 24, sort="annotations"),
    Column("status", "Progress", 13, sort="status"),
    Column("review", "Review", 6, justify="right"),  # adjudication: decided/clusters, 2+ annotators
)
COLUMN_KEYS = tuple(c.key for c in COLUMNS)
#: Narrowest title column; below it the list scrolls sideways (→ ←, ctrl+pgdn ctrl+pgup).
TITLE_MIN = 16
#: Columns that stay in place when the list scrolls sideways (the mark and the id name the row).
FROZEN = 2
#: One space before the first column and between columns.
GAP = 1
#: Rendered rows kept (a few screens' worth).
CACHE_ROWS = 1000

CellSource = Callable[[str], Mapping[str, Text]]


class DocumentList(ScrollView, can_focus=True):
    """One row per document id; the screen supplies the cells."""

    COMPONENT_CLASSES = {
        "document-list--header",
        "document-list--cursor",
        "document-list--cursor-blurred",
        "document-list--even-row",
    }

    DEFAULT_CSS = """
    DocumentList {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;
        & > .document-list--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        & > .document-list--even-row {
            background: $surface-lighten-1 50%;
        }
        & > .document-list--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .document-list--cursor-blurred {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    BINDINGS = [
        Binding("up", "move(-1)", "Previous document", show=False, id="library.list.up"),
        Binding("down", "move(1)", "Next document", show=False, id="library.list.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="library.list.pageup"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="library.list.pagedown"),
        Binding("home", "first", "First document", show=False, id="library.list.home"),
        Binding("end", "last", "Last document", show=False, id="library.list.end"),
        # narrow terminals (80 columns): the columns past the title scroll into view
        Binding("right", "scroll_columns(1)", "Show the next column", show=False, id="library.list.right"),
        Binding("left", "scroll_columns(-1)", "Show the previous column", show=False, id="library.list.left"),
        Binding("ctrl+pagedown", "scroll_columns_end(1)", "Show the last columns", show=False, id="library.list.ctrl_pagedown"),
        Binding("ctrl+pageup", "scroll_columns_end(-1)", "Show the first columns", show=False, id="library.list.ctrl_pageup"),
    ]

    cursor_row: reactive[int] = reactive(0, init=False, always_update=True)

    class Highlighted(Message):
        """The cursor is on ``doc_id`` (``None`` when the list is empty)."""

        def __init__(self, doc_list: "DocumentList", doc_id: str | None) -> None:
            super().__init__()
            self.doc_list = doc_list
            self.doc_id = doc_id

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, DocumentList.Highlighted)

        @property
        def control(self) -> "DocumentList":
            return self.doc_list

    class Selected(Message):
        """The user chose ``doc_id`` with the mouse (the screen's enter does the same)."""

        def __init__(self, doc_list: "DocumentList", doc_id: str) -> None:
            super().__init__()
            self.doc_list = doc_list
            self.doc_id = doc_id

        @property
        def control(self) -> "DocumentList":
            return self.doc_list

    class HeaderClicked(Message):
        """A click on the header of a column that has a sort."""

        def __init__(self, doc_list: "DocumentList", sort: str) -> None:
            super().__init__()
            self.doc_list = doc_list
            self.sort = sort

        @property
        def control(self) -> "DocumentList":
            return self.doc_list

    def __init__(self, cells: CellSource, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._cells = cells
        self._ids: list[str] = []
        self._index: dict[str, int] = {}
        self._cache: dict[tuple[str, int, int], Strip] = {}
        self._sort: str | None = None
        self._sort_reverse = False
        self._id_width = COLUMNS[1].width
        self._column_offset = 0  # columns scrolled out of view on the left (after the frozen ones)

    # --- data ------------------------------------------------------------------

    def set_rows(self, doc_ids: list[str], *, keep: str | None = None) -> None:
        """Show ``doc_ids`` in this order; keep the cursor on ``keep`` when it is listed."""
        self._ids = list(doc_ids)
        self._index = {doc_id: i for i, doc_id in enumerate(self._ids)}
        self._cache.clear()
        self.virtual_size = Size(self.size.width, len(self._ids) + 1)
        row = self._index.get(keep, None) if keep is not None else None
        self.cursor_row = row if row is not None else min(self.cursor_row, max(0, len(self._ids) - 1))
        self.refresh()

    def refresh_rows(self, doc_ids: list[str] | None = None) -> None:
        """Draw these rows again (all when ``None``): their cells changed."""
        if doc_ids is None:
            self._cache.clear()
        else:
            for doc_id in doc_ids:
                for key in [k for k in self._cache if k[0] == doc_id]:
                    del self._cache[key]
        self.refresh()

    def set_id_width(self, width: int) -> None:
        """Width of the id column (the longest id, within bounds)."""
        width = max(4, min(COLUMNS[1].width, width))
        if width != self._id_width:
            self._id_width = width
            self._cache.clear()
            self.refresh()

    def show_sort(self, sort: str | None, reverse: bool = False) -> None:
        """Mark the column of ``sort`` in the header with an arrow."""
        self._sort, self._sort_reverse = sort, reverse
        self.refresh_line(0)

    @property
    def row_count(self) -> int:
        return len(self._ids)

    @property
    def doc_ids(self) -> list[str]:
        return list(self._ids)

    @property
    def cursor_doc_id(self) -> str | None:
        if 0 <= self.cursor_row < len(self._ids):
            return self._ids[self.cursor_row]
        return None

    def row_of(self, doc_id: str) -> int | None:
        return self._index.get(doc_id)

    def get_row_at(self, row: int) -> list[Text]:
        """The cells of ``row``, in column order (as given, before cropping)."""
        cells = self._cells(self._ids[row])
        return [cells.get(column.key, Text("")) for column in COLUMNS]

    def move_cursor(self, row: int) -> None:
        if self._ids:
            self.cursor_row = max(0, min(len(self._ids) - 1, row))

    # --- layout ----------------------------------------------------------------

    def _widths(self, total: int) -> list[int]:
        widths = [self._id_width if c.key == "id" else c.width for c in COLUMNS]
        fixed = sum(widths) + GAP * len(COLUMNS)
        flexible = max(TITLE_MIN, total - fixed)
        return [w if w else flexible for w in widths]

    def _natural_width(self, total: int) -> int:
        return sum(self._widths(total)) + GAP * len(COLUMNS)

    def _max_column_offset(self, total: int) -> int:
        """How many columns past the frozen ones may scroll out so that the last one shows."""
        widths = self._widths(total)
        frozen = sum(widths[:FROZEN]) + GAP * FROZEN
        room = total - frozen
        offset, rest = 0, sum(widths[FROZEN:]) + GAP * (len(COLUMNS) - FROZEN)
        while rest > room and FROZEN + offset < len(COLUMNS) - 1:
            rest -= widths[FROZEN + offset] + GAP
            offset += 1
        return offset

    @property
    def column_offset(self) -> int:
        """Columns scrolled out of view on the left (0: the list starts at its first column)."""
        return self._column_offset

    def hidden_columns(self, total: int | None = None) -> tuple[list[str], list[str]]:
        """The keys of the columns out of view on the left and on the right at width ``total``."""
        total = self.scrollable_content_region.width if total is None else total
        widths = self._widths(total)
        left = [c.key for c in COLUMNS[FROZEN : FROZEN + self._column_offset]]
        x = sum(widths[:FROZEN]) + GAP * FROZEN
        right: list[str] = []
        for column, width in zip(COLUMNS[FROZEN + self._column_offset :], widths[FROZEN + self._column_offset :]):
            x += GAP + width
            if x > total:
                right.append(column.key)
        return left, right

    def _set_column_offset(self, offset: int) -> None:
        offset = max(0, min(self._max_column_offset(self.scrollable_content_region.width), offset))
        if offset != self._column_offset:
            self._column_offset = offset
            self.refresh()

    def action_scroll_columns(self, step: int) -> None:
        self._set_column_offset(self._column_offset + step)

    def action_scroll_columns_end(self, direction: int) -> None:
        self._set_column_offset(len(COLUMNS) if direction > 0 else 0)

    def _line(self, cells: list[Text], widths: list[int]) -> Text:
        line = Text(no_wrap=True, end="")
        for column, cell, width in zip(COLUMNS, cells, widths):
            part = cell.copy()
            part.no_wrap = True
            part.truncate(width, overflow="ellipsis")
            pad = width - part.cell_len
            line.append(" " * GAP)
            if column.justify == "right":
                line.append(" " * pad)
                line.append_text(part)
            else:
                line.append_text(part)
                line.append(" " * pad)
        return line

    def _strip(self, text: Text, width: int) -> Strip:
        segments = [s for s in text.render(self.app.console) if s.text != "\n"]
        full = Strip(segments)
        offset = min(self._column_offset, self._max_column_offset(width))
        if offset:
            widths = self._widths(width)
            frozen = sum(widths[:FROZEN]) + GAP * FROZEN
            skip = sum(widths[FROZEN : FROZEN + offset]) + GAP * offset
            full = Strip.join([full.crop(0, frozen), full.crop(frozen + skip, full.cell_length)])
        return full.crop(0, width).adjust_cell_length(width)

    def _header_cell(self, column: Column, width: int) -> Text:
        """A column's header; the sort arrow survives a narrow column ("Lan▲", never "Lan…")."""
        if not (column.sort and column.sort == self._sort):
            return Text(column.header)
        arrow = "▼" if self._sort_reverse else "▲"
        if len(column.header) + 2 <= width or not width:
            return Text(f"{column.header} {arrow}")
        return Text(column.header[: max(0, width - 1)] + arrow)

    def _header_strip(self, width: int) -> Strip:
        widths = self._widths(width)
        cells = [self._header_cell(c, w) for c, w in zip(COLUMNS, widths)]
        style = self.get_component_rich_style("document-list--header")
        strip = self._strip(self._line(cells, widths), width)
        left, right = self.hidden_columns(width)
        if right and width > 1:  # more columns to the right: say so, and how to reach them
            strip = Strip.join([strip.crop(0, width - 1), Strip([Segment("→")])])
        return strip.apply_style(style)

    def _row_strip(self, row: int, width: int) -> Strip:
        doc_id = self._ids[row]
        key = (doc_id, width, self._column_offset)
        strip = self._cache.get(key)
        if strip is None:
            strip = self._strip(self._line(self.get_row_at(row), self._widths(width)), width)
            if len(self._cache) >= CACHE_ROWS:
                self._cache.clear()
            self._cache[key] = strip
        return strip

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            return self._header_strip(width)
        row = int(self.scroll_offset.y) + y - 1
        if row >= len(self._ids):
            return Strip.blank(width, base)
        strip = self._row_strip(row, width)
        if row == self.cursor_row:
            name = "document-list--cursor" if self.has_focus else "document-list--cursor-blurred"
            return strip.apply_style(base + self.get_component_rich_style(name))
        if row % 2:
            return strip.apply_style(base + self.get_component_rich_style("document-list--even-row"))
        return strip.apply_style(base)

    # --- cursor ------------------------------------------------------------------

    @property
    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 2)

    def watch_cursor_row(self, old: int, new: int) -> None:
        height = max(1, self.scrollable_content_region.height - 1)  # rows under the header
        top = int(self.scroll_offset.y)
        if new < top:
            self.scroll_to(y=new, animate=False, immediate=True)
        elif new >= top + height:
            self.scroll_to(y=new - height + 1, animate=False, immediate=True)
        self.refresh()
        self.post_message(self.Highlighted(self, self.cursor_doc_id))

    def action_move(self, step: int) -> None:
        self.move_cursor(self.cursor_row + step)

    def action_page(self, direction: int) -> None:
        self.move_cursor(self.cursor_row + direction * self._page)

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self._ids) - 1)

    # --- mouse and focus ---------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            x = event.x
            widths = self._widths(self.scrollable_content_region.width)
            shown = [i for i in range(len(COLUMNS)) if i < FROZEN or i >= FROZEN + self._column_offset]
            for i in shown:
                column, width = COLUMNS[i], widths[i]
                x -= GAP + width
                if x < 0:
                    if column.sort:
                        self.post_message(self.HeaderClicked(self, column.sort))
                    return
            return
        row = int(self.scroll_offset.y) + event.y - 1
        if not 0 <= row < len(self._ids):
            return
        if row == self.cursor_row:
            self.post_message(self.Selected(self, self._ids[row]))
        else:
            self.cursor_row = row

    def on_focus(self, event: events.Focus) -> None:
        self.refresh()

    def on_blur(self, event: events.Blur) -> None:
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self._cache.clear()
        self._column_offset = min(self._column_offset, self._max_column_offset(self.scrollable_content_region.width))
        self.virtual_size = Size(self.size.width, len(self._ids) + 1)

    def notify_style_update(self) -> None:
        self._cache.clear()
        super().notify_style_update()

