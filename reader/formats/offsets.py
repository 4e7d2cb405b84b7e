"""Offset conversion between our code points and UTF-16 code units.

Our offsets are Python string indices (Unicode code points). JavaScript tools
(Label Studio, doccano) count UTF-16 code units: every character outside the
Basic Multilingual Plane (most emoji, some CJK, historic scripts) takes two
units there and one here. Converting naively shifts every span that follows
such a character, which is the best-known bug of those tools' exports.

Use :class:`Utf16Map` when converting many offsets on one text (it precomputes
the positions of the astral characters, so each conversion is a bisection), or
the one-shot helpers :func:`cp_to_utf16` / :func:`utf16_to_cp`.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

__all__ = ["Utf16Map", "OffsetConversionError", "cp_to_utf16", "utf16_to_cp", "utf16_len", "utf16_slice"]

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class OffsetConversionError(ValueError):
    """A UTF-16 offset that falls inside a surrogate pair or outside the text."""


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units (JavaScript's ``s.length``)."""
    return len(text) + sum(1 for _ in _ASTRAL.finditer(text))


def utf16_slice(text: str, start: int, end: int) -> str:
    """Slice ``text`` by UTF-16 code units, as JavaScript's ``s.slice(start, end)``.

    A cut through a surrogate pair raises :class:`OffsetConversionError`
    (JavaScript would produce a lone surrogate).
    """
    raw = text.encode("utf-16-le", "surrogatepass")
    try:
        return raw[2 * start:2 * end].decode("utf-16-le")
    except UnicodeDecodeError:
        raise OffsetConversionError(f"UTF-16 range {start}-{end} cuts a surrogate pair") from None


class Utf16Map:
    """Converts offsets on one text between code points and UTF-16 code units."""

    __slots__ = ("text", "_astral_cp", "_astral_u16", "length_cp", "length_u16")

    def __init__(self, text: str):
        self.text = text
        self._astral_cp = [m.start() for m in _ASTRAL.finditer(text)]
        # UTF-16 offset of each astral character's high surrogate
        self._astral_u16 = [cp + i for i, cp in enumerate(self._astral_cp)]
        self.length_cp = len(text)
        self.length_u16 = len(text) + len(self._astral_cp)

    @property
    def is_bmp(self) -> bool:
        """True when both units agree everywhere (no astral characters)."""
        return not self._astral_cp

    def to_utf16(self, offset: int) -> int:
        """Code point offset -> UTF-16 code unit offset."""
        if not 0 <= offset <= self.length_cp:
            raise OffsetConversionError(f"offset {offset} is outside the text (0-{self.length_cp} code points)")
        if not self._astral_cp:
            return offset
        return offset + bisect_left(self._astral_cp, offset)

    def to_cp(self, offset: int) -> int:
        """UTF-16 code unit offset -> code point offset.

        Raises :class:`OffsetConversionError` when ``offset`` is outside the
        text or points between the two halves of a surrogate pair.
        """
        if not 0 <= offset <= self.length_u16:
            raise OffsetConversionError(f"UTF-16 offset {offset} is outside the text (0-{self.length_u16} units)")
        if not self._astral_u16:
            return offset
        # astral characters whose high surrogate starts before `offset`
        k = bisect_right(self._astral_u16, offset - 1)
        if k and self._astral_u16[k - 1] == offset - 1:
            raise OffsetConversionError(f"UTF-16 offset {offset} falls inside a surrogate pair (an emoji or other astral character)")
        return offset - k


def cp_to_utf16(text: str, offset: int) -> int:
    return Utf16Map(text).to_utf16(offset)


def utf16_to_cp(text: str, offset: int) -> int:
    return Utf16Map(text).to_cp(offset)
