"""UnavailableStore: the app's stand-in for a store that could not be opened.

It implements the whole :class:`reader.protocols.StoreAPI` (a test compares
the members), so every screen can call it as it calls a real store: reads
answer "nothing", every change raises :class:`StoreReadOnlyError` naming why
the store could not be opened. UI state set during the session is kept in
memory only.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from types import TracebackType
from typing import Iterable, Mapping, NoReturn, Sequence

from reader.errors import StoreReadOnlyError
from reader.labels import LabelSet
from reader.model import Annotation, Change, ClusterDecision, Document, Link, ReanchorReport
from reader.protocols import JSON, ACCEPTED_AND_SUGGESTED, AnnotationItem, CountKey, DocumentLookup, Op, RejectedKey


class UnavailableStore:
    """Read-only and empty; see the module docstring."""

    def __init__(self, path: Path | str, reason: str, labels: LabelSet | None = None):
        self.path: Path | str = Path(path)
        self.location = str(path)
        self.upgraded: tuple[int, Path] | None = None
        self.readonly = True
        self.readonly_reason: str | None = reason
        self.annotator = ""
        self.schema_version = 0
        self.reanchor_report: ReanchorReport | None = None
        self._labels = labels or LabelSet()
        self._state: dict[str, JSON] = {}

    def _refuse(self) -> NoReturn:
        raise StoreReadOnlyError(self.path, f"the store could not be opened ({self.readonly_reason})")

    @property
    def labels(self) -> LabelSet:
        return self._labels

    @property
    def last_error(self) -> str | None:
        return None

    @property
    def unsaved(self) -> int:
        return 0

    @property
    def can_undo(self) -> bool:
        return False

    @property
    def can_redo(self) -> bool:
        return False

    @property
    def closed(self) -> bool:
        return False

    @property
    def shared(self) -> bool:
        return False

    @property
    def offline_since(self) -> float | None:
        return None

    def __len__(self) -> int:
        return 0

    def __enter__(self) -> UnavailableStore:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        return None

    def compact(self) -> None:
        return None

    def refresh(self) -> int:
        return 0

    def retry_unsaved(self) -> int:
        return 0

    def unsaved_changes(self) -> list[Op]:
        return []

    def discard_unsaved(self) -> int:
        return 0

    def apply_changes(self, ops: list[Op]) -> None:
        self._refuse()

    # documents
    def attach_corpus(self, corpus: DocumentLookup) -> ReanchorReport:
        """Nothing to re-anchor (no annotations); nothing would be saved."""
        self.reanchor_report = ReanchorReport(saved=False)
        return self.reanchor_report

    def document(self, doc_id: str) -> Document | None:
        return None

    def imported_documents(self) -> list[Document]:
        return []

    def add_documents(self, docs: Iterable[Document]) -> int:
        self._refuse()

    # annotations
    def add(
        self, doc_id: str, start: int, end: int, label: str, note: str = "", *,
        annotator: str | None = None, status: str = "accepted", source: str = "", text: str | None = None,
    ) -> Annotation:
        self._refuse()

    def add_many(
        self, items: Iterable[AnnotationItem], *, source: str = "", skip_duplicates: bool = True
    ) -> list[Annotation]:
        self._refuse()

    def update(
        self, ann_id: str, *, label: str | None = None, note: str | None = None, status: str | None = None,
        start: int | None = None, end: int | None = None,
    ) -> Annotation:
        self._refuse()

    def update_many(
        self, ann_ids: Iterable[str], *, label: str | None = None, status: str | None = None
    ) -> list[Annotation]:
        self._refuse()

    def delete(self, ann_id: str) -> Annotation:
        self._refuse()

    def get(self, ann_id: str) -> Annotation | None:
        return None

    def for_document(self, doc_id: str, *, statuses: Iterable[str] = ACCEPTED_AND_SUGGESTED) -> list[Annotation]:
        return []

    def all(self, *, statuses: Iterable[str] = ("accepted",)) -> list[Annotation]:
        return []

    def count_by_document(
        self, *, statuses: Iterable[str] = ("accepted",), by: CountKey = "label"
    ) -> dict[str, Counter[str]]:
        return {}

    def doc_ids(self) -> list[str]:
        return []

    def undo(self) -> Change | None:
        return None

    def redo(self) -> Change | None:
        return None

    def set_scores(self, scores: Mapping[str, tuple[float, str]]) -> int:
        return 0  # no suggestions here to re-score

    # links
    def link(
        self, a: str, b: str, *, status: str = "accepted", source: str = "", annotator: str | None = None
    ) -> Link:
        self._refuse()

    def link_many(
        self, pairs: Iterable[tuple[str, str]], *, status: str = "accepted", source: str = "",
        annotator: str | None = None,
    ) -> list[Link]:
        self._refuse()

    def unlink(self, link_id: str) -> Link:
        self._refuse()

    def update_link(self, link_id: str, *, status: str) -> Link:
        self._refuse()

    def restore_links(self, links: Iterable[Link]) -> int:
        self._refuse()

    def get_link(self, link_id: str) -> Link | None:
        return None

    def link_between(self, a: str, b: str) -> Link | None:
        return None

    def links(self, *, statuses: Iterable[str] = ("accepted",)) -> list[Link]:
        return []

    def links_of(self, ann_id: str, *, statuses: Iterable[str] = ACCEPTED_AND_SUGGESTED) -> list[Link]:
        return []

    def link_groups(self, *, statuses: Iterable[str] = ("accepted",)) -> list[list[Annotation]]:
        return []

    # workspace tables
    def cached_language(self, sha256: str) -> dict[str, JSON] | None:
        return None

    def cache_languages(self, results: dict[str, dict[str, JSON]]) -> None:
        return None  # a cache: skipping it loses nothing

    def language_overrides(self) -> dict[str, str]:
        return {}

    def set_language_override(self, doc_id: str, lang: str | None) -> None:
        self._refuse()

    def doc_status(self, doc_id: str) -> str:
        return "new"

    def set_done(self, doc_id: str, done: bool) -> None:
        self._refuse()

    def get_state(self, key: str, default: JSON = None) -> JSON:
        return self._state.get(key, default)

    def set_state(self, key: str, value: JSON) -> None:
        self._state[key] = value  # kept for this session only

    def decisions(self, doc_id: str) -> dict[tuple[int, int], JSON]:
        return {}

    def decide_clusters(self, decisions: Sequence[ClusterDecision], *, layer: str, source: str = "") -> list[Annotation]:
        self._refuse()

    def table(self, name: str) -> dict[str, JSON]:
        return dict(self._state) if name == "state" else {}

    def inspect(self, key: tuple[str, ...] | None = None) -> dict[str, JSON]:
        return {"engine": "unavailable", "reason": self.readonly_reason}

    def rejected_keys(self, doc_id: str) -> set[RejectedKey]:
        return set()
