"""The `?` help screen: every key of the screen it was opened from, with its description."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import ActiveBinding, Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import Label, Static

from reader.text import one_line
from reader.tui.services import details


@dataclass
class HelpEntry:
    section: str
    keys: list[str]
    description: str
    action: str
    enabled: bool = True
    node: object = None


def _section(node: object, screen: Screen[Any]) -> str:
    if isinstance(node, App):
        return "Everywhere"
    if node is screen:
        return f"{_screen_name(screen)} screen"
    if isinstance(node, Widget):
        words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", type(node).__name__).lower()
        return f"Focused {words}"
    return type(node).__name__


def _screen_name(screen: Screen[Any]) -> str:
    name = type(screen).__name__
    return name[:-6] if name.endswith("Screen") and len(name) > 6 else name


def _all_bindings(screen: Screen[Any]) -> list[tuple[str, ActiveBinding]]:
    """The bindings a key press on ``screen`` would run (focused widget, its parents, screen, app).

    ``Screen.active_bindings`` is what the footer shows: a key bound at two
    levels is listed once, with the binding that wins. Disabled bindings
    (``check_action`` returning ``None``) are kept and shown dimmed; hidden ones
    (``False``) are left out, as the footer does.
    """
    try:
        return list(screen.active_bindings.items())
    except Exception:  # the screen is being dismantled
        return []


_TAG_KEY = re.compile(r"""tag_key\((['"])(.+)\1\)""")


def _label_key_description(node: object, action: str) -> str | None:
    """A label key names its label ("Tag as salary"), not "Tag with this key's label" four times."""
    match = _TAG_KEY.fullmatch(action)
    if match is None:
        return None
    from reader.tui.widgets.pane import DocumentPane

    if not isinstance(node, DocumentPane):
        return None
    label = node.labels.by_key(match.group(2))
    return f"Tag as {label.name} (with no selection: re-label the span the cursor is in)" if label is not None else None


def binding_entries(screen: Screen[Any]) -> list[HelpEntry]:
    """The bindings active on ``screen`` (screen, focused widget, app), grouped by action.

    Keys bound to the same action and description are listed together.
    System bindings without a description (ctrl+c) are left out.
    """
    app = screen.app
    entries: dict[tuple[str, str, str], HelpEntry] = {}
    order: dict[str, int] = {}
    for key, item in _all_bindings(screen):
        binding: Binding = item.binding
        if binding.system and not binding.description:
            continue
        section = _section(item.node, screen)
        description = _label_key_description(item.node, binding.action) or binding.description or binding.tooltip or binding.action.replace("_", " ")
        try:
            display = app.get_key_display(Binding(key, binding.action, binding.description, key_display=binding.key_display))
        except Exception:
            display = key
        ident = (section, binding.action, description)
        if ident not in entries:
            entries[ident] = HelpEntry(section, [], description, binding.action, item.enabled, item.node)
        if display not in entries[ident].keys:
            entries[ident].keys.append(display)
        order.setdefault(section, len(order))

    def rank(section: str) -> tuple[int, int]:
        if section.endswith(" screen"):
            return (0, order[section])
        if section.startswith("Focused"):
            return (1, order[section])
        return (2, order[section])

    return sorted(entries.values(), key=lambda e: rank(e.section))


def help_table(screen: Screen[Any]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column("key", style="bold", no_wrap=True, min_width=14)
    table.add_column("description")
    section = None
    for entry in binding_entries(screen):
        if entry.section != section:
            if section is not None:
                table.add_row("", "")
            section = entry.section
            table.add_row(Text(one_line(section), style="bold underline"), "")
        keys = Text(" / ".join(entry.keys), style="bold" if entry.enabled else "dim")
        desc = Text(one_line(entry.description, 80), style="" if entry.enabled else "dim")
        table.add_row(keys, desc)
    return table


class HelpScreen(ModalScreen[None]):
    """Lists the keys of ``screen`` (the screen the user was on)."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [
        Binding("escape,q,question_mark", "close", "Close help", id="help.close"),
    ]

    def __init__(self, screen: Screen[Any] | None = None) -> None:
        super().__init__(classes="dialog-screen")
        self._help_target = screen

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="help-dialog"):
            yield Label(Text("Keys", style="bold"), id="help-title", classes="dialog-title")
            with VerticalScroll(id="help-scroll"):
                yield Static(id="help-body")
            yield Label("escape / q / ?: close   ctrl+p: command palette (every action by name)", classes="dialog-hint")

    def on_mount(self) -> None:
        target = self._help_target
        if target is None:
            stack = self.app.screen_stack
            target = stack[-2] if len(stack) > 1 else self
        self._help_target = target
        self.query_one("#help-title", Label).update(Text(f"Keys — {_screen_name(target)} screen", style="bold"))
        body = help_table(target)
        recent = details.recent(self.app)
        if recent:
            body.add_row("", "")
            body.add_row(Text("Recent details", style="bold underline"), "")
            for line in recent:
                body.add_row("", Text(line, style="dim"))
        self.query_one("#help-body", Static).update(body)
        self.query_one("#help-scroll").focus()

    def action_close(self) -> None:
        self.dismiss(None)
