"""``tmx``: linked groups as a translation memory (TMX 1.4b, the LISA/GALA standard that CAT
tools such as OmegaT, Trados and memoQ read).

One translation unit (``<tu>``) per linked group of spans (``reader.store.links``), the
same groups as ``parallel``; one variant (``<tuv xml:lang="…">``) per span, in document id
then offset order, with the span text as its segment. Properties keep what TMX has no
field for: ``x-label`` (the group's label) on the unit; ``x-doc``, ``x-start`` and ``x-end``
(code points, end-exclusive, on the canonical text) on each variant. A document whose
language is unknown is written ``und`` (BCP 47 "undetermined"). Characters that XML 1.0
cannot carry (C0 controls other than tab and newline) are written as U+FFFD in the segment;
``x-start``/``x-end`` still locate the span. Export only.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import IO, Iterable
from xml.sax.saxutils import escape, quoteattr

import regex

from reader import __version__
from reader.formats.base import ExportContext, Format, register, text_stream
from reader.formats.parallel import linked_groups
from reader.model import Annotation, Document

_NOT_XML = regex.compile(r"[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|\p{Cs}")


def _xml_text(s: str) -> str:
    return escape(_NOT_XML.sub("\uFFFD", s))


def _lang(doc: Document) -> str:
    return doc.known_lang or "und"


@register
class TmxFormat(Format):
    name = "tmx"
    description = "linked groups as a TMX 1.4b translation memory: one unit per group, one variant per span (export only)"
    extension = ".tmx"
    kind = "json"  # one text document
    can_import = False

    def write(self, items: Iterable[tuple[Document, list[Annotation]]], out: IO[str] | Path,
              ctx: ExportContext | None = None) -> int:
        out = text_stream(self, out)
        groups = linked_groups(items, ctx.links if ctx is not None else {})
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        out.write('<tmx version="1.4">\n')
        out.write(f'  <header creationtool="reader" creationtoolversion={quoteattr(__version__)} '
                  'datatype="plaintext" segtype="phrase" adminlang="en" srclang="*all*" o-tmf="reader"/>\n')
        out.write("  <body>\n")
        n = 0
        for k, members in enumerate(groups, 1):
            label = Counter(a.label for _, a in members).most_common(1)[0][0]
            out.write(f'    <tu tuid="{k}">\n')
            out.write(f'      <prop type="x-label">{_xml_text(label)}</prop>\n')
            for doc, a in members:
                out.write(f'      <tuv xml:lang={quoteattr(_lang(doc))}>\n')
                out.write(f'        <prop type="x-doc">{_xml_text(doc.id)}</prop>\n')
                out.write(f'        <prop type="x-start">{a.start}</prop>\n')
                out.write(f'        <prop type="x-end">{a.end}</prop>\n')
                out.write(f"        <seg>{_xml_text(a.text)}</seg>\n")
                out.write("      </tuv>\n")
                n += 1
            out.write("    </tu>\n")
        out.write("  </body>\n</tmx>\n")
        return n
