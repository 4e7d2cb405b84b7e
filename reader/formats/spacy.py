"""spaCy DocBin (``.spacy``), the training-data format of spaCy v3.

Export tokenises every document with a blank multilingual pipeline
(``spacy.blank("xx")``) and makes each annotation a span with
``doc.char_span(start, end, label, alignment_mode="strict")``. Strict mode
returns None when the offsets do not fall on token boundaries; such a span is
retried with ``alignment_mode="expand"`` (the tokens it touches; an edge in a
token's trailing space moves back to that token, so the placed span can be
shorter than ours). Whitespace tokens at either edge (a span that ends on its
line break, say) are then trimmed: spaCy's ``debug data`` rejects entities
that start or end on whitespace ("invalid whitespace entity spans") and NER
training learns nothing from them. Every span placed other than as given is
reported with the range it got and how (expanded, shortened, trimmed). A span
that cannot be placed at all (only whitespace, for instance) is reported and
left out of the spans, but kept in ``user_data``.

* every placed span goes into ``doc.spans["sc"]`` (the span categorizer's key);
* spans that overlap no other span also go into ``doc.ents``;
* ``doc.user_data["reader"]`` keeps the document id, sha256, title, language,
  and every annotation with its exact character offsets, label, note,
  annotator, status and id, so that an import restores them losslessly, even
  the spans that had to be moved onto tokens or trimmed.

Import reads a DocBin back: from ``user_data`` when it was written by us, else
from every ``doc.spans`` group and ``doc.ents`` of a DocBin made elsewhere.

spaCy is an optional extra (``pip install .[spacy]``); it is imported only
when this format is used.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Iterable, Iterator, cast

from reader.errors import FormatError
from reader.formats.base import ExportContext, Format, ImportItem, ImportProblem, SpanRecord, register
from reader.formats.jsonl import amount_fields, read_amount_fields
from reader.model import STATUSES, Annotation, Document

SPANS_KEY = "sc"
USER_DATA_KEY = "reader"
USER_DATA_VERSION = 1
#: largest DocBin read on import (spaCy loads it whole)
MAX_DOCBIN_BYTES = 1024 * 1024 * 1024
#: a DocBin is one zlib stream; inflated past this it is refused before spaCy inflates it whole
#: (a 3.1 MB file that inflates to 3 GiB took 6.4 GB of memory)
MAX_INFLATED_BYTES = 256 * 1024 * 1024


def inflated_size_problem(data: bytes | bytearray, limit: int = MAX_INFLATED_BYTES) -> str | None:
    """Why the zlib stream ``data`` is refused (it inflates past ``limit``, or is not zlib), or None.

    Inflated a chunk at a time with a bounded output per step, so memory stays at about one chunk
    beside ``data`` whatever it inflates to."""
    import zlib

    chunk = 1024 * 1024
    inflater = zlib.decompressobj()
    total = 0
    view = memoryview(data)
    try:
        for at in range(0, len(view), chunk):
            piece: bytes | memoryview = view[at:at + chunk]
            while piece:
                out = inflater.decompress(piece, chunk)
                total += len(out)
                if total > limit:
                    return f"it inflates to more than {limit // (1024 * 1024)} MiB (a zlib bomb, or too large to import)"
                piece = inflater.unconsumed_tail
            if inflater.eof:
                break
    except zlib.error as exc:
        return f"not a spaCy DocBin (zlib: {exc})"
    return None


def read_docbin_bytes(path: Path, limit: int = MAX_DOCBIN_BYTES) -> bytes | bytearray:
    """The bytes of the DocBin at ``path``, read once (a pipe, standard input or a FIFO, cannot be
    read again), refused in one line past ``limit`` (a file by its size, before it is read)."""
    too_large = f"{path}: the DocBin is larger than {limit // (1024 * 1024)} MiB; spaCy loads it whole, so it is refused"
    try:
        if path.stat().st_size > limit:
            raise FormatError(too_large)
        with open(path, "rb") as fh:
            if fh.seekable():
                return fh.read()  # as DocBin.from_disk reads it
            data = bytearray()  # a pipe's size is known once it is read: a MiB at a time
            while len(data) <= limit:
                more = fh.read(1 << 20)
                if not more:
                    return data
                data += more
    except OSError as exc:
        raise FormatError(f"{path}: cannot read: {exc.strerror or exc}") from None
    raise FormatError(too_large)


INSTALL_HINT = "install the spacy extra: pip install .[spacy]"


def load_spacy() -> Any:
    """Import spaCy, or raise a FormatError that says how to install it."""
    try:
        import spacy  # noqa: PLC0415  (optional dependency, imported lazily)
        from spacy.tokens import DocBin  # noqa: F401
    except ImportError as exc:
        raise FormatError(f"spacy: the spaCy format needs spaCy, which is not installed ({exc.name or exc}); {INSTALL_HINT}") from None
    return spacy


_BLANK: dict[str, Any] = {}


def blank_nlp() -> Any:
    """The blank multilingual pipeline, made once per process (spacy.blank is slow)."""
    spacy = load_spacy()
    nlp = _BLANK.get("xx")
    if nlp is None:
        nlp = _BLANK["xx"] = spacy.blank("xx")
    return nlp


@dataclass
class Misaligned:
    """A span that spaCy's tokens could not hold as given: where it was placed instead, and how."""

    doc_id: str
    start: int
    end: int
    label: str
    text: str
    placed: tuple[int, int] | None  # the character range it got in doc.spans / doc.ents, or None when not placed
    expanded: bool = False  # strict mode failed and alignment_mode="expand" placed it
    trimmed: bool = False  # whitespace tokens at its edges were dropped

    def changes(self) -> str:
        """How each edge moved, in characters: "start extended by 2, end shortened by 1"."""
        if self.placed is None:
            return ""
        s, e = self.placed
        parts = []
        for edge, moved_out in (("start", self.start - s), ("end", e - self.end)):
            if moved_out > 0:
                parts.append(f"{edge} extended by {moved_out}")
            elif moved_out < 0:
                parts.append(f"{edge} shortened by {-moved_out}")
        return ", ".join(parts)

    def __str__(self) -> str:
        where = f"{self.doc_id} {self.start}-{self.end} {self.label!r} {self.text[:40]!r}"
        if self.placed is None:
            if self.trimmed or not self.text.strip():
                return f"{where}: only whitespace on spaCy's tokens; not placed, kept in user_data only"
            return f"{where}: not on token boundaries and could not be placed on tokens; kept in user_data only"
        s, e = self.placed
        how = " and ".join(
            x for x in ("on the tokens it touches (alignment_mode='expand')" if self.expanded else "",
                        "with whitespace trimmed at its edges" if self.trimmed else "") if x
        )
        return f"{where}: placed at {s}-{e} {how} ({self.changes()})"


@dataclass
class AlignmentReport:
    spans: int = 0  # spans seen
    strict: int = 0  # placed exactly as given
    misaligned: list[Misaligned] = field(default_factory=list)
    ents_skipped_docs: int = 0  # documents whose non-overlapping spans spaCy still refused as entities

    @property
    def placed(self) -> list[Misaligned]:
        """Spans placed on other character offsets than ours."""
        return [m for m in self.misaligned if m.placed]

    @property
    def expanded(self) -> list[Misaligned]:
        return [m for m in self.misaligned if m.placed and m.expanded]

    @property
    def trimmed(self) -> list[Misaligned]:
        return [m for m in self.misaligned if m.placed and m.trimmed]

    @property
    def unplaced(self) -> list[Misaligned]:
        return [m for m in self.misaligned if not m.placed]

    def lines(self, limit: int = 50) -> list[str]:
        if not self.misaligned:
            return []
        head = (
            f"spacy: {len(self.misaligned)} of {self.spans} span(s) do not fit spaCy's tokens as they are: "
            f"{len(self.placed)} placed on other offsets ({len(self.expanded)} by alignment_mode='expand', "
            f"{len(self.trimmed)} with whitespace trimmed at an edge), {len(self.unplaced)} could not be placed"
        )
        out = [head] + [f"  {m}" for m in self.misaligned[:limit]]
        if len(self.misaligned) > limit:
            out.append(f"  ... and {len(self.misaligned) - limit} more")
        return out


def _trim_space(sp: Any) -> Any:
    """``sp`` without whitespace tokens at its edges: ``sp`` itself when it has none, None when nothing else is left."""
    from spacy.tokens import Span

    first, last = sp.start, sp.end
    doc = sp.doc
    while first < last and doc[first].is_space:
        first += 1
    while last > first and doc[last - 1].is_space:
        last -= 1
    if first == last:
        return None
    if (first, last) == (sp.start, sp.end):
        return sp
    return Span(doc, first, last, label=sp.label)


def _non_overlapping(spans: list[Any]) -> list[Any]:
    """The spans that overlap no other span (token ranges)."""
    order = sorted(spans, key=lambda s: (s.start, s.end))
    keep = []
    max_end = -1
    for i, sp in enumerate(order):
        overlaps_before = sp.start < max_end
        overlaps_after = i + 1 < len(order) and order[i + 1].start < sp.end
        if not overlaps_before and not overlaps_after:
            keep.append(sp)
        max_end = max(max_end, sp.end)
    return keep


def _record(a: Annotation, alignment: str, token_range: tuple[int, int] | None) -> dict[str, Any]:
    rec = {
        "id": a.id, "start": a.start, "end": a.end, "label": a.label, "text": a.text, "note": a.note,
        "annotator": a.annotator, "status": a.status, "created": a.created, "updated": a.updated,
        "source": a.source, "alignment": alignment, **amount_fields(a),
    }
    if token_range is not None:
        rec["token_start"], rec["token_end"] = token_range
    return rec


def make_doc(nlp: Any, document: Document, anns: list[Annotation], report: AlignmentReport) -> Any:
    """A spaCy Doc of ``document`` with its spans, entities and our user_data."""
    d = nlp.tokenizer(document.text)  # not nlp(): no length limit, no pipeline components
    spans = []
    records = []
    for a in anns:
        report.spans += 1
        sp = d.char_span(a.start, a.end, label=a.label, alignment_mode="strict")
        expanded = sp is None
        if expanded:
            sp = d.char_span(a.start, a.end, label=a.label, alignment_mode="expand")
        trimmed = False
        if sp is not None:
            kept = _trim_space(sp) if len(sp) else None
            trimmed = kept is not sp and len(sp) > 0
            sp = kept
        if expanded or trimmed:
            placed = (sp.start_char, sp.end_char) if sp is not None else None
            report.misaligned.append(Misaligned(document.id, a.start, a.end, a.label, a.text, placed, expanded, trimmed))
        else:
            report.strict += 1
        alignment = "none" if sp is None else "expand" if expanded else "trim" if trimmed else "strict"
        if sp is not None:
            spans.append(sp)
        records.append(_record(a, alignment, (sp.start, sp.end) if sp is not None else None))
    d.spans[SPANS_KEY] = spans
    try:
        d.ents = _non_overlapping(spans)
    except ValueError:  # spaCy refuses some entity (it should not happen for non-overlapping spans)
        report.ents_skipped_docs += 1
        d.ents = []
    d.user_data[USER_DATA_KEY] = {
        "version": USER_DATA_VERSION, "doc_id": document.id, "sha256": document.sha256, "title": document.title,
        "lang": document.lang, "date": document.date, "spans": records,
    }
    return d


def _str_or(value: Any, default: Any = None) -> Any:
    return value if isinstance(value, str) else default


def _int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def item_from_doc(d: Any, number: int, source: str) -> Iterator[ImportItem | ImportProblem]:
    text = d.text
    info = d.user_data.get(USER_DATA_KEY) if isinstance(d.user_data, dict) else None
    item = ImportItem(line=number, text=text, source=source)
    if isinstance(info, dict):
        item.doc_id = _str_or(info.get("doc_id")) or None
        item.sha256 = _str_or(info.get("sha256"))
        item.title = _str_or(info.get("title"), "")
        item.lang = _str_or(info.get("lang"))
        if _str_or(info.get("date")):
            item.meta["date"] = info["date"]
        found = info.get("spans")
        records = found if isinstance(found, (list, tuple)) else []  # msgpack may give tuples
        for k, rec in enumerate(records, 1):
            if not isinstance(rec, dict) or not _int(rec.get("start")) or not _int(rec.get("end")) or not _str_or(rec.get("label")):
                yield ImportProblem(number, f"doc {number}: user_data span {k} is malformed; skipped", source)
                continue
            status = rec["status"] if rec.get("status") in STATUSES else "accepted"
            item.spans.append(SpanRecord(
                start=rec["start"], end=rec["end"], label=rec["label"], text=_str_or(rec.get("text")),
                note=_str_or(rec.get("note"), ""), annotator=_str_or(rec.get("annotator")), status=status,
                id=_str_or(rec.get("id")), created=_str_or(rec.get("created")), updated=_str_or(rec.get("updated")),
                **read_amount_fields(rec),
            ))
    else:
        seen = set()
        groups = [list(group) for group in d.spans.values()] + [list(d.ents)]
        for group in groups:
            for sp in group:
                key = (sp.start_char, sp.end_char, sp.label_)
                if not sp.label_ or key in seen:
                    continue
                seen.add(key)
                item.spans.append(SpanRecord(start=sp.start_char, end=sp.end_char, label=sp.label_, text=sp.text))
    yield item


def write_docbin(items: Iterable[tuple[Document, list[Annotation]]], out: Path) -> AlignmentReport:
    """Write ``items`` as a DocBin at ``out``; the report says which spans were not on token boundaries."""
    nlp = blank_nlp()
    from spacy.tokens import DocBin

    report = AlignmentReport()
    db = DocBin(store_user_data=True)
    for document, anns in items:
        db.add(make_doc(nlp, document, anns, report))
    db.to_disk(out)
    return report


@register
class SpacyFormat(Format):
    name = "spacy"
    description = "spaCy DocBin (.spacy): spans in doc.spans['sc'], non-overlapping ones in doc.ents (needs the spacy extra)"
    extension = ".spacy"
    kind = "binary"

    def write(self, items: Iterable[tuple[Document, list[Annotation]]], out: IO[str] | Path,
              ctx: ExportContext | None = None) -> int:
        if not isinstance(out, (str, os.PathLike)):
            raise FormatError("spacy: this format writes a binary .spacy file; give an output path")
        report = write_docbin(items, Path(out))
        if ctx is not None:
            ctx.notes.extend(report.lines())
            if report.ents_skipped_docs:
                ctx.notes.append(f"spacy: {report.ents_skipped_docs} document(s) have no doc.ents (spaCy refused them); their spans are in doc.spans['sc']")
        return report.spans - len(report.unplaced)

    def read(self, path: Path) -> Iterator[ImportItem | ImportProblem]:
        nlp = blank_nlp()
        from spacy.tokens import DocBin

        path = Path(path)
        source = path.name
        data = read_docbin_bytes(path)  # what DocBin.from_disk holds too, read once
        problem = inflated_size_problem(data)
        if problem:
            raise FormatError(f"{path}: {problem}; refused")
        try:
            db = DocBin(store_user_data=True).from_bytes(cast(bytes, data))  # zlib takes a bytearray too (a pipe's, not copied)
            del data
        except Exception as exc:  # zlib/msgpack/KeyError: anything that is not a DocBin
            raise FormatError(f"{path}: not a spaCy DocBin ({type(exc).__name__}: {exc})") from None
        docs = db.get_docs(nlp.vocab)
        number = 0
        while True:
            try:
                d = next(docs)
            except StopIteration:
                return
            except Exception as exc:  # a damaged document inside the DocBin
                yield ImportProblem(number + 1, f"doc {number + 1}: cannot be read from the DocBin ({type(exc).__name__}: {exc}); reading stopped", source)
                return
            number += 1
            yield from item_from_doc(d, number, source)
