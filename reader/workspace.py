"""A workspace: a corpus folder and its annotation store, opened together.

Used by the CLI and the UI::

    with Workspace.open("seeds", "annotations", readonly=True) as ws:
        for doc in ws.corpus:
            print(doc.id, len(ws.store.for_document(doc.id)))

Opening order matters: the store first (a second writer gets
:class:`~reader.errors.StoreLockedError` before any work is done), then the
corpus with the store (cached languages, overrides and the store's imported
documents), then the corpus is attached to the store, which re-anchors the
annotations of documents edited since they were annotated.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from reader.errors import StoreError
from reader.labels import LabelSet
from reader.protocols import CorpusAPI, StoreAPI
from reader.model import ReanchorReport


def store_location(value: str | Path) -> str | Path:
    """A store folder as a Path (``~`` expanded), or a database URL kept as a string."""
    if isinstance(value, str) and value.startswith(("postgresql://", "postgres://")):
        return value
    return Path(value).expanduser()


class Workspace:
    def __init__(self, corpus: CorpusAPI, store: StoreAPI, corpus_path: Path, store_path: str | Path):
        self.corpus = corpus
        self.store = store
        self.corpus_path = corpus_path
        self.store_path = store_path
        self.reanchor_report: ReanchorReport | None = store.reanchor_report

    @classmethod
    def open(
        cls,
        corpus_path: str | Path = "seeds",
        store_path: str | Path = "annotations",
        *,
        readonly: bool = False,
        detect: bool = True,
        progress: Callable[[int, int], None] | None = None,
        annotator: str | None = None,
    ) -> "Workspace":
        from reader.corpus import load_corpus
        from reader.store import AnnotationStore

        corpus_path = Path(corpus_path).expanduser()
        store_path = store_location(store_path)
        store = AnnotationStore(store_path, readonly=readonly, annotator=annotator)
        try:
            corpus = load_corpus(corpus_path, store=store, detect=detect, progress=progress)
            report = store.attach_corpus(corpus)
        except BaseException:
            store.close()
            raise
        ws = cls(corpus, store, corpus_path, store_path)
        ws.reanchor_report = report
        return ws

    @property
    def labels(self) -> LabelSet:
        return self.store.labels

    @property
    def readonly(self) -> bool:
        return self.store.readonly

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> "Workspace":
        return self

    def __exit__(self, *exc: object) -> None:
        """The end of a command (the CLI): a save that still fails at close ends it too. The
        changes not saved are dropped (the error says so, and that running it again redoes them)
        and the store released, rather than kept open and locked for the rest of the process
        (the app does not come here: it retries, or writes a rescue file)."""
        try:
            self.close()
        except StoreError:  # a save that cannot be made (StoreWriteError), or any other refusal of it
            self.store.discard_unsaved()
            self.store.close()
            raise

    def __repr__(self) -> str:
        ro = ", readonly" if self.readonly else ""
        return f"Workspace({str(self.corpus_path)!r}, {str(self.store_path)!r}{ro})"
