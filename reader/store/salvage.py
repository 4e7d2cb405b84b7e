"""Salvage what still parses from a damaged store file, and sort journal records.

A shard with one flipped byte is no longer JSON, but every annotation record
outside the damaged bytes still is. :func:`salvage_shard` scans the raw bytes
for JSON objects and keeps each one that is a valid annotation record (or the
``_shard`` row naming the document), so ``reader store recover`` never has to
choose between an older ``.bak`` and losing the newer records.

:func:`split_records` separates journal records whose checksum is right but
whose content is not (a record that cannot be applied) from the good ones, so
recovery can skip and keep aside the bad ones instead of failing on them.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from reader.model import Annotation
from reader.store.base import JSON, SCHEMA_VERSION, StoreImage, ann_from_record
from reader.store.journal import record_ops

_DECODER = json.JSONDecoder()


@dataclass
class Salvage:
    doc_id: str | None = None
    anns: list[Annotation] = field(default_factory=list)
    skipped: int = 0  # objects that looked like records but were not valid annotations


def salvage_shard(raw: bytes) -> Salvage:
    """Every annotation record (and the document id) that still parses in a damaged shard."""
    text = raw.decode("utf-8", "replace")
    found = Salvage()
    seen: set[str] = set()
    pos = text.find("{", 1)  # skip the outer object: its own decode failed
    while pos >= 0:
        try:
            value, end = _DECODER.raw_decode(text, pos)
        except (ValueError, RecursionError):
            pos = text.find("{", pos + 1)
            continue
        if isinstance(value, dict) and "id" in value and "doc_id" in value:
            try:
                ann = ann_from_record(value)
            except (ValueError, TypeError, AttributeError):
                found.skipped += 1
            else:
                if ann.id not in seen:
                    seen.add(ann.id)
                    found.anns.append(ann)
            pos = text.find("{", end)
            continue
        if isinstance(value, dict) and isinstance(value.get("doc_id"), str) and "schema_version" in value:
            found.doc_id = value["doc_id"]
            pos = text.find("{", end)
            continue
        pos = text.find("{", pos + 1)  # a table: look inside it
    if found.doc_id is None and found.anns:
        ids = {a.doc_id for a in found.anns}
        if len(ids) == 1:
            found.doc_id = ids.pop()
    if found.doc_id is not None:
        found.anns = [a for a in found.anns if a.doc_id == found.doc_id]
    return found


def record_problem(record: dict[str, JSON]) -> str | None:
    """Why a journal record (checksum right) cannot be applied, or None. Newer versions are not judged here."""
    version = record.get("v", SCHEMA_VERSION)
    if isinstance(version, int) and version > SCHEMA_VERSION:
        return None
    scratch = StoreImage()
    for op in record_ops(record):
        try:
            scratch.apply(op)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            return f"operation {str(op)[:60]!r}: {exc}"
    return None


def split_records(records: list[dict[str, JSON]]) -> tuple[list[dict[str, JSON]], list[tuple[int, dict[str, JSON], str]]]:
    """``(good records, [(record number, record, reason)])`` of a journal's parsed records."""
    good: list[dict[str, JSON]] = []
    bad: list[tuple[int, dict[str, JSON], str]] = []
    for n, record in enumerate(records, 1):
        problem = record_problem(record)
        if problem is None:
            good.append(record)
        else:
            bad.append((n, record, problem))
    return good, bad
