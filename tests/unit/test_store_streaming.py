"""The file engine writes its large files a record at a time (issue 19: an import's memory stays
within 5x its input): the pieces must be byte for byte what one ``dumps`` of the whole gives, the
journal line the same as before, and a piecewise write as durable (and as fault-injectable) as one."""
from __future__ import annotations

import errno
import json
import os
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader import fsutil
from reader.model import Annotation
from reader.store import AnnotationStore
from reader.store.base import META_TABLES, SCHEMA_VERSION, StoreImage, ann_record
from reader.store.engine import meta_tables, shard_tables, text_tables
from reader.store.journal import decode_line, dumps, dumps_tables, encode_record

json_scalars = st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.floats(allow_nan=False) | st.text()
json_values = st.recursive(json_scalars, lambda kids: st.lists(kids, max_size=4)
                           | st.dictionaries(st.text(max_size=8), kids, max_size=4), max_leaves=12)
WIDE = "plain é € \U0001F600 \u200d \"quoted\" \\ \n\t\x00 \ud7ff"


def _old_shard(doc_id, anns):
    """A shard's contents as the engine built them whole before it wrote them a record at a time."""
    ordered = sorted(anns, key=lambda a: (a.start, a.end, a.label, a.id))
    return {
        "_shard": {"1": {"doc_id": doc_id, "schema_version": SCHEMA_VERSION}},
        "annotations": {str(i): ann_record(a) for i, a in enumerate(ordered, 1)},
    }


def _old_meta(image, version=SCHEMA_VERSION):
    """meta.json's contents as the engine built them whole (the same oracle, for the meta file); since
    schema 3 without the imported documents (each in its texts/ file)."""
    data = {"_meta": {"1": {"schema_version": version, "created": image.created}}}
    for table in META_TABLES:
        if table == "documents" and version >= 3:
            continue
        rows = image.meta.get(table, {})
        data[table] = {str(i): {"k": k, "v": v} for i, (k, v) in enumerate(rows.items(), 1)}
    return data


def _old_record(record):
    body = json.dumps(record, ensure_ascii=False, separators=(",", ":"), check_circular=False).encode("utf-8")
    return b"%08x " % zlib.crc32(body) + body + b"\n"


@settings(max_examples=200, deadline=None)
@given(ops=st.lists(st.lists(json_values, min_size=1, max_size=4), max_size=6), version=st.integers(1, 3))
def test_a_journal_line_is_what_it_was(ops, version):
    record = {"v": version, "ops": ops}
    line = encode_record(record)
    assert bytes(line) == _old_record(record)
    assert line.endswith(b"\n") and decode_line(bytes(line[:-1])) == record


@pytest.mark.parametrize("record", [{"ops": [["meta", "t", "k", 1], ["unmeta", "t", "k"]]},
                                    {"ops": [], "v": 2}, {"v": 2, "x": [1], "ops": [[WIDE], [1]]}])
def test_a_journal_line_of_other_shapes(record):
    assert bytes(encode_record(record)) == _old_record(record)


@settings(max_examples=200, deadline=None)
@given(ops=st.lists(st.lists(json_values, min_size=1, max_size=4), max_size=3), long=st.integers(1, 6))
def test_long_strings_are_encoded_in_pieces_to_the_same_bytes(ops, long):
    """An imported book's text goes into the journal line (and meta.json) a piece at a time
    (issue 19), byte for byte what one dumps gave; here a "long" string is of a few characters."""
    from reader.store import journal

    record = {"v": 2, "ops": ops + [["meta", "documents", "d", {"id": "d", "text": WIDE * 3, "n": [1.5, WIDE]}]]}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(journal, "_LONG", long)
        assert bytes(encode_record(record)) == _old_record(record)
        assert b"".join(journal.dumps_pieces(record)) == dumps(record)
        assert b"".join(dumps_tables([("t", [("1", record)])])) == dumps({"t": {"1": record}})


@settings(max_examples=200, deadline=None)
@given(tables=st.lists(st.tuples(st.text(max_size=6), st.dictionaries(st.text(max_size=6), json_values, max_size=5)),
                       max_size=4, unique_by=lambda t: t[0]))
def test_tables_written_piecewise_are_one_dumps(tables):
    whole = {name: rows for name, rows in tables}
    assert b"".join(dumps_tables([(name, rows.items()) for name, rows in tables])) == dumps(whole)
    assert json.loads(b"".join(dumps_tables([(n, r.items()) for n, r in tables]))) == whole


def test_meta_and_shard_files_are_the_same_bytes():
    image = StoreImage()
    image.created = "2026-12-06T00:00:00.000+00:00"
    for i in range(5):
        image.meta["documents"][f"d{i} {WIDE}"] = {"id": f"d{i}", "text": WIDE * (i + 1), "lang": "en"}
    image.meta["state"]["k"] = [1, {"a": None}]
    anns = [Annotation(f"a{i}", "d0", i, i + 2, "claim", WIDE[i:i + 2], note=WIDE, annotator="tester")
            for i in range(7)]
    assert b"".join(dumps_tables(meta_tables(image))) == dumps(_old_meta(image))
    assert b"".join(dumps_tables(meta_tables(image, 2))) == dumps(_old_meta(image, 2))
    for key, value in image.meta["documents"].items():
        whole = {"_text": {"1": {"doc_id": key, "schema_version": SCHEMA_VERSION}}, "documents": {"1": {"k": key, "v": value}}}
        assert b"".join(dumps_tables(text_tables(key, value))) == dumps(whole)
    assert b"".join(dumps_tables(shard_tables("d0", anns))) == dumps(_old_shard("d0", anns))
    assert list(_old_shard("d0", anns)["annotations"].values()) == [ann_record(a) for a in anns]


def test_a_file_written_in_pieces(tmp_path, monkeypatch):
    monkeypatch.setattr(fsutil, "WRITE_CHUNK", 10)
    pieces = [bytes([65 + i % 26]) * (i % 13) for i in range(200)]
    tmp = fsutil.write_temp(tmp_path / "f.json", iter(pieces))
    assert tmp.read_bytes() == b"".join(pieces)
    tmp = fsutil.write_temp(tmp_path / "g.json", iter(()))
    assert tmp.read_bytes() == b""


def test_a_full_disk_during_a_piecewise_write_leaves_no_temp_file(tmp_path, monkeypatch):
    """The last write of a file in pieces goes through the fault-injection seam, and a failure removes
    the temp file whether it comes there or from an earlier piece."""
    def full(fd, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(fsutil, "write_and_sync", full)
    with pytest.raises(OSError):
        fsutil.write_temp(tmp_path / "f.json", iter([b"x" * 100]))
    monkeypatch.undo()

    def pieces():
        yield b"y" * (fsutil.WRITE_CHUNK + 1)
        raise OSError(errno.EIO, "input/output error")

    with pytest.raises(OSError):
        fsutil.write_temp(tmp_path / "f.json", pieces())
    assert list(tmp_path.iterdir()) == []


def test_a_compacted_store_with_wide_documents_reads_back(tmp_path):
    from reader.model import Document

    docs = [Document(f"d{i}", WIDE * 50 + str(i), f"{i:064x}", title=f"t{i}", lang="en", imported=True)
            for i in range(30)]
    with AnnotationStore(tmp_path / "s", annotator="tester") as store:
        store.add_documents(docs)
        store.add_many([Annotation(f"a{i}", f"d{i}", 0, 5, "claim", docs[i].text[:5], annotator="tester")
                        for i in range(30)])
        store.compact()
    with AnnotationStore(tmp_path / "s", annotator="tester") as store:
        assert {d.id: d.text for d in store.imported_documents()} == {d.id: d.text for d in docs}
        assert all(docs[int(a.doc_id[1:])].text[a.start:a.end] == a.text for a in store.all())
        assert len(store.all()) == 30


@settings(max_examples=200, deadline=None)
@given(ops=st.lists(st.lists(json_values, min_size=1, max_size=4), max_size=3), long=st.integers(1, 6))
def test_a_long_journal_line_is_made_in_pieces_to_the_same_bytes(ops, long):
    """A journal line holding a long string is written from its pieces (never whole in memory): its
    pieces, made twice (once for the checksum), are byte for byte the line encode_record makes."""
    from reader.store import journal

    record = {"v": 2, "ops": ops + [["meta", "documents", "d", {"id": "d", "text": WIDE * 3, "n": [1.5, WIDE]}]]}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(journal, "_LONG", long)
        line = journal.encode_line(record)
        assert isinstance(line, journal.LongLine)
        whole = b"".join(line.pieces())
        assert whole == b"".join(line.pieces()) == bytes(encode_record(record)) == _old_record(record)
        assert len(line) == len(whole)
    assert isinstance(journal.encode_line({"v": 2, "ops": ops}), (bytes, bytearray))  # short: one buffer, as before


def _long_document(chars: int):
    from reader.model import Document

    text = "word " * (chars // 10) + "\U0001F600 " + "word " * (chars // 10)  # 4 bytes a character in a str
    return Document("big", text, f"{1:064x}", title="big", lang="en", imported=True)


def test_a_long_text_is_saved_without_its_journal_line_whole(tmp_path):
    """Saving an imported book adds no copy of it (issue 19): its journal line (1x its UTF-8) was
    made whole beside the text, as high a moment of a one-document import as the making of the text."""
    import tracemalloc

    doc = _long_document(4_000_000)
    size = len(doc.text.encode("utf-8"))
    with AnnotationStore(tmp_path / "s", annotator="tester") as store:
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            store.add_documents([doc])
            peak = tracemalloc.get_traced_memory()[1] - before
        finally:
            tracemalloc.stop()
        assert peak < size // 2, f"{peak / size:.2f}x the text's UTF-8 beside it while it was saved"
    with AnnotationStore(tmp_path / "s", annotator="tester") as store:  # read back from the journal
        assert [d.text for d in store.imported_documents()] == [doc.text]


def test_a_full_disk_half_way_through_a_long_line_leaves_the_journal_as_it_was(tmp_path, monkeypatch):
    """The line is written a megabyte at a time and synced by the fault-injection seam: a failure
    there, after some of it is on disk, cuts the journal back; the change is kept and saved later."""
    from reader.errors import StoreWriteError

    monkeypatch.setattr(fsutil, "WRITE_CHUNK", 1 << 16)
    doc = _long_document(400_000)
    with AnnotationStore(tmp_path / "s", annotator="tester") as store:
        journal_path = tmp_path / "s" / "journal.jsonl"
        size = journal_path.stat().st_size
        written = []
        real = fsutil._write_all

        def spy(fd, data):
            written.append(len(data))
            real(fd, data)

        def full(fd, data):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(fsutil, "_write_all", spy)
        monkeypatch.setattr(fsutil, "write_and_sync", full)
        with pytest.raises(StoreWriteError, match="disk full"):
            store.add_documents([doc])
        assert written and journal_path.stat().st_size == size  # pieces went out, and were cut off
        monkeypatch.undo()
        assert store.retry_unsaved() == 1
    with AnnotationStore(tmp_path / "s", annotator="tester") as store:
        assert [d.text for d in store.imported_documents()] == [doc.text]
