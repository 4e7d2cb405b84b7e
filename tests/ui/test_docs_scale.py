"""`reader docs` on many small files (issue #13, item 16): `--no-detect`, detection
results cached in the store when no writer holds it (the next run detects nothing),
and progress on stderr when it is a terminal. Timing is in `make bench`."""
from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

import reader.lang.corpuslang as corpus_mod  # the language pass (detection_entry) lives there
from reader.cli import main
from reader.store import AnnotationStore

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def many(tmp_path):
    root = tmp_path / "many"
    root.mkdir()
    for i in range(60):
        text = (f"This is a small English file, number {i}, about the weather and the sea.\n" if i % 2
                else f"Questo è un piccolo file italiano, numero {i}, sul tempo e sul mare.\n")
        (root / f"f{i:03d}.txt").write_text(text, encoding="utf-8")
    store = tmp_path / "store"
    AnnotationStore(store).close()
    return root, store


@pytest.fixture
def detections(monkeypatch):
    calls = []
    real = corpus_mod.detection_entry

    def counting(text):
        calls.append(text)
        return real(text)

    monkeypatch.setattr(corpus_mod, "detection_entry", counting)
    return calls


def docs_json(capsys, *argv) -> dict:
    code = main(["docs", *map(str, argv), "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def test_no_detect_runs_no_detection(many, detections, capsys):
    root, store = many
    data = docs_json(capsys, root, "--store", store, "--no-detect")
    assert detections == []
    assert {d["lang_source"] for d in data["documents"]} == {"pending"}


def test_results_are_cached_so_the_next_run_detects_nothing(many, detections, capsys):
    root, store = many
    first = docs_json(capsys, root, "--store", store)
    assert len(detections) == 60
    assert {d["lang"] for d in first["documents"]} == {"en", "it"}
    detections.clear()
    second = docs_json(capsys, root, "--store", store)
    assert detections == []  # all from the store's cache
    assert [d["lang"] for d in second["documents"]] == [d["lang"] for d in first["documents"]]
    # and --no-detect shows the cached languages too
    third = docs_json(capsys, root, "--store", store, "--no-detect")
    assert [d["lang"] for d in third["documents"]] == [d["lang"] for d in first["documents"]]


def test_a_locked_store_is_not_waited_for_and_a_missing_one_not_created(many, detections, capsys, tmp_path):
    root, store = many
    with AnnotationStore(store):  # the app holds the lock
        docs_json(capsys, root, "--store", store)
        assert len(detections) == 60
    detections.clear()
    docs_json(capsys, root, "--store", store)
    assert len(detections) == 60  # nothing was cached while locked
    missing = tmp_path / "no-store"
    docs_json(capsys, root, "--store", missing)
    assert not missing.exists()


def _stderr_of(argv: list[str], tty: bool) -> bytes:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "reader", *argv]
    if not tty:
        proc = subprocess.run(cmd, capture_output=True, env=env, timeout=300)
        assert proc.returncode == 0, proc.stderr
        return proc.stderr
    master, slave = pty.openpty()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=slave, env=env)
    os.close(slave)
    chunks = []
    deadline = time.monotonic() + 300
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
    proc.wait(timeout=60)
    os.close(master)
    assert proc.returncode == 0
    return b"".join(chunks)


def test_progress_on_a_terminal_only(many, tmp_path):
    root, store = many
    err = _stderr_of(["docs", str(root), "--store", str(tmp_path / "s1"), "--json"], tty=True)
    assert b"detecting languages" in err and b"60/60" in err
    err = _stderr_of(["docs", str(root), "--store", str(tmp_path / "s2"), "--json"], tty=False)
    assert err == b""
