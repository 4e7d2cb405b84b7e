"""Regression tests for the interchange defects that real consumers found (issue 14).

Each test reproduces what doccano, Label Studio or brat did with our files,
then checks that the file we write (or the way we read theirs) no longer
loses or misplaces anything. `make interop` runs the same files through the
real tools; these tests keep the fixes in `make test`.
"""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from reader.formats import get_format
from reader.formats.base import ImportItem, ImportNote, ImportProblem
from reader.formats.brat import annotation_conf, fragments
from reader.formats.doccano import DoccanoFormat
from reader.formats.offsets import Utf16Map
from reader.formats.pipeline import export_corpus, import_file
from reader.workspace import Workspace

TEXT = "Paga 👩‍💻 bene: $300,000 🇮🇹 all'anno.\nSecond line, salary 5 €.\n\nEnd"


@pytest.fixture
def ws(tmp_path):
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "d.txt").write_text(TEXT, encoding="utf-8")
    w = Workspace.open(root, tmp_path / "store", detect=False)
    yield w
    w.close()


def add(ws, needle, label, **kw):
    i = TEXT.index(needle)
    return ws.store.add("d", i, i + len(needle), label, **kw)


def fresh(tmp_path, name="store2"):
    return Workspace.open(tmp_path / "corpus", tmp_path / name, detect=False)


def read_all(fmt, path):
    out = list(fmt.read(path))
    return ([x for x in out if isinstance(x, ImportItem)], [x for x in out if isinstance(x, ImportProblem)],
            [x for x in out if isinstance(x, ImportNote)])


# --- 1. doccano: span_info follows its span, not its position ---------------------

def test_doccano_span_info_matched_by_span_not_position(ws, tmp_path):
    a = add(ws, "$300,000", "salary", note="gross")
    b = add(ws, "salary 5 €", "claim", note="second")
    c = add(ws, "bene", "opinion", note="third")
    out = tmp_path / "d.jsonl"
    export_corpus("doccano", ws.corpus, ws.store, out)
    rec = json.loads(out.read_text(encoding="utf-8"))
    # what an annotator does in doccano: spans reordered, one deleted, one added; span_info untouched
    rec["label"] = rec["label"][1:] + rec["label"][:1]
    deleted = next(x for x in rec["label"] if x[2] == "opinion")
    rec["label"].remove(deleted)
    rec["label"].append([0, 4, "claim"])
    out.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")

    with fresh(tmp_path) as ws2:
        report = import_file("doccano", out, ws2.corpus, ws2.store)
        got = {(x.text, x.label): x for x in ws2.store.all()}
    assert report.problem_count == 0
    assert set(got) == {("$300,000", "salary"), ("salary 5 €", "claim"), ("Paga", "claim")}
    assert got[("$300,000", "salary")].note == "gross" and got[("$300,000", "salary")].id == a.id
    assert got[("salary 5 €", "claim")].note == "second" and got[("salary 5 €", "claim")].id == b.id
    new = got[("Paga", "claim")]
    assert new.note == "" and new.id not in {a.id, b.id, c.id}
    summary = report.summary()
    assert "1 span(s) on 1 line(s) have no span_info entry" in summary
    assert "1 span_info entry matched no span" in summary


def test_doccano_unmatched_spans_exit_zero_in_cli(ws, tmp_path, capsys):
    from reader.cli import main

    add(ws, "$300,000", "salary", note="gross")
    out = tmp_path / "d.jsonl"
    export_corpus("doccano", ws.corpus, ws.store, out)
    rec = json.loads(out.read_text(encoding="utf-8"))
    rec["label"].insert(0, [0, 4, "claim"])
    out.write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    ws.close()
    code = main(["import", str(tmp_path / "corpus"), str(out), "--store", str(tmp_path / "s3"), "--format", "doccano"])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "imported 2 annotation(s)" in printed and "1 span(s) on 1 line(s) have no span_info entry" in printed


def test_doccano_same_span_twice_in_label_gets_one_entry(tmp_path):
    # two identical triples (doccano allows it): each entry is used once
    line = {"text": "abc def", "label": [[0, 3, "claim"], [0, 3, "claim"]],
            "span_info": [{"start": 0, "end": 3, "label": "claim", "note": "only one"}]}
    p = tmp_path / "x.jsonl"
    p.write_text(json.dumps(line), encoding="utf-8")
    items, problems, notes = read_all(get_format("doccano"), p)
    assert problems == []
    assert [s.note for s in items[0].spans] == ["only one", ""]
    assert len(notes) == 1 and "1 span(s)" in notes[0].reason


# --- 2. Label Studio: the annotator is free metadata, never completed_by ---------------

def test_labelstudio_export_has_no_completed_by_and_keeps_annotator(ws, tmp_path):
    add(ws, "$300,000", "salary", note="n", annotator="maria@example.org")
    add(ws, "bene", "claim", annotator="os-user", status="suggested")
    out = tmp_path / "ls.json"
    export_corpus("labelstudio", ws.corpus, ws.store, out, include_suggested=True)
    raw = out.read_text(encoding="utf-8")
    assert "completed_by" not in raw
    task = json.loads(raw)[0]
    region = task["annotations"][0]["result"][0]
    assert region["meta"]["text"] == ["n"] and region["meta"]["annotator"] == "maria@example.org"
    assert task["predictions"][0]["result"][0]["meta"]["annotator"] == "os-user"
    with fresh(tmp_path) as ws2:
        import_file("labelstudio", out, ws2.corpus, ws2.store)
        who = {a.text: a.annotator for a in ws2.store.all(statuses=("accepted", "suggested"))}
    assert who == {"$300,000": "maria@example.org", "bene": "os-user"}


def test_labelstudio_region_meta_annotator_wins_over_completed_by(tmp_path):
    task = {"id": 3, "data": {"text": "pay 5 $"}, "annotations": [{"completed_by": 1, "result": [
        {"id": "r1", "type": "labels", "from_name": "label", "to_name": "text",
         "value": {"start": 4, "end": 7, "text": "5 $", "labels": ["salary"]}, "meta": {"annotator": "maria"}},
        {"id": "r2", "type": "labels", "from_name": "label", "to_name": "text",
         "value": {"start": 0, "end": 3, "text": "pay", "labels": ["claim"]}}]}]}
    p = tmp_path / "ls.json"
    p.write_text(json.dumps([task]), encoding="utf-8")
    items, problems, _ = read_all(get_format("labelstudio"), p)
    assert problems == []
    assert [s.annotator for s in items[0].spans] == ["maria", "labelstudio-user-1"]


# --- 3. Label Studio: predictions listed by id -----------------------------------------

def test_labelstudio_id_only_predictions_are_a_note_not_a_problem(ws, tmp_path, capsys):
    from reader.cli import main

    add(ws, "$300,000", "salary")
    out = tmp_path / "ls.json"
    export_corpus("labelstudio", ws.corpus, ws.store, out)
    tasks = json.loads(out.read_text(encoding="utf-8"))
    tasks[0]["predictions"] = [1, 2]  # what Label Studio's JSON export writes
    out.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    ws.close()
    code = main(["import", str(tmp_path / "corpus"), str(out), "--store", str(tmp_path / "s3")])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "imported 1 annotation(s)" in printed
    assert "2 prediction(s) in 1 task(s) are listed by id only" in printed and "problem" not in printed


# --- 4. brat: overlap declared, so brat's checker accepts nested and crossing spans ---

def test_brat_conf_declares_overlap_under_relations():
    conf = annotation_conf(["salary", "claim"], [], False)
    sections: dict[str, list[str]] = {}
    current = ""
    for line in conf.splitlines():
        if line.startswith("[") and line.endswith("]"):
            current = line
        elif line and not line.startswith("#"):
            sections.setdefault(current, []).append(line)
    assert "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>" in sections["[relations]"]


# --- 5. brat: never an empty fragment; line-break-only spans come back ------------------

@pytest.mark.parametrize("text,start,end,want", [
    ("ab\ncd", 0, 5, [(0, 2), (3, 5)]),
    ("ab\n\ncd", 0, 6, [(0, 2), (4, 6)]),
    ("ab\n", 0, 3, [(0, 2)]),
    ("\nab", 0, 3, [(1, 3)]),
    ("a\n\nb", 1, 3, []),
    ("a  b", 1, 3, [(1, 3)]),
])
def test_brat_fragments_are_never_empty(text, start, end, want):
    assert fragments(text, start, end) == want


def test_brat_line_break_spans_round_trip(ws, tmp_path):
    nl = TEXT.index("\n\n")
    only_breaks = ws.store.add("d", nl, nl + 2, "salary", note="between", annotator="x")
    trailing = add(ws, "salary 5 €.\n", "claim", note="with its line break")
    leading = ws.store.add("d", nl + 1, len(TEXT), "quote")
    crossing = add(ws, "all'anno.\nSecond", "opinion", note="crosses")
    out = tmp_path / "brat"
    result = export_corpus("brat", ws.corpus, ws.store, out)
    assert any("1 span(s) made only of line breaks" in n for n in result.notes)
    ann = (out / "d.ann").read_text(encoding="utf-8")
    for line in ann.splitlines():
        if line.startswith("T"):
            for frag in line.split("\t")[1].split(" ", 1)[1].split(";"):
                s, e = map(int, frag.split())
                assert s < e, line
    with fresh(tmp_path) as ws2:
        report = import_file("brat", out, ws2.corpus, ws2.store)
        got = {a.id: a for a in ws2.store.all()}
    assert report.problem_count == 0, report.problems
    for a in (only_breaks, trailing, leading, crossing):
        b = got[a.id]
        assert (b.start, b.end, b.label, b.note, b.text) == (a.start, a.end, a.label, a.note, a.text)
    assert got[only_breaks.id].annotator == "x"


# --- 6. doccano offsets are UTF-16 by default; code points on request -------------------

def test_doccano_default_offsets_are_utf16(ws, tmp_path):
    a = add(ws, "$300,000", "salary")
    out = tmp_path / "d.jsonl"
    export_corpus("doccano", ws.corpus, ws.store, out)
    rec = json.loads(out.read_text(encoding="utf-8"))
    assert rec["offset_unit"] == "utf16"
    s, e, _ = rec["label"][0]
    assert Utf16Map(TEXT).to_utf16(a.start) == s != a.start  # the emoji before it take two units each
    assert TEXT.encode("utf-16-le")[2 * s:2 * e].decode("utf-16-le") == "$300,000"
    # a doccano file without offset_unit (doccano's own export drops nothing, but other tools might)
    del rec["offset_unit"]
    del rec["span_info"]
    out.write_text(json.dumps(rec, ensure_ascii=False), encoding="utf-8")
    items, problems, _ = read_all(get_format("doccano"), out)
    assert problems == [] and TEXT[items[0].spans[0].start:items[0].spans[0].end] == "$300,000"
    # code points stay available
    buf = io.StringIO()
    DoccanoFormat(offsets="codepoint").write([(ws.corpus.get("d"), [a])], buf)
    rec = json.loads(buf.getvalue())
    assert rec["offset_unit"] == "codepoint" and rec["label"][0][:2] == [a.start, a.end]


def test_doccano_cli_default_and_codepoint_option(ws, tmp_path, capsys):
    from reader.cli import main

    a = add(ws, "$300,000", "salary")
    ws.close()
    corpus, store = str(tmp_path / "corpus"), str(tmp_path / "store")
    assert main(["export", corpus, "--store", store, "--format", "doccano"]) == 0
    rec = json.loads(capsys.readouterr().out)
    assert rec["offset_unit"] == "utf16" and rec["label"][0][0] == Utf16Map(TEXT).to_utf16(a.start)
    assert main(["export", corpus, "--store", store, "--format", "doccano", "--offsets", "codepoint"]) == 0
    rec = json.loads(capsys.readouterr().out)
    assert rec["offset_unit"] == "codepoint" and rec["label"][0][0] == a.start


def test_readme_says_doccano_offsets_are_utf16():
    readme = (Path(__file__).resolve().parents[2] / "docs" / "formats.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| `doccano`"))
    assert "UTF-16" in row and "--offsets codepoint" in row


async def test_export_dialog_says_doccano_offsets_are_utf16():
    from textual.app import App
    from textual.widgets import Select, Static
    from types import SimpleNamespace

    from reader.tui.app import UnavailableStore
    from reader.tui.dialogs import ExportDialog

    class Host(App):
        def __init__(self):
            super().__init__()
            self.corpus = SimpleNamespace(root=Path("seeds"), documents=[])
            self.store = UnavailableStore(Path("annotations"), "a test host")

        def on_mount(self) -> None:
            self.push_screen(ExportDialog())

    app = Host()
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        line = app.screen.query_one("#export-offsets", Static)
        assert not line.display  # jsonl: no offset choice
        app.screen.query_one("#export-format", Select).value = "doccano"
        await pilot.pause()
        assert line.display
        shown = str(line.render())
        assert "UTF-16" in shown and "--offsets codepoint" in shown


def test_doccano_file_is_ascii_so_doccano_auto_encoding_cannot_misread_it(ws, tmp_path):
    # doccano's import form guesses the encoding (chardet), and reads UTF-8 with emoji and Arabic as Windows-1254
    add(ws, "$300,000", "salary", note="lordo – «netto» 👩‍💻")
    out = tmp_path / "d.jsonl"
    export_corpus("doccano", ws.corpus, ws.store, out)
    raw = out.read_bytes()
    assert raw.isascii()
    assert raw.decode("cp1254") == raw.decode("utf-8")  # the same under any ASCII-compatible guess
    rec = json.loads(raw)
    assert rec["text"] == TEXT and rec["span_info"][0]["note"] == "lordo – «netto» 👩‍💻"
    with fresh(tmp_path) as ws2:
        report = import_file("doccano", out, ws2.corpus, ws2.store)
        assert report.imported == 1 and ws2.store.all()[0].note == "lordo – «netto» 👩‍💻"
