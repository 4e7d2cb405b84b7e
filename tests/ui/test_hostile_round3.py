"""Hostile input, round three (issue #19): each attack through the real entry point.

The CLI runs in a subprocess where a crash would show (exit 70, a traceback);
memory is measured with ``resource`` (ru_maxrss of the child).
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from peak_memory import MIB, corpus, reader_peak  # noqa: F401 (corpus: a fixture)

ROOT = Path(__file__).resolve().parents[2]


def reader(*argv: object, cwd: Path | None = None, env: dict[str, str] | None = None,
           timeout: float = 120) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "READER_ANNOTATOR": "tester", **(env or {})}
    return subprocess.run([sys.executable, "-m", "reader", *map(str, argv)], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=full_env, timeout=timeout)


def one_clean_line(proc: subprocess.CompletedProcess[str], *words: str) -> str:
    assert proc.returncode not in (0, 70), (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr and "RecursionError" not in proc.stderr + proc.stdout
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, proc.stderr[-2000:]
    for w in words:
        assert w in lines[0], lines[0]
    return lines[0]




# --- 4. a nested labels.toml ------------------------------------------------------

NESTED = "a = " + "[" * 100_000 + "]" * 100_000 + "\n"


@pytest.mark.parametrize("argv", [("labels",), ("export", "--format", "jsonl", "--out", "x.jsonl"), ("docs", "--no-detect")])
def test_a_deeply_nested_labels_toml_is_one_line_naming_the_file(tmp_path, corpus, argv):
    store = tmp_path / "store"
    store.mkdir()
    (store / "labels.toml").write_text(NESTED, encoding="utf-8")
    proc = reader(argv[0], corpus, *argv[1:], "--store", store, cwd=tmp_path)
    one_clean_line(proc, "labels.toml", "nested")


def test_labelset_refuses_deep_nesting_but_reads_strings_with_brackets(tmp_path):
    from reader.errors import LabelsError
    from reader.labels import LabelSet

    path = tmp_path / "labels.toml"
    path.write_text(NESTED, encoding="utf-8")
    with pytest.raises(LabelsError, match="nested"):
        LabelSet.from_file(path)
    path.write_text('[pay]\nkey = "1"\ncolor = "red"\ndescription = "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[ \\" [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["\n'
                    "# [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n", encoding="utf-8")
    assert LabelSet.from_file(path).names == ["pay"]


def test_store_copy_does_not_carry_a_bad_labels_toml(tmp_path, corpus):
    from reader.store import AnnotationStore

    src = tmp_path / "src"
    AnnotationStore(src, annotator="tester").close()
    (src / "labels.toml").write_text(NESTED, encoding="utf-8")
    proc = reader("store", "copy", src, tmp_path / "dst", cwd=tmp_path)
    one_clean_line(proc, "labels.toml")
    assert not (tmp_path / "dst" / "labels.toml").exists()


# --- 7. a rescue file is restored only by `reader store restore` ------------------------

def _store_with_two(tmp_path: Path, corpus: Path) -> tuple[Path, list]:
    from reader.corpus import load_corpus
    from reader.store import AnnotationStore

    store_path = tmp_path / "store"
    c = load_corpus(corpus, detect=False)
    doc = c.get("a")
    with AnnotationStore(store_path, corpus=c, annotator="ana") as s:
        a = s.add(doc.id, 0, 5, "claim")
        b = s.add(doc.id, 6, 10, "quote")
    return store_path, [a, b]


def _hostile_rescue(tmp_path: Path, a, b) -> Path:
    import dataclasses
    import json as _json

    from reader.store.base import ann_record

    forged = dataclasses.replace(b, label="opinion", note="pwned", annotator="mallory")
    path = tmp_path / "innocent.jsonl"
    path.write_text(_json.dumps({"reader_rescue": 1, "store": "/x", "created": "", "transactions": 2}) + "\n"
                    + _json.dumps({"ops": [["del", a.doc_id, a.id]]}) + "\n"
                    + _json.dumps({"ops": [["put", ann_record(forged)]]}) + "\n", encoding="utf-8")
    return path


def _labels_in(store_path: Path) -> dict[str, tuple[str, str, str]]:
    from reader.store import AnnotationStore

    with AnnotationStore(store_path, readonly=True) as s:
        return {x.id: (x.label, x.note, x.annotator) for x in s.all()}


def test_plain_import_never_replays_a_rescue_file(tmp_path, corpus):
    store_path, (a, b) = _store_with_two(tmp_path, corpus)
    before = _labels_in(store_path)
    rescue = _hostile_rescue(tmp_path, a, b)
    proc = reader("import", corpus, rescue, "--store", store_path, cwd=tmp_path)
    one_clean_line(proc, "innocent.jsonl", "reader store restore")
    assert _labels_in(store_path) == before


def test_store_restore_shows_the_changes_and_asks(tmp_path, corpus):
    store_path, (a, b) = _store_with_two(tmp_path, corpus)
    before = _labels_in(store_path)
    rescue = _hostile_rescue(tmp_path, a, b)
    proc = reader("store", "restore", rescue, "--store", store_path, cwd=tmp_path)  # stdin is not a terminal
    assert proc.returncode == 1 and "--yes" in proc.stderr
    assert "DELETE claim 'Alpha'" in proc.stdout and "label 'quote' -> 'opinion'" in proc.stdout
    assert "annotator 'ana' -> 'mallory'" in proc.stdout
    assert _labels_in(store_path) == before
    proc = reader("store", "restore", rescue, "--yes", "--store", store_path, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert _labels_in(store_path) == {b.id: ("opinion", "pwned", "mallory")}


def test_store_restore_refuses_a_file_that_is_not_a_rescue_file(tmp_path, corpus):
    store_path, _ = _store_with_two(tmp_path, corpus)
    other = tmp_path / "x.jsonl"
    other.write_text('{"text": "a", "spans": []}\n', encoding="utf-8")
    one_clean_line(reader("store", "restore", other, "--yes", "--store", store_path, cwd=tmp_path), "not a rescue file")


# --- 3. passwords never shown ---------------------------------------------------------------

SECRET = "S3CRETpw"


@pytest.mark.parametrize("url", [f"postgresql://postgres:{SECRET}@[::1", f"postgresql://postgres:{SECRET}@127.0.0.1:1/db",
                                 f"postgres://u:{SECRET}@@host/db?password={SECRET}"])
def test_a_store_url_password_is_never_echoed(tmp_path, corpus, url):
    proc = reader("docs", corpus, "--store", url, "--no-detect", cwd=tmp_path, timeout=60)
    assert proc.returncode == 1 and proc.stderr
    assert SECRET not in proc.stdout + proc.stderr


def test_redact_is_the_one_function_and_one_line_uses_it():
    from reader.redact import redact
    from reader.store.postgres import safe_location
    from reader.text import one_line

    for text in (f"--store postgresql://postgres:{SECRET}@db.example:5432/ann", f"host=h password={SECRET} user=u",
                 f"'postgresql://postgres:{SECRET}@[::1'", f"postgresql://u:p@{SECRET}@h/db"):
        assert SECRET not in redact(text) and SECRET not in one_line(text)
    assert redact("postgresql://ana:x@h/db") == "postgresql://ana@h/db" == safe_location("postgresql://ana:x@h/db")
    assert redact("plain /path/to/store") == "plain /path/to/store"


def test_rescue_file_of_a_database_store_goes_to_the_rescue_folder_without_the_password(tmp_path, monkeypatch):
    import json as _json

    from reader.store.rescue import rescue_dir, write_rescue

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("READER_RESCUE_DIR", str(tmp_path / "rescue"))
    path = write_rescue(f"postgresql://postgres:{SECRET}@db.example/ann", [[["unmeta", "ui", "k"]]])
    assert path.parent == rescue_dir() == tmp_path / "rescue"
    assert list(tmp_path.glob("*.jsonl")) == []  # not in the current folder
    header = _json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert header["store"] == "postgresql://postgres@db.example/ann"
    assert SECRET not in path.read_text(encoding="utf-8")
    monkeypatch.delenv("READER_RESCUE_DIR")
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    assert rescue_dir() == tmp_path / "state" / "reader" / "rescue"


# --- memory: no import uses more than about 5x its input plus a fixed amount --------------------


def test_a_spacy_zlib_bomb_is_refused_with_bounded_memory(tmp_path, corpus):
    """issue 19 #5: a 3.1 MB .spacy inflating to 3 GiB took 6.4 GB and 64 s; the cap was on the compressed size."""
    import zlib

    pytest.importorskip("spacy")
    from reader.formats.base import ExportContext  # noqa: F401  (the spacy extra is installed)
    from reader.formats.spacy import MAX_INFLATED_BYTES

    bomb = tmp_path / "bomb.spacy"
    z = zlib.compressobj(9)
    zeros = b"\0" * MIB
    with open(bomb, "wb") as fh:
        for _ in range(MAX_INFLATED_BYTES // MIB + 64):
            fh.write(z.compress(zeros))
        fh.write(z.flush())
    size = bomb.stat().st_size
    assert size < 2 * MIB
    small = tmp_path / "small.spacy"
    from reader.corpus import load_corpus
    from reader.formats import get_format

    doc = load_corpus(corpus, detect=False).get("a")
    get_format("spacy").write([(doc, [])], small)
    base, base_peak = reader_peak("import", corpus, small, "--store", tmp_path / "s1", cwd=tmp_path)
    assert base.returncode == 0, base.stderr
    proc, peak = reader_peak("import", corpus, bomb, "--store", tmp_path / "s2", cwd=tmp_path)
    one_clean_line(proc, "bomb.spacy", "inflates to more than")
    assert peak <= base_peak + 5 * size + 64 * MIB, (peak // MIB, base_peak // MIB)


def test_a_huge_label_studio_task_is_refused_by_bytes_with_bounded_memory(tmp_path, corpus):
    """issue 19 #6: one 200 MB task took 4.7 GB and was imported past the 64 MiB limit (characters were counted)."""
    import json as _json

    from reader.formats.base import MAX_LINE_BYTES

    big = tmp_path / "big.json"
    chars = MAX_LINE_BYTES // 2 + 4 * MIB  # "é" is 2 bytes: fewer characters than the limit, more bytes
    with open(big, "w", encoding="utf-8") as fh:
        fh.write('[{"id": 1, "data": {"text": "')
        for _ in range(chars // MIB):
            fh.write("é" * MIB)
        fh.write('"}, "annotations": []}]')
    size = big.stat().st_size
    assert size > MAX_LINE_BYTES
    small = tmp_path / "small.json"
    small.write_text(_json.dumps([{"id": 1, "data": {"text": "é" * 1000}, "annotations": []}]), encoding="utf-8")
    base, base_peak = reader_peak("import", corpus, small, "--format", "labelstudio", "--store", tmp_path / "s1", cwd=tmp_path)
    assert base.returncode == 0, base.stderr
    proc, peak = reader_peak("import", corpus, big, "--format", "labelstudio", "--store", tmp_path / "s2", cwd=tmp_path)
    assert "task 1 is larger than the 64 MiB limit" in proc.stdout + proc.stderr, (proc.stdout[-500:], proc.stderr[-500:])
    assert "new document" not in proc.stdout
    assert peak <= base_peak + 5 * size + 64 * MIB, (peak // MIB, base_peak // MIB, size // MIB)


# --- 10. smaller ones --------------------------------------------------------------------------

def test_out_dash_writes_to_standard_output(tmp_path, corpus):
    _store_with_two(tmp_path, corpus)
    proc = reader("export", corpus, "--format", "jsonl", "--out", "-", "--store", tmp_path / "store", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert '"label": "claim"' in proc.stdout or '"label":"claim"' in proc.stdout
    assert not (tmp_path / "-").exists() and "standard output" in proc.stderr


@pytest.mark.parametrize("field, value, words", [
    ("annotator", "ev\x1b]2;x\x07il", "annotator"),
    ("annotator", "a" * 300, "annotator"),
    ("id", "i" * 300, "annotation id"),  # jsonl's own reader stops ids past 1,000; the store's rule is 256
])
def test_imports_apply_the_cli_rules_to_annotators_and_ids(tmp_path, corpus, field, value, words):
    import json as _json

    span = {"start": 0, "end": 5, "label": "claim", "text": "Alpha", field: value}
    good = {"start": 6, "end": 10, "label": "quote", "text": "beta"}
    path = tmp_path / "in.jsonl"
    path.write_text(_json.dumps({"id": "a", "text": "Alpha beta gamma.\n", "spans": [span, good]}) + "\n", encoding="utf-8")
    proc = reader("import", corpus, path, "--store", tmp_path / "store", cwd=tmp_path)
    assert proc.returncode == 1 and words in proc.stdout and "imported 1 annotation" in proc.stdout, proc.stdout
    assert "\x1b" not in proc.stdout and "i" * 300 not in proc.stdout
    from reader.store import AnnotationStore

    with AnnotationStore(tmp_path / "store", readonly=True) as s:
        assert [(a.label, a.annotator) for a in s.all()] == [("quote", "tester")]


def test_a_document_id_of_ten_thousand_characters_is_refused(tmp_path, corpus):
    """Label Studio's data.doc_id becomes the document id: 10,000 characters of it were imported."""
    import json as _json

    path = tmp_path / "in.json"
    path.write_text(_json.dumps([{"id": 1, "data": {"doc_id": "d" * 10_000, "text": "Other text.\n"}, "annotations": []}]), encoding="utf-8")
    proc = reader("import", corpus, path, "--format", "labelstudio", "--store", tmp_path / "store", cwd=tmp_path)
    assert proc.returncode == 1 and "document id" in proc.stdout and "new document" not in proc.stdout


@pytest.mark.parametrize("option, value, words", [("--labels", "nosuch", "unknown label"), ("--doc", "nosuch", "no document")])
def test_agree_says_when_a_label_or_document_does_not_exist(tmp_path, corpus, option, value, words):
    _store_with_two(tmp_path, corpus)
    proc = reader("agree", corpus, option, value, "--store", tmp_path / "store", cwd=tmp_path)
    one_clean_line(proc, option, words, "nosuch")


async def test_the_app_keeps_running_with_a_deeply_nested_labels_toml(tmp_path, corpus):
    """issue 19 #4: the app exited showing a full traceback; now it opens read-only with the reason."""
    from reader.tui.app import ReaderApp
    from tui_helpers import run_test, settle

    store = tmp_path / "store"
    store.mkdir()
    (store / "labels.toml").write_text(NESTED, encoding="utf-8")
    app = ReaderApp(corpus, store, detect=False)
    async with run_test(app, size=(120, 36)) as pilot:
        await settle(app, pilot)
        assert app.is_running
        assert app.store_problem is not None and "labels.toml" in app.store_problem and "nested" in app.store_problem
        assert app.store.readonly


def test_postgres_store_copy_refuses_a_nested_labels_toml_and_a_stored_one_is_one_line(tmp_path, corpus, pg_url):
    """issue 19 #4: `store copy` carried the file into PostgreSQL, then `reader docs --store URL` crashed for everyone."""
    from reader.store import AnnotationStore
    from reader.store.postgres import PostgresEngine

    src = tmp_path / "src"
    AnnotationStore(src, annotator="tester").close()
    (src / "labels.toml").write_text(NESTED, encoding="utf-8")
    one_clean_line(reader("store", "copy", src, pg_url, cwd=tmp_path), "labels.toml", "nested")
    engine = PostgresEngine(pg_url)  # a database that holds one already (copied by an older version)
    try:
        engine.load()
        engine.set_labels_toml(NESTED)
    finally:
        engine.close()
    one_clean_line(reader("docs", corpus, "--store", pg_url, "--no-detect", cwd=tmp_path), "labels.toml", "nested")


def test_the_quit_message_after_a_rescue_names_the_store_without_its_password(tmp_path):
    """issue 19 #3: the quit message of a session with unsaved work showed `--store postgresql://...:pw@...`."""
    from types import SimpleNamespace

    from reader.tui.services.shutdown import QuitGuard

    app = SimpleNamespace(store_path=f"postgresql://postgres:{SECRET}@db.example/ann")
    message = QuitGuard(app)._rescued_message(2, tmp_path / "database.rescue-x.jsonl")  # type: ignore[arg-type]
    assert SECRET not in message and "postgresql://postgres@db.example/ann" in message
    assert "reader store restore" in message
