"""reader.formats.jsonstream: an item longer than a chunk (a Label Studio task holding a book) is
read as bytes and parsed by reader.formats.longline; what the stream gives is what the buffer gives."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reader.formats.jsonstream as jsonstream
import reader.formats.longline as longline
from reader.formats.jsonstream import iter_json_array, read_json_array

ODD = ["a", " ", "😀", "é", "漢", '"', "\\", "[", "]", "{", "}", ",", ":", "\n", "\u2028", "\x00", "\ud800"]

texts = st.lists(st.sampled_from(ODD), max_size=40).map("".join)
values = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | texts,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
    max_leaves=12,
)


def _stream(path: Path, chunk: int, long_item: int | None, monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, object, str | None]]:
    with monkeypatch.context() as m:
        m.setattr(jsonstream, "LONG_ITEM", 10**9 if long_item is None else long_item)
        m.setattr(longline, "LONG_LITERAL", 6)  # strings past 6 bytes are decoded in pieces of 5
        m.setattr(longline, "PIECE", 5)
        return list(iter_json_array(path, what="task", chunk_chars=chunk, max_item_bytes=4000))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(values, max_size=5), st.booleans(), st.booleans(), st.integers(1, 40), st.integers(1, 24),
       st.one_of(st.none(), st.integers(0, 10**6)), st.sampled_from(["", "x", "]", ",", '"', "{"]))
def test_a_long_item_read_as_bytes_gives_what_the_buffer_gives(tmp_path, monkeypatch, items, bom, single, chunk, long_item,
                                                                 cut, junk):
    text = json.dumps(items[0] if single and items else items, ensure_ascii=bool(cut and cut % 2), indent=1 if chunk % 3 else None)
    if cut is not None:  # a file cut short or with something after it: the messages must be the same too
        cut %= len(text) + 1
        text = text[:cut] + junk + text[cut:]
    path = tmp_path / f"t{chunk}-{long_item}.json"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8", "surrogatepass"))
    if "\ud800" in text:  # a lone surrogate is not UTF-8: both say so (the buffer reads it first)
        return
    assert _stream(path, chunk, long_item, monkeypatch) == _stream(path, chunk, None, monkeypatch)


class _Pipe(io.RawIOBase):
    """The bytes of a file as a pipe gives them: no seeking, and reads of at most ``most`` bytes."""

    def __init__(self, data: bytes, most: int) -> None:
        self.data, self.at, self.most = data, 0, most

    def readable(self) -> bool:
        return True

    def readinto(self, out) -> int:
        n = min(len(out), self.most, len(self.data) - self.at)
        out[:n] = self.data[self.at:self.at + n]
        self.at += n
        return n


def _piped(path: Path, chunk: int, long_item: int | None, most: int, monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, object, str | None]]:
    with monkeypatch.context() as m:
        m.setattr(jsonstream, "LONG_ITEM", 10**9 if long_item is None else long_item)
        m.setattr(longline, "LONG_LITERAL", 6)
        m.setattr(longline, "PIECE", 5)
        fh = io.BufferedReader(_Pipe(path.read_bytes(), most), buffer_size=max(1, most))
        assert not fh.seekable()
        return list(read_json_array(fh, what="task", chunk_chars=chunk, max_item_bytes=4000))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(values, max_size=5), st.booleans(), st.booleans(), st.integers(1, 40), st.integers(1, 24),
       st.one_of(st.none(), st.integers(0, 10**6)), st.sampled_from(["", "x", "]", ",", '"', "{"]), st.integers(1, 50))
def test_a_long_item_from_a_pipe_gives_what_the_buffer_gives(tmp_path, monkeypatch, items, bom, single, chunk, long_item,
                                                             cut, junk, most):
    """A pipe cannot seek back to a long item's start: the buffer's bytes are given back instead, and
    what the item was read of when it cannot be parsed as bytes; values and messages are the same."""
    text = json.dumps(items[0] if single and items else items, ensure_ascii=bool(cut and cut % 2), indent=1 if chunk % 3 else None)
    if cut is not None:
        cut %= len(text) + 1
        text = text[:cut] + junk + text[cut:]
    if "\ud800" in text:
        return
    path = tmp_path / f"p{chunk}-{long_item}-{most}.json"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    assert _piped(path, chunk, long_item, most, monkeypatch) == _stream(path, chunk, None, monkeypatch)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.fixed_dictionaries({"id": st.integers(0, 9), "data": st.fixed_dictionaries({"text": texts})}), min_size=1, max_size=4),
       st.booleans(), st.booleans(), st.integers(1, 40), st.integers(1, 24), st.integers(1, 50))
def test_tasks_from_a_pipe_read_as_bytes_are_the_tasks(tmp_path, monkeypatch, tasks, bom, ascii_only, chunk, long_item, most):
    """Valid tasks with long texts (of over 6 bytes, here) through a pipe: each read as bytes when it
    is long, the bytes read past it given back for the next."""
    path = tmp_path / f"t{chunk}-{long_item}-{most}.json"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + json.dumps(tasks, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass"))
    if not ascii_only and any("\ud800" in t["data"]["text"] for t in tasks):
        return
    assert _piped(path, chunk, long_item, most, monkeypatch) == [(n, t, None) for n, t in enumerate(tasks, 1)]


def _spied(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bool, str]]:
    """For each long item from now on: whether it was read as bytes, and the buffer after it."""
    seen: list[tuple[bool, str]] = []
    long_item = jsonstream._long_item

    def spy(b, limit):
        got = long_item(b, limit)
        seen.append((got is not None, b.buf))
        return got

    monkeypatch.setattr(jsonstream, "_long_item", spy)
    return seen


def test_one_long_task_is_read_as_bytes_and_the_buffer_is_empty_after_it(tmp_path, monkeypatch):
    book = ("word " * 300_000) + "😀" + (' "quoted" \\ [x] {y}\n' * 1000)
    tasks = [{"id": 1, "data": {"text": book}}, {"id": 2, "data": {"text": "short"}}]
    path = tmp_path / "ls.json"
    path.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    seen = _spied(monkeypatch)
    assert list(iter_json_array(path, what="task")) == [(1, tasks[0], None), (2, tasks[1], None)]
    assert seen == [(True, "")]  # the book's text was never in the buffer whole, nor left in it


def test_no_exception_keeps_the_buffer_while_a_long_task_is_read(tmp_path, monkeypatch):
    """The buffer's failed parse is not kept by its exception (``JSONDecodeError.doc`` is the whole
    buffer, up to 4 bytes a character) while the long item is read as bytes and parsed."""
    import sys

    book = "word " * 300_000 + "😀"
    path = tmp_path / "ls.json"
    path.write_text(json.dumps([{"id": 1, "data": {"text": book}}], ensure_ascii=False), encoding="utf-8")
    handling = []

    def spy(b, limit):
        handling.append(sys.exc_info()[1])
        return long_item(b, limit)

    long_item = jsonstream._long_item
    monkeypatch.setattr(jsonstream, "_long_item", spy)
    assert list(iter_json_array(path, what="task")) == [(1, {"id": 1, "data": {"text": book}}, None)]
    assert handling == [None]


@pytest.mark.parametrize("tail, problem", [
    (b'"}}]', None),
    (b'\xff"}}]', "not valid UTF-8 (invalid start byte); import stopped"),
    (b'"}', "invalid JSON in task 1 at character 2000022: Expecting ',' delimiter"),
    (b'"}} x', "invalid JSON at character 2000024: expected ',' or ']' after task 1, found 'x'"),
    (b'" x}}]', "invalid JSON in task 1 at character 2000022: Expecting ',' delimiter"),
    (b'"}}, {"data": 1]', "invalid JSON in task 2 at character 2000035: Expecting ',' delimiter"),
])
def test_a_long_task_that_is_not_json_or_utf8_gives_the_usual_message(tmp_path, monkeypatch, tail, problem):
    path = tmp_path / "bad.json"
    path.write_bytes(b'[{"data": {"text": "' + b"w" * 2_000_000 + tail)
    got = list(iter_json_array(path, what="task"))
    monkeypatch.setattr(jsonstream, "LONG_ITEM", 10**9)
    assert got == list(iter_json_array(path, what="task"))  # what the buffer alone gives
    if problem is None:
        assert got == [(1, {"data": {"text": "w" * 2_000_000}}, None)]
    else:
        assert got[-1][1] is None and got[-1][2] == problem


def test_a_long_task_from_a_fifo_is_read_as_bytes(tmp_path, monkeypatch):
    """A FIFO (or standard input) cannot seek: the long task is still read as bytes, never whole in
    the buffer, and the task after it is read from the bytes given back."""
    import os
    import threading

    fifo = tmp_path / "tasks.json"
    os.mkfifo(fifo)
    tasks = [{"id": 1, "data": {"text": "word " * 300_000 + "😀"}}, {"id": 2, "data": {"text": "short"}}]
    seen = _spied(monkeypatch)

    def write() -> None:
        with open(fifo, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(tasks, ensure_ascii=False))

    writer = threading.Thread(target=write)
    writer.start()
    try:
        got = list(iter_json_array(fifo, what="task"))
    finally:
        writer.join(timeout=60)
    assert got == [(1, tasks[0], None), (2, tasks[1], None)]
    assert seen == [(True, "")]


# --- the pushback reader of a pipe (here and in base.read_again) -----------------------------

def test_pushback_reads_what_was_given_back_before_what_the_pipe_has_not_given_yet():
    from reader.formats.base import Pushback

    p = Pushback(io.BufferedReader(_Pipe(b"abcdefgh", 3), buffer_size=3))
    assert p.read(2) == b"ab"  # the stream's read: as much as asked
    p.unread(b"")
    p.unread(bytearray(b"xab"))
    p.unread(b"0")  # given back last: read first
    assert p.read(3) == b"0xa" and p.read(10) == b"b"  # what was given back, then (a short read) the stream
    assert p.read(100) == b"cdefgh" and p.read(5) == b""


def test_pushback_under_a_buffered_reader_gives_back_a_pipes_first_look():
    """``read_again``: a pipe's head, read to look at it, is read again before the rest, line by line."""
    from reader.formats.base import Pushback, read_again

    data = b"".join(b'{"n": %d}\n' % i for i in range(50))
    fh = io.BufferedReader(_Pipe(data, 7), buffer_size=7)
    head = fh.read(40)
    again = read_again(fh, head)
    assert isinstance(again.raw, Pushback)
    assert again.readline() == b'{"n": 0}\n' and again.read() == data[9:]
    with open(__file__, "rb") as seekable:  # a file seeks back instead
        head = seekable.read(10)
        assert read_again(seekable, head) is seekable and seekable.tell() == 0
