"""Export: choose the documents and annotations and write them atomically.

:func:`export_corpus` chooses the documents and annotations (accepted only,
unless ``include_suggested``; orphaned annotations are left out and counted),
checks ``text[start:end] == span text`` for every span it hands to the format,
and writes atomically: a temporary file (or folder) in the destination's
folder, ``fsync``, then ``os.replace``. An existing destination is never
overwritten without ``force``. ``out=None`` writes a text format to standard
output; a character device or a pipe given as the path (``/dev/stdout``, a FIFO,
``>(...)``) is written in place, without ``force`` (nothing there is overwritten).

Per-export state (the links of the exported spans; what the format says about
the export) travels in an :class:`~reader.formats.base.ExportContext` handed to
``Format.write()``; the shared registry instances hold no state of an export.
"""
from __future__ import annotations

import dataclasses
import os
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Iterable, Iterator, Protocol

from reader import fsutil
from reader.errors import FormatError
from reader.formats.base import ExportContext, Format, resolve_format
from reader.formats.destination import destination_problem, in_place, is_stream, open_descriptor, write_marker
from reader.model import STATUS_ACCEPTED, STATUS_SUGGESTED, Annotation, Document, Link

if TYPE_CHECKING:
    from reader.protocols import CorpusAPI

class ExportSource(Protocol):
    """What an export reads from a store: a :class:`~reader.protocols.StoreAPI`,
    or one annotator's layer of it (:class:`reader.teams.adjudication.LayerView`)."""

    @property
    def path(self) -> Path | str: ...  # the store's folder or URL, never overwritten by an export
    def for_document(self, doc_id: str, *, statuses: Iterable[str] = ...) -> list[Annotation]: ...
    def count_by_document(self, *, statuses: Iterable[str] = ...) -> Mapping[str, Counter[str]]: ...
    def imported_documents(self) -> list[Document]: ...
    def links(self, *, statuses: Iterable[str] = ...) -> list[Link]: ...


@dataclass
class ExportResult:
    path: Path | None  # None for standard output
    documents: int
    spans: int
    format: str
    orphaned: int = 0  # orphaned annotations left out
    missing: int = 0  # annotations of documents neither in the corpus nor imported
    # what the format reports about this export (e.g. spaCy: spans not on token boundaries);
    # a format appends them to its ExportContext's ``notes`` during write()
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        where = str(self.path) if self.path else "standard output"
        msg = f"exported {self.spans} span(s) from {self.documents} document(s) as {self.format} to {where}"
        extra = []
        if self.orphaned:
            extra.append(f"{self.orphaned} orphaned annotation(s) left out")
        if self.missing:
            extra.append(f"{self.missing} annotation(s) of missing documents left out")
        msg += f" ({'; '.join(extra)})" if extra else ""
        return "\n".join([msg, *self.notes])


def export_documents(corpus: CorpusAPI | None, store: ExportSource, doc_ids: Iterable[str] | None = None) -> list[Document]:
    """Corpus documents, then the store's imported documents not already in it."""
    docs: list[Document] = list(corpus) if corpus is not None else []
    seen = {d.id for d in docs}
    for d in store.imported_documents():
        if d.id not in seen:
            docs.append(d)
            seen.add(d.id)
    if doc_ids is not None:
        wanted = list(dict.fromkeys(doc_ids))
        by_id = {d.id: d for d in docs}
        unknown = [i for i in wanted if i not in by_id]
        if unknown:
            raise FormatError(f"export: unknown document id(s): {', '.join(unknown[:5])}")
        docs = [by_id[i] for i in wanted]
    return docs


def export_corpus(
    fmt: str | Format,
    corpus: CorpusAPI | None,
    store: ExportSource,
    out: str | Path | IO[str] | None = None,
    *,
    force: bool = False,
    include_suggested: bool = False,
    doc_ids: Iterable[str] | None = None,
) -> ExportResult:
    """Export the corpus's annotations with format ``fmt`` to ``out``.

    ``out`` is a path, an open text stream, or None for standard output.
    Raises :class:`FormatError` when the destination exists (without
    ``force``), its folder is missing, or the format needs a path.
    """
    fmt = resolve_format(fmt)
    statuses = (STATUS_ACCEPTED, STATUS_SUGGESTED) if include_suggested else (STATUS_ACCEPTED,)
    docs = export_documents(corpus, store, doc_ids)
    counts = {"orphaned": 0, "documents": 0, "checked": 0}

    root = corpus.root if corpus is not None else None

    def items() -> Iterator[tuple[Document, list[Annotation]]]:
        for doc in docs:
            rel = _relative(doc.path, root)
            anns = []
            for a in store.for_document(doc.id, statuses=statuses):
                if a.status not in statuses:
                    continue
                if a.orphaned:
                    counts["orphaned"] += 1
                    continue
                if not (0 <= a.start < a.end <= len(doc.text)) or doc.text[a.start:a.end] != a.text:
                    # The store guarantees this; a mismatch is a bug, never exported silently.
                    raise FormatError(
                        f"export stopped: annotation {a.id} in {doc.id} does not match the document text "
                        f"at {a.start}-{a.end} (stored {a.text[:40]!r}); run `reader store check`"
                    )
                anns.append(a)
            counts["documents"] += 1
            counts["checked"] += len(anns)
            yield (doc if rel is None else dataclasses.replace(doc, path=rel)), anns

    missing = _missing_annotations(store, docs if doc_ids is None else None, statuses)
    ctx = ExportContext(links=_link_index(store, statuses))

    if not isinstance(out, (str, Path)):  # a text stream, or None for standard output
        if fmt.kind in ("dir", "binary"):
            raise FormatError(f"{fmt.name}: this format writes a {'folder' if fmt.kind == 'dir' else 'binary file'}; give an output path with --out")
        stream: IO[str] = out if out is not None else sys.stdout
        spans = fmt.write(items(), stream, ctx)
        stream.flush()
        return ExportResult(None, counts["documents"], spans, fmt.name, counts["orphaned"], missing, list(ctx.notes))

    path = Path(out).expanduser()
    _check_destination(path, fmt, force, store_path=_store_path(store), corpus_root=root)
    if fmt.kind != "dir" and in_place(path):
        spans = _write_stream(path, fmt, items(), ctx)
        return ExportResult(path, counts["documents"], spans, fmt.name, counts["orphaned"], missing, list(ctx.notes))
    # a link: the file (or folder) it names is replaced and the link stays, as a shell's redirection writes through it
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    if fmt.kind == "dir":
        spans = _write_dir_atomic(target, fmt, items(), ctx)
    elif fmt.kind == "binary":
        spans = _write_binary_atomic(target, fmt, items(), ctx)
    else:
        spans = _write_text_atomic(target, fmt, items(), ctx)
    return ExportResult(path, counts["documents"], spans, fmt.name, counts["orphaned"], missing, list(ctx.notes))


def _store_path(store: ExportSource) -> Path | str | None:
    """The store's folder or URL, never overwritten by an export (a LayerView's is its store's)."""
    return store.path


def _link_index(store: ExportSource, statuses: tuple[str, ...]) -> dict[str, list[dict[str, Any]]]:
    """Annotation id -> its links with one of ``statuses`` (both ends), as jsonl writes them."""
    index: dict[str, list[dict[str, Any]]] = {}
    for link in store.links(statuses=statuses):
        for this, other in ((link.a, link.b), (link.b, link.a)):
            index.setdefault(this, []).append({
                "id": link.id, "to": other, "status": link.status, "annotator": link.annotator,
                "created": link.created, "source": link.source,
            })
    return index


def _relative(path: Path | None, root: Path | None) -> Path | None:
    """A document's path relative to the corpus folder (exports carry no absolute paths)."""
    if path is None or root is None:
        return None
    try:
        return Path(os.path.relpath(Path(path).resolve(), Path(root).resolve()))
    except (OSError, ValueError):
        return None


def _missing_annotations(store: ExportSource, docs: list[Document] | None, statuses: tuple[str, ...]) -> int:
    """Annotations whose document is neither in the corpus nor imported (left out, counted)."""
    if docs is None:
        return 0
    by_doc = store.count_by_document()
    known = {d.id for d in docs}
    return sum(sum(c.values()) for doc_id, c in by_doc.items() if doc_id not in known)


def _check_destination(
    path: Path, fmt: Format, force: bool, *, store_path: Path | str | None = None, corpus_root: Path | None = None
) -> None:
    problem = destination_problem(path, fmt, force=force, store_path=store_path, corpus_root=corpus_root)
    if problem:
        raise FormatError(f"{path}: {problem}")


def _os_error(path: Path, exc: OSError) -> FormatError:
    return FormatError(f"{path}: cannot write the export: {exc.strerror or exc}")


def _write_text_atomic(path: Path, fmt: Format, items: Iterable[tuple[Document, list[Annotation]]],
                       ctx: ExportContext) -> int:
    try:
        with fsutil.atomic_text_file(path) as fh:
            return fmt.write(items, fh, ctx)
    except OSError as exc:
        raise _os_error(path, exc) from None


def _write_binary_atomic(path: Path, fmt: Format, items: Iterable[tuple[Document, list[Annotation]]],
                         ctx: ExportContext) -> int:
    tmp_dir = None
    try:
        tmp_dir = fsutil.make_temp_dir(path)
        tmp = tmp_dir / path.name
        spans = fmt.write(items, tmp, ctx)
        if not tmp.is_file():
            raise FormatError(f"{fmt.name}: the exporter wrote no file")
        fsutil.replace_file(tmp, path)
        return spans
    except OSError as exc:
        raise _os_error(path, exc) from None
    finally:
        if tmp_dir is not None:
            shutil.rmtree(tmp_dir, ignore_errors=True)


def _write_stream(path: Path, fmt: Format, items: Iterable[tuple[Document, list[Annotation]]],
                  ctx: ExportContext) -> int:
    """Write into the character device or pipe ``path`` in place (a FIFO waits for its reader): opened
    without O_CREAT or O_TRUNC and checked once open, so it is never a file this made or emptied; a
    descriptor's name (``/dev/stdout``) is written through a copy of that descriptor, so its offset and
    O_APPEND hold (``>> log``). A binary format writes a temporary file first (spaCy takes a path), then
    copies it in."""
    try:
        named = open_descriptor(path)
        if named is not None:
            fd = os.dup(named)
        else:
            fd = os.open(path, os.O_WRONLY)
            if not is_stream(fd):
                os.close(fd)
                raise FormatError(f"{path}: cannot write the export: it is no longer a device or a pipe")
        if fmt.kind != "binary":
            with open(fd, "w", encoding="utf-8", newline="\n") as fh:
                return fmt.write(items, fh, ctx)
        with open(fd, "wb") as out, tempfile.TemporaryDirectory(prefix="reader-export-") as tmp_dir:
            tmp = Path(tmp_dir) / path.name
            spans = fmt.write(items, tmp, ctx)
            if not tmp.is_file():
                raise FormatError(f"{fmt.name}: the exporter wrote no file")
            with open(tmp, "rb") as src:
                shutil.copyfileobj(src, out, 1 << 16)
            return spans
    except BrokenPipeError:
        raise  # the pipe's reader went away (`--out /dev/stdout | head`): the CLI stops quietly, as with `-`
    except OSError as exc:
        raise _os_error(path, exc) from None


def _write_dir_atomic(path: Path, fmt: Format, items: Iterable[tuple[Document, list[Annotation]]],
                      ctx: ExportContext) -> int:
    """Write into a new temporary folder beside ``path``, then swap it into place."""
    tmp_dir = None
    try:
        tmp_dir = fsutil.make_temp_dir(path)
        spans = fmt.write(items, tmp_dir, ctx)
        write_marker(tmp_dir, fmt.name)  # what --force may replace next time
        fsutil.replace_dir(tmp_dir, path)
        tmp_dir = None
        return spans
    except OSError as exc:
        raise _os_error(path, exc) from None
    finally:
        if tmp_dir is not None:
            shutil.rmtree(tmp_dir, ignore_errors=True)
