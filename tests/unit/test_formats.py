"""Format converters on plain Document/Annotation objects (no store involved)."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from reader.formats import FORMATS, get_format
from reader.formats.base import ImportItem, ImportProblem
from reader.formats.doccano import DoccanoFormat
from reader.formats.offsets import OffsetConversionError, Utf16Map
from reader.formats.prodigy import hash32
from reader.formats.spans import context
from reader.errors import FormatError
from reader.model import Annotation, Document

TEXT = "Ciao 👨‍👩‍👧 mondo! Salary: $300,000 to $900,000.\nالراتب 900 ألف دولار 🇮🇹 café"


def doc(text: str = TEXT, doc_id: str = "d1") -> Document:
    return Document(id=doc_id, text=text, sha256="ab" * 32, path=Path("seeds") / f"{doc_id}.txt",
                    title="T [bold]x[/]", date="2023-07", lang="it", lang_confidence=0.9, lang_source="detected")


def ann(d: Document, needle: str, label: str = "salary", **kw) -> Annotation:
    start = d.text.index(needle)
    return Annotation(id=kw.pop("id", f"a{start}"), doc_id=d.id, start=start, end=start + len(needle), label=label,
                      text=needle, annotator=kw.pop("annotator", "ann"), **kw)


def write(fmt_name: str, items) -> str:
    buf = io.StringIO()
    n = get_format(fmt_name).write(items, buf)
    assert n == sum(len(a) for _d, a in items)
    return buf.getvalue()


def read(fmt, text: str, tmp_path: Path):
    fmt = get_format(fmt) if isinstance(fmt, str) else fmt
    path = tmp_path / "in.jsonl"
    path.write_text(text, encoding="utf-8")
    out = list(fmt.read(path))
    return [x for x in out if isinstance(x, ImportItem)], [x for x in out if isinstance(x, ImportProblem)]


@pytest.fixture
def sample():
    d = doc()
    anns = [
        ann(d, "$300,000 to $900,000", note="a range", annotator="maria"),
        ann(d, "900 ألف دولار"),
        ann(d, "🇮🇹 café", label="claim", status="suggested"),
        ann(d, "mondo", label="quote", note='line\nbreak "quoted" [red]'),
    ]
    return d, anns


def test_registry_has_our_formats():
    for name in ("jsonl", "spans", "doccano", "prodigy"):
        assert name in FORMATS
        assert FORMATS[name].name == name
    assert not FORMATS["spans"].can_import
    with pytest.raises(FormatError, match="unknown format 'nope'"):
        get_format("nope")


def test_jsonl_shape(sample):
    d, anns = sample
    rec = json.loads(write("jsonl", [(d, anns)]))
    assert list(rec)[:7] == ["id", "path", "lang", "title", "date", "text", "spans"]
    assert rec["id"] == "d1" and rec["path"] == "seeds/d1.txt" and rec["lang"] == "it"
    assert rec["text"] == TEXT
    for s in rec["spans"]:
        assert set(s) >= {"id", "start", "end", "label", "text", "note", "annotator"}
        assert rec["text"][s["start"]:s["end"]] == s["text"]
    assert rec["spans"][0]["note"] == "a range" and rec["spans"][0]["annotator"] == "maria"
    assert rec["sha256"] == d.sha256


@pytest.mark.parametrize("fmt", ["jsonl", "doccano", "prodigy"])
def test_write_then_read_keeps_everything(fmt, sample, tmp_path):
    d, anns = sample
    empty = doc("no spans here", "d2")
    items, problems = read(fmt, write(fmt, [(d, anns), (empty, [])]), tmp_path)
    assert problems == []
    assert [i.line for i in items] == [1, 2]
    item = items[0]
    assert item.text == TEXT and item.doc_id == "d1"
    assert item.title == d.title and item.lang == "it"
    got = [(s.id, s.start, s.end, s.label, s.note, s.annotator, s.status, s.created, s.updated) for s in item.spans]
    want = [(a.id, a.start, a.end, a.label, a.note, a.annotator, a.status, a.created, a.updated) for a in anns]
    assert got == want
    assert items[1].spans == [] and items[1].doc_id == "d2"


def test_doccano_shape(sample):
    d, anns = sample
    rec = json.loads(write("doccano", [(d, anns)]))
    assert rec["text"] == TEXT
    u16 = Utf16Map(TEXT).to_utf16
    assert rec["label"] == [[u16(a.start), u16(a.end), a.label] for a in anns]  # UTF-16 by default, as doccano counts
    assert rec["offset_unit"] == "utf16"
    assert [i["note"] for i in rec["span_info"]] == [a.note for a in anns]
    assert [[i["start"], i["end"], i["label"]] for i in rec["span_info"]] == rec["label"]


def test_doccano_utf16_offsets(sample, tmp_path):
    d, anns = sample
    fmt = DoccanoFormat(offsets="utf16")
    buf = io.StringIO()
    fmt.write([(d, anns)], buf)
    rec = json.loads(buf.getvalue())
    assert rec["offset_unit"] == "utf16"
    encoded = TEXT.encode("utf-16-le")
    for (s, e, _label), a in zip(rec["label"], anns):
        # what a JavaScript tool sees at those offsets is the span text
        assert encoded[2 * s:2 * e].decode("utf-16-le") == a.text
    # the file says its unit, so a code point reader converts back
    items, problems = read(DoccanoFormat(offsets="codepoint"), buf.getvalue(), tmp_path)
    assert problems == []
    assert [(s.start, s.end) for s in items[0].spans] == [(a.start, a.end) for a in anns]


def test_doccano_reads_plain_doccano_files(tmp_path):
    lines = [
        {"id": 7, "text": "Pay is $5 per day", "label": [[7, 9, "salary"]], "Comments": []},
        {"text": "Old style", "labels": [[0, 3, "claim"]]},
        {"text": "Relations style", "entities": [{"id": 0, "label": "quote", "start_offset": 0, "end_offset": 9}], "relations": []},
    ]
    items, problems = read("doccano", "\n".join(json.dumps(x) for x in lines), tmp_path)
    assert problems == []
    assert items[0].doc_id == "7"
    assert [(s.start, s.end, s.label) for i in items for s in i.spans] == [(7, 9, "salary"), (0, 3, "claim"), (0, 9, "quote")]


def test_doccano_utf16_option_on_foreign_file(tmp_path):
    text = "😀 pay $5"
    u16 = len("😀 pay ".encode("utf-16-le")) // 2
    line = json.dumps({"text": text, "label": [[u16, u16 + 2, "salary"]]})
    items, _ = read(DoccanoFormat(offsets="utf16"), line, tmp_path)
    s = items[0].spans[0]
    assert text[s.start:s.end] == "$5"
    # an offset inside the emoji's surrogate pair is reported, not guessed
    items, problems = read(DoccanoFormat(offsets="utf16"), json.dumps({"text": text, "label": [[1, 3, "salary"]]}), tmp_path)
    assert items[0].spans == [] and "surrogate pair" in problems[0].reason


def test_utf16_map():
    text = "a😀b🇮🇹c"
    m = Utf16Map(text)
    for cp in range(len(text) + 1):
        u = len(text[:cp].encode("utf-16-le")) // 2
        assert m.to_utf16(cp) == u
        assert m.to_cp(u) == cp
    with pytest.raises(OffsetConversionError, match="surrogate pair"):
        m.to_cp(2)  # inside 😀
    assert Utf16Map("plain").to_cp(3) == 3


def test_prodigy_shape(sample):
    d, anns = sample
    rec = json.loads(write("prodigy", [(d, anns)]))
    assert rec["answer"] == "accept"
    assert isinstance(rec["_input_hash"], int) and isinstance(rec["_task_hash"], int)
    assert -(2**31) <= rec["_input_hash"] < 2**31
    assert rec["meta"]["id"] == "d1" and rec["meta"]["title"] == d.title
    assert [(s["start"], s["end"], s["label"]) for s in rec["spans"]] == [(a.start, a.end, a.label) for a in anns]
    # deterministic: the same input gives the same hashes
    assert json.loads(write("prodigy", [(d, anns)]))["_task_hash"] == rec["_task_hash"]
    assert hash32("x") != hash32("y")


def test_prodigy_rejected_answers_are_reported(tmp_path):
    lines = [
        json.dumps({"text": "a b", "spans": [{"start": 0, "end": 1, "label": "claim"}], "answer": "reject"}),
        json.dumps({"text": "a b", "spans": [{"start": 0, "end": 1, "label": "claim"}]}),
    ]
    items, problems = read("prodigy", "\n".join(lines), tmp_path)
    assert len(items) == 1 and items[0].line == 2
    assert problems[0].line == 1 and "reject" in problems[0].reason


def test_spans_format_context(sample):
    d, anns = sample
    lines = [json.loads(x) for x in write("spans", [(d, anns)]).splitlines()]
    assert len(lines) == len(anns)
    for rec, a in zip(lines, anns):
        assert rec["doc_id"] == "d1" and rec["lang"] == "it" and rec["label"] == a.label
        assert rec["text"] == a.text and rec["note"] == a.note and rec["annotator"] == a.annotator
        assert TEXT[rec["start"]:rec["end"]] == rec["text"]
        assert rec["right"] == TEXT[rec["end"]:rec["end"] + len(rec["right"])]
        assert rec["left"] == TEXT[rec["start"] - len(rec["left"]):rec["start"]]


def test_context_width_and_graphemes():
    text = "x" * 300 + "SPAN" + "y" * 300
    left, right = context(text, 300, 304)
    assert left == "x" * 100 and right == "y" * 100
    # never cut a ZWJ family or a flag in half
    fam = "👨‍👩‍👧"
    text = fam * 60 + "SPAN" + "🇮🇹" * 60
    left, right = context(text, len(fam) * 60, len(fam) * 60 + 4)
    assert left.startswith(fam) and len(left) % len(fam) == 0
    assert right.endswith("🇮🇹") and len(right) % 2 == 0


@pytest.mark.parametrize("fmt", ["jsonl", "doccano", "prodigy"])
def test_bad_lines_become_problems(fmt, tmp_path):
    good = {"jsonl": {"id": "x", "text": "abc", "spans": [{"start": 0, "end": 1, "label": "claim"}]},
            "doccano": {"text": "abc", "label": [[0, 1, "claim"]]},
            "prodigy": {"text": "abc", "spans": [{"start": 0, "end": 1, "label": "claim"}], "answer": "accept"}}[fmt]
    bad_span = {"jsonl": {"text": "abc", "spans": [{"start": "0", "end": 1, "label": "claim"}, {"start": 0, "end": 1, "label": 5}]},
                "doccano": {"text": "abc", "label": [["0", 1, "claim"], [0, 1, 5]]},
                "prodigy": {"text": "abc", "spans": [{"start": "0", "end": 1, "label": "claim"}, {"start": 0, "end": 1, "label": 5}]}}[fmt]
    lines = [
        json.dumps(good),
        "{not json",
        "[1, 2]" if fmt != "doccano" else "42",
        json.dumps({"text": 5}),
        json.dumps(bad_span),
        "[" * 100_000,
        json.dumps({"text": "n", "spans": [], "label": [], "id": 1}).replace("1}", "1" * 5000 + "}"),
        "",
        json.dumps(good),
    ]
    items, problems = read(fmt, "\n".join(lines) + "\n", tmp_path)
    assert [i.line for i in items] == [1, 5, 9]
    assert items[1].spans == []
    lines_with_problems = [p.line for p in problems]
    assert lines_with_problems == [2, 3, 4, 5, 5, 6, 7]
    assert "malformed JSON" in problems[0].reason
    assert "must be a string" in problems[2].reason or "text" in problems[2].reason
    assert all(p.source == "in.jsonl" for p in problems)


def test_line_limit(tmp_path, monkeypatch):
    from reader.formats import jsonl

    monkeypatch.setattr(jsonl, "LINE_LIMIT", 100)
    lines = [json.dumps({"text": "x" * 200, "spans": []}), json.dumps({"text": "ok", "spans": []})]
    items, problems = read("jsonl", "\n".join(lines), tmp_path)
    assert [i.text for i in items] == ["ok"]
    assert problems[0].line == 1 and "longer than" in problems[0].reason


def test_json_array_input(tmp_path):
    data = [{"text": "abc", "label": [[0, 1, "claim"]]}, 5, {"text": "def"}]
    items, problems = read("doccano", json.dumps(data), tmp_path)
    assert [i.line for i in items] == [1, 3]
    assert problems[0].line == 2


def test_invalid_utf8_line(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'{"text": "\xff"}\n' + json.dumps({"text": "ok"}).encode() + b"\n")
    out = list(get_format("jsonl").read(path))
    assert isinstance(out[0], ImportProblem) and out[0].line == 1 and "UTF-8" in out[0].reason
    assert isinstance(out[1], ImportItem) and out[1].text == "ok"


def test_json_array_problems_are_reported(tmp_path):
    # deep nesting, a truncated array and a huge number never escape as exceptions
    for content in ("[" + "[" * 50_000, '[{"text": "a"}, {"text": ', '[{"text": "a", "id": ' + "9" * 6000 + "}]"):
        items, problems = read("doccano", content, tmp_path)
        assert problems, content[:20]
    items, problems = read("doccano", '[{"text": "a"}, {"text": ', tmp_path)
    assert [i.text for i in items] == ["a"] and problems[0].line == 2
