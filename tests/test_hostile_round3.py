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

ROOT = Path(__file__).resolve().parents[1]


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


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "a.txt").write_text("Alpha beta gamma.\n", encoding="utf-8")
    return root


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
