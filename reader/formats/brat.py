"""brat standoff: a folder with ``<doc>.txt`` and ``<doc>.ann`` per document.

Export layout::

    out/
      annotation.conf          entity types and attributes, so brat opens the folder as a collection
      reader-brat.json         manifest: file stem -> document id, sha256, title, lang; ids of the T lines
      001_228d26dd8dd40e62.txt the canonical text (UTF-8, LF line endings)
      001_228d26dd8dd40e62.ann

``.ann`` lines::

    T1<TAB>salary 10 18<TAB>$300,000
    T2<TAB>quote 40 52;53 70<TAB>first line second line     (crosses a newline: one fragment per line)
    #1<TAB>AnnotatorNotes T1<TAB>gross, not net
    A1<TAB>Annotator T1 alice
    A2<TAB>Suggested T2

brat offsets are Python code points, like ours. brat cannot show a span that
crosses a line break, so such a span is written as a discontinuous span split
at the newlines, and its text field joins the fragments with a space, as brat
does. Import rebuilds a discontinuous span into one span (first start to last
end) when the gaps between its fragments are only line breaks; other
discontinuous spans are reported by file and line.

No fragment is ever empty (brat's own reader and ours refuse ``28 28``): a
span that starts or ends with a line break loses that line break in the
``.ann``, and the manifest's record of the span (same label, covering the
fragments, with only line breaks beyond them) gives the exact ends back on
import. A span made only of line breaks has no fragment at all: it is left
out of the ``.ann``, kept in the manifest (``unwritten``), restored by our
import, and the export says how many there were.

``annotation.conf`` declares ``<OVERLAP> Arg1:<ENTITY>, Arg2:<ENTITY>,
<OVL-TYPE>:<ANY>`` under ``[relations]`` (brat 1.3's overlap rule), so brat's
checker accepts the nested, equal and crossing spans we export.

brat type names cannot contain spaces, so labels are escaped reversibly with
``%XX`` (UTF-8 percent-encoding) for whitespace, ``%`` and the characters that
brat's configuration syntax reserves. Document ids may contain ``/``: file names
are flattened to safe names, and the manifest maps them back to ids. Notes
(single-line in brat) escape ``\\``, newline and tab with backslashes when the
manifest says so; a folder from another brat tool is read literally.
"""
from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
from pathlib import Path
from typing import IO, Any, Iterable, Iterator
from urllib.parse import quote, unquote

from reader.errors import FormatError
from reader.formats.base import ExportContext, Format, ImportItem, ImportProblem, SpanRecord, is_pipe, iter_lines, register, text_or_empty
from reader.formats.jsonl import amount_fields, read_amount_fields
from reader.model import STATUS_SUGGESTED, Annotation, Document

MANIFEST = "reader-brat.json"
MANIFEST_FORMAT = "reader-brat"
MANIFEST_VERSION = 1
ANNOTATOR_ATTR = "Annotator"
SUGGESTED_ATTR = "Suggested"
# a salary's normalised currency and pay period, as brat attributes (the full value is in the manifest)
CURRENCY_ATTR = "Currency"
PERIOD_ATTR = "Period"
PERIODS = ("hour", "day", "week", "month", "year")
#: largest .txt read on import (the corpus refuses larger documents too)
MAX_TXT_BYTES = 256 * 1024 * 1024
MAX_MANIFEST_BYTES = 256 * 1024 * 1024

# characters that cannot appear in a brat type or attribute value
_RESERVED = set("%,|:<>=#!;[]\"'\\")


def escape_type(name: str) -> str:
    """Make a label (or attribute value) a valid brat type name, reversibly."""
    out = []
    for ch in name:
        if ch in _RESERVED or ch.isspace() or not ch.isprintable():
            out.append(quote(ch, safe=""))
        else:
            out.append(ch)
    return "".join(out)


def unescape_type(name: str) -> str:
    return unquote(name, errors="strict") if "%" in name else name


def escape_note(note: str) -> str:
    return note.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


_NOTE_ESC = re.compile(r"\\(.)", re.S)
_NOTE_MAP = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\"}


def unescape_note(note: str) -> str:
    return _NOTE_ESC.sub(lambda m: _NOTE_MAP.get(m.group(1), m.group(0)), note)


_UNSAFE_FILE = re.compile(r"[^\w.\-]+")


def safe_stem(doc_id: str, taken: set[str]) -> str:
    """A flat, portable file stem for a document id, unique (case-insensitively) in ``taken``."""
    stem = "__".join(_UNSAFE_FILE.sub("_", part) for part in doc_id.replace("\\", "/").split("/") if part not in ("", ".", ".."))
    stem = stem.lstrip(".-") or "doc"
    stem = stem[:100]
    candidate, n = stem, 1
    while candidate.lower() in taken or candidate.lower() in ("annotation", "visual", "tools", "kb_shortcuts"):
        n += 1
        candidate = f"{stem}-{n}"
    taken.add(candidate.lower())
    return candidate


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split ``start..end`` at newlines into the non-empty pieces between them.

    A span made only of line breaks has none (``[]``); a span that begins or
    ends with a line break has fragments that stop short of its ends.
    """
    if "\n" not in text[start:end]:
        return [(start, end)] if start < end else []
    pieces: list[tuple[int, int]] = []
    pos = start
    while True:
        nl = text.find("\n", pos, end)
        if nl < 0:
            pieces.append((pos, end))
            break
        pieces.append((pos, nl))
        pos = nl + 1
    return [p for p in pieces if p[0] < p[1]]


def _record(a: Annotation) -> dict[str, Any]:
    return {
        "id": a.id, "start": a.start, "end": a.end, "label": a.label,
        "created": a.created, "updated": a.updated, "source": a.source,
        **amount_fields(a),
    }


def ann_lines(doc: Document, anns: list[Annotation], manifest_spans: dict[str, Any], unwritten: list[dict[str, Any]] | None = None) -> list[str]:
    """The ``.ann`` lines of one document. Spans with no fragment (only line breaks) go to ``unwritten``."""
    lines: list[str] = []
    notes = attrs = t = 0
    for a in anns:
        frags = fragments(doc.text, a.start, a.end)
        if not frags:
            if unwritten is not None:
                unwritten.append({**_record(a), "note": a.note, "annotator": a.annotator, "status": a.status})
            continue
        t += 1
        tid = f"T{t}"
        offsets = ";".join(f"{s} {e}" for s, e in frags)
        frag_text = " ".join(doc.text[s:e] for s, e in frags)
        lines.append(f"{tid}\t{escape_type(a.label)} {offsets}\t{frag_text}")
        if a.note:
            notes += 1
            lines.append(f"#{notes}\tAnnotatorNotes {tid}\t{escape_note(a.note)}")
        if a.annotator:
            attrs += 1
            lines.append(f"A{attrs}\t{ANNOTATOR_ATTR} {tid} {escape_type(a.annotator)}")
        if a.status == STATUS_SUGGESTED:
            attrs += 1
            lines.append(f"A{attrs}\t{SUGGESTED_ATTR} {tid}")
        value = amount_fields(a).get("value") or {}
        for attr, key in ((CURRENCY_ATTR, "currency"), (PERIOD_ATTR, "period")):
            if value.get(key):
                attrs += 1
                lines.append(f"A{attrs}\t{attr} {tid} {value[key]}")
        manifest_spans[tid] = _record(a)
    return lines


def annotation_conf(labels: Iterable[str], annotators: Iterable[str], suggested: bool,
                    currencies: Iterable[str] = (), periods: bool = False) -> str:
    out = ["# Written by reader: the entity types and attributes of this export.", "[entities]"]
    out += [escape_type(label) for label in sorted(set(labels))] or ["# (no annotations)"]
    out += [
        "", "[relations]",
        "# spans may nest, be equal or cross (brat's checker refuses any overlap not declared here)",
        "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>",
        "", "[events]", "", "[attributes]",
    ]
    names = sorted({escape_type(a) for a in annotators})
    if names:
        out.append(f"{ANNOTATOR_ATTR}\tArg:<ENTITY>, Value:{'|'.join(names)}")
    if suggested:
        out.append(f"{SUGGESTED_ATTR}\tArg:<ENTITY>")
    codes = sorted(set(currencies))
    if codes:
        out.append(f"{CURRENCY_ATTR}\tArg:<ENTITY>, Value:{'|'.join(codes)}")
    if periods:
        out.append(f"{PERIOD_ATTR}\tArg:<ENTITY>, Value:{'|'.join(PERIODS)}")
    return "\n".join(out) + "\n"


def _write_file(path: Path, data: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(data)


# --- import --------------------------------------------------------------------

class _Manifest:
    def __init__(self, data: dict[str, Any] | None = None):
        self.docs: dict[str, dict[str, Any]] = {}
        self.notes_escaped = False
        if data:
            docs = data.get("documents")
            if isinstance(docs, dict):
                self.docs = {k: v for k, v in docs.items() if isinstance(v, dict)}
            self.notes_escaped = bool(data.get("notes_escaped"))


def _load_manifest(folder: Path) -> tuple[_Manifest, str | None]:
    path = folder / MANIFEST
    if not path.is_file():
        return _Manifest(), None
    try:
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            return _Manifest(), f"{MANIFEST} is larger than {MAX_MANIFEST_BYTES // (1024 * 1024)} MiB; ignored (document ids come from file names)"
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        return _Manifest(), f"{MANIFEST} cannot be read ({exc}); ignored (document ids come from file names)"
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        return _Manifest(), f"{MANIFEST} is not a reader brat manifest; ignored"
    return _Manifest(data), None


def _is_line_break_gap(gap: str) -> bool:
    return all(ch in "\r\n" for ch in gap)


def _exact_ends(text: str, start: int, end: int, rec_start: Any, rec_end: Any) -> tuple[int, int]:
    """The recorded ends of a span whose fragments dropped leading/trailing line breaks, when they fit."""
    if not (isinstance(rec_start, int) and isinstance(rec_end, int)) or isinstance(rec_start, bool) or isinstance(rec_end, bool):
        return start, end
    if 0 <= rec_start <= start and end <= rec_end <= len(text):
        if _is_line_break_gap(text[rec_start:start]) and _is_line_break_gap(text[end:rec_end]):
            return rec_start, rec_end
    return start, end


def _unwritten_spans(entries: Any, text: str) -> Iterator[tuple[int, SpanRecord | None]]:
    """Spans the export kept in the manifest only (made of line breaks): ``(index, span or None if bad)``."""
    if not isinstance(entries, list):
        return
    for i, e in enumerate(entries, 1):
        ok = isinstance(e, dict) and all(isinstance(e.get(k), int) and not isinstance(e.get(k), bool) for k in ("start", "end"))
        ok = ok and isinstance(e.get("label"), str) and 0 <= e["start"] < e["end"] <= len(text)
        if not ok:
            yield i, None
            continue

        def s(key: str) -> str | None:
            return e.get(key) if isinstance(e.get(key), str) else None

        yield i, SpanRecord(
            start=e["start"], end=e["end"], label=e["label"], text=text[e["start"]:e["end"]],
            note=s("note") or "", annotator=s("annotator"), status=s("status") or "accepted",
            id=s("id"), created=s("created"), updated=s("updated"), **read_amount_fields(e),
        )


class _BomText:
    """The text as the .ann counts it: with its BOM (one character) in front, when the .txt has one;
    ``len`` and slices only, each slice as the text with the BOM in front would give it."""

    def __init__(self, text: str, bom: int) -> None:
        self.text = text
        self.bom = bom

    def __len__(self) -> int:
        return len(self.text) + self.bom

    def __getitem__(self, cut: slice) -> str:
        start, end, _ = cut.indices(len(self))
        if not self.bom or end <= start:
            return self.text[start:end]
        head = "\ufeff" if start == 0 else ""
        return head + self.text[max(start - 1, 0):end - 1]


#: bytes of a .txt read and decoded at a time
TXT_PIECE = 1 << 16


class _NotUtf8(ValueError):
    """A .txt that is not UTF-8: ``start`` is its first bad byte, counted after the BOM."""

    def __init__(self, start: int) -> None:
        super().__init__(start)
        self.start = start


def _read_txt(path: Path) -> tuple[str, int, str]:
    """``(text, bom, sha256)`` of a .txt: its text (without the BOM), 1 if it starts with a BOM (brat
    counts it as a character), the SHA-256 of its bytes. Read and decoded a piece at a time, each
    piece as narrow as its own characters: the bytes of the whole file are never held beside its
    text (issue 19: a text with one emoji is 4 bytes a character, and its bytes would be one more).
    Read once, front to back (a pipe will do). Raises OSError, or _NotUtf8 with the byte a decode
    of the whole file would name."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    pieces: list[str] = []
    with open(path, "rb") as fh:
        chunk = fh.read(3)
        bom = 1 if chunk == b"\xef\xbb\xbf" else 0
        digest.update(chunk)
        chunk = chunk[3 * bom:]  # the first bytes, when they are no BOM, start the first piece
        done = 0  # bytes after the BOM given to the decoder before this piece
        while True:
            more = fh.read(TXT_PIECE)
            digest.update(more)
            chunk += more
            held = len(decoder.getstate()[0])  # the end of a character cut by the last piece
            try:
                pieces.append(decoder.decode(chunk, not more))
            except UnicodeDecodeError as exc:  # its start counts from the held bytes, as a whole decode would
                raise _NotUtf8(done - held + exc.start) from None
            done += len(chunk)
            if not more:
                break
            chunk = b""
    text = "".join(pieces)
    return text, bom, digest.hexdigest()


def read_ann(ann_path: Path, txt_path: Path, rel_stem: str, manifest: _Manifest) -> Iterator[ImportItem | ImportProblem]:
    """Read one ``.ann`` with its ``.txt``; yields problems, then one ImportItem."""
    source = ann_path.name if "/" not in rel_stem else f"{rel_stem}.ann"

    def problem(line: int, reason: str) -> ImportProblem:
        return ImportProblem(line, reason, source)

    try:
        size = txt_path.stat().st_size
        if size > MAX_TXT_BYTES:
            yield problem(0, f"{txt_path.name} is larger than {MAX_TXT_BYTES // (1024 * 1024)} MiB; document skipped")
            return
        text, bom, raw_sha256 = _read_txt(txt_path)
    except OSError as exc:
        yield problem(0, f"cannot read {txt_path.name}: {exc.strerror or exc}")
        return
    except _NotUtf8 as exc:
        yield problem(0, f"{txt_path.name} is not valid UTF-8 (byte {exc.start}); document skipped")
        return
    # offsets in the .ann count the BOM when there is one; validate against that text (never a copy
    # of it with the BOM in front: 4 bytes a character with one emoji)
    btext = _BomText(text, bom)
    # taken out of the manifest: a document is read once, and the manifest of a large collection holds
    # a record per span (issue 19's memory bound: freed as the import goes, not held to its end)
    info = manifest.docs.pop(rel_stem, {})
    recorded_spans = info.get("spans")
    recorded: dict[str, Any] = recorded_spans if isinstance(recorded_spans, dict) else {}

    spans: dict[str, tuple[int, SpanRecord]] = {}
    notes: dict[str, list[tuple[int, str]]] = {}
    annotators: dict[str, tuple[int, str]] = {}
    suggested: dict[str, int] = {}
    first_line = 0
    n = len(btext)
    try:
        lines = list(iter_lines(ann_path))
    except OSError as exc:
        yield problem(0, f"cannot read: {exc.strerror or exc}")
        return
    for line_no, line, bad in lines:
        if bad:
            yield problem(line_no, bad)
            continue
        line = (line or "").rstrip("\r\n")
        if line_no == 1 and line.startswith("\ufeff"):
            line = line[1:]
        if not line.strip():
            continue
        kind = line[0]
        if kind == "T":
            parts = line.split("\t", 2)
            if len(parts) < 2:
                yield problem(line_no, f"malformed text-bound annotation {line[:40]!r}: expected 'T1<TAB>Type start end<TAB>text'")
                continue
            tid, type_offsets = parts[0], parts[1]
            field = parts[2] if len(parts) > 2 else None
            type_name, _, offsets = type_offsets.partition(" ")
            try:
                label = unescape_type(type_name)
            except UnicodeDecodeError:
                label = type_name
            frags: list[tuple[int, int]] = []
            try:
                for frag in offsets.split(";"):
                    s_str, e_str = frag.split()
                    frags.append((int(s_str), int(e_str)))
            except ValueError:
                yield problem(line_no, f"{tid}: bad offsets {offsets!r}: expected 'start end' or 'start end;start end'")
                continue
            if not label:
                yield problem(line_no, f"{tid}: no type")
                continue
            bad_frag = next(((s, e) for s, e in frags if not (0 <= s <= e <= n)), None)
            if bad_frag:
                yield problem(line_no, f"{tid}: fragment {bad_frag[0]}-{bad_frag[1]} is outside {txt_path.name} ({n} characters)")
                continue
            frags.sort()
            if any(frags[i][1] > frags[i + 1][0] for i in range(len(frags) - 1)):
                yield problem(line_no, f"{tid}: overlapping fragments {offsets!r}")
                continue
            frag_text = " ".join(btext[s:e] for s, e in frags)
            if field is not None and field != frag_text:
                yield problem(line_no, f"{tid}: text {field[:60]!r} does not match {txt_path.name} at {offsets}, which holds {frag_text[:60]!r}")
                continue
            gaps = [btext[frags[i][1]:frags[i + 1][0]] for i in range(len(frags) - 1)]
            if not all(_is_line_break_gap(g) for g in gaps):
                yield problem(
                    line_no,
                    f"{tid}: discontinuous span {offsets!r} skips text other than line breaks; "
                    "the reader stores continuous spans only",
                )
                continue
            start, end = frags[0][0], frags[-1][1]
            if bom:
                start, end = max(start - 1, 0), max(end - 1, 0)
            if start == end:
                yield problem(line_no, f"{tid}: empty span")
                continue
            rec = recorded.get(tid)
            if isinstance(rec, dict) and rec.get("label") == label:
                start, end = _exact_ends(text, start, end, rec.get("start"), rec.get("end"))
            span = SpanRecord(start=start, end=end, label=label, text=text[start:end])
            if isinstance(rec, dict) and rec.get("start") == start and rec.get("end") == end and rec.get("label") == label:
                span.id = rec.get("id") if isinstance(rec.get("id"), str) else None
                span.created = rec.get("created") if isinstance(rec.get("created"), str) else None
                span.updated = rec.get("updated") if isinstance(rec.get("updated"), str) else None
                for key, val in read_amount_fields(rec).items():
                    setattr(span, key, val)
            if tid in spans:
                yield problem(line_no, f"{tid}: id used twice (first on line {spans[tid][0]}); this one skipped")
                continue
            spans[tid] = (line_no, span)
            first_line = first_line or line_no
        elif kind == "#":
            parts = line.split("\t", 2)
            head = parts[1].split() if len(parts) > 1 else []
            if len(head) != 2:
                yield problem(line_no, f"malformed note {line[:40]!r}: expected '#1<TAB>AnnotatorNotes T1<TAB>note'")
                continue
            note = parts[2] if len(parts) > 2 else ""
            notes.setdefault(head[1], []).append((line_no, unescape_note(note) if manifest.notes_escaped else note))
        elif kind in "AM":
            parts = line.split("\t", 1)
            head = parts[1].split() if len(parts) > 1 else []
            if len(head) not in (2, 3):
                yield problem(line_no, f"malformed attribute {line[:40]!r}: expected 'A1<TAB>Name T1 [value]'")
                continue
            name, ref = head[0], head[1]
            if name == ANNOTATOR_ATTR and len(head) == 3:
                try:
                    annotators[ref] = (line_no, unescape_type(head[2]))
                except UnicodeDecodeError:
                    annotators[ref] = (line_no, head[2])
            elif name == SUGGESTED_ATTR:
                suggested[ref] = line_no
            elif name in (CURRENCY_ATTR, PERIOD_ATTR):
                pass  # shown in brat; the store computes the value again from the span (or takes the manifest's)
            else:
                yield problem(line_no, f"attribute {name!r} on {ref} skipped: the reader keeps only {ANNOTATOR_ATTR} and {SUGGESTED_ATTR}")
        elif kind in "RE*N":
            what = {"R": "relation", "E": "event", "*": "equivalence", "N": "normalization"}[kind]
            yield problem(line_no, f"{what} {line.split(chr(9), 1)[0]!r} skipped: the reader stores spans only")
        else:
            yield problem(line_no, f"unknown annotation line {line[:40]!r}")

    for ref, entries in notes.items():
        if ref not in spans:
            for line_no, _ in entries:
                yield problem(line_no, f"note on {ref}, which is not a text-bound annotation here; skipped")
            continue
        spans[ref][1].note = "\n".join(n for _, n in entries)
    for ref, (line_no, who) in annotators.items():
        if ref not in spans:
            yield problem(line_no, f"{ANNOTATOR_ATTR} on {ref}, which is not a text-bound annotation here; skipped")
            continue
        spans[ref][1].annotator = who
    for ref, line_no in suggested.items():
        if ref not in spans:
            yield problem(line_no, f"{SUGGESTED_ATTR} on {ref}, which is not a text-bound annotation here; skipped")
            continue
        spans[ref][1].status = STATUS_SUGGESTED

    for line_no, kept in _unwritten_spans(info.get("unwritten"), text):
        if kept is None:
            yield problem(0, f"{MANIFEST}: an entry of 'unwritten' is not a span of {txt_path.name}; skipped")
            continue
        spans[f"unwritten-{line_no}"] = (0, kept)

    doc_id = info.get("doc_id") if isinstance(info.get("doc_id"), str) and info.get("doc_id") else rel_stem
    item = ImportItem(
        line=first_line or 1,
        text=text,
        doc_id=doc_id,
        sha256=info.get("sha256") if isinstance(info.get("sha256"), str) else raw_sha256,
        title=text_or_empty(info.get("title")),
        lang=info.get("lang") if isinstance(info.get("lang"), str) else None,
        meta={k: info[k] for k in ("date",) if isinstance(info.get(k), str)},
        spans=[span for _, span in spans.values()],
        source=source,
    )
    yield item


@register
class BratFormat(Format):
    name = "brat"
    description = "brat standoff folder: <doc>.txt + <doc>.ann (newline-crossing spans discontinuous, notes as AnnotatorNotes)"
    extension = ""
    kind = "dir"
    accepts_file = True  # import also takes a single .ann (with its .txt beside it)

    def write(self, items: Iterable[tuple[Document, list[Annotation]]], out: IO[str] | Path,
              ctx: ExportContext | None = None) -> int:
        if not isinstance(out, (str, os.PathLike)):
            raise FormatError("brat: this format writes a folder; give an output path")
        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        taken: set[str] = set()
        docs_manifest: dict[str, Any] = {}
        labels: set[str] = set()
        annotators: set[str] = set()
        any_suggested = False
        currencies: set[str] = set()
        any_period = False
        written = unwritten_count = 0
        for doc, anns in items:
            stem = safe_stem(doc.id, taken)
            manifest_spans: dict[str, Any] = {}
            unwritten: list[dict[str, Any]] = []
            lines = ann_lines(doc, anns, manifest_spans, unwritten)
            unwritten_count += len(unwritten)
            _write_file(folder / f"{stem}.txt", doc.text)
            _write_file(folder / f"{stem}.ann", "".join(line + "\n" for line in lines))
            docs_manifest[stem] = {
                "doc_id": doc.id, "sha256": doc.sha256, "title": doc.title, "lang": doc.lang,
                "date": doc.date, "spans": manifest_spans,
            }
            if unwritten:
                docs_manifest[stem]["unwritten"] = unwritten
            for a in anns:
                labels.add(a.label)
                if a.annotator:
                    annotators.add(a.annotator)
                any_suggested = any_suggested or a.status == STATUS_SUGGESTED
                value = amount_fields(a).get("value") or {}
                if value.get("currency"):
                    currencies.add(value["currency"])
                any_period = any_period or bool(value.get("period"))
            written += len(anns)
        _write_file(folder / "annotation.conf", annotation_conf(labels, annotators, any_suggested, currencies, any_period))
        manifest = {
            "format": MANIFEST_FORMAT, "version": MANIFEST_VERSION, "notes_escaped": True,
            "documents": docs_manifest,
        }
        _write_file(folder / MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
        if unwritten_count and ctx is not None:
            ctx.notes.append(
            f"{unwritten_count} span(s) made only of line breaks are not in the .ann files (brat has no way to mark them); "
            f"{MANIFEST} keeps them and `reader import` restores them")
        return written

    def read(self, path: Path) -> Iterator[ImportItem | ImportProblem]:
        path = Path(path)
        if is_pipe(path):
            raise FormatError(f"{path}: is a pipe or a device; a brat import takes a folder, or a .ann file "
                              "with its .txt beside it, which a pipe cannot give")
        if path.is_file():
            if path.suffix not in (".ann", ".txt"):
                raise FormatError(f"{path}: a brat import takes a folder or a .ann file (with its .txt beside it)")
            ann, txt = path.with_suffix(".ann"), path.with_suffix(".txt")
            for p in (ann, txt):
                if not p.is_file():
                    raise FormatError(f"{p}: missing; a brat document needs both its .txt and its .ann")
            manifest, trouble = _load_manifest(path.parent)
            if trouble:
                yield ImportProblem(0, trouble, MANIFEST)
            yield from read_ann(ann, txt, ann.stem, manifest)
            return
        if not path.is_dir():
            raise FormatError(f"{path}: no such folder")
        manifest, trouble = _load_manifest(path)
        if trouble:
            yield ImportProblem(0, trouble, MANIFEST)
        found = 0
        for folder, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if not name.endswith(".ann") or name.startswith("."):
                    continue
                ann = Path(folder) / name
                txt = ann.with_suffix(".txt")
                rel_stem = ann.relative_to(path).with_suffix("").as_posix()
                found += 1
                if not txt.is_file():
                    yield ImportProblem(0, f"no {txt.name} beside it; document skipped", f"{rel_stem}.ann")
                    continue
                yield from read_ann(ann, txt, rel_stem, manifest)
        if not found:
            raise FormatError(f"{path}: no .ann files in this folder; is it a brat collection?")
