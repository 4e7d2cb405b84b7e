"""`reader store copy` killed half-way (issue 18, item 5): the process is really killed (SIGKILL)
in the middle of the copy, on both engines and in both directions. The target is never a part of
the source that works as a whole one: a database target is empty (one transaction), a folder
target does not exist (the copy is built in a temporary folder renamed at the end), the temporary
folder is refused by every command in one line, and a rerun copies everything."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reader.cli import main
from reader.corpus import load_corpus
from reader.store import AnnotationStore
from reader.store.transfer import partial_folder

from conftest import copy_seeds

ROOT = Path(__file__).resolve().parents[2]
LABELS = ("salary", "quote", "claim", "opinion")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


@pytest.fixture(scope="module")
def big_source(tmp_path_factory):
    """A folder store with many annotations (every word of the seeds, four labels, two annotators)."""
    root = tmp_path_factory.mktemp("copy")
    seeds = copy_seeds(root)
    corpus = load_corpus(seeds, detect=False)
    store = root / "source"
    items = []
    for doc in corpus:
        for m in re.finditer(r"\w+", doc.text):
            for label in LABELS:
                for who in ("alice", "bob"):
                    items.append({"doc_id": doc.id, "start": m.start(), "end": m.end(), "label": label, "annotator": who})
    with AnnotationStore(store, corpus=corpus, annotator="alice") as s:
        s.add_many(items)
        s.link(s.all()[0].id, s.all()[1].id)
    return store, len(items)


def _count(location) -> int:
    with AnnotationStore(location, readonly=True) as s:
        return len(s)


def _kill_when(argv: list[str], ready) -> bool:
    """Start ``reader store copy``, SIGKILL it once ``ready()``; whether it was still running then."""
    proc = subprocess.Popen([sys.executable, "-m", "reader", *argv], env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None and not ready():
            time.sleep(0.005)
        running = proc.poll() is None
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    return running


def _inserting(url: str) -> bool:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND state = 'active' AND query ILIKE '%INSERT INTO reader_annotations%'"
        ).fetchone()
    return bool(row[0])


def test_killed_copy_into_a_database_leaves_it_empty_and_a_rerun_works(big_source, pg_url, capsys):
    source, n = big_source
    assert _kill_when(["store", "copy", str(source), pg_url], lambda: _inserting(pg_url)), "the copy ended first"
    assert _count(pg_url) == 0  # not 5,000 of them: the transaction died with the process
    assert main(["store", "copy", str(source), pg_url]) == 0, capsys.readouterr().err
    assert _count(pg_url) == n


def test_killed_copy_into_a_folder_is_refused_and_a_rerun_works(big_source, pg_url, tmp_path, capsys):
    source, n = big_source
    assert main(["store", "copy", str(source), pg_url]) == 0  # the database as the source
    capsys.readouterr()
    target = tmp_path / "copy"
    work = partial_folder(target)
    journal = work / "journal.jsonl"

    def first_batch_saved() -> bool:
        try:
            return journal.stat().st_size > 0
        except OSError:
            return False

    assert _kill_when(["store", "copy", pg_url, str(target)], first_batch_saved), "the copy ended first"
    assert not target.exists()  # nothing that looks like a store
    assert work.is_dir()
    # the unfinished folder is refused by every command, in one line
    for argv in (["stats", "--store", str(work)], ["store", "check", "--store", str(work)],
                 ["merge", str(work), "--into", str(tmp_path / "m")], ["store", "copy", str(work), str(tmp_path / "c")]):
        code = main(argv)
        err = capsys.readouterr().err
        assert code != 0 and "unfinished `reader store copy`" in err, (argv, err)
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert main(["store", "copy", pg_url, str(target)]) == 0, capsys.readouterr().err
    assert _count(target) == n and not work.exists()
    with AnnotationStore(target, readonly=True) as s:
        assert len(s.links()) == 1
