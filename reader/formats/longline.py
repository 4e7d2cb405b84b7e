"""Parse one long JSON line (a book pasted as one record) without a ``str`` of the whole line.

``json.loads`` of a line needs the line as one ``str`` and makes the record's strings beside it:
Python keeps a ``str`` at 1, 2 or 4 bytes a character after its widest one, so a 10 MB line of
text with one emoji is 40 MB as a line and 40 MB again as the record's text (issue 19 asks that an
import use at most about 5x its input). Here the long string literals of the line's bytes are
decoded a piece at a time (each piece as compact as its own characters), the rest of the line (its
skeleton, with a placeholder for each long string) is parsed by ``json.loads``, the line's bytes
are let go, and only then is each long string joined from its pieces.

The result is what ``json.loads`` of the whole line gives; whenever the short cut cannot be sure
of that (invalid UTF-8 or JSON, a long key, anything unexpected) it returns None and the caller
parses the line as usual, with the usual messages.
"""
from __future__ import annotations

import json
import re
import secrets
from typing import Any, Callable

#: a string literal of a JSON text (valid JSON has no quote outside its strings)
_LITERAL = re.compile(rb'"(?:[^"\\]++|\\.)*+"', re.S)
#: a byte a piece of a literal may start at: not inside an escape (``\n``, ``\uXXXX``) or a
#: UTF-8 sequence (a backslash before it is checked apart)
_CUT = re.compile(rb"[^0-9A-Fa-f\\\x80-\xbf]")
_KEY = re.compile(rb"[ \t\n\r]*:")

#: literals of more bytes than this are decoded in pieces
LONG_LITERAL = 1 << 20
#: bytes of a literal decoded at a time
PIECE = 1 << 18
#: a decoded piece wider than Latin-1 is halved down to this many characters (:func:`_narrow`)
NARROW = 1 << 12


def _pieces(raw: bytes, start: int, end: int, piece: int) -> list[str] | None:
    """The decoded characters of the literal body ``raw[start:end]``, a piece at a time."""
    out: list[str] = []
    a = start
    while a < end:
        c = end
        pos = a + piece
        while pos < end:
            m = _CUT.search(raw, pos, end)
            if m is None:
                break
            c = m.start()
            k = c
            while raw[k - 1] == 0x5C:  # a backslash: is the byte escaped?
                k -= 1
            if (c - k) % 2 == 0:
                break
            pos, c = c + 1, end
        try:  # only this piece as bytes and as str; strict UTF-8, as the line would be decoded
            _narrow(json.loads('"' + raw[a:c].decode("utf-8") + '"'), out)
        except ValueError:  # UnicodeDecodeError, JSONDecodeError
            return None
        a = c
    return out


def _narrow(text: str, out: list[str]) -> None:
    """Append ``text`` to ``out``, halved while a half is wider than Latin-1 and longer than
    ``NARROW`` characters: one emoji keeps a few thousand characters at 4 bytes each, not a whole
    piece (the pieces are alive beside the string joined from them)."""
    if len(text) <= NARROW or text.isascii() or max(text) <= "\xff":
        out.append(text)
        return
    half = len(text) // 2
    _narrow(text[:half], out)
    _narrow(text[half:], out)


def _split(raw: bytes, nonce: str, long_literal: int, piece: int) -> tuple[str, dict[str, list[str]]] | None:
    """The line's skeleton (each long literal replaced by a placeholder) and the pieces of each."""
    skeleton: list[bytes] = []
    long: dict[str, list[str]] = {}
    last = 0
    for m in _LITERAL.finditer(raw):
        if m.end() - m.start() <= long_literal:
            continue
        if _KEY.match(raw, m.end()):
            return None  # a key that long: let json say what it makes of it
        pieces = _pieces(raw, m.start() + 1, m.end() - 1, piece)
        if pieces is None:
            return None
        name = f"\x00{nonce}:{len(long)}"
        long[name] = pieces
        skeleton += (raw[last:m.start()], json.dumps(name).encode("ascii"))
        last = m.end()
    if not long:
        return None
    skeleton.append(raw[last:])
    try:
        return b"".join(skeleton).decode("utf-8"), long
    except UnicodeDecodeError:
        return None


def _fill(obj: Any, long: dict[str, list[str]]) -> None:
    """Put each long string, joined from its pieces, where its placeholder is."""
    stack: list[Any] = [obj]
    while stack:
        node = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in list(items):
            if isinstance(value, str):
                pieces = long.get(value)
                if pieces is not None:
                    node[key] = "".join(pieces)
                    pieces.clear()  # each string's pieces go as soon as it is whole
            elif isinstance(value, (dict, list)):
                stack.append(value)


def parse_long_line(holder: list[bytes], parse: Callable[[str], Any], *, long_literal: int | None = None,
                    piece: int | None = None) -> Any | None:
    """``parse`` (``json.loads`` with the caller's options) of the line ``holder`` holds, or None
    when the caller must parse the line as usual (``holder`` then still holds it). On success the
    line's bytes are taken out of ``holder`` and let go before the long strings are joined (the
    caller keeps no other reference to them)."""
    split = _split(holder[0], secrets.token_hex(16), LONG_LITERAL if long_literal is None else long_literal,
                   PIECE if piece is None else piece)
    if split is None:
        return None
    skeleton, long = split
    del split
    try:
        obj = parse(skeleton)  # the line with its long strings cut short
    except (ValueError, RecursionError):  # the usual parse of the line gives the message
        return None
    del skeleton
    holder.clear()
    _fill(obj, long)
    return obj
