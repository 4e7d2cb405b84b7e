"""The `reader` command line: main([...]) in-process, and `python -m reader` in a subprocess."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reader.cli.commands import cmd_docs, cmd_ui_unavailable, main, parse_args
from reader.store import AnnotationStore

from conftest import copy_seeds

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def seeds(tmp_path):
    return copy_seeds(tmp_path)


@pytest.fixture
def store(tmp_path):
    return tmp_path / "store"


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def annotate(corpus, store_path, doc_id, needle, label, **kw):
    from reader.corpus import load_corpus

    c = load_corpus(corpus, detect=False)
    text = c.get(doc_id).text
    i = text.index(needle)
    with AnnotationStore(store_path, corpus=c) as s:
        return s.add(doc_id, i, i + len(needle), label, **kw)


# --- parsing -----------------------------------------------------------------------

def test_dispatch():
    assert parse_args([]).func is cmd_ui_unavailable
    a = parse_args(["mycorpus", "--store", "st"])
    assert a.func is cmd_ui_unavailable and a.corpus == "mycorpus" and a.store == "st"
    a = parse_args(["docs"])
    assert a.func is cmd_docs and a.corpus == "seeds" and a.store == "annotations"
    a = parse_args(["--store", "x", "docs", "c"])
    assert a.func is cmd_docs and a.store == "x" and a.corpus == "c"
    a = parse_args(["import", "c", "f.jsonl"])
    assert a.corpus == "c" and a.file == "f.jsonl"
    a = parse_args(["import", "f.jsonl"])
    assert a.corpus == "seeds" and a.file == "f.jsonl"


def test_usage_errors(capsys):
    code, _out, err = run(capsys, "export")  # --format is required
    assert code == 2 and "--format" in err and "Traceback" not in err
    code, _out, err = run(capsys, "import", "a", "b", "c")
    assert code == 2


def test_help_and_version(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0 and "reader export" in out and "reader import" in out
    code, out, _ = run(capsys, "--version")
    assert code == 0 and "reader" in out


# --- docs ------------------------------------------------------------------------------

def test_docs_table(seeds, store, capsys):
    code, out, _ = run(capsys, "docs", seeds, "--store", store)
    assert code == 0
    assert "001_228d26dd8dd40e62" in out and "ar 1.00" in out and "2023-07" in out
    ar_row = next(line for line in out.splitlines() if "003_744b85a45d014b40" in line)
    en_row = next(line for line in out.splitlines() if "001_228d26dd8dd40e62" in line)
    assert "RTL" in ar_row and "LTR" in en_row  # the script direction


def test_docs_json(seeds, store, capsys):
    (seeds / "bad.txt").write_bytes(b"\x00\x01binary")
    annotate(seeds, store, "001_228d26dd8dd40e62", "Netflix", "claim")
    code, out, _ = run(capsys, "docs", seeds, "--store", store, "--json")
    assert code == 0
    data = json.loads(out)
    ids = [d["id"] for d in data["documents"]]
    assert ids == sorted(ids) and len(ids) == 5
    langs = {d["id"][:3]: d["lang"] for d in data["documents"]}
    assert langs == {"000": "it", "001": "en", "002": "fr", "003": "ar", "004": "it"}
    assert {d["id"][:3]: d["direction"] for d in data["documents"]}["003"] == "rtl"
    assert {d["direction"] for d in data["documents"] if not d["id"].startswith("003")} == {"ltr"}
    en = next(d for d in data["documents"] if d["id"].startswith("001"))
    assert en["annotations"] == 1 and en["chars"] > 1000 and en["title"]
    assert set(en) >= {"id", "lang", "lang_confidence", "date", "title", "chars", "annotations"}
    assert data["problems"] == [{"path": data["problems"][0]["path"], "reason": data["problems"][0]["reason"]}]
    assert "bad.txt" in data["problems"][0]["path"] and "NUL" in data["problems"][0]["reason"]


def test_docs_titles_are_inert(tmp_path, store, capsys):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "evil.txt").write_text("[bold red]Pwned[/] \x1b[2J\x1b]52;c;aGk=\x07 title\n\nbody text here.", encoding="utf-8")
    code, out, _ = run(capsys, "docs", corpus, "--store", store)
    assert code == 0
    assert "\x1b" not in out and "\x07" not in out
    assert "[bold red]Pwned[/]" in out
    assert "␛" in out


def test_missing_corpus_is_one_line(tmp_path, capsys):
    code, out, err = run(capsys, "docs", tmp_path / "nope", "--store", tmp_path / "s")
    assert code == 1
    line = one_error_line(err)
    assert line.startswith("reader: error:") and "nope" in line


# --- export / import -----------------------------------------------------------------

def test_export_stdout_and_file(seeds, store, tmp_path, capsys):
    annotate(seeds, store, "001_228d26dd8dd40e62", "Netflix", "claim", note="n")
    code, out, err = run(capsys, "export", seeds, "--store", store, "--format", "jsonl")
    assert code == 0
    recs = [json.loads(x) for x in out.splitlines()]
    assert len(recs) == 5 and "exported 1 span" in err
    spans = [s for r in recs for s in r["spans"]]
    assert [(s["text"], s["note"]) for s in spans] == [("Netflix", "n")]

    out_file = tmp_path / "data.jsonl"
    code, out, err = run(capsys, "export", seeds, "--store", store, "--format", "doccano", "--out", out_file)
    assert code == 0 and out_file.exists()
    before = out_file.read_bytes()
    code, out, err = run(capsys, "export", seeds, "--store", store, "--format", "doccano", "--out", out_file)
    assert code == 1 and "already exists" in one_error_line(err) and "--force" in err
    assert out_file.read_bytes() == before
    code, _, _ = run(capsys, "export", seeds, "--store", store, "--format", "prodigy", "--out", out_file, "--force")
    assert code == 0 and json.loads(out_file.read_text().splitlines()[0])["answer"] == "accept"


def test_export_include_suggested_and_offsets(tmp_path, store, capsys):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "e.txt").write_text("😀😀 pay $5 now", encoding="utf-8")
    annotate(corpus, store, "e", "$5", "salary")
    annotate(corpus, store, "e", "now", "claim", status="suggested")
    code, out, _ = run(capsys, "export", corpus, "--store", store, "--format", "doccano", "--offsets", "utf16")
    rec = json.loads(out)
    assert rec["label"] == [[9, 11, "salary"]] and rec["offset_unit"] == "utf16"
    code, out, _ = run(capsys, "export", corpus, "--store", store, "--format", "doccano", "--include-suggested")
    assert [x[2] for x in json.loads(out)["label"]] == ["salary", "claim"]
    code, _, err = run(capsys, "export", corpus, "--store", store, "--format", "jsonl", "--offsets", "utf16")
    assert code == 1 and "offset" in one_error_line(err)


def test_export_unknown_format(seeds, store, capsys):
    code, _, err = run(capsys, "export", seeds, "--store", store, "--format", "xml")
    assert code == 1 and "unknown format 'xml'" in one_error_line(err)


def test_import_round_trip_and_problems(seeds, store, tmp_path, capsys):
    annotate(seeds, store, "002_26ccd676af571225", "Netflix", "claim", note="fr")
    exported = tmp_path / "x.jsonl"
    assert run(capsys, "export", seeds, "--store", store, "--format", "prodigy", "--out", exported)[0] == 0
    store2 = tmp_path / "store2"
    code, out, err = run(capsys, "import", seeds, exported, "--store", store2)
    assert code == 0, err
    assert "imported 1 annotation" in out and "read as prodigy" in err
    # again: nothing duplicated
    code, out, _ = run(capsys, "import", seeds, exported, "--store", store2, "--format", "prodigy")
    assert code == 0 and "1 already present" in out
    # a file with problems: exit 1, each problem with its line, the good record imported
    bad = tmp_path / "bad.jsonl"
    bad.write_text("{oops\n" + json.dumps({"text": "New doc, pay 5 $", "label": [[13, 16, "salary"], [0, 3, "gossip"]]}) + "\n", encoding="utf-8")
    code, out, _ = run(capsys, "import", seeds, bad, "--store", store2, "--format", "doccano")
    assert code == 1
    assert "bad.jsonl, line 1: malformed JSON" in out
    assert "bad.jsonl, line 2:" in out and "gossip" in out
    assert "unknown labels: gossip (1)" in out
    code, out, _ = run(capsys, "stats", seeds, "--store", store2, "--json")
    stats = json.loads(out)
    assert stats["labels"]["salary"] == 1 and stats["labels"]["claim"] == 1
    assert stats["documents"] == 6  # the imported document is listed with the corpus


def test_import_missing_file(seeds, store, tmp_path, capsys):
    code, _, err = run(capsys, "import", seeds, tmp_path / "none.jsonl", "--store", store, "--format", "jsonl")
    assert code == 1 and "no such file" in one_error_line(err)
    f = tmp_path / "what.txt"
    f.write_text("hello")
    code, _, err = run(capsys, "import", seeds, f, "--store", store)
    assert code == 1 and "--format" in one_error_line(err)


@pytest.mark.parametrize("content, fmt", [(None, "jsonl"), (b"", "jsonl"), (b"\n \n\n", "jsonl"), (b"[]", "labelstudio"),
                                          (b" [ ]\n", "labelstudio"), (b"\n", "prodigy")])
def test_import_of_a_missing_or_empty_file_creates_no_store(seeds, tmp_path, capsys, content, fmt):
    """A typo in the file's name (or an empty file, or one of no record: blank lines, ``[]``) left a new,
    empty store behind at --store: the store was made before the file was read."""
    f = tmp_path / "spans.jsonl"
    if content is not None:
        f.write_bytes(content)
    new = tmp_path / "new-store"
    code, _, err = run(capsys, "import", seeds, f, "--store", new, "--format", fmt)
    assert code == 1 and one_error_line(err).startswith(f"reader: error: {f}: ")
    assert not new.exists()


def test_import_of_only_problems_is_reported_and_makes_no_store(seeds, tmp_path, capsys):
    """A file whose every record is a problem (the wrong --format, broken lines) was reported, and left a
    new empty store behind at --store: the store was made before the first record was read."""
    f = tmp_path / "broken.jsonl"
    f.write_text('{"doc_id": \n[1, 2]\n"text"\n', encoding="utf-8")
    new = tmp_path / "new-store"
    code, out, err = run(capsys, "import", seeds, f, "--store", new, "--format", "jsonl")
    assert code == 1 and "Traceback" not in out + err
    assert "imported 0 annotation(s) from 0 record(s), 3 skipped, 3 problem(s)" in out, out
    assert out.count("broken.jsonl, line ") == 3
    assert not new.exists()


@pytest.mark.parametrize("look_ahead", [10_000, 2])
def test_import_of_problems_then_a_record_imports_it_and_reports_them(seeds, tmp_path, capsys, monkeypatch, look_ahead):
    """The problems read ahead for the first record are reported with the rest, whether the record comes
    before the look-ahead ends (the store is opened then) or after it (opened at the look-ahead's end)."""
    from reader.corpus import load_corpus
    from reader.formats import importer

    monkeypatch.setattr(importer, "LOOK_AHEAD", look_ahead)
    doc = "001_228d26dd8dd40e62"
    text = load_corpus(seeds).get(doc).text
    i = text.index("Netflix")
    good = {"doc_id": doc, "text": text, "spans": [{"start": i, "end": i + 7, "label": "claim"}]}
    f = tmp_path / "mixed.jsonl"
    f.write_text("not json\n[1]\n{\n" + json.dumps(good) + "\n", encoding="utf-8")
    new = tmp_path / "new-store"
    code, out, err = run(capsys, "import", seeds, f, "--store", new, "--format", "jsonl")
    assert code == 1 and "Traceback" not in out + err
    assert "imported 1 annotation(s) from 1 record(s), 3 skipped, 3 problem(s)" in out, out
    with AnnotationStore(new) as s:
        assert [(a.start, a.end, a.label) for a in s.for_document(doc)] == [(i, i + 7, "claim")]


@pytest.mark.parametrize("written_as, read_as", [
    ("jsonl", "labelstudio"), ("jsonl", "doccano"), ("doccano", "jsonl"), ("doccano", "prodigy"),
    ("doccano", "labelstudio"), ("prodigy", "doccano"), ("prodigy", "labelstudio"),
])
def test_a_file_imported_as_the_wrong_format_loses_no_span_silently(seeds, store, tmp_path, capsys, written_as, read_as):
    """A JSONL file imported with --format labelstudio (or doccano) made a document of each record without
    its spans, exit 0; a right import afterwards added every text a second time. Now each such record is a
    problem naming the format that reads it, nothing is imported, exit 1."""
    annotate(seeds, store, "001_228d26dd8dd40e62", "Netflix", "claim")
    out_file = tmp_path / ("exported.json" if written_as == "labelstudio" else "exported.jsonl")
    code, _, _ = run(capsys, "export", seeds, "--store", store, "--format", written_as, "--out", out_file,
                     "--doc", "001_228d26dd8dd40e62")
    assert code == 0
    new = tmp_path / "other-store"
    code, out, err = run(capsys, "import", seeds, out_file, "--store", new, "--format", read_as)
    assert code == 1 and "Traceback" not in out + err
    assert "imported 0 annotation(s) from 0 record(s)" in out, out
    flat = " ".join(out.split())  # the console wraps long lines
    owner = "jsonl" if written_as == "prodigy" else written_as  # "spans": "the jsonl or prodigy form"
    assert f"which the {read_as} format does not read" in flat and f"--format {owner}" in flat, out
    assert not new.exists()  # every record refused: no store made
    code, out, _ = run(capsys, "import", seeds, out_file, "--store", new, "--format", written_as)  # the right one
    assert code == 0 and "imported 1 annotation(s)" in out, out


def _store_files(store: Path) -> dict[str, bytes]:
    return {p.relative_to(store).as_posix(): p.read_bytes() for p in sorted(store.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
@pytest.mark.parametrize("fmt", [None, "doccano", "jsonl", "labelstudio"])
def test_import_of_a_utf_16_or_32_file_is_refused_in_one_line_naming_it(seeds, store, tmp_path, capsys, encoding, fmt):
    """A file saved as "Unicode" by an editor on Windows: guessed, it was "cannot tell its format"; with --format,
    every line was a problem ("not valid UTF-8 (byte 0)", then "malformed JSON"), and nothing said why."""
    annotate(seeds, store, "001_228d26dd8dd40e62", "Netflix", "claim")
    before = _store_files(store)
    f = tmp_path / ("tasks.json" if fmt == "labelstudio" else "records.jsonl")
    record = '{"text": "Netflix pays €300,000", "label": [[0, 7, "claim"]]}'
    body = f"[{record}]" if fmt == "labelstudio" else record + "\n"
    f.write_bytes(("\ufeff" if encoding.endswith("-be") else "").encode(encoding) + body.encode(encoding))
    code, out, err = run(capsys, "import", seeds, f, "--store", store, *(["--format", fmt] if fmt else []))
    assert code == 1, out + err
    wide = "UTF-32" if encoding.startswith("utf-32") else "UTF-16"
    assert one_error_line(err) == (f"reader: error: {f}: written in {wide} (its first bytes are a {wide} byte order "
                                   "mark), not UTF-8; save it as UTF-8 and import it again")
    assert _store_files(store) == before


@pytest.mark.parametrize("content, fmt", [
    (b"", "jsonl"), (b"\n  \n\n", "jsonl"), (b"", "doccano"), (b"\n", "prodigy"),
    (b"[]", "labelstudio"), (b" [ ]\n", "labelstudio"), (b"[]", None),  # None: the format is guessed
])
def test_import_of_a_file_without_records_is_refused_in_one_line(seeds, store, tmp_path, capsys, content, fmt):
    """Importing the wrong (empty) file said "0 record(s)" and exit 0: the user never learnt it."""
    annotate(seeds, store, "001_228d26dd8dd40e62", "Netflix", "claim")
    before = _store_files(store)
    f = tmp_path / "empty.json"
    f.write_bytes(content)
    code, out, err = run(capsys, "import", seeds, f, "--store", store, *(["--format", fmt] if fmt else []))
    assert code == 1, out + err
    line = one_error_line(err.replace("empty.json: read as labelstudio\n", ""))
    assert line.startswith(f"reader: error: {f}: no records to import (empty "), line
    assert "record(s)" not in out
    assert _store_files(store) == before  # nothing written: no journal line, no document


# --- stats, labels, lang ----------------------------------------------------------------

def test_stats(seeds, store, capsys):
    annotate(seeds, store, "003_744b85a45d014b40", "نتفليكس", "claim")
    annotate(seeds, store, "001_228d26dd8dd40e62", "Netflix", "claim")
    annotate(seeds, store, "001_228d26dd8dd40e62", "artificial intelligence", "opinion")
    code, out, _ = run(capsys, "stats", seeds, "--store", store, "--json")
    s = json.loads(out)
    assert s["annotations"] == 3
    assert s["labels"] == {"salary": 0, "quote": 0, "claim": 2, "opinion": 1}
    assert s["per_language"]["ar"] == {"documents": 1, "annotations": 1, "suggested": 0}
    assert s["per_language"]["en"]["annotations"] == 2
    assert s["per_document"]["001_228d26dd8dd40e62"]["labels"] == {"claim": 1, "opinion": 1}
    code, out, _ = run(capsys, "stats", seeds, "--store", store)
    assert code == 0 and "per label" in out and "opinion" in out and "per language" in out


def test_labels(tmp_path, capsys):
    store = tmp_path / "s"
    code, out, _ = run(capsys, "labels", "--store", store)
    assert code == 0 and "salary" in out and "opinion" in out
    store.mkdir()
    (store / "labels.toml").write_text('[person]\nkey = "5"\ncolor = "red"\n\n[place]\nkey = "6"\ncolor = "#00ff00"\n', encoding="utf-8")
    code, out, _ = run(capsys, "labels", "--store", store, "--json")
    data = json.loads(out)
    assert [x["name"] for x in data["labels"]] == ["person", "place"]
    (store / "labels.toml").write_text('[person]\nkey = "5"\ncolor = "notacolour"\n', encoding="utf-8")
    code, _, err = run(capsys, "labels", "--store", store)
    line = one_error_line(err)
    assert code == 1 and "labels.toml" in line and "line 3" in line and "notacolour" in line


def test_lang_override(seeds, store, capsys):
    doc = "000_9d99caadc18c77c5"
    code, out, _ = run(capsys, "lang", seeds, doc, "fr", "--store", store)
    assert code == 0 and "set to fr" in out
    code, out, _ = run(capsys, "docs", seeds, "--store", store, "--json")
    d = next(x for x in json.loads(out)["documents"] if x["id"] == doc)
    assert d["lang"] == "fr" and d["lang_source"] == "override"
    code, out, _ = run(capsys, "lang", seeds, "--clear", doc, "--store", store)
    assert code == 0 and "cleared" in out
    code, out, _ = run(capsys, "docs", seeds, "--store", store, "--json")
    assert next(x for x in json.loads(out)["documents"] if x["id"] == doc)["lang"] == "it"
    code, _, err = run(capsys, "lang", seeds, "nope", "fr", "--store", store)
    assert code == 1 and "nope" in one_error_line(err)
    code, _, err = run(capsys, "lang", seeds, doc, "French!", "--store", store)
    assert code == 1 and "language code" in one_error_line(err)


# --- store, suggest, locking ----------------------------------------------------------------

def test_store_check_and_recover(seeds, store, capsys):
    annotate(seeds, store, "001_228d26dd8dd40e62", "Netflix", "claim")
    code, out, _ = run(capsys, "store", "check", "--store", store)
    assert code == 0 and "ok" in out
    meta = store / "meta.json"
    if meta.exists():
        meta.write_text("{ not json", encoding="utf-8")
        code, out, err = run(capsys, "store", "check", "--store", store)
        assert code == 1 and "recover" in err
        code, _, err = run(capsys, "docs", seeds, "--store", store)
        assert code == 1 and "meta.json" in one_error_line(err)
        code, out, _ = run(capsys, "store", "recover", "--store", store)
        assert code == 0
        code, _, _ = run(capsys, "store", "check", "--store", store)
        assert code == 0


def test_read_commands_work_while_a_writer_holds_the_lock(seeds, store, tmp_path, capsys):
    annotate(seeds, store, "001_228d26dd8dd40e62", "Netflix", "claim")
    with AnnotationStore(store):
        for argv in (["docs"], ["stats", "--json"], ["export", "--format", "jsonl"], ["labels"]):
            code, _out, err = run(capsys, argv[0], seeds, "--store", store, *argv[1:])
            assert code == 0, (argv, err)
        f = tmp_path / "x.jsonl"
        f.write_text(json.dumps({"text": "abc"}) + "\n")
        code, _, err = run(capsys, "import", seeds, f, "--store", store, "--format", "jsonl")
        assert code == 1 and "locked" in one_error_line(err)


def test_suggest(seeds, store, capsys):
    code, out, err = run(capsys, "suggest", seeds, "--store", store, "--labels", "salary")
    assert code == 0, err
    code, out, _ = run(capsys, "stats", seeds, "--store", store, "--json")
    s = json.loads(out)
    assert s["suggested"] > 0 and s["annotations"] == 0
    code, _, err = run(capsys, "suggest", seeds, "--store", store, "--labels", "nonsense")
    assert code == 2 and "nonsense" in err.splitlines()[0]  # a usage error (issue 9)


def test_suggest_min_score(seeds, tmp_path, capsys):
    low, high = str(tmp_path / "low"), str(tmp_path / "high")
    code, out, err = run(capsys, "suggest", seeds, "--store", low, "--labels", "salary", "--min-score", "0")
    assert code == 0, err
    everything = int(out.split()[0])
    code, out, err = run(capsys, "suggest", seeds, "--store", high, "--labels", "salary", "--min-score", "0.9")
    assert code == 0, err
    assert int(out.split()[0]) < everything and "scored below 0.9" in out
    code, _, err = run(capsys, "suggest", seeds, "--store", high, "--min-score", "7")
    assert code == 2 and "--min-score must be between 0 and 1" in err.splitlines()[0]


# --- subprocess ------------------------------------------------------------------------------

def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("READER_DEBUG", None)
    return env


def test_python_dash_m_reader(seeds, store, tmp_path):
    p = subprocess.run([sys.executable, "-m", "reader", "docs", str(seeds), "--store", str(store), "--json"],
                       capture_output=True, text=True, encoding="utf-8", env=_env(), timeout=120, cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert len(json.loads(p.stdout)["documents"]) == 5
    p = subprocess.run([sys.executable, "-m", "reader", "export", str(seeds), "--store", str(store), "--format", "nope"],
                       capture_output=True, text=True, env=_env(), timeout=120, cwd=tmp_path)
    assert p.returncode == 1 and "Traceback" not in p.stderr
    assert p.stderr.strip().count("\n") == 0 and "unknown format" in p.stderr


def test_broken_pipe_is_quiet(tmp_path):
    corpus = tmp_path / "big"
    corpus.mkdir()
    for k in range(4):
        (corpus / f"d{k}.txt").write_text("word " * 100_000, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "reader", "export", str(corpus), "--store", str(tmp_path / "s"), "--format", "jsonl"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(), cwd=tmp_path)
    proc.stdout.read(100)
    proc.stdout.close()
    err = proc.stderr.read().decode()
    code = proc.wait(timeout=120)
    assert "Traceback" not in err
    assert code in (0, 141)


def test_no_command_without_ui_lists_documents(seeds, store, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "reader.tui", None)  # as if the UI were not installed
    code, out, err = run(capsys, seeds, "--store", store)
    assert code == 0
    assert "001_228d26dd8dd40e62" in out and "UI is not available" in err


def test_exported_paths_are_relative_to_the_corpus(seeds, store, capsys):
    code, out, _ = run(capsys, "export", seeds, "--store", store, "--format", "jsonl")
    paths = [json.loads(x)["path"] for x in out.splitlines()]
    assert paths == sorted(p.name for p in seeds.glob("*.txt"))


def test_edited_document_reports_reanchoring(tmp_path, store, capsys):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "d.txt").write_text("Alpha beta gamma.", encoding="utf-8")
    annotate(corpus, store, "d", "gamma", "claim")
    annotate(corpus, store, "d", "Alpha", "claim")
    (corpus / "d.txt").write_text("New start. beta gamma.", encoding="utf-8")
    code, out, err = run(capsys, "stats", corpus, "--store", store, "--json")
    assert code == 0
    assert "1 moved" in err and "1 orphaned" in err
    s = json.loads(out)
    assert s["orphaned"] == 1


def test_import_lets_the_workspace_go_before_it_prints_the_report(tmp_path, capsys, monkeypatch):
    """The store and corpus hold every imported text (4 bytes a character once it has an emoji):
    they are let go before the report is printed, whose console costs its own memory (issue 19)."""
    import weakref

    from reader.cli import output

    opened: list[weakref.ref] = []
    alive_when_printing: list[bool] = []
    real_open, real_console = output.open_workspace, output.console

    def open_workspace(*args, **kwargs):
        ws = real_open(*args, **kwargs)
        opened.append(weakref.ref(ws))
        return ws

    def console():
        alive_when_printing.append(any(ref() is not None for ref in opened))
        return real_console()

    monkeypatch.setattr(output, "open_workspace", open_workspace)
    monkeypatch.setattr(output, "console", console)
    src = tmp_path / "x.jsonl"
    src.write_text(json.dumps({"id": "d", "text": "Alpha beta \U0001F600", "spans": [{"start": 0, "end": 5, "label": "claim"}]}) + "\n",
                   encoding="utf-8")
    (tmp_path / "c").mkdir()
    code, out, err = run(capsys, "import", tmp_path / "c", src, "--format", "jsonl", "--store", tmp_path / "s")
    assert code == 0 and "imported 1 annotation" in out, err
    assert opened and alive_when_printing and not any(alive_when_printing)


def _export(seeds, store, tmp_path, *argv, **kw):
    """``python -m reader export SEEDS --store STORE --format jsonl ARGV`` in a child process (its output
    captured unless ``stdout=`` says where it goes)."""
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    return subprocess.run([sys.executable, "-m", "reader", "export", str(seeds), "--store", str(store), "--format", "jsonl",
                           *map(str, argv)], env=_env(), timeout=120, cwd=tmp_path, **kw)


@pytest.mark.parametrize("force", [False, True])
def test_export_into_a_fifo_read_by_another_process(seeds, store, tmp_path, force):
    """A FIFO overwrites nothing: it was refused without --force "already exists" (and --force renamed a file over it)."""
    import stat

    annotate(seeds, store, "001_228d26dd8dd40e62", "Netflix", "claim")
    expected = _export(seeds, store, tmp_path).stdout
    fifo = tmp_path / "out.pipe"
    os.mkfifo(fifo)
    cat = subprocess.Popen(["cat", str(fifo)], stdout=subprocess.PIPE)
    try:
        proc = _export(seeds, store, tmp_path, "--out", fifo, *(["--force"] if force else []))
    finally:
        if cat.poll() is None and stat.S_ISFIFO(os.stat(fifo).st_mode):  # a refused export never opened it: end cat
            try:
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
            except OSError:
                pass
        try:
            got = cat.communicate(timeout=10)[0]
        except subprocess.TimeoutExpired:  # the FIFO was replaced: cat waits for a writer that never comes
            cat.kill()
            got = cat.communicate()[0]
    assert proc.returncode == 0, proc.stderr
    assert got == expected and got.count(b"\n") == 5 and b'"Netflix"' in got
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # still the FIFO, not a file renamed over it
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out.pipe")] == []


@pytest.mark.parametrize("name", ["/dev/stdout", "/dev/fd/1"])
def test_export_to_dev_stdout_of_a_process_whose_stdout_is_a_pipe(seeds, store, tmp_path, name):
    annotate(seeds, store, "001_228d26dd8dd40e62", "Netflix", "claim")
    expected = _export(seeds, store, tmp_path).stdout
    proc = _export(seeds, store, tmp_path, "--out", name)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == expected and proc.stdout.count(b"\n") == 5
    assert b"exported 1 span" in proc.stderr


@pytest.mark.parametrize("name", ["-", "/dev/stdout"])
def test_export_into_a_pipe_whose_reader_is_gone_stops_quietly(seeds, store, tmp_path, name):
    """``reader export ... --out /dev/stdout | head``: the reader left, so the export stops with 141 and says
    nothing, as with ``--out -`` (it said "cannot write the export: Broken pipe" and exited 1)."""
    annotate(seeds, store, "001_228d26dd8dd40e62", "Netflix", "claim")
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first write
    try:
        proc = _export(seeds, store, tmp_path, "--out", name, stdout=write_end)
    finally:
        os.close(write_end)
    assert proc.returncode == 141 and proc.stderr == b"", proc.stderr


def test_export_destination_of_a_device_or_a_pipe(tmp_path):
    """The app's overwrite question asks the same: a character device or a FIFO is written, not replaced; a
    regular file that exists still needs --force; a folder format still refuses what is not a folder."""
    from reader.formats import get_format
    from reader.formats.destination import destination_problem

    jsonl, brat = get_format("jsonl"), get_format("brat")
    fifo = tmp_path / "p"
    os.mkfifo(fifo)
    assert destination_problem("/dev/null", jsonl, force=False) is None
    assert destination_problem(fifo, jsonl, force=False) is None
    (tmp_path / "f.jsonl").write_text("x")
    assert "already exists" in destination_problem(tmp_path / "f.jsonl", jsonl, force=False)
    assert "not a folder" in destination_problem(fifo, brat, force=True)


def test_export_of_a_binary_format_to_dev_stdout(seeds, store, tmp_path):
    """A spaCy DocBin (written to a temporary file, spaCy takes a path) is copied into the pipe."""
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    annotate(seeds, store, "001_228d26dd8dd40e62", "Netflix", "claim")
    proc = _export(seeds, store, tmp_path, "--out", "/dev/stdout", "--format", "spacy")
    assert proc.returncode == 0, proc.stderr
    docs = list(DocBin().from_bytes(proc.stdout).get_docs(spacy.blank("xx").vocab))
    assert len(docs) == 5 and [s.text for d in docs for s in d.spans["sc"]] == ["Netflix"]


@pytest.mark.parametrize("name", ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"])
def test_export_to_dev_stdout_of_a_process_whose_stdout_is_a_file_opened_to_append(seeds, store, tmp_path, name):
    """``reader export ... --out /dev/stdout >> log``: the export goes where standard output goes, after what the
    file holds. It was refused ("already exists"), and with --force a file was renamed over the name: as root,
    over /dev/stdout itself, and never into the file the shell opened."""
    annotate(seeds, store, "001_228d26dd8dd40e62", "Netflix", "claim")
    expected = _export(seeds, store, tmp_path).stdout
    log = tmp_path / "log.jsonl"
    log.write_bytes(b"HEAD\n")
    with open(log, "ab") as out:
        proc = _export(seeds, store, tmp_path, "--out", name, stdout=out)
    assert proc.returncode == 0, proc.stderr
    assert log.read_bytes() == b"HEAD\n" + expected and expected.count(b"\n") == 5


def test_export_with_force_to_a_symlink_replaces_its_target_not_the_link(seeds, store, tmp_path):
    """``--force --out link.jsonl`` where the link points at the real file: the file the link names is replaced
    (atomically) and the link stays a link, as a shell's redirection would write through it."""
    annotate(seeds, store, "001_228d26dd8dd40e62", "Netflix", "claim")
    expected = _export(seeds, store, tmp_path).stdout
    real = tmp_path / "exports" / "real.jsonl"
    real.parent.mkdir()
    real.write_text("old\n")
    link = tmp_path / "link.jsonl"
    link.symlink_to(real)
    refused = _export(seeds, store, tmp_path, "--out", link)
    assert refused.returncode != 0 and b"already exists" in refused.stderr
    proc = _export(seeds, store, tmp_path, "--out", link, "--force")
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert real.read_bytes() == expected
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.parametrize("argv", [
    ["export", "{seeds}", "--store", "{store}", "-f", "jsonl", "--out", ""],
    ["import", "{seeds}", "", "--store", "{store}"],
    ["docs", "{seeds}", "--store", ""],
    ["stats", "", "--store", "{store}"],
])
def test_an_empty_path_is_refused_not_read_as_the_current_folder_or_the_default(seeds, store, capsys, argv):
    """`--out ''` said "it is a folder", `import ''` looked for .ann files in ., and `--store "$UNSET"` opened
    the default store (adversarial pass)."""
    before = _store_files(store) if store.exists() else None
    code, out, err = run(capsys, *[a.format(seeds=seeds, store=store) for a in argv])
    assert code == 2 and "is empty (an unset shell variable?)" in err and "Traceback" not in err
    assert (_store_files(store) if store.exists() else None) == before


def test_document_categories_under_a_span_key_of_another_format_are_no_foreign_spans(seeds, tmp_path, capsys):
    """"labels": ["sports"] (a document's categories, as text classifiers write) is not doccano's spans."""
    from reader.corpus import load_corpus

    doc = "001_228d26dd8dd40e62"
    text = load_corpus(seeds).get(doc).text
    i = text.index("Netflix")
    f = tmp_path / "categories.jsonl"
    f.write_text(json.dumps({"id": doc, "text": text, "labels": ["sports", "tech"],
                             "spans": [{"start": i, "end": i + 7, "label": "claim"}]}) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "import", seeds, f, "--store", tmp_path / "s", "--format", "jsonl")
    assert code == 0 and "imported 1 annotation(s)" in out, out + err
