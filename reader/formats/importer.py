"""Import: stream a format's records into the store.

:func:`import_file` streams the format's records, matches each to a document
(by id when the text is the same, then by content hash; a record with its own id
is never merged into an imported document of another id), keeps unknown
documents as imported documents in the store, validates every span (types,
range, start < end, span text, known label), skips duplicates (same document,
offsets and label, or same annotation id) and saves in batches with
``store.add_many``. Every bad record or span becomes an
:class:`~reader.formats.base.ImportProblem` with its line number; the valid
ones are still imported. A file that holds no record at all (an empty file, ``[]``) is refused
with a :class:`~reader.errors.FormatError`, and nothing is written.

Unknown labels are **reported and not imported**: the store only holds labels
of its label set, so the user adds the label to ``<store>/labels.toml`` and
imports again (re-importing never duplicates).
"""
from __future__ import annotations

import bisect
import hashlib
import itertools
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

from reader.errors import FormatError, ReaderError, StoreReadOnlyError
from reader.lang.langtag import normalise_tag, tag_problem
from reader.store.reanchor import find_nearest
from reader.formats.base import Format, ImportItem, ImportNote, ImportProblem, SpanRecord, resolve_format
from reader.model import (STATUS_ACCEPTED, STATUSES, Annotation, Document, Link, annotator_problem, default_annotator,
                          id_problem, new_id, now_iso)
from reader.text import normalise_newlines, not_utf8, text_sha256, utf8_size, wide_encoding

if TYPE_CHECKING:
    from reader.protocols import CorpusAPI, StoreAPI

#: annotations saved per ``store.add_many`` call during an import: while a batch is saved it is held
#: three times over (the importer's objects, the store's, the records of its journal line), about
#: 2 KB an annotation (issue 19's bound of 5x the input, docs/reliability.md)
BATCH_SIZE = 5_000
#: new documents are saved once their texts take this many bytes in memory (``sys.getsizeof``: a
#: ``str`` keeps 1, 2 or 4 bytes a character after its widest one, so a text with one emoji counts 4x)
DOC_BATCH_BYTES = 4 << 20
#: problems kept in an ImportReport (the count goes on)
MAX_PROBLEMS = 1000


@dataclass
class ImportReport:
    imported: int = 0  # annotations added
    skipped: int = 0  # spans (and records) not imported because of a problem
    duplicates: int = 0  # spans already in the store (or twice in the file)
    new_documents: int = 0  # documents added to the store as imported documents
    problems: list[ImportProblem] = field(default_factory=list)
    path: Path | None = None
    format: str = ""
    records: int = 0  # records read (documents)
    matched_documents: int = 0  # records matched to an existing document
    problem_count: int = 0  # all problems, also those beyond MAX_PROBLEMS
    unknown_labels: Counter[str] = field(default_factory=Counter)
    labels: Counter[str] = field(default_factory=Counter)  # imported spans per label
    notes: list[ImportNote] = field(default_factory=list)  # what the format says that is not a problem
    links: int = 0  # links between spans restored (jsonl)

    def add_problem(self, problem: ImportProblem) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    def summary(self) -> str:
        name = self.path.name if self.path else "input"
        parts = [f"{name}: imported {self.imported} annotation(s) from {self.records} record(s)"]
        if self.new_documents:
            parts.append(f"{self.new_documents} new document(s)")
        if self.links:
            parts.append(f"{self.links} link(s)")
        if self.duplicates:
            parts.append(f"{self.duplicates} already present")
        if self.skipped:
            parts.append(f"{self.skipped} skipped")
        if self.problem_count:
            parts.append(f"{self.problem_count} problem(s)")
        return "\n".join([", ".join(parts), *(str(n) for n in self.notes)])


def content_sha256(text: str) -> str:
    return text_sha256(text)


class _NewlineMap:
    """Map offsets of a text with CR/CRLF onto its normalised (LF) form."""

    def __init__(self, text: str):
        self.pairs: list[int] = []
        i = text.find("\r\n")
        while i >= 0:
            self.pairs.append(i)
            i = text.find("\r\n", i + 2)

    def __call__(self, offset: int) -> int:
        return offset - bisect.bisect_left(self.pairs, offset)


def _shared(value: str | None) -> str:
    """One copy of a short string many records repeat (``sys.intern``); None is ""."""
    if isinstance(value, str) and 0 < len(value) <= 64:
        return sys.intern(value)
    return value or ""


def _collapsed(text: str, start: int, end: int, limit: int) -> str:
    """``" ".join(text[start:end].split())``, or a prefix of it longer than ``limit`` characters:
    a line of a book pasted as one line is read a little at a time, not split into every word."""
    size = max(4 * limit, 256)
    while True:
        words = " ".join(text[start:min(end, start + size)].split())
        # the words of a prefix are a prefix of the words of the whole
        if start + size >= end or len(words) > limit:
            return words
        size *= 4


def _title_of(text: str, limit: int = 80) -> str:
    """The first line with two characters or more, its spaces collapsed, cut at ``limit``."""
    start = 0
    while start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        line = _collapsed(text, start, end, limit)
        if len(line) >= 2:
            return line if len(line) <= limit else line[: limit - 1] + "…"
        start = end + 1
    return ""


def _is_iso_time(value: object) -> bool:
    from datetime import datetime

    try:
        datetime.fromisoformat(str(value))
    except ValueError:
        return False
    return True


def _short(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


_SURROGATE = re.compile("[\ud800-\udfff]")


def surrogate_problem(value: object, what: str) -> str | None:
    """A lone surrogate (JSON's ``"\\ud800"``) cannot be stored as UTF-8: say where it is."""
    if not isinstance(value, str):
        return None
    m = _SURROGATE.search(value)
    if m is None:
        return None
    return f"{what} holds a lone surrogate \\u{ord(m.group()):04x} at character {m.start()} (not valid Unicode text)"


class _Importer:
    def __init__(self, fmt: Format, path: Path, corpus: CorpusAPI | None, store: StoreAPI, batch_size: int):
        self.fmt = fmt
        self.path = path
        self.corpus = corpus
        self.store = store
        self.batch_size = batch_size
        self.report = ImportReport(path=path, format=fmt.name)
        self.labels = store.labels
        self.source = f"import:{fmt.name}"
        # documents known so far, by id and by content hash
        self.by_id: dict[str, Document] = {}
        self.by_content: dict[str, Document] = {}
        for doc in list(corpus or ()) + store.imported_documents():
            if doc.id not in self.by_id:
                self.by_id[doc.id] = doc
        self._hashed = False
        self.keys: dict[str, set[tuple[int, int, str, str]]] = {}  # per annotator layer, as the store
        self.pending_docs: list[Document] = []
        self.pending_bytes = 0  # memory of pending_docs' texts: one save encodes them all
        self.pending: list[Annotation] = []
        self.unsaved_new: set[str] = set()  # of those, the ones with no annotation saved yet
        # ids and keys of the annotations queued since the last save: the saved ones are the
        # store's to know (keeping them all here again would cost ~200 bytes an annotation)
        self.ids: set[str] = set()
        self.annotator = store.annotator or default_annotator()
        self.links: dict[str, tuple[str, dict[str, Any]]] = {}  # link id -> (annotation id, link record)

    # documents

    def _content_index(self) -> dict[str, Document]:
        if not self._hashed:
            for doc in self.by_id.values():
                self.by_content.setdefault(content_sha256(doc.text), doc)
            self._hashed = True
        return self.by_content

    def match(self, item: ImportItem, text: str, sha: str) -> tuple[Document | None, Document | None]:
        """``(document, stale)``: the matching document, or the same-id document whose text differs."""
        stale = None
        if item.doc_id is not None:
            doc = self.by_id.get(item.doc_id)
            if doc is not None:
                if doc.text == text:
                    return doc, None
                stale = doc
        if item.sha256 and self.corpus is not None:
            doc = self.corpus.by_sha256(item.sha256)
            if doc is not None and doc.text == text and self._is_its_document(item, doc, stale):
                return doc, None
        doc = self._content_index().get(sha)
        if doc is not None and doc.text == text and self._is_its_document(item, doc, stale):
            return doc, None
        return None, stale

    @staticmethod
    def _is_its_document(item: ImportItem, doc: Document, stale: Document | None) -> bool:
        """Whether ``doc``, found by its text, is the record's document.

        A record with an id of its own that is not an imported document's id is a document of its
        own, even when an imported document has the same text: two records of one file with the
        same text and their own ids are two documents, whether the first was imported by this run
        or by an earlier run that was stopped half way (a re-run then gives what one clean run
        gives). A file's document (of the corpus) is matched by its text whatever the id (another
        tool's ids), and so is any document when the record has no id or its id names a document
        whose text has changed (``stale``: its spans follow the text).
        """
        return not (item.doc_id and doc.id != item.doc_id and doc.imported and stale is None)

    def new_document(self, item: ImportItem, text: str, sha: str) -> Document:
        doc_id = item.doc_id or f"import-{sha[:12]}"
        if doc_id in self.by_id:
            doc_id = f"{doc_id}~{sha[:8]}"
        lang = normalise_tag(item.lang)
        if lang == "unknown":
            lang = None
        doc = Document(
            id=doc_id,
            text=text,
            sha256=sha,
            path=None,
            title=_collapsed(item.title, 0, len(item.title), 200)[:200] if item.title else _title_of(text),
            date=item.meta.get("date") if isinstance(item.meta.get("date"), str) else None,
            size=utf8_size(text),
            lang=lang or "unknown",
            lang_confidence=1.0 if lang else 0.0,
            lang_source="import" if lang else "pending",
            imported=True,
        )
        self.by_id[doc.id] = doc
        self._content_index().setdefault(sha, doc)  # the first document of a text stays its match, as on a re-run
        self.pending_docs.append(doc)
        self.pending_bytes += sys.getsizeof(text)
        self.unsaved_new.add(doc.id)
        self.report.new_documents += 1
        return doc

    def existing_keys(self, doc_id: str) -> set[tuple[int, int, str, str]]:
        keys = self.keys.get(doc_id)
        if keys is None and doc_id in self.unsaved_new:
            keys = self.keys[doc_id] = set()
        if keys is None:
            keys = {(a.start, a.end, a.label, a.annotator) for a in self.store.for_document(doc_id, statuses=STATUSES)}
            self.keys[doc_id] = keys
        return keys

    # spans

    def problem(self, item: ImportItem | ImportProblem, reason: str | None = None) -> None:
        if isinstance(item, ImportProblem):
            self.report.add_problem(item)
        else:
            self.report.add_problem(ImportProblem(item.line, reason or "", item.source or self.path.name))

    def add_item(self, item: ImportItem) -> None:
        r = self.report
        r.records += 1
        if not isinstance(item.text, str):
            self.problem(item, "the document text is not a string")
            r.skipped += 1
            return
        bad_field = next(
            (p for p in (
                surrogate_problem(item.text, "the document text"),
                surrogate_problem(item.doc_id, "the document id"),
                surrogate_problem(item.title, "the title"),
                surrogate_problem(item.sha256, "the sha256"),
                surrogate_problem(item.lang, "the language"),
                surrogate_problem(item.meta.get("date"), "the date"),
            ) if p),
            None,
        )
        if bad_field:
            self.problem(item, f"{bad_field}; record skipped")
            r.skipped += 1 + len(item.spans)
            return
        doc_id_problem = id_problem(item.doc_id, "document id") if isinstance(item.doc_id, str) else None
        if doc_id_problem:
            self.problem(item, f"{doc_id_problem}; record skipped")
            r.skipped += 1 + len(item.spans)
            return
        if item.lang is not None and normalise_tag(item.lang) is None:
            # the document is still imported, without a language (detected later)
            self.problem(item, f"{tag_problem(item.lang)}; the document is imported without it")
            item.lang = None
        raw = item.text
        text = normalise_newlines(raw)
        nmap = _NewlineMap(raw) if "\r\n" in raw else None
        sha = content_sha256(text)
        doc, stale = self.match(item, text, sha)
        if doc is not None:
            r.matched_documents += 1
        elif stale is None:
            doc = self.new_document(item, text, sha)
        for span in item.spans:
            self.add_span(item, span, raw, text, nmap, doc, stale)
        if len(self.pending) >= self.batch_size or len(self.pending_docs) >= 1000 \
                or self.pending_bytes >= DOC_BATCH_BYTES:
            self.flush()

    def add_span(self, item: ImportItem, span: SpanRecord, raw: str, text: str, nmap: _NewlineMap | None,
                 doc: Document | None, stale: Document | None) -> None:
        r = self.report

        def bad(reason: str) -> None:
            self.problem(item, f"span {span.start}-{span.end} {span.label!r}: {reason}")
            r.skipped += 1

        start, end = span.start, span.end
        if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool) or isinstance(end, bool):
            return bad("offsets must be integers")
        if not isinstance(span.label, str) or not span.label.strip():
            return bad("the label is empty")
        if start < 0 or end < 0:
            return bad("negative offset")
        if start > end:
            return bad(f"start {start} is after end {end}")
        if start == end:
            return bad("empty span (start equals end)")
        if end > len(raw):
            return bad(f"end {end} is beyond the end of the text ({len(raw)} characters)")
        if span.status not in STATUSES:
            return bad(f"unknown status {span.status!r}")
        for value, what in ((span.label, "the label"), (span.text, "the span text"), (span.note, "the note"),
                            (span.annotator, "the annotator"), (span.id, "the annotation id"),
                            (span.created, "the created time"), (span.updated, "the updated time")):
            problem = surrogate_problem(value, what)
            if problem:
                return bad(problem)
        # the same rules as the CLI's --annotator, and ids of a sane size
        if isinstance(span.annotator, str) and span.annotator:
            problem = annotator_problem(span.annotator)
            if problem:
                return bad(problem)
        if isinstance(span.id, str) and span.id:
            problem = id_problem(span.id, "annotation id")
            if problem:
                return bad(problem)
        for value, what in ((span.created, "created"), (span.updated, "updated")):
            if value and not _is_iso_time(value):  # it would win every "newer version" tie-break
                return bad(f"{what} {_short(value)} is not an ISO 8601 date")
        if nmap is not None:
            start, end = nmap(start), nmap(end)
            if start == end:
                return bad("the span holds only a line break")
        span_text = text[start:end]
        if span.text is not None and normalise_newlines(span.text) != span_text:
            return bad(f"span text {_short(span.text)} does not match the document text {_short(span_text)}")
        if span.label not in self.labels:
            r.unknown_labels[span.label] += 1
            return bad(
                f"unknown label {span.label!r}; labels are {', '.join(self.labels.names)} "
                f"(add it to {Path(str(self.store.path)) / 'labels.toml'} and import again)"
            )
        target = doc
        if doc is None and stale is not None:
            # same id, different text: find the span's text in the current document
            found = find_nearest(stale.text, span_text, start)
            if found is None:
                return bad(f"document {stale.id!r} has changed and the span text {_short(span_text)} is no longer in it")
            start, end, target = found, found + len(span_text), stale
        # add_item makes a new document for the record unless a stale one has its id
        assert target is not None
        # the few values many spans repeat (label, annotator, status, times) are kept once: each
        # record decodes its own copy, and an import holds every annotation (docs/reliability.md)
        created = _shared(span.created) or _shared(now_iso())
        ann = Annotation(
            id=span.id or new_id(),
            doc_id=target.id,
            start=start,
            end=end,
            label=_shared(span.label),
            text=span_text,
            note=span.note if isinstance(span.note, str) else "",
            annotator=_shared(span.annotator) if isinstance(span.annotator, str) and span.annotator else self.annotator,
            created=created,
            doc_sha256=target.sha256,
            status=_shared(span.status),
            source=self.source,
            value=span.value,
            score=span.score,
            reason=_shared(span.reason),
            suggested_by=_shared(span.suggested_by),
        )
        ann.updated = created if not span.updated or span.updated == created else _shared(span.updated)
        for rec in span.links:
            self.links.setdefault(rec["id"], (ann.id, rec))
        self._queue(target, ann)

    def _queue(self, doc: Document, ann: Annotation) -> None:
        keys = self.existing_keys(doc.id)
        key = (ann.start, ann.end, ann.label, ann.annotator)  # two annotators may tag the same span
        if key in keys or ann.id in self.ids or self.store.get(ann.id) is not None:
            self.report.duplicates += 1
            return
        keys.add(key)
        self.ids.add(ann.id)
        self.pending.append(ann)

    def restore_links(self) -> None:
        """The links the file carries, as they were (ids, annotators, times), once every span is in."""
        if not self.links:
            return
        links = [Link(link_id, ann_id, str(rec["to"]), str(rec.get("annotator") or ""), str(rec.get("created") or ""),
                      str(rec.get("status") or STATUS_ACCEPTED), str(rec.get("source") or ""))
                 for link_id, (ann_id, rec) in self.links.items()]
        self.report.links = self.store.restore_links(links)

    def flush(self) -> None:
        if self.pending_docs:
            docs, self.pending_docs, self.pending_bytes = self.pending_docs, [], 0
            self.store.add_documents(docs)
            if self.corpus is not None:
                self.corpus.add_documents([d for d in docs if d.id not in self.corpus])
        if self.pending:
            batch, self.pending = self.pending, []
            added = self.store.add_many(batch, source=self.source)
            added = batch if added is None else added
            self.report.imported += len(added)
            self.report.duplicates += len(batch) - len(added)
            self.report.labels.update(a.label for a in added)
            del batch, added
        # what is queued from now on is checked against the store (existing_keys reads it again)
        self.keys.clear()
        self.ids.clear()
        self.unsaved_new.clear()


def check_source(fmt: Format, path: Path) -> None:
    """Raise a one-line :class:`FormatError` when ``path`` cannot be imported as ``fmt`` before it is read:
    missing, a folder where a file is read (or the reverse), an empty file. The CLI asks before it opens
    (or makes) the store, so a typo in the file's name leaves no new store behind."""
    if not fmt.can_import:
        raise FormatError(f"{fmt.name}: this format is export only; import jsonl, doccano or prodigy instead")
    if not path.exists():
        raise FormatError(f"{path}: no such file")
    if fmt.kind == "dir":
        # a folder format may also take one file of it (brat: a single .ann beside its .txt)
        if not path.is_dir() and not fmt.accepts_file:
            raise FormatError(f"{path}: the {fmt.name} format imports a folder, and this is not one")
    elif path.is_dir():
        raise FormatError(f"{path}: is a folder, not a {fmt.name} file")
    if path.is_file() and path.stat().st_size == 0:
        raise _no_records(fmt, path)
    if fmt.kind in ("jsonl", "json") and path.is_file():  # not a pipe: what is read here would be gone
        try:
            with open(path, "rb") as fh:
                wide = wide_encoding(fh.read(4))
        except OSError:
            return  # said by the import itself, which reads it
        if wide is not None:  # every line would be "not valid UTF-8 (byte 0)"
            raise FormatError(not_utf8(path, wide, "import it"))


def _no_records(fmt: Format, path: Path) -> FormatError:
    what = "folder" if path.is_dir() else "file"
    return FormatError(f"{path}: no records to import (empty {fmt.name} {what}); nothing was imported")


def _reason(exc: OSError | UnicodeDecodeError) -> str:
    return getattr(exc, "strerror", None) or str(exc)


#: problems (and notes) read before the first record by :func:`started_records`: past this many, the
#: store is opened anyway (the problems are kept in memory until then)
LOOK_AHEAD = 10_000

Record = ImportItem | ImportProblem | ImportNote


@dataclass
class Started:
    """What :func:`started_records` read ahead: ``records`` to import (the items read given again), or,
    when the source held problems and notes but no record at all, ``report``: the whole import's report,
    found without a store (nothing to import, so none is opened or made)."""

    records: Iterator[Record]
    report: ImportReport | None = None


def started_records(fmt: Format, path: Path) -> Started:
    """``fmt.read(path)`` read up to its first record, for :func:`import_file`'s ``records``: the CLI asks
    before it opens or makes the store. A source that holds nothing (``[]``, blank lines) or only notes is
    refused here in one line, as is one that cannot be read at all; one that holds only problems (the
    wrong ``--format``, every line broken) gets its report here, with no store made for it. What was read
    is given again by the iterator."""
    items = iter(fmt.read(path))
    ahead: list[Record] = []
    stopped: str | None = None
    try:
        for rec in items:
            ahead.append(rec)
            if isinstance(rec, ImportItem) or len(ahead) >= LOOK_AHEAD:
                return Started(itertools.chain(ahead, items))
    except ReaderError as exc:
        if not ahead:
            raise
        stopped = str(exc)
    except (OSError, UnicodeDecodeError) as exc:
        if not ahead:
            raise FormatError(f"{path}: cannot read: {_reason(exc)}") from None
        stopped = _reason(exc)
    report = ImportReport(path=path, format=fmt.name)
    for rec in ahead:
        if not isinstance(rec, ImportItem):  # none is: the first one returned above
            _note_or_problem(report, rec, path)
    if stopped is not None:
        report.add_problem(ImportProblem(0, f"reading stopped: {stopped}", path.name))
    if not report.problem_count:
        raise _no_records(fmt, path)
    return Started(iter(()), report)


def _note_or_problem(report: ImportReport, rec: ImportNote | ImportProblem, path: Path) -> None:
    """``rec`` into ``report`` (named after ``path`` when the format left its source empty)."""
    if not rec.source:
        rec.source = path.name
    if isinstance(rec, ImportNote):
        report.notes.append(rec)
        return
    report.add_problem(rec)
    if rec.line:
        report.skipped += 1


def import_file(
    fmt: str | Format,
    path: str | Path,
    corpus: CorpusAPI | None,
    store: StoreAPI,
    *,
    batch_size: int = BATCH_SIZE,
    progress: Callable[[ImportReport], None] | None = None,
    records: Iterable[Record] | None = None,
) -> ImportReport:
    """Import ``path`` (format ``fmt``) into ``store``; see the module docstring.

    ``progress(report)`` is called every 1,000 records and once at the end
    (from the importing thread; a UI worker posts it on as a message).
    ``records``: what :func:`started_records` gave for this path, else ``fmt.read(path)`` is read here.
    """
    fmt = resolve_format(fmt)
    path = Path(path).expanduser()
    if records is None:
        check_source(fmt, path)
    if store.readonly:
        raise StoreReadOnlyError(store.path, store.readonly_reason or "the store is open read-only")
    imp = _Importer(fmt, path, corpus, store, batch_size)
    started = False
    try:
        for rec in (records if records is not None else fmt.read(path)):
            started = True
            if isinstance(rec, (ImportNote, ImportProblem)):
                _note_or_problem(imp.report, rec, path)
                continue
            imp.add_item(rec)
            if progress is not None and imp.report.records % 1000 == 0:
                progress(imp.report)
    except ReaderError as exc:
        if not started:
            raise
        imp.problem(ImportProblem(0, f"reading stopped: {exc}", path.name))
    except (OSError, UnicodeDecodeError) as exc:
        imp.flush()
        reason = _reason(exc)
        if not started:
            raise FormatError(f"{path}: cannot read: {reason}") from None
        imp.problem(ImportProblem(0, f"reading stopped: {reason}", path.name))
    if not imp.report.records and not imp.report.problem_count:
        # the wrong file, most likely: "0 record(s)" and success would hide it (nothing is queued to save)
        raise _no_records(fmt, path)
    imp.flush()
    imp.restore_links()
    if progress is not None:
        progress(imp.report)
    return imp.report
