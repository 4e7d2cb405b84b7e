"""What a screen may ask of the app: ``ReaderAppProtocol`` (the UI contract).

Screens, panes and dialogs are written against this protocol, not against
``ReaderApp``, so that a small host app can run them in tests. They reach it
with :func:`reader_app`, a ``typing.cast`` of ``widget.app`` (as Posting does
with its app class): no ``getattr`` probing, and mypy checks every use.

``ReaderApp`` implements it, and so does the tests' ``HostApp``
(``tests/reading_harness.py``); ``tests/ui/test_host_protocol.py`` compares both
with the protocol so they cannot drift. Textual's own ``App`` API (``notify``,
``push_screen``, ``exit``) is used through ``widget.app`` as usual.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol, cast, runtime_checkable

if TYPE_CHECKING:  # pragma: no cover
    from textual.dom import DOMNode

    from reader.labels import LabelSet
    from reader.protocols import CorpusAPI, StoreAPI


@runtime_checkable
class ReaderAppProtocol(Protocol):
    """The members of the app that the screens use."""

    corpus_path: Path
    store_problem: str | None
    detection_done: bool
    first_screen_at: float | None

    @property
    def corpus(self) -> "CorpusAPI | None": ...

    @property
    def store(self) -> "StoreAPI": ...  # an UnavailableStore when the store could not open

    @property
    def labels(self) -> "LabelSet": ...

    def copy_text(self, text: str, what: str = "selection") -> None:
        """Copy to the clipboard (OSC 52, then the system clipboard); never raises."""

    def report_error(self, error: BaseException | str, title: str = "") -> None:
        """Show an error as one plain line; never raises."""

    def open_document(self, doc_id: str, offset: int | None = None) -> None:
        """Push the reading screen of ``doc_id`` (at ``offset``)."""

    def open_compare(self, doc_ids: list[str]) -> None:
        """Push the compare screen of 2 to 4 documents."""

    def remember_position(self, doc_id: str, offset: int) -> None:
        """Keep the reading position, for resume."""

    def last_position(self) -> tuple[str, int] | None:
        """The last reading position, if any."""

    def action_export(self) -> None:
        """Open the export dialog."""

    def action_resume(self) -> None:
        """Reopen the last document where it was left."""

    def request_quit(self) -> None:
        """Quit, asking first when changes are still unsaved."""

    def after_first_screen(self) -> None:
        """The first screen is painted: start the background work (amount tables, language detection)."""

    def settle_heap(self) -> None:
        """A screen has built what it keeps while it is open (the comparison's alignments): once it is
        painted, collect once and keep those objects out of later full collections (gc.freeze)."""


def reader_app(node: "DOMNode") -> ReaderAppProtocol:
    """``node.app``, typed as the reader app."""
    return cast(ReaderAppProtocol, node.app)



def protocol_members() -> set[str]:
    """The names the protocol requires (attributes, properties and methods)."""
    names = {n for n in vars(ReaderAppProtocol) if not n.startswith("_")}
    return names | set(ReaderAppProtocol.__annotations__)
