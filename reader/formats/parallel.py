"""``parallel``: one JSON line per linked group of spans, the same fact in several languages.

::

    {"label": "salary", "value": {"min": 300000, "max": 900000, "currency": "USD", "period": "year"},
     "spans": [{"doc_id": "000_…", "lang": "it", "start": 1043, "end": 1075, "text": "300mila ai 900mila dollari"}, …]}

A group is a connected set of linked annotations (``reader.store.links``);
spans are ordered by document id then offset. ``label`` is the spans' label
(the most common one, if they differ). ``value`` is the normalised amount for
salary groups: the spans' stored value, or the value the one amount
normaliser (``reader.amounts.parse_amount``) reads from the span text;
``null`` for other labels. Spans without links are not written. Export only.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import IO, Any, Iterable, Mapping

from reader.formats.base import ExportContext, Format, register, text_stream
from reader.formats.jsonl import dumps
from reader.model import Annotation, Document
from reader.store.links import groups_of

SALARY = "salary"


def _value(ann: Annotation, lang: str | None) -> dict[str, Any] | None:
    if ann.value:
        return ann.value
    from reader.amounts import parse_amount

    return parse_amount(ann.text, None if lang in (None, "", "unknown") else lang)


def linked_groups(items: Iterable[tuple[Document, list[Annotation]]],
                  links: Mapping[str, list[dict[str, Any]]]) -> list[list[tuple[Document, Annotation]]]:
    """The connected groups of linked spans among ``items``, each sorted by document then offset
    (also what the ``tmx`` format writes)."""
    spans: dict[str, tuple[Document, Annotation]] = {}
    for doc, anns in items:
        for a in anns:
            if a.id in links:
                spans[a.id] = (doc, a)
    edges = [(a, rec["to"]) for a in spans for rec in links[a] if rec["to"] in spans]
    groups = [sorted((spans[i] for i in ids), key=lambda da: (da[0].id, da[1].start, da[1].end))
              for ids in groups_of(edges)]
    groups.sort(key=lambda g: (g[0][0].id, g[0][1].start))
    return groups


@register
class ParallelFormat(Format):
    name = "parallel"
    description = "one JSON line per linked group: the same fact in several languages (export only)"
    extension = ".jsonl"
    kind = "jsonl"
    can_import = False

    def write(self, items: Iterable[tuple[Document, list[Annotation]]], out: IO[str] | Path,
              ctx: ExportContext | None = None) -> int:
        out = text_stream(self, out)
        groups = linked_groups(items, ctx.links if ctx is not None else {})
        n = 0
        for members in groups:
            label = Counter(a.label for _, a in members).most_common(1)[0][0]
            value = None
            if label == SALARY:
                value = next((v for d, a in members if (v := _value(a, d.lang)) is not None), None)
            record = {
                "label": label,
                "value": value,
                "spans": [{"doc_id": d.id, "lang": d.lang, "start": a.start, "end": a.end, "text": a.text}
                          for d, a in members],
            }
            out.write(dumps(record))
            out.write("\n")
            n += len(members)
        return n
