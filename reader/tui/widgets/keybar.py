"""KeyBar: the reading and compare screens' footer, a short curated set of keys.

The label keys (from ``labels.toml``) come first, then help and back, then
selection, search and note. Everything else is in ``?`` and the command
palette. Descriptions and key names are read from the screen's active
bindings, so the bar cannot drift from what the keys do; a key that is
disabled right now is not shown.
"""
from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from reader.labels import LabelSet

#: (action, short description) in display order, after the label keys: the reading screen's
CURATED: tuple[tuple[str, str], ...] = (
    ("app.help", "help"),
    ("back", "back"),
    ("select_sentence", "sentence"),
    ("select_paragraph", "paragraph"),
    ("search", "search"),
    ("note", "note"),
)
#: The compare screen's: panes, sync, counterparts and links come before the reading keys.
COMPARE_CURATED: tuple[tuple[str, str], ...] = (
    ("focus_pane(1)", "pane"),
    ("toggle_sync", "sync"),
    ("goto_counterpart", "counterpart"),
    ("link", "link"),
    ("app.help", "help"),
    ("back", "back"),
    ("search", "search"),
    ("select_sentence", "sentence"),
    ("note", "note"),
)


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    KeyBar > .keybar--key { color: $footer-key-foreground; background: $footer-key-background; text-style: bold; }
    """
    COMPONENT_CLASSES = {"keybar--key"}

    def __init__(self, labels: LabelSet, *, curated: tuple[tuple[str, str], ...] = CURATED, id: str | None = None) -> None:
        super().__init__(id=id)
        self.labels = labels
        self.curated = curated

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_updated)
        self.refresh_keys()

    def _bindings_updated(self, screen: object) -> None:
        self.refresh_keys()

    def entries(self) -> list[tuple[str, str]]:
        """(key as shown, description) of every key on the bar, in order."""
        out = [(label.key, label.name) for label in self.labels.labels[:9] if label.key]  # bounded; T picks any
        active = self.screen.active_bindings
        by_action: dict[str, str] = {}
        for key, active_binding in active.items():
            binding = active_binding.binding
            if not active_binding.enabled:
                continue
            action = binding.action
            if action.startswith("app."):
                pass
            elif active_binding.node is self.app:
                action = f"app.{action}"
            by_action.setdefault(action, self.app.get_key_display(binding))
        for action, description in self.curated:
            shown = by_action.get(action)
            if shown is not None:
                out.append((shown, description))
        return out

    def refresh_keys(self) -> None:
        key_style = self.get_component_rich_style("keybar--key")
        text = Text(no_wrap=True, overflow="ellipsis")
        for key, description in self.entries():
            text.append(f" {key} ", style=key_style)
            text.append(f"{description} ")
        self.update(text)
