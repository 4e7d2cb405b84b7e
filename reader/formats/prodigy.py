"""Prodigy JSONL (the shape of ``prodigy db-out`` for span tasks).

One line per document::

    {"text": "...",
     "spans": [{"start", "end", "label", "text",
                "id", "note", "annotator", "status", "created", "updated"}],
     "meta": {"id", "title", "lang", "date", "path", "sha256"},
     "answer": "accept", "_input_hash": int, "_task_hash": int}

Offsets are code points, as in spaCy and Prodigy. Prodigy ignores span keys it
does not know, so notes, annotators and ids travel inside each span and come
back on import. ``_input_hash`` and ``_task_hash`` are deterministic signed
32-bit integers (of the text, and of the text with its spans), so that a
re-export is byte-identical. No ``tokens`` are written: Prodigy's ``db-in``
and ``spans.manual`` recipes tokenize on load.

On import, records whose ``answer`` is ``reject`` or ``ignore`` are reported
and skipped (a rejected task says nothing reliable about its spans); a record
without ``answer`` (raw pre-annotated input) counts as accepted.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, Iterator

from reader.formats.base import ImportItem, ImportProblem, register
from reader.formats.jsonl import (
    BadRecord,
    amount_fields,
    doc_fields,
    JsonLinesFormat,
    get_id,
    get_str,
    item_meta,
    refuse_foreign_spans,
    make_item,
    parse_span_objects,
    type_name,
)
from reader.model import Annotation, Document


def hash32(*parts: str) -> int:
    """A stable signed 32-bit integer, like Prodigy's (mmh3-based) hashes."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:4], "little", signed=True)


@register
class ProdigyFormat(JsonLinesFormat):
    name = "prodigy"
    description = "Prodigy JSONL ({'text', 'spans': [{start, end, label}], 'answer': 'accept'})"

    def to_record(self, doc: Document, anns: list[Annotation],
                  links: Mapping[str, list[dict[str, Any]]] | None = None) -> dict[str, Any]:
        spans = [
            {
                "start": a.start,
                "end": a.end,
                "label": a.label,
                "text": a.text,
                "id": a.id,
                "note": a.note,
                "annotator": a.annotator,
                "status": a.status,
                "created": a.created,
                "updated": a.updated,
                **amount_fields(a),
            }
            for a in anns
        ]
        meta = doc_fields(doc)
        meta["sha256"] = doc.sha256
        # the normalised amounts again in the task's meta, where Prodigy shows them
        amounts = [{"start": s["start"], "end": s["end"], "label": s["label"], "value": s["value"]}
                   for s in spans if "value" in s]
        if amounts:
            meta["amounts"] = amounts
        input_hash = hash32(doc.text)
        task_hash = hash32(str(input_hash), *(f"{a.start}:{a.end}:{a.label}" for a in anns))
        record = {
            "text": doc.text,
            "spans": spans,
            "meta": meta,
            "answer": "accept",
            "_input_hash": input_hash,
            "_task_hash": task_hash,
        }
        return record

    def from_record(self, obj: Any, line: int, source: str) -> Iterator[ImportItem | ImportProblem]:
        try:
            text = get_str(obj, "text", required=True)
            refuse_foreign_spans(obj, ("spans",), self.name)
            answer = obj.get("answer", "accept")
            if answer != "accept":
                if answer in ("reject", "ignore"):
                    raise BadRecord(f"answer is {answer!r}; only accepted tasks are imported")
                raise BadRecord(f"unknown answer {answer!r} (expected accept, reject or ignore)")
            meta_obj = obj.get("meta") or {}
            if not isinstance(meta_obj, dict):
                raise BadRecord(f"'meta' must be an object, got {type_name(meta_obj)}")
            meta = item_meta(meta_obj, strict=False)
            doc_id = get_id(meta_obj, "id", "meta: ")
            spans_raw = obj.get("spans") or []
            if not isinstance(spans_raw, list):
                raise BadRecord(f"'spans' must be an array, got {type_name(spans_raw)}")
        except BadRecord as exc:
            yield ImportProblem(line, str(exc), source)
            return
        spans, problems = parse_span_objects(spans_raw, line, source)
        yield from problems
        yield make_item(line, text, doc_id, meta, spans, source)
