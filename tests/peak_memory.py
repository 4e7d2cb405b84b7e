"""Peak memory of a ``reader`` command, as the user runs it (issue 19: no import uses more than
about 5x its input plus a fixed amount), and ``corpus``, a fixture: a corpus of one small document."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MIB = 1024 * 1024


def reader_peak(*argv: object, cwd: Path, stdin: Path | None = None) -> tuple[subprocess.CompletedProcess[str], int]:
    """``reader ARGV`` in a child of a fresh wrapper: its result and its peak RSS in bytes
    (``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` of the wrapper sees only that child).
    ``stdin``: a file whose bytes the wrapper writes into the child's standard input, a pipe."""
    wrapper = (
        "import resource, subprocess, sys, json, os\n"
        "src = os.environ.pop('PEAK_STDIN', '')\n"
        "data = open(src, 'rb').read() if src else None\n"
        "p = subprocess.run(sys.argv[1:], input=data, capture_output=True)\n"
        "out, err = (x.decode('utf-8', 'replace') for x in (p.stdout, p.stderr))\n"
        "print(json.dumps([p.returncode, out[-4000:], err[-4000:],"
        " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "READER_ANNOTATOR": "tester"}
    if stdin is not None:
        env["PEAK_STDIN"] = str(stdin)
    out = subprocess.run([sys.executable, "-c", wrapper, sys.executable, "-m", "reader", *map(str, argv)],
                         capture_output=True, text=True, cwd=cwd, env=env, timeout=600)
    code, stdout, stderr, peak_kib = json.loads(out.stdout)
    return subprocess.CompletedProcess(argv, code, stdout, stderr), peak_kib * 1024


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "a.txt").write_text("Alpha beta gamma.\n", encoding="utf-8")
    return root
