"""A long JSON line (a book pasted as one record) parsed without a str of the whole line
(reader.formats.longline) gives exactly what json.loads gives, or hands the line back."""
from __future__ import annotations

import json
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import reader.formats.longline as longline
from reader.formats.jsonl import parse_json_line
from reader.formats.longline import parse_long_line

# characters that test the cuts: escapes, quotes, backslashes, hex digits, 2- to 4-byte UTF-8
ALPHABET = st.sampled_from(list('ab9fF\\"/\n\t\x00 éß€😀\u2028\ud7ff\ue000u') + ["\U0001F468\u200d\U0001F469"])
TEXTS = st.lists(ALPHABET, max_size=120).map("".join)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | TEXTS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(["text", "id", "a", "é"]), inner, max_size=4),
    max_leaves=12,
)


def parse(line: bytes, long_literal: int = 8, piece: int = 3) -> object:
    holder = [line]
    obj = parse_long_line(holder, parse_json_line, long_literal=long_literal, piece=piece)
    assert (holder == []) == (obj is not None)  # the line is let go only when it was parsed
    return obj


@settings(max_examples=400, deadline=None)
@given(VALUES, st.booleans(), st.integers(1, 9))
def test_the_same_record_as_json_loads(value: object, ascii_only: bool, piece: int) -> None:
    line = json.dumps({"text": value, "spans": [value]}, ensure_ascii=ascii_only).encode("utf-8")
    got = parse(line, piece=piece)
    if got is not None:
        assert got == json.loads(line) and json.dumps(got) == json.dumps(json.loads(line))


def test_a_long_text_is_cut_in_pieces_and_joined() -> None:
    text = ("word \\ \" é 😀 \n" * 1000)
    line = json.dumps({"id": "big", "text": text, "spans": [{"text": text[:50]}]}, ensure_ascii=False).encode()
    assert parse(line, long_literal=100, piece=64) == json.loads(line)
    escaped = json.dumps({"text": text}).encode()  # \\uXXXX escapes and surrogate pairs of the emoji
    assert parse(escaped, long_literal=100, piece=7) == json.loads(escaped)


def test_what_it_cannot_be_sure_of_is_handed_back() -> None:
    long = "x" * 40
    for line in (
        b'{"text": "' + long.encode() + b'\xff"}',  # not UTF-8
        b'{"text": "' + long.encode() + b'\\ud800"}',  # a lone surrogate is decoded by json... as json does
        b'{"text": "' + long.encode() + b'\x01"}',  # a control character in a string
        b'{"' + long.encode() + b'": 1}',  # a long key
        b'{"text": "' + long.encode() + b'", NaN}',  # the skeleton is not JSON
        b'{"text": "' + long.encode() + b'"',  # unterminated
        b'{"text": "short"}',  # nothing long
    ):
        holder = [line]
        got = parse_long_line(holder, parse_json_line, long_literal=8, piece=3)
        if got is None:
            assert holder == [line]
        else:
            assert got == json.loads(line)


def test_a_duplicate_key_keeps_the_last_value_as_json_does() -> None:
    line = b'{"text": "' + b"y" * 40 + b'", "text": "short", "b": "' + b"z" * 40 + b'"}'
    assert parse(line) == json.loads(line) == {"text": "short", "b": "z" * 40}


def test_a_file_reads_the_same_when_every_line_is_long(tmp_path, monkeypatch) -> None:
    """json_records through the long-line path (every line "long", every string of over 4 bytes
    "long") yields the records and problems the usual path does, line for line."""
    from reader.formats import jsonl, longline

    path = tmp_path / "x.jsonl"
    lines = [b"\xef\xbb\xbf" + json.dumps({"id": "a", "text": "first line with a BOM"}).encode(),
             b"   ", "\u2028\u00a0".encode(), json.dumps({"text": "é😀" * 30, "spans": [{"text": "é😀"}]}, ensure_ascii=False).encode(),
             b'{"text": "bad \xff utf-8 here"}', b'{"text": "a NaN", "n": NaN}', b'{"text": "unterminated',
             b'["not", "an object"]', json.dumps({"text": "x\\\"y" * 20}).encode(), b""]
    path.write_bytes(b"\n".join(lines))

    def read() -> list[object]:
        return [r if isinstance(r, tuple) else (r.line, r.reason) for r in jsonl.json_records(path, "jsonl")]

    usual = read()
    monkeypatch.setattr(jsonl, "LONG_LINE", 0)
    monkeypatch.setattr(longline, "LONG_LITERAL", 4)
    monkeypatch.setattr(longline, "PIECE", 5)
    assert read() == usual
    assert [r[0] for r in usual] == [1, 4, 5, 6, 7, 8, 9]


@settings(max_examples=300, deadline=None)
@given(TEXTS, st.integers(1, 9))
def test_a_wide_piece_is_halved_into_the_same_text(text: str, narrow: int) -> None:
    out: list[str] = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(longline, "NARROW", narrow)
        longline._narrow(text, out)
    assert "".join(out) == text and all(len(p) <= narrow or max(p) <= "\xff" for p in out if p)


def test_one_emoji_keeps_a_few_characters_wide_not_a_whole_piece() -> None:
    """The pieces of a long text are alive beside the text joined from them: with one emoji in a
    mostly ASCII text they take about 1 byte a character, not 4 for the emoji's whole piece."""
    text = "word " * 400_000 + "\U0001F600" + " word" * 400_000
    raw = json.dumps({"text": text}, ensure_ascii=False).encode("utf-8")
    split = longline._split(raw, "n", longline.LONG_LITERAL, longline.PIECE)
    assert split is not None
    (pieces,) = split[1].values()
    assert "".join(pieces) == text
    held = sum(sys.getsizeof(p) for p in pieces)
    assert held < 1.05 * len(raw), f"{held / len(raw):.2f}x the literal's bytes"
