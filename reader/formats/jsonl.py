"""Our own JSONL format: one line per document, lossless.

Each line is::

    {"id", "path", "lang", "title", "date", "text",
     "spans": [{"id", "start", "end", "label", "text", "note", "annotator",
                "status", "created", "updated"}],
     "sha256", "lang_confidence", "imported"}

The first keys are the documented shape; the others (span ``status``,
``created``/``updated``, the document's ``sha256``) make the round trip
export -> import -> export lossless. Offsets are code points into ``text``.

This module also holds small helpers shared by the JSON-based formats:
:func:`parse_json_line`, :func:`json_records` and the ``field`` checkers,
which turn every malformed value into a message instead of an exception.
"""
from __future__ import annotations

import json
from pathlib import Path
from collections.abc import Mapping
from typing import IO, Any, Iterable, Iterator, Literal, overload

from reader.formats import base as _base
from reader.formats.base import (ExportContext, Format, ImportItem, ImportNote, ImportProblem, SpanRecord, decode_text_line,
                                 iter_raw_lines, read_again, register, text_stream)
from reader.model import STATUSES, Annotation, Document


class BadRecord(ValueError):
    """A record (or one of its fields) has the wrong shape; the message says how."""


# --- helpers shared by the JSON formats -----------------------------------

#: where each JSON format keeps a record's spans, and the ``--format`` that reads them there. A record of one
#: format read as another kept its text and lost its spans without a word (a JSONL file imported with
#: ``--format labelstudio`` made documents without a span, exit 0)
SPAN_KEYS = {"spans": "jsonl", "label": "doccano", "labels": "doccano", "entities": "doccano",
             "annotations": "labelstudio", "predictions": "labelstudio", "completions": "labelstudio"}


def refuse_foreign_spans(obj: dict[str, Any], reads: tuple[str, ...], fmt: str) -> None:
    """Raise :class:`BadRecord` when ``obj`` holds spans under a key that ``fmt`` does not read (``reads``):
    the record is another format's, and importing it would keep its text and lose its spans."""
    for key, owner in SPAN_KEYS.items():
        value = obj.get(key)
        # spans are objects or [start, end, label] lists; a list of strings is document categories (kept as is)
        if key not in reads and isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value):
            also = " or prodigy" if owner == "jsonl" else ""
            raise BadRecord(f"{key!r} holds spans, which the {fmt} format does not read (it is the {owner}{also} "
                            f"form): the record was not imported; import the file with --format {owner}")


_LINE_BREAKERS = {"\u2028": "\\u2028", "\u2029": "\\u2029", "\x85": "\\u0085"}


def dumps(obj: Any) -> str:
    """One JSON line: UTF-8, no NaN, compact.

    U+2028, U+2029 and U+0085 are escaped: they are legal inside JSON strings,
    but ``str.splitlines()`` (and some JSONL readers) break lines on them.
    """
    out = json.dumps(obj, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    for ch, esc in _LINE_BREAKERS.items():
        if ch in out:
            out = out.replace(ch, esc)
    return out


def _reject_constant(name: str) -> Any:
    raise BadRecord(f"{name} is not valid JSON")


def parse_json_line(text: str) -> Any:
    """``json.loads`` that raises only :class:`BadRecord` (deep nesting, huge numbers, NaN...)."""
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except BadRecord:
        raise
    except json.JSONDecodeError as exc:
        raise BadRecord(f"malformed JSON: {exc.msg} (column {exc.colno})") from None
    except RecursionError:
        raise BadRecord("malformed JSON: nested too deeply") from None
    except ValueError as exc:  # e.g. integers with too many digits
        raise BadRecord(f"malformed JSON: {exc}") from None


def json_records(path: Path, fmt_name: str) -> Iterator[tuple[int, Any] | ImportProblem]:
    """Stream ``(line_no, object)`` from a JSONL file, or an :class:`ImportProblem` per bad line.

    A file whose first non-blank character is ``[`` is read as one JSON array
    (some tools export a list instead of lines), streamed; records are then numbered 1, 2...
    """
    source = path.name
    with open(path, "rb") as opened:  # once: a pipe (standard input, a FIFO) cannot be opened again
        head = _head(opened)
        first = _first_char(head)
        fh = read_again(opened, head)  # a pipe has its head given back, a file seeks to its start
        del head
        if first == "[":
            yield from _json_array_records(fh, source)
        else:
            yield from _line_records(fh, source, fmt_name)


def _line_records(fh: IO[bytes], source: str, fmt_name: str) -> Iterator[tuple[int, Any] | ImportProblem]:
    """:func:`json_records` of a JSON Lines file."""
    for line_no, raw, problem in iter_raw_lines(fh, LINE_LIMIT or _base.MAX_LINE_BYTES):
        if raw is None:
            yield ImportProblem(line_no, problem or "unreadable line", source)
            continue
        holder = [raw]
        del raw  # neither the line's bytes nor its text are kept while its record is imported
        try:
            obj = _parse_line(holder) if len(holder[0]) > LONG_LINE else _parse_text(holder.pop())
        except BadRecord as exc:
            yield ImportProblem(line_no, str(exc), source)
            continue
        if obj is _BLANK:
            continue
        if not isinstance(obj, dict):
            yield ImportProblem(line_no, f"expected a JSON object for a {fmt_name} record, got {type_name(obj)}", source)
            continue
        yield line_no, obj


#: lines of more bytes than this are parsed without a ``str`` of the whole line (reader.formats.longline)
LONG_LINE = 1 << 20
_BLANK = object()  # a line of only whitespace


def _parse_text(raw: bytes) -> Any:
    """The record of a line's bytes (``_BLANK`` for a blank line); BadRecord for a bad one."""
    text, problem = decode_text_line(raw)
    del raw
    if problem is not None:
        raise BadRecord(problem)
    return _BLANK if text is None else parse_json_line(text)


def _parse_line(holder: list[bytes]) -> Any:
    """:func:`_parse_text` of a long line, whose long strings are decoded a piece at a time when
    they can be (the caller holds the line only in ``holder``: it is let go as soon as it can be)."""
    from reader.formats.longline import parse_long_line

    obj = parse_long_line(holder, parse_json_line)
    return _parse_text(holder.pop()) if obj is None else obj


# Longest accepted line (or array record); None means base.MAX_LINE_BYTES (tests lower it).
LINE_LIMIT: int | None = None


def _head(fh: IO[bytes]) -> bytes:
    """The first bytes of a file: 4 KiB, or up to 1 MiB while they are only whitespace."""
    head = fh.read(4096)
    while head.isspace() and len(head) < 1 << 20:
        more = fh.read(4096)
        if not more:
            break
        head += more
    return head


def _first_char(head: bytes) -> str:
    """The first character of a file after its BOM and whitespace, from its :func:`_head` ("" when it is not ASCII)."""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    stripped = head.lstrip()
    return chr(stripped[0]) if stripped and stripped[0] < 0x80 else ""


def _json_array_records(fh: IO[bytes], source: str) -> Iterator[tuple[int, Any] | ImportProblem]:
    """The records of a JSON array file, streamed (memory bounded by the largest record)."""
    from reader.formats.jsonstream import read_json_array

    try:
        for number, value, problem in read_json_array(fh, what="record", max_item_bytes=LINE_LIMIT or _base.MAX_LINE_BYTES):
            if problem is not None:
                yield ImportProblem(number, problem, source)
                continue
            if not isinstance(value, dict):
                yield ImportProblem(number, f"record {number}: expected a JSON object, got {type_name(value)}", source)
                continue
            yield number, value
    except RecursionError:
        yield ImportProblem(0, "malformed JSON: nested too deeply; import stopped", source)
    except ValueError as exc:  # e.g. integers with too many digits
        yield ImportProblem(0, f"malformed JSON: {exc}; import stopped", source)


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "a number"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


@overload
def get_str(obj: dict[str, Any], key: str, *, required: Literal[True], default: str | None = None, where: str = "") -> str: ...
@overload
def get_str(obj: dict[str, Any], key: str, *, required: bool = False, default: str | None = None, where: str = "") -> str | None: ...
def get_str(obj: dict[str, Any], key: str, *, required: bool = False, default: str | None = None, where: str = "") -> str | None:
    value = obj.get(key)
    if value is None:
        if required:
            raise BadRecord(f"{where}missing {key!r}")
        return default
    if not isinstance(value, str):
        raise BadRecord(f"{where}{key!r} must be a string, got {type_name(value)}")
    return value


def get_id(obj: dict[str, Any], key: str = "id", where: str = "") -> str | None:
    """Ids may be strings or integers (doccano numbers its examples)."""
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise BadRecord(f"{where}{key!r} must be a string or an integer, got {type_name(value)}")
    value = str(value)
    if not value.strip():
        return None
    if len(value) > 1000:
        raise BadRecord(f"{where}{key!r} is longer than 1000 characters")
    return value


def get_int(obj: Any, key: str | int, where: str = "") -> int:
    try:
        value = obj[key]
    except (KeyError, IndexError):
        raise BadRecord(f"{where}missing {key!r}") from None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRecord(f"{where}{key!r} must be an integer, got {type_name(value)}")
    return value


def get_status(obj: dict[str, Any], where: str = "") -> str:
    status = get_str(obj, "status", default="accepted", where=where)
    if status not in STATUSES:
        raise BadRecord(f"{where}unknown status {status!r} (expected one of {', '.join(STATUSES)})")
    return status


def check_label(value: Any, where: str = "") -> str:
    if not isinstance(value, str):
        raise BadRecord(f"{where}label must be a string, got {type_name(value)}")
    if not value.strip():
        raise BadRecord(f"{where}label is empty")
    return value


def doc_fields(doc: Document) -> dict[str, Any]:
    """The document metadata every JSON format writes."""
    return {
        "id": doc.id,
        "path": doc.path.as_posix() if isinstance(doc.path, Path) else (str(doc.path) if doc.path else None),
        "lang": doc.lang,
        "title": doc.title,
        "date": doc.date,
    }


def span_extras(ann: Annotation) -> dict[str, Any]:
    return {
        "id": ann.id,
        "note": ann.note,
        "annotator": ann.annotator,
        "status": ann.status,
        "created": ann.created,
        "updated": ann.updated,
        **amount_fields(ann),
    }


def amount_fields(ann: Annotation) -> dict[str, Any]:
    """``value`` (a salary's normalised amount), ``score`` and ``reason`` (a suggestion's),
    ``suggested_by`` (who suggested an accepted span), each only when the annotation has one. A salary from an older store that has no
    value yet gets what its text parses to."""
    from reader.labels import annotation_value

    out: dict[str, Any] = {}
    value = ann.value if ann.value is not None else annotation_value(ann.label, ann.text)
    if value is not None:
        out["value"] = value
    if ann.score is not None:
        out["score"] = ann.score
    if ann.reason:
        out["reason"] = ann.reason
    if ann.suggested_by:
        out["suggested_by"] = ann.suggested_by
    return out


def read_amount_fields(obj: Any) -> dict[str, Any]:
    """The :func:`amount_fields` of ``obj`` for a :class:`SpanRecord` (lenient: the
    store checks the value again and recomputes it from the text when it is bad)."""
    if not isinstance(obj, dict):
        return {}
    out: dict[str, Any] = {}
    if isinstance(obj.get("value"), dict):
        out["value"] = obj["value"]
    score = obj.get("score")
    if isinstance(score, (int, float)) and not isinstance(score, bool):
        out["score"] = float(score)
    if isinstance(obj.get("reason"), str):
        out["reason"] = obj["reason"]
    if isinstance(obj.get("suggested_by"), str):
        out["suggested_by"] = obj["suggested_by"]
    return out


def span_from_obj(obj: Any, where: str, start: int, end: int, label: str, text: str | None = None) -> SpanRecord:
    """A SpanRecord with the optional lossless fields (id, note, annotator, status, times) of ``obj``."""
    if not isinstance(obj, dict):
        obj = {}
    note = get_str(obj, "note", default="", where=where) or ""
    return SpanRecord(
        start=start,
        end=end,
        label=label,
        text=text,
        note=note,
        annotator=get_str(obj, "annotator", where=where),
        status=get_status(obj, where),
        id=get_id(obj, "id", where),
        created=get_str(obj, "created", where=where),
        updated=get_str(obj, "updated", where=where),
        **read_amount_fields(obj),
    )


def item_meta(obj: dict[str, Any], where: str = "", *, strict: bool = True) -> dict[str, str]:
    """Title, language, date, path and sha256 of a record (top level or under ``meta``).

    ``strict=False`` (other tools' files) ignores values of the wrong type
    instead of rejecting the record: they are metadata, not annotations.
    """
    out: dict[str, str] = {}
    for key in ("title", "lang", "date", "sha256", "path"):
        value = obj.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            if strict:
                raise BadRecord(f"{where}{key!r} must be a string, got {type_name(value)}")
            continue
        out[key] = value
    return out


# --- the format ---------------------------------------------------------------


def parse_links(raw: Any, where: str) -> list[dict[str, Any]]:
    """A span's ``links`` (jsonl): objects with string ``id`` and ``to``; others are refused."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise BadRecord(f"{where}'links' must be an array, got {type_name(raw)}")
    out = []
    for k, rec in enumerate(raw, 1):
        if not isinstance(rec, dict) or not isinstance(rec.get("id"), str) or not isinstance(rec.get("to"), str):
            raise BadRecord(f"{where}link {k}: needs string fields 'id' and 'to'")
        status = rec.get("status", "accepted")
        if status not in ("accepted", "suggested", "rejected"):
            raise BadRecord(f"{where}link {k}: status must be accepted, suggested or rejected")
        out.append({"id": rec["id"], "to": rec["to"], "status": status,
                    **{key: str(rec[key]) for key in ("annotator", "created", "source") if isinstance(rec.get(key), str)}})
    return out


def parse_span_objects(spans_raw: list[Any], line: int, source: str) -> tuple[list[SpanRecord], list[ImportProblem]]:
    """Span objects ``{"start", "end", "label", "text"?, ...}`` of one record; bad ones become problems."""
    spans: list[SpanRecord] = []
    problems: list[ImportProblem] = []
    for i, s in enumerate(spans_raw, 1):
        where = f"span {i}: "
        try:
            if not isinstance(s, dict):
                raise BadRecord(f"{where}expected an object, got {type_name(s)}")
            span = span_from_obj(
                s,
                where,
                get_int(s, "start", where),
                get_int(s, "end", where),
                check_label(s.get("label"), where),
                get_str(s, "text", where=where),
            )
            span.links = parse_links(s.get("links"), where)
            spans.append(span)
        except BadRecord as exc:
            problems.append(ImportProblem(line, str(exc), source))
    return spans, problems


def make_item(line: int, text: str, doc_id: str | None, meta: dict[str, str], spans: list[SpanRecord], source: str) -> ImportItem:
    """An :class:`ImportItem` from a record's text, id and :func:`item_meta` fields."""
    return ImportItem(
        line=line,
        text=text,
        doc_id=doc_id,
        sha256=meta.get("sha256"),
        title=meta.get("title", ""),
        lang=meta.get("lang"),
        meta={k: v for k, v in meta.items() if k in ("date", "path")},
        spans=spans,
        source=source,
    )

class JsonLinesFormat(Format):
    """A JSON Lines format with one record per document.

    Subclasses convert one record each way (:meth:`to_record`,
    :meth:`from_record`); writing, streaming the file and passing on
    unreadable lines as problems happen here, once.
    """

    extension = ".jsonl"
    kind = "jsonl"

    def to_record(self, doc: Document, anns: list[Annotation],
                  links: Mapping[str, list[dict[str, Any]]] | None = None) -> dict[str, Any]:
        """One record; ``links`` (annotation id -> its links) for formats that keep them."""
        raise NotImplementedError

    def from_record(self, obj: Any, line: int, source: str) -> Iterator[ImportItem | ImportProblem | ImportNote]:
        raise NotImplementedError

    def write(self, items: Iterable[tuple[Document, list[Annotation]]], out: IO[str] | Path,
              ctx: ExportContext | None = None) -> int:
        out = text_stream(self, out)
        links = ctx.links if ctx is not None else {}
        n = 0
        for doc, anns in items:
            out.write(dumps(self.to_record(doc, anns, links)))
            out.write("\n")
            n += len(anns)
        return n

    def read(self, path: Path) -> Iterator[ImportItem | ImportProblem | ImportNote]:
        source = path.name
        for rec in json_records(path, self.name):
            if isinstance(rec, ImportProblem):
                yield rec
            else:
                line, obj = rec
                yield from self.from_record(obj, line, source)


@register
class JsonlFormat(JsonLinesFormat):
    name = "jsonl"
    description = "our JSONL: one document per line with its spans (lossless)"

    def to_record(self, doc: Document, anns: list[Annotation],
                  links: Mapping[str, list[dict[str, Any]]] | None = None) -> dict[str, Any]:
        links = links or {}
        record = doc_fields(doc)
        record["text"] = doc.text
        record["spans"] = [
            {
                "id": a.id,
                "start": a.start,
                "end": a.end,
                "label": a.label,
                "text": a.text,
                "note": a.note,
                "annotator": a.annotator,
                "status": a.status,
                "created": a.created,
                "updated": a.updated,
                **({"links": links[a.id]} if a.id in links else {}),
                **amount_fields(a),
            }
            for a in anns
        ]
        record["sha256"] = doc.sha256
        record["lang_confidence"] = doc.lang_confidence
        record["imported"] = doc.imported
        return record

    def from_record(self, obj: Any, line: int, source: str) -> Iterator[ImportItem | ImportProblem]:
        try:
            text = get_str(obj, "text", required=True)
            refuse_foreign_spans(obj, ("spans",), self.name)
            meta = item_meta(obj)
            doc_id = get_id(obj, "id")
            spans_raw = obj.get("spans", [])
            if spans_raw is None:
                spans_raw = []
            if not isinstance(spans_raw, list):
                raise BadRecord(f"'spans' must be an array, got {type_name(spans_raw)}")
        except BadRecord as exc:
            yield ImportProblem(line, str(exc), source)
            return
        spans, problems = parse_span_objects(spans_raw, line, source)
        yield from problems
        yield make_item(line, text, doc_id, meta, spans, source)
