"""doccano sequence-labelling JSONL.

Export, one line per document::

    {"id": "001_x", "text": "...", "label": [[start, end, "salary"], ...],
     "title", "lang", "date", "path", "sha256",
     "span_info": [{"id", "note", "annotator", "status", "created", "updated"}, ...],
     "offset_unit": "codepoint"}

``label`` is doccano's own key. Everything else sits under its own top-level
key, which doccano keeps as metadata on import; ``span_info`` is parallel to
``label`` (same order) and carries what doccano has no place for, so that
notes, annotators and ids survive a round trip.

Offsets. doccano runs in the browser and counts UTF-16 code units, so a span
after an emoji (or any character outside the Basic Multilingual Plane) is one
unit further right per such character than its code-point offset. By default
we write and read **code points** (Python string indices; exact for every
text without astral characters, and what doccano's own Python tooling and
spaCy expect). ``DoccanoFormat(offsets="utf16")`` (CLI: ``--offsets utf16``)
writes and reads UTF-16 units instead, which is what the doccano web UI shows
for emoji-bearing text. An exported file records its unit in ``offset_unit``,
and import honours that key over the option.

Import also accepts the older ``"labels"`` key and the relation-style
``"entities": [{"start_offset", "end_offset", "label"}]``.
"""
from __future__ import annotations

from typing import Any, Iterator

from reader.errors import FormatError
from reader.formats.offsets import OffsetConversionError, Utf16Map
from reader.formats.base import ImportItem, ImportProblem, SpanRecord, register
from reader.formats.jsonl import (
    BadRecord,
    check_label,
    doc_fields,
    JsonLinesFormat,
    get_id,
    get_int,
    get_str,
    item_meta,
    make_item,
    span_extras,
    span_from_obj,
    type_name,
)
from reader.model import Annotation, Document

OFFSET_UNITS = ("codepoint", "utf16")
@register
class DoccanoFormat(JsonLinesFormat):
    name = "doccano"
    description = "doccano sequence labelling JSONL ({'text', 'label': [[start, end, label]]})"

    def __init__(self, offsets: str = "codepoint"):
        if offsets not in OFFSET_UNITS:
            raise FormatError(f"doccano: unknown offset unit {offsets!r}; choose codepoint or utf16")
        self.offsets = offsets

    def with_options(self, *, offsets: str | None = None) -> "DoccanoFormat":
        return DoccanoFormat(offsets=offsets or self.offsets)

    def to_record(self, doc: Document, anns: list[Annotation]) -> dict[str, Any]:
        conv = Utf16Map(doc.text).to_utf16 if self.offsets == "utf16" else (lambda x: x)
        record: dict[str, Any] = {"id": doc.id, "text": doc.text}
        record["label"] = [[conv(a.start), conv(a.end), a.label] for a in anns]
        for key, value in doc_fields(doc).items():
            if key != "id":
                record[key] = value
        record["sha256"] = doc.sha256
        record["span_info"] = [span_extras(a) for a in anns]
        record["offset_unit"] = self.offsets
        return record

    def from_record(self, obj: Any, line: int, source: str) -> Iterator[ImportItem | ImportProblem]:
        try:
            text = get_str(obj, "text", required=True)
            doc_id = get_id(obj, "id")
            meta = item_meta(obj, strict=False)
            unit = obj.get("offset_unit", self.offsets)
            if unit not in OFFSET_UNITS:
                raise BadRecord(f"unknown offset_unit {unit!r} (expected codepoint or utf16)")
            raw_spans = _raw_spans(obj)
            info = obj.get("span_info")
            if info is not None and (not isinstance(info, list) or len(info) != len(raw_spans)):
                raise BadRecord("'span_info' must be an array as long as 'label'")
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
                if umap is not None:
                    s16, e16 = start, end
                    try:
                        start, end = umap.to_cp(s16), umap.to_cp(e16)
                    except OffsetConversionError as exc:
                        raise BadRecord(f"{where}{exc}") from None
                info_obj = info[i - 1] if info is not None else extra
                if info_obj is not None and not isinstance(info_obj, dict):
                    raise BadRecord(f"{where}span_info entry must be an object, got {type_name(info_obj)}")
                span = span_from_obj(info_obj or {}, where, start, end, label)
            except BadRecord as exc:
                yield ImportProblem(line, str(exc), source)
                continue
            spans.append(span)
        yield make_item(line, text, doc_id, meta, spans, source)


def _int(value: Any, name: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRecord(f"{where}{name} must be an integer, got {type_name(value)}")
    return value


def _raw_spans(obj: dict) -> list[tuple[Any, Any, Any, dict | None] | BadRecord]:
    """``(start, end, label, extra)`` from ``label``, ``labels`` or ``entities``; a BadRecord per bad entry."""
    out: list[tuple[Any, Any, Any, dict | None] | BadRecord] = []
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
