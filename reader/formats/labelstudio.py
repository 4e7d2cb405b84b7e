"""Label Studio task JSON, export and import.

Export: one JSON array of tasks, one task per document::

    {"id": 1,
     "data": {"text": "...", "doc_id": "...", "title": "...", "lang": "it", "sha256": "...", "offset_unit": "codepoint"},
     "annotations": [{"id": 1, "result": [REGION, ...], ...}],
     "predictions": [{"model_version": "suggest:salary", "result": [REGION, ...]}]}

    REGION = {"id": "<annotation id>", "from_name": "label", "to_name": "text", "type": "labels",
              "value": {"start": 3, "end": 9, "text": "...", "labels": ["salary"]},
              "meta": {"text": ["the note"], "annotator": "alice"}}

Offsets. Label Studio's labelling page (1.23.2, checked in headless Chromium
by ``make interop``) counts ``start``/``end`` in **code points**, as we do: a
region stored at UTF-16 offsets is drawn one character further left for every
emoji before it, and a region drawn on the page after an emoji is stored at
code points. So by default offsets are written and read as code points.
``LabelStudioFormat(offsets="utf16")`` (CLI: ``--offsets utf16``) writes and
reads UTF-16 code units instead (JavaScript's ``String.slice``, what older
exports of ours wrote), converted with :mod:`reader.formats.offsets`. Each
task records its unit in ``data.offset_unit`` (Label Studio keeps it as a data
column), and import honours that key over the option. A region whose
``value.text`` does not match at its unit but does at the other one (files
from tools that count the other way) is read at the unit its text proves.
Accepted annotations go under ``annotations``, one entry per annotator;
suggestions go under ``predictions``. A region's note is Label Studio's
per-region ``meta.text``; per-region ``TextArea`` results that share the
region's id are read as notes too. The annotator is written in the region's
free ``meta`` (``meta.annotator``), never in ``completed_by``: Label Studio
refuses a whole import whose ``completed_by`` email names no user of its own
("Unknown annotator's email"). On import ``meta.annotator`` wins over
``completed_by`` (a Label Studio user id or object).

Label Studio's plain JSON export may list predictions by id only
(``"predictions": [1, 2]``); those have nothing to import, are skipped, and
the import says how many in a note (not a problem: the exit status stays 0).

Import streams the array task by task (:mod:`reader.formats.jsonstream`), so a
huge export never sits in memory whole. It also reads Label Studio's
``JSON_MIN`` export (``{"text": ..., "label": [{"start", "end", "text", "labels"}]}``).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Callable, Iterable, Iterator

from reader.errors import FormatError
from reader.formats.base import ExportContext, Format, ImportItem, ImportNote, ImportProblem, SpanRecord, register, text_or_empty, text_stream
from reader.formats.jsonl import BadRecord, amount_fields, read_amount_fields, refuse_foreign_spans
from reader.formats.jsonstream import iter_json_array
from reader.formats.offsets import OffsetConversionError, Utf16Map
from reader.model import STATUS_SUGGESTED, Annotation, Document

FROM_NAME = "label"
TO_NAME = "text"
_DATA_KEYS = {"text", "doc_id", "title", "lang", "sha256", "date", "offset_unit"}
OFFSET_UNITS = ("codepoint", "utf16")
DEFAULT_OFFSETS = "codepoint"
_UNIT_NAMES = {"codepoint": "code points", "utf16": "UTF-16"}


def _annotator_from(value: Any) -> str | None:
    """Label Studio writes ``completed_by`` as a user id, or a user object in exports."""
    if value is None or value == "":
        return None
    if isinstance(value, dict):
        for key in ("email", "username"):
            if value.get(key):
                return str(value[key])
        name = " ".join(str(value[k]) for k in ("first_name", "last_name") if value.get(k))
        if name:
            return name
        if value.get("id") is not None:
            return f"labelstudio-user-{value['id']}"
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return f"labelstudio-user-{value}"
    return str(value)


def _region(ann: Annotation, conv: Callable[[int], int], origin: str) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    if ann.note:
        meta["text"] = [ann.note]
    if ann.annotator:
        meta["annotator"] = ann.annotator
    meta.update(amount_fields(ann))  # a salary's normalised value, a suggestion's score and reason
    region: dict[str, Any] = {
        "id": ann.id,
        "from_name": FROM_NAME,
        "to_name": TO_NAME,
        "type": "labels",
        "origin": origin,
        "value": {
            "start": conv(ann.start),
            "end": conv(ann.end),
            "text": ann.text,
            "labels": [ann.label],
        },
    }
    if meta:
        region["meta"] = meta
    return region


def _same(offset: int) -> int:
    return offset


def task_for(doc: Document, anns: list[Annotation], task_id: int, offsets: str = DEFAULT_OFFSETS) -> dict[str, Any]:
    """The Label Studio task of one document, its offsets in ``offsets`` ("codepoint" or "utf16")."""
    conv = Utf16Map(doc.text).to_utf16 if offsets == "utf16" else _same
    data: dict[str, Any] = {"text": doc.text, "doc_id": doc.id, "title": doc.title, "lang": doc.lang, "sha256": doc.sha256}
    if doc.date:
        data["date"] = doc.date
    data["offset_unit"] = offsets
    accepted: dict[str, list[Annotation]] = {}
    suggested: dict[tuple[str, str], list[Annotation]] = {}
    for ann in anns:
        if ann.status == STATUS_SUGGESTED:
            suggested.setdefault((ann.source or "reader", ann.annotator or ""), []).append(ann)
        else:
            accepted.setdefault(ann.annotator or "", []).append(ann)
    annotations = []
    for number, (annotator, group) in enumerate(accepted.items(), 1):
        entry: dict[str, Any] = {
            "id": number,
            "result": [_region(a, conv, "manual") for a in group],
            "was_cancelled": False,
            "ground_truth": False,
            "created_at": min(a.created for a in group),
            "updated_at": max(a.updated for a in group),
            "task": task_id,
        }
        annotations.append(entry)
    predictions = []
    for (source, annotator), group in suggested.items():
        predictions.append({"model_version": source, "result": [_region(a, conv, "prediction") for a in group], "task": task_id})
    return {"id": task_id, "data": data, "annotations": annotations, "predictions": predictions}


def _task_text(data: dict[str, Any]) -> tuple[str | None, str]:
    """Find the text of a task: ``data.text``, else the only string field."""
    text = data.get("text")
    if isinstance(text, str):
        return text, "text"
    strings = [(k, v) for k, v in data.items() if isinstance(v, str) and k not in _DATA_KEYS]
    if len(strings) == 1:
        return strings[0][1], strings[0][0]
    return None, ""


def _annotator_from_meta(meta: Any) -> str | None:
    annotator = meta.get("annotator") if isinstance(meta, dict) else None
    return annotator if isinstance(annotator, str) and annotator else None


def _note_from_meta(meta: Any) -> str:
    if not isinstance(meta, dict):
        return ""
    text = meta.get("text")
    if isinstance(text, list):
        return "\n".join(str(t) for t in text if t is not None)
    if isinstance(text, str):
        return text
    return ""


@dataclass
class IdOnlyPredictions:
    """``parse_task`` found predictions listed by id only (nothing to import); :meth:`LabelStudioFormat.read` sums them into one note."""

    count: int


class _Locator:
    """Region offsets of one task's text -> code points, in the task's unit or, when value.text proves it, the other."""

    def __init__(self, text: str, unit: str):
        self.text = text
        self.unit = unit
        self.umap = Utf16Map(text)

    def _convert(self, start: int, end: int, unit: str) -> tuple[int, int]:
        if unit == "utf16":
            return self.umap.to_cp(start), self.umap.to_cp(end)
        for offset in (start, end):
            if not 0 <= offset <= len(self.text):
                raise OffsetConversionError(f"offset {offset} is outside the text (0-{len(self.text)} code points)")
        return start, end

    def locate(self, start: int, end: int, expected: Any) -> tuple[int, int] | str:
        """(start, end) in code points, or the reason they cannot be read."""
        try:
            cs, ce = self._convert(start, end, self.unit)
        except OffsetConversionError as exc:
            found, reason = None, str(exc)
        else:
            if not isinstance(expected, str) or self.text[cs:ce] == expected:
                return cs, ce
            found, reason = (cs, ce), ""
        if isinstance(expected, str) and not self.umap.is_bmp:
            other = "utf16" if self.unit == "codepoint" else "codepoint"
            try:
                os_, oe = self._convert(start, end, other)
            except OffsetConversionError:
                pass
            else:
                if self.text[os_:oe] == expected:
                    return os_, oe
        if found is None:
            return reason
        held = self.text[found[0]:found[1]]
        return (f"value.text {str(expected)[:60]!r} does not match the task text at "
                f"{_UNIT_NAMES[self.unit]} {start}-{end}, which holds {held[:60]!r}")


def parse_task(task: Any, number: int, source: str = "", offsets: str = DEFAULT_OFFSETS) -> Iterator[ImportItem | ImportProblem | IdOnlyPredictions]:
    """Turn one Label Studio task (a parsed JSON value) into an ImportItem and problems.

    Offsets are read in ``data.offset_unit`` when the task names one, else in ``offsets``.
    """

    def problem(reason: str) -> ImportProblem:
        return ImportProblem(number, f"task {number}{tid}: {reason}", source)

    tid = ""
    if not isinstance(task, dict):
        yield ImportProblem(number, f"task {number}: expected a JSON object, found {type(task).__name__}", source)
        return
    if task.get("id") is not None:
        tid = f" (id {task['id']!r})"
    minimal = "annotations" not in task and "predictions" not in task and "completions" not in task and "data" not in task
    try:  # a JSONL, Prodigy or doccano record read as a task: its spans would be lost
        refuse_foreign_spans(task, ("annotations", "predictions", "completions") + (("label", "labels") if minimal else ()),
                             "labelstudio")
    except BadRecord as exc:
        yield problem(str(exc))
        return
    for key in ("label", "labels") if minimal else ():
        if isinstance(task.get(key), list) and any(isinstance(r, list) for r in task[key]):
            yield problem(f"{key!r} holds [start, end, label] lists (the doccano form), which the labelstudio format "
                          "does not read: the record was not imported; import the file with --format doccano")
            return
    data = task.get("data", task) if not minimal else task
    if not isinstance(data, dict):
        yield problem("'data' is not an object")
        return
    text, text_key = _task_text(data)
    if text is None:
        yield problem("no text: expected data.text (or a single text field in data)")
        return
    unit = data.get("offset_unit", offsets)
    if unit not in OFFSET_UNITS:
        yield problem(f"unknown data.offset_unit {unit!r} (expected codepoint or utf16)")
        return
    locator = _Locator(text, unit)
    meta: dict[str, Any] = {}
    if task.get("id") is not None:
        meta["labelstudio_id"] = task["id"]
    for key, value in data.items():
        if key not in _DATA_KEYS and key != text_key:
            meta[key] = value
    item = ImportItem(
        line=number,
        text=text,
        doc_id=data.get("doc_id") if isinstance(data.get("doc_id"), str) and data.get("doc_id") else None,
        sha256=data.get("sha256") if isinstance(data.get("sha256"), str) else None,
        title=text_or_empty(data.get("title")),
        lang=data.get("lang") if isinstance(data.get("lang"), str) else None,
        meta=meta,
        source=source,
    )

    groups: list[tuple[list[Any], str, str | None]] = []  # (results, status, annotator)
    if minimal:
        results = []
        for key in ("label", "labels"):
            if isinstance(task.get(key), list):
                for r in task[key]:
                    if isinstance(r, dict):
                        results.append({"type": "labels", "value": r, "id": r.get("id")})
        groups.append((results, "accepted", _annotator_from(task.get("annotator"))))
    else:
        for key, status in (("annotations", "accepted"), ("completions", "accepted"), ("predictions", STATUS_SUGGESTED)):
            entries = task.get(key) or []
            if not isinstance(entries, list):
                yield problem(f"'{key}' is not a list")
                continue
            id_only = 0
            for entry in entries:
                if key == "predictions" and isinstance(entry, int) and not isinstance(entry, bool):
                    id_only += 1  # Label Studio's JSON export lists predictions by id
                    continue
                if not isinstance(entry, dict):
                    yield problem(f"an entry of '{key}' is not an object")
                    continue
                if entry.get("was_cancelled"):
                    continue
                results = entry.get("result") or []
                if not isinstance(results, list):
                    yield problem(f"'result' of an entry of '{key}' is not a list")
                    continue
                groups.append((results, status, _annotator_from(entry.get("completed_by"))))
            if id_only:
                yield IdOnlyPredictions(id_only)

    seen_ids: set[str] = set()
    ignored_types: set[str] = set()
    for results, status, annotator in groups:
        # per-region TextArea results carry the region's notes under the same id
        notes: dict[str, list[str]] = {}
        for r in results:
            if isinstance(r, dict) and r.get("type") == "textarea" and r.get("id") is not None:
                value = r.get("value") or {}
                if isinstance(value, dict) and "start" in value:
                    texts = value.get("text")
                    if isinstance(texts, str):
                        texts = [texts]
                    notes.setdefault(str(r["id"]), []).extend(str(t) for t in texts or [])
        for index, r in enumerate(results, 1):
            if not isinstance(r, dict):
                yield problem(f"result {index} is not an object")
                continue
            value = r.get("value")
            rtype = r.get("type") or ""
            if rtype == "textarea":
                continue
            if not isinstance(value, dict) or "labels" not in value:
                if rtype:
                    ignored_types.add(rtype)
                else:
                    yield problem(f"result {index} has no value.labels")
                continue
            rid = str(r["id"]) if r.get("id") is not None else None
            where = f"region {rid}" if rid else f"result {index}"
            start, end, labels = value.get("start"), value.get("end"), value.get("labels")
            if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool) or isinstance(end, bool):
                yield problem(f"{where}: start/end must be integers (got {start!r}, {end!r})")
                continue
            if isinstance(labels, str):
                labels = [labels]
            if not isinstance(labels, list) or not labels or not all(isinstance(x, str) and x for x in labels):
                yield problem(f"{where}: value.labels must be a non-empty list of label names")
                continue
            if end < start:
                yield problem(f"{where}: end {end} is before start {start}")
                continue
            located = locator.locate(start, end, value.get("text"))
            if isinstance(located, str):
                yield problem(f"{where}: {located}")
                continue
            cs, ce = located
            note = _note_from_meta(r.get("meta"))
            who = _annotator_from_meta(r.get("meta")) or annotator
            extra = notes.get(rid or "", [])
            if extra:
                note = "\n".join([n for n in [note] if n] + extra)
            for k, label in enumerate(labels):
                span_id = rid if len(labels) == 1 else (f"{rid}-{k + 1}" if rid else None)
                if span_id is not None:
                    if span_id in seen_ids:
                        span_id = None  # Label Studio repeats region ids between predictions and annotations
                    else:
                        seen_ids.add(span_id)
                item.spans.append(
                    SpanRecord(start=cs, end=ce, label=label, text=text[cs:ce], note=note, annotator=who, status=status,
                               id=span_id, **read_amount_fields(r.get("meta")))
                )
    for rtype in sorted(ignored_types):
        yield problem(f"results of type {rtype!r} were skipped (only span labels are imported)")
    yield item


@register
class LabelStudioFormat(Format):
    name = "labelstudio"
    description = "Label Studio task JSON (code point offsets, as its labelling page counts; --offsets utf16 for UTF-16 units; notes as region meta)"
    extension = ".json"
    kind = "json"

    def __init__(self, offsets: str = DEFAULT_OFFSETS):
        if offsets not in OFFSET_UNITS:
            raise FormatError(f"labelstudio: unknown offset unit {offsets!r}; choose codepoint or utf16")
        self.offsets: str = offsets  # Label Studio always has a unit

    def with_options(self, *, offsets: str | None = None) -> "LabelStudioFormat":
        return LabelStudioFormat(offsets=offsets or self.offsets)

    def write(self, items: Iterable[tuple[Document, list[Annotation]]], out: IO[str] | Path,
              ctx: ExportContext | None = None) -> int:
        out = text_stream(self, out)
        written = 0
        out.write("[")
        for task_id, (doc, anns) in enumerate(items, 1):
            task = task_for(doc, anns, task_id, self.offsets)
            out.write("\n" if task_id == 1 else ",\n")
            out.write(json.dumps(task, ensure_ascii=False))
            written += len(anns)
        out.write("\n]\n")
        return written

    def read(self, path: Path) -> Iterator[ImportItem | ImportProblem | ImportNote]:
        source = Path(path).name
        id_only = tasks_with_id_only = 0
        for number, value, problem in iter_json_array(Path(path), what="task"):
            if problem:
                yield ImportProblem(number, problem, source)
                continue
            for rec in parse_task(value, number, source, self.offsets):
                if isinstance(rec, IdOnlyPredictions):
                    id_only += rec.count
                    tasks_with_id_only += 1
                else:
                    yield rec
        if id_only:
            yield ImportNote(
                f"{id_only} prediction(s) in {tasks_with_id_only} task(s) are listed by id only "
                "(Label Studio's JSON export without prediction bodies); skipped",
                source,
            )
