"""Details behind a short notification, kept per app and shown by the help screen (`?`).

A notification is one line. When there is more to say (the clipboard's
error text, the tmux hint), the long form goes here with :func:`record`:
it is written to Textual's log (``textual console``) and listed under
"Recent details" in the help screen.
"""
from __future__ import annotations

import time
import weakref
from collections import deque
from typing import Any

from textual.app import App

from reader.text import one_line

#: Details kept per app (the oldest go first).
KEEP = 20

_DETAILS: "weakref.WeakKeyDictionary[App[Any], deque[str]]" = weakref.WeakKeyDictionary()


def record(app: App[Any], text: str) -> None:
    """Keep ``text`` (made one inert line) for the help screen and write it to the log."""
    line = one_line(f"{time.strftime('%H:%M:%S')} {text}", 600)
    _DETAILS.setdefault(app, deque(maxlen=KEEP)).append(line)
    app.log.warning(line)


def recent(app: App[Any]) -> list[str]:
    """The details recorded for ``app``, newest last."""
    return list(_DETAILS.get(app, ()))
