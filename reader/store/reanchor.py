"""Re-anchoring: where an annotation's text is in a changed document. Pure functions, no I/O.

When a document's text changes (its sha256 differs from the one saved with
an annotation), the annotation's span text is looked for near its old place:
first within :data:`REANCHOR_WINDOW` code points, then anywhere. Found, the
annotation moves; not found, it is kept and marked ``orphaned``; an orphan
whose text comes back is restored.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Callable, Iterator, Mapping

from reader.model import Annotation, Document

# How far (code points) around the old offset re-anchoring looks first.
REANCHOR_WINDOW = 2000


@dataclass
class ReanchorReport:
    """What :meth:`AnnotationStore.attach_corpus` did to annotations of changed documents."""

    checked: int = 0  # annotations whose document changed (or that were orphaned)
    unchanged: int = 0  # document changed, span still at the same place
    moved: list[Annotation] = field(default_factory=list)
    orphaned: list[Annotation] = field(default_factory=list)
    restored: list[Annotation] = field(default_factory=list)  # orphans found again
    adopted: int = 0  # annotations saved without a document text, now filled in
    missing_documents: list[str] = field(default_factory=list)  # annotated ids not in the corpus
    saved: bool = True  # False when the store is read-only (changes kept in memory only)

    @property
    def changed(self) -> bool:
        return bool(self.moved or self.orphaned or self.restored or self.adopted)

    def summary(self) -> str:
        parts = []
        if self.moved:
            parts.append(f"{len(self.moved)} moved")
        if self.restored:
            parts.append(f"{len(self.restored)} found again")
        if self.orphaned:
            parts.append(f"{len(self.orphaned)} orphaned (text not found; kept)")
        if self.missing_documents:
            parts.append(f"{len(self.missing_documents)} annotated document(s) missing from the corpus")
        if not parts:
            return "all annotations are anchored"
        return "re-anchoring: " + ", ".join(parts)


def find_nearest(text: str, needle: str, near: int, window: int = REANCHOR_WINDOW) -> int | None:
    """Start of the occurrence of ``needle`` closest to ``near`` (window first, then anywhere)."""
    if not needle:
        return None

    def scan(lo: int, hi: int) -> int | None:
        best = None
        i = text.find(needle, lo, hi)
        while i >= 0:
            if best is None or abs(i - near) < abs(best - near):
                best = i
            elif i > near:
                break
            i = text.find(needle, i + 1, hi)
        return best

    lo = max(0, near - window)
    hi = min(len(text), near + len(needle) + window)
    found = scan(lo, hi)
    if found is None:
        found = scan(0, len(text))
    return found


def reanchor(ann: Annotation, doc: Document, report: ReanchorReport, stamp: str) -> Annotation | None:
    """The annotation as it should be against ``doc`` (None: keep it as it is).

    Counts what happened in ``report``; ``stamp`` is the ``updated`` time of a moved one.
    """
    text = doc.text
    report.checked += 1
    if not ann.text:  # saved without a document text: adopt the document's
        if 0 <= ann.start < ann.end <= len(text):
            report.adopted += 1
            return dataclasses.replace(ann, text=text[ann.start:ann.end], doc_sha256=doc.sha256, orphaned=False)
        new = dataclasses.replace(ann, orphaned=True)
        report.orphaned.append(new)
        return new if not ann.orphaned else None
    if text[ann.start:ann.end] == ann.text:
        new = dataclasses.replace(ann, doc_sha256=doc.sha256, orphaned=False)
        if ann.orphaned:
            report.restored.append(new)
        else:
            report.unchanged += 1
        return new
    found = find_nearest(text, ann.text, ann.start)
    if found is not None:
        # an identical span may already exist there: keep both rather than drop one
        new = dataclasses.replace(
            ann, start=found, end=found + len(ann.text), doc_sha256=doc.sha256, orphaned=False, updated=stamp
        )
        (report.restored if ann.orphaned else report.moved).append(new)
        return new
    if ann.orphaned:
        report.orphaned.append(ann)
        return None
    new = dataclasses.replace(ann, orphaned=True, updated=stamp)
    report.orphaned.append(new)
    return new


def reanchor_documents(
    by_doc: Mapping[str, Mapping[str, Annotation]],
    document: Callable[[str], Document | None],
    report: ReanchorReport,
    stamp: str,
) -> Iterator[tuple[Annotation, Annotation]]:
    """(old, new) for every annotation that must change because its document did.

    ``by_doc`` is read as it is when the generator starts; the caller may
    replace the annotations it is given as they come.
    """
    for doc_id, anns in list(by_doc.items()):
        if not anns:
            continue
        doc = document(doc_id)
        if doc is None:
            report.missing_documents.append(doc_id)
            continue
        for ann in list(anns.values()):
            if ann.doc_sha256 == doc.sha256 and not ann.orphaned:
                continue
            new = reanchor(ann, doc, report, stamp)
            if new is not None:
                yield ann, new
