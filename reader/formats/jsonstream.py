"""Stream the items of a top-level JSON array without loading the whole file.

Tools such as Label Studio export one big JSON array. ``json.load`` would hold
the whole file (and every parsed task) in memory; this reader decodes one
item at a time with :meth:`json.JSONDecoder.raw_decode` over a growing buffer
of chunks, so memory is bounded by the largest single item (itself capped, in
UTF-8 bytes as the file holds it: counting characters let a 200 MB task of
multi-byte text past the 64 MiB limit).

An item longer than a chunk (a task holding a whole book) is read as bytes
instead and parsed by :mod:`reader.formats.longline`, its long strings decoded
a piece at a time: the buffer's ``str`` of the item (4 bytes a character with
one emoji) is never made, nor kept beside the item while the caller imports it
(issue 19: an import uses at most about 5x its input). Whenever that path is
not sure to give what the buffer gives (invalid JSON or UTF-8, no long string,
an item over the limit) the item is read again through the buffer, with the
usual messages. A file is read again by seeking; a pipe (standard input, a
FIFO) cannot seek, so what was read of it as bytes is given back to the buffer
and read again first (:meth:`_Buffer.unread`, through the same
:class:`~reader.formats.base.Pushback` as :func:`reader.formats.base.read_again`),
and so are the bytes read past a long item.
"""
from __future__ import annotations

import codecs
import json
import re
from pathlib import Path
from typing import IO, Any, Callable, Iterator, NamedTuple

from reader.formats.base import MAX_LINE_BYTES, Pushback
from reader.formats.longline import parse_long_line

_WS = re.compile(r"[ \t\n\r]*")


def _skip_ws(buf: str, pos: int) -> int:
    """The position after the whitespace at ``pos`` (``_WS`` matches the empty string too)."""
    m = _WS.match(buf, pos)
    return m.end() if m is not None else pos
CHUNK_CHARS = 1 << 20
#: an item still unparsed with this many characters in the buffer is read as bytes (longline)
LONG_ITEM = 1 << 19


class _Buffer:
    """The file's text a chunk at a time (chunks of ``chunk`` bytes, decoded as UTF-8 with an
    optional BOM), and where in the file's bytes it stands (to read a long item as bytes). A pipe
    cannot seek: bytes read as bytes and not used are given back (:meth:`unread`, to the
    :class:`~reader.formats.base.Pushback` it reads through), read again first."""

    def __init__(self, fh: IO[bytes], chunk: int) -> None:
        self.fh = fh
        self.source = Pushback(fh)  # the file's bytes, after those given back (a pipe's)
        self.chunk = chunk
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")("strict")
        self.read = 0  # bytes of the file given to the decoder
        self.buf = ""
        self.pos = 0
        self.consumed = 0  # characters dropped from the front of buf
        self.eof = False

    def raw(self, size: int) -> bytes:
        """Up to ``size`` bytes: those given back first, then the file's."""
        return self.source.read(size)

    def fill(self, at_least: int = 0) -> bool:
        """Read more text; keep only the unconsumed tail. False at end of file."""
        if self.eof:
            return False
        size = max(self.chunk, at_least)
        while True:
            raw = self.raw(size)
            self.read += len(raw)
            data = self.decoder.decode(raw, not raw)  # may raise UnicodeDecodeError
            if data or not raw:
                break
        if not data:
            self.eof = True
            return False
        self.consumed += self.pos
        self.buf = self.buf[self.pos:] + data
        self.pos = 0
        return True

    def skip_ws(self) -> None:
        while True:
            self.pos = _skip_ws(self.buf, self.pos)
            if self.pos < len(self.buf) or not self.fill():
                return

    def peek(self) -> str:
        self.skip_ws()
        return self.buf[self.pos] if self.pos < len(self.buf) else ""

    @property
    def where(self) -> int:
        return self.consumed + self.pos

    def byte_at_pos(self) -> int:
        """The offset in the file of the byte ``buf[pos]`` starts at."""
        pending = len(self.decoder.getstate()[0])  # bytes of a character cut by the last chunk
        tail = sum(len(self.buf[i:i + (1 << 16)].encode("utf-8")) for i in range(self.pos, len(self.buf), 1 << 16))
        return self.read - pending - tail

    def restart(self, at: int, chars: int) -> None:
        """Go on reading at byte ``at`` of the file (a character's first byte), ``chars`` characters
        after ``buf[pos]``, with an empty buffer."""
        self.fh.seek(at)
        self.read = at
        self._empty(chars)

    def unread(self, data: bytes | bytearray, chars: int) -> None:
        """Go on reading ``data`` (then what was not read yet), ``chars`` characters after
        ``buf[pos]``, with an empty buffer: a pipe's way back, as it cannot seek."""
        self.source.unread(data)
        self._empty(chars)

    def unread_buffer(self) -> None:
        """Go back to ``buf[pos]`` in bytes: the buffer's text from there, as bytes, and the bytes of
        a character the last chunk cut are read again (then what was not read yet)."""
        pending = self.decoder.getstate()[0]
        self.unread(self.buf[self.pos:].encode("utf-8") + pending, 0)

    def _empty(self, chars: int) -> None:
        self.decoder = codecs.getincrementaldecoder("utf-8")("strict")  # a BOM counts only at the start
        self.consumed += self.pos + chars
        self.buf = ""
        self.pos = 0
        self.eof = False


_OUTSIDE = re.compile(rb'["\[\]{}]')  # outside a string: what opens one, or an array or object
_INSIDE = re.compile(rb'["\\]')  # inside: its end, or an escape
_CONTINUATION = bytes(range(0x80, 0xC0))  # UTF-8 bytes that do not start a character


def _value_end(read: Callable[[int], bytes], data: bytearray, limit: int, chunk: int) -> int | None:
    """Read into ``data`` (by ``read(chunk)``) until it holds the JSON array or object it starts
    with, found by its brackets outside strings: where that ends in ``data`` (bytes past it may have
    been read too), or None if the file ends first or it is longer than ``limit`` bytes."""
    pos = depth = 0
    inside = False
    while True:
        m = (_INSIDE if inside else _OUTSIDE).search(data, pos)
        if m is None or (inside and m.end() == len(data) and data[m.start()] == 0x5C):
            pos = len(data) if m is None else m.start()  # an escape cut by the chunk is read again
            if len(data) > limit:
                return None
            more = read(chunk)
            if not more:
                return None
            data += more
            continue
        c = data[m.start()]
        pos = m.end()
        if inside:
            if c == 0x5C:
                pos += 1  # the escaped byte
            else:
                inside = False
        elif c == 0x22:
            inside = True
        elif c in b"[{":
            depth += 1
        else:
            depth -= 1
            if depth <= 0:
                return pos if pos <= limit else None


def _long_item(b: _Buffer, limit: int) -> tuple[Any, int] | None:
    """``(value, characters)`` of the array or object at ``buf[pos]``, read as bytes from the file
    and parsed by :func:`parse_long_line`; None (the buffer then reads it again as usual) when that
    cannot give what ``raw_decode`` of the buffer would. A file is read again from the item's start
    by seeking; a pipe is given back the bytes it was read (at most the item's limit and a chunk)."""
    if b.buf[b.pos:b.pos + 1] not in ("{", "["):
        return None
    seekable = b.fh.seekable()
    at = b.byte_at_pos() if seekable else 0
    if seekable:
        b.restart(at, 0)  # the buffer's text of the item goes now
    else:
        b.unread_buffer()
    data = bytearray()
    end = _value_end(b.raw, data, limit, b.chunk)
    if end is None:
        _read_again(b, at, data)
        return None
    tail = bytes(data[end:])  # read past the item (a chunk at most): a pipe's next bytes
    del data[end:]
    holder = [bytes(data)]
    del data  # held in holder only: let go before the long strings are joined
    chars = len(holder[0].translate(None, _CONTINUATION))
    value = parse_long_line(holder, json.loads)
    if value is None:
        _read_again(b, at, holder.pop() + tail if not seekable else b"")
        return None
    if seekable:
        b.restart(at + end, chars)
    else:
        b.unread(tail, chars)
    return value, chars


def _read_again(b: _Buffer, at: int, read: bytes | bytearray) -> None:
    """Read an item again through the buffer from its start: a file's byte ``at``, or a pipe's
    bytes ``read`` of it (and after it)."""
    if b.fh.seekable():
        b.fh.seek(at)
    else:
        b.unread(read, 0)


class _Invalid(NamedTuple):
    """Where and why the buffer is not JSON (the exception would keep the buffer alive: ``exc.doc``)."""

    pos: int
    msg: str


def _raw_decode(decoder: json.JSONDecoder, buf: str, pos: int) -> tuple[Any, int] | _Invalid:
    """``decoder.raw_decode(buf, pos)``, or where it fails: the buffer, as long as an item of a
    megabyte and more, is not kept by an exception while the item is read another way or regrown."""
    try:
        return decoder.raw_decode(buf, pos)
    except json.JSONDecodeError as exc:
        return _Invalid(exc.pos, exc.msg)


def _utf8_size(text: str, start: int) -> int:
    """UTF-8 bytes of ``text[start:]`` (a character counts 1 to 4)."""
    return len(text[start:].encode("utf-8", "surrogatepass"))


def iter_json_array(
    path: Path, *, what: str = "item", max_item_bytes: int = MAX_LINE_BYTES, chunk_chars: int = CHUNK_CHARS,
    max_item_chars: int | None = None,
) -> Iterator[tuple[int, Any, str | None]]:
    """Yield ``(number, value, problem)`` for each item of the array in ``path``.

    ``number`` is 1-based. A top-level object is treated as a one-item array,
    and objects that follow one another (JSON Lines) as the items of an array.
    On a problem ``value`` is None; a syntax error ends the stream (the rest of
    the file cannot be trusted), an over-large item (more than ``max_item_bytes``
    of UTF-8) is reported and ends it too. ``max_item_chars`` is an old name of it.
    """
    if max_item_chars is not None:
        max_item_bytes = max_item_chars
    with open(path, "rb") as fh:
        yield from read_json_array(fh, what=what, max_item_bytes=max_item_bytes, chunk_chars=chunk_chars)


def read_json_array(fh: IO[bytes], *, what: str = "item", max_item_bytes: int = MAX_LINE_BYTES,
                    chunk_chars: int = CHUNK_CHARS) -> Iterator[tuple[int, Any, str | None]]:
    """:func:`iter_json_array` of an open file: a long item is read as bytes from a file by seeking
    back to its start, from a pipe (standard input, a FIFO) by giving the buffer's bytes back."""
    decoder = json.JSONDecoder()
    b = _Buffer(fh, chunk_chars)
    try:
        first = b.peek()
        if not first:
            return  # nothing but blanks: no item (the importer refuses it in one line, "no records")
        if first == "{":
            single = True
        elif first == "[":
            single = False
            b.pos += 1
        else:
            yield 0, None, f"expected a JSON array of {what}s, found {first!r} at character {b.where}"
            return
        number = 0
        while True:
            c = b.peek()
            if not single:
                if c == "]":
                    b.pos += 1
                    break
                if number:
                    if c != ",":
                        if not c:
                            yield number + 1, None, "the file ends before the JSON array is closed (truncated?)"
                        else:
                            yield number + 1, None, f"invalid JSON at character {b.where}: expected ',' or ']' after {what} {number}, found {c!r}"
                        return
                    b.pos += 1
                    c = b.peek()
                if not c:
                    yield number + 1, None, "the file ends before the JSON array is closed (truncated?)"
                    return
            number += 1
            long_tried = False
            while True:
                try:
                    got = _raw_decode(decoder, b.buf, b.pos)
                except RecursionError:
                    # json's decoder recurses once per [ or {: a file of 100,000 "[" ends here
                    yield number, None, (
                        f"{what} {number} at character {b.where} is nested too deeply to read "
                        "(thousands of [ or { inside each other); import stopped"
                    )
                    return
                if isinstance(got, _Invalid):
                    if not long_tried and len(b.buf) - b.pos >= LONG_ITEM:
                        long_tried = True  # once: an item it cannot read goes on through the buffer
                        long = _long_item(b, max_item_bytes)
                        if long is not None:
                            value, end = long[0], b.pos
                            del long
                            break
                        continue
                    # characters are a lower bound of bytes: measure bytes only once they may matter
                    if len(b.buf) - b.pos > max_item_bytes // 4 and _utf8_size(b.buf, b.pos) > max_item_bytes:
                        yield number, None, f"{what} {number} is larger than the {max_item_bytes // (1024 * 1024)} MiB limit; import stopped"
                        return
                    if b.fill(len(b.buf) - b.pos):
                        continue
                    yield number, None, f"invalid JSON in {what} {number} at character {b.consumed + got.pos}: {got.msg}"
                    return
                value, end = got
                del got
                if end == len(b.buf) and not b.eof and b.fill():
                    continue  # a bare number may continue in the next chunk
                break
            if end - b.pos > max_item_bytes // 4 and len(b.buf[b.pos:end].encode("utf-8", "surrogatepass")) > max_item_bytes:
                del value
                yield number, None, f"{what} {number} is larger than the {max_item_bytes // (1024 * 1024)} MiB limit; import stopped"
                return
            b.pos = end
            yield number, value, None
            if single and b.peek() != "{":
                break  # objects one after another (JSON Lines) go on
        if b.peek():
            yield number + 1, None, f"unexpected data after the end of the JSON value at character {b.where}"
    except UnicodeDecodeError as exc:
        yield 0, None, f"not valid UTF-8 ({exc.reason}); import stopped"
