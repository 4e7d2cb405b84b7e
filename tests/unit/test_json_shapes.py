"""Stored and given JSON values of the wrong kind (``reader.protocols.JSON`` is the union of what
``json.loads`` gives, so the type checker makes every reader say which kind it expects): each is refused in
one line naming what is wrong, or passed over where the value only hides something, never kept as it is
for a later reader to trip on."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from memory_corpus import MemoryCorpus, doc
from reader.errors import AnnotationError, StoreCorruptError
from reader.store import AnnotationStore
from reader.store.journal import encode_line

TEXT = "The salary is 40,000 euros. Ci vuole coraggio, disse."


def _store(path: Path) -> None:
    with AnnotationStore(path, corpus=MemoryCorpus([doc("a", TEXT)]), annotator="x") as store:
        store.add("a", 0, 3, "claim")


@pytest.mark.parametrize("field, value", [("note", 5), ("annotator", ["x"]), ("source", {"a": 1}), ("created", 3.5),
                                          ("text", 7)])
def test_an_annotation_field_of_another_kind_is_refused_naming_it(tmp_path: Path, field: str, value: object) -> None:
    """``add_many`` kept a note of 5 (or an annotator that is a list) as it was: the store then held a value
    no reader of it expects (the table, the exports, the merge)."""
    with AnnotationStore(tmp_path / "s", corpus=MemoryCorpus([doc("a", TEXT)]), annotator="x") as store:
        with pytest.raises(AnnotationError, match=f"'{field}' must be a string"):
            store.add_many([{"doc_id": "a", "start": 0, "end": 3, "label": "claim", field: value}])
        assert store.all() == []


def test_an_imported_document_record_of_the_wrong_shape_is_passed_over(tmp_path: Path) -> None:
    """A texts/ record whose title is a number (edited by hand, written by a tool): the store opens with the
    other documents; that one is not taken for a document with a numeric title."""
    path = tmp_path / "s"
    _store(path)
    with open(path / "journal.jsonl", "ab") as fh:
        for doc_id, record in (("good", {"id": "good", "text": "fine text", "title": "Fine"}),
                               ("bad", {"id": "bad", "text": "other text", "title": 5}),
                               ("worse", {"id": "worse", "text": "x", "paragraphs": [[0, "1", "en", 1.0]]})):
            fh.write(encode_line({"v": 3, "ops": [["meta", "documents", doc_id, record]]}))
    with AnnotationStore(path, readonly=True) as store:
        assert [d.id for d in store.imported_documents()] == ["good"]


@pytest.mark.parametrize("op", [["meta", "state", 5, "x"], ["meta", 7, "k", "x"], ["del", "a", 9], ["unmeta", "state", None]])
def test_a_journal_operation_with_a_key_of_another_kind_is_damage_named_in_one_line(tmp_path: Path, op: list[object]) -> None:
    """``["meta", "state", 5, ...]``: the image held a key 5 beside the string keys, which a compaction then
    wrote to meta.json as "5" (another row than the one the journal named)."""
    path = tmp_path / "s"
    _store(path)
    with open(path / "journal.jsonl", "ab") as fh:
        fh.write(encode_line({"v": 3, "ops": [op]}))
    with pytest.raises(StoreCorruptError, match=r"journal\.jsonl.*record 1: .* not a string") as err:
        AnnotationStore(path, readonly=True)
    assert "\n" not in str(err.value)


def test_a_meta_json_row_whose_key_is_not_a_string_is_damage_named_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "s"
    _store(path)
    meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
    meta["state"] = {"1": {"k": 5, "v": "x"}}
    (path / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(StoreCorruptError, match=r"meta\.json.*a key of table 'state' is a number, not a string"):
        AnnotationStore(path, readonly=True)


def test_an_empty_span_text_is_still_checked_against_the_span(tmp_path: Path) -> None:
    """A "text" of "" is a text given (it never matches a span), not a text left out: refused as before."""
    from reader.errors import OffsetError

    with AnnotationStore(tmp_path / "s", corpus=MemoryCorpus([doc("a", TEXT)]), annotator="x") as store:
        with pytest.raises(OffsetError, match="does not match"):
            store.add_many([{"doc_id": "a", "start": 0, "end": 3, "label": "claim", "text": ""}])
