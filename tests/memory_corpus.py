"""In-memory documents for store tests: the corpus a store takes (``get`` and iteration), a
two-person sentence to annotate, and ``sessions``, a fixture opening stores on one PostgreSQL
database that it closes at the end (import it into a test module to use it)."""
from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest

from reader.model import Document
from reader.store import AnnotationStore

TEXT = "Alice met Bob in Paris. Bob said: «the salary is 3.000 euro»."


def doc(doc_id: str = "d1", text: str = TEXT) -> Document:
    """A document of ``text`` (lone surrogates too: a hostile text's hash)."""
    return Document(id=doc_id, text=text, sha256=hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest())


class MemoryCorpus:
    """Documents held in memory, by id."""

    def __init__(self, docs: list[Document] | None = None) -> None:
        self.docs = {d.id: d for d in (docs if docs is not None else [doc()])}

    def get(self, doc_id: str) -> Document | None:
        return self.docs.get(doc_id)

    def __iter__(self) -> Iterator[Document]:
        return iter(self.docs.values())


CORPUS = MemoryCorpus()


def span(needle: str, text: str = TEXT) -> tuple[int, int]:
    """(start, end) of the first ``needle`` in ``text``."""
    i = text.index(needle)
    return i, i + len(needle)


@pytest.fixture
def sessions(pg_url):
    """``open_(annotator)``: a session on the test database with :data:`CORPUS`; all closed at the end."""
    opened: list[AnnotationStore] = []

    def open_(annotator: str) -> AnnotationStore:
        store = AnnotationStore(pg_url, corpus=CORPUS, annotator=annotator)
        opened.append(store)
        return store

    yield open_
    for store in opened:
        try:
            store.close()
        except Exception:
            pass
