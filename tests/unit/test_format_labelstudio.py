"""Label Studio task JSON: code point offsets as its page counts (UTF-16 on request) both ways, notes, annotators,
predictions, streaming import."""
from __future__ import annotations

import io
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.formats import ImportItem, ImportProblem, get_format
from reader.formats.jsonstream import iter_json_array
from reader.formats.offsets import OffsetConversionError, Utf16Map, utf16_len, utf16_slice
from reader.model import Annotation, Document
from reader.text import sha256_bytes

from conftest import SEEDS

LS = get_format("labelstudio")
LS16 = LS.with_options(offsets="utf16")

PIECES = [
    "👨‍👩‍👧‍👦", "🇮🇹", "🇫🇷", "👍🏽", "e\u0301", "مَرْحَبًا", "السَّلَامُ", "漢字", "𠮷野家", "\n", "\n\n",
    " ", "\u00a0", "salary", "$300,000", "«quote»", "l’uso", "🙂", "a", "Z", "\u200d", "\t",
]


def doc_of(text: str, doc_id: str = "doc/1", **kw) -> Document:
    return Document(id=doc_id, text=text, sha256=sha256_bytes(text.encode()), title=kw.pop("title", "A title"), lang=kw.pop("lang", "en"), **kw)


def ann(doc: Document, start: int, end: int, label: str = "salary", note: str = "", annotator: str = "alice", status: str = "accepted", aid: str | None = None, source: str = "") -> Annotation:
    return Annotation(
        id=aid or f"{doc.id}:{start}:{end}:{label}", doc_id=doc.id, start=start, end=end, label=label,
        text=doc.text[start:end], note=note, annotator=annotator, status=status, source=source,
    )


def export(pairs, fmt=LS) -> str:
    buf = io.StringIO()
    fmt.write(pairs, buf)
    return buf.getvalue()


def read_back(tmp_path: Path, payload: str, name: str = "tasks.json", fmt=LS):
    path = tmp_path / name
    path.write_text(payload, encoding="utf-8")
    out = list(fmt.read(path))
    items = [x for x in out if isinstance(x, ImportItem)]
    problems = [x for x in out if isinstance(x, ImportProblem)]
    return items, problems


def span_keys(spans):
    return sorted((s.start, s.end, s.label, s.note, s.annotator, s.status) for s in spans)


# --- offsets helpers ---------------------------------------------------------------

def test_utf16_map_counts_astral_characters_twice():
    text = "a🙂b👨‍👩‍👧c"
    m = Utf16Map(text)
    assert m.length_u16 == utf16_len(text) == len(text.encode("utf-16-le")) // 2
    assert m.to_utf16(1) == 1 and m.to_utf16(2) == 3  # after the smiley
    assert m.to_cp(3) == 2
    for i in range(len(text) + 1):
        assert m.to_cp(m.to_utf16(i)) == i
    with pytest.raises(OffsetConversionError, match="surrogate pair"):
        m.to_cp(2)  # between the smiley's two halves
    with pytest.raises(OffsetConversionError, match="outside"):
        m.to_cp(m.length_u16 + 1)
    assert utf16_slice(text, 1, 3) == "🙂"
    with pytest.raises(OffsetConversionError):
        utf16_slice(text, 1, 2)


@given(st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=30))
def test_utf16_map_agrees_with_the_utf16_codec(parts):
    text = "".join(parts)
    m = Utf16Map(text)
    for i in range(len(text) + 1):
        u = m.to_utf16(i)
        assert u == len(text[:i].encode("utf-16-le", "surrogatepass")) // 2
        assert m.to_cp(u) == i


# --- export shape --------------------------------------------------------------------

def test_export_shape_and_code_point_offsets_after_emoji():
    """Label Studio's page counts code points: a region after emoji is at our own offsets."""
    text = "Family 👨‍👩‍👧 and flag 🇮🇹: salary $300,000 per year.\nNext line 🙂 «quote»."
    doc = doc_of(text, date="2023-07")
    s = text.index("$300,000")
    q = text.index("«quote»")
    anns = [ann(doc, s, s + 8, note="gross, not net"), ann(doc, q, q + 7, "quote", annotator="bob")]
    tasks = json.loads(export([(doc, anns)]))
    assert isinstance(tasks, list) and len(tasks) == 1
    task = tasks[0]
    assert task["data"] == {"text": text, "doc_id": "doc/1", "title": "A title", "lang": "en", "sha256": doc.sha256,
                            "date": "2023-07", "offset_unit": "codepoint"}
    assert all("completed_by" not in a for a in task["annotations"])  # Label Studio refuses unknown emails
    by_annotator = {a["result"][0]["meta"]["annotator"]: a for a in task["annotations"]}
    assert set(by_annotator) == {"alice", "bob"}
    region = by_annotator["alice"]["result"][0]
    assert region["from_name"] == "label" and region["to_name"] == "text" and region["type"] == "labels"
    assert region["value"]["labels"] == ["salary"]
    assert region["value"]["text"] == "$300,000"
    assert region["meta"] == {"text": ["gross, not net"], "annotator": "alice",
                              "value": {"min": 300000, "max": 300000, "currency": "USD", "period": None}}
    assert (region["value"]["start"], region["value"]["end"]) == (s, s + 8)
    assert by_annotator["bob"]["result"][0]["value"]["start"] == q
    for a in task["annotations"]:
        for r in a["result"]:
            v = r["value"]
            assert text[v["start"]:v["end"]] == v["text"]
    assert task["predictions"] == []


def test_utf16_option_writes_and_reads_utf16_units(tmp_path):
    text = "Family 👨‍👩‍👧 and flag 🇮🇹: salary $300,000 per year.\nNext line 🙂 «quote»."
    doc = doc_of(text)
    s = text.index("$300,000")
    anns = [ann(doc, s, s + 8), ann(doc, text.index("«"), len(text) - 1, "quote", annotator="bob", status="suggested")]
    payload = export([(doc, anns)], LS16)
    task = json.loads(payload)[0]
    assert task["data"]["offset_unit"] == "utf16"
    region = task["annotations"][0]["result"][0]
    assert region["value"]["start"] == Utf16Map(text).to_utf16(s) > s  # emoji before the span take two units each
    for group in task["annotations"] + task["predictions"]:
        for r in group["result"]:
            assert utf16_slice(text, r["value"]["start"], r["value"]["end"]) == r["value"]["text"]
    # data.offset_unit wins over the reader's option, both ways
    for fmt in (LS, LS16):
        items, problems = read_back(tmp_path, payload, fmt=fmt)
        assert not problems and span_keys(items[0].spans) == span_keys_of(anns)
    items, problems = read_back(tmp_path, export([(doc, anns)]), fmt=LS16)
    assert not problems and span_keys(items[0].spans) == span_keys_of(anns)


def test_unknown_offset_unit_is_a_clear_error(tmp_path):
    from reader.errors import FormatError

    with pytest.raises(FormatError, match="labelstudio: unknown offset unit 'bytes'"):
        LS.with_options(offsets="bytes")
    items, problems = read_back(tmp_path, json.dumps([{"data": {"text": "abc", "offset_unit": "bytes"}}]))
    assert items == [] and [p.reason for p in problems] == ["task 1: unknown data.offset_unit 'bytes' (expected codepoint or utf16)"]


def test_suggestions_become_predictions_and_come_back_suggested(tmp_path):
    doc = doc_of("pay 🙂 $5 per day, paid 🙂 $6")
    a = ann(doc, doc.text.index("$5"), doc.text.index("$5") + 2)
    b = ann(doc, doc.text.index("$6"), doc.text.index("$6") + 2, status="suggested", source="suggest:salary", annotator="reader")
    task = json.loads(export([(doc, [a, b])]))[0]
    assert len(task["annotations"]) == 1 and len(task["predictions"]) == 1
    assert task["predictions"][0]["model_version"] == "suggest:salary"
    assert task["predictions"][0]["result"][0]["value"]["text"] == "$6"
    items, problems = read_back(tmp_path, json.dumps([task]))
    assert not problems
    assert span_keys(items[0].spans) == span_keys_of([a, b])


def span_keys_of(anns):
    return sorted((a.start, a.end, a.label, a.note, a.annotator, a.status) for a in anns)


# --- round trip ----------------------------------------------------------------------

def test_round_trip_keeps_labels_notes_annotators_ids_and_overlaps(tmp_path):
    text = "🇫🇷 Il a dit «300 000 € 👍🏽 par an».\nمَرْحَبًا 𠮷 $5"
    doc = doc_of(text, lang="fr")
    anns = [
        ann(doc, 3, len(text), "quote", note="multi\nline note", annotator="alice"),
        ann(doc, text.index("300"), text.index("par"), "salary", annotator="bob"),
        ann(doc, text.index("300"), text.index("par"), "claim", annotator="bob", note="same span, other label"),
        ann(doc, text.index("$5"), len(text), "salary", annotator="alice"),
    ]
    items, problems = read_back(tmp_path, export([(doc, anns)]))
    assert problems == []
    (item,) = items
    assert item.text == text and item.doc_id == "doc/1" and item.sha256 == doc.sha256
    assert item.title == "A title" and item.lang == "fr"
    assert span_keys(item.spans) == span_keys_of(anns)
    assert sorted(s.id for s in item.spans) == sorted(a.id for a in anns)
    for s in item.spans:
        assert text[s.start:s.end] == s.text


@st.composite
def documents_with_spans(draw):
    text = "".join(draw(st.lists(st.sampled_from(PIECES) | st.text(min_size=1, max_size=4), min_size=1, max_size=25)))
    doc = doc_of(text, doc_id=draw(st.sampled_from(["d1", "a/b/c", "ümlaut doc"])))
    anns = []
    for _ in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, len(text) - 1)) if text else 0
        end = draw(st.integers(start + 1, len(text))) if text else 0
        if not text:
            break
        anns.append(
            ann(
                doc, start, end,
                label=draw(st.sampled_from(["salary", "quote", "claim", "pay range", "ラベル"])),
                note=draw(st.text(max_size=12)),
                annotator=draw(st.sampled_from(["alice", "bob", "ゆき"])),
                status=draw(st.sampled_from(["accepted", "suggested"])),
                aid=f"id{len(anns)}",
            )
        )
    return doc, anns


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(documents_with_spans())
def test_hypothesis_round_trip_random_unicode(tmp_path, case):
    doc, anns = case
    payload = export([(doc, anns)])
    task = json.loads(payload)[0]
    for group in task["annotations"] + task["predictions"]:
        for r in group["result"]:
            v = r["value"]
            assert doc.text[v["start"]:v["end"]] == v["text"]
    items, problems = read_back(tmp_path, payload)
    assert problems == []
    (item,) = items
    assert item.text == doc.text
    assert span_keys(item.spans) == span_keys_of(anns)
    for s in item.spans:
        assert doc.text[s.start:s.end] == s.text


# --- a real JavaScript consumer -------------------------------------------------------

NODE_CHECK = r"""
const fs = require('fs');
const tasks = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const out = [];
for (const task of tasks) {
  for (const group of [...task.annotations, ...task.predictions]) {
    for (const r of group.result) {
      const v = r.value;
      out.push({start: v.start, end: v.end, sliced: task.data.text.slice(v.start, v.end), text: v.text});
    }
  }
}
process.stdout.write(JSON.stringify(out));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_javascript_slicing_of_the_utf16_export_gives_the_span_text(tmp_path):
    text = "👨‍👩‍👧‍👦🇮🇹👍🏽 𠮷 e\u0301 «Il guadagna dai 300mila ai 900mila dollari» 🙂\nمَرْحَبًا $5"
    doc = doc_of(text)
    q0 = text.index("«")
    q1 = text.index("»") + 1
    s0 = text.index("dai")
    anns = [ann(doc, q0, q1, "quote"), ann(doc, s0, text.index(" dollari") + 8, "salary"), ann(doc, text.index("$5"), len(text), "salary", status="suggested")]
    path = tmp_path / "ls.json"
    path.write_text(export([(doc, anns)], LS16), encoding="utf-8")
    script = tmp_path / "check.js"
    script.write_text(NODE_CHECK, encoding="utf-8")
    result = subprocess.run(["node", str(script), str(path)], capture_output=True, text=True, encoding="utf-8", check=True)
    rows = json.loads(result.stdout)
    assert len(rows) == 3
    for row in rows:
        assert row["sliced"] == row["text"]
    assert {row["text"] for row in rows} == {a.text for a in anns}


# --- importing Label Studio's own exports ---------------------------------------------

def test_import_label_studio_export_with_user_ids_textarea_notes_and_other_results(tmp_path):
    text = "🙂 Salary: $5. Quote: «hi»."
    s, e = text.index("$5"), text.index("$5") + 2  # Label Studio writes code points
    task = {
        "id": 17,
        "data": {"text": text, "source_url": "http://x"},
        "annotations": [
            {
                "id": 9, "completed_by": 3, "was_cancelled": False,
                "result": [
                    {"id": "r1", "from_name": "label", "to_name": "text", "type": "labels",
                     "value": {"start": s, "end": e, "text": "$5", "labels": ["salary", "claim"]}},
                    {"id": "r1", "from_name": "notes", "to_name": "text", "type": "textarea",
                     "value": {"start": s, "end": e, "text": ["per day"]}},
                    {"id": "c1", "from_name": "sentiment", "to_name": "text", "type": "choices", "value": {"choices": ["Positive"]}},
                ],
            },
            {"id": 10, "completed_by": 4, "was_cancelled": True, "result": []},
        ],
        "predictions": [
            {"model_version": "m1", "result": [
                {"id": "r1", "from_name": "label", "to_name": "text", "type": "labels",
                 "value": {"start": s, "end": e, "labels": ["salary"]}}]},
        ],
    }
    items, problems = read_back(tmp_path, json.dumps([task]))
    (item,) = items
    assert item.doc_id is None and item.meta == {"labelstudio_id": 17, "source_url": "http://x"}
    got = sorted((sp.start, sp.end, sp.label, sp.note, sp.annotator, sp.status, sp.id) for sp in item.spans)
    assert got == [
        (s, e, "claim", "per day", "labelstudio-user-3", "accepted", "r1-2"),
        (s, e, "salary", "", None, "suggested", "r1"),
        (s, e, "salary", "per day", "labelstudio-user-3", "accepted", "r1-1"),
    ] or got == [
        (s, e, "claim", "per day", "labelstudio-user-3", "accepted", "r1-2"),
        (s, e, "salary", "", None, "suggested", None),
        (s, e, "salary", "per day", "labelstudio-user-3", "accepted", "r1-1"),
    ]
    assert [p.reason for p in problems] == ["task 1 (id 17): results of type 'choices' were skipped (only span labels are imported)"]


def test_import_json_min_and_single_task_object(tmp_path):
    text = "x 🙂 pay"
    items, problems = read_back(tmp_path, json.dumps({"text": text, "id": 1, "annotator": 2, "label": [{"start": 5, "end": 8, "text": "pay", "labels": ["salary"]}]}))
    assert not problems
    assert [(s.start, s.end, s.label, s.annotator) for s in items[0].spans] == [(4, 7, "salary", "labelstudio-user-2")]


def test_bad_regions_are_reported_and_good_ones_kept(tmp_path):
    text = "a🙂b cd"
    tasks = [
        {"data": {"text": text, "offset_unit": "utf16"}, "annotations": [{"result": [
            {"id": "ok", "type": "labels", "value": {"start": 5, "end": 7, "text": "cd", "labels": ["quote"]}},
            {"id": "mid", "type": "labels", "value": {"start": 2, "end": 3, "labels": ["quote"]}},
            {"id": "far", "type": "labels", "value": {"start": 0, "end": 99, "labels": ["quote"]}},
            {"id": "txt", "type": "labels", "value": {"start": 4, "end": 6, "text": "zz", "labels": ["quote"]}},
            {"id": "str", "type": "labels", "value": {"start": "4", "end": 6, "labels": ["quote"]}},
            {"id": "nol", "type": "labels", "value": {"start": 4, "end": 6, "labels": []}},
        ]}]},
        {"data": {"a": 1, "b": 2}},
        "not a task",
    ]
    items, problems = read_back(tmp_path, json.dumps(tasks))
    assert [(s.id, s.start, s.end) for s in items[0].spans] == [("ok", 4, 6)]
    reasons = "\n".join(p.reason for p in problems)
    assert "region mid: UTF-16 offset 2 falls inside a surrogate pair" in reasons
    assert "region far: UTF-16 offset 99 is outside the text" in reasons
    assert "region txt: value.text 'zz' does not match" in reasons
    assert "region str: start/end must be integers" in reasons
    assert "region nol: value.labels must be a non-empty list" in reasons
    assert "task 2: no text" in reasons
    assert "task 3: expected a JSON object, found str" in reasons
    assert [p.line for p in problems if "task 2" in p.reason] == [2]


def test_bad_code_point_regions_are_reported(tmp_path):
    text = "a🙂b cd"
    tasks = [{"data": {"text": text}, "annotations": [{"result": [
        {"id": "ok", "type": "labels", "value": {"start": 4, "end": 6, "text": "cd", "labels": ["quote"]}},
        {"id": "far", "type": "labels", "value": {"start": 0, "end": 99, "labels": ["quote"]}},
        {"id": "txt", "type": "labels", "value": {"start": 4, "end": 6, "text": "zz", "labels": ["quote"]}},
    ]}]}]
    items, problems = read_back(tmp_path, json.dumps(tasks))
    assert [(s.id, s.start, s.end) for s in items[0].spans] == [("ok", 4, 6)]
    assert [p.reason for p in problems] == [
        "task 1: region far: offset 99 is outside the text (0-6 code points)",
        "task 1: region txt: value.text 'zz' does not match the task text at code points 4-6, which holds 'cd'",
    ]


def test_offsets_in_the_other_unit_are_accepted_when_value_text_proves_them(tmp_path):
    """Our older exports (UTF-16, no offset_unit) and tools that count code points under --offsets utf16."""
    text = "🙂🙂 pay"
    region = {"type": "labels", "value": {"start": 3, "end": 6, "text": "pay", "labels": ["salary"]}}
    old = {"type": "labels", "value": {"start": 5, "end": 8, "text": "pay", "labels": ["claim"]}}
    task = {"data": {"text": text}, "annotations": [{"result": [region, old]}]}
    for fmt in (LS, LS16):
        items, problems = read_back(tmp_path, json.dumps([task]), fmt=fmt)
        assert not problems
        assert sorted((s.start, s.end, s.label) for s in items[0].spans) == [(3, 6, "claim"), (3, 6, "salary")]


# --- streaming -----------------------------------------------------------------------

def test_streaming_reader_handles_items_larger_than_a_chunk(tmp_path):
    values = [{"data": {"text": "x" * n}} for n in (0, 10, 5000, 3)]
    path = tmp_path / "big.json"
    path.write_text("\ufeff [ " + " ,\n".join(json.dumps(v) for v in values) + " ]\n", encoding="utf-8")
    got = list(iter_json_array(path, chunk_chars=64))
    assert [g[2] for g in got] == [None] * 4
    assert [g[1] for g in got] == values


def test_streaming_reader_gives_nothing_for_a_file_of_blanks(tmp_path):
    """No item and no problem: the importer says "no records to import" in one line (a problem here
    made a two-line report of "0 record(s), 1 problem(s)" for ``/dev/null`` or an empty pipe)."""
    for payload in ("", "  \n\t", "\ufeff\n"):
        path = tmp_path / "blank.json"
        path.write_text(payload, encoding="utf-8")
        assert list(iter_json_array(path, what="task", chunk_chars=4)) == []


@pytest.mark.parametrize(
    "payload, message",
    [
        ('[{"a": 1}, {"b": ', "invalid JSON in task 2"),
        ('[{"a": 1} {"b": 2}]', "expected ',' or ']' after task 1"),
        ('[{"a": 1},', "ends before the JSON array is closed"),
        ('"text"', "expected a JSON array of tasks"),
        ('[{"a": 1}] trailing', "unexpected data after the end"),
    ],
)
def test_streaming_reader_reports_broken_json(tmp_path, payload, message):
    path = tmp_path / "bad.json"
    path.write_text(payload, encoding="utf-8")
    got = list(iter_json_array(path, what="task", chunk_chars=4))
    problems = [p for _, _, p in got if p]
    assert len(problems) == 1 and message in problems[0]


def test_streaming_reader_caps_item_size(tmp_path):
    path = tmp_path / "huge.json"
    path.write_text('[{"data": {"text": "' + "x" * 5000 + '"}}]', encoding="utf-8")
    got = list(iter_json_array(path, what="task", max_item_bytes=1000, chunk_chars=100))
    assert got[-1][1] is None and "larger than" in got[-1][2]


def test_non_utf8_file_is_a_problem_not_a_crash(tmp_path):
    path = tmp_path / "latin1.json"
    path.write_bytes('[{"data": {"text": "caf\xe9"}}]'.encode("latin-1"))
    out = list(LS.read(path))
    assert len(out) == 1 and isinstance(out[0], ImportProblem) and "not valid UTF-8" in out[0].reason


# --- end to end: store -> export_corpus -> import_file into an empty store -------------------


def store_keys(store):
    return sorted((a.doc_id, a.start, a.end, a.label, a.text, a.note, a.annotator, a.status, a.id) for a in store.all(statuses=("accepted", "suggested")))


def test_seeds_round_trip_through_the_pipeline(tmp_path):
    from reader.formats.pipeline import export_corpus, import_file
    from reader.text import snap_span
    from reader.workspace import Workspace

    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    # a document with emoji before its spans
    (seeds / "emoji.txt").write_text("👨‍👩‍👧‍👦🇮🇹 Lo stipendio: dai 300mila ai 900mila dollari 👍🏽.\n«Bene»\n", encoding="utf-8")
    with Workspace.open(seeds, tmp_path / "s1", detect=False) as ws:
        for doc in ws.corpus:
            text = doc.text
            for k, label in enumerate(["salary", "quote", "claim", "opinion"]):
                s, e = snap_span(text, (len(text) // 5) * (k + 1), (len(text) // 5) * (k + 1) + 17 + k)
                ws.store.add(doc.id, s, e, label, note=f"note {k}\nsecond line" if k % 2 else "", annotator=["maria", "luca"][k % 2])
            s, e = snap_span(text, 10, 40)
            ws.store.add(doc.id, s, e, "quote", status="suggested")
        out = tmp_path / "ls.json"
        result = export_corpus("labelstudio", ws.corpus, ws.store, out, include_suggested=True)
        want = store_keys(ws.store)
    assert result.spans == len(want)
    tasks = json.loads(out.read_text(encoding="utf-8"))
    for task in tasks:
        for group in task["annotations"] + task["predictions"]:
            for r in group["result"]:
                v = r["value"]
                assert task["data"]["text"][v["start"]:v["end"]] == v["text"]  # code points, as Label Studio's page
    with Workspace.open(seeds, tmp_path / "s2", detect=False) as ws:
        report = import_file("labelstudio", out, ws.corpus, ws.store)
        assert report.problems == [] and report.new_documents == 0 and report.imported == len(want)
        assert store_keys(ws.store) == want
        again = import_file("labelstudio", out, ws.corpus, ws.store)
        assert again.imported == 0 and again.duplicates == len(want)


def test_import_without_the_corpus_keeps_documents_and_spans(tmp_path):
    from reader.formats.pipeline import export_corpus, import_file
    from reader.workspace import Workspace

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = "🙂 «Ciao», disse. Paga: $5.\n"
    (corpus / "a.txt").write_text(text, encoding="utf-8")
    with Workspace.open(corpus, tmp_path / "s1", detect=False) as ws:
        ws.store.add("a", text.index("«"), text.index("»") + 1, "quote", note="n", annotator="maria")
        export_corpus("labelstudio", ws.corpus, ws.store, tmp_path / "ls.json")
        want = store_keys(ws.store)
    empty = tmp_path / "empty"
    empty.mkdir()
    with Workspace.open(empty, tmp_path / "s2", detect=False) as ws:
        report = import_file("labelstudio", tmp_path / "ls.json", ws.corpus, ws.store)
        assert report.problems == [] and report.new_documents == 1 and report.imported == 1
        (doc,) = ws.store.imported_documents()
        assert doc.id == "a" and doc.text == text
        assert store_keys(ws.store) == want


def test_json_lines_of_tasks_are_read_too(tmp_path):
    lines = [json.dumps({"data": {"text": f"🙂 pay {n}"}, "annotations": [{"result": [
        {"type": "labels", "value": {"start": 3, "end": 6, "text": "pay", "labels": ["salary"]}}]}]}) for n in range(3)]
    items, problems = read_back(tmp_path, "\n".join(lines) + "\n", "tasks.jsonl")
    assert not problems
    assert [i.line for i in items] == [1, 2, 3]
    assert all([(s.start, s.end) for s in i.spans] == [(2, 5)] for i in items)


def test_cli_offsets_option_for_label_studio_export_and_import(tmp_path, capsys):
    from reader.cli import main
    from reader.workspace import Workspace

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    text = "😀😀 pay $5 now"
    (corpus / "e.txt").write_text(text, encoding="utf-8")
    with Workspace.open(corpus, tmp_path / "s1", detect=False) as ws:
        ws.store.add("e", text.index("$5"), text.index("$5") + 2, "salary", annotator="alice")
    out_cp, out_16 = tmp_path / "cp.json", tmp_path / "u16.json"
    assert main(["export", str(corpus), "--store", str(tmp_path / "s1"), "--format", "labelstudio", "--out", str(out_cp)]) == 0
    assert main(["export", str(corpus), "--store", str(tmp_path / "s1"), "--format", "labelstudio", "--offsets", "utf16",
                 "--out", str(out_16)]) == 0
    v_cp = json.loads(out_cp.read_text(encoding="utf-8"))[0]["annotations"][0]["result"][0]["value"]
    v_16 = json.loads(out_16.read_text(encoding="utf-8"))[0]["annotations"][0]["result"][0]["value"]
    assert (v_cp["start"], v_cp["end"]) == (7, 9) and (v_16["start"], v_16["end"]) == (9, 11)
    # a Label Studio file without offset_unit, at UTF-16 units: --offsets utf16 reads it
    task = json.loads(out_16.read_text(encoding="utf-8"))
    del task[0]["data"]["offset_unit"]
    del task[0]["annotations"][0]["result"][0]["value"]["text"]  # nothing to prove either unit
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps(task), encoding="utf-8")
    capsys.readouterr()
    assert main(["import", str(corpus), str(bare), "--store", str(tmp_path / "s2"), "--format", "labelstudio", "--offsets", "utf16"]) == 0
    with Workspace.open(corpus, tmp_path / "s2", detect=False, readonly=True) as ws:
        assert [(a.start, a.end, a.text) for a in ws.store.all()] == [(7, 9, "$5")]
