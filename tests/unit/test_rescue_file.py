"""``reader store restore FILE``: which files it takes as a rescue file, through the CLI's entry point."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from reader.cli.commands import main
from reader.store import AnnotationStore
from reader.store.rescue import rescue_bytes

ROOT = Path(__file__).resolve().parents[2]
BOM = b"\xef\xbb\xbf"
OPS = [[["meta", "state", "k1", "v1"]], [["meta", "state", "k2", "v2"]]]


def _restore(capsys, path: Path, store: Path) -> tuple[int, str, str]:
    code = main(["store", "restore", str(path), "--yes", "--store", str(store)])
    out, err = capsys.readouterr()
    return code, out, err


def _state(store: Path) -> dict[str, object]:
    with AnnotationStore(store, readonly=True) as s:
        return {k: s.get_state(k) for k in ("k1", "k2")}


@pytest.mark.parametrize("crlf", [False, True])
def test_a_rescue_file_with_a_bom_is_restored(tmp_path, capsys, crlf):
    """An editor on Windows added a UTF-8 BOM (and CRLF line ends): it was "not a rescue file"."""
    data = rescue_bytes(tmp_path / "s", OPS)
    if crlf:
        data = data.replace(b"\n", b"\r\n")
    path = tmp_path / "unsaved.rescue.jsonl"
    path.write_bytes(BOM + data)
    code, out, err = _restore(capsys, path, tmp_path / "s")
    assert code == 0, out + err
    assert "2 change(s) in 2 transaction(s)" in out and "restored 2 of 2 unsaved change(s)" in out, out
    assert _state(tmp_path / "s") == {"k1": "v1", "k2": "v2"}


def test_a_rescue_file_with_a_bom_from_standard_input_is_restored(tmp_path):
    data = BOM + rescue_bytes(tmp_path / "s", OPS)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "READER_ANNOTATOR": "tester"}
    proc = subprocess.run([sys.executable, "-m", "reader", "store", "restore", "-", "--yes", "--store", str(tmp_path / "s")],
                          input=data, capture_output=True, cwd=tmp_path, env=env, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert b"restored 2 of 2 unsaved change(s)" in proc.stdout


@pytest.mark.parametrize("data", [
    BOM + b'{"text": "a", "spans": []}\n',  # an import file, with a BOM
    BOM, b"", BOM + b"\n",  # empty
    BOM + BOM + b'{"reader_rescue": 1}\n',  # a BOM is taken once, as the canonical text rule does
    b" " + BOM + b'{"reader_rescue": 1}\n',  # not at the start: not a BOM
])
def test_what_is_not_a_rescue_file_is_still_refused_in_one_line(tmp_path, capsys, data):
    path = tmp_path / "x.jsonl"
    path.write_bytes(data)
    code, out, err = _restore(capsys, path, tmp_path / "s")
    assert code == 1
    (line,) = err.splitlines()
    assert line == f"reader: error: {path}: not a rescue file (its first line is not a reader_rescue header)", line


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_a_rescue_file_saved_again_in_utf_16_or_32_is_named_as_such_in_one_line(tmp_path, capsys, encoding):
    """Opened and saved again by an editor that writes "Unicode" (UTF-16 with its byte order mark): it was
    "not a rescue file", which sent the user looking for another file."""
    text = rescue_bytes(tmp_path / "s", OPS).decode("utf-8")
    path = tmp_path / "x.jsonl"
    path.write_bytes(("\ufeff" if encoding.endswith("-be") else "") .encode(encoding) + text.encode(encoding))
    code, out, err = _restore(capsys, path, tmp_path / "s")
    assert code == 1
    (line,) = err.splitlines()
    wide = "UTF-32" if encoding.startswith("utf-32") else "UTF-16"
    assert line == (f"reader: error: {path}: written in {wide} (its first bytes are a {wide} byte order mark), not "
                    "UTF-8; save it as UTF-8 and restore it again"), line
    assert not (tmp_path / "s").exists() or _state(tmp_path / "s") == {"k1": None, "k2": None}
