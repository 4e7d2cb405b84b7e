"""The Corpus: the loaded documents (by id and by content), problems, languages; and :func:`load_corpus`.

Reading files is :mod:`reader.corpus.loading`, titles and dates
:mod:`reader.corpus.metadata`, the work of the language pass
:mod:`reader.lang.corpuslang`; this module keeps them together.
"""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Callable, Iterable, Iterator, Protocol

from reader.corpus import loading
from reader.corpus.loading import Problem, Progress, _walk
from reader.errors import NotTextError, ReaderError
from reader.fsutil import os_reason
from reader.lang import corpuslang as langpass
from reader.lang import language
from reader.lang.langtag import normalise_tag, tag_problem
from reader.model import Document
from reader.protocols import JSON, LanguageCache, WorkspaceState

# --- the corpus ------------------------------------------------------------------

class Corpus:
    """Documents (path order, then imported documents) and problems."""

    def __init__(self, root: Path | str, documents: Iterable[Document] = (), problems: Iterable[Problem] = ()):
        self.root = Path(root)
        self.documents: list[Document] = []
        self.problems: list[Problem] = list(problems)
        self.cache_error: str | None = None  # why the language cache could not be written
        self._by_id: dict[str, Document] = {}
        self._by_sha: dict[str, Document] = {}
        self._overrides: dict[str, str] = {}
        self._detected: dict[str, tuple[str, float]] = {}  # doc id -> detector's (lang, confidence)
        self._store: LanguageCache | None = None  # the store given to load_corpus / detect_languages, for reload
        for doc in documents:
            self._append(doc)

    # container protocol
    def __iter__(self) -> Iterator[Document]:
        return iter(list(self.documents))

    def __len__(self) -> int:
        return len(self.documents)

    def __contains__(self, doc_id: object) -> bool:
        if isinstance(doc_id, Document):
            doc_id = doc_id.id
        return doc_id in self._by_id

    def __repr__(self) -> str:
        return f"Corpus({str(self.root)!r}, {len(self.documents)} documents, {len(self.problems)} problems)"

    def get(self, doc_id: str) -> Document | None:
        return self._by_id.get(doc_id)

    def by_sha256(self, sha: str) -> Document | None:
        return self._by_sha.get(sha)

    @property
    def ids(self) -> list[str]:
        return [d.id for d in self.documents]

    @property
    def pending(self) -> list[Document]:
        """Documents whose languages are not known yet."""
        return [d for d in self.documents if d.paragraphs is None]

    def _append(self, doc: Document) -> None:
        self.documents.append(doc)
        self._by_id[doc.id] = doc
        self._by_sha.setdefault(doc.sha256, doc)

    def _reindex(self) -> None:
        self._by_id = {d.id: d for d in self.documents}
        self._by_sha = {}
        for d in self.documents:
            self._by_sha.setdefault(d.sha256, d)

    def add_documents(self, docs: Iterable[Document]) -> list[Document]:
        """Append imported documents (``imported=True``). A clashing id is a problem."""
        added = []
        for doc in docs:
            if doc.id in self._by_id:
                existing = self._by_id[doc.id]
                if existing.imported and existing.sha256 == doc.sha256:
                    continue
                self.problems.append(Problem(
                    f"(imported) {doc.id}",
                    "an imported document has the same id as a corpus file; it is not listed",
                ))
                continue
            doc.imported = True
            if doc.lang_source == "import" and normalise_tag(doc.lang) is None:
                doc.lang, doc.lang_confidence, doc.lang_source = "unknown", 0.0, "pending"
            if doc.id in self._overrides:
                langpass.set_override(doc, self._overrides[doc.id])
            self._append(doc)
            added.append(doc)
        return added

    # languages
    def apply_overrides(self, overrides: dict[str, str]) -> None:
        """Set user language overrides (``{doc_id: lang}``); they win over detection."""
        # a stored override that is not a language tag (an old store, a hand edit) is ignored:
        # it would reach the terminal as the document's language
        self._overrides = {k: tag for k, v in dict(overrides or {}).items() if (tag := normalise_tag(v))}
        for doc in self.documents:
            lang = self._overrides.get(doc.id)
            if lang:
                langpass.set_override(doc, lang, self._detected.get(doc.id))
            elif doc.lang_source == "override":
                langpass.clear_override(doc, self._detected.get(doc.id))

    def set_language_override(self, doc_id: str, lang: str | None, store: WorkspaceState | None = None) -> Document:
        """Override one document's language (``None`` or ``""`` clears it).

        With ``store`` the override is saved there first (``store.set_language_override``).
        """
        doc = self.get(doc_id)
        if doc is None:
            raise ReaderError(f"{doc_id}: no such document in {self.root}")
        if lang:
            tag = normalise_tag(lang)
            if tag is None:
                raise ReaderError(f"{doc_id}: {tag_problem(lang)}")
            lang = tag
        if store is not None:
            store.set_language_override(doc_id, lang or None)
        if lang:
            self._overrides[doc_id] = lang
            langpass.set_override(doc, lang, self._detected.get(doc_id))
        else:
            self._overrides.pop(doc_id, None)
            langpass.clear_override(doc, self._detected.get(doc_id))
        return doc

    def detect_languages(self, store: LanguageCache | None = None, progress: Progress | None = None,
                         should_stop: Callable[[], bool] | None = None) -> int:
        """Tag every pending document with its language and paragraph languages.

        Results come from ``store.cached_language(sha256)`` when present;
        fresh results are written back in one ``store.cache_languages({...})``
        call (also when stopped early). ``progress(done, total)`` is called per
        document; ``should_stop()`` is checked before each one. Returns the
        number of documents actually run through the detector (cache hits and
        duplicates by content do not count). Never raises on document content;
        a failure to write the cache is kept in ``self.cache_error``.
        Without ``store``, the store the corpus was loaded with is used.
        """
        if store is None:
            store = self._store
        else:
            self._store = store
        if store is not None:
            self._read_overrides(store)
        todo = self.pending
        total = len(todo)
        batch: dict[str, dict[str, JSON]] = {}
        detected = 0
        for i, doc in enumerate(todo):
            if should_stop is not None and should_stop():
                break
            entry = batch.get(doc.sha256)
            source = "detected"
            if entry is None and store is not None:
                entry = langpass.cached_entry(store, doc)
                source = "cache"
            if entry is None:
                entry = langpass.detection_entry(doc.text)
                batch[doc.sha256] = entry
                detected += 1
                source = "detected"
            self._apply_entry(doc, entry, source)
            if progress is not None:
                progress(i + 1, total)
        if store is not None and batch:
            try:
                store.cache_languages(batch)
                self.cache_error = None
            except (ReaderError, OSError) as exc:
                self.cache_error = str(exc)
        return detected

    def apply_cached_languages(self, store: LanguageCache) -> int:
        """Take every pending document's languages from the store cache; no detection."""
        self._read_overrides(store)
        hits = 0
        for doc in self.pending:
            entry = langpass.cached_entry(store, doc)
            if entry is not None:
                self._apply_entry(doc, entry, "cache")
                hits += 1
        return hits

    def _read_overrides(self, store: LanguageCache) -> None:
        try:
            overrides = store.language_overrides() or {}
        except (ReaderError, AttributeError):
            return
        self.apply_overrides({k: v for k, v in overrides.items() if isinstance(v, str) and v})

    def _apply_entry(self, doc: Document, entry: dict[str, JSON], source: str) -> None:
        fixed = None
        if doc.id in self._overrides:
            fixed = self._overrides[doc.id]
        elif doc.lang_source == "import" and doc.lang and doc.lang != language.UNKNOWN:
            fixed = doc.lang
        self._detected[doc.id] = langpass.apply_entry(doc, entry, source, fixed)

    # files
    def reload(self, doc_id: str, *, store: LanguageCache | None = None, detect: bool | None = None) -> Document:
        """Re-read one document's file (it was edited while open) and return the new Document.

        The new object replaces the old one in ``documents``. Unchanged content
        keeps its languages; changed content is detected again when the old
        document had been (``detect=None``), via ``store``'s cache when given.
        Raises :class:`ReaderError` naming the file when it is gone or no
        longer text. Imported documents have no file and are returned as they are.
        Without ``store``, the store the corpus was loaded with is used.
        """
        if store is None:
            store = self._store
        old = self.get(doc_id)
        if old is None:
            raise ReaderError(f"{doc_id}: no such document in {self.root}")
        if old.imported or old.path is None:
            return old
        if not os.path.lexists(old.path):
            raise ReaderError(f"{old.path}: the file was deleted or moved while it was open")
        new = loading.load_document(old.path, self.root, doc_id=old.id)
        if new.sha256 == old.sha256:
            new.lang, new.lang_confidence = old.lang, old.lang_confidence
            new.lang_source, new.paragraphs = old.lang_source, old.paragraphs
        else:
            if doc_id in self._overrides:
                langpass.set_override(new, self._overrides[doc_id])
            if detect is None:
                detect = old.lang_source != "pending"
        idx = next(i for i, d in enumerate(self.documents) if d is old)
        self.documents[idx] = new
        self._reindex()
        if new.paragraphs is None and detect:
            entry = langpass.cached_entry(store, new) if store is not None else None
            if entry is None:
                entry = langpass.detection_entry(new.text)
                if store is not None:
                    try:
                        store.cache_languages({new.sha256: entry})
                    except (ReaderError, OSError) as exc:
                        self.cache_error = str(exc)
                self._apply_entry(new, entry, "detected")
            else:
                self._apply_entry(new, entry, "cache")
        return new


class CorpusStore(LanguageCache, Protocol):
    """What loading a corpus needs of a store: its location (for messages), the documents
    imported into it, and its language cache and overrides."""

    @property
    def path(self) -> Path | str: ...
    def imported_documents(self) -> list[Document]: ...


def load_corpus(path: Path | str, *, store: CorpusStore | None = None, detect: bool = True,
                progress: Progress | None = None) -> Corpus:
    """Load every ``*.txt`` / ``*.md`` below ``path`` (see the module doc).

    ``progress(done, total)`` is called per file read, and again per document
    during detection when ``detect`` is true. Raises :class:`ReaderError` only
    when ``path`` is missing or not a folder.
    """
    root = Path(path)
    try:
        st = os.stat(root)
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            raise ReaderError(f"{root}: corpus folder not found") from None
        raise ReaderError(f"{root}: cannot open the corpus folder: {os_reason(exc, 'folder')}") from None
    if not stat.S_ISDIR(st.st_mode):
        raise ReaderError(f"{root}: not a folder; give the folder that holds the .txt/.md documents")
    files, problems = _walk(root)
    corpus = Corpus(root)
    total = len(files)
    seen: set[str] = set()
    for i, (parts, file_path) in enumerate(files):
        rel = Path(*parts)
        doc_id = (rel.with_suffix("") if rel.suffix else rel).as_posix()
        if doc_id in seen:
            doc_id = rel.as_posix()
        try:
            if doc_id in seen:
                raise NotTextError(file_path, f"its id {doc_id!r} is already taken by another file; rename it")
            doc = loading.load_document(file_path, root, doc_id=doc_id)
        except NotTextError as exc:
            problems.append(Problem(str(file_path), exc.reason))
        except ReaderError as exc:  # pragma: no cover - decode only raises NotTextError
            problems.append(Problem(str(file_path), str(exc)))
        else:
            seen.add(doc_id)
            corpus._append(doc)
        if progress is not None:
            progress(i + 1, total)
    corpus.problems = sorted(problems, key=lambda p: p.path)
    if store is not None:
        _attach_store(corpus, store)
    if detect:
        corpus.detect_languages(store=store, progress=progress)
    return corpus


def _attach_store(corpus: Corpus, store: CorpusStore) -> None:
    corpus._store = store
    corpus._read_overrides(store)
    try:
        imported = list(store.imported_documents() or [])
    except ReaderError as exc:
        corpus.problems.append(Problem(str(store.path), f"imported documents: {exc}"))
        imported = []
    corpus.add_documents(imported)
    corpus.apply_cached_languages(store)


__all__ = ["Corpus", "load_corpus"]
