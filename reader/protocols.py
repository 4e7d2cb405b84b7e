"""Typed interfaces between the layers (``typing.Protocol``).

The domain and the UI depend on these, not on concrete classes, so that a
stand-in (the app's ``UnavailableStore``, a test host) or a second
implementation (a database-backed store) fits without ``getattr`` probes.
"""
from __future__ import annotations

from typing import Protocol

from reader.model import Document


class DocumentLookup(Protocol):
    """Anything that finds a document by id (a corpus)."""

    def get(self, doc_id: str) -> Document | None: ...
