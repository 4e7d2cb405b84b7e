"""AnnotationList: the reading screen's side panel, a Line API list that scales to 10k+ rows.

Each row shows label, span text and note as inert text (never markup).
Up/down/page/home/end move the highlight; enter or a click selects the row
(posts ``AnnotationList.Selected``).
"""
from __future__ import annotations

from bisect import bisect_left
from typing import Iterable

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from reader.annset import SortKey, Tally, sort_key
from reader.labels import LabelSet
from reader.model import STATUS_ACCEPTED, STATUS_SUGGESTED, Annotation
from reader.tui.values import format_value
from reader.suggest.learn import highest_first
from reader.text import one_line
from reader.view.spans import is_low

LABEL_CELLS = 10


class AnnotationList(ScrollView, can_focus=True):
    DEFAULT_CSS = """
    AnnotationList {
        overflow-y: auto;
        overflow-x: hidden;
        background: $surface;
    }
    """

    BINDINGS = [
        Binding("up", "move(-1)", "Previous row", show=False),
        Binding("down", "move(1)", "Next row", show=False),
        Binding("pageup", "move(-10)", "Page up", show=False),
        Binding("pagedown", "move(10)", "Page down", show=False),
        Binding("home", "move(-1000000000)", "First row", show=False),
        Binding("end", "move(1000000000)", "Last row", show=False),
        Binding("enter", "choose", "Go to annotation", tooltip="Move the text cursor to this annotation"),
    ]

    highlighted: reactive[int] = reactive(0, init=False)

    class Selected(Message):
        def __init__(self, ann_list: "AnnotationList", ann_id: str) -> None:
            super().__init__()
            self.ann_list = ann_list
            self.ann_id = ann_id

        @property
        def control(self) -> "AnnotationList":
            return self.ann_list

    def __init__(self, labels: LabelSet | None = None, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.labels = labels or LabelSet()
        self._items: list[Annotation] = []
        self._keys: list[SortKey] = []  # the rows' sort keys, while the rows are in sort_key order
        self._index: dict[str, int] | None = {}
        self.sorted_items = True  # rows in sort_key order (False: the review order of suggestions)
        self.show_annotator = False  # every layer shown: each row names its annotator

    def set_items(self, anns: list[Annotation]) -> None:
        current = self.highlighted_id
        self._items = list(anns)
        self._keys = [sort_key(a) for a in self._items] if self.sorted_items else []
        self._index = None
        self.virtual_size = Size(self.size.width, len(self._items))
        i = self.index_of(current) if current is not None else None
        if i is not None:
            self.highlighted = i
        else:
            self.highlighted = min(self.highlighted, max(0, len(self._items) - 1))
        self.refresh()

    def update_items(self, removed: Iterable[Annotation], added: Iterable[Annotation]) -> None:
        """Apply a delta to a list sorted by :func:`reader.annset.sort_key`: rows go and come
        in place (the highlight stays on its annotation), without refilling every row."""
        current = self._items[self.highlighted] if 0 <= self.highlighted < len(self._items) else None
        for ann in removed:
            i = self._position(ann)
            if i is not None:
                del self._items[i]
                del self._keys[i]
                if current is not None and current.id == ann.id:
                    current = None
        for ann in added:
            key = sort_key(ann)
            i = bisect_left(self._keys, key)
            self._keys.insert(i, key)
            self._items.insert(i, ann)
        self._index = None
        self.virtual_size = Size(self.size.width, len(self._items))
        i = self._position(current) if current is not None else None
        self.highlighted = i if i is not None else min(self.highlighted, max(0, len(self._items) - 1))
        self.refresh()

    def _position(self, ann: Annotation) -> int | None:
        key = sort_key(ann)
        i = bisect_left(self._keys, key)
        return i if i < len(self._keys) and self._keys[i] == key else None

    @property
    def row_count(self) -> int:
        return len(self._items)

    @property
    def highlighted_id(self) -> str | None:
        if 0 <= self.highlighted < len(self._items):
            return self._items[self.highlighted].id
        return None

    def row_text(self, i: int) -> str:
        """The plain text of row ``i`` (as shown, untruncated)."""
        return "".join(part for part, _ in self._row_parts(self._items[i]))

    def index_of(self, ann_id: str) -> int | None:
        if self._index is None:  # built on first use after a change, not on every change
            self._index = {a.id: i for i, a in enumerate(self._items)}
        return self._index.get(ann_id)

    def highlight(self, ann_id: str) -> None:
        i = self.index_of(ann_id)
        if i is not None:
            self.highlighted = i

    def watch_highlighted(self, value: int) -> None:
        height = self.scrollable_content_region.height or 1
        y = int(self.scroll_offset.y)
        if value < y:
            self.scroll_to(y=value, animate=False, immediate=True)
        elif value >= y + height:
            self.scroll_to(y=value - height + 1, animate=False, immediate=True)
        self.refresh()

    def action_move(self, step: int) -> None:
        if self._items:
            self.highlighted = max(0, min(len(self._items) - 1, self.highlighted + step))

    def action_choose(self) -> None:
        ann_id = self.highlighted_id
        if ann_id is not None:
            self.post_message(self.Selected(self, ann_id))

    def on_click(self, event: events.Click) -> None:
        row = int(self.scroll_offset.y) + event.y
        if 0 <= row < len(self._items):
            self.highlighted = row
            self.action_choose()

    def _row_parts(self, ann: Annotation) -> list[tuple[str, Style]]:
        colour = self.labels.color(ann.label)
        suggested = ann.status == STATUS_SUGGESTED
        parts: list[tuple[str, Style]] = []
        if ann.orphaned:
            parts.append(("⚠ orphaned ", Style(bold=True, color="red")))
        low = is_low(ann)
        if self.show_annotator:
            parts.append((one_line(ann.annotator, 12) + " ", Style(dim=True, bold=True)))
        label = one_line(ann.label, LABEL_CELLS - 1) + ("?" if suggested else "")
        parts.append((label.ljust(LABEL_CELLS), Style(color=colour, bold=not suggested, italic=suggested, dim=low)))
        parts.append((one_line(ann.text, 200), Style(dim=low)))
        value = format_value(ann.value)
        if value:  # a salary's normalised amount
            parts.append(("  = " + value, Style(bold=not low, dim=low)))
        if suggested and ann.score is not None:
            parts.append((f"  {ann.score:.2f}", Style(dim=True)))
        if ann.note:
            parts.append(("  ✎ " + one_line(ann.note, 200), Style(italic=True, dim=True)))
        return parts

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        row = int(self.scroll_offset.y) + y
        if row >= len(self._items):
            return Strip.blank(width, base)
        segments = [Segment(text, style) for text, style in self._row_parts(self._items[row])]
        strip = Strip(segments).crop(0, width).adjust_cell_length(width).apply_style(base)
        if row == self.highlighted:
            strip = strip.apply_style(Style(reverse=self.has_focus, underline=not self.has_focus))
        return strip

    def on_focus(self, event: events.Focus) -> None:
        self.refresh()

    def on_blur(self, event: events.Blur) -> None:
        self.refresh()

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(self.size.width, len(self._items))


STATUS_FILTERS = ("all", STATUS_ACCEPTED, STATUS_SUGGESTED, "orphaned")
EMPTY_HINT = "no annotations yet — select text and press {keys}"


def status_of(ann: Annotation) -> str:
    return "orphaned" if ann.orphaned else ann.status


class AnnotationPanel(Vertical):
    """The side panel: a heading with per-label counts, the filter, the list or an empty state.

    ``f`` cycles the label filter (all, then each label), ``F`` the status
    filter (all, accepted, suggested, orphaned), while the panel has focus.
    """

    DEFAULT_CSS = """
    AnnotationPanel > .panel-heading { height: auto; padding: 0 1; background: $panel; }
    AnnotationPanel > .panel-empty { padding: 1 1; color: $text-muted; }
    AnnotationPanel > AnnotationList { height: 1fr; }
    """

    BINDINGS = [
        Binding("f", "cycle_label", "Filter label", tooltip="Show one label at a time in the annotation list"),
        Binding("F", "cycle_status", "Filter status", tooltip="Show all, accepted, suggested or orphaned annotations"),
    ]

    label_filter: reactive[str] = reactive("")
    status_filter: reactive[str] = reactive("all")

    def __init__(self, labels: LabelSet, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.labels = labels
        self._all: list[Annotation] = []
        self._all_keys: list[SortKey] = []
        self._tally = Tally()  # counts for the heading, kept as changes come

    def compose(self) -> ComposeResult:
        yield Static(classes="panel-heading")
        yield Static(classes="panel-empty")
        yield AnnotationList(self.labels)

    @property
    def ann_list(self) -> AnnotationList:
        return self.query_one(AnnotationList)

    def set_items(self, anns: list[Annotation]) -> None:
        self._all = list(anns)
        self._all_keys = [sort_key(a) for a in self._all]
        self._tally = Tally(self._all)
        self._refill()

    def update_items(self, removed: Iterable[Annotation], added: Iterable[Annotation]) -> None:
        """Apply a delta (see :class:`reader.annset.Delta`) without refilling every row."""
        removed, added = list(removed), list(added)
        self._tally.update(removed, added)
        for ann in removed:
            key = sort_key(ann)
            i = bisect_left(self._all_keys, key)
            if i < len(self._all_keys) and self._all_keys[i] == key:
                del self._all[i]
                del self._all_keys[i]
        for ann in added:
            key = sort_key(ann)
            i = bisect_left(self._all_keys, key)
            self._all_keys.insert(i, key)
            self._all.insert(i, ann)
        if not self.is_mounted:
            return
        if self.status_filter == STATUS_SUGGESTED:  # the review order is by score: refill
            self._refill()
            return
        self.ann_list.update_items([a for a in removed if self._passes(a)], [a for a in added if self._passes(a)])
        self._show_counts(self.ann_list.row_count)

    def _passes(self, a: Annotation) -> bool:
        return ((not self.label_filter or a.label == self.label_filter)
                and (self.status_filter == "all" or status_of(a) == self.status_filter))

    def _refill(self) -> None:
        if not self.is_mounted:
            return
        shown = [a for a in self._all if self._passes(a)]
        review = self.status_filter == STATUS_SUGGESTED
        if review:
            shown = highest_first(shown)  # the review order: best-scored suggestions first
        self.ann_list.sorted_items = not review
        self.ann_list.set_items(shown)
        self._show_counts(len(shown))

    def _show_counts(self, shown: int) -> None:
        self.query_one(".panel-heading", Static).update(self.heading(shown))
        empty = self.query_one(".panel-empty", Static)
        if not self._all:
            keys = [label.key for label in self.labels.labels[:9] if label.key]
            span = f"{keys[0]}–{keys[-1]}" if len(keys) > 1 else (keys[0] if keys else "a label key")
            empty.update(EMPTY_HINT.format(keys=span))
        elif not shown:
            empty.update("no annotation matches the filter (f: label, F: status)")
        empty.display = not shown

    def heading(self, shown: int) -> Text:
        counts = +self._tally.accepted
        suggested = sum(self._tally.suggested.values())
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(f"Annotations {shown}" + (f" of {len(self._all)}" if shown != len(self._all) else ""), style="bold")
        text.append("\n")
        shown_labels = [label for label in self.labels.labels[:9]]
        shown_labels += [label for name in counts if (label := self.labels.get(name)) and label not in shown_labels]
        for label in shown_labels:  # bounded: the first labels and those in use, not all 1,000
            text.append(f"{one_line(label.name)} {counts.get(label.name, 0)}", style=Style(color=label.color, bold=True))
            text.append("  ")
        if suggested:
            text.append(f"+{suggested} suggested", style="italic")
        filters = []
        if self.label_filter:
            filters.append(f"label:{self.label_filter}")
        if self.status_filter != "all":
            filters.append(f"status:{self.status_filter}")
        if filters:
            text.append("\nfilter: " + " ".join(filters) + "  (f / F to change)", style="italic")
        return text

    def action_cycle_label(self) -> None:
        names = ["", *(label.name for label in self.labels)]
        i = names.index(self.label_filter) if self.label_filter in names else 0
        self.label_filter = names[(i + 1) % len(names)]

    def action_cycle_status(self) -> None:
        i = STATUS_FILTERS.index(self.status_filter)
        self.status_filter = STATUS_FILTERS[(i + 1) % len(STATUS_FILTERS)]

    def watch_label_filter(self) -> None:
        self._refill()

    def watch_status_filter(self) -> None:
        self._refill()

    def on_mount(self) -> None:
        self._refill()
