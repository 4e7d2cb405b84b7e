"""SearchBar: the pane's search field. It posts messages; the pane decides what they do.

* :class:`SearchBar.Typed` (``query``): the text changed (the pane highlights
  every match while the user types); consecutive ones merge.
* :class:`SearchBar.Submitted` (``query``): enter; the field has closed.
* :class:`SearchBar.Cancelled`: escape; the field has closed.

Enter runs the search at once, in the order the keys were typed, and a key
that was already queued here when the field closed (``/``, a query, enter
and a label key typed in one go) goes on to the widget that has the focus
now, so ``1`` typed right after enter tags the match.
"""
from __future__ import annotations

from textual import events
from textual.dom import DOMNode
from textual.message import Message
from textual.widgets import Input

from reader.tui.widgets.inert import InertInput


class SearchBar(InertInput):  # a pasted escape sequence is drawn inert (#13)
    class Typed(Message):
        def __init__(self, bar: "SearchBar", query: str) -> None:
            super().__init__()
            self.bar = bar
            self.query = query

        @property
        def control(self) -> "SearchBar":
            return self.bar

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, SearchBar.Typed) and message.bar is self.bar

    class Submitted(Message):
        def __init__(self, bar: "SearchBar", query: str) -> None:
            super().__init__()
            self.bar = bar
            self.query = query

        @property
        def control(self) -> "SearchBar":
            return self.bar

    class Cancelled(Message):
        def __init__(self, bar: "SearchBar") -> None:
            super().__init__()
            self.bar = bar

        @property
        def control(self) -> "SearchBar":
            return self.bar

    def open(self, query: str) -> None:
        self.display = True
        self.value = query
        self.cursor_position = len(query)
        # focus now, not via call_later: keys typed right after "/" (a paste, a
        # fast typist, tmux send-keys) must reach the field, not the label keys
        self.screen.set_focus(self)

    def close(self) -> None:
        self.display = False

    def on_key(self, event: events.Key) -> None:
        if not self.display:
            event.stop()
            event.prevent_default()
            # focus moves when the owner handles Submitted: until then, send the
            # key to the owner, whose queue already holds Submitted (typing order)
            target: DOMNode | None = self.screen.focused
            if target is None or target is self:
                target = self.parent
            if target is not None:
                target.post_message(events.Key(event.key, event.character))
            return
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            self.close()
            self.post_message(self.Submitted(self, self.value))
        elif event.key == "escape":
            event.stop()
            event.prevent_default()
            self.close()
            self.post_message(self.Cancelled(self))

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input is self:
            event.stop()
            if self.display:
                self.post_message(self.Typed(self, event.value))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()  # enter is handled in on_key, in typing order
