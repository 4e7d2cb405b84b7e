"""The PostgreSQL engine on a real server: schema migrations, other writers'
changes, every connection fault (one clear line, nothing lost), store copy."""
from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from reader.cli import main
from reader.errors import StoreError, StoreVersionError, StoreWriteError
from reader.model import Document
from reader.store import AnnotationStore

pytest.importorskip("psycopg", reason="the postgres extra is not installed (pip install -e '.[postgres]')")

from memory_corpus import TEXT, MemoryCorpus, doc, span  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]

CORPUS = MemoryCorpus([doc("d1"), doc("d2")])


def one_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


# --------------------------------------------------------------------------- schema


def test_schema_is_created_by_versioned_migrations_once(pg_url):
    import psycopg

    from reader.store.postgres import SCHEMA_VERSION

    with AnnotationStore(pg_url, corpus=CORPUS, annotator="alice") as s:
        s.add("d1", *span("Alice"), "quote")
    with AnnotationStore(pg_url, corpus=CORPUS, annotator="alice") as s:
        assert len(s.all()) == 1
    with psycopg.connect(pg_url) as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM reader_schema ORDER BY version")]
    assert versions == list(range(1, SCHEMA_VERSION + 1))


def test_newer_schema_is_refused_and_left_alone(pg_url):
    import psycopg

    AnnotationStore(pg_url).close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("INSERT INTO reader_schema (version, applied) VALUES (99, 'future')")
    with pytest.raises(StoreVersionError) as exc:
        AnnotationStore(pg_url)
    assert "99" in str(exc.value) and "reader-secret" not in str(exc.value)


def test_a_session_stops_writing_when_a_newer_reader_migrates_under_it(pg_url, tmp_path):
    """Sessions check the schema in every commit, not only when they open: after a newer
    reader's migration, an older session writes nothing in the old form and keeps its change."""
    import psycopg

    store = AnnotationStore(pg_url, corpus=CORPUS, annotator="alice")
    try:
        store.add("d1", *span("Alice"), "quote")
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute("INSERT INTO reader_schema (version, applied) VALUES (99, 'future')")
            before = conn.execute("SELECT count(*) FROM reader_changes").fetchone()[0]
        with pytest.raises(StoreWriteError) as exc:
            store.add("d1", *span("Paris"), "claim")
        message = str(exc.value)
        assert "newer reader" in message and "99" in message and "\n" not in message and len(message) < 300
        assert store.unsaved == 1 and len(store.for_document("d1")) == 2  # kept, shown, not lost
        with psycopg.connect(pg_url, autocommit=True) as conn:
            assert conn.execute("SELECT count(*) FROM reader_changes").fetchone()[0] == before
            assert conn.execute("SELECT count(*) FROM reader_annotations").fetchone()[0] == 1
        from reader.store.rescue import write_rescue

        rescue = write_rescue(tmp_path / "store", store.unsaved_changes(), folders=[tmp_path])
        assert "Paris" in rescue.read_text(encoding="utf-8")
        store.discard_unsaved()
        # the newer reader's own writes are not read in the old form, nor skipped
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute("INSERT INTO reader_changes (session, op) VALUES ('newer', '[\"put\", {\"form\": 99}]')")
        for _ in range(2):
            with pytest.raises(StoreVersionError):
                store.refresh()
        # nor does the engine's own table write go through
        from reader.store.postgres import PostgresEngine

        engine = PostgresEngine(pg_url, annotator="alice")
        try:
            with pytest.raises(StoreVersionError):
                engine.set_labels_toml("[labels]\n")
        finally:
            engine.close()
        with psycopg.connect(pg_url, autocommit=True) as conn:
            assert conn.execute("SELECT count(*) FROM reader_info WHERE key = 'labels.toml'").fetchone()[0] == 0
    finally:
        store.close()


# --------------------------------------------------------------------------- NUL and the escape character

#: PostgreSQL refuses U+0000 in text and jsonb; the engine stores strings escaped with U+FDD0
ODD = "n\x00l \ufdd0 \ufdd0e \ufdd00 \x00\ufdd0e"
ODD_TEXT = "Alice\x00Bob \ufdd0e\ufdd0 met\x00."


def test_nul_and_the_escape_round_trip_exactly_and_block_nothing(pg_url):
    import psycopg

    odd_doc = doc("d\x00\ufdd0e", ODD_TEXT)
    corpus = MemoryCorpus([doc("d1"), odd_doc])
    annotator = "al\x00ice\ufdd0"
    with AnnotationStore(pg_url, corpus=corpus, annotator=annotator) as s, \
            AnnotationStore(pg_url, corpus=corpus, annotator="bob") as other:
        first = s.add(odd_doc.id, *span("Bob \ufdd0e\ufdd0 met\x00", ODD_TEXT), "quote", note=ODD)
        assert s.unsaved == 0
        s.set_state("k\x00\ufdd0", {"v\ufdd0e": [ODD, "\x00"]})
        s.set_language_override(odd_doc.id, "it")
        s.add_documents([Document(id="imp\x00\ufdd0", text=ODD_TEXT, sha256="f" * 64, imported=True)])
        later = s.add("d1", *span("Alice"), "claim", note="after")  # not held up behind the NUL change
        assert s.unsaved == 0
        assert other.refresh() >= 2  # another session's poll decodes the changes
        assert other.get(first.id).to_dict() == first.to_dict()
        assert other.get_state("k\x00\ufdd0") == {"v\ufdd0e": [ODD, "\x00"]}
        s.delete(later.id)
        assert s.unsaved == 0
    with psycopg.connect(pg_url) as conn:  # nothing stored raw: neither NUL nor an unescaped U+FDD0
        rows = conn.execute("SELECT id, doc_id, annotator, record::text FROM reader_annotations").fetchall()
        assert rows and all("\\u0000" not in cell and "\x00" not in cell for row in rows for cell in row)
        assert all("\ufdd0" not in cell.replace("\ufdd0e", "").replace("\ufdd00", "") for row in rows for cell in row)
    with AnnotationStore(pg_url, corpus=corpus, annotator=annotator) as s:
        (again,) = s.all()
        assert again.to_dict() == first.to_dict()
        assert (again.note, again.text, again.annotator, again.doc_id) == (
            ODD, "Bob \ufdd0e\ufdd0 met\x00", annotator, odd_doc.id)
        assert s.get_state("k\x00\ufdd0") == {"v\ufdd0e": [ODD, "\x00"]}
        assert s.language_overrides() == {odd_doc.id: "it"}
        (imported,) = s.imported_documents()
        assert (imported.id, imported.text) == ("imp\x00\ufdd0", ODD_TEXT)
        s.update(again.id, note="plain")
        assert s.unsaved == 0 and s.get(again.id).note == "plain"


def test_upgrade_re_escapes_u_fdd0_stored_by_version_1(pg_url):
    import psycopg

    from reader.store.postgres import SCHEMA_VERSION

    raw = "x\ufdd0 \ufdd0e \ufdd00 \ufdd0"  # as a version-1 engine stored it: U+FDD0 raw, no escapes
    with AnnotationStore(pg_url, corpus=CORPUS, annotator="alice") as s:
        ann = s.add("d1", *span("Alice"), "quote", note="plain")
    with psycopg.connect(pg_url, autocommit=True) as conn:  # back to version 1, with version-1 data
        conn.execute("DELETE FROM reader_schema WHERE version > 1")
        conn.execute("UPDATE reader_annotations SET annotator = %s, "
                     "record = record || jsonb_build_object('note', %s::text, 'annotator', %s::text)",
                     ("al\ufdd0e", raw, "al\ufdd0e"))
        conn.execute("INSERT INTO reader_meta (tbl, key, value) VALUES ('state', %s, %s::jsonb)",
                      ("k\ufdd0", json.dumps({"v\ufdd0": raw})))
    for _ in range(2):  # upgraded once, then read as it is
        with AnnotationStore(pg_url, corpus=CORPUS, annotator="alice") as s:
            again = s.get(ann.id)
            assert (again.note, again.annotator) == (raw, "al\ufdd0e")
            assert s.get_state("k\ufdd0") == {"v\ufdd0": raw}
    with psycopg.connect(pg_url) as conn:
        versions = [r[0] for r in conn.execute("SELECT version FROM reader_schema ORDER BY version")]
    assert versions == list(range(1, SCHEMA_VERSION + 1))


def test_upgrade_of_a_database_that_is_not_utf8(pg_server):
    import psycopg

    name = "latin1_" + uuid.uuid4().hex[:8]
    with psycopg.connect(pg_server.url(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0")
    try:
        url = pg_server.url(name)
        with AnnotationStore(url, corpus=CORPUS, annotator="alice") as s:
            s.add("d1", *span("Paris"), "claim", note="n\x00te é")
        with AnnotationStore(url, corpus=CORPUS, annotator="alice") as s:
            assert [a.note for a in s.all()] == ["n\x00te é"]
    finally:
        pg_server.drop_database(name)


# --------------------------------------------------------------------------- many writers


def test_two_sessions_same_span_each_own_layer_and_undo(pg_url):
    a = AnnotationStore(pg_url, corpus=CORPUS, annotator="alice")
    b = AnnotationStore(pg_url, corpus=CORPUS, annotator="bob")
    try:
        a.add("d1", *span("Paris"), "claim")
        b.add("d1", *span("Paris"), "claim")  # the same span in bob's layer: not a duplicate
        b.add("d1", *span("Bob said"), "quote")
        assert b.refresh() >= 1 and a.refresh() >= 2
        assert sorted(x.annotator for x in a.for_document("d1")) == ["alice", "bob", "bob"]
        a.undo()  # alice's undo removes alice's change only
        b.refresh()
        assert sorted(x.annotator for x in b.for_document("d1")) == ["bob", "bob"]
    finally:
        a.close()
        b.close()
    with AnnotationStore(pg_url, readonly=True) as r:
        assert sorted((x.annotator, x.label) for x in r.all()) == [("bob", "claim"), ("bob", "quote")]


def test_workspace_tables_are_shared(pg_url):
    with AnnotationStore(pg_url, annotator="alice") as a, AnnotationStore(pg_url, annotator="bob") as b:
        a.set_done("d1", True)
        a.set_language_override("d2", "fr")
        a.cache_languages({"abc": {"lang": "en", "confidence": 0.9, "paragraphs": []}})
        b.refresh()
        assert b.doc_status("d1") == "done"
        assert b.language_overrides() == {"d2": "fr"}
        assert b.cached_language("abc")["lang"] == "en"


# --------------------------------------------------------------------------- faults: one clear line each


@pytest.mark.parametrize("url, words", [
    ("postgresql://alice@127.0.0.1:notaport/db", "valid PostgreSQL URL"),
    ("postgresql://alice@127.0.0.1:1/db", "cannot reach"),
])
def test_bad_url_and_unreachable_server(url, words, capsys):
    with pytest.raises(StoreError) as exc:
        AnnotationStore(url)
    assert words in str(exc.value)
    code = main(["docs", str(ROOT / "seeds"), "--store", url])
    _out, err = capsys.readouterr()
    assert code == 1 and words in one_line(err)


def test_wrong_password_and_missing_database(pg_server, pg_url, capsys):
    bad_password = pg_server.url(pg_url.rsplit("/", 1)[1], password="wrong")
    code = main(["docs", str(ROOT / "seeds"), "--store", bad_password])
    _out, err = capsys.readouterr()
    line = one_line(err)
    assert code == 1 and "refused the login" in line and "wrong" not in line.split("refused")[0].split("@")[0]
    missing = pg_server.url("no_such_db")
    code = main(["docs", str(ROOT / "seeds"), "--store", missing])
    _out, err = capsys.readouterr()
    line = one_line(err)
    assert code == 1 and "'no_such_db' does not exist" in line and "createdb" in line
    assert "reader-secret" not in line  # the password never reaches a message


def test_dropped_connection_keeps_the_change_and_saves_it_when_back(own_pg_server):
    url = own_pg_server.create_database("drops")
    store = AnnotationStore(url, corpus=CORPUS, annotator="alice")
    try:
        store.add("d1", *span("Alice"), "quote")
        own_pg_server.stop()
        with pytest.raises(StoreWriteError) as exc:
            store.add("d1", *span("Paris"), "claim")
        assert "connection" in str(exc.value) and store.unsaved == 1
        assert len(store.for_document("d1")) == 2  # kept in memory, shown
        with pytest.raises(StoreWriteError):
            store.retry_unsaved()  # still down
        own_pg_server.start()
        assert store.retry_unsaved() == 1 and store.unsaved == 0
        store.add("d1", *span("Bob said"), "quote")  # the session goes on
    finally:
        own_pg_server.start() if not own_pg_server.running else None
        store.close()
    with AnnotationStore(url, readonly=True) as r:
        assert sorted(a.label for a in r.all()) == ["claim", "quote", "quote"]


def test_refresh_survives_a_restart(own_pg_server):
    url = own_pg_server.create_database("polls")
    a = AnnotationStore(url, corpus=CORPUS, annotator="alice")
    b = AnnotationStore(url, corpus=CORPUS, annotator="bob")
    try:
        own_pg_server.stop()
        assert b.refresh() == 0  # no exception while the server is away
        own_pg_server.start()
        a.add("d1", *span("Alice"), "quote")
        assert b.refresh() == 1
    finally:
        a.close()
        b.close()


# --------------------------------------------------------------------------- copy between engines


def _populate(location):
    with AnnotationStore(location, corpus=CORPUS, annotator="alice") as s:
        s.add("d1", *span("Alice"), "quote", note="a note — ünïcode")
        s.add("d2", *span("Paris"), "claim")
        s.add("d2", *span("salary is 3.000 euro"), "salary", status="suggested")
        s.set_done("d1", True)
        s.set_language_override("d2", "it")
        s.cache_languages({"sha-x": {"lang": "en", "confidence": 0.5, "paragraphs": [[0, 5, "en", 0.5]]}})
        s.add_documents([Document(id="imp1", text="imported text", sha256="f" * 64, imported=True)])
        s.set_state("last", {"doc": "d1", "offset": 3})
        s.add("d1", *span("Bob said"), "quote", note="NUL \x00 and \ufdd0 and \ufdd0e")
        s.set_state("odd\x00", {"v": "\x00\ufdd00"})


def test_store_copy_json_to_postgres_and_back_is_lossless(tmp_path, pg_url, capsys):
    src = tmp_path / "src"
    _populate(src)
    (src / "labels.toml").write_text('[claim]\nkey = "1"\ncolor = "#ff0000"\n\n[quote]\nkey = "2"\ncolor = "#00ff00"\n\n[salary]\nkey = "3"\ncolor = "#0000ff"\n', encoding="utf-8")
    assert main(["store", "copy", str(src), pg_url]) == 0
    back = tmp_path / "back"
    assert main(["store", "copy", pg_url, str(back)]) == 0
    out = capsys.readouterr().out
    assert "4 annotation" in out

    def dump(location):
        with AnnotationStore(location, readonly=True) as s:
            anns = sorted((a.to_dict() for a in s.all(statuses=("accepted", "suggested", "rejected"))), key=lambda d: d["id"])
            return {
                "anns": anns, "overrides": s.language_overrides(), "done": s.doc_status("d1"),
                "lang": s.cached_language("sha-x"), "docs": [d.id for d in s.imported_documents()],
                "state": s.get_state("last"), "odd": s.get_state("odd\x00"), "labels": s.labels.names,
            }

    assert dump(src) == dump(pg_url) == dump(back)
    # exporting either side gives identical files
    seeds = tmp_path / "corpus"
    seeds.mkdir()
    outs = []
    for location in (src, pg_url):
        target = tmp_path / f"export-{len(outs)}.jsonl"
        assert main(["export", str(seeds), "--store", str(location), "--format", "jsonl", "--out", str(target)]) == 0
        outs.append(target.read_bytes())
    assert outs[0] == outs[1] and b"imported text" in outs[0]


def test_store_copy_refuses_a_non_empty_target(tmp_path, pg_url, capsys):
    src = tmp_path / "src"
    _populate(src)
    assert main(["store", "copy", str(src), pg_url]) == 0
    capsys.readouterr()
    assert main(["store", "copy", str(src), pg_url]) == 1
    assert "not empty" in one_line(capsys.readouterr().err)
