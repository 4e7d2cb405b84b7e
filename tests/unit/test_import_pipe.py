"""Imports from a pipe (standard input, a FIFO), as the user runs them: a pipe is read once, so
nothing may peek at it and open it again. Records of several KiB cross every read-ahead window
(4 KiB, 64 KiB); every record must be imported with exact offsets, or the import refused in one line."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from reader.store import AnnotationStore

ROOT = Path(__file__).resolve().parents[2]
RECORDS = 6


def _text(i: int) -> str:
    """A document of about 5 KB: an emoji first (code points are not bytes), its target far in."""
    return f"{i} \U0001F600 café " + "filler words " * 380 + f"target{i} and the end of {i}."


def _target(text: str, i: int) -> tuple[int, int, str]:
    start = text.index(f"target{i}")
    return start, start + len(f"target{i}"), f"target{i}"


def _utf16(text: str, at: int) -> int:
    return len(text[:at].encode("utf-16-le")) // 2


def _record(fmt: str, i: int) -> dict[str, Any]:
    text = _text(i)
    start, end, target = _target(text, i)
    if fmt == "jsonl":
        return {"id": f"d{i}", "text": text, "spans": [{"start": start, "end": end, "label": "claim", "text": target}]}
    if fmt == "doccano":  # doccano counts UTF-16 units: one more after the emoji
        return {"id": f"d{i}", "text": text, "label": [[_utf16(text, start), _utf16(text, end), "claim"]]}
    if fmt == "prodigy":
        return {"text": text, "spans": [{"start": start, "end": end, "label": "claim", "text": target}],
                "meta": {"id": f"d{i}"}, "answer": "accept"}
    region = {"id": f"r{i}", "from_name": "label", "to_name": "text", "type": "labels",
              "value": {"start": start, "end": end, "text": target, "labels": ["claim"]}}
    return {"id": i, "data": {"text": text}, "annotations": [{"result": [region]}]}


def _file_bytes(fmt: str) -> bytes:
    """The import file of ``fmt`` (``jsonl-array``: our JSONL written as one JSON array; ``jsonl-blanks``:
    after 100 KB of blank lines, which the format's first look reads past)."""
    records = [_record(fmt.split("-")[0], i) for i in range(RECORDS)]
    if fmt in ("labelstudio", "jsonl-array"):
        return json.dumps(records, ensure_ascii=False).encode("utf-8")
    blanks = b"\n" * 100_000 if fmt == "jsonl-blanks" else b""
    return blanks + "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode("utf-8")


def _run(tmp_path: Path, *argv: str, stdin: bytes | None = None, command: str = "import",
         store: str = "s") -> subprocess.CompletedProcess[str]:
    """``reader COMMAND CORPUS ARGV --store STORE`` in a child process, ``stdin`` written into its standard input."""
    (tmp_path / "corpus").mkdir(exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "READER_ANNOTATOR": "tester"}
    proc = subprocess.run([sys.executable, "-m", "reader", command, str(tmp_path / "corpus"), *argv,
                           "--store", str(tmp_path / store)],
                          input=stdin, capture_output=True, cwd=tmp_path, env=env, timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode("utf-8", "replace"),
                                       proc.stderr.decode("utf-8", "replace"))


def _through_fifo(tmp_path: Path, data: bytes, *argv: str) -> subprocess.CompletedProcess[str]:
    """``reader import CORPUS FIFO ARGV`` while a thread writes ``data`` into the FIFO."""
    fifo = tmp_path / "in.pipe"
    os.mkfifo(fifo)

    def write() -> None:
        try:
            with open(fifo, "wb") as fh:
                fh.write(data)
        except BrokenPipeError:  # the reader refused it, or read only part of it
            pass

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    try:
        return _run(tmp_path, str(fifo), *argv)
    finally:
        if writer.is_alive():  # never opened by the reader: open it so the writer goes on and ends
            fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
            writer.join(timeout=0.5)
            os.close(fd)
        writer.join(timeout=60)


def _assert_all_imported(tmp_path: Path, proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"imported {RECORDS} annotation(s)" in proc.stdout, proc.stdout + proc.stderr
    store = AnnotationStore(tmp_path / "s", readonly=True)
    got = []
    for ann in store.all():
        doc = store.document(ann.doc_id)
        assert doc is not None
        assert doc.text[ann.start:ann.end] == ann.text, (ann.doc_id, ann.start, ann.end, ann.text)
        got.append((doc.text, ann.start, ann.end, ann.text))
    assert sorted(got) == sorted((_text(i), *_target(_text(i), i)) for i in range(RECORDS))


FORMATS = ["jsonl", "jsonl-array", "jsonl-blanks", "doccano", "prodigy", "labelstudio"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_standard_input_as_dev_stdin_imports_every_record(tmp_path: Path, fmt: str) -> None:
    proc = _run(tmp_path, "/dev/stdin", "--format", fmt.split("-")[0], stdin=_file_bytes(fmt))
    _assert_all_imported(tmp_path, proc)


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_fifo_imports_every_record(tmp_path: Path, fmt: str) -> None:
    proc = _through_fifo(tmp_path, _file_bytes(fmt), "--format", fmt.split("-")[0])
    _assert_all_imported(tmp_path, proc)


@pytest.mark.parametrize("how", ["stdin", "dash", "fifo"])
def test_a_pipe_without_format_is_refused_in_one_line_naming_it(tmp_path: Path, how: str) -> None:
    """A pipe's format is not guessed (the guess would read what the import must read): one line, not "no such file",
    naming the file as the user gave it ("-" is not called /dev/stdin)."""
    data = _file_bytes("jsonl")
    if how == "stdin":
        proc, name = _run(tmp_path, "/dev/stdin", stdin=data), "/dev/stdin"
    elif how == "dash":
        proc, name = _run(tmp_path, "-", stdin=data), "- (standard input)"
    else:
        proc, name = _through_fifo(tmp_path, data), str(tmp_path / "in.pipe")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line.startswith(f"reader: error: {name}: is a pipe or a device") and "say which with --format (" in line, line
    assert "no such file" not in line and not (tmp_path / "s").exists()  # the store is not even opened


@pytest.mark.parametrize("how", ["stdin", "fifo"])
def test_a_spacy_docbin_from_a_pipe_imports_every_span(tmp_path: Path, how: str) -> None:
    """The DocBin is read once: its inflated size was checked on one read of the path and spaCy read it again."""
    pytest.importorskip("spacy")
    (tmp_path / "x.jsonl").write_bytes(_file_bytes("jsonl"))
    assert _run(tmp_path, str(tmp_path / "x.jsonl"), "--format", "jsonl", store="src").returncode == 0
    made = _run(tmp_path, "--format", "spacy", "--out", str(tmp_path / "x.spacy"), command="export", store="src")
    assert made.returncode == 0, made.stderr
    data = (tmp_path / "x.spacy").read_bytes()
    if how == "stdin":
        proc = _run(tmp_path, "/dev/stdin", "--format", "spacy", stdin=data)
    else:
        proc = _through_fifo(tmp_path, data, "--format", "spacy")
    _assert_all_imported(tmp_path, proc)


@pytest.mark.parametrize("how", ["stdin", "fifo"])
def test_brat_from_a_pipe_is_refused_in_one_line(tmp_path: Path, how: str) -> None:
    """brat needs a .ann and its .txt beside it: a pipe cannot give both (it said "no such folder")."""
    data = b"T1\tclaim 0 4\tword\n"
    if how == "stdin":
        proc, name = _run(tmp_path, "/dev/stdin", "--format", "brat", stdin=data), "/dev/stdin"
    else:
        proc, name = _through_fifo(tmp_path, data, "--format", "brat"), str(tmp_path / "in.pipe")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line == (f"reader: error: {name}: is a pipe or a device; a brat import takes a folder, "
                    "or a .ann file with its .txt beside it, which a pipe cannot give"), line


@pytest.mark.parametrize("fmt", ["jsonl", "doccano", "prodigy", "labelstudio"])
def test_a_dash_imports_standard_input(tmp_path: Path, fmt: str) -> None:
    """``reader import CORPUS - --format F`` reads standard input, as ``--out -`` writes standard output."""
    proc = _run(tmp_path, "-", "--format", fmt, stdin=_file_bytes(fmt))
    _assert_all_imported(tmp_path, proc)
    assert "stdin:" in proc.stdout


def test_a_dash_on_a_terminal_is_refused_in_one_line(tmp_path: Path) -> None:
    """Standard input a terminal: reading it would wait for typing; it is refused, the way to pipe a file said."""
    import pty

    main, child = pty.openpty()
    try:
        (tmp_path / "corpus").mkdir()
        env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "READER_ANNOTATOR": "tester"}
        proc = subprocess.run([sys.executable, "-m", "reader", "import", str(tmp_path / "corpus"), "-", "--format", "jsonl",
                               "--store", str(tmp_path / "s")], stdin=child, capture_output=True, text=True,
                              cwd=tmp_path, env=env, timeout=60)
    finally:
        os.close(child)
        os.close(main)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    line, hint = proc.stderr.splitlines()  # a usage error, and where help is
    assert line.startswith("reader import: '-' reads standard input, which is a terminal here; pipe the file in"), line
    assert hint == "(try `reader --help`)" and not (tmp_path / "s").exists()


@pytest.mark.parametrize("how", ["stdin", "dash", "fifo"])
def test_a_rescue_file_from_a_pipe_is_shown_and_restored_whole(tmp_path: Path, how: str) -> None:
    """``reader store restore`` read the file to show it, then again to replay it: from a pipe the
    preview lost its first 8 KiB and the restore found "not a rescue file" (a FIFO: waited forever)."""
    from reader.store.rescue import rescue_bytes

    transactions = [[["meta", "state", f"k{i}", "x" * 1000]] for i in range(20)]  # 20 KB: past every read-ahead
    data = rescue_bytes(tmp_path / "s", transactions)
    argv = ["--yes", "--store", str(tmp_path / "s")]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "READER_ANNOTATOR": "tester"}
    if how in ("stdin", "dash"):  # `reader store restore -` reads standard input, as `reader import -` does
        name = "/dev/stdin" if how == "stdin" else "-"
        proc = subprocess.run([sys.executable, "-m", "reader", "store", "restore", name, *argv], input=data,
                              capture_output=True, cwd=tmp_path, env=env, timeout=60)
    else:
        fifo = tmp_path / "in.pipe"
        os.mkfifo(fifo)
        writer = threading.Thread(target=fifo.write_bytes, args=(data,), daemon=True)
        writer.start()
        proc = subprocess.run([sys.executable, "-m", "reader", "store", "restore", str(fifo), *argv],
                              capture_output=True, cwd=tmp_path, env=env, timeout=60)
        writer.join(timeout=60)
    out = proc.stdout.decode("utf-8")
    assert proc.returncode == 0, out + proc.stderr.decode("utf-8")
    assert "20 change(s) in 20 transaction(s)" in out and "restored 20 of 20 unsaved change(s)" in out, out


def test_a_jsonl_file_smaller_than_the_first_look_is_imported_from_a_pipe(tmp_path: Path) -> None:
    """Under 4 KiB the first look read the whole pipe: "imported 0 annotation(s) from 0 record(s)", exit 0."""
    text = "\U0001F600 target0"
    line = json.dumps({"id": "d0", "text": text, "spans": [{"start": 2, "end": 9, "label": "claim", "text": "target0"}]})
    proc = _run(tmp_path, "/dev/stdin", "--format", "jsonl", stdin=line.encode("utf-8") + b"\n")
    assert proc.returncode == 0 and "imported 1 annotation(s) from 1 record(s)" in proc.stdout, proc.stdout + proc.stderr
    (ann,) = AnnotationStore(tmp_path / "s", readonly=True).all()
    assert (ann.start, ann.end, ann.text) == (2, 9, "target0")


def test_a_process_substitution_imports_every_record(tmp_path: Path) -> None:
    """``reader import CORPUS <(cat FILE) --format jsonl``: bash gives a /dev/fd/N path of a pipe."""
    (tmp_path / "x.jsonl").write_bytes(_file_bytes("jsonl"))
    (tmp_path / "corpus").mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "READER_ANNOTATOR": "tester"}
    script = '"$0" -m reader import corpus <(cat x.jsonl) --format jsonl --store s'
    proc = subprocess.run(["bash", "-c", script, sys.executable], capture_output=True, text=True, cwd=tmp_path,
                          env=env, timeout=60)
    _assert_all_imported(tmp_path, proc)


def test_a_docbin_from_a_pipe_past_the_limit_is_refused_in_one_line(tmp_path: Path) -> None:
    """A pipe has no size to check first: it is read a MiB at a time and refused once past the limit."""
    from reader.errors import FormatError
    from reader.formats.spacy import read_docbin_bytes

    fifo = tmp_path / "x.spacy"
    os.mkfifo(fifo)

    def write() -> None:
        try:
            fifo.write_bytes(b"x" * (3 << 20))
        except BrokenPipeError:  # refused before the end
            pass

    writer = threading.Thread(target=write, daemon=True)
    writer.start()
    with pytest.raises(FormatError, match=r"x\.spacy: the DocBin is larger than 2 MiB; spaCy loads it whole, so it is refused"):
        read_docbin_bytes(fifo, limit=2 << 20)
    writer.join(timeout=60)
    assert not writer.is_alive()


@pytest.mark.parametrize(("fmt", "data", "says"), [
    ("spacy", b"garbage", "not a spaCy DocBin"),
    ("brat", b"T1\tclaim 0 1\tx\n", "is a pipe or a device"),
    ("jsonl", b"\x00\x01 not json\n", ""),
    ("jsonl", b"", "no records to import (empty "),  # it said "0 record(s)", exit 0
    ("labelstudio", b"[]\n", "no records to import (empty "),
    ("labelstudio", b"", "no records to import (empty "),  # it said "0 record(s), 1 problem(s)" on two lines
    ("jsonl", b" \n", "no records to import (empty "),
])
def test_errors_about_standard_input_name_it_as_typed(tmp_path: Path, fmt: str, data: bytes, says: str) -> None:
    """``reader import -``: a format's one-line error names "- (standard input)", not /dev/stdin."""
    proc = _run(tmp_path, "-", "--format", fmt, stdin=data)
    assert "/dev/stdin" not in proc.stdout + proc.stderr, proc.stdout + proc.stderr
    if says:
        assert proc.returncode == 1
        (line,) = proc.stderr.splitlines()
        assert line.startswith("reader: error: - (standard input): ") and says in line, line


def test_a_dash_with_standard_input_closed_says_so(tmp_path: Path) -> None:
    """``reader import - <&-``: not "cannot be opened by name on this system"."""
    (tmp_path / "corpus").mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "READER_ANNOTATOR": "tester"}
    proc = subprocess.run(["bash", "-c", '"$0" -m reader import corpus - --format jsonl --store s <&-', sys.executable],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.splitlines()[0] == ("reader import: '-' reads standard input, which is closed or cannot be "
                                           "opened by name here; give the file's path"), proc.stderr


def test_a_device_that_holds_nothing_is_refused_in_one_line(tmp_path: Path) -> None:
    """``reader import /dev/null -f labelstudio``: one line, as for an empty file (it said "0 record(s),
    1 problem(s)" and "line 0: the file is empty" on a second line)."""
    proc = _run(tmp_path, "/dev/null", "--format", "labelstudio")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    (line,) = proc.stderr.splitlines()
    assert line == "reader: error: /dev/null: no records to import (empty labelstudio file); nothing was imported", line
    assert "record(s)" not in proc.stdout and not (tmp_path / "s").exists()
