"""Issue 18 item 10: one login per person, on a real PostgreSQL, set up with the SQL that
docs/teams.md gives (run as written): non-superuser roles alice, bob and carol each read every
layer and write their own; judge (an adjudicator) writes gold; row-level security keeps
everyone to their own layer, even through psql; --annotator defaults to the login role."""
from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest

from reader.errors import StoreConflictError
from reader.store import AnnotationStore

from memory_corpus import TEXT, MemoryCorpus, span  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]


def _docs_sql() -> str:
    text = (ROOT / "docs" / "teams.md").read_text(encoding="utf-8")
    block = re.search(r"```sql\n(.*?)```", text, re.S)
    assert block, "docs/teams.md gives the team lead's SQL"
    return block.group(1)


@pytest.fixture(scope="module")
def team(own_pg_server):
    """The store as the team lead sets it up: created by the owner, then the docs' SQL."""
    url = own_pg_server.create_database("team")
    with AnnotationStore(url, annotator="lead"):
        pass  # step 1: open it once, which creates the tables
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(_docs_sql())  # step 2, as written

    def login(user: str) -> str:
        return own_pg_server.url("team", user=user, password=f"{user}-secret")

    return login


def test_each_annotator_logs_in_as_themselves_and_writes_their_own_layer(team):
    with AnnotationStore(team("alice"), corpus=MemoryCorpus()) as alice, \
            AnnotationStore(team("bob"), corpus=MemoryCorpus()) as bob, \
            AnnotationStore(team("carol"), corpus=MemoryCorpus()) as carol:
        assert (alice.annotator, bob.annotator, carol.annotator) == ("alice", "bob", "carol")  # no --annotator
        a = alice.add("d1", *span("Alice"), "quote")
        b = bob.add("d1", *span("Bob"), "claim")
        c = carol.add("d1", *span("Paris"), "claim")
        for store in (alice, bob, carol):
            store.refresh()
            assert {x.annotator for x in store.all()} == {"alice", "bob", "carol"}  # everyone reads every layer
        alice.update(a.id, note="mine")  # her own: fine
        bob.refresh()
        with pytest.raises(StoreConflictError) as exc:
            bob.update(a.id, note="not mine")
        assert "only alice" in str(exc.value)
        with pytest.raises(StoreConflictError):
            bob.delete(c.id)
        with pytest.raises(StoreConflictError):
            carol.add("d1", *span("salary"), "claim", annotator="bob")  # writing in someone else's name
        assert bob.get(a.id).note == "mine" and bob.get(c.id) is not None  # reloaded, not diverged
        assert bob.unsaved == 0 and carol.unsaved == 0  # refused, not kept to be retried forever
    with AnnotationStore(team("carol"), readonly=True) as r:
        assert sorted((x.annotator, x.note) for x in r.all()) == [("alice", "mine"), ("bob", ""), ("carol", "")]
        assert b.id in {x.id for x in r.all()}


def test_psql_cannot_change_another_layer(team):
    with AnnotationStore(team("bob"), corpus=MemoryCorpus()) as bob:
        bob.add("d1", *span("euro"), "claim")
    with psycopg.connect(team("alice"), autocommit=True) as conn:
        assert conn.execute("UPDATE reader_annotations SET record = record || '{\"note\": \"x\"}' "
                            "WHERE annotator = 'bob'").rowcount == 0
        assert conn.execute("DELETE FROM reader_annotations WHERE annotator = 'bob'").rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("INSERT INTO reader_annotations (id, doc_id, annotator, record) "
                         "VALUES ('forged', 'd1', 'bob', '{}'::jsonb)")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("DROP TABLE reader_changes")


def test_an_adjudicator_writes_gold_and_an_annotator_does_not(team):
    with AnnotationStore(team("judge"), corpus=MemoryCorpus()) as judge:
        assert judge.annotator == "judge"
        gold = judge.add_many([{"doc_id": "d1", "start": span("Bob said")[0], "end": span("Bob said")[1],
                                "label": "quote", "annotator": "gold", "source": "adjudicated:bob"}])
        assert [g.annotator for g in gold] == ["gold"]
    with AnnotationStore(team("carol"), corpus=MemoryCorpus()) as carol:
        with pytest.raises(StoreConflictError):
            carol.add("d1", *span("met"), "claim", annotator="gold")
        with pytest.raises(StoreConflictError):
            carol.delete(gold[0].id)


def test_an_explicit_annotator_still_wins_and_the_lead_is_not_held(team, own_pg_server):
    with AnnotationStore(own_pg_server.url("team"), corpus=MemoryCorpus(), annotator="lead") as lead:
        assert lead.annotator == "lead"  # the owner is not subject to the policy (as PostgreSQL does)
