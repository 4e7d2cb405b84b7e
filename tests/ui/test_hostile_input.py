"""Hostile input, round two (issue #13): language tags, labels.toml, bidi controls,
lone surrogates, deep nesting and file names that are not UTF-8.

Each test reproduces one attack from the issue through the real entry point
(the CLI in-process, or a subprocess on a real pseudo-terminal) and checks
that nothing raw reaches the output and that the valid rest still imports.
"""
from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reader.cli import main
from reader.corpus import load_corpus
from reader.errors import LabelsError, ReaderError
from reader.labels import MAX_LABELS, LabelSet
from reader.lang.langtag import normalise_tag
from reader.store import AnnotationStore
from reader.text import BIDI_CONTROLS, inert, json_terminal_safe

ROOT = Path(__file__).resolve().parents[2]
OSC_TITLE = "\x1b]2;LPWN\x1b\\"
BIDI = "".join(chr(c) for c in BIDI_CONTROLS)


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def no_raw_controls(text: str) -> None:
    assert "\x1b" not in text and "\x9b" not in text
    assert not any(ch in text for ch in BIDI), [hex(ord(c)) for c in text if c in BIDI]


@pytest.fixture
def corpus(tmp_path):
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "a.txt").write_text("Alpha beta gamma.\n", encoding="utf-8")
    return root


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


# --------------------------------------------------------------------- 2. language tags

@pytest.mark.parametrize("tag, canonical", [
    ("en", "en"), ("zh-cn", "zh-cn"), ("zh_CN", "zh-cn"), ("sr-Latn-RS", "sr-latn-rs"), ("es-419", "es-419"),
    ("de-CH-1996", "de-ch-1996"), ("x-private", "x-private"), ("i-klingon", "i-klingon"), ("yue", "yue"),
])
def test_well_formed_language_tags(tag, canonical):
    assert normalise_tag(tag) == canonical


@pytest.mark.parametrize("tag", [OSC_TITLE, "e", "en-", "-en", "abcd", "en--us", "toolonglanguage", "\u212a", "en us", "\u202eer", "", 3])
def test_malformed_language_tags(tag):
    assert normalise_tag(tag) is None


@given(st.text(max_size=12))
def test_any_accepted_tag_is_plain_ascii(value):
    tag = normalise_tag(value)
    if tag is not None:
        assert tag.isascii() and tag.replace("-", "").isalnum() and tag == tag.lower()


def test_import_reports_a_bad_language_by_line_and_imports_the_rest(tmp_path, corpus, capsys):
    store = tmp_path / "store"
    data = write_jsonl(tmp_path / "in.jsonl", [
        {"id": "ok", "text": "Good text", "lang": "it", "spans": [{"start": 0, "end": 4, "label": "quote"}]},
        {"id": "evil", "text": "Evil text", "lang": OSC_TITLE, "spans": [{"start": 0, "end": 4, "label": "quote"}]},
    ])
    code, out, err = run(capsys, "import", corpus, data, "--store", store)
    assert code == 1
    no_raw_controls(out + err)
    assert "line 2" in out and "not a language code" in out
    with AnnotationStore(store, readonly=True) as s:
        docs = {d.id: d for d in s.imported_documents()}
        assert docs["ok"].lang == "it"
        assert docs["evil"].lang == "unknown"  # imported, without the bad tag
        assert len(s.all()) == 2  # both annotations imported
    code, out, err = run(capsys, "docs", corpus, "--store", store, "--json")
    assert code == 0 and OSC_TITLE not in out


def test_reader_lang_refuses_a_bad_tag_and_normalises_a_good_one(tmp_path, corpus, capsys):
    store = tmp_path / "store"
    code, out, err = run(capsys, "lang", corpus, "a", OSC_TITLE, "--store", store)
    assert code == 1 and "not a language code" in err
    no_raw_controls(out + err)
    code, out, err = run(capsys, "lang", corpus, "a", "PT_br", "--store", store)
    assert code == 0 and "pt-br" in out


def test_corpus_override_api_refuses_a_bad_tag_and_ignores_a_stored_one(tmp_path, corpus):
    c = load_corpus(corpus, detect=False)
    with pytest.raises(ReaderError, match="not a language code"):
        c.set_language_override("a", OSC_TITLE)
    c.apply_overrides({"a": OSC_TITLE})  # e.g. an old store: ignored, not shown
    assert c.get("a").lang != OSC_TITLE


async def test_language_dialog_refuses_a_bad_tag(tmp_path, corpus):
    from textual.app import App

    from reader.tui.dialogs import LanguageDialog

    results = []

    class Host(App):
        corpus = None  # the dialog offers the corpus's languages when there is one

        def on_mount(self):
            self.push_screen(LanguageDialog(), results.append)

    async with Host().run_test() as pilot:
        await pilot.pause()
        await pilot.press(*"en;us", "enter")
        await pilot.pause()
        assert results == []  # still open, error shown
        error = str(pilot.app.screen.query_one("#language-error").render())
        assert "not a language code" in error
        for _ in range(5):
            await pilot.press("backspace")
        await pilot.press(*"sr_Latn", "enter")
        await pilot.pause()
        assert results == ["sr-latn"]


# --------------------------------------------------------------------- 3. labels.toml

@pytest.mark.parametrize("source, words", [
    ('[salary]\nkey = "\\u001b"\ncolor = "red"\n', "printable"),
    ('[salary]\nkey = "\\u202e"\ncolor = "red"\n', "printable"),
    ('[salary]\nkey = "\\u0301"\ncolor = "red"\n', "printable"),
    ('[salary]\nkey = ","\ncolor = "red"\n', "cannot be bound"),
    ('["salary\\n"]\nkey = "1"\ncolor = "red"\n', "label name"),
    ('["salary "]\nkey = "1"\ncolor = "red"\n', "label name"),
    ('[salary]\nkey = "1"\ncolor = "red"\ndescription = "pay\\u001b[2J"\n', "control character"),
    ('[salary]\nkey = "1"\ncolor = "red"\ndescription = "pay\\u202e"\n', "control character"),
])
def test_labels_refuse_controls_and_inexact_names(tmp_path, source, words):
    (tmp_path / "labels.toml").write_text(source, encoding="utf-8")
    with pytest.raises(LabelsError) as info:
        LabelSet.load(tmp_path)
    assert words in str(info.value) and "labels.toml" in str(info.value)
    assert info.value.line in (1, 2, 4)
    no_raw_controls(str(info.value))


def test_labels_cli_shows_the_error_inert(tmp_path, corpus, capsys):
    store = tmp_path / "store"
    store.mkdir()
    (store / "labels.toml").write_text('[salary]\nkey = "\\u001b"\ncolor = "red"\n', encoding="utf-8")
    code, out, err = run(capsys, "labels", corpus, "--store", store)
    assert code == 1 and "printable" in err
    no_raw_controls(out + err)


def test_labels_without_keys_and_the_limit(tmp_path):
    (tmp_path / "labels.toml").write_text(
        "".join(f'[lab{i}]\n{"key = " + repr(str(i)) if i < 10 and i else ""}\ncolor = "red"\n' for i in range(MAX_LABELS)),
        encoding="utf-8",
    )
    labels = LabelSet.load(tmp_path)
    assert len(labels) == MAX_LABELS and labels.by_key("3").name == "lab3" and labels.get("lab999").key == ""
    (tmp_path / "labels.toml").write_text(
        "".join(f'[lab{i}]\ncolor = "red"\n' for i in range(MAX_LABELS + 1)), encoding="utf-8"
    )
    with pytest.raises(LabelsError, match=f"at most {MAX_LABELS:,}"):
        LabelSet.load(tmp_path)


def test_bad_key_is_reported_on_its_line_in_a_large_file(tmp_path):
    lines = "".join(f'[lab{i}]\ncolor = "red"\n' for i in range(900))
    (tmp_path / "labels.toml").write_text(lines + '["last one"]\nkey = "\\u0007"\ncolor = "red"\n', encoding="utf-8")
    with pytest.raises(LabelsError) as info:
        LabelSet.load(tmp_path)
    assert info.value.line == 1802


# --------------------------------------------------------------------- 4. bidi controls

def test_inert_shows_every_bidi_control_as_a_visible_symbol():
    shown = inert("a" + BIDI + "b")
    assert len(shown) == len(BIDI) + 2  # 1:1, offsets still match
    no_raw_controls(shown)
    assert set(shown[1:-1]) <= {"⇥", "⇤", "⇹", "⇲"}


def test_json_terminal_safe_is_the_same_json():
    value = {"t": "x\u202eevil\u2066\x9b[2J\u2028"}
    text = json.dumps(value, ensure_ascii=False)
    safe = json_terminal_safe(text)
    no_raw_controls(safe)
    assert "\\u202e" in safe and "\\u009b" in safe
    assert json.loads(safe) == value


def _bidi_store(tmp_path: Path, corpus: Path) -> Path:
    store = tmp_path / "store"
    (corpus / "b\u202etxt.txt").write_text("Pay \u202eis 100\u202c euro, \x9b[2J.\n", encoding="utf-8")
    c = load_corpus(corpus, detect=False)
    doc = c.get("b\u202etxt")
    with AnnotationStore(store, corpus=c) as s:
        s.add(doc.id, 0, 12, "salary", note="n\u2067ote\x9b")
    return store


def test_docs_stats_labels_and_export_inert_on_the_cli(tmp_path, corpus, capsys, monkeypatch):
    store = _bidi_store(tmp_path, corpus)
    for argv in (["docs"], ["stats"], ["labels"]):
        code, out, err = run(capsys, *argv, corpus, "--store", store)
        assert code == 0
        no_raw_controls(out + err)
    from reader.cli import output

    monkeypatch.setattr(output, "stdout_is_terminal", lambda: True)
    for argv in (["docs", "--json"], ["stats", "--json"], ["export", "--format", "spans"], ["export", "--format", "jsonl"]):
        code, out, err = run(capsys, *argv, corpus, "--store", store)
        assert code == 0
        no_raw_controls(out)
        assert "\\u202e" in out
        for line in out.splitlines() if argv[0] == "export" else [out]:
            json.loads(line)


def test_piped_json_keeps_the_characters(tmp_path, corpus, capsys):
    store = _bidi_store(tmp_path, corpus)
    code, out, err = run(capsys, "export", corpus, "--format", "spans", "--store", store)
    assert code == 0 and "\u202e" in out  # data for a program: unchanged


def _run_on_pty(argv: list[str], cwd: Path) -> bytes:
    """Run ``python -m reader ARGV`` with stdout on a real pseudo-terminal; return what it wrote."""
    master, slave = pty.openpty()
    env = dict(os.environ, COLUMNS="200", PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "reader", *argv], stdout=slave, stderr=subprocess.PIPE, cwd=cwd, env=env)
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    proc.wait(timeout=30)
    os.close(master)
    assert proc.returncode == 0, proc.stderr.read()
    return b"".join(chunks)


def test_a_real_terminal_gets_escaped_json(tmp_path, corpus):
    store = _bidi_store(tmp_path, corpus)
    raw = _run_on_pty(["export", str(corpus), "--format", "spans", "--store", str(store)], tmp_path)
    text = raw.decode("utf-8")
    no_raw_controls(text)
    assert "\\u202e" in text and "\\u009b" in text
    raw = _run_on_pty(["docs", str(corpus), "--store", str(store)], tmp_path)
    # rich styles the table with SGR sequences of its own; nothing else may be there
    no_raw_controls(re.sub("\x1b\\[[0-9;]*m", "", raw.decode("utf-8")))


# --------------------------------------------------------------------- 12. lone surrogates

@pytest.mark.parametrize("field", ["text", "id", "title", "annotator", "note", "label"])
def test_lone_surrogate_is_a_problem_by_line_and_the_rest_imports(tmp_path, corpus, capsys, field):
    store = tmp_path / "store"
    records = []
    for i in range(10):
        rec = {"id": f"d{i}", "text": f"Record number {i} text", "title": f"T{i}",
               "spans": [{"start": 0, "end": 6, "label": "quote", "annotator": "ann", "note": ""}]}
        records.append(rec)
    bad = records[4]
    if field in ("text", "id", "title"):
        bad[field] = bad[field] + "\ud800"
    else:
        bad["spans"][0][field] = "\ud800"
    # json.dumps writes the lone surrogate as the escape "\ud800", as a hostile file would
    data = write_jsonl(tmp_path / "in.jsonl", records)
    code, out, err = run(capsys, "import", corpus, data, "--store", store)
    assert code == 1, err
    assert "internal error" not in err and "Traceback" not in err
    assert "line 5" in out and "lone surrogate" in out and "\\ud800" in out
    assert not (store / ".lock.info").exists()
    with AnnotationStore(store, readonly=True) as s:
        assert len(s.all()) == 9  # every valid annotation is in
        ids = {d.id for d in s.imported_documents()}
        assert {f"d{i}" for i in range(10) if i != 4} <= ids


# --------------------------------------------------------------------- 13. deep nesting

@pytest.mark.parametrize("fmt", ["labelstudio", None])
def test_deeply_nested_json_is_a_problem_with_its_position(tmp_path, corpus, capsys, fmt):
    data = tmp_path / "deep.json"
    data.write_text("[" * 100_000, encoding="utf-8")
    args = ["import", corpus, data, "--store", tmp_path / "store"] + (["--format", fmt] if fmt else [])
    code, out, err = run(capsys, *args)
    assert code == 1
    assert "internal error" not in err and "Recursion" not in out + err
    assert "nested too deeply" in out and "character 1" in out


def test_deep_nesting_after_good_tasks_keeps_them(tmp_path, corpus, capsys):
    task = {"data": {"text": "Good text here"}, "annotations": [{"result": [
        {"type": "labels", "from_name": "label", "to_name": "text",
         "value": {"start": 0, "end": 4, "text": "Good", "labels": ["quote"]}}]}]}
    data = tmp_path / "tasks.json"
    data.write_text("[" + json.dumps(task) + "," + "{\"a\":" * 50_000, encoding="utf-8")
    code, out, err = run(capsys, "import", corpus, data, "--format", "labelstudio", "--store", tmp_path / "store")
    assert code == 1 and "task 2" in out and "nested too deeply" in out
    with AnnotationStore(tmp_path / "store", readonly=True) as s:
        assert len(s.all()) == 1


# --------------------------------------------------------------------- 14. non-UTF-8 file names

def test_docs_json_with_a_file_name_that_is_not_utf8(tmp_path, corpus, capsysbinary):
    name = os.fsdecode(b"bad\xffname.txt")
    (corpus / name).write_text("some text\n", encoding="utf-8")
    code = main(["docs", str(corpus), "--store", str(tmp_path / "store"), "--json"])
    out, err = capsysbinary.readouterr()
    assert code == 0, err
    data = json.loads(out.decode("utf-8"))
    (problem,) = data["problems"]
    assert problem["path"].endswith("bad\\xffname.txt")
    assert "not valid UTF-8" in problem["reason"] and "rename" in problem["reason"]
    assert [d["id"] for d in data["documents"]] == ["a"]
    code = main(["docs", str(corpus), "--store", str(tmp_path / "store")])
    out, err = capsysbinary.readouterr()
    assert code == 0 and b"bad\\xffname.txt" in out


def test_a_tampered_language_cache_is_ignored(tmp_path, corpus, capsys):
    store = tmp_path / "store"
    c = load_corpus(corpus, detect=False)
    doc = c.get("a")
    with AnnotationStore(store) as s:
        s.cache_languages({doc.sha256: {"lang": OSC_TITLE, "confidence": 1.0, "paragraphs": [[0, 5, OSC_TITLE, 1.0]]}})
    code, out, err = run(capsys, "docs", corpus, "--store", store, "--json")
    assert code == 0 and OSC_TITLE not in out and "\\u001b" not in out
