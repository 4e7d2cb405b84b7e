"""Canonical text: decoding, line endings, grapheme/word/sentence bounds, inert display.

Offsets are Python ``str`` indices (code points), end-exclusive, on the
canonical text returned by :func:`decode`.
"""
from __future__ import annotations

import os
import codecs
import functools
import hashlib
import re
import unicodedata
from typing import TYPE_CHECKING, Iterator

from reader.redact import redact

if TYPE_CHECKING:
    import regex

UTF8_BOM = codecs.BOM_UTF8


def wide_encoding(head: bytes) -> str | None:
    """"UTF-32" or "UTF-16" when ``head`` (a file's first bytes) starts with that encoding's byte order mark
    (an editor on Windows saves "Unicode" text so); None otherwise. UTF-32's marks are looked for first: the
    little-endian one begins with UTF-16's."""
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "UTF-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "UTF-16"
    return None


def not_utf8(path: str | os.PathLike[str], encoding: str, then: str) -> str:
    """The one line for a file of JSON or JSON Lines written in ``encoding`` (:func:`wide_encoding`)."""
    return (f"{path}: written in {encoding} (its first bytes are a {encoding} byte order mark), not UTF-8; "
            f"save it as UTF-8 and {then} again")


# The `regex` module (grapheme clusters, Unicode properties) takes several milliseconds to
# import and each pattern as long to compile: they are compiled the first time a document's
# text is navigated, not when the library is drawn (issue 22: the first screen).
@functools.cache
def regex_pattern(source: str) -> regex.Pattern[str]:
    import regex

    return regex.compile(source)


_GRAPHEME = r"\X"
_WORD_CHAR = r"[\p{L}\p{M}\p{N}_'’\-]"
_SENTENCE_END = r"[.!?。！？؟…]+[\"'”’»)\]]*(?=\s|$)"


def sha256_bytes(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


#: characters encoded at a time to hash or measure a text (a slice of them is up to 4 bytes a character): a
#: book-length text is never copied whole
#: as bytes (issue 19's memory bound, docs/reliability.md)
TEXT_PIECE = 1 << 16


def utf8_pieces(text: str, errors: str = "surrogatepass") -> Iterator[bytes]:
    """The text's UTF-8 bytes, a piece at a time (lone surrogates passed through, or as ``errors`` says)."""
    for i in range(0, len(text), TEXT_PIECE):
        yield text[i:i + TEXT_PIECE].encode("utf-8", errors)


def text_sha256(text: str, errors: str = "surrogatepass") -> str:
    """``sha256(text.encode("utf-8", errors)).hexdigest()``, encoded a piece at a time."""
    digest = hashlib.sha256()
    for piece in utf8_pieces(text, errors):
        digest.update(piece)
    return digest.hexdigest()


def utf8_size(text: str, errors: str = "surrogatepass") -> int:
    """``len(text.encode("utf-8", errors))`` without the bytes of the whole text at once."""
    if text.isascii():
        return len(text)
    return sum(map(len, utf8_pieces(text, errors)))


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF. Other separators (U+2028...) stay as characters."""
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _line_col(raw: bytes, offset: int) -> tuple[int, int]:
    line = raw.count(b"\n", 0, offset) + 1
    col = offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
    return line, col


def decode(raw: bytes, path: str | os.PathLike[str] = "<bytes>") -> tuple[str, str]:
    """Decode file bytes into canonical text. Returns ``(text, encoding)``.

    Accepts UTF-8 (with or without BOM) and UTF-16 with a BOM. Anything else
    raises :class:`~reader.errors.NotTextError` with a specific reason; text is
    never guessed into mojibake.
    """
    from reader.errors import NotTextError

    if raw.startswith(UTF8_BOM):
        raw_body, encoding = raw[len(UTF8_BOM):], "utf-8-sig"
    elif raw.startswith(codecs.BOM_UTF16_LE) or raw.startswith(codecs.BOM_UTF16_BE):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise NotTextError(path, f"not valid UTF-16 despite its byte-order mark ({exc.reason} at byte {exc.start})") from None
        if "\x00" in text:
            raise NotTextError(path, "binary file: UTF-16 text contains NUL characters")
        return normalise_newlines(text), "utf-16"
    else:
        raw_body, encoding = raw, "utf-8"
    nul = raw_body.find(b"\x00")
    if nul >= 0:
        raise NotTextError(path, f"binary file: NUL byte at offset {nul}; only UTF-8 or UTF-16 (with BOM) text is read")
    try:
        text = raw_body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col(raw_body, exc.start)
        bad = raw_body[exc.start:exc.start + 1].hex()
        hint = ""
        if _looks_single_byte(raw_body):
            hint = " It looks like Latin-1/Windows-1252 text: convert it with `iconv -f cp1252 -t utf-8`."
        raise NotTextError(
            path,
            f"not valid UTF-8: byte 0x{bad} at offset {exc.start} (line {line}, column {col}).{hint}",
        ) from None
    return normalise_newlines(text), encoding


def _looks_single_byte(raw: bytes) -> bool:
    """True when the invalid bytes look like an 8-bit Latin encoding, not damage."""
    high = sum(1 for b in raw if b >= 0x80)
    if not high:
        return False
    try:
        raw.decode("utf-8", errors="strict")
        return False
    except UnicodeDecodeError:
        pass
    bad = len(raw.decode("utf-8", errors="replace").split("\ufffd")) - 1
    return bad >= 2 or bad == high


# --- grapheme boundaries --------------------------------------------------

def _safe_start(text: str, index: int, limit: int = 256) -> int:
    """A position <= index that is certainly a grapheme boundary."""
    lo = max(0, index - limit)
    i = index
    while i > lo:
        a, b = text[i - 1], text[i] if i < len(text) else "\n"
        if a == "\n" or (a < "\x7f" and b < "\x7f" and a != "\r"):
            return i
        i -= 1
    return lo


def grapheme_bounds(text: str, index: int) -> tuple[int, int]:
    """The ``(start, end)`` of the grapheme cluster containing ``index``.

    At ``len(text)`` returns ``(len, len)``. Scans only a small window, so it
    is cheap on book-length text.
    """
    n = len(text)
    if index >= n:
        return n, n
    if index <= 0:
        index = 0
    s = _safe_start(text, index)
    window_end = min(n, index + 256)
    for m in regex_pattern(_GRAPHEME).finditer(text, s, window_end):
        if m.start() <= index < m.end():
            return m.start(), m.end()
    return index, index + 1


def snap_left(text: str, index: int) -> int:
    """Largest grapheme boundary <= index."""
    if index <= 0:
        return 0
    if index >= len(text):
        return len(text)
    return grapheme_bounds(text, index)[0]


def snap_right(text: str, index: int) -> int:
    """Smallest grapheme boundary >= index."""
    if index <= 0:
        return 0
    if index >= len(text):
        return len(text)
    start, end = grapheme_bounds(text, index)
    return index if start == index else end


def snap_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen ``[start, end)`` so both edges fall on grapheme boundaries."""
    if start > end:
        start, end = end, start
    return snap_left(text, start), snap_right(text, end)


def next_grapheme(text: str, index: int) -> int:
    if index >= len(text):
        return len(text)
    return grapheme_bounds(text, index)[1]


def prev_grapheme(text: str, index: int) -> int:
    if index <= 0:
        return 0
    return grapheme_bounds(text, index - 1)[0]


# --- words, sentences, paragraphs -----------------------------------------

def is_word_char(ch: str) -> bool:
    return bool(regex_pattern(_WORD_CHAR).match(ch))


def word_bounds(text: str, index: int) -> tuple[int, int]:
    """The word around ``index`` (letters, marks, digits, inner apostrophes)."""
    n = len(text)
    if n == 0:
        return 0, 0
    i = min(max(index, 0), n - 1)
    if not is_word_char(text[i]) and i > 0 and is_word_char(text[i - 1]):
        i -= 1
    if not is_word_char(text[i]):
        return snap_span(text, i, i + 1)
    s = i
    while s > 0 and is_word_char(text[s - 1]):
        s -= 1
    e = i + 1
    while e < n and is_word_char(text[e]):
        e += 1
    return snap_span(text, s, e)


def next_word(text: str, index: int) -> int:
    """Start of the next word after ``index`` (ctrl+right)."""
    n = len(text)
    i = index
    while i < n and is_word_char(text[i]):
        i += 1
    while i < n and not is_word_char(text[i]):
        i += 1
    return snap_right(text, i)


def prev_word(text: str, index: int) -> int:
    """Start of the word before ``index`` (ctrl+left)."""
    i = index
    while i > 0 and not is_word_char(text[i - 1]):
        i -= 1
    while i > 0 and is_word_char(text[i - 1]):
        i -= 1
    return snap_left(text, i)


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Grow a selection so both edges fall on whole-word boundaries."""
    if start > end:
        start, end = end, start
    if start < len(text) and is_word_char(text[start]):
        start = word_bounds(text, start)[0]
    if end > 0 and end <= len(text) and is_word_char(text[end - 1]):
        end = word_bounds(text, end - 1)[1]
    return snap_span(text, start, end)


def paragraph_bounds(text: str, index: int) -> tuple[int, int]:
    """The paragraph around ``index``: lines between blank lines, without edge whitespace.

    On a blank (or whitespace-only) line there is no paragraph: ``(index, index)``.
    """
    n = len(text)
    index = min(max(index, 0), n)
    ls = text.rfind("\n", 0, index) + 1
    le = text.find("\n", index)
    le = n if le < 0 else le
    if not text[ls:le].strip():
        return index, index
    s = ls
    while s > 0:  # back over the lines of the paragraph
        prev_start = text.rfind("\n", 0, s - 1) + 1
        if not text[prev_start : s - 1].strip():
            break
        s = prev_start
    e = le
    while e < n:  # on over the lines of the paragraph
        nxt = text.find("\n", e + 1)
        nxt = n if nxt < 0 else nxt
        if not text[e + 1 : nxt].strip():
            break
        e = nxt
    return _trim(text, s, e)


def next_paragraph(text: str, index: int) -> tuple[int, int] | None:
    """The first paragraph that starts after ``index`` (None at the end of the text)."""
    n = len(text)
    i = index
    while i < n and text[i].isspace():
        i += 1
    if i >= n:
        return None
    s, e = paragraph_bounds(text, i)
    return (s, e) if e > s else None


def sentence_bounds(text: str, index: int) -> tuple[int, int]:
    """The sentence around ``index``, within its paragraph, without edge whitespace."""
    ps, pe = paragraph_bounds(text, index)
    if ps >= pe:
        return ps, pe
    s = ps
    for m in regex_pattern(_SENTENCE_END).finditer(text, ps, pe):
        end = m.end()
        if end <= index or (end == index + 1 and index == pe):
            s = end
            continue
        if m.start() >= index or end > index:
            return _trim(text, s, end)
    return _trim(text, s, pe)


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


# --- display safety --------------------------------------------------------

def _inert_char(ch: str) -> str:
    o = ord(ch)
    if o < 0x20:
        return chr(0x2400 + o)  # control pictures: ␀ ␁ ... ␛ ...
    if o == 0x7F:
        return "\u2421"  # ␡
    if 0x80 <= o <= 0x9F:
        return "\ufffd" if o != 0x85 else "\u2424"  # C1 controls; NEL as ␤
    if o in (0x2028, 0x2029):
        return "\u2424" if o == 0x2028 else "\u00b6"
    if o in BIDI_CONTROLS:
        return BIDI_CONTROLS[o]
    return ch


#: Bidi embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069) and the
#: visible symbol each one is shown as: they would reorder what the terminal draws
#: ("Trojan Source"), so they never reach it raw. ⇥ left-to-right, ⇤ right-to-left,
#: ⇹ first-strong isolate, ⇲ pop (end of an embedding or isolate).
BIDI_CONTROLS: dict[int, str] = {
    0x202A: "\u21e5",  # LRE
    0x202B: "\u21e4",  # RLE
    0x202C: "\u21f2",  # PDF
    0x202D: "\u21e5",  # LRO
    0x202E: "\u21e4",  # RLO
    0x2066: "\u21e5",  # LRI
    0x2067: "\u21e4",  # RLI
    0x2068: "\u21f9",  # FSI
    0x2069: "\u21f2",  # PDI
}

_INERT_TABLE = {o: _inert_char(chr(o)) for o in list(range(0x20)) + [0x7F] + list(range(0x80, 0xA0)) + [0x2028, 0x2029] + list(BIDI_CONTROLS)}
_INERT_KEEP_TAB = dict(_INERT_TABLE)
del _INERT_KEEP_TAB[0x09]
_INERT_TABLE[0x0A] = "\u2424"


def inert(text: str, keep_tabs: bool = False) -> str:
    """Replace every control character with a visible, inert symbol, 1:1.

    The result has the same length as ``text``, so offsets still match.
    Newlines become ``␤``: apply per line. ESC becomes ``␛``, so no terminal
    sequence in a document can reach the terminal.
    """
    return text.translate(_INERT_KEEP_TAB if keep_tabs else _INERT_TABLE)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # a range of code points: `re` does it exactly


def _escape_surrogates(text: str) -> str:
    """``\\xNN`` for a byte os.fsdecode kept as a surrogate, ``\\uXXXX`` for any other lone one."""
    if not _LONE_SURROGATE.search(text):
        return text
    escaped: str = _LONE_SURROGATE.sub(
        lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}" if 0xDC80 <= ord(m.group()) <= 0xDCFF else f"\\u{ord(m.group()):04x}",
        text)
    return escaped


def one_line(text: str, limit: int = 0) -> str:
    """Inert, single-line rendering of a snippet (for tables and lists and every CLI message);
    a password in a store URL is removed (:func:`reader.redact.redact`); a lone surrogate
    (a file name that is not UTF-8) is shown as its escape, ``\\xff``, which any output can carry."""
    out = inert(_escape_surrogates(redact(text)).replace("\n", " ").replace("\t", " "))
    if limit and len(out) > limit:
        out = out[: max(0, limit - 1)] + "…"
    return out


#: what JSON written to a terminal escapes besides what ``json.dumps`` already does:
#: C1 controls (U+009B is a one-byte CSI), bidi controls, line/paragraph separators
_JSON_TERMINAL_TABLE = {o: f"\\u{o:04x}" for o in [*range(0x80, 0xA0), 0x2028, 0x2029, *BIDI_CONTROLS]}


def json_terminal_safe(json_text: str) -> str:
    """JSON text with C1 and bidi controls written as ``\\uXXXX`` escapes (same JSON value).

    These characters can only occur inside JSON strings, where the escape means the same.
    """
    return json_text.translate(_JSON_TERMINAL_TABLE)


def display_path(path: str | bytes | os.PathLike[str] | os.PathLike[bytes]) -> str:
    """A file name for messages and JSON: bytes that are not UTF-8 shown as ``\\xff``.

    Names come from the file system decoded with ``os.fsdecode`` (surrogateescape), so a
    name such as ``bad\\xffname.txt`` holds a lone surrogate that no UTF-8 output can carry.
    """

    text = os.fspath(path) if not isinstance(path, str) else path
    if isinstance(text, bytes):
        return text.decode("utf-8", "backslashreplace")
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return os.fsencode(text).decode("utf-8", "backslashreplace") if _fs_encodable(text) else text.encode("utf-8", "backslashreplace").decode("utf-8")


def _fs_encodable(text: str) -> bool:

    try:
        os.fsencode(text)
        return True
    except UnicodeEncodeError:
        return False


def is_rtl_char(ch: str) -> bool:
    return unicodedata.bidirectional(ch) in ("R", "AL")
