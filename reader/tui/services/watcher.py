"""DocumentWatcher: one app-level watch on the files of the open documents.

Panes subscribe with :func:`document_watcher(app).watch(pane, doc_id)`. One
timer (not one per pane) stats each watched file; when a file is edited,
deleted or comes back, the watcher reloads it once (``corpus.reload`` and
``store.attach_corpus``, which re-anchors its annotations) and posts
:class:`DocumentChanged` to every pane that shows it.
"""
from __future__ import annotations

import os
import weakref
from dataclasses import dataclass
from typing import Protocol

from textual.app import App
from textual.message import Message
from textual.message_pump import MessagePump

from reader.errors import ReaderError
from reader.model import Document

WATCH_SECONDS = 2.0


class WatchedCorpus(Protocol):
    def get(self, doc_id: str) -> Document | None: ...

    def reload(self, doc_id: str) -> Document: ...


class WatchedReport(Protocol):
    def summary(self) -> str: ...


class WatchedStore(Protocol):
    def attach_corpus(self, corpus: WatchedCorpus) -> WatchedReport | None: ...


class WatchHost(Protocol):
    @property
    def corpus(self) -> WatchedCorpus: ...

    @property
    def store(self) -> WatchedStore: ...


class DocumentChanged(Message):
    """The file of ``doc_id`` changed on disk.

    ``kind``: "edited" (``document`` is the reloaded one, ``report`` the
    re-anchoring summary), "gone" (deleted or moved; the text stays on
    screen) or "error" (the file cannot be read now; ``error`` says why).
    """

    def __init__(self, doc_id: str, kind: str, *, document: Document | None = None, report: str = "", error: str = "") -> None:
        super().__init__()
        self.doc_id = doc_id
        self.kind = kind
        self.document = document
        self.report = report
        self.error = error


@dataclass
class _Watched:
    signature: tuple[int, ...] | None
    subscribers: "weakref.WeakSet[MessagePump]"


class DocumentWatcher:
    def __init__(self, app: App[object], host: WatchHost) -> None:
        self.app = app
        self.host = host
        self._docs: dict[str, _Watched] = {}
        self._timer = app.set_interval(WATCH_SECONDS, self.check, name="document-watcher")

    @staticmethod
    def signature(doc: Document | None) -> tuple[int, ...] | None:
        """(mtime_ns, size) of a document's file; () when it is gone; None when it has no file."""
        if doc is None or doc.imported or doc.path is None:
            return None
        try:
            st = os.stat(doc.path)
        except OSError:
            return ()
        return (st.st_mtime_ns, st.st_size)

    def watch(self, pane: MessagePump, doc_id: str) -> None:
        entry = self._docs.get(doc_id)
        if entry is None:
            entry = _Watched(self.signature(self.host.corpus.get(doc_id)), weakref.WeakSet())
            self._docs[doc_id] = entry
        entry.subscribers.add(pane)

    def unwatch(self, pane: MessagePump, doc_id: str) -> None:
        entry = self._docs.get(doc_id)
        if entry is not None:
            entry.subscribers.discard(pane)
            if not entry.subscribers:
                del self._docs[doc_id]
        self._end_if_idle()

    def check(self) -> None:
        """Stat every watched file (the timer, and a screen that comes back, call this)."""
        for doc_id, entry in list(self._docs.items()):
            if not entry.subscribers:
                del self._docs[doc_id]
                continue
            self._check_one(doc_id, entry)
        self._end_if_idle()

    def _end_if_idle(self) -> None:
        """No document watched (the last pane closed, the app ending): stop the timer and leave the table.
        The watcher and its timer refer to the app, so while it stayed in :data:`_WATCHERS` (a weak key
        kept alive by its own value) no app was ever freed: every app a test process ran, with its
        screens, caches and store, stayed in memory. The next :func:`document_watcher` makes a new one."""
        if self._docs:
            return
        self._timer.stop()
        if _WATCHERS.get(self.app) is self:
            del _WATCHERS[self.app]

    def _check_one(self, doc_id: str, entry: _Watched) -> None:
        corpus = self.host.corpus
        sig = self.signature(corpus.get(doc_id))
        if sig is None or sig == entry.signature:
            return
        entry.signature = sig
        if sig == ():
            self._post(entry, DocumentChanged(doc_id, "gone"))
            return
        try:
            new = corpus.reload(doc_id)
        except ReaderError as exc:
            self._post(entry, DocumentChanged(doc_id, "error", error=str(exc)))
            return
        try:
            report = self.host.store.attach_corpus(corpus)
            summary = report.summary() if report is not None else ""
        except ReaderError as exc:
            self._post(entry, DocumentChanged(doc_id, "error", error=str(exc)))
            summary = ""
        self._post(entry, DocumentChanged(doc_id, "edited", document=new, report=summary))

    def _post(self, entry: _Watched, message_for_all: DocumentChanged) -> None:
        for pane in list(entry.subscribers):
            pane.post_message(
                DocumentChanged(message_for_all.doc_id, message_for_all.kind, document=message_for_all.document,
                                report=message_for_all.report, error=message_for_all.error)
            )


_WATCHERS: "weakref.WeakKeyDictionary[App[object], DocumentWatcher]" = weakref.WeakKeyDictionary()


def stop_watching(app: App[object], pane: MessagePump, doc_id: str) -> None:
    """``pane`` no longer shows ``doc_id``. A watcher that has ended (nothing watched) is not made
    again just to be told so, with a timer started as the app closes."""
    watcher = _WATCHERS.get(app)
    if watcher is not None:
        watcher.unwatch(pane, doc_id)


def document_watcher(app: App[object], host: WatchHost) -> DocumentWatcher:
    """The app's one watcher (created on first use)."""
    watcher = _WATCHERS.get(app)
    if watcher is None:
        watcher = _WATCHERS[app] = DocumentWatcher(app, host)
    return watcher
