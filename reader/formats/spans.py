"""``spans``: one line per annotation with its context, for reading and review (export only).

Each line::

    {"doc_id", "lang", "label", "text", "note", "annotator", "status",
     "left", "right", "start", "end", "id", "title"}

``left`` and ``right`` hold about :data:`CONTEXT` characters of the document
on each side of the span, widened to whole grapheme clusters so that an
emoji or an accented letter is never cut in half. ``start``/``end`` are code
points into the document's canonical text.
"""
from __future__ import annotations

from pathlib import Path
from typing import IO, Iterable

from reader.formats.base import ExportContext, Format, register, text_stream
from reader.formats.jsonl import amount_fields
from reader.formats.jsonl import dumps
from reader.model import Annotation, Document
from reader.text import snap_left, snap_right

CONTEXT = 100


def context(text: str, start: int, end: int, width: int = CONTEXT) -> tuple[str, str]:
    left_start = snap_left(text, max(0, start - width))
    right_end = snap_right(text, min(len(text), end + width))
    return text[left_start:start], text[end:right_end]


@register
class SpansFormat(Format):
    name = "spans"
    description = "one annotation per line with ~100 characters of context (export only)"
    extension = ".jsonl"
    kind = "jsonl"
    can_import = False

    def write(self, items: Iterable[tuple[Document, list[Annotation]]], out: IO[str] | Path,
              ctx: ExportContext | None = None) -> int:
        out = text_stream(self, out)
        n = 0
        for doc, anns in items:
            for a in anns:
                left, right = context(doc.text, a.start, a.end)
                out.write(
                    dumps(
                        {
                            "doc_id": doc.id,
                            "lang": doc.lang,
                            "label": a.label,
                            "text": a.text,
                            "note": a.note,
                            "annotator": a.annotator,
                            "status": a.status,
                            "left": left,
                            "right": right,
                            "start": a.start,
                            "end": a.end,
                            "id": a.id,
                            "title": doc.title,
                            **amount_fields(a),
                        }
                    )
                )
                out.write("\n")
                n += 1
        return n
