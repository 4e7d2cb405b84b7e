"""doccano sequence-labelling JSONL.

Export, one line per document::

    {"id": "001_x", "text": "...", "label": [[start, end, "salary"], ...],
     "title", "lang", "date", "path", "sha256",
     "span_info": [{"start", "end", "label", "id", "note", "annotator", "status", "created", "updated"}, ...],
     "offset_unit": "utf16"}

``label`` is doccano's own key. Everything else sits under its own top-level
key, which doccano keeps as untouched metadata on import. ``span_info``
carries what doccano has no place for (notes, annotators, ids), one entry per
span, each naming its span by ``start``, ``end`` and ``label``. Import matches
entries to spans by that triple, never by position: annotators edit ``label``
in doccano (delete, add, reorder spans) while ``span_info`` stays as it was.
A span with no entry of its own is imported without a note or id, and the
import says how many there were; an entry whose span is gone is dropped and
counted too.

Offsets. doccano runs in the browser and counts UTF-16 code units (its issue
#2290), so a span after an emoji (or any character outside the Basic
Multilingual Plane) is one unit further right per such character than its
code-point offset. By default we write and read **UTF-16 units**, as for Label
Studio, so that doccano draws every span where it belongs.
``DoccanoFormat(offsets="codepoint")`` (CLI: ``--offsets codepoint``) writes
and reads Python code points instead (what doccano's Python tooling and spaCy
expect; identical for text without astral characters). An exported file
records its unit in ``offset_unit`` (doccano keeps it as metadata), and import
honours that key over the option.

The file is ASCII: every other character is a JSON ``\\uXXXX`` escape. doccano's
import form guesses the encoding by default ("Auto", chardet), and chardet
takes UTF-8 with emoji and Arabic for Windows-1254, so doccano's import
fails on an undefined byte or stores mojibake; an ASCII file decodes the same
under any guess, and every JSON reader turns the escapes back into the characters.

Import also accepts the older ``"labels"`` key and the relation-style
``"entities": [{"start_offset", "end_offset", "label"}]``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from collections.abc import Mapping
from typing import IO, Any, Iterable, Iterator

from reader.errors import FormatError
from reader.formats.offsets import OffsetConversionError, Utf16Map
from reader.formats.base import ExportContext, ImportItem, ImportNote, ImportProblem, SpanRecord, register, text_stream
from reader.formats.jsonl import (
    BadRecord,
    check_label,
    doc_fields,
    JsonLinesFormat,
    get_id,
    get_int,
    get_str,
    item_meta,
    refuse_foreign_spans,
    make_item,
    span_extras,
    span_from_obj,
    type_name,
)
from reader.model import Annotation, Document

OFFSET_UNITS = ("codepoint", "utf16")
DEFAULT_OFFSETS = "utf16"
_INFO_KEYS = ("start", "end", "label")


@register
class DoccanoFormat(JsonLinesFormat):
    name = "doccano"
    description = "doccano JSONL, UTF-16 offsets as doccano's web page counts ({'text', 'label': [[start, end, label]]}; --offsets codepoint for code points)"

    def __init__(self, offsets: str = DEFAULT_OFFSETS):
        if offsets not in OFFSET_UNITS:
            raise FormatError(f"doccano: unknown offset unit {offsets!r}; choose codepoint or utf16")
        self.offsets: str = offsets  # narrower than Format.offsets: doccano always has a unit

    def with_options(self, *, offsets: str | None = None) -> "DoccanoFormat":
        return DoccanoFormat(offsets=offsets or self.offsets)

    def write(self, items: Iterable[tuple[Document, list[Annotation]]], out: IO[str] | Path,
              ctx: ExportContext | None = None) -> int:
        """Like every JSON Lines format, but ASCII only (see the module docstring: doccano's "Auto" encoding)."""
        out = text_stream(self, out)
        n = 0
        for doc, anns in items:
            out.write(json.dumps(self.to_record(doc, anns), ensure_ascii=True, allow_nan=False, separators=(",", ":")))
            out.write("\n")
            n += len(anns)
        return n

    def to_record(self, doc: Document, anns: list[Annotation],
                  links: Mapping[str, list[dict[str, Any]]] | None = None) -> dict[str, Any]:
        conv = Utf16Map(doc.text).to_utf16 if self.offsets == "utf16" else (lambda x: x)
        record: dict[str, Any] = {"id": doc.id, "text": doc.text}
        record["label"] = [[conv(a.start), conv(a.end), a.label] for a in anns]
        for key, value in doc_fields(doc).items():
            if key != "id":
                record[key] = value
        record["sha256"] = doc.sha256
        record["span_info"] = [{"start": conv(a.start), "end": conv(a.end), "label": a.label, **span_extras(a)} for a in anns]
        record["offset_unit"] = self.offsets
        return record

    def read(self, path: Path) -> Iterator[ImportItem | ImportProblem | ImportNote]:
        """Stream the records; then one note on ``span_info`` entries that matched no span and vice versa."""
        unmatched_spans = unmatched_lines = orphan_info = unusable = 0
        for rec in super().read(path):
            if isinstance(rec, _InfoTally):
                unmatched_spans += rec.spans_without_info
                unmatched_lines += 1 if rec.spans_without_info else 0
                orphan_info += rec.info_without_span
                unusable += rec.info_unusable
                continue
            yield rec
        if unmatched_spans:
            yield ImportNote(
                f"{unmatched_spans} span(s) on {unmatched_lines} line(s) have no span_info entry with the same "
                "start, end and label (added or moved in doccano); imported without note or id",
                Path(path).name,
            )
        if orphan_info:
            yield ImportNote(
                f"{orphan_info} span_info entr{'y' if orphan_info == 1 else 'ies'} matched no span "
                "(the span was deleted or changed in doccano); not imported",
                Path(path).name,
            )
        if unusable:
            yield ImportNote(
                f"{unusable} span_info entr{'y' if unusable == 1 else 'ies'} name no span (no start, end and label: "
                "written by an older reader, or not an object); their notes and ids were not imported",
                Path(path).name,
            )

    # _InfoTally is doccano's own in-band count, consumed by read() above; it never leaves this class.
    def from_record(self, obj: Any, line: int, source: str) -> Iterator[ImportItem | ImportProblem | _InfoTally]:  # type: ignore[override]
        try:
            text = get_str(obj, "text", required=True)
            refuse_foreign_spans(obj, ("label", "labels", "entities"), self.name)
            doc_id = get_id(obj, "id")
            meta = item_meta(obj, strict=False)
            unit = obj.get("offset_unit", self.offsets)
            if unit not in OFFSET_UNITS:
                raise BadRecord(f"unknown offset_unit {unit!r} (expected codepoint or utf16)")
            raw_spans = _raw_spans(obj)
            info = _InfoIndex(obj.get("span_info"))
        except BadRecord as exc:
            yield ImportProblem(line, str(exc), source)
            return
        umap = Utf16Map(text) if unit == "utf16" else None
        spans: list[SpanRecord] = []
        for i, entry in enumerate(raw_spans, 1):
            where = f"span {i}: "
            if isinstance(entry, BadRecord):
                yield ImportProblem(line, str(entry), source)
                continue
            start, end, label, extra = entry
            try:
                start = _int(start, "start", where)
                end = _int(end, "end", where)
                label = check_label(label, where)
                info_obj = info.take(start, end, label) if extra is None else extra
                if umap is not None:
                    s16, e16 = start, end
                    try:
                        start, end = umap.to_cp(s16), umap.to_cp(e16)
                    except OffsetConversionError as exc:
                        raise BadRecord(f"{where}{exc}") from None
                span = span_from_obj(info_obj or {}, where, start, end, label)
            except BadRecord as exc:
                yield ImportProblem(line, str(exc), source)
                continue
            spans.append(span)
        if info.present:
            yield _InfoTally(info.missed, info.left_over(), info.unusable)
        yield make_item(line, text, doc_id, meta, spans, source)


@dataclass
class _InfoTally:
    """Per record, from :meth:`DoccanoFormat.from_record` to :meth:`DoccanoFormat.read`: span_info matching counts."""

    spans_without_info: int
    info_without_span: int
    info_unusable: int


class _InfoIndex:
    """``span_info`` entries by (start, end, label), in the file's offset unit.

    Entries that are not objects, or lack an integer start/end or a label,
    cannot be matched and are counted as left over.
    """

    def __init__(self, value: Any):
        if value is not None and not isinstance(value, list):
            raise BadRecord(f"'span_info' must be an array of objects, got {type_name(value)}")
        self.present = value is not None
        self.by_key: dict[tuple[int, int, str], list[dict[str, Any]]] = {}
        self.unusable = 0
        self.missed = 0
        for entry in value or []:
            key = _info_key(entry)
            if key is None:
                self.unusable += 1
            else:
                self.by_key.setdefault(key, []).append(entry)

    def take(self, start: int, end: int, label: str) -> dict[str, Any] | None:
        if not self.present:
            return None
        queue = self.by_key.get((start, end, label))
        if not queue:
            self.missed += 1
            return None
        return queue.pop(0)

    def left_over(self) -> int:
        return sum(len(q) for q in self.by_key.values())


def _info_key(entry: Any) -> tuple[int, int, str] | None:
    if not isinstance(entry, dict):
        return None
    start, end, label = (entry.get(k) for k in _INFO_KEYS)
    if not isinstance(start, int) or isinstance(start, bool) or not isinstance(end, int) or isinstance(end, bool):
        return None
    if not isinstance(label, str):
        return None
    return start, end, label


def _int(value: Any, name: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRecord(f"{where}{name} must be an integer, got {type_name(value)}")
    return value


#: ``(start, end, label, extra)`` of one span as the record has it: the values are checked later.
_RawSpan = tuple[Any, Any, Any, dict[str, Any] | None]


def _raw_spans(obj: dict[str, Any]) -> list[_RawSpan | BadRecord]:
    """``(start, end, label, extra)`` from ``label``, ``labels`` or ``entities``; a BadRecord per bad entry."""
    out: list[_RawSpan | BadRecord] = []
    key = "label" if "label" in obj else "labels" if "labels" in obj else None
    if key is not None:
        value = obj[key]
        if value is None:
            return out
        if not isinstance(value, list):
            raise BadRecord(f"{key!r} must be an array of [start, end, label], got {type_name(value)}")
        for i, triple in enumerate(value, 1):
            if not isinstance(triple, list) or len(triple) != 3:
                if isinstance(triple, str):  # text classification: a document label, not a span
                    out.append(BadRecord(f"span {i}: {triple!r} is a document category, not a span; only span labels can be imported"))
                else:
                    got = f"{len(triple)} items" if isinstance(triple, list) else type_name(triple)
                    out.append(BadRecord(f"span {i}: must be [start, end, label], got {got}"))
                continue
            out.append((triple[0], triple[1], triple[2], None))
        return out
    entities = obj.get("entities")
    if entities is None:
        return out
    if not isinstance(entities, list):
        raise BadRecord(f"'entities' must be an array, got {type_name(entities)}")
    for i, ent in enumerate(entities, 1):
        where = f"span {i}: "
        if not isinstance(ent, dict):
            out.append(BadRecord(f"{where}an entity must be an object, got {type_name(ent)}"))
            continue
        try:
            start = get_int(ent, "start_offset", where)
            end = get_int(ent, "end_offset", where)
        except BadRecord as exc:
            out.append(exc)
            continue
        extra = {k: v for k, v in ent.items() if k in ("note", "annotator", "status", "created", "updated")}
        out.append((start, end, ent.get("label"), extra))
    return out
