"""Issue 18 items 1 and 2: sessions never diverge (optimistic concurrency), and the database
itself refuses two identical spans in one layer. Several sessions on one real PostgreSQL."""
from __future__ import annotations


import psycopg
import pytest

from reader.errors import StoreConflictError
from reader.store import AnnotationStore

from memory_corpus import CORPUS, TEXT, sessions, span  # noqa: F401 (sessions: a fixture)


def _db_overrides(url: str) -> dict[str, str]:
    with AnnotationStore(url, readonly=True) as r:
        return r.language_overrides()


def _db_spans(url: str) -> list[tuple[str, int, int, str, str]]:
    with AnnotationStore(url, readonly=True) as r:
        return [(a.annotator, a.start, a.end, a.label, a.note) for a in r.all()]


def _view(store: AnnotationStore) -> list[tuple[str, int, int, str, str]]:
    return [(a.annotator, a.start, a.end, a.label, a.note) for a in store.all()]


def test_language_overrides_set_before_a_poll_do_not_diverge(sessions, pg_url):
    alice, bob = sessions("alice"), sessions("bob")
    alice.set_language_override("d1", "it")
    with pytest.raises(StoreConflictError) as exc:
        bob.set_language_override("d1", "fr")  # bob has not polled: his write is based on "no override"
    line = str(exc.value)
    assert line.startswith("alice set this language override") and "reloaded" in line and "ctrl+z is unchanged" in line
    assert bob.language_overrides() == {"d1": "it"}  # reloaded at once, not after a poll
    alice.refresh(), bob.refresh()
    assert alice.language_overrides() == bob.language_overrides() == _db_overrides(pg_url) == {"d1": "it"}
    bob.set_language_override("d1", "fr")  # now based on what he sees: accepted
    alice.refresh()
    assert alice.language_overrides() == _db_overrides(pg_url) == {"d1": "fr"}


def test_delete_then_a_stale_edit(sessions, pg_url):
    one, two = sessions("alice"), sessions("alice")
    x = one.add("d1", *span("Paris"), "claim")
    two.refresh()
    one.delete(x.id)
    with pytest.raises(StoreConflictError) as exc:
        two.update(x.id, note="edited")
    assert "deleted this span" in str(exc.value)
    assert two.get(x.id) is None and not two.can_undo  # the refused edit is not in ctrl+z
    one.refresh(), two.refresh()
    assert _view(one) == _view(two) == _db_spans(pg_url) == []


def test_edit_then_a_stale_delete(sessions, pg_url):
    one, two = sessions("alice"), sessions("bob")
    x = one.add("d1", *span("Paris"), "claim")
    two.refresh()
    one.update(x.id, note="edited")
    with pytest.raises(StoreConflictError) as exc:
        two.delete(x.id)
    assert str(exc.value).startswith("alice changed this span")
    assert two.get(x.id) is not None and two.get(x.id).note == "edited"
    one.refresh(), two.refresh()
    assert _view(one) == _view(two) == _db_spans(pg_url) == [("alice", *span("Paris"), "claim", "edited")]


def test_two_edits_of_one_span_the_second_is_told_and_undo_is_unchanged(sessions, pg_url):
    one, two = sessions("alice"), sessions("alice")
    x = one.add("d1", *span("Paris"), "claim")
    two.refresh()
    two.add("d1", *span("Alice"), "quote")  # two's own earlier change, undoable
    one.update(x.id, note="one")
    with pytest.raises(StoreConflictError):
        two.update(x.id, note="two")
    assert two.get(x.id).note == "one"
    two.undo()  # undoes two's own add, not the refused edit
    one.refresh(), two.refresh()
    assert _view(one) == _view(two) == _db_spans(pg_url) == [("alice", *span("Paris"), "claim", "one")]


def test_two_sessions_of_one_annotator_add_the_same_span(sessions, pg_url):
    one, two = sessions("alice"), sessions("alice")
    a = one.add("d1", *span("Paris"), "claim")
    with pytest.raises(StoreConflictError) as exc:
        two.add("d1", *span("Paris"), "claim")  # two has not seen one's span yet
    assert "already has this span" in str(exc.value)
    one.refresh(), two.refresh()
    assert _view(one) == _view(two) == _db_spans(pg_url) == [("alice", *span("Paris"), "claim", "")]
    two.update(a.id, note="later")  # editing it later works (no DuplicateAnnotationError)
    one.refresh()
    assert one.get(a.id).note == "later"
    b = sessions("bob").add("d1", *span("Paris"), "claim")  # another layer may hold the same span
    assert b.annotator == "bob"


def test_the_database_itself_refuses_a_duplicate_in_a_layer(sessions, pg_url):
    sessions("alice").add("d1", *span("Paris"), "claim")
    with psycopg.connect(pg_url, autocommit=True) as conn:
        row = conn.execute("SELECT doc_id, annotator, record FROM reader_annotations").fetchone()
        record = dict(row[2], id="forged")
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("INSERT INTO reader_annotations (id, doc_id, annotator, record) VALUES (%s, %s, %s, %s)",
                         ("forged", row[0], row[1], psycopg.types.json.Jsonb(record)))


def test_a_retried_commit_whose_acknowledgement_was_lost_is_not_a_conflict(sessions, pg_url):
    from reader.store.postgres import PostgresEngine

    engine = PostgresEngine(pg_url, annotator="alice")
    engine.load()
    try:
        record = {"id": "x1", "doc_id": "d1", "start": 0, "end": 5, "label": "quote", "text": "Alice"}
        ops = [["put", record]]
        bases = engine.based_on(ops)
        engine.commit_based(ops, bases)
        engine.commit_based(ops, bases)  # the same commit again, as after a lost acknowledgement
        ops = [["meta", "overrides", "d1", "it"]]
        bases = engine.based_on(ops)
        engine.commit_based(ops, bases)
        engine.commit_based(ops, bases)
    finally:
        engine.close()


def test_an_older_store_with_duplicates_is_upgraded_keeping_them_aside(pg_url):
    from reader.store import postgres

    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE reader_schema (version integer PRIMARY KEY, applied text NOT NULL)")
        for version, statements in enumerate(postgres.MIGRATIONS[:2], 1):
            for statement in statements:
                conn.execute(statement)
            conn.execute("INSERT INTO reader_schema VALUES (%s, 'then')", (version,))
        for i, updated in enumerate(["2026-01-01T00:00:00", "2026-02-01T00:00:00"]):
            rec = {"id": f"dup{i}", "doc_id": "d1", "start": 0, "end": 5, "label": "quote", "text": "Alice",
                   "annotator": "alice", "updated": updated, "status": "accepted"}
            conn.execute("INSERT INTO reader_annotations VALUES (%s, 'd1', 'alice', %s)",
                         (rec["id"], psycopg.types.json.Jsonb(rec)))
    with AnnotationStore(pg_url, annotator="alice") as store:
        assert [a.id for a in store.all()] == ["dup1"]  # the newer one stays
    with psycopg.connect(pg_url, autocommit=True) as conn:
        assert [r[0] for r in conn.execute("SELECT id FROM reader_duplicates")] == ["dup0"]
