"""From a worker's thread back to the UI: :func:`to_ui`.

A thread worker reports progress and its result by running a callback on the
app's thread (``App.call_from_thread``). The node that started it may be gone
by then: the user left the screen (``q``), or the app is quitting. Textual
cancels a node's workers only at its ``Unmount``, after its children have been
removed, so a worker's last call could land in between and query widgets that
no longer exist (the CI failure of stop 35: ``NoMatches '#compare-status'``
while the app quit during an alignment).

``to_ui`` runs the callback only while the node's message loop still runs
(``is_running`` turns False as the loop ends, before the children are removed).
A dropped call is the right outcome: what it would show has no place to go. So is
a node already out of the app's tree, whose ``app`` a worker's thread cannot
find (Textual raises ``NoActiveAppError`` there; in the worker, that was an error).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, ParamSpec

from textual.types import NoActiveAppError

if TYPE_CHECKING:  # pragma: no cover
    from textual.message_pump import MessagePump

P = ParamSpec("P")


def to_ui(node: "MessagePump", callback: Callable[P, object], *args: P.args, **kwargs: P.kwargs) -> None:
    """From a worker's thread: run ``callback(*args, **kwargs)`` on the app's thread if ``node`` still runs then.

    Waits for the callback, as ``call_from_thread`` does, so the worker's calls keep their order. An
    exception the callback raises reaches the worker, as before.
    """

    def guarded() -> None:
        if node.is_running:
            callback(*args, **kwargs)

    try:
        app = node.app  # in a worker's thread, found through the node's parents
    except NoActiveAppError:
        return  # the node is no longer in the app's tree: what it would show has no place to go
    app.call_from_thread(guarded)
