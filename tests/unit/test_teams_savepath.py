"""Issue 18 item 13: a save takes no store-wide lock, and polling still sees every change exactly
once when transactions commit out of the order of their change numbers. Real PostgreSQL."""
from __future__ import annotations

from urllib.parse import urlsplit

import psycopg
import pytest

from reader.store import AnnotationStore
from reader.store.base import ann_record
from reader.store.postgres import COMMIT_LOCK, SCHEMA_VERSION, _encode_str, _jsonb
from reader.store.pgwrite import WriteContext, run_ops

from memory_corpus import CORPUS, TEXT, sessions, span  # noqa: F401 (sessions: a fixture)


def _view(store: AnnotationStore) -> list[tuple[str, int, int, str, str]]:
    return sorted((a.annotator, a.start, a.end, a.label, a.note) for a in store.all())


def _db(url: str) -> list[tuple[str, int, int, str, str]]:
    with AnnotationStore(url, readonly=True, corpus=CORPUS) as r:
        return _view(r)


def _late_put(conn: psycopg.Connection, record: dict) -> None:
    """What a save of ``record`` writes (pgwrite's own statement), in a transaction left open."""
    ctx = WriteContext(_encode_str, _jsonb, "late", "late:1:x", SCHEMA_VERSION)
    conn.execute("BEGIN")
    with conn.cursor() as cur:
        schema, revs = run_ops(cur, [["put", record]], [0], ctx)
    assert schema == SCHEMA_VERSION and revs[0] is not None


def test_a_change_that_commits_after_a_later_one_is_polled_is_still_seen_once(sessions, pg_url):
    """A transaction takes its change number (rev, seq) first and commits last: a session that
    polled in between has seen the later change, and must still get the earlier one, once."""
    alice, bob, carol = sessions("alice"), sessions("bob"), sessions("carol")
    template = alice.add("d1", *span("Alice"), "quote")
    record = {**ann_record(template), "id": "late0001", "annotator": "dave", "start": span("Paris")[0],
              "end": span("Paris")[1], "text": "Paris", "label": "claim"}
    carol.refresh()
    with psycopg.connect(pg_url, autocommit=True) as late:
        _late_put(late, record)  # rev n, not committed yet
        bob.add("d1", *span("Bob"), "quote")  # rev n+1, committed now
        carol.refresh()
        assert "late0001" not in {a.id for a in carol.all()}
        late.execute("COMMIT")
    carol.refresh()
    carol.refresh()  # a second poll applies nothing twice
    assert _view(carol) == _db(pg_url)
    assert [a.id for a in carol.all()].count("late0001") == 1
    alice.refresh()
    assert _view(alice) == _db(pg_url)


def test_a_save_waits_for_no_store_wide_lock(sessions, pg_url):
    """While another connection holds the store's advisory lock and a row lock on another
    annotation, a save still goes through (a wait would end in lock_timeout's error)."""
    db = urlsplit(pg_url).path.lstrip("/")
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{db}" SET lock_timeout = \'5s\'')
    alice = sessions("alice")
    other = alice.add("d1", *span("Alice"), "quote")
    bob = sessions("bob")
    with psycopg.connect(pg_url, autocommit=True) as holder:
        holder.execute("BEGIN")
        holder.execute("SELECT pg_advisory_xact_lock(%s)", (COMMIT_LOCK,))
        holder.execute("SELECT 1 FROM reader_annotations WHERE id = %s FOR UPDATE", (other.id,))
        saved = bob.add("d1", *span("Paris"), "claim")
        bob.update(saved.id, note="capital")
        bob.delete(saved.id)
        bob.add("d1", *span("Bob"), "quote")
        holder.execute("ROLLBACK")
    assert bob.unsaved == 0
    assert _db(pg_url) == _view(bob)
