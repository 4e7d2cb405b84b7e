"""The workspace tables kept beside the annotations.

* ``languages``: detection results by content hash (a cache: skipped when read-only);
* ``overrides``: the user's language per document;
* ``done``: documents marked done;
* ``documents``: imported documents, with their text;
* ``state``: UI state (last document, positions...), any JSON value;
* ``rejected``: spans a user rejected, per document, so suggesters do not offer them again.

:class:`WorkspaceTables` reads and changes them in the store's image and
hands each change to the store's ``commit`` (which makes it durable through
the engine). It is a part the store owns (composed, not mixed in): the store's
methods of the same names hand over to it, and each of its public methods holds
the store's lock.
"""
from __future__ import annotations

import dataclasses
import json
from typing import Iterable

from reader.jsonvalue import as_array, as_float, as_int, as_object, as_str
from reader.model import STATUS_ACCEPTED, STATUS_REJECTED, Annotation, Document, Paragraph
from reader.protocols import JSON, RejectedKey
from reader.store.base import Op
from reader.store.part import StoreCore, StorePart
from reader.store.storable import check_storable
from reader.text import text_sha256, utf8_size



def doc_to_record(doc: Document) -> dict[str, JSON]:
    return {
        "id": doc.id,
        "text": doc.text,
        "sha256": doc.sha256,
        "title": doc.title,
        "date": doc.date,
        "lang": doc.lang,
        "lang_confidence": doc.lang_confidence,
        "lang_source": doc.lang_source if doc.lang_source != "pending" else "import",
        "paragraphs": [[p.start, p.end, p.lang, p.confidence] for p in doc.paragraphs] if doc.paragraphs else None,
        "encoding": doc.encoding,
    }


def doc_from_record(value: JSON) -> Document:
    """An imported document from its record; ValueError naming the field when the record is not one."""
    rec = as_object(value, "an imported document's record")
    paragraphs = as_array(rec.get("paragraphs") or [], "its paragraphs")
    text = as_str(rec.get("text") or "", "its text")
    return Document(
        id=as_str(rec["id"], "its id"),
        text=text,
        sha256=as_str(rec.get("sha256") or text_sha256(text, "strict"), "its sha256"),
        path=None,
        title=as_str(rec.get("title") or "", "its title"),
        date=None if rec.get("date") is None else as_str(rec.get("date"), "its date"),
        size=utf8_size(text, "strict"),  # a lone surrogate is refused as before; never the bytes of a book-length text at once (issue 19)
        lang=as_str(rec.get("lang") or "unknown", "its language"),
        lang_confidence=as_float(rec.get("lang_confidence") or 0.0, "its language confidence"),
        lang_source=as_str(rec.get("lang_source") or "import", "its language source"),
        paragraphs=[_paragraph(p) for p in paragraphs] if paragraphs else None,
        imported=True,
        encoding=as_str(rec.get("encoding") or "utf-8", "its encoding"),
    )


def _paragraph(value: JSON) -> Paragraph:
    start, end, lang, confidence = as_array(value, "a paragraph")
    return Paragraph(as_int(start, "a paragraph's start"), as_int(end, "a paragraph's end"),
                     as_str(lang, "a paragraph's language"), as_float(confidence, "a paragraph's confidence"))


def _plain_json(value: JSON) -> JSON:
    """``value`` as JSON would give it back (tuples -> lists); TypeError when it is not JSON."""
    plain: JSON = json.loads(json.dumps(value))
    return plain


class WorkspaceTables(StorePart):
    """Getters and setters of the workspace tables (see the module docstring): a part
    the store owns; each public method holds the store's ``lock``."""

    def __init__(self, core: StoreCore) -> None:
        super().__init__(core)
        self._imported: dict[str, Document] = {}
        for doc_id, rec in core.image.meta["documents"].items():
            try:
                self._imported[doc_id] = doc_from_record(rec)
            except (KeyError, TypeError, ValueError):
                continue

    def _set(self, table: str, key: str, value: JSON) -> None:
        self._check_writable()
        check_storable(f"the {table} key", key)
        check_storable(f"the {table} value of {key!r}", value)
        rows = self._image.meta[table]
        if value is None:
            if key not in rows:
                return
            rows.pop(key, None)
            self._commit([["unmeta", table, key]])
        else:
            if rows.get(key) == value:
                return
            rows[key] = value
            self._commit([["meta", table, key, value]])

    # ----------------------------------------------------------------- imported documents

    def imported(self, doc_id: str) -> Document | None:
        return self._imported.get(doc_id)

    def imported_documents(self) -> list[Document]:
        with self._lock:
            return [dataclasses.replace(d) for d in self._imported.values()]

    def add_documents(self, docs: Iterable[Document]) -> int:
        """Keep documents (with their text) in the store, e.g. from an import. Durable."""
        docs = list(docs)
        with self._lock:
            self._check_writable()
            records = [doc_to_record(doc) for doc in docs]
            for n, rec in enumerate(records, 1):  # every one first: a bad one and nothing changes
                check_storable(f"document {n} ({rec['id']!r})", rec)
            ops: list[Op] = []
            for doc, rec in zip(docs, records):
                self._image.meta["documents"][doc.id] = rec
                self._imported[doc.id] = doc_from_record(rec)
                ops.append(["meta", "documents", doc.id, rec])
            if ops:
                self._commit(ops)
            return len(ops)

    # ----------------------------------------------------------------- languages

    def cached_language(self, sha256: str) -> dict[str, JSON] | None:
        with self._lock:
            value = self._image.meta["languages"].get(sha256)
            return dict(value) if isinstance(value, dict) else None

    def cache_languages(self, results: dict[str, dict[str, JSON]]) -> None:
        """Store language results by content hash: ``{sha256: {"lang", "confidence", "paragraphs"}}``."""
        with self._lock:
            if self._readonly():
                return  # a cache: skipping it loses nothing
            self._check_writable()
            table = self._image.meta["languages"]
            ops: list[Op] = []
            check_storable("the language results", results)
            for sha, result in results.items():
                value = _plain_json(result)
                if table.get(sha) != value:
                    table[sha] = value
                    ops.append(["meta", "languages", sha, value])
            if ops:
                self._commit(ops)

    def language_overrides(self) -> dict[str, str]:
        with self._lock:
            return {doc_id: lang for doc_id, lang in self._image.meta["overrides"].items() if isinstance(lang, str)}

    def set_language_override(self, doc_id: str, lang: str | None) -> None:
        with self._lock:
            self._set("overrides", doc_id, lang or None)

    # ----------------------------------------------------------------- progress and UI state

    def doc_status(self, doc_id: str) -> str:
        with self._lock:
            if self._image.meta["done"].get(doc_id):
                return "done"
            if any(a.status == STATUS_ACCEPTED for a in self._image.by_doc.get(doc_id, {}).values()):
                return "in progress"
            return "new"

    def set_done(self, doc_id: str, done: bool) -> None:
        with self._lock:
            self._set("done", doc_id, True if done else None)

    def get_state(self, key: str, default: JSON = None) -> JSON:
        with self._lock:
            return self._image.meta["state"].get(key, default)

    def set_state(self, key: str, value: JSON) -> None:
        """Durably remember a UI value (JSON-serialisable; None removes it)."""
        with self._lock:
            self._set("state", key, _plain_json(value) if value is not None else None)

    # ----------------------------------------------------------------- rejected spans

    def rejected_keys(self, doc_id: str) -> set[RejectedKey]:
        """Spans a user rejected in ``doc_id``: ``(start, end, label)`` tuples, and the
        same as ``(doc_id, start, end, label)`` (:attr:`Annotation.key`), so either
        form can be tested with ``in``. Covers suggestions updated to
        ``status="rejected"`` and suggestions that were deleted."""
        with self._lock:
            keys: set[RejectedKey] = set()
            for entry in _rejected(self._image.meta["rejected"].get(doc_id)):
                keys.add(entry)
            for ann in self._image.by_doc.get(doc_id, {}).values():
                if ann.status == STATUS_REJECTED:
                    keys.add((ann.start, ann.end, ann.label))
            return keys | {(doc_id, *k) for k in keys}

    def reject_op(self, ann: Annotation) -> Op:
        """Remember ``ann``'s span as rejected (in memory); the operation to commit."""
        table = self._image.meta["rejected"]
        found = table.get(ann.doc_id)
        keys: list[JSON] = list(found) if isinstance(found, list) else []
        entry: list[JSON] = [ann.start, ann.end, ann.label]
        if entry not in keys:
            keys.append(entry)
        table[ann.doc_id] = keys
        return ["meta", "rejected", ann.doc_id, keys]


def _rejected(value: JSON) -> list[tuple[int, int, str]]:
    """The ``(start, end, label)`` of each entry of a document's row of the table "rejected" (entries of
    another shape, which no version wrote, are passed over: the table only hides suggestions)."""
    out = []
    for entry in value if isinstance(value, list) else ():
        if isinstance(entry, list) and len(entry) >= 3:
            start, end, label = entry[:3]
            if isinstance(start, int) and isinstance(end, int) and isinstance(label, str):
                out.append((start, end, label))
    return out
