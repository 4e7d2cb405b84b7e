"""Stream the items of a top-level JSON array without loading the whole file.

Tools such as Label Studio export one big JSON array. ``json.load`` would hold
the whole file (and every parsed task) in memory; this reader decodes one
item at a time with :meth:`json.JSONDecoder.raw_decode` over a growing buffer
of chunks, so memory is bounded by the largest single item (itself capped, in
UTF-8 bytes as the file holds it: counting characters let a 200 MB task of
multi-byte text past the 64 MiB limit).
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import IO, Any, Iterator

from reader.formats.base import MAX_LINE_BYTES

_WS = re.compile(r"[ \t\n\r]*")


def _skip_ws(buf: str, pos: int) -> int:
    """The position after the whitespace at ``pos`` (``_WS`` matches the empty string too)."""
    m = _WS.match(buf, pos)
    return m.end() if m is not None else pos
CHUNK_CHARS = 1 << 20


class _Buffer:
    def __init__(self, fh: IO[str], chunk: int) -> None:
        self.fh = fh
        self.chunk = chunk
        self.buf = ""
        self.pos = 0
        self.consumed = 0  # characters dropped from the front of buf
        self.eof = False

    def fill(self, at_least: int = 0) -> bool:
        """Read more text; keep only the unconsumed tail. False at end of file."""
        if self.eof:
            return False
        size = max(self.chunk, at_least)
        data = self.fh.read(size)  # may raise UnicodeDecodeError
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
    decoder = json.JSONDecoder()
    with open(path, encoding="utf-8-sig", newline="") as fh:
        b = _Buffer(fh, chunk_chars)
        try:
            first = b.peek()
            if not first:
                yield 0, None, "the file is empty; expected a JSON array"
                return
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
                while True:
                    try:
                        value, end = decoder.raw_decode(b.buf, b.pos)
                    except json.JSONDecodeError as exc:
                        # characters are a lower bound of bytes: measure bytes only once they may matter
                        if len(b.buf) - b.pos > max_item_bytes // 4 and _utf8_size(b.buf, b.pos) > max_item_bytes:
                            yield number, None, f"{what} {number} is larger than the {max_item_bytes // (1024 * 1024)} MiB limit; import stopped"
                            return
                        if b.fill(len(b.buf) - b.pos):
                            continue
                        yield number, None, f"invalid JSON in {what} {number} at character {b.consumed + exc.pos}: {exc.msg}"
                        return
                    except RecursionError:
                        # json's decoder recurses once per [ or {: a file of 100,000 "[" ends here
                        yield number, None, (
                            f"{what} {number} at character {b.where} is nested too deeply to read "
                            "(thousands of [ or { inside each other); import stopped"
                        )
                        return
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
