"""Language detection for read-only commands, with results cached all the same.

``reader docs`` opens the store read-only (it works while the app holds the
lock), so the detection results it computes could not be saved, and every run
detected every document again (50,000 small files: minutes). Here:

* :class:`CollectingCache` stands in for the store during
  ``Corpus.detect_languages``: cached results and overrides come from the real
  (read-only) store, fresh results are collected;
* :func:`save_detections` then writes them into the store's language cache,
  briefly opening it for writing, when the store folder exists and no other
  writer holds its lock (a read-only command never waits for, or breaks, a lock
  and never creates a store).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from reader.errors import ReaderError, StoreLockedError

if TYPE_CHECKING:  # pragma: no cover
    from reader.protocols import LanguageCache

Entry = dict[str, Any]


class CollectingCache:
    """A :class:`~reader.protocols.LanguageCache` (what ``Corpus.detect_languages``
    needs of a store): reads from ``store``, collects writes."""

    def __init__(self, store: LanguageCache) -> None:
        self.store = store
        self.collected: dict[str, Entry] = {}

    def language_overrides(self) -> dict[str, str]:
        return self.store.language_overrides()

    def cached_language(self, sha256: str) -> Entry | None:
        return self.collected.get(sha256) or self.store.cached_language(sha256)

    def cache_languages(self, results: dict[str, Entry]) -> None:
        self.collected.update(results)


def save_detections(store_path: str | Path, entries: dict[str, Entry]) -> str:
    """Cache ``entries`` in the store at ``store_path``; returns what happened, in a few words."""
    from reader.store import AnnotationStore

    if not entries:
        return "nothing new to cache"
    if isinstance(store_path, Path) and not store_path.is_dir():
        return f"not cached: there is no store folder {store_path}"
    try:
        store = AnnotationStore(store_path)
    except StoreLockedError:
        return "not cached: another writer holds the store"
    except (ReaderError, OSError) as exc:
        return f"not cached: {exc}"
    try:
        if store.readonly:
            return f"not cached: {store.readonly_reason or 'the store is read-only'}"
        store.cache_languages(entries)
        return f"{len(entries)} detection result(s) cached in {store_path}"
    except (ReaderError, OSError) as exc:
        return f"not cached: {exc}"
    finally:
        try:
            store.close()
        except (ReaderError, OSError):
            pass
