"""One corrupt row blocks no one (issue 18, item 4), on a real PostgreSQL; and `reader store
check|recover` take every store the command line takes (a folder or a postgresql:// URL)."""
from __future__ import annotations

import logging
import re

import pytest

from reader.cli import main
from reader.corpus import load_corpus
from reader.store import AnnotationStore

from conftest import copy_seeds

DOC = "000_9d99caadc18c77c5"


@pytest.fixture
def corpus(tmp_path):
    return load_corpus(copy_seeds(tmp_path), detect=False)


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _team(corpus, location):
    w = [m.span() for m in re.finditer(r"\w{4,}", corpus.get(DOC).text)][:3]
    with AnnotationStore(location, corpus=corpus, annotator="alice") as s:
        anns = [s.add(DOC, *span, "claim") for span in w]
    return anns


def _sql(url, statement, *params):
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.execute(statement, params)
        return cur.fetchall() if cur.description else None


def test_a_corrupt_row_is_quarantined_named_and_the_store_opens(corpus, pg_url, capsys, caplog):
    anns = _team(corpus, pg_url)
    _sql(pg_url, """UPDATE reader_annotations SET record = '{"id": 5}' WHERE id = %s""", anns[1].id)
    # check reads only: it names the row and changes nothing
    code, out, err = run(capsys, "store", "check", "--store", pg_url)
    assert code == 1 and anns[1].id in out and "not a valid annotation" in out and "secret" not in out + err
    assert _sql(pg_url, "SELECT count(*) FROM reader_annotations")[0][0] == 3
    # a read-only session opens too, skipping it
    with AnnotationStore(pg_url, readonly=True) as s:
        assert sorted(a.id for a in s.all()) == sorted([anns[0].id, anns[2].id])
    # a writing session opens, moves the row to reader_quarantine and names it in one line
    with caplog.at_level(logging.WARNING, logger="reader.store"):
        with AnnotationStore(pg_url, annotator="bob") as s:
            assert len(s) == 2
            s.add(DOC, anns[1].start, anns[1].end, "claim")  # and works
    named = [r.getMessage() for r in caplog.records if anns[1].id in r.getMessage() and "moved to" in r.getMessage()]
    assert len(named) == 1 and "reader_quarantine" in named[0] and "\n" not in named[0]
    rows = _sql(pg_url, "SELECT id, record FROM reader_quarantine")
    assert rows == [(anns[1].id, {"id": 5})]  # kept as it was, never deleted
    code, out, err = run(capsys, "store", "check", "--store", pg_url)
    assert code == 0 and "reader_quarantine holds row" in out and ": ok" in out


def test_recover_takes_a_url(corpus, pg_url, capsys):
    anns = _team(corpus, pg_url)
    _sql(pg_url, """UPDATE reader_annotations SET record = '"just a string"' WHERE id = %s""", anns[0].id)
    code, out, err = run(capsys, "store", "recover", "--store", pg_url)
    assert code == 0, err
    assert "1 unreadable row(s) moved to the table reader_quarantine" in out and anns[0].id in out
    assert "secret" not in out
    code, out, err = run(capsys, "store", "recover", "--store", pg_url)
    assert code == 0 and "nothing to recover" in out
    assert not list((__import__("pathlib").Path.cwd()).glob("postgres*"))  # never a folder named after the URL


def test_check_and_recover_on_a_folder_still_work(corpus, tmp_path, capsys):
    store = tmp_path / "store"
    _team(corpus, store)
    code, out, err = run(capsys, "store", "check", "--store", store)
    assert code == 0 and "ok" in out
    shard = next((store / "docs").iterdir())
    shard.write_text("{ not json", encoding="utf-8")
    code, out, err = run(capsys, "store", "check", "--store", store)
    assert code == 1
    code, out, err = run(capsys, "store", "recover", "--store", store)
    assert code == 0, err
    with AnnotationStore(store, readonly=True) as s:
        assert len(s) == 3
