"""A small host App for the reading/compare screens (used until and besides ReaderApp).

It implements ``reader.tui.host.ReaderAppProtocol``, the members the screens
use, as ``ReaderApp`` does (``tests/ui/test_host_protocol.py`` checks both).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from textual.app import App

from reader.tui.services.heap import HeapSettler
from reader.workspace import Workspace

from conftest import SEEDS, copy_seeds  # noqa: F401  (re-exported for the reading tests)


class HostApp(App):
    def __init__(self, corpus_path: Path, store_path: Path, make_screen: Callable[[], Any] | None = None) -> None:
        super().__init__()
        self.workspace = Workspace.open(corpus_path, store_path, detect=False)
        self.make_screen = make_screen
        self.copied: list[tuple[str, str]] = []
        self.errors: list[str] = []
        self.position: tuple[str, int] | None = None
        self.corpus_path = Path(corpus_path)
        self.store_problem: str | None = None
        self.detection_done = True
        self.first_screen_at: float | None = None
        self.opened: list[tuple[str, ...]] = []
        self.heap = HeapSettler()

    @property
    def corpus(self):
        return self.workspace.corpus

    @property
    def store(self):
        return self.workspace.store

    @property
    def labels(self):
        return self.workspace.store.labels

    def on_mount(self) -> None:
        if self.make_screen is not None:
            self.push_screen(self.make_screen())

    def copy_text(self, text: str, what: str = "selection") -> None:
        self.copied.append((text, what))
        self.notify(f"copied {what}", markup=False)

    def report_error(self, error: BaseException | str, title: str = "") -> None:
        self.errors.append(str(error))
        self.notify(str(error), severity="error", markup=False)

    def open_document(self, doc_id: str, offset: int | None = None) -> None:
        self.opened.append(("document", doc_id))

    def open_compare(self, doc_ids: list[str]) -> None:
        self.opened.append(("compare", *doc_ids))

    def action_export(self) -> None:
        self.opened.append(("export",))

    def action_resume(self) -> None:
        self.opened.append(("resume",))

    def request_quit(self) -> None:
        self.exit()

    def remember_position(self, doc_id: str, offset: int) -> None:
        self.position = (doc_id, offset)

    def last_position(self):
        return self.position

    def after_first_screen(self) -> None:
        pass

    def settle_heap(self) -> None:
        self.heap.settle()

    def on_unmount(self) -> None:
        self.heap.release()
        self.workspace.close()
