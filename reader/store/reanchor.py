"""Re-anchoring: where an annotation's text is in a changed document. Pure functions, no I/O.

When a document's text changes (its sha256 differs from the one saved with
an annotation), the annotation's span text is looked for near its old place:
first within :data:`REANCHOR_WINDOW` code points, then anywhere. Found, the
annotation moves; not found, it is kept and marked ``orphaned``; an orphan
whose text comes back is restored.
"""
from __future__ import annotations

import dataclasses
from typing import Callable, Iterator, Mapping

from reader.model import Annotation, Document, ReanchorReport

# How far (code points) around the old offset re-anchoring looks first.
REANCHOR_WINDOW = 2000


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
