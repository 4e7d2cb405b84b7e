"""The label picker: tag with any label by typing part of its name (``T``).

Hotkeys run out after a handful of labels; like Prodigy's and INCEpTION's label
search, the picker lists the labels, narrows them as you type (name or
description, case-insensitive) and tags with the highlighted one on enter. It
shows at most :data:`SHOWN` matches, so typing stays quick with the largest
label set a ``labels.toml`` may hold (:data:`reader.labels.MAX_LABELS`).
Dismisses with the label name, or ``None``. The one label picker of the app:
the reading screen's ``T`` and the adjudication screen's ``e`` (with the gold
span's ``current`` label highlighted) both use it.
"""
from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from reader.labels import LabelSet
from reader.text import one_line
from reader.tui.dialogs.base import Dialog
from reader.tui.widgets.inert import InertInput

SHOWN = 50


def matching(labels: LabelSet, query: str, limit: int = SHOWN) -> tuple[list[str], int]:
    """``(names, total)``: the first ``limit`` labels matching ``query`` (prefix matches first)."""
    q = query.strip().casefold()
    if not q:
        names = labels.names
        return names[:limit], len(names)
    prefix, inside = [], []
    for label in labels:
        name = label.name.casefold()
        if name.startswith(q):
            prefix.append(label.name)
        elif q in name or q in label.description.casefold():
            inside.append(label.name)
    found = prefix + inside
    return found[:limit], len(found)


class LabelPicker(Dialog["str | None"]):
    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="labelpicker.cancel"),
        Binding("down", "list_focus", "Choose from the list", show=False, id="labelpicker.list"),
    ]

    def __init__(self, labels: LabelSet, current: str | None = None) -> None:
        super().__init__(classes="dialog-screen")
        self.labels = labels
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="labelpicker-dialog"):
            yield Label(f"Tag with a label ({len(self.labels):,})", classes="dialog-title")
            yield InertInput(placeholder="type part of a label's name; enter tags with the first match", id="labelpicker-input")
            yield OptionList(id="labelpicker-list")
            yield Static("", id="labelpicker-count", classes="dialog-hint")
            yield Label("enter: tag   down: list   escape: cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        self._fill("")
        self.query_one("#labelpicker-input", Input).focus()

    def _fill(self, query: str) -> None:
        names, total = matching(self.labels, query)
        options = self.query_one("#labelpicker-list", OptionList)
        options.clear_options()
        for name in names:
            label = self.labels.get(name)
            text = Text()
            text.append("■ ", style=label.color if label else "")
            text.append(one_line(name, 40), style="bold")
            if label and label.key:
                text.append(f"  [{one_line(label.key)}]", style="dim")
            if label and label.description:
                text.append(f"  {one_line(label.description, 60)}", style="dim italic")
            options.add_option(Option(text, id=name))
        if names:
            options.highlighted = names.index(self.current) if not query and self.current in names else 0
        more = f"; the first {len(names)} shown, type more to narrow" if total > len(names) else ""
        self.query_one("#labelpicker-count", Static).update(f"{total:,} match(es){more}" if query else f"{total:,} label(s){more}")

    @on(Input.Changed, "#labelpicker-input")
    def _changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#labelpicker-input")
    def _submitted(self) -> None:
        options = self.query_one("#labelpicker-list", OptionList)
        if options.option_count:
            self.dismiss(options.get_option_at_index(options.highlighted or 0).id)

    @on(OptionList.OptionSelected, "#labelpicker-list")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_list_focus(self) -> None:
        self.query_one("#labelpicker-list", OptionList).focus()

    def action_cancel(self) -> None:
        self.dismiss(None)
